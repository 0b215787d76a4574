package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// keyName turns a key press into the name the bindings use, folding the
// numeric keypad onto the main keys: a cashier with a keypad alone can sell.
func keyName(msg tea.KeyPressMsg) string {
	switch msg.Code {
	case tea.KeyKpEnter:
		return "enter"
	case tea.KeyKpPlus:
		return "+"
	case tea.KeyKpMinus:
		return "-"
	case tea.KeyKpDecimal, tea.KeyKpComma:
		return "."
	case tea.KeyKpMultiply:
		return "*"
	case tea.KeyKp0, tea.KeyKp1, tea.KeyKp2, tea.KeyKp3, tea.KeyKp4,
		tea.KeyKp5, tea.KeyKp6, tea.KeyKp7, tea.KeyKp8, tea.KeyKp9:
		return string('0' + (msg.Code - tea.KeyKp0))
	}
	return msg.String()
}

// name is a key's name as a fmt.Stringer, for key.Matches.
type name string

func (n name) String() string { return string(n) }

// keyMap holds every binding once; each screen shows the ones it honours,
// so the help bar can never offer a key that does nothing.
type keyMap struct {
	Next        key.Binding
	Back        key.Binding
	Delete      key.Binding
	Up          key.Binding
	Down        key.Binding
	Pick        key.Binding
	Jump        key.Binding
	Submit      key.Binding
	NewSale     key.Binding
	Park        key.Binding
	History     key.Binding
	Print       key.Binding
	Preview     key.Binding
	Filter      key.Binding
	PrevDay     key.Binding
	NextDay     key.Binding
	Open        key.Binding
	Report      key.Binding
	Scroll      key.Binding
	ScrollPanel key.Binding
	Recheck     key.Binding
	Vouchers    key.Binding
	Help        key.Binding
	Quit        key.Binding
	Yes         key.Binding
	No          key.Binding
	CloseHelp   key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Next:        key.NewBinding(key.WithKeys("enter", "+", "tab"), key.WithHelp("enter", "next")),
		Back:        key.NewBinding(key.WithKeys("esc", "-", "shift+tab"), key.WithHelp("esc/-", "back")),
		Delete:      key.NewBinding(key.WithKeys("backspace"), key.WithHelp("⌫", "delete")),
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓", "down")),
		Pick:        key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "pick")),
		Jump:        key.NewBinding(key.WithKeys("1", "2", "3", "4"), key.WithHelp("1-4", "change")),
		Submit:      key.NewBinding(key.WithKeys("enter", "+"), key.WithHelp("enter/+", "charge")),
		NewSale:     key.NewBinding(key.WithKeys("enter", "+"), key.WithHelp("enter/+", "new sale")),
		Park:        key.NewBinding(key.WithKeys("enter", "+", "p"), key.WithHelp("enter", "park & go on")),
		History:     key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "history")),
		Print:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "print slip")),
		Preview:     key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "view slip")),
		Filter:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "filter")),
		PrevDay:     key.NewBinding(key.WithKeys("left", "["), key.WithHelp("←/→", "day")),
		NextDay:     key.NewBinding(key.WithKeys("right", "]"), key.WithHelp("→", "next day")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Report:      key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "report")),
		Scroll:      key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "scroll slip")),
		ScrollPanel: key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", "scroll")),
		Recheck:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "check now")),
		Vouchers:    key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "vouchers")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Yes:         key.NewBinding(key.WithKeys("y", "enter", "+"), key.WithHelp("y", "yes")),
		No:          key.NewBinding(key.WithKeys("n", "esc", "-"), key.WithHelp("n/esc", "no")),
		CloseHelp:   key.NewBinding(key.WithKeys("?", "esc", "-", "enter"), key.WithHelp("esc", "close")),
	}
}

// help lists the bindings a state honours, in the order the help bar shows.
func (m *model) help() []key.Binding {
	k := m.keys
	var b []key.Binding
	switch {
	case m.quitting:
		return []key.Binding{k.Yes, k.No}
	case m.showHelp:
		if m.panelScrolls() {
			return []key.Binding{k.CloseHelp, k.ScrollPanel}
		}
		return []key.Binding{k.CloseHelp}
	}
	switch m.state {
	case stateAmount:
		clear := k.Back
		clear.SetHelp("esc", "clear")
		// Backspace is left to the ? page: the bar keeps room for Esc.
		b = []key.Binding{k.Next, clear, k.History, k.Report}
	case stateProvider:
		b = []key.Binding{k.Next, k.Back, k.Pick, k.Up, k.Down}
	case statePIN, statePhone:
		b = []key.Binding{k.Next, k.Back, k.Delete}
	case stateConfirm:
		b = []key.Binding{k.Submit, k.Back, k.Jump}
	case stateSubmitting:
		return nil
	case stateApproved:
		if m.slipView != nil {
			return []key.Binding{k.Back, k.Print, k.Scroll, k.Help, k.Quit}
		}
		b = []key.Binding{k.NewSale, k.Print, k.Preview, k.History}
	case stateDeclined:
		d := k.Next
		d.SetHelp("enter", "fix it")
		b = []key.Binding{d, k.History}
	case stateChecking:
		if m.parkable {
			b = []key.Binding{k.Park}
		}
	case stateHistory:
		b = []key.Binding{k.Back, k.Open, k.Up, k.Down, k.Filter, k.PrevDay, k.Recheck, k.Report}
	case stateDetail:
		b = []key.Binding{k.Back, k.Print, k.Scroll}
		if m.detail != nil && !m.detail.Final() {
			b = append(b, k.Recheck)
		}
	case stateReport:
		b = []key.Binding{k.Back, k.PrevDay}
	case stateSupervisorPIN:
		b = []key.Binding{k.Next, k.Back}
	case stateSupervisorMenu:
		b = []key.Binding{k.Pick, k.Back}
	}
	if m.demo && m.state < stateHistory {
		b = append(b, k.Vouchers)
		if m.showVouchers && m.panelScrolls() {
			b = append(b, k.ScrollPanel)
		}
	}
	if m.kiosk {
		// Staff keys are not offered to customers, and nothing quits.
		kept := b[:0]
		for _, x := range b {
			if m.supervisor || (x.Help().Key != k.History.Help().Key && x.Help().Key != k.Report.Help().Key) {
				kept = append(kept, x)
			}
		}
		return append(kept, k.Help)
	}
	return append(b, k.Help, k.Quit)
}
