package store

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"testing"
	"time"
)

func at(clock time.Time) func() time.Time { return func() time.Time { return clock } }

// plantHook stores a webhook as received at when.
func plantHook(t testing.TB, l *Ledger, when time.Time, event, ref, koraRef, status string, amount, fee, vat *int64) {
	t.Helper()
	h, err := NewWebhooks(NewLedger(l.pool, at(when)), testKoraKey)
	if err != nil {
		t.Fatal(err)
	}
	ev := WebhookEvent{Event: event, PaymentReference: ref, KoraReference: koraRef, Status: status, Currency: "ZAR", Digits: 2,
		Amount: amount, Fee: fee, VAT: vat, Raw: []byte(`{}`)}
	if _, err := h.Store(ctxT(t), ev); err != nil {
		t.Fatal(err)
	}
}

func i64(v int64) *int64 { return &v }

// A day with one disagreement of each kind planted among sales that agree
// is reported with every one found, by kind and reference, and nothing
// else; before the graces have passed, what may still settle by itself is
// not reported.
func TestDiscrepanciesFindEveryKindAndNoFalseAlarm(t *testing.T) {
	l, _ := newTestLedger(t)
	ctx := ctxT(t)
	t1, _ := l.AddTill(ctx, "T1")
	t2, _ := l.AddTill(ctx, "T2")
	t3, _ := l.AddTill(ctx, "T3")
	c := &chain{till: "T1"}
	ref := func(n int) string {
		return c.till + "-20260310-" + []string{"", "0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011"}[n]
	}
	c.sale(t, 1, "declined", 1000)  // A: Kora success → till declined
	c.sale(t, 2, "unknown", 2000)   // B: Kora success → till unresolved
	c.sale(t, 4, "approved", 4000)  // D: Kora failed → till approved
	c.sale(t, 5, "approved", 5000)  // E: amounts differ
	c.sale(t, 7, "approved", 7000)  // G: agrees
	c.sale(t, 8, "approved", 8000)  // H: no webhook: nothing to compare
	c.sale(t, 9, "declined", 9000)  // I: failed at both
	c.sale(t, 10, "approved", 9900) // J: success then a reordered failure
	c.sale(t, 11, "approved", 1100) // L: matched on Kora's reference alone
	if _, err := l.Ingest(ctx, "T1", c.batch(1, len(c.events))); err != nil {
		t.Fatal(err)
	}
	if _, err := l.pool.ExecContext(ctx, `UPDATE sales SET kora_reference = 'KPY-L' WHERE reference = $1`, ref(11)); err != nil {
		t.Fatal(err)
	}
	// T2 ships one event and says it holds five, then falls silent.
	c2 := &chain{till: "T2"}
	c2.sale(t, 1, "approved", 100)
	b := c2.batch(1, 1)
	b.Head = 5
	if _, err := l.Ingest(ctx, "T2", b); err != nil {
		t.Fatal(err)
	}
	// T3 offers a different event at a seq the server holds.
	c3 := &chain{till: "T3"}
	c3.sale(t, 1, "approved", 100)
	c3.sale(t, 1, "declined", 100)
	if _, err := l.Ingest(ctx, "T3", c3.batch(1, 2)); err != nil {
		t.Fatal(err)
	}
	other := &chain{till: "T3"}
	other.sale(t, 1, "approved", 100)
	other.sale(t, 1, "approved", 999)
	if _, err := l.Ingest(ctx, "T3", other.batch(1, 2)); err == nil {
		t.Fatal("no conflict")
	}
	_, _ = t1, t2
	_ = t3

	noon := testNow
	plantHook(t, l, noon, "charge.success", ref(1), "KPY-A", "success", i64(1000), i64(10), i64(1))
	plantHook(t, l, noon, "charge.success", ref(2), "KPY-B", "success", i64(2000), i64(20), i64(3))
	plantHook(t, l, noon, "charge.success", "T1-20260310-0099", "KPY-C", "success", i64(3000), nil, nil)
	plantHook(t, l, noon, "charge.failed", ref(4), "KPY-D", "failed", nil, nil, nil)
	plantHook(t, l, noon, "charge.success", ref(5), "KPY-E", "success", i64(4900), i64(50), i64(7))
	plantHook(t, l, testNow.Add(-11*time.Hour), "charge.failed", "ZZ-00000001", "KPY-F", "failed", nil, nil, nil)
	plantHook(t, l, noon, "charge.success", ref(7), "KPY-G", "success", i64(7000), i64(70), i64(10))
	plantHook(t, l, noon, "charge.failed", ref(9), "KPY-I", "failed", nil, nil, nil)
	plantHook(t, l, noon, "charge.success", ref(10), "KPY-J", "success", i64(9900), i64(99), i64(14))
	plantHook(t, l, noon.Add(time.Minute), "charge.failed", ref(10), "KPY-J", "failed", nil, nil, nil)
	plantHook(t, l, noon, "charge.success", "", "KPY-L", "success", i64(1100), i64(11), i64(1))

	got := func(now time.Time) []string {
		ds, err := NewLedger(l.pool, at(now)).Discrepancies(ctx, testNow)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			if d.Detail == "" || DiscrepancyAction[d.Kind] == "" {
				t.Fatalf("discrepancy without detail or action: %+v", d)
			}
			out = append(out, string(d.Kind)+" "+d.TerminalID+" "+d.Reference)
		}
		sort.Strings(out)
		return out
	}
	want := []string{
		"amounts_differ T1 " + ref(5),
		"chain_conflict T3 ",
		"chain_gap T2 ",
		"kora_success_no_sale  T1-20260310-0099",
		"kora_success_till_declined T1 " + ref(1),
		"kora_success_till_unresolved T1 " + ref(2),
		"till_approved_kora_failed T1 " + ref(4),
		"webhook_unmatched  ZZ-00000001",
	}
	if g := got(time.Date(2026, 3, 11, 6, 0, 0, 0, time.UTC)); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Fatalf("discrepancies\n got %q\nwant %q", g, want)
	}
	// Five minutes after the webhooks: the unresolved sale, the sale not
	// yet shipped, the young unmatched webhook and the till just seen may
	// all still settle by themselves.
	soon := []string{
		"amounts_differ T1 " + ref(5),
		"chain_conflict T3 ",
		"kora_success_till_declined T1 " + ref(1),
		"till_approved_kora_failed T1 " + ref(4),
	}
	if g := got(noon.Add(5 * time.Minute)); strings.Join(g, "\n") != strings.Join(soon, "\n") {
		t.Fatalf("discrepancies within the graces\n got %q\nwant %q", g, soon)
	}
	var text strings.Builder
	ds, _ := NewLedger(l.pool, at(time.Date(2026, 3, 11, 6, 0, 0, 0, time.UTC))).Discrepancies(ctx, testNow)
	WriteDiscrepancies(&text, testNow, ds)
	for _, k := range DiscrepancyKinds {
		if !strings.Contains(text.String(), string(k)+" (1): "+DiscrepancyAction[k]) {
			t.Fatalf("the printout lacks %s's action:\n%s", k, text.String())
		}
	}
}

// Every query the discrepancies and reconcile-kora reports run over a day
// uses an index (sequential scans off, as on a big ledger the planner
// would choose).
func TestDiscrepancyQueriesUseIndexes(t *testing.T) {
	l, _ := newTestLedger(t)
	ctx := ctxT(t)
	from, to := dayBounds(testNow)
	for name, q := range map[string]struct {
		sql  string
		want []string
	}{
		"sales":     {discrepancySalesQuery, []string{"sales_created", "kora_webhooks_payment_reference", "kora_webhooks_kora_reference"}},
		"unmatched": {discrepancyUnmatchedQuery, []string{"kora_webhooks_received", "sales_pkey", "sales_kora_reference"}},
		"conflicts": {discrepancyConflictQuery, []string{"chain_conflicts_detected"}},
		"pay-ins":   {payInSalesQuery, []string{"sales_created"}},
	} {
		err := inTx(ctx, l.pool, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
			rows, err := tx.QueryContext(ctx, "EXPLAIN "+q.sql, from, to)
			if err != nil {
				return err
			}
			var plan []string
			for rows.Next() {
				var line string
				rows.Scan(&line)
				plan = append(plan, line)
			}
			rows.Close()
			text := strings.Join(plan, "\n")
			for _, idx := range q.want {
				if !strings.Contains(text, idx) {
					t.Errorf("%s: the plan does not use %s:\n%s", name, idx, text)
				}
			}
			if strings.Contains(text, "Seq Scan") {
				t.Errorf("%s: a sequential scan:\n%s", name, text)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

var _ = context.Background
