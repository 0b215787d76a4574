package ui

import (
	"fmt"
	"slices"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// TestPanelCacheKeys: the help and voucher panels keep their page between
// views, so a change of anything the page is drawn from — width, height,
// scroll, ASCII and the styles, the kiosk's words, the screen's keys, the
// vouchers — must change what is drawn, exactly as a panel drawn afresh
// would. Each step changes one of them alone.
func TestPanelCacheKeys(t *testing.T) {
	t.Parallel()
	for _, panel := range []string{"?", "d"} {
		t.Run(panel, func(t *testing.T) {
			h := newHarness(t)
			var vouchers []string
			for i := range 12 {
				vouchers = append(vouchers, fmt.Sprintf("%04d 6480 9679 29%02d  1Voucher  R%d00: a voucher with a long description", i, i, i+1))
			}
			h.m.opts.DemoVouchers = vouchers
			h.press("1", panel) // an amount typed: Esc clears it
			p, ok := h.m.top().(*panelOverlay)
			if !ok {
				t.Fatalf("%s opened no panel: %T", panel, h.m.top())
			}
			// check draws the panel, then the same panel with nothing kept,
			// and wants them equal and, after a change, unlike the last.
			var last string
			check := func(change string) {
				t.Helper()
				got, gotLines := h.m.render(), slices.Clone(p.lines(h.m))
				kept := p.cache
				p.cache = panelCache{}
				want, wantLines := h.m.render(), p.lines(h.m)
				p.cache = kept
				if got != want || !slices.Equal(gotLines, wantLines) {
					t.Errorf("after %s the panel kept shows\n%s\nand drawn afresh\n%s", change, got, want)
				}
				if change != "" && got == last {
					t.Errorf("%s did not change the panel:\n%s", change, got)
				}
				last = got
			}
			check("")
			h.m.Update(tea.WindowSizeMsg{Width: 40, Height: 24})
			check("the width")
			h.m.Update(tea.WindowSizeMsg{Width: 40, Height: 12})
			check("the height")
			h.press("down")
			check("a scroll")
			h.press("down")
			check("another scroll")
			st := newStyles(false)
			st.Title = newSpan(lipgloss.NewStyle().Underline(true))
			h.m.st = st
			check("the styles")
			h.m.opts.ASCII, h.m.st = true, newStyles(true)
			check("ASCII")
			if panel == "d" {
				vouchers[2] = "9999 6480 9679 2999  OTT  R1: another voucher"
				check("a voucher changed in place")
				h.m.opts.DemoVouchers = vouchers[1:]
				check("a voucher fewer")
				return
			}
			h.m.Update(tea.WindowSizeMsg{Width: 40, Height: 40}) // the whole page
			check("the height")
			h.m.keys.Next.SetHelp("enter", "go on")
			check("a key's words")
			h.m.entry.amountText = "" // Esc would change nothing: help drops it
			h.m.syncKeys()
			check("the screen's keys")
			h.m.opts.Kiosk = true
			check("kiosk mode")
		})
	}
}
