package ui

import (
	"fmt"
	"strings"

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
	switch {
	case m.quitting:
		body = m.quitView()
	case m.showHelp:
		body = m.scrollPanel(m.helpView(), bodyHeight)
	case m.showVouchers:
		body = m.scrollPanel(m.vouchersView(), bodyHeight)
	default:
		body = m.screen()
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

// scrollPanel shows a panel taller than the window a screenful at a time
// from panelTop, its title kept, with a line saying there is more.
func (m *model) scrollPanel(lines []string, height int) []string {
	if len(lines) <= height || height < 3 {
		return lines
	}
	room := height - 2 // the title and the "more" line
	maxTop := len(lines) - 1 - room
	top := min(max(m.panelTop, 0), maxTop)
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

// panelLines is how many lines the open panel has (0: none open).
func (m *model) panelLines() int {
	switch {
	case m.showHelp:
		return len(m.helpView())
	case m.showVouchers:
		return len(m.vouchersView())
	}
	return 0
}

// panelScrolls: the open panel is taller than the window.
func (m *model) panelScrolls() bool { return m.panelLines() > m.hgt-2 }

// scrollPanelBy moves the open panel by d lines, within its length.
func (m *model) scrollPanelBy(d int) {
	maxTop := max(m.panelLines()-1-(m.hgt-4), 0)
	m.panelTop = min(max(m.panelTop+d, 0), maxTop)
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
	return ansi.Truncate(s, m.width, tail)
}

// cells is the width of s on screen. ASCII text and CSI sequences (SGR),
// most of what the till writes, are measured without the grapheme
// segmentation of ansi.StringWidth, which the rest goes through.
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
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
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
	cfg := m.svc.Config()
	mode := cfg.Mode()
	var badge string // one style rendered, not three
	switch mode {
	case "DEMO":
		badge = m.st.Demo.Render(" DEMO ")
	case "TEST":
		badge = m.st.Test.Render(" TEST ")
	case "LIVE":
		badge = m.st.Live.Render(" LIVE ")
	}
	badgeWidth := 0
	if badge != "" {
		badgeWidth = len(" DEMO ")
	}
	right, rightWidth := "", 0
	if m.unresolved > 0 {
		right = fmt.Sprintf(" %d unresolved ", m.unresolved)
		if m.width < 60 {
			right = fmt.Sprintf(" %d open ", m.unresolved)
		}
		rightWidth = cells(right)
		right = m.st.Warn.Render(right)
	}
	left := " " + cfg.Store.Name + " " + m.st.Dot + " " + cfg.Store.TerminalID + " "
	space := m.width - cells(left) - badgeWidth - rightWidth
	if space < 1 {
		left = m.fit(left)
		space = max(m.width-cells(left)-badgeWidth-rightWidth, 0)
	}
	return m.fit(m.st.Bar.Render(left+strings.Repeat(" ", space)) + badge + right)
}

func (m *model) helpBar() string {
	var parts []string
	var widths []int // of each part on screen
	total := 1       // the leading space
	for _, b := range m.help() {
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

// screen is the body of the current state.
func (m *model) screen() []string {
	switch m.state {
	case stateAmount:
		return m.amountView()
	case stateProvider:
		return m.providerView()
	case statePIN:
		return m.pinView()
	case statePhone:
		return m.phoneView()
	case stateConfirm:
		return m.confirmView()
	case stateSubmitting:
		return m.submittingView()
	case stateApproved:
		if m.slipView != nil {
			return append([]string{m.st.Title.Render("Slip preview")}, m.slipLines()...)
		}
		return m.approvedView()
	case stateDeclined:
		return m.declinedView()
	case stateChecking:
		return m.checkingView()
	case stateHistory:
		return m.historyView()
	case stateDetail:
		if m.slipView != nil {
			return append(m.detailView(), m.slipLines()...)
		}
		return m.detailView()
	case stateReport:
		return m.reportView()
	case stateSupervisorPIN:
		return m.supervisorPINView()
	case stateSupervisorMenu:
		return m.supervisorMenuView()
	}
	return nil
}

// slipLines shows a slip as it will print, in a frame of its own.
func (m *model) slipLines() []string {
	w := 0 // the frame is as wide as the slip, as far as the window allows
	for _, l := range m.slipView {
		w = max(w, cells(l))
	}
	out := []string{m.st.Hint.Render(strings.Repeat(m.st.Rule, min(m.width-2, w)))}
	return append(out, m.slipView[min(m.slipTop, len(m.slipView)):]...)
}

func (m *model) title(t string) []string {
	out := []string{m.st.Title.Render(t)}
	if m.demo && !m.compact() {
		out = append(out, m.st.Hint.Render("Demo mode: built-in Kora sandbox, no real money."))
	}
	return append(out, m.gap()...)
}

func (m *model) input(text string) string {
	return m.st.Arrow + " " + m.st.Input.Render(text) + m.st.Cursor
}

func (m *model) errLine() []string {
	if m.fieldErr == "" {
		return nil
	}
	return []string{m.st.Error.Render(m.fieldErr)}
}

func (m *model) amountView() []string {
	cur := m.svc.Currency()
	out := m.title(m.say("New sale "+m.st.Dot+" amount", "Pay with a voucher "+m.st.Dot+" amount"))
	// The amount is shown formatted where it is typed (R 1 234.50) and the
	// hint below stays put: a digit redraws the end of one line, 21–25
	// bytes, where a formatted copy on a line of its own made it 34–42.
	// Thousands are grouped as typed; the decimals show exactly what was
	// typed, so the cashier sees the point and each digit land.
	whole, frac, point := strings.Cut(m.amountText, ".")
	shown := cur.Symbol + " " + groupThousands(whole)
	if point {
		shown += "." + frac
	}
	out = append(out, m.input(shown))
	if m.amountFresh {
		out = append(out, "  "+m.st.Hint.Render(m.say("Type a new amount, or Enter to keep this one.", "Type a new amount, or press Enter to keep it.")))
	} else {
		out = append(out, "  "+m.st.Hint.Render(m.say("Type the amount, then Enter.", "Type the amount to pay, then Enter.")))
	}
	return append(out, m.errLine()...)
}

func (m *model) providerView() []string {
	out := m.title(m.say("Voucher provider", "Which voucher do you have?") + " " + m.st.Dot + " " + m.svc.Currency().Format(m.amount))
	for i, p := range m.svc.Providers() {
		line := fmt.Sprintf("%d  %s", i+1, p.Name)
		if i == m.provider {
			out = append(out, m.st.Arrow+" "+m.st.Selected.Render(line))
		} else {
			out = append(out, "  "+line)
		}
	}
	return append(out, m.errLine()...)
}

func (m *model) pinView() []string {
	p := m.currentProvider()
	out := m.title(m.say(p.Name+" voucher PIN", "Type your "+p.Name+" PIN") + " " + m.st.Dot + " " + m.svc.Currency().Format(m.amount))
	if m.kiosk {
		out = append(out, m.input(m.maskAll(m.pin)))
	} else {
		out = append(out, m.input(pos.GroupPIN(m.pin)))
	}
	if p.PinLength > 0 {
		out = append(out, "  "+m.st.Hint.Render(fmt.Sprintf("%d of %d digits", len(m.pin), p.PinLength)))
	}
	return append(out, m.errLine()...)
}

func (m *model) phoneView() []string {
	out := m.title(m.say("Customer's phone number", "Your phone number"))
	out = append(out, m.input(m.phone))
	if e164, ok := m.phoneAsTyped(); ok {
		out = append(out, "  "+m.st.Good.Render(e164))
	} else {
		out = append(out, "  "+m.st.Hint.Render(m.say("Local (082…) or international (+27…).", "Type your number, like 082… or +27…, then Enter.")))
	}
	return append(out, m.errLine()...)
}

// phoneMemo is the last number phoneAsTyped parsed.
type phoneMemo struct {
	typed, e164 string
	ok, done    bool
}

// phoneAsTyped is the number typed so far in E.164, once it is valid.
// Parsing a number takes longer than drawing the whole screen, so it is
// done once per change of what was typed, not once per frame.
func (m *model) phoneAsTyped() (string, bool) {
	if !m.phoneMemo.done || m.phoneMemo.typed != m.phone {
		e164, err := pos.NormalizePhone(m.phone, m.svc.Config().Store.Country)
		m.phoneMemo.typed, m.phoneMemo.e164, m.phoneMemo.ok, m.phoneMemo.done = m.phone, e164, err == nil, true
	}
	return m.phoneMemo.e164, m.phoneMemo.ok
}

func (m *model) row(label, value string) string {
	return m.st.Label.Render(fmt.Sprintf("%-9s", label)) + " " + m.st.Value.Render(value)
}

func (m *model) confirmView() []string {
	cur := m.svc.Currency()
	out := m.title(m.say("Check and charge", "Check and pay"))
	out = append(out,
		"1 "+m.row("Amount", cur.Format(m.amount)),
		"2 "+m.row("Provider", m.currentProvider().Name),
		"3 "+m.row("PIN", pos.MaskedPIN(m.pin, m.st.ascii)),
		"4 "+m.row("Phone", m.phoneE164))
	out = append(out, m.gap()...)
	if m.retryRef != "" {
		out = append(out, m.st.Hint.Render("Sending again with the same reference."))
	}
	return append(out, m.st.Hint.Render(m.say("Enter or + charges the voucher.", "Press Enter to pay.")))
}

func (m *model) spinner() string { return m.st.Spinner[m.frame%len(m.st.Spinner)] }

func (m *model) elapsed() string {
	return fmt.Sprintf("%.1fs", m.now().Sub(m.submittedAt).Seconds())
}

func (m *model) submittingView() []string {
	return []string{
		m.st.Title.Render(m.spinner() + " Charging " + m.svc.Currency().Format(m.amount) + " " + m.elapsed()),
		"",
		m.st.Hint.Render("Waiting for Kora. Keys are ignored"),
		m.st.Hint.Render("until the answer comes."),
	}
}

func (m *model) approvedView() []string {
	s, cur := m.sale, m.sale.Currency
	out := []string{m.st.Good.Render(m.st.Tick+" APPROVED  "+cur.Format(s.Charged)) + " charged"}
	out = append(out, m.demoMark()...)
	if s.PartlyPaid() {
		out = append(out, m.styled(m.st.Loud, "PARTLY PAID: collect "+cur.Format(s.Outstanding())+" by other means")...)
	}
	out = append(out, m.gap()...)
	out = append(out, m.row("Fee", m.fee(s)+"  VAT "+cur.Format(s.VAT)))
	out = append(out, m.row("Kora ref", s.KoraReference))
	if s.HasBalance {
		out = append(out, m.row("Balance", cur.Format(s.Balance)+" left on voucher"))
	}
	if s.HasChangePIN {
		pin := s.ChangePIN
		if pin == "" {
			pin = "(see receipt reprint)"
		} else {
			pin = pos.GroupPIN(pin)
		}
		out = append(out, m.gap()...)
		out = append(out, m.st.Warn.Render("NEW VOUCHER PIN  "+pin))
		out = append(out, m.row("Serial", s.VoucherSerial))
		if !s.Expiry.IsZero() {
			out = append(out, m.row("Expires", s.Expiry.Format("2006-01-02")))
		}
		out = append(out, m.styled(m.st.Warn, m.say("Give this to the customer — it is their money.",
			"This new PIN is your money: keep your slip."))...)
	}
	if m.printNote != "" {
		out = append(out, m.styled(m.st.Hint, m.printNote)...)
	}
	return out
}

// demoMark: in demo mode, a result on screen (one a photo could show
// as a payment) says it is not one.
func (m *model) demoMark() []string {
	if !m.demo {
		return nil
	}
	return []string{m.st.Loud.Render(demoNotPayment)}
}

// demoNotPayment marks every demo result and slip.
const demoNotPayment = "DEMO — NOT A PAYMENT"

// keyRefusedWords: Kora answered 401 to the charge and to the query
// after it; the sale is held, never declined by guess.
const keyRefusedWords = "Kora refused this till's key — the sale is held until it can be checked. Ask a supervisor."

// fee is a sale's fee, or "—" when Kora did not say (not R 0.00).
func (m *model) fee(s pos.Sale) string {
	if s.FeeUnknown {
		return "—"
	}
	return s.Currency.Format(s.Fee)
}

func (m *model) declinedView() []string {
	d := m.failure
	if d == nil {
		dd := declineFor(m.sale, m.currentProvider().Name)
		if w, ok := kioskWords[m.sale.DeclineKind]; ok && m.kiosk {
			dd.sentence = w
		}
		d = &dd
	}
	out := []string{m.st.Bad.Render(m.st.Cross + " " + d.headline)}
	out = append(out, m.demoMark()...)
	out = append(out, m.gap()...)
	out = append(out, wrap(d.sentence, m.width-2)...)
	out = append(out, m.gap()...)
	where := map[state]string{stateAmount: "the amount", stateProvider: "the provider", statePIN: "the PIN",
		stateConfirm: "the sale to send it again"}[d.next]
	return append(out, m.st.Hint.Render("Enter: back to "+where+"."))
}

func (m *model) checkingView() []string {
	out := []string{
		m.st.Warn.Render(m.spinner() + " Checking payment status"),
		m.st.Bad.Render(m.say("Do not hand over goods.", "Please wait: your payment is being confirmed.")),
	}
	out = append(out, m.gap()...)
	switch {
	case m.sale.KeyRefused:
		out = append(out, m.styled(m.st.Bad, m.say(keyRefusedWords, "This machine can't confirm payments right now. Please ask for help at the counter — don't pay again."))...)
	case m.sale.UnseenStatus():
		out = append(out, m.st.Warn.Render("Kora says: "+cleanMessage(m.sale.KoraStatus)))
		fallthrough
	default:
		out = append(out, wrap("The outcome isn't known yet. The till is asking Kora about this sale by its reference — it never charges twice.", m.width-2)...)
	}
	out = append(out, m.st.Hint.Render(m.elapsed()+", "+pos.Count(m.sale.Checks, "check", "checks")+" so far"))
	if m.parkable {
		out = append(out, m.gap()...)
		out = append(out, wrap("Still unconfirmed — it will keep checking; see History. Enter parks it and starts a new sale.", m.width-2)...)
	}
	return out
}

func (m *model) badge(s pos.Sale) string {
	switch s.Status {
	case pos.Approved:
		if s.PartlyPaid() {
			return m.st.Warn.Render("PARTLY ")
		}
		return m.st.Good.Render("PAID   ")
	case pos.Declined:
		return m.st.Bad.Render("DECLINE")
	}
	return m.st.Warn.Render("CHECK  ")
}

func (m *model) helpView() []string {
	out := []string{m.st.Title.Render("Help"), ""}
	paras := []string{
		"Amount, provider, PIN, phone, confirm.",
		"Enter or keypad + goes on; Esc or keypad - goes back; Backspace deletes. Esc on the amount clears the whole sale.",
		"1-9 pick a provider; on the confirm screen 1-4 change a field.",
		"h: sales, z: Z-report, d: demo vouchers.",
		"p prints the slip, v shows it.",
		"An unknown outcome is checked with Kora until final: never charged twice.",
		"Ctrl+C quits (asks while a sale is on).",
	}
	if m.kiosk {
		paras = []string{
			"Type the amount and press Enter.",
			"Choose your voucher, type its PIN and your phone number, then check and press Enter to pay.",
			"Esc or - goes back a step.",
			"If anything is unclear, please ask for help at the counter.",
		}
	}
	for _, p := range paras {
		out = append(out, wrap(p, m.width-2)...)
	}
	return out
}

func (m *model) vouchersView() []string {
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

func (m *model) quitView() []string {
	out := []string{m.st.Warn.Render("Quit voucherpos?"), ""}
	if m.state == stateSubmitting || m.state == stateChecking {
		out = append(out, wrap("A submitted sale is still being checked. It will be reconciled when voucherpos starts again.", m.width-2)...)
	} else {
		out = append(out, "What has been typed will be lost.")
	}
	return append(out, "", "y quits, n goes back.")
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

// groupThousands puts a space between each three digits: 1234567 → 1 234 567.
func groupThousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}
