package cli

// The writers as they were before they streamed through append-style
// formatting (fmt, encoding/json and encoding/csv, a string per value):
// the stream writers must make their bytes exactly, for every kind of sale.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"voucherpos/pos"
	"voucherpos/pos/journal"
)

// saleJSON is a sale in `history --json` as encoding/json wrote it.
type saleJSON struct {
	Reference      string `json:"reference"`
	KoraReference  string `json:"kora_reference"`
	CreatedAt      string `json:"created_at"`
	TerminalID     string `json:"terminal_id"`
	Status         string `json:"status"`
	DeclineKind    string `json:"decline_kind,omitempty"`
	DeclineMessage string `json:"decline_message,omitempty"`
	Currency       string `json:"currency"`
	Requested      string `json:"amount_requested"`
	Charged        string `json:"amount_charged"`
	Fee            string `json:"fee"`
	VAT            string `json:"vat"`
	PartlyPaid     bool   `json:"partly_paid"`
	Outstanding    string `json:"outstanding,omitempty"`
	ProviderCode   string `json:"provider_code"`
	ProviderName   string `json:"provider_name"`
	PINLast4       string `json:"pin_last4"`
	Phone          string `json:"phone"`
	VoucherSerial  string `json:"voucher_serial,omitempty"`
	VoucherBalance string `json:"voucher_balance,omitempty"`
	VoucherExpiry  string `json:"voucher_expiry,omitempty"`
	ChangeVoucher  bool   `json:"change_voucher"`
	Checks         int    `json:"checks"`
}

func toJSON(s pos.Sale) saleJSON {
	c := s.Currency
	j := saleJSON{
		Reference: s.Reference, KoraReference: s.KoraReference, CreatedAt: s.CreatedAt.Format(time.RFC3339),
		TerminalID: s.TerminalID, Status: string(s.Status), DeclineKind: string(s.DeclineKind),
		DeclineMessage: s.DeclineMessage, Currency: c.Code, Requested: c.Plain(s.Requested),
		Charged: c.Plain(s.Charged), Fee: c.Plain(s.Fee), VAT: c.Plain(s.VAT), PartlyPaid: s.PartlyPaid(),
		ProviderCode: s.ProviderCode, ProviderName: s.ProviderName, PINLast4: s.PINLast4, Phone: journal.MaskPhone(s.Phone),
		VoucherSerial: s.VoucherSerial, ChangeVoucher: s.HasChangePIN, Checks: s.Checks,
	}
	if s.PartlyPaid() {
		j.Outstanding = c.Plain(s.Outstanding())
	}
	if s.HasBalance {
		j.VoucherBalance = c.Plain(s.Balance)
	}
	if !s.Expiry.IsZero() {
		j.VoucherExpiry = s.Expiry.Format("2006-01-02")
	}
	return j
}

// oldHistoryJSON is the whole slice through an indented json.Encoder.
func oldHistoryJSON(w io.Writer, sales []pos.Sale) error {
	out := make([]saleJSON, len(sales))
	for i, s := range sales {
		out[i] = toJSON(s)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// oldHistory is the table through fmt and a tabwriter, a block at a time.
func oldHistory(w io.Writer, sales []pos.Sale) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for n, s := range sales {
		if n == 0 {
			fmt.Fprintln(tw, "TIME\tSTATUS\tAMOUNT\tCHARGED\tPROVIDER\tPIN\tREFERENCE\tKORA REFERENCE\tNOTE")
		}
		note := ""
		switch {
		case s.PartlyPaid():
			note = "partly paid: collect " + s.Currency.Format(s.Outstanding())
		case s.HasChangePIN:
			note = "change voucher, balance " + s.Currency.Format(s.Balance)
		case s.Status == pos.Declined:
			note = s.DeclineMessage
		case s.Status.Unresolved():
			note = "being checked with Kora"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t****%s\t%s\t%s\t%s\n",
			s.CreatedAt.Format("15:04:05"), strings.ToUpper(string(s.Status)),
			s.Currency.Format(s.Requested), s.Currency.Format(s.Charged), s.ProviderName, s.PINLast4,
			s.Reference, OrDash(s.KoraReference), note)
		if (n+1)%tableBlock == 0 {
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}
	if len(sales) == 0 {
		_, err := fmt.Fprintln(w, "No sales on this day.")
		return err
	}
	return tw.Flush()
}

// oldReportCSV is a row of strings per sale through a csv.Writer.
func oldReportCSV(w io.Writer, sales []pos.Sale) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for _, s := range sales {
		c := s.Currency
		net := pos.Money(0)
		if s.Status == pos.Approved {
			net = s.Charged - s.Fee - s.VAT
		}
		t := s.CreatedAt
		cw.Write([]string{t.Format("2006-01-02"), t.Format("15:04:05"), s.Reference, s.KoraReference, s.TerminalID,
			s.ProviderCode, s.ProviderName, string(s.Status), string(s.DeclineKind), c.Code, c.Plain(s.Requested),
			c.Plain(s.Charged), c.Plain(s.Fee), c.Plain(s.VAT), c.Plain(net), strconv.FormatBool(s.PartlyPaid()),
			strconv.FormatBool(s.HasChangePIN), CSVSafe(s.VoucherSerial), s.PINLast4})
	}
	cw.Flush()
	return cw.Error()
}

// awkward are values that quoting and escaping must get right.
var awkward = []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\rlf\r\n", " leading space", "\u00a0nbsp",
	`\.`, "=1+2", "+27", "-5", "@sum", "<b>&amp;</b>", "tab\there", "\u2028\u2029", "bad \xff\xfe utf8", "\x00\x01\x1f\x7f",
	"back\\slash", "₦ naira", "日本語", "\xe2\x82", "end\\", "'quoted'"}

// everySale is a day of every kind of sale: each status, partly paid,
// change vouchers, balances, expiries, declines of each kind, in several
// currencies and zones, with amounts from zero to the extremes, and every
// awkward value in each text field.
func everySale(t *testing.T) []pos.Sale {
	t.Helper()
	var curs []pos.Currency
	for _, code := range []string{"ZAR", "NGN", "XOF", "KWD", "JPY", "USD"} {
		c, err := pos.LookupCurrency(code)
		if err != nil {
			t.Fatal(err)
		}
		curs = append(curs, c)
	}
	curs = append(curs, pos.Currency{Code: "ODD", Digits: 12}, pos.Currency{Code: "NEG", Digits: -1, Symbol: "<&>"})
	zones := []*time.Location{time.UTC, time.FixedZone("SAST", 2*3600), time.FixedZone("", -9*3600-30*60)}
	amounts := []pos.Money{0, 1, 5, 99, 100, 999, 1000, 12050, 123456789, -1, -250, math.MaxInt64, math.MinInt64}
	statuses := []pos.Status{pos.Approved, pos.Declined, pos.Pending, pos.Unknown, "odd-ÿ"}
	kinds := []pos.DeclineKind{"", pos.DeclineInvalidPIN, pos.DeclineNotSent, pos.DeclineOther}
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	var out []pos.Sale
	for i := range 600 {
		a := func(k int) string { return awkward[(i*7+k*5)%len(awkward)] }
		m := func(k int) pos.Money { return amounts[(i*3+k*11)%len(amounts)] }
		s := pos.Sale{
			Reference: "r-" + strconv.Itoa(i) + a(0), KoraReference: a(1), TerminalID: a(2),
			CreatedAt: day.Add(time.Duration(i) * 137 * time.Second).In(zones[i%len(zones)]),
			Status:    statuses[i%len(statuses)], Currency: curs[i%len(curs)],
			Requested: m(0), Charged: m(1), Fee: m(2), VAT: m(3),
			ProviderCode: a(3), ProviderName: a(4), PINLast4: a(5), Phone: a(6), Email: a(7),
			VoucherSerial: a(8), Balance: m(4), HasBalance: i%3 == 0, HasChangePIN: i%4 == 1,
			DeclineKind: kinds[i%len(kinds)], DeclineMessage: a(9), Checks: i % 13,
		}
		if i%5 == 2 {
			s.Expiry = time.Date(2027+i%3, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
		}
		switch i % 9 {
		case 0: // a whole phone number
			s.Phone = "+2782123" + strconv.Itoa(1000+i)
		case 1: // a partly paid sale, as a till makes it
			s.Status, s.Requested, s.Charged = pos.Approved, 8000, 5000
		case 2:
			s.Requested, s.Charged = 10000, 10000
		}
		out = append(out, s)
	}
	return append(out, daySales(t)...)
}

// The stream writers make the old writers' bytes, for no sale, one, a few
// and more than a table's block of every kind of sale.
func TestStreamWritersMakeTheOldBytes(t *testing.T) {
	t.Parallel()
	every := everySale(t)
	// plain are the sales whose table rows the tabwriter reads as text
	// only; a block of them is laid out without it.
	var plain []pos.Sale
	for _, s := range every {
		row := appendHistoryRow(nil, s)
		if bytes.Count(row, []byte{'\t'}) == historyCells-1 && !bytes.ContainsAny(row[:len(row)-1], "\n\v\f\xff") {
			plain = append(plain, s)
		}
	}
	if len(plain) < 100 {
		t.Fatalf("only %d plain sales", len(plain))
	}
	var all []pos.Sale
	for len(all) < 2*tableBlock {
		all = append(all, plain...)
	}
	all = append(all, every...) // a block that needs the tabwriter
	all = append(all, plain...)
	all = append(all, every...)
	writers := []struct {
		name     string
		old      func(io.Writer, []pos.Sale) error
		streamed func(io.Writer, Sales) error
	}{
		{"history --json", oldHistoryJSON, StreamHistoryJSON},
		{"history", oldHistory, StreamHistory},
		{"report --csv", oldReportCSV, StreamReportCSV},
	}
	for _, w := range writers {
		for _, n := range []int{0, 1, 7, tableBlock, tableBlock + 1, 3*tableBlock + 5, len(all)} {
			var want, got bytes.Buffer
			if err := w.old(&want, all[:n]); err != nil {
				t.Fatal(err)
			}
			if err := w.streamed(&got, Slice(all[:n])); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				g, wl := strings.Split(got.String(), "\n"), strings.Split(want.String(), "\n")
				for i := range min(len(g), len(wl)) {
					if g[i] != wl[i] {
						t.Fatalf("%s, %d sales: line %d\n got %q\nwant %q", w.name, n, i+1, g[i], wl[i])
					}
				}
				t.Fatalf("%s, %d sales: %d lines, want %d", w.name, n, len(g), len(wl))
			}
		}
	}
}

// Each append helper makes what the function it stands for makes.
func TestAppendHelpersMatch(t *testing.T) {
	t.Parallel()
	curs := []pos.Currency{{Code: "ZAR", Digits: 2, Symbol: "R"}, {Code: "XOF", Digits: 0, Symbol: "CFA"},
		{Code: "KWD", Digits: 3}, {Code: "ODD", Digits: 11}, {Code: "NEG", Digits: -3, Symbol: "₦"}, {}}
	var ms []pos.Money
	for _, m := range []pos.Money{0, 1, 9, 10, 99, 100, 101, 999, 1000, 1001, 99999, 100000, 1234567, 1e9, 1e12 + 7,
		math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		ms = append(ms, m, -m)
	}
	for _, c := range curs {
		for _, m := range ms {
			if got, want := string(appendPlain([]byte("x"), c, m)), "x"+c.Plain(m); got != want {
				t.Errorf("Plain %+v %d: %q, want %q", c, m, got, want)
			}
			if got, want := string(appendFormat([]byte("x"), c, m)), "x"+c.Format(m); got != want {
				t.Errorf("Format %+v %d: %q, want %q", c, m, got, want)
			}
		}
	}
	for _, s := range append(awkward, "+27821234567", "1234", "12345", "ab€cd", "approved", "PENDING", "mIxEd", "straße", "ǅ") {
		if got, want := string(appendMaskedPhone(nil, s)), journal.MaskPhone(s); got != want {
			t.Errorf("MaskPhone %q: %q, want %q", s, got, want)
		}
		if got, want := string(appendUpper(nil, s)), strings.ToUpper(s); got != want {
			t.Errorf("ToUpper %q: %q, want %q", s, got, want)
		}
		if got, want := string(appendOrDash(nil, s)), OrDash(s); got != want {
			t.Errorf("OrDash %q: %q, want %q", s, got, want)
		}
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, []byte(s)); !bytes.Equal(got, want) {
			t.Errorf("JSON %q: %s, want %s", s, got, want)
		}
		var b bytes.Buffer
		cw := csv.NewWriter(&b)
		cw.Write([]string{s})
		cw.Flush()
		if got := string(appendCSVField(nil, s)) + "\n"; got != b.String() {
			t.Errorf("CSV %q: %q, want %q", s, got, b.String())
		}
	}
}
