package journal

import (
	"context"
	"strings"
	"testing"
	"time"

	"voucherpos/syncwire"
)

func TestOutboxChainsEveryEventInOrder(t *testing.T) {
	t.Parallel()
	j, _ := openTemp(t)
	ctx := context.Background()
	if err := j.Create(ctx, sale("r1")); err != nil {
		t.Fatal(err)
	}
	err := j.Record(ctx, "r1", t0.Add(time.Second), Outcome{Status: Approved, AmountCharged: 12050, Fee: 120, VAT: 18,
		ChangePIN: "9999888877776666", VoucherSerial: "S1", HasBalance: true, VoucherBalance: 100})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Create(ctx, sale("r2")); err != nil {
		t.Fatal(err)
	}
	if err := j.AddEvent(ctx, "r1", t0.Add(2*time.Second), "printed", "pin 1168648096792943 on a note"); err != nil {
		t.Fatal(err)
	}
	head, err := j.OutboxHead(ctx)
	if err != nil || head != 4 {
		t.Fatalf("head = %d, %v; want 4", head, err)
	}
	prev, events, err := j.OutboxAfter(ctx, 0, 100)
	if err != nil || len(events) != 4 {
		t.Fatalf("OutboxAfter = %d events, %v", len(events), err)
	}
	payloads, err := syncwire.Batch{Version: syncwire.Version, TerminalID: "till-1", PrevHash: prev, Events: events}.Verify()
	if err != nil {
		t.Fatalf("the outbox is not a valid chain: %v", err)
	}
	if p := payloads[1]; p.Kind != "approved" || p.Sale.Status != "approved" || !p.Sale.ChangeVoucher ||
		p.Sale.AmountCharged != 12050 || p.Sale.CurrencyDigits != 2 || *p.Sale.VoucherBalance != 100 {
		t.Fatalf("approved event's snapshot: %+v", p.Sale)
	}
	for _, e := range events {
		for _, secretText := range []string{"9999888877776666", "+27821234567", "821234567", "1168648096792943", secret} {
			if strings.Contains(e.Payload, secretText) {
				t.Fatalf("seq %d payload holds %q: %s", e.Seq, secretText, e.Payload)
			}
		}
	}
	if payloads[0].Sale.PhoneLast4 != "4567" || payloads[0].Sale.PINLast4 != "2943" {
		t.Fatalf("last 4s: %+v", payloads[0].Sale)
	}
	// A batch from the middle starts after the hash of the event before.
	prev, rest, _ := j.OutboxAfter(ctx, 2, 1)
	if prev != events[1].Hash || len(rest) != 1 || rest[0].Seq != 3 {
		t.Fatalf("OutboxAfter(2, 1) = %v %+v", prev, rest)
	}
	// The outbox is append-only.
	if _, err := j.db.Exec(`UPDATE outbox SET payload = '{}' WHERE seq = 1`); err == nil {
		t.Fatal("an outbox row was changed")
	}
	if err := j.SetOutboxAcked(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if n, err := j.OutboxAcked(ctx); err != nil || n != 3 {
		t.Fatalf("acked = %d, %v", n, err)
	}
}

func TestOutboxChainsAnOlderJournalsEventsOnOpen(t *testing.T) {
	t.Parallel()
	j, path := openTemp(t)
	ctx := context.Background()
	j.Create(ctx, sale("r1"))
	j.Create(ctx, sale("r2"))
	// As a schema-2 journal would be: events with no outbox rows.
	for _, q := range []string{`DROP TRIGGER outbox_append_only_delete`, `DELETE FROM outbox`, `PRAGMA user_version = 2`,
		`DROP TABLE outbox`, `DROP TABLE outbox_state`,
		`DROP TRIGGER day_totals_insert`, `DROP TRIGGER day_totals_update`, `DROP TRIGGER day_totals_delete`,
		`DROP TABLE day_totals`, `DROP INDEX sales_day`, `CREATE INDEX sales_created ON sales (created_at)`} {
		if _, err := j.db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	j.Close()
	j2, err := Open(path, Options{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if head, _ := j2.OutboxHead(ctx); head != 2 {
		t.Fatalf("head after upgrade = %d, want 2", head)
	}
	j2.Create(ctx, sale("r3"))
	prev, events, _ := j2.OutboxAfter(ctx, 0, 10)
	if _, err := (syncwire.Batch{Version: 1, TerminalID: "till-1", PrevHash: prev, Events: events}).Verify(); err != nil || len(events) != 3 {
		t.Fatalf("upgraded chain: %d events, %v", len(events), err)
	}
}
