package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"voucherpos/pos"
)

// History reads a window around the cursor, never the day: moving past
// the window reads the next one, and while a window is read the screen says
// Loading…, never a false zero or another day's rows.
func TestHistoryReadsAWindowAroundTheCursor(t *testing.T) {
	t.Parallel()
	n := 3*historyWindow + 7
	h := newHarness(t, func(f *fakeTill) {
		at := time.Date(2026, 11, 27, 0, 0, 0, 0, tillZone)
		for i := range n {
			f.sales = append(f.sales, pos.Sale{Reference: fmt.Sprintf("r%04d", i), CreatedAt: at.Add(time.Duration(i) * time.Second),
				Status: pos.Approved, Currency: f.cur, Requested: 100, Charged: 100, PINLast4: fmt.Sprintf("%04d", i), ProviderName: "OTT"})
		}
	})
	// The first screen: the newest sales, and the count of all of them.
	cmd := h.m.openHistory()
	h.want("Loading…")
	if strings.Contains(h.screen(), "(0") {
		t.Fatalf("a false zero while loading:\n%s", h.screen())
	}
	h.run(cmd)
	h.want(fmt.Sprintf("Today's sales (%d, all)", n), fmt.Sprintf("*%04d", n-1))
	if got := len(h.m.hist.shown); got > historyWindow {
		t.Fatalf("History holds %d sales, more than its window of %d", got, historyWindow)
	}
	// Down past the window: the next one is read, the cursor on its sale.
	for range historyWindow + 30 {
		h.press("down")
	}
	sel := h.m.hist.sel
	if sel != historyWindow+30 {
		t.Fatalf("cursor at %d", sel)
	}
	if s, ok := h.m.hist.row(sel); !ok || s.Reference != fmt.Sprintf("r%04d", n-1-sel) {
		t.Fatalf("row %d: %+v, %v (window %d+%d)", sel, s, ok, h.m.hist.offset, len(h.m.hist.shown))
	}
	h.want(fmt.Sprintf("*%04d", n-1-sel))
	if len(h.m.hist.shown) > historyWindow {
		t.Fatalf("History holds %d sales", len(h.m.hist.shown))
	}
	// Another day: Loading… until it is read, not this day's rows.
	_, cmd = h.m.Update(keyMsg("left"))
	h.want("Loading…")
	if strings.Contains(h.screen(), "*0") {
		t.Fatalf("the last day's rows while loading:\n%s", h.screen())
	}
	h.run(cmd)
	h.want("(0, all)", "No sales to show.")
	// The report while it is summed.
	_, cmd = h.m.Update(keyMsg("z"))
	h.want("Loading…")
	h.run(cmd)
	h.want("Z-report", "(0 approved)")
}
