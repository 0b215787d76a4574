package ui

import (
	"charm.land/lipgloss/v2"
)

// styles is every style and glyph the screens use, built once. The colour
// profile (NO_COLOR, 16 colours on the Linux console) is applied by the
// renderer; ascii swaps glyphs for terminals without Unicode.
type styles struct {
	ascii bool

	Title    lipgloss.Style
	Label    lipgloss.Style
	Value    lipgloss.Style
	Input    lipgloss.Style
	Hint     lipgloss.Style
	Error    lipgloss.Style
	Good     lipgloss.Style
	Bad      lipgloss.Style
	Warn     lipgloss.Style
	Loud     lipgloss.Style
	Bar      lipgloss.Style
	Demo     lipgloss.Style
	Test     lipgloss.Style
	Live     lipgloss.Style
	Selected lipgloss.Style
	Help     lipgloss.Style

	Tick, Cross, Dot, Rule, Cursor, Arrow string
	Spinner                               []string
}

func newStyles(ascii bool) *styles {
	s := &styles{
		ascii:    ascii,
		Title:    lipgloss.NewStyle().Bold(true),
		Label:    lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		Value:    lipgloss.NewStyle().Bold(true),
		Input:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("14")),
		Hint:     lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
		Error:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("9")),
		Good:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("10")),
		Bad:      lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("9")),
		Warn:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("11")),
		Loud:     lipgloss.NewStyle().Bold(true).Reverse(true),
		Bar:      lipgloss.NewStyle().Reverse(true),
		Demo:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("11")),
		Test:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("14")),
		Live:     lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("1")),
		Selected: lipgloss.NewStyle().Reverse(true),
		Help:     lipgloss.NewStyle().Foreground(lipgloss.Color("8")),
	}
	if ascii {
		s.Tick, s.Cross, s.Dot, s.Rule, s.Cursor, s.Arrow = "OK", "X", "*", "-", "_", ">"
		s.Spinner = []string{"|", "/", "-", "\\"}
	} else {
		s.Tick, s.Cross, s.Dot, s.Rule, s.Cursor, s.Arrow = "✔", "✘", "•", "─", "▏", "›"
		s.Spinner = []string{"◐", "◓", "◑", "◒"}
	}
	return s
}
