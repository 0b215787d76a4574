package ui

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"voucherpos/kora/sandbox"
	"voucherpos/pos"
	"voucherpos/pos/config"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// tillZone is the till's zone in every test, whatever TZ the tests run in:
// the test clock is in it, so the till shows and counts days in it.
var tillZone = time.FixedZone("SAST", 2*60*60)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type harness struct {
	t     *testing.T
	m     *model
	till  *fakeTill
	clock *clock
}

// newHarness is a till on the demo's store and providers, on the
// in-memory fake whose sales end as the sandbox's demo vouchers do, on a
// clock of its own: whatever the real date or zone.
func newHarness(t *testing.T, edit ...func(*fakeTill)) *harness {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, tillZone)}
	f := newFakeTill(c.now)
	for _, e := range edit {
		e(f)
	}
	m := newModel(f, Options{Mode: ModeDemo, Store: storeOf(config.Demo(func(string) string { return "" })),
		Tick: func() tea.Cmd { return nil }, DemoVouchers: []string{"1168 6480 9679 2943  1Voucher  R500: change voucher"}})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return &harness{t: t, m: m, till: f, clock: c}
}

// run executes a command and feeds its messages back, as the program does.
func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	default:
		if _, ok := msg.(tea.QuitMsg); ok {
			return
		}
		_, next := h.m.Update(msg)
		h.run(next)
	}
}

// namedKeys are the keys the tests name rather than type.
var namedKeys = map[string]tea.KeyPressMsg{
	"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "backspace": {Code: tea.KeyBackspace},
	"up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight},
	"ctrl+c": {Code: 'c', Mod: tea.ModCtrl}, "kpenter": {Code: tea.KeyKpEnter}, "kpplus": {Code: tea.KeyKpPlus},
	"kpminus": {Code: tea.KeyKpMinus}, "space": {Code: tea.KeySpace, Text: " "},
}

func keyMsg(k string) tea.KeyPressMsg {
	if msg, ok := namedKeys[k]; ok {
		return msg
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// press sends keys; a word of several letters is typed letter by letter.
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		if len(k) > 1 && !isNamed(k) {
			for _, r := range k {
				h.press(string(r))
			}
			continue
		}
		_, cmd := h.m.Update(keyMsg(k))
		h.run(cmd)
	}
}

func isNamed(k string) bool {
	_, ok := namedKeys[k]
	return ok
}

// screen is the plain text on screen.
func (h *harness) screen() string { return ansi.Strip(h.m.View().Content) }

func (h *harness) want(parts ...string) {
	h.t.Helper()
	s := h.screen()
	flat := strings.Join(strings.Fields(s), " ")
	for _, p := range parts {
		if !strings.Contains(s, p) && !strings.Contains(flat, strings.Join(strings.Fields(p), " ")) {
			h.t.Fatalf("screen lacks %q:\n%s", p, s)
		}
	}
}

func (h *harness) wantState(s state) {
	h.t.Helper()
	if h.m.state != s {
		h.t.Fatalf("state %d, want %d\n%s", h.m.state, s, h.screen())
	}
}

// sell types a whole sale up to the confirm screen.
func (h *harness) sell(amount, provider, pin, phone string) {
	h.t.Helper()
	h.press(amount, "enter", provider, pin, "enter", phone, "enter")
	h.wantState(stateConfirm)
}

// storeOf is what main hands the screens of a config's store.
func storeOf(cfg *config.Config) Store {
	return Store{Name: cfg.Store.Name, TerminalID: cfg.Store.TerminalID, Country: cfg.Store.Country}
}

// wantSupervisorPrompt: the kiosk asks for the supervisor's PIN.
func (h *harness) wantSupervisorPrompt() {
	h.t.Helper()
	if !topIs[*supervisorOverlay](h.m) {
		h.t.Fatalf("no supervisor prompt (state %d, overlay %T)\n%s", h.m.state, h.m.top(), h.screen())
	}
}

// pastGrace lets the result screen take keys.
func (h *harness) pastGrace() { h.clock.add(600 * time.Millisecond) }

func TestAmountScreen(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.press("enter")
	h.want("Type an amount.")
	h.wantState(stateAmount)
	h.press("1", "2", "3", "4", ".", "5", "6", "7", ",", ".")
	if h.m.entry.amountText != "1234.56" {
		t.Fatalf("typed %q: a third decimal or second point must be refused", h.m.entry.amountText)
	}
	h.want("R 1 234.56")
	h.press("backspace", "backspace", "backspace", "backspace")
	h.press("9999999")
	h.press("enter")
	h.want("The most this till takes is R 5 000.00")
	h.press("esc")
	if h.m.entry.amountText != "" {
		t.Fatal("esc must clear the amount")
	}
	h.press(".", "5", "enter")
	h.wantState(stateProvider)
	h.want("R 0.50")
}

func TestProviderScreen(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.press("10", "enter")
	h.press("down", "down", "up")
	if h.m.entry.provider != 1 {
		t.Fatalf("provider %d", h.m.entry.provider)
	}
	h.press("enter")
	h.wantState(statePIN)
	h.want("OTT voucher PIN", "0 of 12 digits")
	h.press("esc")
	h.wantState(stateProvider)
	h.press("9") // no ninth provider
	h.wantState(stateProvider)
	h.press("3")
	h.wantState(statePIN)
	h.want("blu voucher PIN")
	h.press("kpminus", "kpminus")
	h.wantState(stateAmount)
}

func TestSingleProviderIsSkipped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(f *fakeTill) { f.providers = f.providers[:1] })
	h.press("10", "enter")
	h.wantState(statePIN)
	h.press("esc")
	h.wantState(stateAmount)
}

func TestPINScreen(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.press("10", "enter", "1", "116864809679294")
	h.want("1168 6480 9679 294", "15 of 16 digits")
	h.press("enter")
	h.want("16 digits", "15")
	h.wantState(statePIN)
	h.press("3", "9") // the 17th digit is refused
	if h.m.entry.pin != sandbox.PINChange {
		t.Fatalf("pin %q", h.m.entry.pin)
	}
	h.press("backspace", "backspace", "backspace", "backspace")
	// A pasted PIN with spaces and dashes lands whole.
	h.m.Update(tea.PasteMsg{Content: "29-43"})
	if h.m.entry.pin != sandbox.PINChange {
		t.Fatalf("after paste %q", h.m.entry.pin)
	}
	h.press("enter")
	h.wantState(statePhone)
}

func TestPhoneScreen(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.press("10", "enter", "1", sandbox.PINChange, "enter")
	h.press("1", "2", "enter")
	h.wantState(statePhone)
	if h.m.entry.fieldErr == "" {
		t.Fatal("a two-digit phone number was accepted")
	}
	h.press("backspace", "backspace", "+", "27821234567")
	h.want("+27821234567")
	h.press("kpplus") // keypad + confirms once the number has begun
	h.wantState(stateConfirm)
	h.want("1 Amount    R 10.00", "2 Provider  1Voucher", "•••• •••• •••• 2943", "4 Phone     +27821234567")
	if strings.Contains(h.screen(), sandbox.PINChange) || strings.Contains(h.screen(), "1168 6480") {
		t.Fatal("the confirm screen shows the PIN")
	}
}

func TestConfirmJumpsToAFieldAndBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sell("10", "1", sandbox.PINChange, "0821234567")
	h.press("1")
	h.wantState(stateAmount)
	h.want("Type a new amount, or Enter to keep this one.")
	h.press("1", "0", "5", "enter") // what is typed replaces the amount
	h.wantState(stateConfirm)
	h.want("R 105.00")
	h.press("2", "2") // OTT: the 16-digit PIN no longer fits, and is cleared
	h.wantState(statePIN)
	h.want("OTT PINs have 12 digits")
	h.press("esc", "1", sandbox.PINChange, "enter")
	h.wantState(stateConfirm)
	h.press("4", "backspace", "8", "enter")
	h.wantState(stateConfirm)
	h.want("+27821234568")
	h.press("esc")
	h.wantState(statePhone)
}

func TestApprovedWithChangeVoucher(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sell("120.50", "1", sandbox.PINChange, "0821234567")
	h.press("enter")
	h.wantState(stateApproved)
	h.want("APPROVED  R 120.50", "R 379.50 left on voucher", "NEW VOUCHER PIN", "Give this to the customer — it is their money.", "Kora ref  KPY-CA-")
	if !regexp.MustCompile(`NEW VOUCHER PIN  \d{4} \d{4} \d{4} \d{4}`).MatchString(h.screen()) {
		t.Fatalf("no grouped change PIN:\n%s", h.screen())
	}
	// An extra Enter right away is ignored; after the grace it starts a new sale.
	h.press("enter")
	h.wantState(stateApproved)
	h.pastGrace()
	h.press("enter")
	h.wantState(stateAmount)
	if h.m.entry.pin != "" || h.m.entry.amountText != "" || h.m.entry.phone != "" {
		t.Fatal("a new sale keeps the last one's fields")
	}
}

func TestPartlyPaid(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sell("80", "2", sandbox.PINOTTPartly, "0821234567")
	h.press("enter")
	h.want("APPROVED  R 50.00", "PARTLY PAID: collect R 30.00 by other means")
}

// Every row of PRODUCT.md's decline table: the words, and where Enter goes
// with what is kept.
func TestEveryDeclineRow(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, amount, provider, pin string
		words                       []string
		next                        state
		pinCleared                  bool
	}{
		{"invalid pin", "10", "1", sandbox.InvalidPIN, []string{"That voucher PIN wasn't accepted. Check the digits and try again."}, statePIN, true},
		{"already used", "10", "1", sandbox.PINUsed, []string{"This voucher has already been redeemed."}, statePIN, true},
		{"insufficient", "20", "1", sandbox.PINLow, []string{"The voucher balance is lower than R 20.00. Try a smaller amount or another voucher."}, stateAmount, false},
		{"exceeds", "300", "1", sandbox.PINCapped, []string{"That amount is more than this voucher allows."}, stateAmount, false},
		{"not active", "10", "3", sandbox.PINInactive, []string{"blu vouchers aren't enabled for this store."}, stateProvider, false},
		{"not supported", "10", "4", sandbox.PINChange, []string{"Flash isn't supported. Choose another provider."}, stateProvider, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.sell(tc.amount, tc.provider, tc.pin, "0821234567")
			h.press("enter")
			h.wantState(stateDeclined)
			h.want(tc.words...)
			h.pastGrace()
			h.press("enter")
			h.wantState(tc.next)
			if (h.m.entry.pin == "") != tc.pinCleared {
				t.Fatalf("pin %q, cleared should be %v", h.m.entry.pin, tc.pinCleared)
			}
			if h.m.entry.amount == 0 || h.m.entry.phone == "" {
				t.Fatal("the fix lost what was typed")
			}
			// Fixing the one field returns to confirm.
			switch tc.next {
			case statePIN:
				h.press(sandbox.PINFull, "enter")
			case stateAmount:
				h.press("1", "enter") // replaces the amount
			case stateProvider:
				h.press("1")
				h.m.entry.pin = sandbox.PINFull
			}
			if h.m.state != stateConfirm {
				h.press("enter")
			}
			h.wantState(stateConfirm)
		})
	}
}

func TestUnauthorisedTill(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(f *fakeTill) { f.keyRefused = true })
	h.sell("10", "1", sandbox.PINChange, "0821234567")
	h.press("enter")
	// Kora's errors page: a 401 "does not indicate any error with your
	// request. Requery the transaction" — so the sale is held, never
	// declined by guess, and can be parked at once.
	h.wantState(stateChecking)
	h.want("Kora refused this till's key — the sale is held until it can be checked. Ask a supervisor.")
	if !h.m.out.sale.KeyRefused || h.m.out.sale.Status == pos.Declined {
		t.Fatalf("sale %+v", h.m.out.sale)
	}
	h.press("enter") // park and go on
	h.wantState(stateAmount)
	if strings.Contains(h.screen(), "sk_test_wrong") {
		t.Fatal("the key is on screen")
	}
}

func TestKoraUnreachableRetriesTheSameSale(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(f *fakeTill) { f.unreachable = true })
	h.sell("10", "1", sandbox.PINChange, "0821234567")
	h.press("enter")
	h.want("Can't reach Kora", "Can't reach Kora — nothing was charged. Check the network and try again.")
	ref := h.m.out.sale.Reference
	h.pastGrace()
	h.press("enter")
	h.wantState(stateConfirm)
	h.want("Sending again with the same reference.")
	if h.m.entry.retryRef != ref {
		t.Fatal("the retry does not re-use the reference")
	}
}

func TestOtherDeclinesShowKorasWordsNeverMarkup(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sell("10", "1", sandbox.PINChange, "0821234567")
	for msg, want := range map[string]string{
		"Voucher expired":                              "Voucher expired",
		`{"status":false,"message":"x"}`:               "Kora declined the payment.",
		"<html><body>502 Bad Gateway</body></html>":    "Kora declined the payment.",
		"kora: HTTP 418: unreadable response: (empty)": "Kora declined the payment.",
	} {
		h.m.onResult(pos.Sale{Status: pos.Declined, DeclineKind: pos.DeclineOther, DeclineMessage: msg, Currency: h.till.Currency()}, nil)
		h.want("Declined", want)
		if strings.Contains(h.screen(), "<html>") || strings.Contains(h.screen(), `"status"`) {
			t.Fatalf("markup on screen:\n%s", h.screen())
		}
	}
	h.pastGrace()
	h.press("enter")
	h.wantState(stateConfirm)
}

func TestCheckingResolvesAndCanPark(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sell("25", "1", sandbox.PINDropped, "0821234567") // charged, then the connection drops
	h.press("enter")
	h.wantState(stateChecking)
	h.want("Checking payment status", "Do not hand over goods.")
	// Keys do nothing yet: the outcome is open.
	h.press("enter", "1")
	h.wantState(stateChecking)
	s, err := h.till.Resolve(context.Background(), h.m.out.sale.Reference)
	if err != nil {
		t.Fatal(err)
	}
	_, cmd := h.m.Update(saleUpdateMsg{s})
	h.run(cmd)
	h.wantState(stateApproved)
	h.want("APPROVED  R 25.00")
	// The same sale heard of again (reconciler and screen both asked) is
	// not a "parked sale".
	_, cmd = h.m.Update(saleUpdateMsg{s})
	h.run(cmd)
	if strings.Contains(h.screen(), "Parked sale") {
		t.Fatal("the sale on screen was announced as parked")
	}

	// A second unknown sale, parked after the wait.
	h.pastGrace()
	h.press("enter")
	h.sell("25", "1", sandbox.PIN500, "0821234567")
	h.press("enter")
	h.wantState(stateChecking)
	h.clock.add(13 * time.Second)
	h.m.Update(tickMsg(h.clock.now()))
	h.want("Still unconfirmed — it will keep checking; see History.")
	h.press("enter")
	h.wantState(stateAmount)
	if h.m.unresolved != 1 {
		t.Fatalf("unresolved %d", h.m.unresolved)
	}
	h.want("1 unresolved")
	// When the parked sale resolves, the status bar says so.
	s, _ = h.till.Resolve(context.Background(), s.Reference)
	sales, _ := h.till.Day(context.Background(), h.clock.now())
	for _, x := range sales {
		if x.Status == pos.Unknown {
			s, _ = h.till.Resolve(context.Background(), x.Reference)
		}
	}
	_, cmd = h.m.Update(saleUpdateMsg{s})
	h.run(cmd)
	h.want("Parked sale R 25.00 is now APPROVED")
	if h.m.unresolved != 0 {
		t.Fatalf("unresolved %d after resolving", h.m.unresolved)
	}
}

func TestSubmittingIgnoresKeys(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sell("10", "1", sandbox.PINChange, "0821234567")
	h.m.state = stateSubmitting
	for _, k := range []string{"enter", "kpplus", "1", "esc", "backspace"} {
		h.press(k)
		h.wantState(stateSubmitting)
	}
}

func TestCtrlCAsksWhileASaleIsUnderWay(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if _, cmd := h.m.Update(keyMsg("ctrl+c")); cmd == nil {
		t.Fatal("ctrl+c on an empty till should quit")
	}
	h.press("5")
	_, cmd := h.m.Update(keyMsg("ctrl+c"))
	if cmd != nil || !topIs[*quitOverlay](h.m) {
		t.Fatal("ctrl+c with an amount typed must ask first")
	}
	h.want("Quit voucherpos?", "What has been typed will be lost.")
	h.press("n")
	h.wantState(stateAmount)
	if topIs[*quitOverlay](h.m) || h.m.entry.amountText != "5" {
		t.Fatal("n must go back with the amount kept")
	}
	h.m.state = stateChecking
	h.m.Update(keyMsg("ctrl+c"))
	h.want("It will be reconciled when voucherpos starts again.")
	if _, cmd := h.m.Update(keyMsg("y")); cmd == nil {
		t.Fatal("y must quit")
	}
}

func TestHelpAndVouchers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.press("?")
	h.want("Help", "keypad - goes back", "esc close")
	h.press("esc")
	h.press("d")
	h.want("Demo vouchers", "1168 6480 9679 2943")
	h.press("d")
	h.want("New sale")
}

func TestHistoryBadges(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sell("120.50", "1", sandbox.PINChange, "0821234567")
	h.press("enter")
	h.pastGrace()
	h.press("enter")
	h.sell("10", "1", sandbox.InvalidPIN, "0821234567")
	h.press("enter")
	h.pastGrace()
	h.press("h")
	h.wantState(stateHistory)
	h.want("Today's sales (2, all)", "DECLINE", "PAID", "*2943", "*1234")
	h.press("esc")
	h.wantState(stateAmount)
}

func TestTinyWindowAsksForMore(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.m.Update(tea.WindowSizeMsg{Width: 39, Height: 12})
	h.want("Please make this window at least 40×12")
}

// fixtureSales are the fixed sales of the golden screens and the View
// benchmarks: a change voucher and a partly paid OTT, at 09:41.
func fixtureSales(cur pos.Currency) (at time.Time, approved, partly pos.Sale) {
	expiry := time.Date(2029, 11, 27, 0, 0, 0, 0, time.UTC)
	at = time.Date(2026, 11, 27, 9, 41, 0, 0, tillZone)
	approved = pos.Sale{Reference: "demo-1-20261127100000000-abcdefghij", CreatedAt: at, ProviderName: "1Voucher", PINLast4: "2943", Status: pos.Approved, Currency: cur,
		Requested: 12050, Charged: 12050, Fee: 181, VAT: 27, KoraReference: "KPY-CA-qFNr4bXheKr6", VoucherSerial: "20250000000000160016",
		Balance: 37950, HasBalance: true, Expiry: expiry, HasChangePIN: true, ChangePIN: "4978912404790295"}
	partly = pos.Sale{CreatedAt: at.Add(7 * time.Minute), ProviderName: "OTT", PINLast4: "0050", Status: pos.Approved, Currency: cur, Requested: 8000, Charged: 5000, Fee: 75, VAT: 11,
		KoraReference: "KPY-CA-OTTxxxxxxxxx", Balance: 0, HasBalance: true}
	return at, approved, partly
}

// Golden screens at 80×24 and 40×12, from fixed sales so that they do not
// change from run to run. go test ./ui -update rewrites them.
func TestGoldenScreens(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cur := h.till.Currency()
	at, approved, partly := fixtureSales(cur)
	screens := map[string]func(m *model){
		"amount":   func(m *model) { m.entry.amountText = "1234.5" },
		"provider": func(m *model) { m.state, m.entry.amount = stateProvider, 12050 },
		"pin":      func(m *model) { m.state, m.entry.amount, m.entry.pin = statePIN, 12050, "11686480967" },
		"phone":    func(m *model) { m.state = statePhone; m.setPhone("082 123 4567") },
		"confirm": func(m *model) {
			m.state, m.entry.amount, m.entry.pin, m.entry.phoneE164 = stateConfirm, 12050, sandbox.PINChange, "+27821234567"
		},
		"submit": func(m *model) {
			m.state, m.entry.amount, m.out.submittedAt = stateSubmitting, 12050, m.now().Add(-2300*time.Millisecond)
		},
		"approved": func(m *model) { m.out.sale, m.state = approved, stateApproved },
		"partly":   func(m *model) { m.out.sale, m.state = partly, stateApproved },
		"declined": func(m *model) {
			m.out.sale, m.state = pos.Sale{Status: pos.Declined, DeclineKind: pos.DeclineInvalidPIN}, stateDeclined
		},
		"checking": func(m *model) {
			m.state, m.out.submittedAt, m.out.parkable, m.out.sale.Checks = stateChecking, m.now().Add(-14*time.Second), true, 4
		},
		"history":   func(m *model) { m.state, m.hist.shown, m.hist.day = stateHistory, []pos.Sale{approved, partly}, at },
		"help":      func(m *model) { m.push(helpPanel()) },
		"quit":      func(m *model) { m.entry.amountText = "5"; m.push(&quitOverlay{}) },
		"vouchers":  func(m *model) { m.push(vouchersPanel()) },
		"unresolve": func(m *model) { m.unresolved, m.notice = 2, "Parked sale R 25.00 is now APPROVED" },
		"detail": func(m *model) {
			m.state, m.hist.detail, m.print.note = stateDetail, &approved, "Slip printed (/var/spool/slips.txt)."
		},
		"report": func(m *model) {
			m.state, m.hist.day = stateReport, at
			m.hist.report = pos.BuildReport(at, cur, []pos.Sale{approved, partly})
		},
		"slip": func(m *model) {
			m.out.sale, m.state = approved, stateApproved
			m.push(&slipOverlay{lines: strings.Split(strings.TrimSpace(pos.BuildSlip(approved, pos.ReceiptInfo{StoreName: "Demo Spaza", Width: 32, ChangePIN: approved.ChangePIN}).Text()), "\n")})
		},
	}
	for name, set := range screens {
		for _, size := range [][2]int{{80, 24}, {40, 12}} {
			m := newModel(h.till, h.m.opts)
			m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
			m.hist.shown = nil
			set(m)
			m.syncKeys() // as Update does after every change
			got := ansi.Strip(m.View().Content)
			lines := strings.Split(got, "\n")
			if len(lines) != size[1] {
				t.Errorf("%s at %dx%d: %d lines", name, size[0], size[1], len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%s at %dx%d: line %d is %d wide", name, size[0], size[1], i, w)
				}
			}
			file := filepath.Join("testdata", name+"-"+itoa(size[0])+"x"+itoa(size[1])+".golden")
			if *update {
				os.MkdirAll("testdata", 0o755)
				os.WriteFile(file, []byte(got), 0o644)
				continue
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test ./ui -update)", err)
			}
			if string(want) != got {
				t.Errorf("%s differs from %s:\n%s", name, file, got)
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestPrintingFromTheTill(t *testing.T) {
	t.Parallel()
	const slips = "/var/spool/slips.txt"
	var printer *fakeTill
	h := newHarness(t, func(f *fakeTill) { f.printer, printer = slips, f })
	printed := func() []byte { return []byte(strings.Join(printer.printed, "")) }
	h.sell("120.50", "1", sandbox.PINChange, "0821234567")
	h.press("enter") // approved: the slip prints by itself
	h.want("APPROVED", "Slip printed ("+slips+").")
	b := printed()
	pin := pos.GroupPIN(h.m.out.sale.ChangePIN)
	if !strings.Contains(string(b), pin) || strings.Contains(string(b), "REPRINT") || strings.Contains(string(b), sandbox.PINChange) {
		t.Fatalf("slip:\n%s", b)
	}
	h.pastGrace()
	h.press("p") // a second print is a reprint
	b = printed()
	if strings.Count(string(b), "REPRINT") != 1 {
		t.Fatalf("reprint:\n%s", b)
	}
	h.press("v")
	h.want("Slip preview", "CHANGE VOUCHER", pin)
	h.press("down", "down", "down", "down", "down", "down", "down", "down")
	h.want("Keep this slip - it is money.", "Thank you")
	h.press("esc")
	h.want("NEW VOUCHER PIN")

	// From History: the detail view and a reprint.
	h.press("h", "enter")
	h.wantState(stateDetail)
	h.want("Ref", h.m.out.sale.Reference[:10], "Change voucher issued", "REPRINT")
	h.press("p")
	b = printed()
	if strings.Count(string(b), "REPRINT") != 2 {
		t.Fatalf("history reprint:\n%s", b)
	}
	h.press("esc")
	h.wantState(stateHistory)
}

func TestPrinterFailureIsSaidAndTheSaleStands(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(f *fakeTill) { f.printer, f.broken = "/dev/usb/lp9", true })
	h.sell("100", "1", sandbox.PINFull, "0821234567")
	h.press("enter")
	h.want("APPROVED", "The slip did not print: printer /dev/usb/lp9 is not connected. Press p to try again.")
	s, _ := h.till.Get(context.Background(), h.m.out.sale.Reference)
	if s.Status != pos.Approved {
		t.Fatalf("the sale became %s", s.Status)
	}
}

func TestHistoryFilterDaysAndReport(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, sale := range [][]string{{"120.50", "1", sandbox.PINChange}, {"10", "1", sandbox.InvalidPIN}, {"80", "2", sandbox.PINOTTPartly}} {
		h.sell(sale[0], sale[1], sale[2], "0821234567")
		h.press("enter")
		h.pastGrace()
		h.press("h", "esc") // seen in History, then a new sale
		h.wantState(stateAmount)
	}
	h.press("h")
	h.want("(3, all)")
	h.press("f")
	h.want("(2, approved)")
	h.press("f")
	h.want("(1, declined)", "DECLINE")
	h.press("f", "f")
	h.want("(3, all)")
	h.press("left")
	h.want("(0, all)", "No sales to show.")
	h.press("right")
	h.want("Today's sales (3, all)")
	h.press("z")
	h.wantState(stateReport)
	h.want("Z-report", "R 170.50 (2 approved)", "1 change, 1 partly paid")
	h.press("esc")
	h.wantState(stateAmount)
}

func newKiosk(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	hash, err := pos.HashSupervisorPIN("482913")
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(h.till, Options{Kiosk: true, Store: h.m.opts.Store, Tick: func() tea.Cmd { return nil },
		IdleTimeout: 90 * time.Second, SupervisorHash: hash})
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 12})
	h.m = m
	return h
}

func TestKioskKeysNeverLeave(t *testing.T) {
	t.Parallel()
	h := newKiosk(t)
	for _, state := range []func(){func() {}, func() { h.press("5") }, func() { h.press("enter", "1") }} {
		state()
		for _, k := range []tea.KeyPressMsg{keyMsg("ctrl+c"), {Code: 'z', Mod: tea.ModCtrl}, {Code: '\\', Mod: tea.ModCtrl}, keyMsg("q")} {
			if _, cmd := h.m.Update(k); cmd != nil {
				if _, quit := cmd().(tea.QuitMsg); quit {
					t.Fatalf("%v quit the kiosk", k)
				}
			}
			if topIs[*quitOverlay](h.m) {
				t.Fatalf("%v asked to quit", k)
			}
		}
	}
	// History, the report and the quit hint are not offered to customers.
	h.m.newSale()
	h.press("h", "z")
	h.wantState(stateAmount)
	if s := h.screen(); strings.Contains(s, "history") || strings.Contains(s, "quit") {
		t.Fatalf("staff keys offered:\n%s", s)
	}
	h.want("Pay with a voucher")
}

func TestKioskMasksThePIN(t *testing.T) {
	t.Parallel()
	h := newKiosk(t)
	h.press("10", "enter", "1", "11686480")
	h.want("Type your 1Voucher PIN", "•••• ••••")
	if strings.Contains(h.screen(), "1168") {
		t.Fatalf("PIN digits on a kiosk screen:\n%s", h.screen())
	}
}

func TestKioskSupervisorPINAndLockout(t *testing.T) {
	t.Parallel()
	h := newKiosk(t)
	h.press("*", "*")
	h.clock.add(4 * time.Second) // too slow: the sequence starts again
	h.press("*")
	h.wantState(stateAmount)
	h.press("*", "*")
	h.wantSupervisorPrompt()
	for i := 1; i <= 3; i++ {
		h.press("1111", "enter")
	}
	h.want("Locked. Try again in 30s.")
	h.press("482913", "enter") // the right PIN, but locked
	h.wantSupervisorPrompt()
	h.want("Locked. Try again in 30s.")
	h.clock.add(31 * time.Second)
	for i := 1; i <= 3; i++ {
		h.press("2222", "enter")
	}
	h.want("Locked. Try again in 1m0s.") // the second lockout is twice as long
	h.clock.add(61 * time.Second)
	h.press("482913", "enter")
	h.wantState(stateSupervisorMenu)
	h.want("Supervisor menu", "1  Exit voucherpos", "2  Today's sales", "3  Z-report", "4  Reprint")
	h.press("2")
	h.wantState(stateHistory)
	h.press("esc")
	h.wantState(stateSupervisorMenu)
	h.press("3")
	h.wantState(stateReport)
	h.press("esc")
	h.wantState(stateSupervisorMenu)
	if _, cmd := h.m.Update(keyMsg("1")); cmd == nil {
		t.Fatal("exit from the supervisor menu does nothing")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("1 does not exit")
	}
}

func TestKioskIdleReset(t *testing.T) {
	t.Parallel()
	h := newKiosk(t)
	tick := func() { h.m.Update(idleTickMsg(h.clock.now())) }
	// Nothing typed: nothing to clear.
	h.clock.add(10 * time.Minute)
	tick()
	h.wantState(stateAmount)
	// A half-typed sale is wiped after the idle timeout, not before.
	h.press("10", "enter", "1", "1168648096")
	h.clock.add(89 * time.Second)
	tick()
	h.wantState(statePIN)
	h.press("7") // a key restarts the wait
	h.clock.add(89 * time.Second)
	tick()
	h.wantState(statePIN)
	h.clock.add(2 * time.Second)
	tick()
	h.wantState(stateAmount)
	if h.m.entry.pin != "" || h.m.entry.amountText != "" || h.m.entry.amount != 0 {
		t.Fatalf("fields kept: pin %q amount %q", h.m.entry.pin, h.m.entry.amountText)
	}
	// A result screen returns to a new sale after the shorter delay.
	h.sell("10", "1", sandbox.InvalidPIN, "0821234567")
	h.press("enter")
	h.wantState(stateDeclined)
	h.want("That voucher PIN wasn't accepted.")
	h.clock.add(29 * time.Second)
	tick()
	h.wantState(stateDeclined)
	h.clock.add(2 * time.Second)
	tick()
	h.wantState(stateAmount)
	// The supervisor menu closes itself too.
	h.press("*", "*", "*", "482913", "enter")
	h.wantState(stateSupervisorMenu)
	h.clock.add(91 * time.Second)
	tick()
	h.wantState(stateAmount)
	if h.m.session.supervisor {
		t.Fatal("the supervisor stayed signed in")
	}
}

func TestKioskCustomerWords(t *testing.T) {
	t.Parallel()
	h := newKiosk(t)
	h.m.onResult(pos.Sale{Status: pos.Declined, DeclineKind: pos.DeclineUnauthorized, Currency: h.till.Currency()}, nil)
	h.want("This machine can't take vouchers right now.")
	if strings.Contains(h.screen(), "API key") {
		t.Fatal("staff words on a kiosk")
	}
}

func TestRetryWithoutAClearAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.m.onResult(pos.Sale{}, fmt.Errorf("%w: HTTP 502", pos.ErrNoAnswer))
	h.want("Kora didn't answer", "nothing new was charged")
	if strings.Contains(h.screen(), "could not be saved") {
		t.Fatal("a journal failure is claimed")
	}
}

func TestParkedChangeVoucherSaysReprint(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.m.Update(saleUpdateMsg{pos.Sale{Reference: "other", Status: pos.Approved, HasChangePIN: true, Requested: 2500, Currency: h.till.Currency()}})
	h.want("Parked sale R 25.00 is now APPROVED with a change voucher: reprint its slip from History (h)")
}
