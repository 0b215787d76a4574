package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// screen is one state's behaviour: its keys, its view and the bindings
// its help offers. Each lives in a screen_*.go file of its own.
type screen interface {
	// key handles a key press that no overlay took.
	key(m *model, msg tea.KeyPressMsg) tea.Cmd
	// view is the screen's body, between the status and help bars.
	view(m *model) []string
	// bindings are the keys the screen honours: those the help bar shows
	// first, and those only the ? page lists.
	bindings(m *model) (bar, more []key.Binding)
}

// screens is every state's screen.
var screens = map[state]screen{
	stateAmount:         amountScreen{},
	stateProvider:       providerScreen{},
	statePIN:            pinScreen{},
	statePhone:          phoneScreen{},
	stateConfirm:        confirmScreen{},
	stateSubmitting:     submittingScreen{},
	stateApproved:       approvedScreen{},
	stateDeclined:       declinedScreen{},
	stateChecking:       checkingScreen{},
	stateHistory:        historyScreen{},
	stateDetail:         detailScreen{},
	stateReport:         reportScreen{},
	stateSupervisorMenu: supervisorMenuScreen{},
	stateStore:          storeScreen{},
}

// staffKey opens History or the report (bindings that syncKeys switches
// off for a kiosk's customer).
func (m *model) staffKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case matches(msg, m.keys.History):
		return m.openHistory()
	case matches(msg, m.keys.Report):
		return m.openReport()
	}
	return nil
}

// paste takes a scanner's or clipboard's text into the field being typed,
// as text and never as keys: no letter in it opens a screen, no "+" moves
// on. A paste that is not valid as a whole is refused with a message and
// the field keeps what it had.
func (m *model) paste(text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	var ok bool
	switch m.state {
	case stateAmount:
		ok = m.pasteAmount(text)
	case statePIN:
		ok = m.pastePIN(text)
	case statePhone:
		ok = m.pastePhone(text)
	default:
		return // no field to type into
	}
	if !ok {
		m.entry.fieldErr = pasteRefused(m.state, text)
	}
}
