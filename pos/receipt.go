package pos

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Receipt widths a slip printer can have, in columns.
var ReceiptWidths = []int{32, 42, 48}

// SlipLine is one line of a slip; Bold lines are emphasised on ESC/POS.
type SlipLine struct {
	Text string
	Bold bool
}

// Slip is a receipt laid out for a printer of Width columns.
type Slip struct {
	Width int
	Lines []SlipLine
}

// ReceiptInfo is what a slip needs beside the sale.
type ReceiptInfo struct {
	StoreName  string
	TerminalID string
	Width      int
	// ChangePIN is the change voucher's PIN, printed in full: the slip is
	// how the customer's money reaches them.
	ChangePIN string
	Reprint   bool
	Location  *time.Location
	// Demo marks the slip as the demo's at its top and bottom: a slip from
	// the built-in sandbox must never pass for a payment.
	Demo bool
}

// DemoMark heads and ends every demo slip.
const DemoMark = "DEMO - NOT A PAYMENT"

// BuildSlip lays out a sale's receipt. It never contains the customer's
// voucher PIN, only its last four digits.
func BuildSlip(s Sale, info ReceiptInfo) Slip {
	w := info.Width
	if w < 24 {
		w = 42
	}
	loc := info.Location
	if loc == nil {
		loc = s.CreatedAt.Location() // the till's zone, as the sale was read
	}
	b := slipBuilder{w: w}
	cur := s.Currency
	if info.Demo {
		b.center("*** "+DemoMark+" ***", true)
	}
	b.center(info.StoreName, true)
	b.center("Terminal "+s.TerminalID, false)
	b.center(s.CreatedAt.In(loc).Format("2006-01-02 15:04:05"), false)
	if info.Reprint {
		b.center("*** REPRINT ***", true)
	}
	b.rule()
	status := map[Status]string{Approved: "APPROVED", Declined: "DECLINED", Pending: "NOT CONFIRMED", Unknown: "NOT CONFIRMED"}[s.Status]
	b.pair("VOUCHER SALE", status, true)
	b.field("Ref", s.Reference)
	if s.KoraReference != "" {
		b.field("Kora ref", s.KoraReference)
	}
	b.field("Provider", s.ProviderName)
	if s.VoucherSerial != "" {
		b.field("Serial", s.VoucherSerial)
	}
	b.field("PIN", "**** "+s.PINLast4)
	b.rule()
	switch s.Status {
	case Approved:
		if s.PartlyPaid() {
			b.pair("Amount asked", cur.Format(s.Requested), false)
		}
		b.pair("Amount charged", cur.Format(s.Charged), true)
		fee := cur.Format(s.Fee)
		if s.FeeUnknown {
			fee = "-" // Kora did not say: not a zero fee
		}
		b.pair("Fee", fee, false)
		b.pair("VAT", cur.Format(s.VAT), false)
		if s.HasBalance {
			b.pair("Voucher balance", cur.Format(s.Balance), false)
		}
		if s.PartlyPaid() {
			b.rule()
			b.wrap("PARTLY PAID - collect "+cur.Format(s.Outstanding())+" by other means", true)
		}
		if s.HasChangePIN {
			b.rule()
			b.center("CHANGE VOUCHER", true)
			pin := GroupPIN(info.ChangePIN)
			if info.ChangePIN == "" {
				pin = "(not available on this till)"
			}
			b.field("New PIN", pin)
			b.lines[len(b.lines)-1].Bold = true
			b.pair("Value", cur.Format(s.Balance), false)
			if !s.Expiry.IsZero() {
				b.pair("Expires", s.Expiry.Format("2006-01-02"), false)
			}
			b.wrap("Keep this slip - it is money.", true)
		}
	case Declined:
		b.pair("Amount", cur.Format(s.Requested), false)
		b.wrap("Nothing was charged.", true)
	default:
		b.pair("Amount", cur.Format(s.Requested), false)
		b.wrap("Payment not confirmed yet. Do not hand over goods until it is.", true)
	}
	b.rule()
	b.center("Thank you", false)
	if info.Demo {
		b.center("*** "+DemoMark+" ***", true)
	}
	return Slip{Width: w, Lines: b.lines}
}

// Text is the slip as plain text, one line per slip line.
func (s Slip) Text() string {
	var b strings.Builder
	for _, l := range s.Lines {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// ESC/POS control sequences.
var (
	escInit    = []byte{0x1b, '@'}
	escBoldOn  = []byte{0x1b, 'E', 1}
	escBoldOff = []byte{0x1b, 'E', 0}
	escFeedCut = []byte{0x1b, 'd', 4, 0x1d, 'V', 66, 0}
)

// ESCPOS is the slip for a raw ESC/POS printer: init, bold lines, feed and cut.
func (s Slip) ESCPOS() []byte {
	var b bytes.Buffer
	b.Write(escInit)
	for _, l := range s.Lines {
		if l.Bold {
			b.Write(escBoldOn)
		}
		b.WriteString(l.Text)
		if l.Bold {
			b.Write(escBoldOff)
		}
		b.WriteByte('\n')
	}
	b.Write(escFeedCut)
	return b.Bytes()
}

type slipBuilder struct {
	w     int
	lines []SlipLine
}

func (b *slipBuilder) add(text string, bold bool) {
	b.lines = append(b.lines, SlipLine{Text: text, Bold: bold})
}

func (b *slipBuilder) rule() { b.add(strings.Repeat("-", b.w), false) }

func (b *slipBuilder) center(text string, bold bool) {
	for _, l := range wrapText(text, b.w) {
		pad := (b.w - width(l)) / 2
		b.add(strings.Repeat(" ", pad)+l, bold)
	}
}

// pair puts a label on the left and a value on the right of one line,
// or the value on a line of its own when both do not fit.
func (b *slipBuilder) pair(label, value string, bold bool) {
	if gap := b.w - width(label) - width(value); gap >= 1 {
		b.add(label+strings.Repeat(" ", gap), bold)
		b.lines[len(b.lines)-1].Text += value
		return
	}
	b.add(label, bold)
	b.add(strings.Repeat(" ", max(b.w-width(value), 0))+value, bold)
}

// field is "Label    value", the value moving under the label when long.
func (b *slipBuilder) field(label, value string) {
	const labelWidth = 10
	if labelWidth+width(value) <= b.w {
		b.add(fmt.Sprintf("%-*s%s", labelWidth, label, value), false)
		return
	}
	b.add(label, false)
	for _, l := range hyphenLines(value, b.w-2) {
		b.add("  "+l, false)
	}
}

// hyphenLines breaks a value too long for one line (a reference) only
// after its own hyphens, so that every part of it stays whole and each
// line but the last ends in "-"; a part longer than a line is cut.
func hyphenLines(s string, n int) []string {
	var out []string
	line := ""
	for _, part := range strings.SplitAfter(s, "-") {
		if line != "" && width(line)+width(part) > n {
			out = append(out, line)
			line = ""
		}
		for r := []rune(part); len(r) > n; r = []rune(part) {
			out = append(out, string(r[:n]))
			part = string(r[n:])
		}
		line += part
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

func (b *slipBuilder) wrap(text string, bold bool) {
	for _, l := range wrapText(text, b.w) {
		b.add(l, bold)
	}
}

func width(s string) int { return utf8.RuneCountInString(s) }

// wrapText breaks text on spaces into lines of at most w runes.
func wrapText(text string, w int) []string {
	var out []string
	line := ""
	for _, word := range strings.Fields(text) {
		for width(word) > w {
			if line != "" {
				out = append(out, line)
				line = ""
			}
			out = append(out, string([]rune(word)[:w]))
			word = string([]rune(word)[w:])
		}
		if line != "" && width(line)+1+width(word) > w {
			out = append(out, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}
