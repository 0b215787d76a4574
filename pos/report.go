package pos

import "time"

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

// BuildReport sums a day's sales by provider and status (Service.DayReport
// has the journal do it). Money totals count
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
	sortLines(r.Lines)
	return r
}
