package store

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"voucherpos/internal/cli"
	"voucherpos/kora"
	"voucherpos/syncwire"
)

// PayInResult is how one pay-in or sale came out of reconcile-kora.
type PayInResult string

// Results. Anything but Matched is a disagreement.
const (
	PayInMatched       PayInResult = "matched"
	PayInKoraOnly      PayInResult = "kora_only"      // Kora took money no till recorded
	PayInLedgerOnly    PayInResult = "ledger_only"    // a till says approved; Kora lists no such charge
	PayInAmountsDiffer PayInResult = "amounts_differ" // both approved, different amount or fee
	PayInStatusDiffers PayInResult = "status_differs" // Kora success and the till not approved, or the other way
)

// PayInResults in print order.
var PayInResults = []PayInResult{PayInKoraOnly, PayInLedgerOnly, PayInAmountsDiffer, PayInStatusDiffers, PayInMatched}

// PayInAction says what to do about each disagreeing result.
var PayInAction = map[PayInResult]string{
	PayInKoraOnly:      "money Kora took that no till recorded: find the till (server tills: one not shipping?) or a charge made outside voucherpos; the customer may be owed goods.",
	PayInLedgerOnly:    "a till says approved but Kora does not list the charge: query it (voucherpos reconcile on the till); the shop may have given goods for nothing.",
	PayInAmountsDiffer: "Kora's figure is what the shop is paid: compare `server sale REFERENCE` with Kora's dashboard and correct the till's records by hand.",
	PayInStatusDiffers: "the till and Kora disagree on whether the sale went through: run voucherpos reconcile on the till; Kora's answer is the truth.",
}

// PayInLine is one line of reconcile-kora. Money in minor units.
type PayInLine struct {
	Result        PayInResult
	TerminalID    string
	Reference     string
	KoraReference string
	TillStatus    string
	KoraStatus    string
	Currency      string
	Digits        int
	TillAmount    *int64
	KoraAmount    *int64
	TillFee       *int64
	KoraFee       *int64
}

// PayInReport is reconcile-kora's answer for one day.
type PayInReport struct {
	Day   time.Time
	Lines []PayInLine
	// Truncated: Kora's list stopped at its page bound; what is missing
	// may show as ledger-only.
	Truncated bool
}

// Disagreements counts the lines that are not matched.
func (r PayInReport) Disagreements() int {
	n := 0
	for _, l := range r.Lines {
		if l.Result != PayInMatched {
			n++
		}
	}
	return n
}

// PayInLister reads Kora's Pay-ins History: *kora.Client.
type PayInLister interface {
	ListPayIns(ctx context.Context, q kora.PayInQuery) ([]kora.PayIn, error)
}

// maxPayInPages bounds one day's reading of Pay-ins History (100 a page).
const maxPayInPages = 500

type daySale struct {
	reference, till, koraRef, status, currency string
	digits                                     int
	charged, fee                               int64
	seen                                       bool
}

// payInSalesQuery: the day's sales, on sales_created.
const payInSalesQuery = `SELECT reference, terminal_id, kora_reference, status, currency, currency_digits,
	amount_charged, fee FROM sales WHERE created_at >= $1 AND created_at < $2`

// referenceOf is our reference for a pay-in: Kora's payment_reference when
// it lists one, else the first word of its description, which a till's
// charge starts with our reference (pos.ChargeDescription).
func referenceOf(p kora.PayIn) string {
	if p.Reference != "" {
		return p.Reference
	}
	word, _, _ := strings.Cut(strings.TrimSpace(p.Description), " ")
	return word
}

// ReconcileKora reads Kora's Pay-ins History for day (every page, bounded)
// and compares it with the day's sales in the ledger.
func (l *Ledger) ReconcileKora(ctx context.Context, k PayInLister, day time.Time) (PayInReport, error) {
	from, to := dayBounds(day)
	rep := PayInReport{Day: from}
	// Kora's pages do not say which zone date_from/date_to are read in;
	// this sends UTC, the day's bounds exactly.
	pays, err := k.ListPayIns(ctx, kora.PayInQuery{From: from.UTC(), To: to.Add(-time.Second).UTC(), Limit: 100, MaxPages: maxPayInPages})
	if errors.Is(err, kora.ErrPayInsTruncated) {
		rep.Truncated = true
	} else if err != nil {
		return rep, fmt.Errorf("kora pay-ins: %w", err)
	}
	sales := map[string]*daySale{}
	byKora := map[string]*daySale{}
	err = eachRow(ctx, l.pool, payInSalesQuery, []any{ts(from), ts(to)}, func(rows *sql.Rows) error {
		s := &daySale{}
		if err := rows.Scan(&s.reference, &s.till, &s.koraRef, &s.status, &s.currency, &s.digits, &s.charged, &s.fee); err != nil {
			return err
		}
		sales[s.reference] = s
		if s.koraRef != "" {
			byKora[s.koraRef] = s
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("reconcile-kora: %w", err)
	}
	for _, p := range pays {
		s := sales[referenceOf(p)]
		if s == nil && p.TransactionReference != "" {
			s = byKora[p.TransactionReference]
		}
		success := p.Status.Verdict() == kora.VerdictApproved
		line := PayInLine{Reference: referenceOf(p), KoraReference: p.TransactionReference, KoraStatus: string(p.Status),
			Currency: strings.ToUpper(p.Currency)}
		if s != nil {
			s.seen = true
			line.TerminalID, line.Reference, line.TillStatus, line.Currency, line.Digits = s.till, s.reference, s.status, s.currency, s.digits
			if s.status == "approved" {
				line.TillAmount, line.TillFee = ptr(s.charged), ptr(s.fee)
			}
		} else {
			line.Digits = syncwire.CurrencyDigits(line.Currency)
			line.Reference = p.Reference // a description's first word names no sale
		}
		if a, ok := p.Charged(); ok && success {
			if v, err := a.Minor(line.Digits); err == nil {
				line.KoraAmount = &v
			}
		}
		if p.HasFee && success {
			if v, err := p.Fee.Minor(line.Digits); err == nil {
				line.KoraFee = &v
			}
		}
		switch {
		case s == nil && !success:
			continue // a failed attempt no till kept: no money moved
		case s == nil:
			line.Result = PayInKoraOnly
		case success != (s.status == "approved"):
			if !success && !p.Status.Final() {
				continue // still in progress at Kora: the till's reconciler follows it
			}
			if !success && s.status != "approved" {
				continue
			}
			line.Result = PayInStatusDiffers
		case !success:
			continue // failed at both
		case !strings.EqualFold(p.Currency, s.currency) || line.KoraAmount == nil || *line.KoraAmount != s.charged ||
			(line.KoraFee != nil && *line.KoraFee != s.fee):
			line.Result = PayInAmountsDiffer
		default:
			line.Result = PayInMatched
		}
		rep.Lines = append(rep.Lines, line)
	}
	for _, s := range sales {
		if !s.seen && s.status == "approved" {
			rep.Lines = append(rep.Lines, PayInLine{Result: PayInLedgerOnly, TerminalID: s.till, Reference: s.reference,
				KoraReference: s.koraRef, TillStatus: s.status, Currency: s.currency, Digits: s.digits,
				TillAmount: ptr(s.charged), TillFee: ptr(s.fee)})
		}
	}
	order := map[PayInResult]int{}
	for i, r := range PayInResults {
		order[r] = i
	}
	sort.SliceStable(rep.Lines, func(i, j int) bool {
		a, b := rep.Lines[i], rep.Lines[j]
		if a.Result != b.Result {
			return order[a.Result] < order[b.Result]
		}
		return a.Reference+a.KoraReference < b.Reference+b.KoraReference
	})
	return rep, nil
}

func ptr(v int64) *int64 { return &v }

func fmtMinor(v *int64, digits int) string {
	if v == nil {
		return ""
	}
	return plain(*v, digits)
}

// WriteReconcileKora prints reconcile-kora as a table, then the counts and
// what to do about each disagreement found.
func WriteReconcileKora(w io.Writer, r PayInReport) error {
	fmt.Fprintf(w, "Kora pay-ins against the ledger, %s\n\n", r.Day.Format("2006-01-02"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RESULT\tTILL\tREFERENCE\tKORA REFERENCE\tTILL STATUS\tKORA STATUS\tTILL AMOUNT\tKORA AMOUNT\tTILL FEE\tKORA FEE")
	counts := map[PayInResult]int{}
	for _, l := range r.Lines {
		counts[l.Result]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Result, cli.OrDash(l.TerminalID), cli.OrDash(l.Reference), cli.OrDash(l.KoraReference),
			cli.OrDash(l.TillStatus), cli.OrDash(l.KoraStatus), cli.OrDash(fmtMinor(l.TillAmount, l.Digits)), cli.OrDash(fmtMinor(l.KoraAmount, l.Digits)),
			cli.OrDash(fmtMinor(l.TillFee, l.Digits)), cli.OrDash(fmtMinor(l.KoraFee, l.Digits)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nmatched %d, kora_only %d, ledger_only %d, amounts_differ %d, status_differs %d\n",
		counts[PayInMatched], counts[PayInKoraOnly], counts[PayInLedgerOnly], counts[PayInAmountsDiffer], counts[PayInStatusDiffers])
	if r.Truncated {
		fmt.Fprintf(w, "Kora's list was cut at %d pages: lines shown as ledger_only may be on later pages.\n", maxPayInPages)
	}
	for _, res := range PayInResults {
		if res != PayInMatched && counts[res] > 0 {
			fmt.Fprintf(w, "  %s: %s\n", res, PayInAction[res])
		}
	}
	return nil
}

// PayInCSVHeader is reconcile-kora --csv's header.
var PayInCSVHeader = []string{"result", "terminal_id", "reference", "kora_reference", "till_status", "kora_status",
	"currency", "till_amount", "kora_amount", "till_fee", "kora_fee"}

// WriteReconcileKoraCSV writes one CSV row per line, every cell guarded
// against spreadsheet formulas.
func WriteReconcileKoraCSV(w io.Writer, r PayInReport) error {
	cw := csv.NewWriter(w)
	cw.Write(PayInCSVHeader)
	for _, l := range r.Lines {
		row := []string{string(l.Result), l.TerminalID, l.Reference, l.KoraReference, l.TillStatus, l.KoraStatus, l.Currency,
			fmtMinor(l.TillAmount, l.Digits), fmtMinor(l.KoraAmount, l.Digits), fmtMinor(l.TillFee, l.Digits), fmtMinor(l.KoraFee, l.Digits)}
		for i := range row {
			row[i] = cli.CSVSafe(row[i])
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}
