package ui

import (
	"fmt"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"voucherpos/pos"
)

// Smallest window the till draws in.
const minWidth, minHeight = 40, 12

// View draws the status bar, the screen and the help bar.
func (m *model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "voucherpos"
	return v
}

// tooSmall: the window cannot show a screen, so no key may act.
func (m *model) tooSmall() bool { return m.width < minWidth || m.hgt < minHeight }

// tooSmallView asks for a larger window in words that fit the one it has.
func (m *model) tooSmallView() string {
	text := fmt.Sprintf("Please make this window at least %d×%d (it is %d×%d).", minWidth, minHeight, m.width, m.hgt)
	if m.st.ascii {
		text = asciiText.Replace(text)
	}
	lines := wrapWords(text, max(m.width, 1))
	lines = lines[:min(len(lines), max(m.hgt, 1))]
	for i, l := range lines {
		if cells(l) > m.width {
			lines[i] = ansi.Truncate(l, max(m.width, 0), "")
		}
	}
	return strings.Join(lines, "\n")
}

func (m *model) render() string {
	if m.tooSmall() {
		return m.tooSmallView()
	}
	bodyHeight := m.hgt - 2
	var notice []string
	if m.notice != "" {
		notice = wrap(m.notice, m.width-2)
		notice = notice[:min(len(notice), 2)]
		bodyHeight -= len(notice)
	}
	var body []string
	if o := m.top(); o != nil {
		body = o.view(m, bodyHeight)
	}
	if body == nil {
		body = screens[m.state].view(m)
	}
	if len(body) > bodyHeight {
		body = body[:bodyHeight]
	}
	var b strings.Builder
	b.Grow(m.width * m.hgt)
	b.WriteString(m.statusBar())
	for _, line := range body {
		b.WriteByte('\n')
		b.WriteString(m.fit(" " + line))
	}
	for i := len(body); i < bodyHeight; i++ {
		b.WriteByte('\n')
	}
	for _, l := range notice {
		b.WriteByte('\n')
		b.WriteString(m.fit(" " + m.st.Warn.Render(l)))
	}
	b.WriteByte('\n')
	b.WriteString(m.fit(m.helpBar()))
	if m.st.ascii {
		return asciiText.Replace(b.String())
	}
	return b.String()
}

// asciiText replaces the punctuation a Linux console may not draw.
var asciiText = strings.NewReplacer("—", "-", "…", "...", "×", "x", "’", "'", "↑↓", "up/down", "↑", "up", "↓", "down", "→", "->", "←", "<-")

// fit cuts a line to the window's width.
func (m *model) fit(s string) string {
	// A cell takes at least one byte: a line no longer in bytes than the
	// window is wide needs no measuring.
	if len(s) <= m.width || cells(s) <= m.width {
		return s
	}
	tail := "…"
	if m.st.ascii {
		tail = "~"
	}
	if plainASCII(s) {
		return s[:m.width-1] + tail
	}
	return truncate(s, m.width, tail)
}

// cells is the width of s on screen. ASCII text, CSI sequences (SGR) and
// the till's own glyphs (narrowGlyph), most of what the till writes, are
// measured without the grapheme segmentation of ansi.StringWidth, which
// the rest goes through.
func cells(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x20 && c < 0x7f:
			n++
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			i += 2 // a CSI sequence ends with a byte in 0x40–0x7e
			for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
				i++
			}
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrowGlyph(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size - 1
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}

// narrowGlyph: a character the till draws that takes one cell and is a
// grapheme of its own (no mark or selector joins it to its neighbours, and
// it joins none), so that text of these, ASCII and SGR is measured a
// character at a time. TestNarrowGlyphs holds ansi.StringWidth to it.
func narrowGlyph(r rune) bool {
	switch r {
	case '•', '—', '–', '…', '×', '·', '’', '‘', '“', '”', '›',
		'←', '↑', '→', '↓', '⌫', '✓', '✔', '✘', '─', '▏', '◐', '◑', '◒', '◓',
		'€', '₦', '₵':
		return true
	}
	return false
}

// truncate is ansi.Truncate(s, width, tail) for the text cells measures
// without ansi (ASCII, SGR, narrowGlyph), a character at a time: the
// characters that fit, the tail, then every escape sequence after the cut
// (a style closed past the cut still closes). Other text goes to ansi.
func truncate(s string, width int, tail string) string {
	length := width - cells(tail)
	if cells(s) <= width {
		return s
	}
	if length < 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s) + len(tail))
	n, cut := 0, false
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		switch {
		case c >= 0x20 && c < 0x7f:
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2
			for j < len(s) && s[j] >= 0x20 && s[j] < 0x40 {
				j++
			}
			if j == len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return ansi.Truncate(s, width, tail)
			}
			b.WriteString(s[i : j+1])
			i = j + 1
			continue
		case c >= 0x80:
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if !narrowGlyph(r) {
				return ansi.Truncate(s, width, tail)
			}
		default:
			return ansi.Truncate(s, width, tail)
		}
		if n < length {
			b.WriteString(s[i : i+size])
			n++
		} else if !cut {
			b.WriteString(tail)
			cut = true
		}
		i += size
	}
	return b.String()
}

// plainASCII: printable ASCII only, one byte a cell.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// compact: small windows get no blank lines between parts.
func (m *model) compact() bool { return m.hgt < 18 }

func (m *model) gap() []string {
	if m.compact() {
		return nil
	}
	return []string{""}
}

func (m *model) statusBar() string {
	var badge string // one style rendered, not three
	switch m.opts.Mode {
	case ModeDemo:
		badge = m.st.Demo.Render(" DEMO ")
	case ModeTest:
		badge = m.st.Test.Render(" TEST ")
	case ModeLive:
		badge = m.st.Live.Render(" LIVE ")
	}
	badgeWidth := 0
	if badge != "" {
		badgeWidth = len(" DEMO ")
	}
	right, rightWidth := "", 0
	if s := m.syncText(); s != "" {
		rightWidth = cells(s)
		right = m.st.Hint.Render(s)
		if m.sync.State == pos.SyncUnreachable || m.sync.State == pos.SyncRefused {
			right = m.st.Warn.Render(s)
		}
	}
	if m.unresolved > 0 {
		open := fmt.Sprintf(" %d unresolved ", m.unresolved)
		if m.width < 60 {
			open = fmt.Sprintf(" %d open ", m.unresolved)
		}
		rightWidth += cells(open)
		right += m.st.Warn.Render(open)
	}
	left := " " + m.opts.Store.Name + " " + m.st.Dot + " " + m.opts.Store.TerminalID + " "
	space := m.width - cells(left) - badgeWidth - rightWidth
	if space < 1 {
		// The store's name gives way first: the mode and what is open stay.
		if room := m.width - badgeWidth - rightWidth; room > 1 {
			left = truncate(left, room-1, "…") + " "
		} else {
			left = ""
		}
		space = max(m.width-cells(left)-badgeWidth-rightWidth, 0)
	}
	return m.fit(m.st.Bar.Render(left+strings.Repeat(" ", space)) + badge + right)
}

// syncText is where shipping to the store server stands, for the status
// bar: "sync ✓", "sync: 12 waiting", "store server unreachable since
// 10:42" (shorter on a narrow window); "" with no store server.
func (m *model) syncText() string {
	s := m.sync
	if !s.Enabled {
		return ""
	}
	narrow := m.width < 60
	since := s.Since.Format("15:04")
	switch s.State {
	case pos.SyncInSync:
		if m.st.ascii {
			return " sync ok "
		}
		return " sync ✓ "
	case pos.SyncWaiting:
		if narrow {
			return fmt.Sprintf(" %d to sync ", s.Waiting)
		}
		return fmt.Sprintf(" sync: %d waiting ", s.Waiting)
	case pos.SyncUnreachable:
		if narrow {
			return " store off " + since + " "
		}
		return " store server unreachable since " + since + " "
	case pos.SyncRefused:
		if narrow {
			return " store refuses "
		}
		return " store server refuses since " + since + " "
	}
	return ""
}

func (m *model) helpBar() string {
	var parts []string
	var widths []int // of each part on screen
	total := 1       // the leading space
	for _, b := range m.bar() {
		h := b.Help()
		k := h.Key
		if m.st.ascii {
			k = asciiKeys.Replace(k)
		}
		if m.width < 60 {
			k = narrowKeys.Replace(k) // room for Esc on a 40-column bar
		}
		w := cells(k) + 1 + cells(h.Desc)
		if len(parts) > 0 {
			total += 2
		}
		total += w
		parts = append(parts, m.st.Title.Render(k)+" "+m.st.Help.Render(h.Desc))
		widths = append(widths, w)
	}
	// On a narrow window drop the middle entries first: the first (what
	// Enter does) and the last two (help, quit) stay as long as they can.
	for len(parts) > 2 && total > m.width {
		i := max(len(parts)-3, 1)
		total -= 2 + widths[i]
		parts = append(parts[:i], parts[i+1:]...)
		widths = append(widths[:i], widths[i+1:]...)
	}
	return " " + strings.Join(parts, "  ")
}

var narrowKeys = strings.NewReplacer("ctrl+c", "^C")

var asciiKeys = strings.NewReplacer("⌫", "bksp", "↑↓", "up/down", "↑", "up", "↓", "down", "←/→", "left/right", "→", "right")

func (m *model) title(t string) []string {
	out := []string{m.st.Title.Render(t)}
	if m.demo() && !m.compact() {
		out = append(out, m.st.Hint.Render("Demo mode: built-in Kora sandbox, no real money."))
	}
	return append(out, m.gap()...)
}

func (m *model) input(text string) string {
	return m.st.Arrow + " " + m.st.Input.Render(text) + m.st.Cursor
}

func (m *model) errLine() []string {
	if m.entry.fieldErr == "" {
		return nil
	}
	return []string{m.st.Error.Render(m.entry.fieldErr)}
}

func (m *model) row(label, value string) string {
	return m.st.Label.Render(fmt.Sprintf("%-9s", label)) + " " + m.st.Value.Render(value)
}

// styled wraps text to the window and styles each line.
func (m *model) styled(st span, text string) []string {
	lines := wrap(text, m.width-2)
	for i, l := range lines {
		lines[i] = st.Render(l)
	}
	return lines
}

// wrap breaks text into lines of at most width cells (10 at least).
func wrap(text string, width int) []string { return wrapWords(text, max(width, 10)) }

// wrapWords breaks text at spaces into lines of at most width cells; a
// word longer than the width has a line of its own.
func wrapWords(text string, width int) []string {
	var out []string
	line, lineWidth := "", 0
	for _, w := range strings.Fields(text) {
		ww := cells(w)
		if line != "" && lineWidth+1+ww > width {
			out = append(out, line)
			line, lineWidth = "", 0
		}
		if line != "" {
			line += " "
			lineWidth++
		}
		line += w
		lineWidth += ww
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}
