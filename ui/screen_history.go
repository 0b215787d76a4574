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

// statuses are those the filter keeps (none: every status).
func (f filter) statuses() []pos.Status {
	switch f {
	case filterApproved:
		return []pos.Status{pos.Approved}
	case filterDeclined:
		return []pos.Status{pos.Declined}
	case filterUnresolved:
		return []pos.Status{pos.Pending, pos.Unknown}
	}
	return nil
}

// historyWindow is how many sales History reads at a time: the rows around
// the cursor, a few screens' worth, never the day.
const historyWindow = 100

type historyMsg struct {
	day    time.Time
	filter filter
	window pos.DayWindow
	err    error
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
		h.sel = m.moveSel(msg, h.sel, h.count())
		return m.windowCmd()
	case matches(msg, k.Open):
		s, ok := h.row(h.sel)
		if !ok {
			return nil // still loading
		}
		h.detail, h.slip, h.slipTop, m.state, m.print.note = &s, nil, 0, stateDetail, ""
		return m.previewCmd(s.Reference, true)
	case matches(msg, k.Filter):
		h.filter = (h.filter + 1) % filterCount
		h.sel = 0
		h.clear()
		return m.historyCmd()
	case matches(msg, k.PrevDay):
		h.day, h.sel = h.day.AddDate(0, 0, -1), 0
		h.clear()
		return m.historyCmd()
	case matches(msg, k.NextDay):
		h.day, h.sel = h.day.AddDate(0, 0, 1), 0
		h.clear()
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
	case m.state == stateHistory:
		if r, ok := m.hist.row(m.hist.sel); ok {
			s = &r
		}
	}
	if s == nil || s.Final() {
		return ""
	}
	return s.Reference
}

// count is how many sales History lists: the day's that the filter keeps.
func (h *history) count() int { return max(h.total, h.offset+len(h.shown)) }

// row is the i-th sale listed (0: the newest), if it has been read.
func (h *history) row(i int) (pos.Sale, bool) {
	if i < h.offset || i >= h.offset+len(h.shown) {
		return pos.Sale{}, false
	}
	return h.shown[i-h.offset], true
}

// clear forgets the sales read, for another day or filter: until the new
// ones are read the screen says Loading…, never the last day's rows.
func (h *history) clear() { h.shown, h.offset, h.total, h.read = nil, 0, 0, false }

// visible is the range of rows History draws around the cursor.
func (m *model) visible() (start, end int) {
	h, rows := &m.hist, max(m.hgt-4, 1)
	if h.sel >= rows {
		start = h.sel - rows + 1
	}
	return start, min(start+rows, h.count())
}

// historyCmd reads the window of the day's sales around the cursor.
func (m *model) historyCmd() tea.Cmd {
	h := &m.hist
	if h.day.IsZero() {
		h.day = m.now()
	}
	start, _ := m.visible()
	return m.readWindow(max(0, start-historyWindow/4))
}

// windowCmd reads another window when the rows to draw are not all read.
func (m *model) windowCmd() tea.Cmd {
	h := &m.hist
	start, end := m.visible()
	if h.loading || (start >= h.offset && end <= h.offset+len(h.shown)) {
		return nil
	}
	return m.readWindow(max(0, start-historyWindow/4))
}

func (m *model) readWindow(offset int) tea.Cmd {
	till, day, f := m.till, m.hist.day, m.hist.filter
	m.hist.loading = true
	return func() tea.Msg {
		w, err := till.DayWindow(context.Background(), day, f.statuses(), offset, historyWindow)
		return historyMsg{day: day, filter: f, window: w, err: err}
	}
}

func (m *model) onHistory(msg historyMsg) tea.Cmd {
	h := &m.hist
	h.loading = false
	if !msg.day.Equal(h.day) || msg.filter != h.filter {
		return m.historyCmd() // the cashier moved on while it was read
	}
	h.err = ""
	if msg.err != nil {
		h.err = "History could not be read: " + msg.err.Error()
		return nil
	}
	h.shown, h.offset, h.total, h.read = msg.window.Sales, msg.window.Offset, msg.window.Total, true
	h.sel = min(h.sel, max(h.total-1, 0))
	if h.detail != nil {
		for _, s := range h.shown {
			if s.Reference == h.detail.Reference {
				h.detail = &s
			}
		}
	}
	return m.windowCmd()
}

func (m *model) openHistory() tea.Cmd {
	if m.state.selling() {
		m.hist.from = m.state
	}
	m.dropOverlays()
	m.state, m.hist.sel, m.hist.day, m.hist.detail = stateHistory, 0, m.now(), nil
	m.hist.clear()
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
	if h.err != "" {
		return []string{m.st.Title.Render(day + "'s sales"), m.st.Error.Render(h.err)}
	}
	start, end := m.visible()
	if h.loading && (!h.read || start < h.offset || end > h.offset+len(h.shown)) {
		// Never a false zero, nor another day's rows.
		return []string{m.st.Title.Render(day + "'s sales"), m.st.Hint.Render("Loading…")}
	}
	out := []string{m.st.Title.Render(fmt.Sprintf("%s's sales (%d, %s)", day, h.count(), h.filter))}
	if h.count() == 0 {
		return append(out, m.st.Hint.Render("No sales to show."))
	}
	var b strings.Builder
	for i := start; i < end; i++ {
		s, ok := h.row(i)
		if !ok {
			break
		}
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
