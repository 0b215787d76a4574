package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// otherTill is a store server holding a sale made at till 5.
func otherTill(f *fakeTill) {
	f.storeSales = []pos.Sale{{Reference: "till-5-20261127093000000-abcdefghij", TerminalID: "till-5", Status: pos.Approved,
		Currency: f.cur, Requested: 12050, Charged: 12050, Fee: 181, VAT: 27, ProviderName: "1Voucher", PINLast4: "2943",
		KoraReference: "KPY-CA-other", CreatedAt: f.now().Add(-30 * time.Minute)}}
	f.sync = pos.SyncStatus{Enabled: true, State: pos.SyncInSync}
}

// A supervisor at any till finds a sale made at another, by PIN last 4 and
// amount or by reference, read-only.
func TestStoreLookupFromAnotherTill(t *testing.T) {
	t.Parallel()
	h := newHarness(t, otherTill)
	h.press("h")
	h.wantState(stateHistory)
	h.press("s")
	h.wantState(stateStore)
	h.want("Store lookup (read-only)")
	h.press("2943", "space", "120.50", "enter")
	h.want("PAID", "R 120.50", "*2943", "till-5")
	h.press("enter")
	h.want("Ref", "till-5-20261127093000000-abcdefghij", "Till", "till-5")
	if strings.Contains(h.screen(), "p print") || strings.Contains(h.screen(), "r check") {
		t.Fatalf("a sale of another till offers print or recheck:\n%s", h.screen())
	}
	h.press("esc", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
	h.press("1", "0", "enter")
	h.want("No such sale at this store.")
	// By reference: j and k are letters here, not ↓ and ↑.
	h.m.store.query = ""
	h.press("till-5-20261127093000000-abcdefghij", "enter")
	h.want("approved", "Till", "till-5")
	h.press("esc", "esc")
	h.wantState(stateHistory)
	h.press("esc")
	h.wantState(stateAmount)
}

// Without a store server there is no store lookup; a kiosk's customer
// never has one.
func TestStoreLookupNeedsAServerAndStaff(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.press("h", "s")
	h.wantState(stateHistory)
	k := newKiosk(t)
	otherTill(k.till)
	k.press("h", "s")
	k.wantState(stateAmount)
}

// The status bar says where shipping to the store server stands.
func TestSyncInTheStatusBar(t *testing.T) {
	t.Parallel()
	h := newHarness(t, otherTill)
	since := time.Date(2026, 11, 27, 10, 42, 0, 0, tillZone)
	for _, tc := range []struct {
		st     pos.SyncStatus
		wide   string
		narrow string
	}{
		{pos.SyncStatus{Enabled: true, State: pos.SyncInSync}, "sync ✓", "sync ✓"},
		{pos.SyncStatus{Enabled: true, State: pos.SyncWaiting, Waiting: 12}, "sync: 12 waiting", "12 to sync"},
		{pos.SyncStatus{Enabled: true, State: pos.SyncUnreachable, Since: since}, "store server unreachable since 10:42", "store off 10:42"},
		{pos.SyncStatus{Enabled: true, State: pos.SyncRefused, Since: since}, "store server refuses since 10:42", "store refuses"},
	} {
		h.m.Update(syncMsg(tc.st))
		for _, w := range []int{80, 40} {
			h.m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
			bar := strings.Split(h.screen(), "\n")[0]
			want := tc.wide
			if w < 60 {
				want = tc.narrow
			}
			if !strings.Contains(bar, want) || !strings.Contains(bar, "Demo Spaza") {
				t.Errorf("%d columns: status bar %q lacks %q", w, bar, want)
			}
		}
	}
	h.m.Update(syncMsg(pos.SyncStatus{}))
	if bar := strings.Split(h.screen(), "\n")[0]; strings.Contains(bar, "sync") {
		t.Fatalf("no store server, yet %q", bar)
	}
}
