// Package ui is the cashier's terminal: a Bubble Tea state machine for the
// sale, its screens, the history and help. It talks only to pos, through
// the Till interface it defines.
//
// Each screen is a file of its own (screen_*.go) holding its keys, view
// and bindings, registered in the screens table; help, the demo vouchers,
// the quit question, the slip preview and the supervisor's PIN prompt are
// overlays on a stack (overlay.go). Keys are key.Bindings, switched on and
// off in one place (keys.go), so that what a key does and what the help
// offers cannot disagree.
package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// state is the screen the till is on. Nothing depends on the order of the
// constants: what a state is lies in its predicates.
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
	stateSupervisorMenu
	stateStore
)

// typing: a screen where the sale is typed.
func (s state) typing() bool {
	switch s {
	case stateAmount, stateProvider, statePIN, statePhone, stateConfirm:
		return true
	}
	return false
}

// selling: a screen of the sale itself, typed or submitted; not a staff
// screen.
func (s state) selling() bool {
	switch s {
	case stateHistory, stateDetail, stateReport, stateSupervisorMenu, stateStore:
		return false
	}
	return true
}

// submitted: the sale is with Kora and its outcome not known yet.
func (s state) submitted() bool { return s == stateSubmitting || s == stateChecking }

// result: a screen with a sale's final outcome.
func (s state) result() bool { return s == stateApproved || s == stateDeclined }

// Options configure the till's screens.
type Options struct {
	// Mode is shown in the status bar; ModeDemo also shows the demo hints
	// and the demo-voucher panel.
	Mode Mode
	// Store names the store and terminal, and gives the phone region.
	Store Store
	// DemoVouchers are the panel's lines (PIN, provider, value, effect).
	DemoVouchers []string
	// ASCII uses plain glyphs (TERM=linux, ui.ascii).
	ASCII bool
	// ParkAfter is how long Checking waits before offering to park a sale.
	ParkAfter time.Duration
	// Grace ignores keys for this long after a result appears.
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
	tickMsg       time.Time
	syncMsg       pos.SyncStatus
	// noticeMsg is a command's failure that no screen waits for: it is
	// said in the notice line, never dropped.
	noticeMsg string
)

// entry is the sale being typed.
type entry struct {
	amountText  string
	amountFresh bool // back to correct it: what is typed replaces it
	amount      pos.Money
	provider    int
	pin         string
	phone       string
	phoneE164   string // set by Enter on the phone screen
	preview     string // the phone in E.164 while it is typed, once valid
	// returnToConfirm: the cashier came back from Confirm (or a decline)
	// to fix one field, and goes back there.
	returnToConfirm bool
	fieldErr        string
	retryRef        string // a sale that never reached Kora, sent again as is
}

// outcome is the submitted sale and what became of it.
type outcome struct {
	sale        pos.Sale
	failure     *decline // a failure of the till itself (journal), not Kora's
	submittedAt time.Time
	frame       int
	parkable    bool
	lastCheck   time.Time
	resultAt    time.Time
}

// history is what the staff screens show: a day's sales, one of them
// open, and the day's report.
type history struct {
	// shown is a window of the day's sales that the filter keeps, newest
	// first: the offset-th newest on, of total (read bool: read at all).
	shown   []pos.Sale
	offset  int
	total   int
	read    bool
	sel     int // among all total, 0: the newest
	err     string
	from    state // the selling screen History was opened from
	day     time.Time
	filter  filter
	detail  *pos.Sale // the sale opened from History
	slip    []string  // its slip, below the detail
	slipTop int
	report  pos.Report
	loading bool // a window of History is being read
	// reportLoading: the report of reportDay is being summed.
	reportLoading bool
	reportDay     time.Time
}

// printing is what became of the slips.
type printing struct {
	note         string
	printed      map[string]bool // references printed once: the next is a reprint
	lastApproved string          // the last approved sale, for a supervisor's reprint
}

// kioskSession is what a kiosk customer or supervisor has begun; a wipe
// ends it.
type kioskSession struct {
	stars      int
	starAt     time.Time
	supervisor bool // the supervisor PIN was given
}

// lockout counts wrong supervisor PINs; a wipe never resets it.
type lockout struct {
	fails, level int
	until        time.Time
}

// model is the whole till on screen.
type model struct {
	till  Till
	opts  Options
	keys  *keyMap
	st    *styles
	now   func() time.Time
	width int
	hgt   int

	state    state
	entry    entry
	out      outcome
	hist     history
	store    store
	print    printing
	session  kioskSession
	lock     lockout
	lastKey  time.Time // the last key pressed (kiosk idle timeout)
	overlays []overlay // the top is last

	ticking    bool
	unresolved int
	sync       pos.SyncStatus // shipping to the store server
	notice     string
}

func newModel(till Till, opts Options) *model {
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
	m := &model{
		// One clock for the till: the service's, so the screens and the
		// journal always agree on what day it is.
		till: till, opts: opts, keys: newKeyMap(), st: newStyles(opts.ASCII),
		now: till.Now, width: 80, hgt: 24, lastKey: till.Now(),
	}
	m.syncKeys()
	return m
}

func (m *model) demo() bool { return m.opts.Mode == ModeDemo }

// Init counts the unresolved sales; it sends nothing to Kora.
func (m *model) Init() tea.Cmd { return tea.Batch(m.countCmd(), m.syncCmd(), m.idleTick()) }

// syncCmd reads where shipping to the store server stands.
func (m *model) syncCmd() tea.Cmd {
	if !m.till.StoreEnabled() {
		return nil
	}
	till := m.till
	return func() tea.Msg { return syncMsg(till.SyncStatus()) }
}

func (m *model) countCmd() tea.Cmd {
	till := m.till
	return func() tea.Msg {
		n, err := till.Unresolved(context.Background())
		if err != nil {
			return noticeMsg("The journal could not be read: " + err.Error())
		}
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

// Update is the one place where the till moves between states; the keys
// then match what the new state honours.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.syncKeys()
	return m, cmd
}

func (m *model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.hgt = msg.Width, msg.Height
	case tickMsg:
		m.ticking = false
		return m.onTick()
	case submitDoneMsg:
		return tea.Batch(m.onResult(msg.sale, msg.err), m.countCmd())
	case saleUpdateMsg:
		return m.onUpdate(msg.sale)
	case changePINMsg:
		m.onChangePIN(msg)
	case unresolvedMsg:
		m.unresolved = int(msg)
	case syncMsg:
		m.sync = pos.SyncStatus(msg)
	case storeMsg:
		m.onStore(msg)
	case noticeMsg:
		m.notice = string(msg)
	case historyMsg:
		return m.onHistory(msg)
	case reportMsg:
		m.onReport(msg)
	case printDoneMsg:
		m.onPrinted(msg)
	case slipMsg:
		m.onSlip(msg)
	case idleTickMsg:
		m.checkIdle()
		return m.idleTick()
	case supervisorCheckMsg:
		m.onSupervisorCheck(bool(msg))
	case tea.PasteMsg:
		if !m.tooSmall() && len(m.overlays) == 0 {
			m.paste(msg.Content)
		}
	case tea.KeyPressMsg:
		return m.onKey(msg)
	}
	return nil
}

// onKey gives a key to the top of the overlay stack, or else to the
// screen: each is asked once.
func (m *model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.opts.Kiosk {
		m.lastKey = m.now()
		if lockedKey(msg) {
			return nil
		}
	}
	if m.tooSmall() {
		// Nothing on screen says what a key would do: none acts but
		// Ctrl+C, and that only when nothing would be lost.
		if m.keys.Quit.Enabled() && matches(msg, m.keys.Quit) && !m.underWay() {
			return tea.Quit
		}
		return nil
	}
	if o := m.top(); o != nil {
		return o.key(m, msg)
	}
	m.notice = ""
	if cmd, ok := m.sharedKey(msg); ok {
		return cmd
	}
	return screens[m.state].key(m, msg)
}

// sharedKey handles the keys every screen takes: Ctrl+C, help and the
// demo vouchers.
func (m *model) sharedKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	switch {
	case matches(msg, m.keys.Quit):
		if m.underWay() {
			m.push(&quitOverlay{})
			return nil, true
		}
		return tea.Quit, true
	case m.state == stateSubmitting:
		return nil, false // nothing else may act while Kora is asked
	case matches(msg, m.keys.Help):
		m.push(helpPanel())
		return nil, true
	case matches(msg, m.keys.Vouchers):
		m.push(vouchersPanel())
		return nil, true
	}
	return nil, false
}

// underWay: quitting now would lose something the cashier typed, or leave
// a submitted sale to the next start's reconciler.
func (m *model) underWay() bool {
	switch {
	case m.state.submitted():
		return true
	case m.state.typing():
		return m.typed()
	}
	return false
}

// typed: something of a customer's is on screen.
func (m *model) typed() bool {
	return m.entry.amountText != "" || m.entry.pin != "" || m.entry.phone != ""
}

// newSale starts a sale from nothing: a sale that is left keeps nothing
// for the next customer, its PIN, phone, provider and amount alike.
func (m *model) newSale() {
	m.entry.pin = "" // the PIN first, whatever follows
	m.entry = entry{}
	m.out = outcome{}
	m.print.note = ""
	m.dropOverlays()
	m.state = stateAmount
}

// onTick animates Submitting and Checking, and while the cashier waits on
// a sale asks Kora about it every few seconds.
func (m *model) onTick() tea.Cmd {
	if !m.state.submitted() {
		return nil
	}
	m.out.frame++
	var check tea.Cmd
	if m.state == stateChecking {
		if m.now().Sub(m.out.submittedAt) >= m.opts.ParkAfter {
			m.out.parkable = true
		}
		// The background reconciler backs off for the rest.
		if m.now().Sub(m.out.lastCheck) >= checkEvery {
			m.out.lastCheck = m.now()
			check = m.resolveCmd(m.out.sale.Reference)
		}
	}
	return tea.Batch(m.tick(), check)
}

// checkEvery is how often the Checking screen asks Kora about its sale.
const checkEvery = 3 * time.Second

func (m *model) resolveCmd(ref string) tea.Cmd {
	till := m.till
	return func() tea.Msg {
		s, err := till.Resolve(context.Background(), ref)
		if err != nil {
			return nil // still unknown: the screen asks again, the reconciler too
		}
		return saleUpdateMsg{s}
	}
}
