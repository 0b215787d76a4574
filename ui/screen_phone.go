package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// phoneScreen: the customer's phone number, in any local or international
// form, shown in E.164 once it is valid.
type phoneScreen struct{}

func (phoneScreen) bindings(m *model) (bar, more []key.Binding) {
	k := m.keys
	return []key.Binding{k.Next, k.Back, k.Delete}, []key.Binding{m.digits("number"), k.PhonePlus, k.Space}
}

// maxPhone is the longest phone number the screen takes, spaces included.
const maxPhone = 20

func (phoneScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	e, k := &m.entry, m.keys
	switch {
	case matches(msg, k.PhonePlus): // before Next: "+" begins a number
		m.setPhone("+")
	case matches(msg, k.Digit):
		if len(e.phone) < maxPhone {
			d, _ := digitOf(msg)
			m.setPhone(e.phone + string(d))
		}
	case matches(msg, k.Space):
		if e.phone != "" && !strings.HasSuffix(e.phone, " ") && len(e.phone) < maxPhone {
			m.setPhone(e.phone + " ")
		}
	case matches(msg, k.Delete):
		m.setPhone(trimLast(e.phone))
	case matches(msg, k.Next):
		e164, err := pos.NormalizePhone(e.phone, m.opts.Store.Country)
		if err != nil {
			e.fieldErr = m.fieldWords(err)
			return nil
		}
		e.phoneE164, e.fieldErr = e164, ""
		m.toConfirm()
	case matches(msg, k.Back):
		e.fieldErr = ""
		m.state = statePIN
	}
	return nil
}

// setPhone changes the number typed and works out its E.164 preview once
// per change: parsing takes longer than drawing the whole screen, and View
// changes nothing.
func (m *model) setPhone(v string) {
	e := &m.entry
	e.phone, e.fieldErr, e.preview = v, "", ""
	if e164, err := pos.NormalizePhone(v, m.opts.Store.Country); err == nil {
		e.preview = e164
	}
}

func (phoneScreen) view(m *model) []string {
	out := m.title(m.say("Customer's phone number", "Your phone number"))
	out = append(out, m.input(m.entry.phone))
	if p := m.entry.preview; p != "" {
		out = append(out, "  "+m.st.Good.Render(p))
	} else {
		out = append(out, "  "+m.st.Hint.Render(m.say("Local (082…) or international (+27…).", "Type your number, like 082… or +27…, then Enter.")))
	}
	return append(out, m.errLine()...)
}

// pastePhone takes a pasted number: digits, an opening +, and spaces,
// dashes, dots or brackets between groups (kept as single spaces).
func (m *model) pastePhone(text string) bool {
	v := strings.Join(strings.Fields(strings.NewReplacer("-", " ", "(", " ", ")", " ", ".", " ").Replace(text)), " ")
	v = m.entry.phone + v
	rest := strings.TrimPrefix(v, "+")
	if len(v) > maxPhone || !allDigits(strings.ReplaceAll(rest, " ", "")) {
		return false
	}
	m.setPhone(v)
	return true
}
