package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// amountScreen: the amount to charge, typed as the cashier sees it
// formatted (R 1 234.50).
type amountScreen struct{}

func (amountScreen) bindings(m *model) (bar, more []key.Binding) {
	k := m.keys
	return []key.Binding{k.Next, k.Clear, k.History, k.Report},
		// Backspace is left to the ? page: the bar keeps room for Esc.
		[]key.Binding{m.digits("amount"), k.Point, k.Delete}
}

func (amountScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	e, k := &m.entry, m.keys
	switch {
	case matches(msg, k.Digit):
		d, _ := digitOf(msg)
		m.typeAmount(d)
	case matches(msg, k.Point):
		m.typeAmount('.')
	case matches(msg, k.Delete):
		e.amountText, e.amountFresh, e.fieldErr = trimLast(e.amountText), false, ""
		if e.amountText == "" {
			m.newSale() // the amount emptied: the sale is left
		}
	case matches(msg, k.Next):
		amt, err := m.till.ParseAmount(e.amountText)
		if err != nil {
			e.fieldErr = m.fieldWords(err)
			return nil
		}
		e.amount, e.fieldErr = amt, ""
		switch {
		case e.returnToConfirm:
			m.toConfirm()
		case len(m.till.Providers()) == 1:
			e.provider, m.state = 0, statePIN
		default:
			m.state = stateProvider
		}
	case matches(msg, k.Clear):
		m.newSale() // Esc on the amount leaves the sale: nothing is kept
	case matches(msg, k.Star):
		m.star()
	default:
		return m.staffKey(msg)
	}
	return nil
}

// typeAmount adds a digit or the point: at most nine whole digits and the
// currency's decimals. Back to correct the amount, what is typed replaces
// it, so that it never has to be emptied (an emptied amount is a sale
// left).
func (m *model) typeAmount(c byte) {
	e := &m.entry
	if e.amountFresh {
		e.amountText, e.amountFresh = "", false
	}
	whole, frac, point := strings.Cut(e.amountText, ".")
	switch {
	case c == '.':
		if point {
			return
		}
		if e.amountText == "" {
			e.amountText = "0"
		}
		e.amountText += "."
	case (point && len(frac) >= m.till.Currency().Digits) || (!point && len(whole) >= 9):
		return
	default:
		if e.amountText == "0" {
			e.amountText = ""
		}
		e.amountText += string(c)
	}
	e.fieldErr = ""
}

func (amountScreen) view(m *model) []string {
	e, cur := &m.entry, m.till.Currency()
	out := m.title(m.say("New sale "+m.st.Dot+" amount", "Pay with a voucher "+m.st.Dot+" amount"))
	// The amount is shown formatted where it is typed (R 1 234.50) and the
	// hint below stays put: a digit redraws the end of one line, 21–25
	// bytes, where a formatted copy on a line of its own made it 34–42.
	// Thousands are grouped as typed; the decimals show exactly what was
	// typed, so the cashier sees the point and each digit land.
	whole, frac, point := strings.Cut(e.amountText, ".")
	shown := cur.Symbol + " " + groupThousands(whole)
	if point {
		shown += "." + frac
	}
	out = append(out, m.input(shown))
	if e.amountFresh {
		out = append(out, "  "+m.st.Hint.Render(m.say("Type a new amount, or Enter to keep this one.", "Type a new amount, or press Enter to keep it.")))
	} else {
		out = append(out, "  "+m.st.Hint.Render(m.say("Type the amount, then Enter.", "Type the amount to pay, then Enter.")))
	}
	return append(out, m.errLine()...)
}

// pasteAmount takes pasted text as the amount when it is one as a whole
// (spaces between thousands and a decimal comma allowed).
func (m *model) pasteAmount(text string) bool {
	e, cur := &m.entry, m.till.Currency()
	v := strings.ReplaceAll(strings.ReplaceAll(text, " ", ""), ",", ".")
	if !e.amountFresh {
		v = e.amountText + v
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
		if t == "" {
			t = "0"
		}
		v = t
		if point {
			v += "." + frac
		}
	}
	e.amountText, e.fieldErr, e.amountFresh = v, "", false
	return true
}

// groupThousands puts a space between each three digits: 1234567 → 1 234 567.
func groupThousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}

func trimLast(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return string(r[:len(r)-1])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
