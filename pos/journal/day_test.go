package journal

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// daySales writes n sales a minute apart from t0, every third declined,
// every fifth left pending, the rest approved (every seventh partly).
func daySales(t testing.TB, j *Journal, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		s := sale(fmt.Sprintf("r%04d", i))
		s.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
		s.ProviderCode, s.ProviderName = []string{"0001", "0002"}[i%2], []string{"1Voucher", "OTT"}[i%2]
		if err := j.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
		var o Outcome
		switch {
		case i%5 == 0:
			continue
		case i%3 == 0:
			o = Outcome{Status: Declined, DeclineKind: "invalid_pin"}
		default:
			o = Outcome{Status: Approved, AmountCharged: s.AmountRequested, Fee: 100, VAT: 15}
			if i%7 == 0 {
				o.AmountCharged -= 50
			}
			if i%11 == 0 {
				o.ChangePIN = "5555666677778888"
			}
		}
		if err := j.Record(ctx, s.Reference, s.CreatedAt, o); err != nil {
			t.Fatal(err)
		}
	}
}

// Summary's sums are those of the rows themselves.
func TestSummaryMatchesTheRows(t *testing.T) {
	t.Parallel()
	j, _ := openTemp(t)
	daySales(t, j, 60)
	ctx := context.Background()
	from, to := t0, t0.Add(24*time.Hour)
	sum, err := j.Summary(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := j.List(ctx, from, to)
	want := map[string]SummaryLine{}
	change := 0
	for _, s := range rows {
		k := s.ProviderCode + "/" + string(s.Status)
		l := want[k]
		l.ProviderCode, l.ProviderName, l.Status = s.ProviderCode, s.ProviderName, s.Status
		l.Count++
		l.Requested += s.AmountRequested
		l.Charged += s.AmountCharged
		l.Fee += s.Fee
		l.VAT += s.VAT
		if s.AmountCharged < s.AmountRequested {
			l.PartlyCharged++
		}
		want[k] = l
		if s.HasChangePIN && s.Status == Approved {
			change++
		}
	}
	if len(sum.Lines) != len(want) {
		t.Fatalf("%d lines, want %d: %+v", len(sum.Lines), len(want), sum.Lines)
	}
	for _, l := range sum.Lines {
		if w := want[l.ProviderCode+"/"+string(l.Status)]; l != w {
			t.Errorf("line %+v, want %+v", l, w)
		}
	}
	if sum.ChangeVouchers != change || change == 0 {
		t.Errorf("change vouchers %d, want %d", sum.ChangeVouchers, change)
	}
	// A range off the quarter hours sums the rows themselves: the same.
	if scan, err := j.Summary(ctx, from.Add(-time.Nanosecond), to); err != nil || !reflect.DeepEqual(scan, sum) {
		t.Errorf("summed from the rows: %+v, %v\nfrom day_totals: %+v", scan, err, sum)
	}
	if empty, err := j.Summary(ctx, to, to.Add(time.Hour)); err != nil || len(empty.Lines) != 0 {
		t.Errorf("an empty day: %+v, %v", empty, err)
	}
}

// Window pages through the day newest first, filtered, and counts it all.
func TestWindowPagesNewestFirst(t *testing.T) {
	t.Parallel()
	j, _ := openTemp(t)
	daySales(t, j, 40)
	ctx := context.Background()
	from, to := t0, t0.Add(24*time.Hour)
	total, page, err := j.Window(ctx, from, to, nil, 5, 10)
	if err != nil || total != 40 || len(page) != 10 || page[0].Reference != "r0034" || page[9].Reference != "r0025" {
		t.Fatalf("total %d, %d rows from %v, %v", total, len(page), page, err)
	}
	total, page, _ = j.Window(ctx, from, to, []Status{Pending, Unknown}, 0, 100)
	if total != 8 || len(page) != 8 || page[0].Reference != "r0035" {
		t.Fatalf("unresolved: total %d, %d rows", total, len(page))
	}
	if total, page, _ = j.Window(ctx, from, to, nil, 40, 10); total != 40 || len(page) != 0 {
		t.Fatalf("past the end: total %d, %d rows", total, len(page))
	}
}

// Each sees every sale once, oldest first, across its batches, and lets
// its callback read the journal.
func TestEachStreamsTheDay(t *testing.T) {
	t.Parallel()
	j, _ := openTemp(t)
	n := 3*eachBatch + 7
	daySales(t, j, n)
	ctx := context.Background()
	var seen []string
	err := j.Each(ctx, t0, t0.Add(24*time.Hour), func(s Sale) error {
		if _, err := j.Events(ctx, s.Reference); err != nil {
			return err
		}
		seen = append(seen, s.Reference)
		return nil
	})
	if err != nil || len(seen) != n || seen[0] != "r0000" || seen[n-1] != fmt.Sprintf("r%04d", n-1) {
		t.Fatalf("%d sales, %v", len(seen), err)
	}
}

// A sale is two durable transactions: pending before the charge, the
// outcome after. Each is one fsync of the WAL under synchronous=FULL.
func TestASaleIsTwoCommits(t *testing.T) {
	t.Parallel()
	j, _ := openTemp(t)
	ctx := context.Background()
	for i := range 3 {
		before := j.Commits()
		ref := fmt.Sprintf("c%d", i)
		if err := j.Create(ctx, sale(ref)); err != nil {
			t.Fatal(err)
		}
		if got := j.Commits() - before; got != 1 {
			t.Fatalf("Create committed %d transactions", got)
		}
		if err := j.Record(ctx, ref, t0, Outcome{Status: Approved, AmountCharged: 12050}); err != nil {
			t.Fatal(err)
		}
		if got := j.Commits() - before; got != 2 {
			t.Fatalf("a sale committed %d transactions, want 2", got)
		}
	}
}

// A journal of schema 3 gets its day_totals from the sales it holds.
func TestDayTotalsOfAnOlderJournal(t *testing.T) {
	t.Parallel()
	j, path := openTemp(t)
	daySales(t, j, 30)
	ctx := context.Background()
	from, to := t0, t0.Add(24*time.Hour)
	want, _ := j.Summary(ctx, from, to)
	for _, q := range []string{`DROP TRIGGER day_totals_insert`, `DROP TRIGGER day_totals_update`,
		`DROP TRIGGER day_totals_delete`, `DROP TABLE day_totals`, `DROP INDEX sales_day`,
		`CREATE INDEX sales_created ON sales (created_at)`, `PRAGMA user_version = 3`} {
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
	got, err := j2.Summary(ctx, from, to)
	if err != nil || !reflect.DeepEqual(got, want) || len(got.Lines) == 0 {
		t.Fatalf("after the upgrade %+v, %v; want %+v", got, err, want)
	}
	// Reopening and checking a sale move it between the lines.
	if err := j2.NoteCheck(ctx, "r0000", t0, t0, NoAnswer, "x"); err != nil {
		t.Fatal(err)
	}
	after, _ := j2.Summary(ctx, from, to)
	scan, _ := j2.Summary(ctx, from.Add(-time.Nanosecond), to)
	if !reflect.DeepEqual(after, scan) || reflect.DeepEqual(after, want) {
		t.Fatalf("after a check: %+v; the rows say %+v", after, scan)
	}
}
