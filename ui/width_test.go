package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestNarrowGlyphs: each glyph cells measures itself is one cell and a
// grapheme of its own for ansi, alone and between text and styles.
func TestNarrowGlyphs(t *testing.T) {
	t.Parallel()
	for r := rune(0x80); r < 0x3000; r++ {
		if !narrowGlyph(r) {
			continue
		}
		g := string(r)
		for _, s := range []string{g, "a" + g + "b", g + g, "\x1b[1m" + g + "\x1b[m" + g + " x", g + "é"} {
			if got, want := cells(s), ansi.StringWidth(s); got != want {
				t.Errorf("cells(%q) = %d, ansi says %d", s, got, want)
			}
		}
	}
}

// TestTruncateIsAnsis: truncate cuts every line the screens draw, at every
// width, as ansi.Truncate does, and cells measures them as ansi does.
func TestTruncateIsAnsis(t *testing.T) {
	t.Parallel()
	tl := newBenchTill(t, t.TempDir())
	defer tl.close()
	lines := []string{"", "é…", "a\tb", "\x1b]8;;x\x1b\\link\x1b]8;;\x1b\\ text", "✔\ufe0f ok", "日本語 text", "\x1b[1m\x1b[m", "ab\x1b[1"}
	for _, ascii := range []bool{false, true} {
		for _, sc := range benchScreens(tl.svc.Currency()) {
			m := benchModel(tl.svc, 80, 24)
			m.st = newStyles(ascii)
			sc.set(m)
			m.syncKeys()
			lines = append(lines, strings.Split(m.render(), "\n")...)
			lines = append(lines, m.statusBar(), m.helpBar())
		}
	}
	for _, l := range lines {
		if got, want := cells(l), ansi.StringWidth(l); got != want {
			t.Errorf("cells(%q) = %d, ansi says %d", l, got, want)
		}
		for w := 0; w <= cells(l)+1; w++ {
			for _, tail := range []string{"…", "~", ""} {
				if got, want := truncate(l, w, tail), ansi.Truncate(l, w, tail); got != want {
					t.Errorf("truncate(%q, %d, %q) = %q, ansi gives %q", l, w, tail, got, want)
				}
			}
		}
	}
}
