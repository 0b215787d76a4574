package store

import (
	"errors"
	"testing"

	"voucherpos/syncwire"
)

func TestMigrateTwiceAppliesNothingTheSecondTime(t *testing.T) {
	l, _ := newTestLedger(t)
	ctx := ctxT(t)
	applied, err := Migrate(ctx, l.pool)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second Migrate = %v, %v; want nothing applied", applied, err)
	}
	all, _ := Migrations()
	if v, err := SchemaVersion(ctx, l.pool); err != nil || v != len(all) {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, len(all))
	}
}

func countRows(t testing.TB, l *Ledger, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := l.pool.QueryRowContext(ctxT(t), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIngestStoresEachEventExactlyOnce(t *testing.T) {
	l, _ := newTestLedger(t)
	ctx := ctxT(t)
	if _, err := l.AddTill(ctx, "till-1"); err != nil {
		t.Fatal(err)
	}
	c := &chain{till: "till-1"}
	c.sale(t, 1, "pending", 10000)
	c.sale(t, 1, "approved", 10000)
	c.sale(t, 2, "pending", 5000)
	c.sale(t, 2, "declined", 5000)
	c.sale(t, 3, "pending", 2500)

	ack, err := l.Ingest(ctx, "till-1", c.batch(1, 3))
	if err != nil || ack.LastSeq != 3 || ack.LastHash != c.events[2].Hash {
		t.Fatalf("first batch: %+v, %v", ack, err)
	}
	// The same batch again: a no-op that answers the same.
	ack, err = l.Ingest(ctx, "till-1", c.batch(1, 3))
	if err != nil || ack.LastSeq != 3 {
		t.Fatalf("replay: %+v, %v", ack, err)
	}
	// Overlapping: 2..5 stores 4 and 5 only.
	ack, err = l.Ingest(ctx, "till-1", c.batch(2, 5))
	if err != nil || ack.LastSeq != 5 {
		t.Fatalf("overlap: %+v, %v", ack, err)
	}
	if n := countRows(t, l, `SELECT count(*) FROM events`); n != 5 {
		t.Fatalf("events = %d, want 5", n)
	}
	if n := countRows(t, l, `SELECT count(*) FROM sales`); n != 3 {
		t.Fatalf("sales = %d, want 3", n)
	}
	got, err := l.Sale(ctx, "till-1-20260310-0002")
	if err != nil || got.Sale.Status != "declined" || len(got.Events) != 2 {
		t.Fatalf("sale 2 = %+v, %v; want declined with 2 events", got, err)
	}
	// An older snapshot replayed never overwrites a newer one.
	if _, err := l.Ingest(ctx, "till-1", c.batch(1, 1)); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Sale(ctx, "till-1-20260310-0001"); got.Sale.Status != "approved" {
		t.Fatalf("sale 1 after replaying its pending event: %s", got.Sale.Status)
	}
}

func TestIngestGapAnswersTheServersLastSeq(t *testing.T) {
	l, _ := newTestLedger(t)
	ctx := ctxT(t)
	l.AddTill(ctx, "till-1")
	c := &chain{till: "till-1"}
	for i := 1; i <= 6; i++ {
		c.sale(t, i, "pending", 100)
	}
	if _, err := l.Ingest(ctx, "till-1", c.batch(1, 2)); err != nil {
		t.Fatal(err)
	}
	ack, err := l.Ingest(ctx, "till-1", c.batch(4, 6))
	if !errors.Is(err, ErrGap) || ack.LastSeq != 2 {
		t.Fatalf("gap: %+v, %v; want ErrGap at 2", ack, err)
	}
	// The till resends from there.
	if ack, err := l.Ingest(ctx, "till-1", c.batch(int(ack.LastSeq)+1, 6)); err != nil || ack.LastSeq != 6 {
		t.Fatalf("resend: %+v, %v", ack, err)
	}
	tills, _ := l.Tills(ctx)
	if len(tills) != 1 || tills[0].LastSeq != 6 || tills[0].Lag() != 0 || tills[0].LastSeen.IsZero() {
		t.Fatalf("tills = %+v", tills)
	}
}

func TestIngestChainConflictIsKeptAsideAndRefused(t *testing.T) {
	l, _ := newTestLedger(t)
	ctx := ctxT(t)
	l.AddTill(ctx, "till-1")
	orig := &chain{till: "till-1"}
	for i := 1; i <= 3; i++ {
		orig.sale(t, i, "pending", 100)
	}
	if _, err := l.Ingest(ctx, "till-1", orig.batch(1, 3)); err != nil {
		t.Fatal(err)
	}
	// A journal replaced by another (a restored backup, a new file): its
	// seq 2 is a different event.
	other := &chain{till: "till-1"}
	other.sale(t, 1, "pending", 100)
	other.sale(t, 2, "pending", 999)
	other.sale(t, 3, "pending", 100)
	other.sale(t, 4, "pending", 100)
	ack, err := l.Ingest(ctx, "till-1", other.batch(1, 4))
	if !errors.Is(err, ErrConflict) || !ack.Conflict || ack.LastSeq != 3 {
		t.Fatalf("conflict: %+v, %v", ack, err)
	}
	// A batch that starts at the next seq but follows another event.
	ack, err = l.Ingest(ctx, "till-1", other.batch(4, 4))
	if !errors.Is(err, ErrConflict) || ack.LastSeq != 3 {
		t.Fatalf("prev_hash conflict: %+v, %v", ack, err)
	}
	if n := countRows(t, l, `SELECT count(*) FROM events`); n != 3 {
		t.Fatalf("events = %d, want the 3 original ones", n)
	}
	if n := countRows(t, l, `SELECT count(*) FROM chain_conflicts`); n != 2 {
		t.Fatalf("chain_conflicts = %d, want 2", n)
	}
	// Sent again, the same conflict is not counted twice.
	l.Ingest(ctx, "till-1", other.batch(1, 4))
	tills, _ := l.Tills(ctx)
	if tills[0].Conflicts != 2 {
		t.Fatalf("tills conflicts = %d, want 2", tills[0].Conflicts)
	}
	// The original chain still continues.
	orig.sale(t, 4, "pending", 100)
	if ack, err := l.Ingest(ctx, "till-1", orig.batch(4, 4)); err != nil || ack.LastSeq != 4 {
		t.Fatalf("original continues: %+v, %v", ack, err)
	}
}

func TestIngestRefusesAnEditedEvent(t *testing.T) {
	l, _ := newTestLedger(t)
	ctx := ctxT(t)
	l.AddTill(ctx, "till-1")
	c := &chain{till: "till-1"}
	c.sale(t, 1, "approved", 100)
	c.sale(t, 2, "approved", 200)
	b := c.batch(1, 2)
	// Someone edits the amount in the journal by hand but cannot re-hash.
	b.Events[1].Payload = b.Events[1].Payload[:len(b.Events[1].Payload)-1] + " }"
	if _, err := l.Ingest(ctx, "till-1", b); !errors.Is(err, ErrBadBatch) || !errors.Is(err, syncwire.ErrBadHash) {
		t.Fatalf("edited event: %v; want ErrBadBatch/ErrBadHash", err)
	}
	if n := countRows(t, l, `SELECT count(*) FROM events`); n != 0 {
		t.Fatalf("events = %d, want none from a refused batch", n)
	}
}

func TestTokensScopeATillToItsOwnEvents(t *testing.T) {
	l, _ := newTestLedger(t)
	ctx := ctxT(t)
	tokA, err := l.AddTill(ctx, "till-a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddTill(ctx, "till-b"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddTill(ctx, "till-a"); err == nil {
		t.Fatal("a second token for a till with one was issued")
	}
	if _, err := l.AddTill(ctx, "till a; drop table"); !errors.Is(err, ErrBadTerminal) {
		t.Fatalf("bad terminal id: %v", err)
	}
	id, err := l.Authenticate(ctx, tokA)
	if err != nil || id != "till-a" {
		t.Fatalf("Authenticate = %q, %v", id, err)
	}
	if n := countRows(t, l, `SELECT count(*) FROM tills WHERE token_hash = $1`, []byte(tokA)); n != 0 {
		t.Fatal("the token itself is stored")
	}
	b := &chain{till: "till-b"}
	b.sale(t, 1, "approved", 100)
	if _, err := l.Ingest(ctx, id, b.batch(1, 1)); !errors.Is(err, ErrForbidden) {
		t.Fatalf("till-a writing till-b's batch: %v", err)
	}
	// A batch that says till-a but carries till-b's sale is refused too.
	forged := &chain{till: "till-a"}
	p, _ := syncwire.DecodePayload([]byte(b.events[0].Payload))
	p.TerminalID = "till-a"
	forged.add(t, p)
	if _, err := l.Ingest(ctx, id, forged.batch(1, 1)); !errors.Is(err, syncwire.ErrOtherTerminal) {
		t.Fatalf("forged sale: %v", err)
	}
	if err := l.RemoveTill(ctx, "till-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Authenticate(ctx, tokA); !errors.Is(err, ErrBadToken) {
		t.Fatalf("revoked token: %v", err)
	}
	// Re-adding issues a new token; the old one stays dead.
	tokA2, err := l.AddTill(ctx, "till-a")
	if err != nil || tokA2 == tokA {
		t.Fatalf("re-add: %v", err)
	}
	if _, err := l.Authenticate(ctx, tokA); !errors.Is(err, ErrBadToken) {
		t.Fatalf("old token after re-add: %v", err)
	}
}

// The rollup the report reads always equals the sales it sums: through
// status changes, replays of older snapshots and conflicts.
func TestRollupFollowsTheSales(t *testing.T) {
	l, _ := newTestLedger(t)
	ctx := ctxT(t)
	l.AddTill(ctx, "till-1")
	c := &chain{till: "till-1"}
	c.sale(t, 1, "pending", 10000)
	c.sale(t, 2, "pending", 500)
	c.sale(t, 1, "approved", 10000)
	c.sale(t, 2, "declined", 500)
	c.sale(t, 3, "pending", 700)
	for _, b := range [][2]int{{1, 2}, {1, 1}, {3, 4}, {2, 3}, {5, 5}, {1, 5}} {
		if _, err := l.Ingest(ctx, "till-1", c.batch(b[0], b[1])); err != nil {
			t.Fatal(b, err)
		}
		assertRollupMatchesSales(t, l)
	}
	rep, err := l.Report(ctx, testNow, "")
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Summaries("")
	if len(rep.Lines) != 3 || s[0].Sales != 3 || s[0].Unresolved != 1 || s[0].Total.Charged != 10000 {
		t.Fatalf("report %+v / %+v", rep.Lines, s)
	}
}

func assertRollupMatchesSales(t testing.TB, l *Ledger) {
	t.Helper()
	var diff int64
	err := l.pool.QueryRowContext(ctxT(t), `WITH want AS (`+rebuildRollup[len("INSERT INTO sales_rollup"):]+`),
		got AS (SELECT * FROM sales_rollup WHERE sales <> 0 OR requested <> 0)
		SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM got) a) +
		       (SELECT count(*) FROM (SELECT * FROM got EXCEPT SELECT * FROM want) b)`).Scan(&diff)
	if err != nil {
		t.Fatal(err)
	}
	if diff != 0 {
		t.Fatalf("the rollup differs from the sales in %d rows", diff)
	}
}
