package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// providerScreen: which voucher the customer has; skipped when the till
// takes one provider only.
type providerScreen struct{}

func (providerScreen) bindings(m *model) (bar, more []key.Binding) {
	k := m.keys
	return []key.Binding{k.Next, k.Back, k.Pick, k.Up, k.Down}, nil
}

func (providerScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	e, k := &m.entry, m.keys
	n := len(m.till.Providers())
	switch {
	case matches(msg, k.Pick):
		d, _ := digitOf(msg)
		e.provider = int(d - '1')
		m.afterProvider()
	case matches(msg, k.Up):
		e.provider = (e.provider + n - 1) % n
	case matches(msg, k.Down):
		e.provider = (e.provider + 1) % n
	case matches(msg, k.Next):
		m.afterProvider()
	case matches(msg, k.Back):
		e.fieldErr = ""
		m.state = stateAmount
	}
	return nil
}

// afterProvider goes on to the PIN. A PIN typed for another provider is
// checked against this one's length: one too long for it is cleared,
// never cut to fit.
func (m *model) afterProvider() {
	e := &m.entry
	e.fieldErr = ""
	if n := m.pinLength(); n > 0 && len(e.pin) > n {
		e.pin = ""
		e.fieldErr = fmt.Sprintf("%s PINs have %d digits: type the PIN again.", m.currentProvider().Name, n)
	}
	if e.returnToConfirm && m.pinFits() {
		m.toConfirm()
		return
	}
	m.state = statePIN
}

func (m *model) currentProvider() pos.Provider {
	ps := m.till.Providers()
	if m.entry.provider < 0 || m.entry.provider >= len(ps) {
		return pos.Provider{}
	}
	return ps[m.entry.provider]
}

func (providerScreen) view(m *model) []string {
	out := m.title(m.say("Voucher provider", "Which voucher do you have?") + " " + m.st.Dot + " " + m.till.Currency().Format(m.entry.amount))
	for i, p := range m.till.Providers() {
		line := fmt.Sprintf("%d  %s", i+1, p.Name)
		if i == m.entry.provider {
			out = append(out, m.st.Arrow+" "+m.st.Selected.Render(line))
		} else {
			out = append(out, "  "+line)
		}
	}
	return append(out, m.errLine()...)
}
