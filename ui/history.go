package ui

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// filter narrows the History list.
type filter int

const (
	filterAll filter = iota
	filterApproved
	filterDeclined
	filterUnresolved
	filterCount
)

func (f filter) String() string {
	return [...]string{"all", "approved", "declined", "unresolved"}[f]
}

func (f filter) keep(s pos.Sale) bool {
	switch f {
	case filterApproved:
		return s.Status == pos.Approved
	case filterDeclined:
		return s.Status == pos.Declined
	case filterUnresolved:
		return s.Status.Unresolved()
	}
	return true
}

type (
	reportMsg struct {
		report pos.Report
		err    error
	}
	printDoneMsg struct {
		ref string
		err error
	}
	slipMsg struct {
		lines []string
		err   error
	}
)

func (m *model) historyCmd() tea.Cmd {
	svc, day := m.svc, m.histDay
	if day.IsZero() {
		day = m.now()
	}
	return func() tea.Msg {
		sales, err := svc.Day(context.Background(), day)
		return historyMsg{sales, err}
	}
}

func (m *model) onHistory(msg historyMsg) {
	m.histErr = ""
	if msg.err != nil {
		m.histErr = "History could not be read: " + msg.err.Error()
	}
	m.histAll = msg.sales
	m.applyFilter()
	if m.detail != nil {
		for _, s := range m.histAll {
			if s.Reference == m.detail.Reference {
				s := s
				m.detail = &s
			}
		}
	}
}

// applyFilter keeps the sales the filter wants, newest first.
func (m *model) applyFilter() {
	m.history = m.history[:0]
	for i := len(m.histAll) - 1; i >= 0; i-- {
		if m.histFilter.keep(m.histAll[i]) {
			m.history = append(m.history, m.histAll[i])
		}
	}
	m.histSel = min(m.histSel, max(len(m.history)-1, 0))
}

func (m *model) openHistory() tea.Cmd {
	if m.state < stateHistory {
		m.histFrom = m.state
	}
	m.state, m.histSel, m.histDay, m.detail = stateHistory, 0, m.now(), nil
	return m.historyCmd()
}

// leaveHistory goes back to selling (or to the supervisor's menu); a
// result already seen is done with.
func (m *model) leaveHistory() {
	if m.supervisor {
		m.state, m.detail, m.slipView = stateSupervisorMenu, nil, nil
		return
	}
	m.state, m.detail = m.histFrom, nil
	if m.state == stateApproved || m.state == stateDeclined {
		m.newSale()
	}
}

func (m *model) keyHistory(k string) tea.Cmd {
	switch {
	case m.matches(k, m.keys.Up):
		m.histSel = max(m.histSel-1, 0)
	case m.matches(k, m.keys.Down):
		m.histSel = min(m.histSel+1, max(len(m.history)-1, 0))
	case m.matches(k, m.keys.Open):
		if m.histSel < len(m.history) {
			s := m.history[m.histSel]
			m.detail, m.state, m.printNote = &s, stateDetail, ""
			return m.previewCmd(s.Reference)
		}
	case m.matches(k, m.keys.Filter):
		m.histFilter = (m.histFilter + 1) % filterCount
		m.applyFilter()
	case m.matches(k, m.keys.PrevDay):
		m.histDay, m.histSel = m.histDay.AddDate(0, 0, -1), 0
		return m.historyCmd()
	case m.matches(k, m.keys.NextDay):
		if m.histDay.AddDate(0, 0, 1).Before(m.now().AddDate(0, 0, 1)) {
			m.histDay, m.histSel = m.histDay.AddDate(0, 0, 1), 0
			return m.historyCmd()
		}
	case m.matches(k, m.keys.Recheck):
		if m.histSel < len(m.history) && !m.history[m.histSel].Final() {
			return m.resolveCmd(m.history[m.histSel].Reference)
		}
	case m.matches(k, m.keys.Report):
		return m.openReport()
	case m.matches(k, m.keys.Back), m.matches(k, m.keys.History):
		m.leaveHistory()
	}
	return nil
}

// scrollSlip moves a slip preview that is taller than the window.
func (m *model) scrollSlip(k string) {
	if m.matches(k, m.keys.Up) {
		m.slipTop = max(m.slipTop-1, 0)
	} else {
		m.slipTop = min(m.slipTop+1, max(len(m.slipView)-1, 0))
	}
}

func (m *model) keyDetail(k string) tea.Cmd {
	switch {
	case m.slipView != nil && m.matches(k, m.keys.Up, m.keys.Down):
		m.scrollSlip(k)
	case m.matches(k, m.keys.Print):
		return m.printCmd(m.detail.Reference)
	case m.matches(k, m.keys.Recheck):
		if !m.detail.Final() {
			return m.resolveCmd(m.detail.Reference)
		}
	case m.matches(k, m.keys.Back):
		m.state, m.detail, m.slipView = stateHistory, nil, nil
		return m.historyCmd()
	}
	return nil
}

func (m *model) openReport() tea.Cmd {
	if m.state < stateHistory {
		m.histFrom = m.state
	}
	if m.histDay.IsZero() || m.state < stateHistory {
		m.histDay = m.now()
	}
	m.state = stateReport
	return m.reportCmd()
}

func (m *model) reportCmd() tea.Cmd {
	svc, day := m.svc, m.histDay
	return func() tea.Msg {
		sales, err := svc.Day(context.Background(), day)
		return reportMsg{pos.BuildReport(day, svc.Currency(), sales), err}
	}
}

func (m *model) keyReport(k string) tea.Cmd {
	switch {
	case m.matches(k, m.keys.PrevDay):
		m.histDay = m.histDay.AddDate(0, 0, -1)
		return m.reportCmd()
	case m.matches(k, m.keys.NextDay):
		if m.histDay.AddDate(0, 0, 1).Before(m.now().AddDate(0, 0, 1)) {
			m.histDay = m.histDay.AddDate(0, 0, 1)
			return m.reportCmd()
		}
	case m.matches(k, m.keys.Back), m.matches(k, m.keys.Report):
		m.leaveHistory()
	}
	return nil
}

// printCmd prints a sale's slip off the screen's path: a slow or broken
// printer never holds the till. A second print of a sale is a reprint.
func (m *model) printCmd(ref string) tea.Cmd {
	if !m.svc.HasPrinter() {
		m.printNote = "No receipt printer is set up (receipt.printer). Press v to show the slip."
		return nil
	}
	if m.printed == nil {
		m.printed = map[string]bool{}
	}
	reprint := m.printed[ref] || m.state == stateDetail
	m.printNote = "Printing the slip…"
	svc := m.svc
	return func() tea.Msg {
		return printDoneMsg{ref, svc.Print(context.Background(), ref, reprint)}
	}
}

func (m *model) onPrinted(msg printDoneMsg) {
	if msg.err != nil {
		m.printNote = "The slip did not print: " + msg.err.Error() + ". Press p to try again."
		return
	}
	m.printed[msg.ref] = true
	m.printNote = "Slip printed (" + m.svc.PrinterName() + ")."
}

func (m *model) previewCmd(ref string) tea.Cmd {
	svc, reprint := m.svc, m.state == stateDetail
	return func() tea.Msg {
		slip, err := svc.Slip(context.Background(), ref, reprint)
		if err != nil {
			return slipMsg{nil, err}
		}
		return slipMsg{strings.Split(strings.TrimSuffix(slip.Text(), "\n"), "\n"), nil}
	}
}

// Views.

func (m *model) historyView() []string {
	day := "Today"
	if d := m.histDay; !d.IsZero() && d.Format("2006-01-02") != m.now().Format("2006-01-02") {
		day = d.Format("Mon 2 Jan")
	}
	out := []string{m.st.Title.Render(fmt.Sprintf("%s's sales (%d, %s)", day, len(m.history), m.histFilter))}
	if m.histErr != "" {
		return append(out, m.st.Error.Render(m.histErr))
	}
	if len(m.history) == 0 {
		return append(out, m.st.Hint.Render("No sales to show."))
	}
	rows := m.hgt - 4
	start := 0
	if m.histSel >= rows {
		start = m.histSel - rows + 1
	}
	var b strings.Builder
	for i := start; i < len(m.history) && i < start+rows; i++ {
		s := m.history[i]
		// What fmt.Sprintf("%s %s %10s *%s %s", …) gives, at a third of
		// the cost: a screenful of rows is drawn after every message.
		b.Reset()
		var hhmm [5]byte
		b.Write(s.CreatedAt.AppendFormat(hhmm[:0], "15:04"))
		b.WriteByte(' ')
		b.WriteString(m.badge(s))
		b.WriteByte(' ')
		amt := s.Currency.Format(s.Requested)
		for n := utf8.RuneCountInString(amt); n < 10; n++ {
			b.WriteByte(' ')
		}
		b.WriteString(amt)
		b.WriteString(" *")
		b.WriteString(s.PINLast4)
		b.WriteByte(' ')
		b.WriteString(s.ProviderName)
		line := b.String()
		if i == m.histSel {
			line = m.st.Arrow + m.st.Selected.Render(line)
		} else {
			line = " " + line
		}
		out = append(out, line)
	}
	return out
}

func (m *model) detailView() []string {
	s := m.detail
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
	if m.printNote != "" {
		out = append(out, m.styled(m.st.Hint, m.printNote)...)
	}
	return out
}

func (m *model) reportView() []string {
	r, c := m.report, m.svc.Currency()
	out := []string{m.st.Title.Render("Z-report " + m.histDay.Format("2006-01-02"))}
	if m.histErr != "" {
		return append(out, m.st.Error.Render(m.histErr))
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
