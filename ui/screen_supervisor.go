package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// The kiosk's supervisor: a PIN prompt (an overlay on the Amount screen)
// and, behind it, a menu.

const (
	firstLockout     = 30 * time.Second
	maxLockout       = time.Hour
	triesPerLockout  = 3
	maxSupervisorPIN = 12
)

type supervisorCheckMsg bool

// supervisorOverlay asks for the supervisor's PIN; three wrong tries lock
// it, each lockout twice as long as the last.
type supervisorOverlay struct {
	pin, msg string
}

func (s *supervisorOverlay) bindings(m *model) []key.Binding {
	k := m.keys
	return []key.Binding{k.Next, k.Back, m.digits("PIN"), k.Delete}
}

func (s *supervisorOverlay) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case matches(msg, k.Back):
		m.resetKiosk()
	case matches(msg, k.Digit):
		if len(s.pin) < maxSupervisorPIN {
			d, _ := digitOf(msg)
			s.pin += string(d)
		}
	case matches(msg, k.Delete):
		s.pin = trimLast(s.pin)
	case matches(msg, k.Next):
		pin, hash := s.pin, m.opts.SupervisorHash
		s.pin = ""
		if left, ok := m.locked(); ok {
			s.msg = fmt.Sprintf("Locked. Try again in %s.", left)
			return nil
		}
		return func() tea.Msg { return supervisorCheckMsg(pos.VerifySupervisorPIN(hash, pin)) }
	}
	return nil
}

func (m *model) locked() (time.Duration, bool) {
	left := m.lock.until.Sub(m.now())
	return left.Round(time.Second), left > 0
}

// onSupervisorCheck opens the menu, or counts a wrong try.
func (m *model) onSupervisorCheck(ok bool) {
	s, open := m.top().(*supervisorOverlay)
	if !open {
		return
	}
	if ok {
		m.lock = lockout{}
		m.pop()
		m.session.supervisor, m.state = true, stateSupervisorMenu
		return
	}
	m.lock.fails++
	if m.lock.fails < triesPerLockout {
		s.msg = "Wrong PIN. " + pos.Count(triesPerLockout-m.lock.fails, "try", "tries") + " left."
		return
	}
	d := firstLockout << m.lock.level
	if d > maxLockout || d <= 0 {
		d = maxLockout
	}
	m.lock.level++
	m.lock.fails = 0
	m.lock.until = m.now().Add(d)
	s.msg = fmt.Sprintf("Wrong PIN %d times. Locked for %s.", triesPerLockout, d)
}

func (s *supervisorOverlay) view(m *model, height int) []string {
	out := []string{m.st.Title.Render("Supervisor"), ""}
	out = append(out, m.input(strings.Repeat(m.st.Dot, len(s.pin))))
	if left, ok := m.locked(); ok {
		out = append(out, m.st.Error.Render(fmt.Sprintf("Locked. Try again in %s.", left)))
	} else if s.msg != "" {
		out = append(out, m.st.Error.Render(s.msg))
	} else {
		out = append(out, m.st.Hint.Render("Type the supervisor PIN, then Enter."))
	}
	return out
}

// supervisorMenuScreen: what a supervisor can do at a kiosk.
type supervisorMenuScreen struct{}

func (supervisorMenuScreen) bindings(m *model) (bar, more []key.Binding) {
	k := m.keys
	return []key.Binding{k.MenuExit, k.MenuSales, k.MenuReport, k.MenuReprint, k.Back}, nil
}

func (supervisorMenuScreen) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case matches(msg, k.MenuExit):
		return tea.Quit
	case matches(msg, k.MenuSales):
		return m.openHistory()
	case matches(msg, k.MenuReport):
		return m.openReport()
	case matches(msg, k.MenuReprint):
		return m.reprintLast()
	case matches(msg, k.Back):
		m.resetKiosk()
	}
	return nil
}

// reprintLast reprints the last approved sale's slip, or says why not.
func (m *model) reprintLast() tea.Cmd {
	ref := m.print.lastApproved
	switch {
	case ref == "":
		m.print.note = "No sale has been approved since the till started."
		return nil
	case !m.till.HasPrinter():
		m.print.note = "No receipt printer is set up (receipt.printer): open Today's sales (2) to view the slip."
		return nil
	}
	if m.print.printed == nil {
		m.print.printed = map[string]bool{}
	}
	m.print.printed[ref] = true // a reprint
	return m.printCmd(ref)
}

func (supervisorMenuScreen) view(m *model) []string {
	out := []string{m.st.Title.Render("Supervisor menu"), "",
		"1  Exit voucherpos",
		"2  Today's sales",
		"3  Z-report",
		"4  Reprint the last slip",
	}
	if m.print.note != "" {
		out = append(out, "")
		out = append(out, m.styled(m.st.Hint, m.print.note)...)
	}
	return out
}
