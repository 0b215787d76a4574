package store

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"voucherpos/internal/cli"
)

// ReportLine sums the sales of one till, provider and status. Money sums
// count approved sales only, as the till's Z-report does; Requested counts
// every sale of the line.
type ReportLine struct {
	TerminalID     string
	Currency       string
	Digits         int
	ProviderCode   string
	ProviderName   string
	Status         string
	Count          int64
	Requested      int64
	Charged        int64
	Fee            int64
	VAT            int64
	ChangeVouchers int64 // approved sales that issued a change voucher
	PartlyPaid     int64 // approved sales charged less than asked
}

// Net is what the shop keeps: charged less Kora's fee and its VAT.
func (l ReportLine) Net() int64 { return l.Charged - l.Fee - l.VAT }

func (l *ReportLine) add(o ReportLine) {
	l.Count += o.Count
	l.Requested += o.Requested
	l.Charged += o.Charged
	l.Fee += o.Fee
	l.VAT += o.VAT
	l.ChangeVouchers += o.ChangeVouchers
	l.PartlyPaid += o.PartlyPaid
}

// Report is the store's Z-report for one day.
type Report struct {
	Day   time.Time // midnight, in the report's zone
	Till  string    // "" for every till
	Lines []ReportLine
}

var statusOrder = map[string]int{"approved": 0, "declined": 1, "unknown": 2, "pending": 3}

func sortLines(ls []ReportLine) {
	sort.SliceStable(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if a.TerminalID != b.TerminalID {
			return a.TerminalID < b.TerminalID
		}
		if a.Currency != b.Currency {
			return a.Currency < b.Currency
		}
		if a.ProviderCode != b.ProviderCode {
			return a.ProviderCode < b.ProviderCode
		}
		return statusOrder[a.Status] < statusOrder[b.Status]
	})
}

// dayBounds is [midnight, next midnight) of day's calendar date in its zone.
func dayBounds(day time.Time) (time.Time, time.Time) {
	y, m, d := day.Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, day.Location())
	return from, from.AddDate(0, 0, 1)
}

// The report's queries: a range of the rollup's primary key (bucket
// first), grouped in SQL; at most 96 rows per till, provider and status
// for a day, whatever the number of sales. Two constant texts rather than
// one with an optional filter, so the planner sees the till's condition.
const (
	reportSelect = `SELECT terminal_id, currency, max(currency_digits)::int, provider_code, min(provider_name), status,
		sum(sales)::bigint, sum(requested)::bigint, sum(charged)::bigint, sum(fee)::bigint, sum(vat)::bigint,
		sum(change_vouchers)::bigint, sum(partly_paid)::bigint
		FROM sales_rollup WHERE bucket >= $1 AND bucket < $2`
	reportGroup   = ` GROUP BY terminal_id, currency, provider_code, status HAVING sum(sales) > 0`
	reportQuery   = reportSelect + reportGroup
	reportTillQry = reportSelect + ` AND terminal_id = $3` + reportGroup
)

// Report computes the day's Z-report (the calendar day of day, in day's
// zone), for one till or all ("").
func (l *Ledger) Report(ctx context.Context, day time.Time, till string) (Report, error) {
	from, to := dayBounds(day)
	r := Report{Day: from, Till: till}
	var rows *sql.Rows
	var err error
	if till == "" {
		rows, err = l.pool.QueryContext(ctx, reportQuery, ts(from), ts(to))
	} else {
		rows, err = l.pool.QueryContext(ctx, reportTillQry, ts(from), ts(to), till)
	}
	if err != nil {
		return r, fmt.Errorf("report: %w", err)
	}
	defer rows.Close()
	var ln ReportLine
	for rows.Next() {
		if err := rows.Scan(&ln.TerminalID, &ln.Currency, &ln.Digits, &ln.ProviderCode, &ln.ProviderName,
			&ln.Status, &ln.Count, &ln.Requested, &ln.Charged, &ln.Fee, &ln.VAT, &ln.ChangeVouchers, &ln.PartlyPaid); err != nil {
			return r, fmt.Errorf("report: %w", err)
		}
		r.Lines = append(r.Lines, ln)
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("report: %w", err)
	}
	sortLines(r.Lines)
	return r, nil
}

// Tills are the terminals with sales in the report.
func (r Report) Tills() []string {
	var out []string
	for _, l := range r.Lines {
		if len(out) == 0 || out[len(out)-1] != l.TerminalID {
			out = append(out, l.TerminalID)
		}
	}
	return out
}

// ByProvider merges the tills: one line per currency, provider and status.
func (r Report) ByProvider() []ReportLine {
	idx := map[string]int{}
	var out []ReportLine
	for _, l := range r.Lines {
		k := l.Currency + "/" + l.ProviderCode + "/" + l.Status
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			m := l
			m.TerminalID = ""
			m.Count, m.Requested, m.Charged, m.Fee, m.VAT, m.ChangeVouchers, m.PartlyPaid = 0, 0, 0, 0, 0, 0, 0
			out = append(out, m)
		}
		out[i].add(l)
	}
	sortLines(out)
	return out
}

// Summary is a report's totals for one till (or all, TerminalID "") in one
// currency: money of approved sales, and the day's counts.
type Summary struct {
	Total          ReportLine // approved sales only
	Sales          int64
	ChangeVouchers int64
	PartlyPaid     int64
	Unresolved     int64
}

// Summaries totals the report per currency for till ("" for all).
func (r Report) Summaries(till string) []Summary {
	idx := map[string]int{}
	var out []Summary
	for _, l := range r.Lines {
		if till != "" && l.TerminalID != till {
			continue
		}
		i, ok := idx[l.Currency]
		if !ok {
			i = len(out)
			idx[l.Currency] = i
			out = append(out, Summary{Total: ReportLine{TerminalID: till, Currency: l.Currency, Digits: l.Digits, Status: "approved"}})
		}
		s := &out[i]
		s.Sales += l.Count
		s.ChangeVouchers += l.ChangeVouchers
		s.PartlyPaid += l.PartlyPaid
		switch l.Status {
		case "approved":
			s.Total.add(l)
		case "pending", "unknown":
			s.Unresolved += l.Count
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Total.Currency < out[j].Total.Currency })
	return out
}

// plain writes minor units as an exact decimal: 123450, 2 → "1234.50".
func plain(m int64, digits int) string {
	neg := m < 0
	u := uint64(m)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// WriteReport prints the store's Z-report: each till's lines and totals,
// then the store's by provider, then the store's totals.
func WriteReport(w io.Writer, storeName string, r Report) error {
	title := "Store Z-report"
	if storeName != "" {
		title += " " + storeName
	}
	fmt.Fprintf(w, "%s %s", title, r.Day.Format("2006-01-02"))
	if r.Till != "" {
		fmt.Fprintf(w, " (till %s)", r.Till)
	}
	fmt.Fprintln(w)
	if len(r.Lines) == 0 {
		_, err := fmt.Fprintln(w, "\nNo sales on this day.")
		return err
	}
	table := func(heading string, lines []ReportLine, sums []Summary) error {
		fmt.Fprintf(w, "\n%s\n", heading)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "PROVIDER\tSTATUS\tSALES\tCUR\tASKED\tCHARGED\tFEE\tVAT\tNET\t")
		for _, l := range lines {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.ProviderName, l.Status, l.Count, l.Currency,
				plain(l.Requested, l.Digits), plain(l.Charged, l.Digits), plain(l.Fee, l.Digits), plain(l.VAT, l.Digits), plain(l.Net(), l.Digits))
		}
		for _, s := range sums {
			t := s.Total
			fmt.Fprintf(tw, "TOTAL\tapproved\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", t.Count, t.Currency,
				plain(t.Requested, t.Digits), plain(t.Charged, t.Digits), plain(t.Fee, t.Digits), plain(t.VAT, t.Digits), plain(t.Net(), t.Digits))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, s := range sums {
			fmt.Fprintf(w, "%d sales, %d change vouchers issued, %d partly paid, %d unresolved\n",
				s.Sales, s.ChangeVouchers, s.PartlyPaid, s.Unresolved)
		}
		return nil
	}
	for _, till := range r.Tills() {
		var lines []ReportLine
		for _, l := range r.Lines {
			if l.TerminalID == till {
				lines = append(lines, l)
			}
		}
		if err := table("Till "+till, lines, r.Summaries(till)); err != nil {
			return err
		}
	}
	return table(fmt.Sprintf("Store (%d tills)", len(r.Tills())), r.ByProvider(), r.Summaries(""))
}

// CSVHeader is the till's `report --csv` header (terminal_id included): a
// store CSV and a till's can be concatenated.
var CSVHeader = cli.CSVHeader

const (
	csvSelect  = `SELECT ` + saleColumns + ` FROM sales WHERE created_at >= $1 AND created_at < $2`
	csvOrder   = ` ORDER BY created_at, reference`
	csvQuery   = csvSelect + csvOrder
	csvTillQry = csvSelect + ` AND terminal_id = $3` + csvOrder
)

// WriteReportCSV streams the day's sales, one row each, times in day's zone.
func (l *Ledger) WriteReportCSV(ctx context.Context, w io.Writer, day time.Time, till string) error {
	from, to := dayBounds(day)
	var rows *sql.Rows
	var err error
	if till == "" {
		rows, err = l.pool.QueryContext(ctx, csvQuery, ts(from), ts(to))
	} else {
		rows, err = l.pool.QueryContext(ctx, csvTillQry, ts(from), ts(to), till)
	}
	if err != nil {
		return fmt.Errorf("report csv: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for rows.Next() {
		s, err := scanSale(rows)
		if err != nil {
			return fmt.Errorf("report csv: %w", err)
		}
		approved := s.Status == "approved"
		net := int64(0)
		if approved {
			net = s.AmountCharged - s.Fee - s.VAT
		}
		t, _ := time.Parse("2006-01-02T15:04:05.000000000Z", s.CreatedAt)
		t = t.In(day.Location())
		d := s.CurrencyDigits
		cw.Write([]string{t.Format("2006-01-02"), t.Format("15:04:05"), s.Reference, s.KoraReference, s.TerminalID,
			s.ProviderCode, s.ProviderName, s.Status, s.DeclineKind, s.Currency, plain(s.AmountRequested, d),
			plain(s.AmountCharged, d), plain(s.Fee, d), plain(s.VAT, d), plain(net, d),
			strconv.FormatBool(approved && s.AmountCharged < s.AmountRequested), strconv.FormatBool(s.ChangeVoucher),
			cli.CSVSafe(s.VoucherSerial), s.PINLast4})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report csv: %w", err)
	}
	cw.Flush()
	return cw.Error()
}
