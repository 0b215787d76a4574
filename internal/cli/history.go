package cli

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"voucherpos/pos"
)

// Sales hands each of a day's sales in turn to yield, stopping at the first
// error yield returns; pos.Service.EachOfDay partly applied is one, and
// Slice makes one of sales in memory. The Stream writers hold one sale (or
// one block of a table) at a time, so a day of 100 000 sales costs what a
// day of ten does.
type Sales func(yield func(pos.Sale) error) error

// Slice hands out sales in memory, in order.
func Slice(sales []pos.Sale) Sales {
	return func(yield func(pos.Sale) error) error {
		for _, s := range sales {
			if err := yield(s); err != nil {
				return err
			}
		}
		return nil
	}
}

// WriteHistoryJSON writes sales as a JSON array.
func WriteHistoryJSON(w io.Writer, sales []pos.Sale) error {
	return StreamHistoryJSON(w, Slice(sales))
}

// streamBuffer is the size of the one buffered writer of a stream.
const streamBuffer = 32 << 10

// StreamHistoryJSON writes the sales as one indented JSON array, a sale at
// a time, byte for byte what encoding/json's indented Encoder makes of the
// whole slice (of saleJSON, oldwriters_test.go).
func StreamHistoryJSON(w io.Writer, sales Sales) error {
	bw := bufio.NewWriterSize(w, streamBuffer)
	var line, tmp []byte // one sale's JSON and a value of it, reused
	n := 0
	err := sales(func(s pos.Sale) error {
		if n == 0 {
			line = append(line[:0], "[\n  "...)
		} else {
			line = append(line[:0], ",\n  "...)
		}
		n++
		line, tmp = appendSaleJSON(line, tmp, s)
		_, err := bw.Write(line)
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		bw.WriteString("[]\n")
	} else {
		bw.WriteString("\n]\n")
	}
	return bw.Flush()
}

// appendSaleJSON appends a sale as an element of history --json's array:
// an object indented by two levels of two spaces but its first line.
// Amounts are decimal strings in major units, exact; the phone is masked.
// tmp is scratch room, returned for reuse.
func appendSaleJSON(b, tmp []byte, s pos.Sale) ([]byte, []byte) {
	c := s.Currency
	str := func(b []byte, key, v string) []byte { return appendJSONString(jsonKey(b, key), v) }
	// Plain is digits, a point and a minus: nothing to escape.
	amount := func(b []byte, key string, m pos.Money) []byte {
		b = append(jsonKey(b, key), '"')
		return append(appendPlain(b, c, m), '"')
	}
	b = append(b, "{\n    \"reference\": "...)
	b = appendJSONString(b, s.Reference)
	b = str(b, "kora_reference", s.KoraReference)
	tmp = s.CreatedAt.AppendFormat(tmp[:0], time.RFC3339)
	b = appendJSONString(jsonKey(b, "created_at"), tmp)
	b = str(b, "terminal_id", s.TerminalID)
	b = str(b, "status", string(s.Status))
	if s.DeclineKind != "" {
		b = str(b, "decline_kind", string(s.DeclineKind))
	}
	if s.DeclineMessage != "" {
		b = str(b, "decline_message", s.DeclineMessage)
	}
	b = str(b, "currency", c.Code)
	b = amount(b, "amount_requested", s.Requested)
	b = amount(b, "amount_charged", s.Charged)
	b = amount(b, "fee", s.Fee)
	b = amount(b, "vat", s.VAT)
	b = strconv.AppendBool(jsonKey(b, "partly_paid"), s.PartlyPaid())
	if s.PartlyPaid() {
		b = amount(b, "outstanding", s.Outstanding())
	}
	b = str(b, "provider_code", s.ProviderCode)
	b = str(b, "provider_name", s.ProviderName)
	b = str(b, "pin_last4", s.PINLast4)
	tmp = appendMaskedPhone(tmp[:0], s.Phone)
	b = appendJSONString(jsonKey(b, "phone"), tmp)
	if s.VoucherSerial != "" {
		b = str(b, "voucher_serial", s.VoucherSerial)
	}
	if s.HasBalance {
		b = amount(b, "voucher_balance", s.Balance)
	}
	if !s.Expiry.IsZero() {
		tmp = s.Expiry.AppendFormat(tmp[:0], "2006-01-02")
		b = appendJSONString(jsonKey(b, "voucher_expiry"), tmp)
	}
	b = strconv.AppendBool(jsonKey(b, "change_voucher"), s.HasChangePIN)
	b = strconv.AppendInt(jsonKey(b, "checks"), int64(s.Checks), 10)
	return append(b, "\n  }"...), tmp
}

// jsonKey ends the member before and begins the member key (a name with
// nothing to escape) of appendSaleJSON's object.
func jsonKey(b []byte, key string) []byte {
	b = append(b, ",\n    \""...)
	b = append(b, key...)
	return append(b, "\": "...)
}

// WriteHistory writes sales as a table for a terminal.
func WriteHistory(w io.Writer, sales []pos.Sale) error {
	return StreamHistory(w, Slice(sales))
}

// tableBlock is how many rows of a table are aligned together: a day of
// fewer is one block, aligned as a whole; a busier day is written a block
// at a time, so that the table never holds the day.
const tableBlock = 1000

// historyHeader heads the history table.
const historyHeader = "TIME\tSTATUS\tAMOUNT\tCHARGED\tPROVIDER\tPIN\tREFERENCE\tKORA REFERENCE\tNOTE\n"

// StreamHistory writes the sales as a table for a terminal.
func StreamHistory(w io.Writer, sales Sales) error {
	bw := bufio.NewWriterSize(w, streamBuffer)
	t := table{w: bw}
	n := 0
	err := sales(func(s pos.Sale) error {
		if n == 0 {
			t.add([]byte(historyHeader))
		}
		n++
		t.addSale(s)
		if n%tableBlock == 0 {
			return t.flush()
		}
		return nil
	})
	if err != nil {
		bw.Flush() // the blocks written before it, as without the buffer
		return err
	}
	if n == 0 {
		bw.WriteString("No sales on this day.\n")
		return bw.Flush()
	}
	if err := t.flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// historyCells is how many cells a line of the history table has; all
// but the last end with a tab.
const historyCells = 9

// table lays out the history table a block at a time, byte for byte as
// a text/tabwriter.Writer (minwidth 0, tabwidth 0, padding 2, padchar
// ' ', no flags) flushed after each block lays it out: each tab-ended
// cell padded with spaces to the widest in its column, in runes, plus
// two. It holds a block's text once, not a cell record per cell; a
// block with a byte the tabwriter reads as more than text (a tab or
// newline inside a value, \v, \f, its escape \xff) goes through a
// tabwriter itself.
type table struct {
	w      *bufio.Writer
	buf    []byte                // the block's lines
	widths [historyCells - 1]int // the widest cell of each column, in runes
	odd    bool                  // the block needs the tabwriter
	tw     *tabwriter.Writer     // for a block that does
}

// addSale adds a sale's row to the block.
func (t *table) addSale(s pos.Sale) {
	start := len(t.buf)
	t.buf = appendHistoryRow(t.buf, s)
	t.measure(t.buf[start:])
}

// add adds a line (ending with a newline) to the block.
func (t *table) add(line []byte) {
	t.buf = append(t.buf, line...)
	t.measure(line)
}

func (t *table) measure(line []byte) {
	if t.odd {
		return
	}
	if bytes.Count(line, []byte{'\t'}) != historyCells-1 || bytes.IndexByte(line, '\n') != len(line)-1 ||
		bytes.ContainsAny(line, "\v\f\xff") {
		t.odd = true
		return
	}
	for j := range t.widths {
		i := bytes.IndexByte(line, '\t')
		t.widths[j] = max(t.widths[j], utf8.RuneCount(line[:i]))
		line = line[i+1:]
	}
}

// spaces pads a cell.
const spaces = "                                                                "

// flush writes the block out and empties it.
func (t *table) flush() error {
	defer func() { t.buf, t.widths, t.odd = t.buf[:0], [historyCells - 1]int{}, false }()
	if t.odd {
		if t.tw == nil {
			t.tw = tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
		}
		if _, err := t.tw.Write(t.buf); err != nil {
			return err
		}
		return t.tw.Flush()
	}
	for rest := t.buf; len(rest) > 0; {
		for j := range t.widths {
			i := bytes.IndexByte(rest, '\t')
			t.w.Write(rest[:i])
			for pad := t.widths[j] + 2 - utf8.RuneCount(rest[:i]); pad > 0; pad -= len(spaces) {
				t.w.WriteString(spaces[:min(pad, len(spaces))])
			}
			rest = rest[i+1:]
		}
		i := bytes.IndexByte(rest, '\n')
		t.w.Write(rest[:i+1])
		rest = rest[i+1:]
	}
	_, err := t.w.Write(nil) // the writer's error, if it had one
	return err
}

// appendHistoryRow appends a sale's row of the history table, its cells
// ended by tabs and the row by a newline.
func appendHistoryRow(b []byte, s pos.Sale) []byte {
	c := s.Currency
	b = s.CreatedAt.AppendFormat(b, "15:04:05")
	b = append(b, '\t')
	b = append(appendUpper(b, string(s.Status)), '\t')
	b = append(appendFormat(b, c, s.Requested), '\t')
	b = append(appendFormat(b, c, s.Charged), '\t')
	b = append(append(b, s.ProviderName...), '\t')
	b = append(b, "****"...)
	b = append(append(b, s.PINLast4...), '\t')
	b = append(append(b, s.Reference...), '\t')
	b = append(appendOrDash(b, s.KoraReference), '\t')
	switch {
	case s.PartlyPaid():
		b = appendFormat(append(b, "partly paid: collect "...), c, s.Outstanding())
	case s.HasChangePIN:
		b = appendFormat(append(b, "change voucher, balance "...), c, s.Balance)
	case s.Status == pos.Declined:
		b = append(b, s.DeclineMessage...)
	case s.Status.Unresolved():
		b = append(b, "being checked with Kora"...)
	}
	return append(b, '\n')
}

// OrDash shows an empty value in a table as "-".
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
