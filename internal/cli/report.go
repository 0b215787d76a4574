package cli

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"voucherpos/pos"
)

// WriteReport prints the report for a terminal or a slip.
func WriteReport(w io.Writer, r pos.Report) error {
	c := r.Currency
	fmt.Fprintf(w, "Z-report %s\n\n", r.Day.Format("2006-01-02"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "PROVIDER\tSTATUS\tSALES\tASKED\tCHARGED\tFEE\tVAT\tNET\t")
	for _, l := range r.Lines {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", l.ProviderName, l.Status, l.Count,
			c.Format(l.Requested), c.Format(l.Charged), c.Format(l.Fee), c.Format(l.VAT), c.Format(l.Net()))
	}
	t := r.Total
	fmt.Fprintf(tw, "TOTAL\tapproved\t%d\t%s\t%s\t%s\t%s\t%s\t\n", t.Count,
		c.Format(t.Requested), c.Format(t.Charged), c.Format(t.Fee), c.Format(t.VAT), c.Format(t.Net()))
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s, %s issued, %d partly paid, %d unresolved\n",
		pos.Count(r.Sales, "sale", "sales"), pos.Count(r.ChangeVouchers, "change voucher", "change vouchers"), r.PartlyPaid, r.Unresolved)
	return err
}

// CSVHeader names the columns of `voucherpos report --csv`: one row per
// sale, to reconcile against the Kora dashboard's transactions.
var CSVHeader = []string{"date", "time", "reference", "kora_reference", "terminal_id", "provider_code",
	"provider_name", "status", "decline_kind", "currency", "amount_requested", "amount_charged", "fee",
	"vat", "net", "partly_paid", "change_voucher", "voucher_serial", "pin_last4"}

// WriteReportCSV writes one row per sale; amounts are exact decimals.
func WriteReportCSV(w io.Writer, sales []pos.Sale) error {
	return StreamReportCSV(w, Slice(sales))
}

// StreamReportCSV writes one row per sale, a sale at a time, byte for
// byte what encoding/csv's Writer makes of each row (oldReportCSV in
// oldwriters_test.go).
func StreamReportCSV(w io.Writer, sales Sales) error {
	bw := bufio.NewWriterSize(w, streamBuffer)
	var line, tmp []byte // one row and a field of it, reused
	for i, h := range CSVHeader {
		if i > 0 {
			line = append(line, ',')
		}
		line = appendCSVField(line, h)
	}
	line = append(line, '\n')
	if _, err := bw.Write(line); err != nil {
		return err
	}
	err := sales(func(s pos.Sale) error {
		line, tmp = appendCSVRow(line[:0], tmp, s)
		_, err := bw.Write(line)
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// appendCSVRow appends a sale's row of report --csv, CSVHeader's columns;
// tmp is scratch room, returned for reuse.
func appendCSVRow(b, tmp []byte, s pos.Sale) ([]byte, []byte) {
	c := s.Currency
	net := pos.Money(0)
	if s.Status == pos.Approved {
		net = s.Charged - s.Fee - s.VAT
	}
	t := s.CreatedAt
	// Dates, times, Plain amounts and booleans hold nothing to quote.
	b = t.AppendFormat(b, "2006-01-02")
	b = t.AppendFormat(append(b, ','), "15:04:05")
	for _, v := range [...]string{s.Reference, s.KoraReference, s.TerminalID, s.ProviderCode,
		s.ProviderName, string(s.Status), string(s.DeclineKind), c.Code} {
		b = appendCSVField(append(b, ','), v)
	}
	for _, m := range [...]pos.Money{s.Requested, s.Charged, s.Fee, s.VAT, net} {
		b = appendPlain(append(b, ','), c, m)
	}
	b = strconv.AppendBool(append(b, ','), s.PartlyPaid())
	b = strconv.AppendBool(append(b, ','), s.HasChangePIN)
	tmp = tmp[:0]
	if csvFormula(s.VoucherSerial) {
		tmp = append(tmp, '\'')
	}
	tmp = append(tmp, s.VoucherSerial...)
	b = appendCSVField(append(b, ','), tmp)
	b = appendCSVField(append(b, ','), s.PINLast4)
	return append(b, '\n'), tmp
}

// CSVSafe keeps a spreadsheet from reading a value as a formula.
func CSVSafe(v string) string {
	if csvFormula(v) {
		return "'" + v
	}
	return v
}

// csvFormula reports a value a spreadsheet would read as a formula.
func csvFormula(v string) bool { return v != "" && strings.ContainsRune("=+-@", rune(v[0])) }
