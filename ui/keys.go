package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// keyMap holds every binding once. A binding's keys include the numeric
// keypad's, so a cashier with a keypad alone can sell. Bindings are
// switched on and off in syncKeys alone: a disabled binding neither
// matches nor shows in help, so the two cannot disagree.
type keyMap struct {
	// Typing.
	Digit     key.Binding
	Point     key.Binding
	PhonePlus key.Binding
	Space     key.Binding
	Delete    key.Binding
	// Moving through the sale.
	Next    key.Binding
	Back    key.Binding
	Clear   key.Binding
	Up      key.Binding
	Down    key.Binding
	Pick    key.Binding
	Jump    key.Binding
	Submit  key.Binding
	NewSale key.Binding
	FixIt   key.Binding
	Park    key.Binding
	// Slips.
	Print   key.Binding
	Preview key.Binding
	// Staff screens.
	History   key.Binding
	Report    key.Binding
	Open      key.Binding
	Filter    key.Binding
	PrevDay   key.Binding
	NextDay   key.Binding
	Recheck   key.Binding
	Scroll    key.Binding
	StoreView key.Binding
	Text      key.Binding // a letter, digit or - _ . or space of a lookup
	// Overlays.
	Help          key.Binding
	CloseHelp     key.Binding
	Vouchers      key.Binding
	CloseVouchers key.Binding
	ScrollPanel   key.Binding
	Quit          key.Binding
	Yes           key.Binding
	No            key.Binding
	// Kiosk.
	Star        key.Binding // the supervisor sequence: never offered
	Locked      key.Binding // keys that could leave a kiosk: never act
	MenuExit    key.Binding
	MenuSales   key.Binding
	MenuReport  key.Binding
	MenuReprint key.Binding
}

// digitKeys are the digits: a keypad digit's name is its digit too.
// Bubble Tea names the keypad's other keys "enter" (Enter), "plus",
// "minus", "mul", "period" and "comma".
var digitKeys = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

func newKeyMap() *keyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	ks := func(keys ...string) []string { return keys }
	enter := ks("enter", "+", "plus")
	return &keyMap{
		Digit:     b(digitKeys, "0-9", "type"),
		Point:     b(ks(".", ",", "period", "comma"), ".", "decimal point"),
		PhonePlus: b(ks("+", "plus"), "+", "international"),
		Space:     b(ks("space"), "space", "a space between groups"),
		Delete:    b(ks("backspace"), "⌫", "delete"),

		Next:    b(ks("enter", "+", "plus", "tab"), "enter", "next"),
		Back:    b(ks("esc", "-", "minus", "shift+tab"), "esc/-", "back"),
		Clear:   b(ks("esc", "-", "minus"), "esc", "clear"),
		Up:      b(ks("up", "k"), "↑", "up"),
		Down:    b(ks("down", "j"), "↓", "down"),
		Pick:    b(digitKeys[1:10], "1-9", "pick"),
		Jump:    b(ks("1", "2", "3", "4"), "1-4", "change"),
		Submit:  b(enter, "enter/+", "charge"),
		NewSale: b(enter, "enter/+", "new sale"),
		FixIt:   b(enter, "enter", "fix it"),
		Park:    b(ks("enter", "+", "plus", "p"), "enter", "park & go on"),

		Print:   b(ks("p"), "p", "print slip"),
		Preview: b(ks("v"), "v", "view slip"),

		History:   b(ks("h"), "h", "history"),
		Report:    b(ks("z"), "z", "report"),
		Open:      b(ks("enter"), "enter", "details"),
		Filter:    b(ks("f"), "f", "filter"),
		PrevDay:   b(ks("left", "["), "←", "earlier"),
		NextDay:   b(ks("right", "]"), "→", "day after"),
		Recheck:   b(ks("r"), "r", "check now"),
		Scroll:    b(ks("up", "down", "k", "j"), "↑↓", "scroll slip"),
		StoreView: b(ks("s"), "s", "store lookup"),
		Text:      b(textKeys(), "a-z 0-9", "type"),

		Help:          b(ks("?"), "?", "help"),
		CloseHelp:     b(ks("?", "esc", "-", "minus", "enter"), "esc", "close"),
		Vouchers:      b(ks("d"), "d", "vouchers"),
		CloseVouchers: b(ks("d", "esc", "-", "minus", "enter"), "d/esc", "close"),
		ScrollPanel:   b(ks("up", "down", "k", "j"), "↑↓", "scroll"),
		Quit:          b(ks("ctrl+c"), "ctrl+c", "quit"),
		Yes:           b(ks("y", "enter", "+", "plus"), "y", "yes"),
		No:            b(ks("n", "esc", "-", "minus"), "n/esc", "no"),

		Star:        b(ks("*", "mul"), "*", "supervisor"),
		Locked:      b(ks("ctrl+c", "ctrl+z", "ctrl+\\", "ctrl+d", "q"), "", ""),
		MenuExit:    b(ks("1"), "1", "exit"),
		MenuSales:   b(ks("2"), "2", "sales"),
		MenuReport:  b(ks("3"), "3", "Z-report"),
		MenuReprint: b(ks("4"), "4", "reprint"),
	}
}

// textKeys are the characters a store lookup takes.
func textKeys() []string {
	var out []string
	for c := 'a'; c <= 'z'; c++ {
		out = append(out, string(c), strings.ToUpper(string(c)))
	}
	return append(append(out, digitKeys...), "-", "_", ".", "space")
}

// digits is the Digit binding, with what the digits type on this screen.
func (m *model) digits(what string) key.Binding {
	d := m.keys.Digit
	d.SetHelp("0-9", what)
	return d
}

// matches: the key press is one of the bindings' (enabled) keys.
func matches(msg tea.KeyPressMsg, b ...key.Binding) bool { return key.Matches(msg, b...) }

// digitOf is the digit a key press types: a main-row or keypad digit.
func digitOf(msg tea.KeyPressMsg) (byte, bool) {
	switch {
	case msg.Code >= tea.KeyKp0 && msg.Code <= tea.KeyKp9:
		return byte('0' + msg.Code - tea.KeyKp0), true
	case len(msg.Text) == 1 && msg.Text[0] >= '0' && msg.Text[0] <= '9':
		return msg.Text[0], true
	case msg.Text == "" && msg.Mod == 0 && msg.Code >= '0' && msg.Code <= '9':
		return byte(msg.Code), true
	}
	return 0, false
}

// lockedKey: a key that could leave a kiosk, whatever state it is in.
func lockedKey(msg tea.KeyPressMsg) bool { return matches(msg, keyLocked) }

var keyLocked = newKeyMap().Locked

// syncKeys switches each binding on or off for the state the till is in
// now. It runs after every Update: matching and help then read the same
// switches.
func (m *model) syncKeys() {
	k := m.keys
	kiosk := m.opts.Kiosk
	staff := !kiosk || m.session.supervisor
	k.History.SetEnabled(staff)
	k.Report.SetEnabled(staff)
	k.Quit.SetEnabled(!kiosk)
	k.Star.SetEnabled(kiosk)
	k.Vouchers.SetEnabled(m.demo() && m.state.selling())
	k.Park.SetEnabled(m.out.parkable)
	k.PhonePlus.SetEnabled(m.entry.phone == "")
	k.Point.SetEnabled(m.till.Currency().Digits > 0)

	// Pick names as many providers as there are.
	n := len(m.till.Providers())
	k.Pick.SetKeys(digitKeys[1 : 1+min(n, 9)]...)
	k.Pick.SetHelp("1-"+strconv.Itoa(min(n, 9)), "pick")
	if n == 1 {
		k.Pick.SetHelp("1", "pick")
	}
	// Jump skips the provider when there is only one.
	if n == 1 {
		k.Jump.SetKeys("1", "3", "4")
		k.Jump.SetHelp("1/3/4", "change")
	} else {
		k.Jump.SetKeys("1", "2", "3", "4")
		k.Jump.SetHelp("1-4", "change")
	}

	// Keys that would change nothing are off: Esc on an empty amount,
	// Backspace on an empty field, ↑ at the top of a list.
	k.Clear.SetEnabled(m.typed())
	k.Delete.SetEnabled(m.fieldText() != "")
	switch m.state {
	case stateHistory:
		k.Up.SetEnabled(m.hist.sel > 0)
		k.Down.SetEnabled(m.hist.sel < m.hist.count()-1)
	case stateStore:
		k.Up.SetEnabled(m.store.sel > 0)
		k.Down.SetEnabled(m.store.sel < len(m.store.found)-1)
	case stateProvider:
		k.Up.SetEnabled(n > 1)
		k.Down.SetEnabled(n > 1)
	default:
		k.Up.SetEnabled(true)
		k.Down.SetEnabled(true)
	}

	// Staff screens: what the sale or day on screen allows.
	k.Recheck.SetEnabled(m.recheckable() != "")
	k.NextDay.SetEnabled(m.hist.day.Before(startOfDay(m.now())))
	if k.NextDay.Enabled() {
		k.PrevDay.SetHelp("←/→", "day")
	} else {
		k.PrevDay.SetHelp("←", "earlier")
	}
	k.StoreView.SetEnabled(staff && m.till.StoreEnabled())
	if m.state == stateStore {
		k.Open.SetEnabled(m.store.sel < len(m.store.found))
	} else {
		k.Open.SetEnabled(m.hist.sel < m.hist.count())
	}
	k.Scroll.SetEnabled(m.slipScrolls())
	k.ScrollPanel.SetEnabled(m.panelScrolls())
}

// fieldText is what the field being typed holds.
func (m *model) fieldText() string {
	if s, ok := m.top().(*supervisorOverlay); ok {
		return s.pin
	}
	switch m.state {
	case stateAmount:
		return m.entry.amountText
	case statePIN:
		return m.entry.pin
	case statePhone:
		return m.entry.phone
	case stateStore:
		return m.store.query
	}
	return ""
}

// bar is what the help bar offers now: the top overlay's bindings, or the
// screen's followed by the keys every screen shares.
func (m *model) bar() []key.Binding {
	if o := m.helpTop(); o != nil {
		return enabled(o.bindings(m))
	}
	bar, _ := screens[m.state].bindings(m)
	return enabled(append(bar, m.shared()...))
}

// offered is every binding the screen (or top overlay) honours: the help
// bar's and those only the ? page lists.
func (m *model) offered() []key.Binding {
	if o := m.helpTop(); o != nil {
		return enabled(o.bindings(m))
	}
	bar, more := screens[m.state].bindings(m)
	return enabled(append(append(bar, more...), m.shared()...))
}

// shared are the keys every screen takes.
func (m *model) shared() []key.Binding {
	if m.state == stateSubmitting {
		return nil // nothing may act while Kora is asked
	}
	return []key.Binding{m.keys.Vouchers, m.keys.Help, m.keys.Quit}
}

func enabled(bs []key.Binding) []key.Binding {
	out := bs[:0:0]
	for _, b := range bs {
		if b.Enabled() && b.Help().Key != "" {
			out = append(out, b)
		}
	}
	return out
}
