package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// detailScreen: one sale from History, with its slip below (a reprint).
type detailScreen struct{}

func (detailScreen) bindings(m *model) (bar, more []key.Binding) {
	k := m.keys
	return []key.Binding{k.Back, k.Print, k.Scroll, k.Recheck}, nil
}

func (detailScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	h, k := &m.hist, m.keys
	switch {
	case matches(msg, k.Scroll):
		h.slipTop = m.moveSel(msg, h.slipTop, len(h.slip))
	case matches(msg, k.Print):
		return m.printCmd(h.detail.Reference)
	case matches(msg, k.Recheck):
		return m.resolveCmd(m.recheckable())
	case matches(msg, k.Back):
		m.state, h.detail, h.slip = stateHistory, nil, nil
		return m.historyCmd()
	}
	return nil
}

// slipScrolls: the slip below a sale's detail is taller than the window.
func (m *model) slipScrolls() bool {
	return m.state == stateDetail && len(m.hist.slip) > 0 && len(m.detailLines())+len(m.hist.slip) > m.hgt-2
}

func (detailScreen) view(m *model) []string {
	out := m.detailLines()
	if m.hist.slip != nil {
		out = append(out, m.slipFrame(m.hist.slip, m.hist.slipTop)...)
	}
	return out
}

func (m *model) detailLines() []string { return m.detailOf(m.hist.detail) }

// detailOf is one sale's detail, from this till or (the store lookup)
// another.
func (m *model) detailOf(s *pos.Sale) []string {
	if s == nil {
		return nil
	}
	cur := s.Currency
	out := []string{m.badge(*s) + " " + m.st.Title.Render(cur.Format(s.Requested)+" "+s.ProviderName+" *"+s.PINLast4)}
	out = append(out, m.row("Time", s.CreatedAt.Format("2006-01-02 15:04:05")))
	out = append(out, m.row("Ref", s.Reference))
	if s.KoraReference != "" {
		out = append(out, m.row("Kora ref", s.KoraReference))
	}
	switch {
	case s.Status == pos.Approved:
		out = append(out, m.row("Charged", cur.Format(s.Charged)+"  fee "+m.fee(*s)+"  VAT "+cur.Format(s.VAT)))
		if s.HasBalance {
			out = append(out, m.row("Balance", cur.Format(s.Balance)))
		}
		if s.HasChangePIN {
			out = append(out, m.st.Warn.Render("Change voucher issued: p reprints its slip."))
		}
	case s.Status == pos.Declined:
		out = append(out, wrap(declineFor(*s, s.ProviderName).sentence, m.width-2)...)
	default:
		out = append(out, m.st.Warn.Render("Being checked with Kora ("+pos.Count(s.Checks, "check", "checks")+"). r checks now."))
	}
	if m.print.note != "" {
		out = append(out, m.styled(m.st.Hint, m.print.note)...)
	}
	return out
}
