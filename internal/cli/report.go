package cli

import (
	"encoding/csv"
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

// StreamReportCSV writes one row per sale, a sale at a time.
func StreamReportCSV(w io.Writer, sales Sales) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	err := sales(func(s pos.Sale) error {
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
		return cw.Error()
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// CSVSafe keeps a spreadsheet from reading a value as a formula.
func CSVSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
		return "'" + v
	}
	return v
}
