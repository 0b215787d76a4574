package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
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
)

type idleTickMsg time.Time

func (m *model) idleTick() tea.Cmd {
	if !m.opts.Kiosk || m.opts.Tick != nil {
		return nil // tests send idleTickMsg themselves
	}
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return idleTickMsg(t) })
}

// checkIdle clears an abandoned kiosk: an entry screen with anything typed
// after IdleTimeout without a key, a result screen after ResultTimeout, and
// staff screens after IdleTimeout. A sale still being checked keeps being
// checked in the background.
func (m *model) checkIdle() {
	if !m.opts.Kiosk {
		return
	}
	now := m.now()
	idle := now.Sub(m.lastKey)
	switch {
	case m.state == stateSubmitting:
	case topIs[*supervisorOverlay](m):
		if idle >= m.opts.IdleTimeout {
			m.resetKiosk()
		}
	case m.state.typing():
		if m.typed() && idle >= m.opts.IdleTimeout {
			m.resetKiosk()
		}
	case m.state.result():
		if now.Sub(m.out.resultAt) >= m.opts.ResultTimeout && idle >= m.opts.ResultTimeout {
			m.resetKiosk()
		}
	default:
		if idle >= m.opts.IdleTimeout {
			m.resetKiosk()
		}
	}
}

// resetKiosk wipes everything the last customer (or supervisor) left: the
// sale, the staff screens, the signed-in supervisor. Only the lockout of
// wrong supervisor PINs stays.
func (m *model) resetKiosk() {
	m.newSale()
	m.hist = history{}
	m.session = kioskSession{}
}

// star counts the supervisor sequence on the Amount screen. Reaching the
// supervisor leaves the customer's sale.
func (m *model) star() {
	now := m.now()
	if now.Sub(m.session.starAt) > supervisorWindow {
		m.session.stars = 0
	}
	m.session.stars, m.session.starAt = m.session.stars+1, now
	if m.session.stars >= supervisorSequence {
		m.newSale()
		m.session.stars = 0
		m.push(&supervisorOverlay{})
	}
}

// say picks the cashier's or the customer's words.
func (m *model) say(cashier, customer string) string {
	if m.opts.Kiosk {
		return customer
	}
	return cashier
}
