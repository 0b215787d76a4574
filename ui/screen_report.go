package ui

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// reportScreen: the day's Z-report.
type reportScreen struct{}

type reportMsg struct {
	day    time.Time
	report pos.Report
	err    error
}

func (reportScreen) bindings(m *model) (bar, more []key.Binding) {
	k := m.keys
	return []key.Binding{k.Back, k.PrevDay}, []key.Binding{k.NextDay, k.Report}
}

func (reportScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	h, k := &m.hist, m.keys
	switch {
	case matches(msg, k.PrevDay):
		h.day = h.day.AddDate(0, 0, -1)
		return m.reportCmd()
	case matches(msg, k.NextDay):
		h.day = h.day.AddDate(0, 0, 1)
		return m.reportCmd()
	case matches(msg, k.Back, k.Report):
		m.leaveHistory()
	}
	return nil
}

func (m *model) openReport() tea.Cmd {
	if m.state.selling() {
		m.hist.from = m.state
		m.hist.day = m.now()
	}
	if m.hist.day.IsZero() {
		m.hist.day = m.now()
	}
	m.dropOverlays()
	m.state = stateReport
	return m.reportCmd()
}

func (m *model) reportCmd() tea.Cmd {
	till, day := m.till, m.hist.day
	m.hist.reportLoading, m.hist.reportDay = true, day
	return func() tea.Msg {
		r, err := till.DayReport(context.Background(), day)
		return reportMsg{day, r, err}
	}
}

func (m *model) onReport(msg reportMsg) {
	if !msg.day.Equal(m.hist.reportDay) {
		return // another day's, asked for before this one
	}
	m.hist.report, m.hist.err, m.hist.reportLoading = msg.report, "", false
	if msg.err != nil {
		m.hist.err = "The report could not be built: " + msg.err.Error()
	}
}

func (reportScreen) view(m *model) []string {
	r, c := m.hist.report, m.till.Currency()
	out := []string{m.st.Title.Render("Z-report " + m.hist.day.Format("2006-01-02"))}
	if m.hist.err != "" {
		return append(out, m.st.Error.Render(m.hist.err))
	}
	if m.hist.reportLoading {
		return append(out, m.st.Hint.Render("Loading…")) // never a false zero
	}
	out = append(out, m.gap()...)
	for _, l := range r.Lines {
		out = append(out, fmt.Sprintf("%-9s %-8s %3d %11s", trunc(l.ProviderName, 9), l.Status, l.Count, c.Format(l.Charged)))
	}
	t := r.Total
	out = append(out, m.gap()...)
	out = append(out,
		m.row("Charged", c.Format(t.Charged)+" ("+fmt.Sprint(t.Count)+" approved)"),
		m.row("Fees", c.Format(t.Fee)+"  VAT "+c.Format(t.VAT)),
		m.row("Net", c.Format(t.Net())),
		m.row("Vouchers", fmt.Sprintf("%d change, %d partly paid", r.ChangeVouchers, r.PartlyPaid)))
	if r.Unresolved > 0 {
		out = append(out, m.st.Warn.Render(pos.Count(r.Unresolved, "sale", "sales")+" still being checked with Kora."))
	}
	return out
}

func trunc(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
