// Package ui is the cashier's terminal: a Bubble Tea state machine for the
// sale, its screens, the history and help. It talks only to pos.
package ui

import (
	"context"
	"errors"
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
		m.paste(msg.Content)
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
			m.fieldErr = fe.Error()
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
		m.parkable = false
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
	if m.showHelp {
		if m.matches(k, m.keys.CloseHelp) {
			m.showHelp = false
		}
		return nil
	}
	if m.matches(k, m.keys.Help) {
		m.showHelp = true
		return nil
	}
	if m.demo && m.matches(k, m.keys.Vouchers) && m.state < stateHistory {
		m.showVouchers = !m.showVouchers
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
		m.amountText = trimLast(m.amountText)
		m.fieldErr = ""
	case m.matches(k, m.keys.Next):
		amt, err := m.svc.ParseAmount(m.amountText)
		if err != nil {
			m.fieldErr = err.Error()
			return nil
		}
		m.amount, m.fieldErr = amt, ""
		switch {
		case m.returnToConfirm:
			m.state = stateConfirm
		case len(m.svc.Providers()) == 1:
			m.provider, m.state = 0, statePIN
		default:
			m.state = stateProvider
		}
	case m.matches(k, m.keys.Back):
		m.amountText, m.fieldErr = "", ""
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
	if m.returnToConfirm && m.pinFits() {
		m.state = stateConfirm
		return
	}
	m.state = statePIN
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
			m.fieldErr = err.Error()
			return nil
		}
		m.pin, m.fieldErr = pin, ""
		if m.returnToConfirm {
			m.state = stateConfirm
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
			m.fieldErr = err.Error()
			return nil
		}
		m.phoneE164, m.fieldErr, m.state = e164, "", stateConfirm
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
		m.state = stateAmount
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
	m.state = d.next
	m.returnToConfirm = d.next != stateConfirm
}

// newSale clears every field, the PIN first.
func (m *model) newSale() {
	m.pin = ""
	m.amountText, m.amount, m.phone, m.phoneE164, m.provider = "", 0, "", "", 0
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

// paste takes a scanner's or clipboard's text into the field being typed.
func (m *model) paste(text string) {
	switch m.state {
	case stateAmount:
		for _, r := range text {
			m.keyAmount(string(r))
		}
	case statePIN:
		for _, r := range text {
			if r >= '0' && r <= '9' {
				m.keyPIN(string(r))
			}
		}
	case statePhone:
		for _, r := range strings.TrimSpace(text) {
			switch {
			case r == ' ':
				m.keyPhone("space")
			case (r == '+' && m.phone == "") || (r >= '0' && r <= '9'):
				m.keyPhone(string(r))
			}
		}
	}
}
