package pos

import (
	"context"
	"reflect"
	"testing"
	"time"

	"voucherpos/kora/sandbox"
)

// dayRig is a till whose clock stands a minute before local midnight, in a
// zone ahead of UTC, with a mix of outcomes on its day.
func dayRig(t *testing.T) (*Service, time.Time) {
	t.Helper()
	sb, err := sandbox.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	now := time.Date(2026, 3, 14, 23, 59, 0, 0, time.FixedZone("SAST", 2*3600))
	svc, err := Open(testConfig(t, sb.URL), Options{Policy: testPolicy, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	ctx := context.Background()
	for _, o := range []Order{
		order(10000, "0001", "1000 0000 0000 0100"),
		order(8000, "0002", "2000-0000-0050"),
		order(1000, "0001", sandbox.InvalidPIN),
		order(1000, "0001", "1000000000000500"),
		order(25, "0002", "200000000300"),
		order(50, "0002", "200000000300"),
	} {
		if _, err := svc.Submit(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	return svc, now
}

// The journal's sums are BuildReport's of the day's sales.
func TestDayReportIsBuildReportOfTheDay(t *testing.T) {
	t.Parallel()
	svc, now := dayRig(t)
	ctx := context.Background()
	sales, err := svc.Day(ctx, now)
	if err != nil || len(sales) != 6 {
		t.Fatalf("%d sales, %v", len(sales), err)
	}
	got, err := svc.DayReport(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := BuildReport(now, svc.Currency(), sales); !reflect.DeepEqual(got, want) {
		t.Fatalf("DayReport\n%+v\nBuildReport\n%+v", got, want)
	}
	if got.PartlyPaid != 1 || got.Unresolved != 1 || got.Total.Count != 4 {
		t.Fatalf("report %+v", got)
	}
	next, err := svc.DayReport(ctx, now.Add(time.Minute))
	if err != nil || next.Sales != 0 || len(next.Lines) != 0 {
		t.Fatalf("the next day: %+v, %v", next, err)
	}
}

// A window is a slice of the day newest first; EachOfDay is the day.
func TestDayWindowAndEachOfDayAreTheDay(t *testing.T) {
	t.Parallel()
	svc, now := dayRig(t)
	ctx := context.Background()
	sales, _ := svc.Day(ctx, now)
	w, err := svc.DayWindow(ctx, now, nil, 1, 3)
	if err != nil || w.Total != 6 || w.Offset != 1 || len(w.Sales) != 3 {
		t.Fatalf("window %+v, %v", w, err)
	}
	for i, s := range w.Sales {
		if want := sales[len(sales)-2-i]; !reflect.DeepEqual(s, want) {
			t.Fatalf("window row %d\n%+v\nwant\n%+v", i, s, want)
		}
	}
	if w, _ := svc.DayWindow(ctx, now, []Status{Declined}, 0, 10); w.Total != 1 || len(w.Sales) != 1 || w.Sales[0].Status != Declined {
		t.Fatalf("declined: %+v", w)
	}
	var each []Sale
	if err := svc.EachOfDay(ctx, now, func(s Sale) error { each = append(each, s); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(each, sales) {
		t.Fatalf("EachOfDay gave %d sales, Day %d", len(each), len(sales))
	}
}

// Submit writes two durable transactions (one fsync each): the pending
// row before the charge, the outcome after.
func TestSubmitIsTwoCommits(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	for _, o := range []Order{order(25, "0002", "200000000300"), order(1000, "0001", sandbox.InvalidPIN)} {
		before := r.svc.journal.Commits()
		if _, err := r.svc.Submit(ctx, o); err != nil {
			t.Fatal(err)
		}
		if n := r.svc.journal.Commits() - before; n != 2 {
			t.Fatalf("a sale committed %d transactions, want 2", n)
		}
	}
}
