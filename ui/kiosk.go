package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// Kiosk mode: the customer drives the till. Keys that could leave the
// program do nothing, History and the report are behind the supervisor
// PIN, and an abandoned sale clears itself.

// supervisorSequence opens the supervisor PIN prompt when typed on the
// Amount screen within supervisorWindow: three presses of * (keypad or
// keyboard).
const (
	supervisorSequence = 3
	supervisorWindow   = 3 * time.Second
	firstLockout       = 30 * time.Second
	maxLockout         = time.Hour
	triesPerLockout    = 3
)

type (
	idleTickMsg        time.Time
	supervisorCheckMsg bool
)

// lockedKeys never leave a kiosk, whatever state it is in.
func lockedKey(k string) bool {
	switch k {
	case "ctrl+c", "ctrl+z", "ctrl+\\", "q", "ctrl+d":
		return true
	}
	return false
}

// staffOnly: History and the report are for staff; in kiosk mode only once
// the supervisor PIN has been given.
func (m *model) staffOnly() bool { return m.kiosk && !m.supervisor }

func (m *model) idleTick() tea.Cmd {
	if !m.kiosk || m.opts.Tick != nil {
		return nil // tests send idleTickMsg themselves
	}
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return idleTickMsg(t) })
}

// typed: something of a customer's is on screen.
func (m *model) typed() bool { return m.amountText != "" || m.pin != "" || m.phone != "" }

// checkIdle clears an abandoned kiosk: an entry screen with anything typed
// after IdleTimeout without a key, a result screen after ResultTimeout, and
// staff screens after IdleTimeout. A sale still being checked keeps being
// checked in the background.
func (m *model) checkIdle() {
	if !m.kiosk {
		return
	}
	now := m.now()
	idle := now.Sub(m.lastKey)
	switch m.state {
	case stateAmount, stateProvider, statePIN, statePhone, stateConfirm:
		if m.typed() && idle >= m.opts.IdleTimeout {
			m.resetKiosk()
		}
	case stateApproved, stateDeclined:
		if now.Sub(m.resultAt) >= m.opts.ResultTimeout && idle >= m.opts.ResultTimeout {
			m.resetKiosk()
		}
	case stateSubmitting:
	default:
		if idle >= m.opts.IdleTimeout {
			m.resetKiosk()
		}
	}
}

// resetKiosk wipes everything the last customer left, the PIN first.
func (m *model) resetKiosk() {
	m.pin, m.supPIN = "", ""
	m.newSale()
	m.supervisor, m.showHelp, m.showVouchers, m.detail, m.stars = false, false, false, nil, 0
}

// star counts the supervisor sequence on the Amount screen.
func (m *model) star() {
	if !m.kiosk {
		return
	}
	now := m.now()
	if now.Sub(m.starAt) > supervisorWindow {
		m.stars = 0
	}
	m.stars, m.starAt = m.stars+1, now
	if m.stars >= supervisorSequence {
		m.stars = 0
		m.newSale() // the supervisor menu: the customer's sale is left
		m.state, m.supPIN, m.supMsg = stateSupervisorPIN, "", ""
	}
}

func (m *model) locked() (time.Duration, bool) {
	left := m.lockUntil.Sub(m.now())
	return left.Round(time.Second), left > 0
}

func (m *model) keySupervisorPIN(k string) tea.Cmd {
	switch {
	case m.matches(k, m.keys.Back):
		m.resetKiosk()
	case isDigit(k):
		if len(m.supPIN) < 12 {
			m.supPIN += k
		}
	case m.matches(k, m.keys.Delete):
		m.supPIN = trimLast(m.supPIN)
	case m.matches(k, m.keys.Next):
		if left, ok := m.locked(); ok {
			m.supMsg = fmt.Sprintf("Locked. Try again in %s.", left)
			m.supPIN = ""
			return nil
		}
		pin, hash := m.supPIN, m.opts.SupervisorHash
		m.supPIN = ""
		return func() tea.Msg { return supervisorCheckMsg(pos.VerifySupervisorPIN(hash, pin)) }
	}
	return nil
}

// onSupervisorCheck opens the menu, or counts a wrong try: three wrong
// tries lock the prompt, each lockout twice as long as the last.
func (m *model) onSupervisorCheck(ok bool) {
	if m.state != stateSupervisorPIN {
		return
	}
	if ok {
		m.supFails, m.lockLevel, m.supMsg = 0, 0, ""
		m.supervisor, m.state = true, stateSupervisorMenu
		return
	}
	m.supFails++
	if m.supFails < triesPerLockout {
		m.supMsg = "Wrong PIN. " + pos.Count(triesPerLockout-m.supFails, "try", "tries") + " left."
		return
	}
	d := firstLockout << m.lockLevel
	if d > maxLockout || d <= 0 {
		d = maxLockout
	}
	m.lockLevel++
	m.supFails = 0
	m.lockUntil = m.now().Add(d)
	m.supMsg = fmt.Sprintf("Wrong PIN 3 times. Locked for %s.", d)
}

func (m *model) keySupervisorMenu(k string) tea.Cmd {
	switch k {
	case "1":
		return tea.Quit
	case "2":
		return m.openHistory()
	case "3":
		return m.openReport()
	case "4":
		if m.lastApproved != "" && !m.svc.HasPrinter() {
			m.printNote = "No receipt printer is set up (receipt.printer): open Today's sales (2) to view the slip."
			return nil
		}
		if m.lastApproved != "" {
			if m.printed == nil {
				m.printed = map[string]bool{}
			}
			m.printed[m.lastApproved] = true // a reprint
			return m.printCmd(m.lastApproved)
		}
		m.printNote = "No sale has been approved since the till started."
	default:
		if m.matches(k, m.keys.Back) {
			m.resetKiosk()
		}
	}
	return nil
}

func (m *model) supervisorPINView() []string {
	out := []string{m.st.Title.Render("Supervisor"), ""}
	out = append(out, m.input(strings.Repeat(m.st.Dot, len(m.supPIN))))
	if left, ok := m.locked(); ok {
		out = append(out, m.st.Error.Render(fmt.Sprintf("Locked. Try again in %s.", left)))
	} else if m.supMsg != "" {
		out = append(out, m.st.Error.Render(m.supMsg))
	} else {
		out = append(out, m.st.Hint.Render("Type the supervisor PIN, then Enter."))
	}
	return out
}

func (m *model) supervisorMenuView() []string {
	out := []string{m.st.Title.Render("Supervisor menu"), "",
		"1  Exit voucherpos",
		"2  Today's sales",
		"3  Z-report",
		"4  Reprint the last slip",
	}
	if m.printNote != "" {
		out = append(out, "")
		out = append(out, m.styled(m.st.Hint, m.printNote)...)
	}
	return out
}

// maskAll shows a PIN's digits as dots, in groups of four.
func (m *model) maskAll(pin string) string {
	return strings.ReplaceAll(pos.GroupPIN(strings.Repeat("0", len(pin))), "0", m.st.Dot)
}

// say picks the cashier's or the customer's words.
func (m *model) say(cashier, customer string) string {
	if m.kiosk {
		return customer
	}
	return cashier
}
