package ui

import (
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// overlay is a layer over the screen: help, the demo vouchers, the quit
// question, a slip preview, the supervisor's PIN prompt, the grace after a
// result. The top of the stack takes every key and gives the help bar its
// bindings; keys, view and help each ask it once.
type overlay interface {
	key(m *model, msg tea.KeyPressMsg) tea.Cmd
	// view draws the overlay in height lines; nil draws the screen below.
	view(m *model, height int) []string
	bindings(m *model) []key.Binding
}

func (m *model) push(o overlay) { m.overlays = append(m.overlays, o) }

func (m *model) pop() {
	if n := len(m.overlays); n > 0 {
		m.overlays = m.overlays[:n-1]
	}
}

func (m *model) top() overlay {
	if n := len(m.overlays); n > 0 {
		return m.overlays[n-1]
	}
	return nil
}

func (m *model) dropOverlays() { m.overlays = nil }

// topIs reports whether the top overlay is of type T.
func topIs[T overlay](m *model) bool {
	_, ok := m.top().(T)
	return ok
}

// grace makes a result screen ignore keys for a moment: an extra Enter
// meant for the last screen must not start the next sale.
func (m *model) grace() { m.push(&graceOverlay{until: m.now().Add(m.opts.Grace)}) }

// graceOverlay is transparent: it shows the screen and its keys, and
// takes no key until its time is up, when it steps aside for the key.
type graceOverlay struct{ until time.Time }

func (g *graceOverlay) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	if m.now().Before(g.until) {
		// Only the screen's own keys wait: Ctrl+C and help start no sale.
		cmd, _ := m.sharedKey(msg)
		return cmd
	}
	m.pop()
	return m.onKey(msg)
}

func (g *graceOverlay) view(m *model, height int) []string { return nil }

// bindings: none of its own; help reads the screen's (see helpTop).
func (g *graceOverlay) bindings(m *model) []key.Binding { return nil }

// helpTop is the overlay whose keys the help offers: the top one, unless
// it is the transparent grace, whose screen's keys act once it is over.
func (m *model) helpTop() overlay {
	o := m.top()
	if _, grace := o.(*graceOverlay); grace {
		return nil
	}
	return o
}

// panelOverlay is a page of lines over the screen, a screenful at a time
// when it is taller than the window: the ? page (the keys of the screen
// below, from the same bindings as its help bar) or the demo vouchers.
type panelOverlay struct {
	vouchers bool // the demo vouchers, else help
	top      int
	cache    panelCache
	keys     []string // scratch for the help's keys, reused on every view
}

// panelCache is a panel's lines as last built, with everything they were
// built from: a view, a key and syncKeys each ask for them, and wrapping
// the page anew each time was most of the time the panel took to draw.
type panelCache struct {
	lines []string
	width int
	st    *styles  // the glyphs and styles (ASCII or not)
	kiosk bool     // the help's words
	src   []string // the demo vouchers, or the help's keys and what they do
}

func helpPanel() *panelOverlay     { return &panelOverlay{} }
func vouchersPanel() *panelOverlay { return &panelOverlay{vouchers: true} }

// lines is the panel's page, built again only when what it shows changed.
// The page is shared: callers do not change it.
func (p *panelOverlay) lines(m *model) []string {
	src := m.opts.DemoVouchers
	if !p.vouchers {
		p.keys = m.helpKeys(p.keys[:0])
		src = p.keys
	}
	c := &p.cache
	if c.lines != nil && c.width == m.width && c.st == m.st && c.kiosk == m.opts.Kiosk && slices.Equal(c.src, src) {
		return c.lines
	}
	if p.vouchers {
		c.lines = m.vouchersLines()
	} else {
		c.lines = m.helpLines(src)
	}
	c.width, c.st, c.kiosk = m.width, m.st, m.opts.Kiosk
	c.src = append(c.src[:0], src...)
	return c.lines
}

func (p *panelOverlay) closeKey(m *model) key.Binding {
	if p.vouchers {
		return m.keys.CloseVouchers
	}
	return m.keys.CloseHelp
}

func (p *panelOverlay) bindings(m *model) []key.Binding {
	return []key.Binding{p.closeKey(m), m.keys.ScrollPanel}
}

func (p *panelOverlay) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case matches(msg, m.keys.ScrollPanel):
		p.top = scrollBy(p.top, msg, m.keys, len(p.lines(m)), m.hgt-2)
	case matches(msg, p.closeKey(m)):
		m.pop()
	}
	return nil
}

func (p *panelOverlay) view(m *model, height int) []string {
	return m.scrollPanel(p.lines(m), p.top, height)
}

// helpKeys appends to keys each key of the screen and what it does, as
// the ? page lists them.
func (m *model) helpKeys(keys []string) []string {
	bar, more := screens[m.state].bindings(m)
	for _, b := range enabled(append(append(bar, more...), m.shared()...)) {
		h := b.Help()
		k := h.Key
		if m.st.ascii {
			k = asciiKeys.Replace(k)
		}
		keys = append(keys, k, h.Desc)
	}
	return keys
}

// helpLines: the screen's keys (from helpKeys), then how the till works.
func (m *model) helpLines(keys []string) []string {
	out := []string{m.st.Title.Render("Help"), ""}
	for i := 0; i+1 < len(keys); i += 2 {
		out = append(out, m.st.Title.Render(padRight(keys[i], 8))+" "+keys[i+1])
	}
	out = append(out, "")
	paras := []string{
		"Amount, provider, PIN, phone, confirm. Esc on the amount clears the whole sale; keypad - goes back and keypad + goes on.",
		"An unknown outcome is checked with Kora until final: never charged twice.",
	}
	if m.opts.Kiosk {
		paras = []string{
			"Type the amount and press Enter. Choose your voucher, type its PIN and your phone number, then check and press Enter to pay.",
			"If anything is unclear, please ask for help at the counter.",
		}
	}
	for _, p := range paras {
		out = append(out, wrap(p, m.width-2)...)
	}
	return out
}

func padRight(s string, n int) string {
	if w := cells(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

func (m *model) vouchersLines() []string {
	out := []string{m.st.Title.Render("Demo vouchers (d closes)")}
	for _, l := range m.opts.DemoVouchers {
		if cells(l) <= m.width-2 {
			out = append(out, l) // its columns kept
			continue
		}
		for i, w := range wrap(l, m.width-4) {
			if i > 0 {
				w = "  " + w
			}
			out = append(out, w)
		}
	}
	return out
}

// quitOverlay asks before quitting would lose something.
type quitOverlay struct{}

func (quitOverlay) bindings(m *model) []key.Binding { return []key.Binding{m.keys.Yes, m.keys.No} }

func (quitOverlay) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case matches(msg, m.keys.Yes):
		return tea.Quit
	case matches(msg, m.keys.No):
		m.pop()
	}
	return nil
}

func (quitOverlay) view(m *model, height int) []string {
	out := []string{m.st.Warn.Render("Quit voucherpos?"), ""}
	if m.state.submitted() {
		out = append(out, wrap("A submitted sale is still being checked. It will be reconciled when voucherpos starts again.", m.width-2)...)
	} else {
		out = append(out, "What has been typed will be lost.")
	}
	return append(out, "", "y quits, n goes back.")
}

// slipOverlay previews the approved sale's slip as it will print.
type slipOverlay struct {
	lines []string
	top   int
}

// slipKeys are the preview's own: Esc or v close it, ↑↓ scroll a slip
// taller than the window, p prints it when there is a printer.
func (s *slipOverlay) slipKeys(m *model) (closeSlip, scroll, print key.Binding) {
	k := m.keys
	closeSlip, scroll, print = k.Back, k.Scroll, k.Print
	closeSlip.SetKeys(append(closeSlip.Keys(), k.Preview.Keys()...)...)
	scroll.SetEnabled(len(s.lines)+1 > m.hgt-2)
	print.SetEnabled(m.till.HasPrinter())
	return closeSlip, scroll, print
}

func (s *slipOverlay) bindings(m *model) []key.Binding {
	closeSlip, scroll, print := s.slipKeys(m)
	return []key.Binding{closeSlip, print, scroll, m.keys.Help, m.keys.Quit}
}

func (s *slipOverlay) key(m *model, msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	closeSlip, scroll, print := s.slipKeys(m)
	switch {
	case matches(msg, closeSlip):
		m.pop()
	case matches(msg, scroll):
		s.top = m.moveSel(msg, s.top, len(s.lines))
	case matches(msg, print):
		return m.printCmd(m.out.sale.Reference)
	case matches(msg, k.Help):
		m.push(helpPanel())
	case matches(msg, k.Quit):
		return tea.Quit
	}
	return nil
}

func (s *slipOverlay) view(m *model, height int) []string {
	return append([]string{m.st.Title.Render("Slip preview")}, m.slipFrame(s.lines, s.top)...)
}

// slipFrame shows a slip from its line top, under a rule as wide as the
// slip (as far as the window allows).
func (m *model) slipFrame(lines []string, top int) []string {
	w := 0
	for _, l := range lines {
		w = max(w, cells(l))
	}
	out := []string{m.st.Hint.Render(strings.Repeat(m.st.Rule, min(m.width-2, w)))}
	return append(out, lines[min(top, len(lines)):]...)
}

// scrollPanel shows a panel taller than the window a screenful at a time
// from top, its title kept, with a line saying there is more.
func (m *model) scrollPanel(lines []string, top, height int) []string {
	if len(lines) <= height || height < 3 {
		return lines
	}
	room := height - 2 // the title and the "more" line
	maxTop := len(lines) - 1 - room
	top = min(max(top, 0), maxTop)
	out := append([]string{lines[0]}, lines[1+top:1+top+room]...)
	more := "↑↓ scroll: more below"
	switch {
	case top == maxTop:
		more = "↑ scroll: more above"
	case top > 0:
		more = "↑↓ scroll: more above and below"
	}
	return append(out, m.st.Hint.Render(more))
}

// scrollBy moves a panel of n lines shown in height lines by one line.
func scrollBy(top int, msg tea.KeyPressMsg, k *keyMap, n, height int) int {
	if matches(msg, k.Up) {
		top--
	} else {
		top++
	}
	return min(max(top, 0), max(n-1-(height-2), 0))
}

// panelScrolls: the open help or voucher panel is taller than the window.
func (m *model) panelScrolls() bool {
	p, ok := m.top().(*panelOverlay)
	return ok && len(p.lines(m)) > m.hgt-2
}
