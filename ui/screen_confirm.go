package ui

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// confirmScreen: the whole sale once more (the PIN masked) before it is
// charged; 1-4 go back to one field.
type confirmScreen struct{}

func (confirmScreen) bindings(m *model) (bar, more []key.Binding) {
	k := m.keys
	return []key.Binding{k.Submit, k.Back, k.Jump}, nil
}

func (confirmScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	e, k := &m.entry, m.keys
	switch {
	case matches(msg, k.Submit):
		return m.submit()
	case matches(msg, k.Jump):
		d, _ := digitOf(msg)
		m.goField(map[byte]pos.Field{'1': pos.FieldAmount, '2': pos.FieldProvider, '3': pos.FieldPIN, '4': pos.FieldPhone}[d])
		e.returnToConfirm = true
	case matches(msg, k.Back):
		m.state, e.returnToConfirm = statePhone, false
	}
	return nil
}

// toConfirm goes to Confirm when every field of the sale is valid, else to
// the first field that is not (and back to Confirm from there).
func (m *model) toConfirm() {
	if f, ok := m.firstInvalid(); ok {
		m.goField(f)
		m.entry.returnToConfirm = true
		return
	}
	m.state = stateConfirm
}

// firstInvalid is the first field of the sale that would not pass, in the
// order the screens ask for them.
func (m *model) firstInvalid() (pos.Field, bool) {
	e := &m.entry
	if amt, err := m.till.ParseAmount(e.amountText); err != nil || amt != e.amount {
		return pos.FieldAmount, true
	}
	if e.provider < 0 || e.provider >= len(m.till.Providers()) {
		return pos.FieldProvider, true
	}
	if !m.pinFits() {
		return pos.FieldPIN, true
	}
	if e164, err := pos.NormalizePhone(e.phone, m.opts.Store.Country); err != nil || e164 != e.phoneE164 {
		return pos.FieldPhone, true
	}
	return "", false
}

// goField sends the cashier to one field of the sale.
func (m *model) goField(f pos.Field) {
	m.entry.fieldErr = ""
	switch f {
	case pos.FieldAmount:
		m.state, m.entry.amountFresh = stateAmount, true
	case pos.FieldProvider:
		m.state = stateProvider
	case pos.FieldPIN:
		m.state = statePIN
	case pos.FieldPhone, pos.FieldEmail:
		m.state = statePhone
	}
}

// submit sends the sale. Submitting takes no key that could start a
// second charge, and a retry re-uses the reference.
func (m *model) submit() tea.Cmd {
	e := &m.entry
	o := pos.Order{Amount: e.amount, ProviderCode: m.currentProvider().Code, PIN: e.pin, Phone: e.phone, Retry: e.retryRef}
	m.state, e.returnToConfirm = stateSubmitting, false
	m.out = outcome{submittedAt: m.now()}
	till := m.till
	return tea.Batch(m.tick(), func() tea.Msg {
		s, err := till.Submit(context.Background(), o)
		return submitDoneMsg{s, err}
	})
}

func (confirmScreen) view(m *model) []string {
	e, cur := &m.entry, m.till.Currency()
	out := m.title(m.say("Check and charge", "Check and pay"))
	out = append(out,
		"1 "+m.row("Amount", cur.Format(e.amount)),
		"2 "+m.row("Provider", m.currentProvider().Name),
		"3 "+m.row("PIN", pos.MaskedPIN(e.pin, m.st.ascii)),
		"4 "+m.row("Phone", e.phoneE164))
	out = append(out, m.gap()...)
	if e.retryRef != "" {
		out = append(out, m.st.Hint.Render("Sending again with the same reference."))
	}
	return append(out, m.st.Hint.Render(m.say("Enter or + charges the voucher.", "Press Enter to pay.")))
}
