// Package ui is the cashier's terminal: a Bubble Tea state machine for the
// sale, its screens, the history and help. It talks only to pos.
package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// state is where the sale stands on screen. Transitions live in Update.
type state int

const (
	stateAmount state = iota
	stateProvider
	statePIN
	statePhone
	stateConfirm
	stateSubmitting
	stateApproved
	stateDeclined
	stateChecking
	stateHistory
	stateDetail
	stateReport
	stateSupervisorPIN
	stateSupervisorMenu
)

// Options configure the till's screens.
type Options struct {
	// Demo shows the DEMO banner and the demo-voucher panel.
	Demo bool
	// DemoVouchers are the panel's lines (PIN, provider, value, effect).
	DemoVouchers []string
	// ASCII uses plain glyphs (TERM=linux, ui.ascii).
	ASCII bool
	// ParkAfter is how long Checking waits before offering to park a sale.
	ParkAfter time.Duration
	// Grace ignores Enter for this long after a result appears.
	Grace time.Duration
	// Tick schedules the next animation frame; nil means tea.Tick every
	// 100 ms (tests turn it off).
	Tick func() tea.Cmd
	// Kiosk: customer-facing words, the PIN masked, keys that leave the
	// program locked, staff screens behind the supervisor PIN.
	Kiosk bool
	// IdleTimeout clears a half-typed kiosk sale; ResultTimeout returns a
	// kiosk's result screen to a new sale.
	IdleTimeout, ResultTimeout time.Duration
	// SupervisorHash is kiosk.supervisor_pin_hash.
	SupervisorHash string
}

// Messages from commands.
type (
	submitDoneMsg struct {
		sale pos.Sale
		err  error
	}
	saleUpdateMsg struct{ sale pos.Sale }
	unresolvedMsg int
	historyMsg    struct {
		sales []pos.Sale
		err   error
	}
	tickMsg time.Time
)

// model is the whole till on screen.
type model struct {
	svc   *pos.Service
	opts  Options
	demo  bool
	keys  keyMap
	st    *styles
	now   func() time.Time
	width int
	hgt   int

	state           state
	returnToConfirm bool
	amountText      string
	amountFresh     bool // back to correct it: a digit replaces the amount
	amount          pos.Money
	provider        int
	pin             string
	phone           string
	phoneE164       string
	phoneMemo       phoneMemo // phoneAsTyped's last parse
	fieldErr        string

	retryRef    string   // a sale that never reached Kora, sent again as is
	sale        pos.Sale // the latest result
	failure     *decline // a failure of the till itself (journal), not Kora's
	submittedAt time.Time
	frame       int
	graceUntil  time.Time
	parkable    bool
	ticking     bool
	lastCheck   time.Time

	history    []pos.Sale // the day's sales, newest first, filtered
	histAll    []pos.Sale
	histSel    int
	histErr    string
	histFrom   state
	histDay    time.Time
	histFilter filter
	detail     *pos.Sale // the sale opened from History
	slipView   []string  // a slip preview on screen
	slipTop    int       // its first line shown
	report     pos.Report

	printNote string // what became of the last print
	printed   map[string]bool

	kiosk        bool
	lastKey      time.Time // the last key pressed (kiosk idle timeout)
	resultAt     time.Time // when the result screen appeared
	lastApproved string    // the last approved sale, for a supervisor's reprint
	stars        int
	starAt       time.Time
	supervisor   bool // the supervisor PIN was given
	supPIN       string
	supMsg       string
	supFails     int
	lockLevel    int
	lockUntil    time.Time

	unresolved   int
	notice       string
	showHelp     bool
	showVouchers bool
	panelTop     int // the first line of the help or voucher panel shown
	quitting     bool
}

func newModel(svc *pos.Service, opts Options) *model {
	if opts.ParkAfter == 0 {
		opts.ParkAfter = 12 * time.Second
	}
	if opts.Grace == 0 {
		opts.Grace = 500 * time.Millisecond
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = 90 * time.Second
	}
	if opts.ResultTimeout == 0 {
		opts.ResultTimeout = max(opts.IdleTimeout/3, 5*time.Second)
	}
	return &model{
		svc: svc, opts: opts, demo: opts.Demo, keys: newKeyMap(), st: newStyles(opts.ASCII),
		// One clock for the till: the service's, so the screens and the
		// journal always agree on what day it is.
		now: svc.Now, width: 80, hgt: 24, kiosk: opts.Kiosk, lastKey: svc.Now(),
	}
}

// Init counts the unresolved sales; it sends nothing to Kora.
func (m *model) Init() tea.Cmd { return tea.Batch(m.countCmd(), m.idleTick()) }

func (m *model) countCmd() tea.Cmd {
	svc := m.svc
	return func() tea.Msg {
		n, _ := svc.Unresolved(context.Background())
		return unresolvedMsg(n)
	}
}

func (m *model) tick() tea.Cmd {
	if m.ticking {
		return nil
	}
	m.ticking = true
	if m.opts.Tick != nil {
		return m.opts.Tick()
	}
	return tea.Tick(100*time.Millisecond, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update is the one place where the sale moves between states.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.hgt = msg.Width, msg.Height
	case tickMsg:
		m.ticking = false
		if m.state == stateSubmitting || m.state == stateChecking {
			m.frame++
			var check tea.Cmd
			if m.state == stateChecking {
				if m.now().Sub(m.submittedAt) >= m.opts.ParkAfter {
					m.parkable = true
				}
				// While the cashier waits on this sale, ask Kora every few
				// seconds; the background reconciler backs off for the rest.
				if m.now().Sub(m.lastCheck) >= checkEvery {
					m.lastCheck = m.now()
					check = m.resolveCmd(m.sale.Reference)
				}
			}
			return m, tea.Batch(m.tick(), check)
		}
	case submitDoneMsg:
		return m, tea.Batch(m.onResult(msg.sale, msg.err), m.countCmd())
	case saleUpdateMsg:
		return m, m.onUpdate(msg.sale)
	case unresolvedMsg:
		m.unresolved = int(msg)
	case historyMsg:
		m.onHistory(msg)
	case reportMsg:
		m.report, m.histErr = msg.report, ""
		if msg.err != nil {
			m.histErr = "The report could not be built: " + msg.err.Error()
		}
	case printDoneMsg:
		m.onPrinted(msg)
	case idleTickMsg:
		m.checkIdle()
		return m, m.idleTick()
	case supervisorCheckMsg:
		m.onSupervisorCheck(bool(msg))
	case slipMsg:
		m.slipView, m.slipTop = msg.lines, 0
		if msg.err != nil {
			m.slipView = []string{"The slip could not be built: " + msg.err.Error()}
		}
	case tea.PasteMsg:
		if !m.tooSmall() {
			m.paste(msg.Content)
		}
	case tea.KeyPressMsg:
		return m, m.onKey(keyName(msg))
	}
	return m, nil
}

// onResult moves to the screen for a submitted sale's outcome.
func (m *model) onResult(s pos.Sale, err error) tea.Cmd {
	m.failure = nil
	if err != nil {
		var fe *pos.FieldError
		if errors.As(err, &fe) {
			m.goField(fe.Field)
			m.fieldErr = m.fieldWords(fe)
			return nil
		}
		m.failure = &decline{"Sale not sent", "The sale could not be saved, so nothing was charged. " +
			"Try again; if it keeps happening, call a supervisor.", stateConfirm, false}
		if errors.Is(err, pos.ErrNoAnswer) {
			m.failure = &decline{"Kora didn't answer", "Kora couldn't say yet whether it has this sale — " +
				"nothing new was charged. Try again in a moment.", stateConfirm, false}
		}
		m.state = stateDeclined
		m.graceUntil = m.now().Add(m.opts.Grace)
		return nil
	}
	m.sale = s
	m.retryRef = ""
	m.resultAt = m.now()
	switch s.Status {
	case pos.Approved:
		m.state = stateApproved
		m.lastApproved = s.Reference
		m.printNote = ""
		if m.svc.HasPrinter() {
			m.graceUntil = m.now().Add(m.opts.Grace)
			return m.printCmd(s.Reference)
		}
	case pos.Declined:
		m.state = stateDeclined
		if s.DeclineKind == pos.DeclineNotSent {
			m.retryRef = s.Reference
		}
	default:
		m.state = stateChecking
		// A sale Kora's key refusal holds will not settle while the cashier
		// waits: it can be parked at once.
		m.parkable = s.KeyRefused
		m.lastCheck = m.now() // the reconciler has just been woken for it
		return m.tick()
	}
	m.graceUntil = m.now().Add(m.opts.Grace)
	return nil
}

// onUpdate hears of a sale that the reconciler resolved.
func (m *model) onUpdate(s pos.Sale) tea.Cmd {
	cmds := []tea.Cmd{m.countCmd()}
	if m.state == stateChecking && s.Reference == m.sale.Reference {
		if s.Final() {
			if s.HasChangePIN && s.ChangePIN == "" {
				s.ChangePIN, _ = m.svc.ChangePIN(context.Background(), s.Reference)
			}
			m.onResult(s, nil)
		} else {
			m.sale = s
			m.parkable = m.parkable || s.KeyRefused
		}
	} else if s.Final() && s.Reference != m.sale.Reference {
		m.notice = "Parked sale " + s.Currency.Format(s.Requested) + " is now " + strings.ToUpper(string(s.Status))
		if s.HasChangePIN {
			// Its new PIN was never on screen: the slip is how it reaches
			// the customer.
			m.notice += " with a change voucher: reprint its slip from History (h)"
		}
	}
	if m.state == stateHistory || m.state == stateDetail {
		cmds = append(cmds, m.historyCmd())
	}
	return tea.Batch(cmds...)
}

// underWay: quitting now would lose something the cashier typed, or leave
// a submitted sale to the next start's reconciler.
func (m *model) underWay() bool {
	switch m.state {
	case stateSubmitting, stateChecking:
		return true
	case stateAmount, stateProvider, statePIN, statePhone, stateConfirm:
		return m.amountText != "" || m.pin != "" || m.phone != ""
	}
	return false
}

func (m *model) matches(k string, b ...key.Binding) bool { return key.Matches(name(k), b...) }

func (m *model) onKey(k string) tea.Cmd {
	if m.kiosk {
		m.lastKey = m.now()
		if lockedKey(k) {
			return nil
		}
	}
	if m.tooSmall() {
		// Nothing on screen says what a key would do: none acts but
		// Ctrl+C, and that asks first when a sale is under way.
		if !m.matches(k, m.keys.Quit) {
			return nil
		}
		if m.underWay() {
			return nil
		}
		return tea.Quit
	}
	if m.quitting {
		switch {
		case m.matches(k, m.keys.Yes):
			return tea.Quit
		case m.matches(k, m.keys.No):
			m.quitting = false
		}
		return nil
	}
	if m.matches(k, m.keys.Quit) {
		if m.underWay() {
			m.quitting = true
			return nil
		}
		return tea.Quit
	}
	if (m.showHelp || m.showVouchers) && m.panelScrolls() && m.matches(k, m.keys.Up, m.keys.Down) {
		if m.matches(k, m.keys.Up) {
			m.scrollPanelBy(-1)
		} else {
			m.scrollPanelBy(1)
		}
		return nil
	}
	if m.showHelp {
		if m.matches(k, m.keys.CloseHelp) {
			m.showHelp = false
		}
		return nil
	}
	if m.matches(k, m.keys.Help) {
		m.showHelp, m.panelTop = true, 0
		return nil
	}
	if m.demo && m.matches(k, m.keys.Vouchers) && m.state < stateHistory {
		m.showVouchers, m.panelTop = !m.showVouchers, 0
		return nil
	}
	m.notice = ""
	// A result screen ignores keys for a moment: an extra Enter meant for
	// the last screen must not start the next sale.
	if m.now().Before(m.graceUntil) {
		return nil
	}
	switch m.state {
	case stateAmount:
		return m.keyAmount(k)
	case stateProvider:
		return m.keyProvider(k)
	case statePIN:
		return m.keyPIN(k)
	case statePhone:
		return m.keyPhone(k)
	case stateConfirm:
		return m.keyConfirm(k)
	case stateApproved:
		return m.keyApproved(k)
	case stateDeclined:
		if m.matches(k, m.keys.Next) {
			m.fixDecline()
			return nil
		}
		return m.staffKey(k)
	case stateChecking:
		if m.parkable && m.matches(k, m.keys.Park) {
			m.newSale()
			return m.countCmd()
		}
	case stateHistory:
		return m.keyHistory(k)
	case stateDetail:
		return m.keyDetail(k)
	case stateReport:
		return m.keyReport(k)
	case stateSupervisorPIN:
		return m.keySupervisorPIN(k)
	case stateSupervisorMenu:
		return m.keySupervisorMenu(k)
	}
	return nil
}

func isDigit(k string) bool { return len(k) == 1 && k[0] >= '0' && k[0] <= '9' }

func trimLast(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return string(r[:len(r)-1])
}

func (m *model) keyAmount(k string) tea.Cmd {
	cur := m.svc.Currency()
	switch {
	case m.amountFresh && (isDigit(k) || k == "." || k == ","):
		// Back to correct the amount: what is typed replaces it, so that
		// it never has to be emptied (an emptied amount is a sale left).
		m.amountText, m.amountFresh = "", false
		return m.keyAmount(k)
	case isDigit(k):
		whole, frac, hasSep := strings.Cut(m.amountText, ".")
		if (hasSep && len(frac) >= cur.Digits) || (!hasSep && len(whole) >= 9) {
			return nil
		}
		if m.amountText == "0" {
			m.amountText = ""
		}
		m.amountText += k
		m.fieldErr = ""
	case k == "." || k == ",":
		if cur.Digits > 0 && !strings.Contains(m.amountText, ".") {
			if m.amountText == "" {
				m.amountText = "0"
			}
			m.amountText += "."
		}
	case m.matches(k, m.keys.Delete):
		m.amountText, m.amountFresh = trimLast(m.amountText), false
		m.fieldErr = ""
		if m.amountText == "" {
			m.newSale() // the amount emptied: the sale is left
		}
	case m.matches(k, m.keys.Next):
		amt, err := m.svc.ParseAmount(m.amountText)
		if err != nil {
			m.fieldErr = m.fieldWords(err)
			return nil
		}
		m.amount, m.fieldErr = amt, ""
		switch {
		case m.returnToConfirm:
			m.toConfirm()
		case len(m.svc.Providers()) == 1:
			m.provider, m.state = 0, statePIN
		default:
			m.state = stateProvider
		}
	case m.matches(k, m.keys.Back):
		m.newSale() // Esc on the amount leaves the sale: nothing is kept
	case k == "*":
		m.star()
	default:
		return m.staffKey(k)
	}
	return nil
}

func (m *model) keyApproved(k string) tea.Cmd {
	switch {
	case m.slipView != nil && m.matches(k, m.keys.Back, m.keys.Preview):
		m.slipView = nil
	case m.slipView != nil && m.matches(k, m.keys.Up, m.keys.Down):
		m.scrollSlip(k)
	case m.matches(k, m.keys.NewSale):
		m.newSale()
	case m.matches(k, m.keys.Print):
		return m.printCmd(m.sale.Reference)
	case m.matches(k, m.keys.Preview):
		return m.previewCmd(m.sale.Reference)
	default:
		return m.staffKey(k)
	}
	return nil
}

// staffKey opens History or the report, unless a kiosk customer asks.
func (m *model) staffKey(k string) tea.Cmd {
	switch {
	case m.staffOnly():
	case m.matches(k, m.keys.History):
		return m.openHistory()
	case m.matches(k, m.keys.Report):
		return m.openReport()
	}
	return nil
}

func (m *model) keyProvider(k string) tea.Cmd {
	n := len(m.svc.Providers())
	switch {
	case isDigit(k) && k != "0" && int(k[0]-'0') <= n:
		m.provider = int(k[0] - '1')
		m.afterProvider()
	case m.matches(k, m.keys.Up):
		m.provider = (m.provider + n - 1) % n
	case m.matches(k, m.keys.Down):
		m.provider = (m.provider + 1) % n
	case m.matches(k, m.keys.Next):
		m.afterProvider()
	case m.matches(k, m.keys.Back):
		m.state = stateAmount
	}
	return nil
}

func (m *model) afterProvider() {
	m.fieldErr = ""
	// A PIN typed for another provider is checked against this one's
	// length: one too long for it is cleared, never cut to fit.
	if n := m.pinLength(); n > 0 && len(m.pin) > n {
		m.pin = ""
		m.fieldErr = fmt.Sprintf("%s PINs have %d digits: type the PIN again.", m.currentProvider().Name, n)
	}
	if m.returnToConfirm && m.pinFits() {
		m.toConfirm()
		return
	}
	m.state = statePIN
}

// fieldWords is what a field's error says on screen: at a kiosk, to the
// customer.
func (m *model) fieldWords(err error) string {
	if m.kiosk && errors.Is(err, pos.ErrPhoneEmpty) {
		return "Type your phone number, then Enter."
	}
	return err.Error()
}

// toConfirm goes to Confirm when every field of the sale is valid, else to
// the first field that is not (and back to Confirm from there).
func (m *model) toConfirm() {
	if f, ok := m.firstInvalid(); ok {
		m.goField(f)
		m.returnToConfirm = true
		return
	}
	m.state = stateConfirm
}

// firstInvalid is the first field of the sale that would not pass, in the
// order the screens ask for them.
func (m *model) firstInvalid() (pos.Field, bool) {
	if amt, err := m.svc.ParseAmount(m.amountText); err != nil || amt != m.amount {
		return pos.FieldAmount, true
	}
	if m.provider < 0 || m.provider >= len(m.svc.Providers()) {
		return pos.FieldProvider, true
	}
	if !m.pinFits() {
		return pos.FieldPIN, true
	}
	if e164, err := pos.NormalizePhone(m.phone, m.svc.Config().Store.Country); err != nil || e164 != m.phoneE164 {
		return pos.FieldPhone, true
	}
	return "", false
}

// pinFits: the PIN typed still suits the provider chosen.
func (m *model) pinFits() bool {
	_, err := pos.NormalizePIN(m.pin, m.currentProvider().PinLength)
	return err == nil
}

func (m *model) pinLength() int { return m.currentProvider().PinLength }

func (m *model) keyPIN(k string) tea.Cmd {
	limit := m.pinLength()
	if limit == 0 {
		limit = 32
	}
	switch {
	case isDigit(k):
		if len(m.pin) < limit {
			m.pin += k
			m.fieldErr = ""
		}
	case m.matches(k, m.keys.Delete):
		m.pin, m.fieldErr = trimLast(m.pin), ""
	case m.matches(k, m.keys.Next):
		pin, err := pos.NormalizePIN(m.pin, m.pinLength())
		if err != nil {
			m.fieldErr = m.fieldWords(err)
			return nil
		}
		m.pin, m.fieldErr = pin, ""
		if m.returnToConfirm {
			m.toConfirm()
		} else {
			m.state = statePhone
		}
	case m.matches(k, m.keys.Back):
		m.fieldErr = ""
		if len(m.svc.Providers()) == 1 {
			m.state = stateAmount
		} else {
			m.state = stateProvider
		}
	}
	return nil
}

func (m *model) keyPhone(k string) tea.Cmd {
	switch {
	case isDigit(k) || (k == "+" && m.phone == ""):
		if len(m.phone) < 20 {
			m.phone += k
			m.fieldErr = ""
		}
	case k == "space":
		if m.phone != "" && !strings.HasSuffix(m.phone, " ") && len(m.phone) < 20 {
			m.phone += " "
		}
	case m.matches(k, m.keys.Delete):
		m.phone, m.fieldErr = trimLast(m.phone), ""
	case m.matches(k, m.keys.Next):
		e164, err := pos.NormalizePhone(m.phone, m.svc.Config().Store.Country)
		if err != nil {
			m.fieldErr = m.fieldWords(err)
			return nil
		}
		m.phoneE164, m.fieldErr = e164, ""
		m.toConfirm()
	case m.matches(k, m.keys.Back):
		m.state, m.fieldErr = statePIN, ""
	}
	return nil
}

func (m *model) keyConfirm(k string) tea.Cmd {
	switch {
	case m.matches(k, m.keys.Submit):
		return m.submit()
	case m.matches(k, m.keys.Jump):
		field := map[string]pos.Field{"1": pos.FieldAmount, "2": pos.FieldProvider, "3": pos.FieldPIN, "4": pos.FieldPhone}[k]
		if field == pos.FieldProvider && len(m.svc.Providers()) == 1 {
			return nil
		}
		m.goField(field)
		m.returnToConfirm = true
	case m.matches(k, m.keys.Back):
		m.state, m.returnToConfirm = statePhone, false
	}
	return nil
}

// goField sends the cashier to one field of the sale.
func (m *model) goField(f pos.Field) {
	m.fieldErr = ""
	switch f {
	case pos.FieldAmount:
		m.state, m.amountFresh = stateAmount, true
	case pos.FieldProvider:
		m.state = stateProvider
	case pos.FieldPIN:
		m.state = statePIN
	case pos.FieldPhone, pos.FieldEmail:
		m.state = statePhone
	}
}

func (m *model) currentProvider() pos.Provider {
	ps := m.svc.Providers()
	if m.provider < 0 || m.provider >= len(ps) {
		return pos.Provider{}
	}
	return ps[m.provider]
}

// submit sends the sale. Keys that could start a second charge are
// ignored in Submitting, and a retry re-uses the reference.
func (m *model) submit() tea.Cmd {
	o := pos.Order{Amount: m.amount, ProviderCode: m.currentProvider().Code, PIN: m.pin, Phone: m.phone, Retry: m.retryRef}
	m.state, m.submittedAt, m.frame, m.returnToConfirm = stateSubmitting, m.now(), 0, false
	m.showVouchers = false
	svc := m.svc
	return tea.Batch(m.tick(), func() tea.Msg {
		s, err := svc.Submit(context.Background(), o)
		return submitDoneMsg{s, err}
	})
}

// fixDecline goes where the decline's fix is, keeping what was typed.
func (m *model) fixDecline() {
	d := m.failure
	if d == nil {
		dd := declineFor(m.sale, m.currentProvider().Name)
		d = &dd
	}
	if d.clearPIN {
		m.pin = ""
	}
	m.failure = nil
	if d.next == stateConfirm {
		m.toConfirm()
		return
	}
	m.state = d.next
	m.amountFresh = d.next == stateAmount
	m.returnToConfirm = true
}

// newSale clears every field, the PIN first, then the phone, provider
// and amount: a sale that is left keeps nothing for the next customer.
func (m *model) newSale() {
	m.pin = ""
	m.phone, m.phoneE164, m.phoneMemo = "", "", phoneMemo{}
	m.provider = 0
	m.amountText, m.amount, m.amountFresh = "", 0, false
	m.fieldErr, m.retryRef, m.failure, m.returnToConfirm = "", "", nil, false
	m.sale = pos.Sale{}
	m.slipView, m.printNote = nil, ""
	m.state = stateAmount
}

// checkEvery is how often the Checking screen asks Kora about its sale.
const checkEvery = 3 * time.Second

func (m *model) resolveCmd(ref string) tea.Cmd {
	svc := m.svc
	return func() tea.Msg {
		s, err := svc.Resolve(context.Background(), ref)
		if err != nil {
			return nil
		}
		return saleUpdateMsg{s}
	}
}

// paste takes a scanner's or clipboard's text into the field being typed,
// as text and never as keys: no letter in it opens a screen, no "+" moves
// on. A paste that is not valid as a whole is refused with a message and
// the field keeps what it had.
func (m *model) paste(text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	var ok bool
	switch m.state {
	case stateAmount:
		ok = m.pasteAmount(text)
	case statePIN:
		ok = m.pastePIN(text)
	case statePhone:
		ok = m.pastePhone(text)
	default:
		return // no field to type into
	}
	if !ok {
		m.fieldErr = pasteRefused(m.state, text)
	}
}

func (m *model) pasteAmount(text string) bool {
	cur := m.svc.Currency()
	v := strings.ReplaceAll(strings.ReplaceAll(text, " ", ""), ",", ".")
	if !m.amountFresh {
		v = m.amountText + v
	}
	if strings.HasPrefix(v, ".") {
		v = "0" + v
	}
	whole, frac, point := strings.Cut(v, ".")
	if whole == "" || len(whole) > 9 || !allDigits(whole) || !allDigits(frac) ||
		(point && (cur.Digits == 0 || len(frac) > cur.Digits)) {
		return false
	}
	if t := strings.TrimLeft(whole, "0"); t != whole {
		whole = t
		if whole == "" {
			whole = "0"
		}
		v, _, _ = strings.Cut(v, ".")
		v = whole
		if point {
			v += "." + frac
		}
	}
	m.amountText, m.fieldErr, m.amountFresh = v, "", false
	return true
}

func (m *model) pastePIN(text string) bool {
	digits := strings.NewReplacer(" ", "", "-", "").Replace(text)
	limit := m.pinLength()
	if limit == 0 {
		limit = 32
	}
	if !allDigits(digits) || len(m.pin)+len(digits) > limit {
		return false
	}
	m.pin, m.fieldErr = m.pin+digits, ""
	return true
}

func (m *model) pastePhone(text string) bool {
	v := strings.Join(strings.Fields(strings.NewReplacer("-", " ", "(", " ", ")", " ", ".", " ").Replace(text)), " ")
	v = m.phone + v
	rest := strings.TrimPrefix(v, "+")
	if len(v) > 20 || !allDigits(strings.ReplaceAll(rest, " ", "")) {
		return false
	}
	m.phone, m.fieldErr = v, ""
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// pasteRefused says why a paste was not taken, quoting it safely.
func pasteRefused(st state, text string) string {
	shown := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, text)
	if r := []rune(shown); len(r) > 20 {
		shown = string(r[:19]) + "…"
	}
	what := map[state]string{stateAmount: "an amount", statePIN: "a voucher PIN that fits", statePhone: "a phone number"}[st]
	return fmt.Sprintf("Pasted %q is not %s: nothing was taken.", shown, what)
}
