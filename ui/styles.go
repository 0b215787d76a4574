package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// span is a style for a line of text with its escape codes rendered once:
// drawing a screen then costs string concatenations, not lipgloss's layout
// work on every call (BENCHMARKS.md: it was most of View's time).
type span struct {
	on, off string
	style   lipgloss.Style
}

func newSpan(st lipgloss.Style) span {
	on, off, _ := strings.Cut(st.Render("\x00"), "\x00")
	return span{on: on, off: off, style: st}
}

// Render styles s as lipgloss does; text with a line break or a tab, which
// lipgloss lays out, goes through lipgloss.
func (sp span) Render(s string) string {
	if strings.ContainsAny(s, "\n\t") {
		return sp.style.Render(s)
	}
	return sp.on + s + sp.off
}

// styles is every style and glyph the screens use, built once. The colour
// profile (NO_COLOR, 16 colours on the Linux console) is applied by the
// renderer; ascii swaps glyphs for terminals without Unicode.
type styles struct {
	ascii bool

	Title    span
	Label    span
	Value    span
	Input    span
	Hint     span
	Error    span
	Good     span
	Bad      span
	Warn     span
	Loud     span
	Bar      span
	Demo     span
	Test     span
	Live     span
	Selected span
	Help     span

	Tick, Cross, Dot, Rule, Cursor, Arrow string
	Spinner                               []string
}

func newStyles(ascii bool) *styles {
	s := &styles{
		ascii:    ascii,
		Title:    newSpan(lipgloss.NewStyle().Bold(true)),
		Label:    newSpan(lipgloss.NewStyle().Foreground(lipgloss.Color("8"))),
		Value:    newSpan(lipgloss.NewStyle().Bold(true)),
		Input:    newSpan(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("14"))),
		Hint:     newSpan(lipgloss.NewStyle().Foreground(lipgloss.Color("8"))),
		Error:    newSpan(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("9"))),
		Good:     newSpan(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("10"))),
		Bad:      newSpan(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("9"))),
		Warn:     newSpan(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("11"))),
		Loud:     newSpan(lipgloss.NewStyle().Bold(true).Reverse(true)),
		Bar:      newSpan(lipgloss.NewStyle().Reverse(true)),
		Demo:     newSpan(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("11"))),
		Test:     newSpan(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(lipgloss.Color("14"))),
		Live:     newSpan(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("1"))),
		Selected: newSpan(lipgloss.NewStyle().Reverse(true)),
		Help:     newSpan(lipgloss.NewStyle().Foreground(lipgloss.Color("8"))),
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
