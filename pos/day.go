package pos

import (
	"context"
	"sort"
	"time"

	"voucherpos/pos/journal"
)

// A day of sales without the day in memory: its Z-report summed by the
// journal (DayReport), a window of it for a screen (DayWindow), and each
// of its sales in turn for the command line (EachOfDay). A day of 100 000
// sales costs what a day of ten does.

// dayRange is the local calendar day of t, [from, to).
func dayRange(t time.Time) (from, to time.Time) {
	y, m, d := t.Date()
	from = time.Date(y, m, d, 0, 0, 0, 0, t.Location())
	return from, from.AddDate(0, 0, 1)
}

// DayReport is the Z-report of the local calendar day of t, summed by the
// journal: what BuildReport makes of the day's sales.
func (s *Service) DayReport(ctx context.Context, t time.Time) (Report, error) {
	from, to := dayRange(t)
	sum, err := s.journal.Summary(ctx, from, to)
	if err != nil {
		return Report{}, err
	}
	return reportFrom(t, s.cur, sum), nil
}

func reportFrom(day time.Time, cur Currency, sum journal.Summary) Report {
	r := Report{Day: day, Currency: cur, ChangeVouchers: sum.ChangeVouchers}
	for _, l := range sum.Lines {
		line := ReportLine{ProviderCode: l.ProviderCode, ProviderName: l.ProviderName, Status: l.Status,
			Count: l.Count, Requested: Money(l.Requested)}
		r.Sales += l.Count
		if l.Status == Approved {
			line.Charged, line.Fee, line.VAT = Money(l.Charged), Money(l.Fee), Money(l.VAT)
			r.Total.Count += l.Count
			r.Total.Requested += line.Requested
			r.Total.Charged += line.Charged
			r.Total.Fee += line.Fee
			r.Total.VAT += line.VAT
			r.PartlyPaid += l.PartlyCharged
		}
		if l.Status.Unresolved() {
			r.Unresolved += l.Count
		}
		r.Lines = append(r.Lines, line)
	}
	sortLines(r.Lines)
	return r
}

// sortLines orders a report's lines by provider, then approved, declined,
// unknown, pending.
func sortLines(lines []ReportLine) {
	order := map[Status]int{Approved: 0, Declined: 1, Unknown: 2, Pending: 3}
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if a.ProviderCode != b.ProviderCode {
			return a.ProviderCode < b.ProviderCode
		}
		return order[a.Status] < order[b.Status]
	})
}

// DayWindow is a window of a day's sales, newest first.
type DayWindow struct {
	// Total is how many of the day's sales the filter keeps.
	Total int
	// Offset is the place of Sales[0] among them (0: the newest).
	Offset int
	Sales  []Sale
}

// DayWindow reads up to limit of the sales of the local calendar day of t
// that are in one of statuses (all when none is given), newest first,
// from the offset-th newest on.
func (s *Service) DayWindow(ctx context.Context, t time.Time, statuses []Status, offset, limit int) (DayWindow, error) {
	from, to := dayRange(t)
	total, rows, err := s.journal.Window(ctx, from, to, statuses, offset, limit)
	if err != nil {
		return DayWindow{}, err
	}
	w := DayWindow{Total: total, Offset: offset, Sales: make([]Sale, len(rows))}
	for i, r := range rows {
		w.Sales[i] = s.sale(ctx, r)
	}
	return w, nil
}

// EachOfDay calls fn with each sale of the local calendar day of t, oldest
// first, holding a few hundred at a time; an error from fn stops it and is
// returned.
func (s *Service) EachOfDay(ctx context.Context, t time.Time, fn func(Sale) error) error {
	from, to := dayRange(t)
	return s.journal.Each(ctx, from, to, func(r journal.Sale) error { return fn(s.sale(ctx, r)) })
}
