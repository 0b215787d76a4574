package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// pinScreen: the voucher's PIN, grouped in fours as typed (masked at a
// kiosk), as long as the provider's pin_length.
type pinScreen struct{}

func (pinScreen) bindings(m *model) (bar, more []key.Binding) {
	k := m.keys
	return []key.Binding{k.Next, k.Back, k.Delete}, []key.Binding{m.digits("PIN")}
}

func (pinScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	e, k := &m.entry, m.keys
	switch {
	case matches(msg, k.Digit):
		if len(e.pin) < m.pinLimit() {
			d, _ := digitOf(msg)
			e.pin += string(d)
			e.fieldErr = ""
		}
	case matches(msg, k.Delete):
		e.pin, e.fieldErr = trimLast(e.pin), ""
	case matches(msg, k.Next):
		pin, err := pos.NormalizePIN(e.pin, m.pinLength())
		if err != nil {
			e.fieldErr = m.fieldWords(err)
			return nil
		}
		e.pin, e.fieldErr = pin, ""
		if e.returnToConfirm {
			m.toConfirm()
		} else {
			m.state = statePhone
		}
	case matches(msg, k.Back):
		e.fieldErr = ""
		if len(m.till.Providers()) == 1 {
			m.state = stateAmount
		} else {
			m.state = stateProvider
		}
	}
	return nil
}

func (m *model) pinLength() int { return m.currentProvider().PinLength }

// pinLimit is the most digits the PIN screen takes.
func (m *model) pinLimit() int {
	if n := m.pinLength(); n > 0 {
		return n
	}
	return 32
}

// pinFits: the PIN typed suits the provider chosen.
func (m *model) pinFits() bool {
	_, err := pos.NormalizePIN(m.entry.pin, m.pinLength())
	return err == nil
}

func (pinScreen) view(m *model) []string {
	p, pin := m.currentProvider(), m.entry.pin
	out := m.title(m.say(p.Name+" voucher PIN", "Type your "+p.Name+" PIN") + " " + m.st.Dot + " " + m.till.Currency().Format(m.entry.amount))
	if m.opts.Kiosk {
		out = append(out, m.input(m.maskAll(pin)))
	} else {
		out = append(out, m.input(pos.GroupPIN(pin)))
	}
	if p.PinLength > 0 {
		out = append(out, "  "+m.st.Hint.Render(fmt.Sprintf("%d of %d digits", len(pin), p.PinLength)))
	}
	return append(out, m.errLine()...)
}

// maskAll shows a PIN's digits as dots, in groups of four.
func (m *model) maskAll(pin string) string {
	return strings.ReplaceAll(pos.GroupPIN(strings.Repeat("0", len(pin))), "0", m.st.Dot)
}

// pastePIN takes pasted digits (spaces and dashes between groups allowed)
// when they fit the PIN.
func (m *model) pastePIN(text string) bool {
	e := &m.entry
	digits := strings.NewReplacer(" ", "", "-", "").Replace(text)
	if !allDigits(digits) || len(e.pin)+len(digits) > m.pinLimit() {
		return false
	}
	e.pin, e.fieldErr = e.pin+digits, ""
	return true
}
