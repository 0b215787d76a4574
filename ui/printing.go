package ui

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// Printing and previewing slips, off the screen's path: a slow or broken
// printer never holds the till.

type (
	printDoneMsg struct {
		ref string
		err error
	}
	slipMsg struct {
		ref   string
		lines []string
		err   error
	}
)

// printCmd prints a sale's slip. A second print of a sale, or one from
// History, is a reprint.
func (m *model) printCmd(ref string) tea.Cmd {
	if !m.till.HasPrinter() {
		m.print.note = "No receipt printer is set up (receipt.printer). Press v to show the slip."
		if m.state == stateDetail {
			m.print.note = "No receipt printer is set up (receipt.printer): the slip is shown below."
		}
		return nil
	}
	if m.print.printed == nil {
		m.print.printed = map[string]bool{}
	}
	reprint := m.print.printed[ref] || m.state == stateDetail
	m.print.note = "Printing the slip…"
	till := m.till
	return func() tea.Msg {
		return printDoneMsg{ref, till.Print(context.Background(), ref, reprint)}
	}
}

func (m *model) onPrinted(msg printDoneMsg) {
	if msg.err != nil {
		m.print.note = "The slip did not print: " + msg.err.Error() + ". Press p to try again."
		return
	}
	m.print.printed[msg.ref] = true
	m.print.note = "Slip printed (" + m.till.PrinterName() + ")."
}

// previewCmd builds a sale's slip to show: over the Approved screen, or
// below a sale's detail (reprint).
func (m *model) previewCmd(ref string, reprint bool) tea.Cmd {
	till := m.till
	return func() tea.Msg {
		slip, err := till.Slip(context.Background(), ref, reprint)
		if err != nil {
			return slipMsg{ref, nil, err}
		}
		return slipMsg{ref, strings.Split(strings.TrimSuffix(slip.Text(), "\n"), "\n"), nil}
	}
}

func (m *model) onSlip(msg slipMsg) {
	lines := msg.lines
	if msg.err != nil {
		lines = []string{"The slip could not be built: " + msg.err.Error()}
	}
	switch {
	case m.state == stateApproved && msg.ref == m.out.sale.Reference:
		m.push(&slipOverlay{lines: lines})
	case m.state == stateDetail && m.hist.detail != nil && msg.ref == m.hist.detail.Reference:
		m.hist.slip, m.hist.slipTop = lines, 0
	}
}
