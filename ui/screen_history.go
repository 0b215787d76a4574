package ui

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// historyScreen: the day's sales, newest first, with status badges, a
// filter and the days before.
type historyScreen struct{}

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

type historyMsg struct {
	sales []pos.Sale
	err   error
}

func (historyScreen) bindings(m *model) (bar, more []key.Binding) {
	k := m.keys
	return []key.Binding{k.Back, k.Open, k.Up, k.Down, k.Filter, k.PrevDay, k.Recheck, k.Report},
		[]key.Binding{k.NextDay, k.History, k.StoreView}
}

func (historyScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	h, k := &m.hist, m.keys
	switch {
	case matches(msg, k.Up, k.Down):
		h.sel = m.moveSel(msg, h.sel, len(h.shown))
	case matches(msg, k.Open):
		s := h.shown[h.sel]
		h.detail, h.slip, h.slipTop, m.state, m.print.note = &s, nil, 0, stateDetail, ""
		return m.previewCmd(s.Reference, true)
	case matches(msg, k.Filter):
		h.filter = (h.filter + 1) % filterCount
		m.applyFilter()
	case matches(msg, k.PrevDay):
		h.day, h.sel = h.day.AddDate(0, 0, -1), 0
		return m.historyCmd()
	case matches(msg, k.NextDay):
		h.day, h.sel = h.day.AddDate(0, 0, 1), 0
		return m.historyCmd()
	case matches(msg, k.Recheck):
		return m.resolveCmd(m.recheckable())
	case matches(msg, k.Report):
		return m.openReport()
	case matches(msg, k.StoreView):
		return m.openStore()
	case matches(msg, k.Back, k.History):
		m.leaveHistory()
	}
	return nil
}

// moveSel moves a list's selection one up or down, within its n rows.
func (m *model) moveSel(msg tea.KeyPressMsg, sel, n int) int {
	if matches(msg, m.keys.Up) {
		return max(sel-1, 0)
	}
	return min(sel+1, max(n-1, 0))
}

// recheckable is the unresolved sale on screen that r would ask Kora
// about now ("" when none).
func (m *model) recheckable() string {
	var s *pos.Sale
	switch {
	case m.state == stateDetail:
		s = m.hist.detail
	case m.state == stateHistory && m.hist.sel < len(m.hist.shown):
		s = &m.hist.shown[m.hist.sel]
	}
	if s == nil || s.Final() {
		return ""
	}
	return s.Reference
}

func (m *model) historyCmd() tea.Cmd {
	till, day := m.till, m.hist.day
	if day.IsZero() {
		day = m.now()
	}
	m.hist.loading = true
	return func() tea.Msg {
		sales, err := till.Day(context.Background(), day)
		return historyMsg{sales, err}
	}
}

func (m *model) onHistory(msg historyMsg) {
	h := &m.hist
	h.err, h.loading = "", false
	if msg.err != nil {
		h.err = "History could not be read: " + msg.err.Error()
	}
	h.all = msg.sales
	m.applyFilter()
	if h.detail != nil {
		for _, s := range h.all {
			if s.Reference == h.detail.Reference {
				h.detail = &s
			}
		}
	}
}

// applyFilter keeps the sales the filter wants, newest first.
func (m *model) applyFilter() {
	h := &m.hist
	h.shown = h.shown[:0]
	for i := len(h.all) - 1; i >= 0; i-- {
		if h.filter.keep(h.all[i]) {
			h.shown = append(h.shown, h.all[i])
		}
	}
	h.sel = min(h.sel, max(len(h.shown)-1, 0))
}

func (m *model) openHistory() tea.Cmd {
	if m.state.selling() {
		m.hist.from = m.state
	}
	m.dropOverlays()
	m.state, m.hist.sel, m.hist.day, m.hist.detail = stateHistory, 0, m.now(), nil
	return m.historyCmd()
}

// leaveHistory goes back to selling (or to the supervisor's menu); a
// result already seen is done with.
func (m *model) leaveHistory() {
	m.hist.detail, m.hist.slip = nil, nil
	if m.session.supervisor {
		m.state = stateSupervisorMenu
		return
	}
	m.state = m.hist.from
	if m.state.result() {
		m.newSale()
	}
}

func startOfDay(t time.Time) time.Time {
	y, mo, d := t.Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, t.Location())
}

func (historyScreen) view(m *model) []string {
	h := &m.hist
	day := "Today"
	if d := h.day; !d.IsZero() && !startOfDay(d).Equal(startOfDay(m.now())) {
		day = d.Format("Mon 2 Jan")
	}
	if h.loading && h.all == nil {
		return []string{m.st.Title.Render(day + "'s sales"), m.st.Hint.Render("Loading…")}
	}
	out := []string{m.st.Title.Render(fmt.Sprintf("%s's sales (%d, %s)", day, len(h.shown), h.filter))}
	if h.err != "" {
		return append(out, m.st.Error.Render(h.err))
	}
	if len(h.shown) == 0 {
		return append(out, m.st.Hint.Render("No sales to show."))
	}
	rows := m.hgt - 4
	start := 0
	if h.sel >= rows {
		start = h.sel - rows + 1
	}
	var b strings.Builder
	for i := start; i < len(h.shown) && i < start+rows; i++ {
		s := h.shown[i]
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
		if i == h.sel {
			line = m.st.Arrow + m.st.Selected.Render(line)
		} else {
			line = " " + line
		}
		out = append(out, line)
	}
	return out
}

func (m *model) badge(s pos.Sale) string {
	switch s.Status {
	case pos.Approved:
		if s.PartlyPaid() {
			return m.st.Warn.Render("PARTLY ")
		}
		return m.st.Good.Render("PAID   ")
	case pos.Declined:
		return m.st.Bad.Render("DECLINE")
	}
	return m.st.Warn.Render("CHECK  ")
}
