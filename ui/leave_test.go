package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"voucherpos/kora/sandbox"
	"voucherpos/pos"
)

// The defects of issue 11 that a cashier or a customer can reach from the
// keyboard, each as it was found.

// wantEmpty fails when anything of a customer's sale is still held.
func (h *harness) wantEmpty() {
	h.t.Helper()
	m := h.m
	if m.entry.pin != "" || m.entry.phone != "" || m.entry.phoneE164 != "" || m.entry.preview != "" || m.entry.provider != 0 ||
		m.entry.amountText != "" || m.entry.amount != 0 || m.entry.returnToConfirm {
		h.t.Fatalf("a left sale kept something: pin %q phone %q/%q provider %d amount %q/%d returnToConfirm %v",
			m.entry.pin, m.entry.phone, m.entry.phoneE164, m.entry.provider, m.entry.amountText, m.entry.amount, m.entry.returnToConfirm)
	}
}

// Esc until the amount screen is empty leaves the sale: the next customer
// picks the same provider and finds an empty PIN, never the last one's.
func TestALeftSaleKeepsNothing(t *testing.T) {
	t.Parallel()
	for _, kiosk := range []bool{false, true} {
		h := newHarness(t)
		if kiosk {
			h = newKiosk(t)
		}
		h.sell("100", "1", sandbox.PINChange, "0821234567")
		h.press("esc", "esc", "esc", "esc")
		h.wantState(stateAmount)
		h.press("esc") // the amount emptied
		h.wantState(stateAmount)
		h.wantEmpty()
		h.press("50", "enter", "1")
		h.wantState(statePIN)
		if h.m.entry.pin != "" || strings.Contains(h.screen(), "16 of 16") {
			t.Fatalf("kiosk=%v: the next customer's PIN screen holds %q", kiosk, h.m.entry.pin)
		}
		h.press("enter", "enter")
		if h.m.state == stateSubmitting || h.m.state == stateConfirm {
			t.Fatalf("kiosk=%v: two Enters reached %d", kiosk, h.m.state)
		}
		// Backspacing the amount away is leaving it too.
		h.m.newSale()
		h.sell("7", "1", sandbox.PINChange, "0821234567")
		h.press("esc", "esc", "esc", "esc", "backspace")
		h.wantEmpty()
	}
}

// The supervisor's menu is a sale left as well.
func TestSupervisorMenuWipesTheSale(t *testing.T) {
	t.Parallel()
	h := newKiosk(t)
	h.sell("100", "1", sandbox.PINChange, "0821234567")
	h.press("1") // back to the amount to correct it
	h.wantState(stateAmount)
	h.press("*", "*", "*")
	h.wantSupervisorPrompt()
	h.wantEmpty()
}

// Choosing another provider checks the PIN against its length: one too
// long is cleared with a word, never shown as "16 of 12 digits".
func TestProviderChangeRechecksThePIN(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.press("10", "enter", "1", sandbox.PINChange)
	h.press("esc") // back to the provider
	h.wantState(stateProvider)
	h.press("2") // OTT: 12 digits
	h.wantState(statePIN)
	if h.m.entry.pin != "" {
		t.Fatalf("the 16-digit PIN was kept for OTT: %q", h.m.entry.pin)
	}
	h.want("OTT PINs have 12 digits: type the PIN again.", "0 of 12 digits")
	h.press(sandbox.PINOTT)
	h.want("12 of 12 digits")
}

// Below the smallest size no key acts (the cashier cannot see what it
// would do), the message fits the window, and Ctrl+C still quits when
// nothing is typed, never in a kiosk.
func TestTinyWindowTakesNoKeys(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sell("10", "1", sandbox.PINChange, "0821234567")
	h.m.Update(tea.WindowSizeMsg{Width: 30, Height: 8})
	for _, k := range []string{"enter", "kpplus", "esc", "1", "h", "?", "d"} {
		h.press(k)
		h.wantState(stateConfirm)
	}
	if h.m.top() != nil {
		t.Fatal("a panel opened in a window too small to show it")
	}
	h.m.Update(tea.PasteMsg{Content: "5"})
	lines := strings.Split(ansi.Strip(h.m.View().Content), "\n")
	if len(lines) > 8 {
		t.Fatalf("%d lines in an 8-line window", len(lines))
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 30 {
			t.Fatalf("line %q is wider than 30", l)
		}
	}
	if got := strings.Join(lines, " "); !strings.Contains(got, "at least 40×12") || !strings.Contains(got, "30×8") {
		t.Fatalf("the message does not fit: %q", got)
	}
	// A sale is typed: Ctrl+C does not throw it away unseen.
	if _, cmd := h.m.Update(keyMsg("ctrl+c")); cmd != nil {
		t.Fatal("ctrl+c quit a typed sale in a tiny window")
	}
	h.m.newSale()
	if _, cmd := h.m.Update(keyMsg("ctrl+c")); cmd == nil {
		t.Fatal("ctrl+c does not quit an empty till in a tiny window")
	}
	k := newKiosk(t)
	k.m.Update(tea.WindowSizeMsg{Width: 20, Height: 5})
	if _, cmd := k.m.Update(keyMsg("ctrl+c")); cmd != nil {
		t.Fatal("ctrl+c acts on a kiosk")
	}
}

// After a decline, going back past the fix and pressing Enter on the
// amount never reaches Confirm with a field missing.
func TestConfirmOnlyWhenEveryFieldIsValid(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sell("10", "1", sandbox.InvalidPIN, "0821234567")
	h.press("enter")
	h.wantState(stateDeclined)
	h.pastGrace()
	h.press("enter") // to the PIN, cleared
	h.wantState(statePIN)
	h.press("esc", "esc")
	h.wantState(stateAmount)
	h.press("enter")
	if h.m.state == stateConfirm {
		t.Fatalf("Confirm with PIN %q", h.m.entry.pin)
	}
	h.wantState(statePIN)
	h.press(sandbox.PINChange, "enter")
	h.wantState(stateConfirm)
}

// A paste is text for the field, never keys; what is not valid as a whole
// is refused with a message and changes nothing.
func TestPasteIsTypedNeverCommands(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	paste := func(s string) { h.t.Helper(); _, cmd := h.m.Update(tea.PasteMsg{Content: s}); h.run(cmd) }
	for _, bad := range []string{"5h", "100+", "1e5", "1.2.3", "-5", "12.345", "?", "R 10"} {
		paste(bad)
		h.wantState(stateAmount)
		if h.m.entry.amountText != "" || h.m.top() != nil {
			t.Fatalf("paste %q made amount %q (overlay %T)", bad, h.m.entry.amountText, h.m.top())
		}
		h.want("is not an amount: nothing was taken.")
	}
	paste("1 234,50")
	if h.m.entry.amountText != "1234.50" {
		t.Fatalf("paste 1 234,50 → %q", h.m.entry.amountText)
	}
	h.press("enter")
	h.wantState(stateProvider)
	paste("2") // no field on the provider list: nothing happens
	h.wantState(stateProvider)
	h.press("1")
	paste("1168 6480-9679h2943")
	if h.m.entry.pin != "" {
		t.Fatalf("a PIN with a letter was taken: %q", h.m.entry.pin)
	}
	paste("1168 6480 9679 2943 1") // one digit too many
	if h.m.entry.pin != "" {
		t.Fatalf("a 17-digit PIN was taken: %q", h.m.entry.pin)
	}
	paste("1168 6480 9679 2943")
	if h.m.entry.pin != sandbox.PINChange {
		t.Fatalf("pin %q", h.m.entry.pin)
	}
	h.wantState(statePIN)
	h.press("enter")
	paste("+27 (82) 123-4567")
	if h.m.entry.phone != "+27 82 123 4567" {
		t.Fatalf("phone %q", h.m.entry.phone)
	}
	h.wantState(statePhone)
	paste("x\x1b[2J")
	h.want("nothing was taken")
	if strings.Contains(h.m.entry.fieldErr, "\x1b") {
		t.Fatal("an escape sequence from a paste reached the screen")
	}
}

// Counts read as English.
func TestPluralsOnScreen(t *testing.T) {
	t.Parallel()
	h := newKiosk(t)
	h.press("*", "*", "*", "1111", "enter")
	h.want("Wrong PIN. 2 tries left.")
	h.press("1111", "enter")
	h.want("Wrong PIN. 1 try left.")
}

// At 40×12 the help and the demo vouchers scroll: every line can be read.
func TestPanelsScrollInASmallWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.m.opts.DemoVouchers = []string{"a 1", "b 2", "c 3", "d 4", "e 5", "f 6", "g 7", "h 8", "i 9", "j 10", "k 11", "l 12"}
	h.m.Update(tea.WindowSizeMsg{Width: 40, Height: 12})
	for _, open := range []string{"?", "d"} {
		last := map[string]string{"?": "never charged twice", "d": "l 12"}[open]
		h.press(open)
		h.want("↑↓ scroll")
		if strings.Contains(h.screen(), last) {
			t.Fatalf("%s: the last line shows before scrolling", open)
		}
		for range 20 {
			h.press("down")
		}
		h.want(last, "more above")
		h.press("esc")
		if open == "d" {
			h.press("d")
		}
		h.wantState(stateAmount)
	}
}

// The kiosk's phone screen speaks to the customer.
func TestKioskPhoneWords(t *testing.T) {
	t.Parallel()
	h := newKiosk(t)
	h.press("10", "enter", "1", sandbox.PINChange, "enter")
	h.wantState(statePhone)
	h.want("Your phone number", "Type your number")
	h.press("enter")
	h.want("Type your phone number, then Enter.")
	if strings.Contains(h.screen(), "customer") {
		t.Fatalf("cashier's words on a kiosk:\n%s", h.screen())
	}
}

// The amount's help bar offers Esc at 80 and at 40 columns, once there is
// something to clear.
func TestAmountHelpShowsEsc(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.press("5")
	for _, w := range []int{80, 40} {
		h.m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		lines := strings.Split(h.screen(), "\n")
		if bar := lines[len(lines)-1]; !strings.Contains(bar, "esc clear") {
			t.Fatalf("%d columns: help bar %q", w, bar)
		}
	}
}

// "Reprint the last slip" with no sale yet says so.
func TestSupervisorReprintWithNoSale(t *testing.T) {
	t.Parallel()
	h := newKiosk(t)
	h.press("*", "*", "*", "482913", "enter")
	h.wantState(stateSupervisorMenu)
	h.press("4")
	h.want("No sale has been approved since the till started.")
}

// Demo results say they are not payments.
func TestDemoResultsSayNotAPayment(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sell("10", "1", sandbox.PINChange, "0821234567")
	h.press("enter")
	h.wantState(stateApproved)
	h.want("DEMO — NOT A PAYMENT")
	h.pastGrace()
	h.press("v")
	h.want("DEMO - NOT A PAYMENT") // on the slip itself
}

// A status Kora's table does not know is shown in Kora's word; a fee Kora
// did not send is "—", never R 0.00.
func TestKorasOwnStatusAndAnUnknownFee(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cur := h.till.Currency()
	h.m.onResult(pos.Sale{Reference: "r1", Status: pos.Unknown, KoraStatus: "on_hold", Currency: cur, Requested: 1000}, nil)
	h.wantState(stateChecking)
	h.want("Kora says: on_hold", "Checking payment status")
	h.m.onResult(pos.Sale{Reference: "r2", Status: pos.Approved, Currency: cur, Requested: 1000, Charged: 1000, FeeUnknown: true, VAT: 15}, nil)
	h.wantState(stateApproved)
	h.want("Fee       —  VAT R 0.15")
	if strings.Contains(h.screen(), "R 0.00") {
		t.Fatalf("an unknown fee shown as zero:\n%s", h.screen())
	}
}
