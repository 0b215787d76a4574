package pos

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// ReportLine sums the sales of one provider in one status.
type ReportLine struct {
	ProviderCode, ProviderName string
	Status                     Status
	Count                      int
	Requested, Charged         Money
	Fee, VAT                   Money
}

// Net is what the shop keeps: charged less Kora's fee and its VAT.
func (l ReportLine) Net() Money { return l.Charged - l.Fee - l.VAT }

// Report is a day's Z-report.
type Report struct {
	Day            time.Time
	Currency       Currency
	Lines          []ReportLine // by provider, then status
	Total          ReportLine   // approved sales only
	Sales          int
	ChangeVouchers int
	PartlyPaid     int
	Unresolved     int
}

// BuildReport sums a day's sales by provider and status. Money totals count
// approved sales only; declined and unresolved ones are counted, not summed
// as takings.
func BuildReport(day time.Time, cur Currency, sales []Sale) Report {
	r := Report{Day: day, Currency: cur, Sales: len(sales)}
	idx := map[string]int{}
	for _, s := range sales {
		key := s.ProviderCode + "/" + string(s.Status)
		i, ok := idx[key]
		if !ok {
			i = len(r.Lines)
			idx[key] = i
			r.Lines = append(r.Lines, ReportLine{ProviderCode: s.ProviderCode, ProviderName: s.ProviderName, Status: s.Status})
		}
		l := &r.Lines[i]
		l.Count++
		l.Requested += s.Requested
		if s.Status == Approved {
			l.Charged += s.Charged
			l.Fee += s.Fee
			l.VAT += s.VAT
			r.Total.Count++
			r.Total.Requested += s.Requested
			r.Total.Charged += s.Charged
			r.Total.Fee += s.Fee
			r.Total.VAT += s.VAT
			if s.HasChangePIN {
				r.ChangeVouchers++
			}
			if s.PartlyPaid() {
				r.PartlyPaid++
			}
		}
		if s.Status.Unresolved() {
			r.Unresolved++
		}
	}
	order := map[Status]int{Approved: 0, Declined: 1, Unknown: 2, Pending: 3}
	sort.SliceStable(r.Lines, func(i, j int) bool {
		a, b := r.Lines[i], r.Lines[j]
		if a.ProviderCode != b.ProviderCode {
			return a.ProviderCode < b.ProviderCode
		}
		return order[a.Status] < order[b.Status]
	})
	return r
}

// WriteReport prints the report for a terminal or a slip.
func WriteReport(w io.Writer, r Report) error {
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
		Count(r.Sales, "sale", "sales"), Count(r.ChangeVouchers, "change voucher", "change vouchers"), r.PartlyPaid, r.Unresolved)
	return err
}

// CSVHeader names the columns of `voucherpos report --csv`: one row per
// sale, to reconcile against the Kora dashboard's transactions.
var CSVHeader = []string{"date", "time", "reference", "kora_reference", "terminal_id", "provider_code",
	"provider_name", "status", "decline_kind", "currency", "amount_requested", "amount_charged", "fee",
	"vat", "net", "partly_paid", "change_voucher", "voucher_serial", "pin_last4"}

// WriteReportCSV writes one row per sale; amounts are exact decimals.
func WriteReportCSV(w io.Writer, sales []Sale) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for _, s := range sales {
		c := s.Currency
		net := Money(0)
		if s.Status == Approved {
			net = s.Charged - s.Fee - s.VAT
		}
		t := s.CreatedAt
		cw.Write([]string{t.Format("2006-01-02"), t.Format("15:04:05"), s.Reference, s.KoraReference, s.TerminalID,
			s.ProviderCode, s.ProviderName, string(s.Status), string(s.DeclineKind), c.Code, c.Plain(s.Requested),
			c.Plain(s.Charged), c.Plain(s.Fee), c.Plain(s.VAT), c.Plain(net), strconv.FormatBool(s.PartlyPaid()),
			strconv.FormatBool(s.HasChangePIN), csvSafe(s.VoucherSerial), s.PINLast4})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a value as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
		return "'" + v
	}
	return v
}
