package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"voucherpos/store"
)

// The report over one day of 1 000 000 sales (generated in SQL, across 50
// tills, with 2 000 000 more on the ten days either side) runs on an
// index (the rollup's primary key), never a sequential scan, and -v
// prints its time and plan. Behind
// VOUCHERPOS_LONG=1 (about two minutes to generate).
func TestReportQueryOverOneMillionSales(t *testing.T) {
	if !long() {
		t.Skip("VOUCHERPOS_LONG=1 runs the 1 000 000-sale report")
	}
	st := startStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	pool := st.ledger.Pool()
	const rollup = "rebuild the rollup"
	steps := []string{
		`INSERT INTO tills (terminal_id, created_at) SELECT 'till-' || lpad(i::text, 2, '0'), now() FROM generate_series(1, 50) i`,
		// One day: 1 000 000 sales spread over the day of day0 (SAST).
		`INSERT INTO sales (reference, terminal_id, created_at, updated_at, status, currency, currency_digits,
			amount_requested, amount_charged, fee, vat, provider_code, provider_name, decline_kind, decline_message,
			pin_last4, phone_last4, kora_reference, voucher_serial, change_voucher, last_seq)
		 SELECT 'till-' || lpad((i % 50 + 1)::text, 2, '0') || '-' || i, 'till-' || lpad((i % 50 + 1)::text, 2, '0'),
			$1::timestamptz + (i * interval '86 milliseconds'), $1::timestamptz + (i * interval '86 milliseconds'),
			(ARRAY['approved','approved','approved','approved','approved','approved','declined','declined','unknown','pending'])[i % 10 + 1],
			'ZAR', 2, 1000 + i % 50000, CASE WHEN i % 10 < 6 THEN 1000 + i % 50000 - (i % 97 = 0)::int * 500 ELSE 0 END,
			CASE WHEN i % 10 < 6 THEN 15 ELSE 0 END, CASE WHEN i % 10 < 6 THEN 2 ELSE 0 END,
			(ARRAY['0001','0002','0003'])[i % 3 + 1], (ARRAY['1Voucher','OTT','blu'])[i % 3 + 1], '', '',
			lpad((i % 10000)::text, 4, '0'), '4567', 'KPY-' || i, '', i % 13 = 0, i
		 FROM generate_series(0, 999999) i`,
		// The days around it, as a ledger that holds more than one day
		// does: 2 000 000 more over the ten days before and after.
		`INSERT INTO sales (reference, terminal_id, created_at, updated_at, status, currency, currency_digits,
			amount_requested, amount_charged, fee, vat, provider_code, provider_name, decline_kind, decline_message,
			pin_last4, phone_last4, kora_reference, voucher_serial, change_voucher, last_seq)
		 SELECT 'other-' || i, 'till-' || lpad((i % 50 + 1)::text, 2, '0'),
			$1::timestamptz + (CASE WHEN i % 2 = 0 THEN -10 ELSE 1 END) * interval '1 day' + (i / 2) * interval '864 milliseconds',
			now(), 'approved', 'ZAR', 2, 100, 100, 1, 0, '0001', '1Voucher', '', '', '0000', '', '', '', false, i
		 FROM generate_series(0, 1999999) i`,
		`VACUUM ANALYZE sales`,
		rollup, // sales written here, not by the ingest: build the rollup from them
		`VACUUM ANALYZE sales_rollup`,
	}
	from := time.Date(day0.Year(), day0.Month(), day0.Day(), 0, 0, 0, 0, zone)
	for i, q := range steps {
		start := time.Now()
		var err error
		if q == rollup {
			err = st.ledger.RebuildRollup(ctx)
		} else if strings.Contains(q, "$1") {
			_, err = pool.ExecContext(ctx, q, from)
		} else {
			_, err = pool.ExecContext(ctx, q)
		}
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		t.Logf("generate step %d: %s", i, time.Since(start).Round(time.Millisecond))
	}
	start := time.Now()
	rep, err := st.ledger.Report(ctx, day0, "")
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, l := range rep.Lines {
		n += l.Count
	}
	if n != 1_000_000 {
		t.Fatalf("report counts %d sales, want 1 000 000", n)
	}
	t.Logf("report over 1 000 000 sales: %s (%d lines, %d tills)", took.Round(time.Millisecond), len(rep.Lines), len(rep.Tills()))
	for _, till := range []string{"", "till-07"} {
		q, args := store.ReportQueryForTest, []any{from, from.AddDate(0, 0, 1)}
		if till != "" {
			q, args = store.ReportTillQueryForTest, append(args, till)
		}
		rows, err := pool.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			rows.Scan(&line)
			plan = append(plan, line)
		}
		rows.Close()
		text := strings.Join(plan, "\n")
		t.Logf("EXPLAIN (till %q):\n%s", till, text)
		if strings.Contains(text, "Seq Scan on sales") || !strings.Contains(text, "Index") {
			t.Fatalf("the report does not use an index:\n%s", text)
		}
	}
}
