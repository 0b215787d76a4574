package journal

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// A day of sales is read in pieces, so that a day of 100 000 sales costs
// what a day of ten does: sums by SQL aggregation over an index (Summary),
// a window of rows for a screen (Window), and a batch of rows at a time for
// the command line (Each). The sums and counts read day_totals, a few rows
// per quarter hour (schema.go, migration 4); the rows are read through the
// sales_day index.

// SummaryLine sums the sales of one provider in one status. Money is in
// minor units.
type SummaryLine struct {
	ProviderCode, ProviderName string
	Status                     Status
	Count                      int
	Requested, Charged         int64
	Fee, VAT                   int64
	// PartlyCharged counts the sales charged less than was asked.
	PartlyCharged int
}

// Summary is a range's sales summed by provider and status.
type Summary struct {
	Lines []SummaryLine // by provider code, then status
	// ChangeVouchers counts the approved sales that issued a change voucher.
	ChangeVouchers int
}

// bucket is the day_totals bucket holding t: its UTC quarter hour.
// aligned reports whether t is the start of one (a local midnight is).
func bucket(t time.Time) (b string, aligned bool) {
	u := t.UTC()
	q := u.Truncate(15 * time.Minute)
	return q.Format("2006-01-02T15:04"), q.Equal(u)
}

// qSummary sums the day's quarter hours of day_totals; qSummaryScan sums
// the rows themselves, for a range that does not start and end on a
// quarter hour (no real zone's midnight).
const qSummary = `SELECT provider_code, max(provider_name), status, sum(sales), sum(requested),
	sum(charged), sum(fee), sum(vat), sum(partly), sum(change_vouchers)
	FROM day_totals WHERE bucket >= ? AND bucket < ?
	GROUP BY provider_code, status HAVING sum(sales) > 0 ORDER BY provider_code, status`

const qSummaryScan = `SELECT provider_code, max(provider_name), status, count(*), sum(amount_requested),
	sum(amount_charged), sum(fee), sum(vat), sum(amount_charged < amount_requested),
	sum(change_pin_enc IS NOT NULL)
	FROM sales INDEXED BY sales_day WHERE created_at >= ? AND created_at < ?
	GROUP BY provider_code, status ORDER BY provider_code, status`

// Summary sums the sales created in [from, to) by provider and status.
func (j *Journal) Summary(ctx context.Context, from, to time.Time) (Summary, error) {
	var out Summary
	q, args := qSummaryScan, []any{fmtTime(from), fmtTime(to)}
	if bf, ok := bucket(from); ok {
		if bt, ok := bucket(to); ok {
			q, args = qSummary, []any{bf, bt}
		}
	}
	rows, err := j.queryRows(ctx, nil, q, args...)
	if err != nil {
		return out, explain(err)
	}
	defer rows.Close()
	for rows.Next() {
		var l SummaryLine
		var status string
		var change int
		if err := rows.Scan(&l.ProviderCode, &l.ProviderName, &status, &l.Count, &l.Requested,
			&l.Charged, &l.Fee, &l.VAT, &l.PartlyCharged, &change); err != nil {
			return out, explain(err)
		}
		l.Status = Status(status)
		if l.Status == Approved {
			out.ChangeVouchers += change
		}
		out.Lines = append(out.Lines, l)
	}
	return out, explain(rows.Err())
}

// statusArgs are the four status parameters of a filtered query: the
// statuses wanted, repeated to fill four; every status for none.
func statusArgs(statuses []Status) []any {
	if len(statuses) == 0 {
		statuses = []Status{Pending, Approved, Declined, Unknown}
	}
	out := make([]any, 4)
	for i := range out {
		out[i] = string(statuses[i%len(statuses)])
	}
	return out
}

const qWindow = `SELECT ` + saleColumns + ` FROM sales INDEXED BY sales_day
	WHERE created_at >= ? AND created_at < ? AND status IN (?,?,?,?)
	ORDER BY created_at DESC, reference DESC LIMIT ? OFFSET ?`

const qCount = `SELECT coalesce(sum(sales), 0) FROM day_totals
	WHERE bucket >= ? AND bucket < ? AND status IN (?,?,?,?)`

const qCountScan = `SELECT count(*) FROM sales INDEXED BY sales_day
	WHERE created_at >= ? AND created_at < ? AND status IN (?,?,?,?)`

// Window returns up to limit of the sales created in [from, to) in one
// of statuses (any status when none is given), newest first, skipping the
// offset newest, and how many such sales there are in all.
func (j *Journal) Window(ctx context.Context, from, to time.Time, statuses []Status, offset, limit int) (total int, sales []Sale, err error) {
	st := statusArgs(statuses)
	args := append([]any{fmtTime(from), fmtTime(to)}, st...)
	count, countArgs := qCountScan, args
	if bf, ok := bucket(from); ok {
		if bt, ok := bucket(to); ok {
			count, countArgs = qCount, append([]any{bf, bt}, st...)
		}
	}
	if err := j.queryRow(ctx, nil, count, countArgs...).Scan(&total); err != nil {
		return 0, nil, explain(err)
	}
	if offset >= total || limit <= 0 {
		return total, nil, nil
	}
	sales, err = j.query(ctx, qWindow, append(args, limit, max(offset, 0))...)
	return total, sales, err
}

const qEach = `SELECT ` + saleColumns + ` FROM sales INDEXED BY sales_day
	WHERE created_at >= ? AND created_at < ? AND (created_at > ? OR reference > ?)
	ORDER BY created_at, reference LIMIT ?`

// eachBatch is how many rows Each holds at a time.
const eachBatch = 64

// eachCacheKiB is the page cache Each reads with, in KiB. A stream reads
// each leaf page of the index and of the table once: a cache bigger than
// the interior pages of their b-trees holds only pages it never reads
// again, and it is memory of the process, filled as a busy day is read
// (the journal's 256 KiB took half a megabyte of SQLite's allocator).
const eachCacheKiB = 64

// Each calls fn with each sale created in [from, to), oldest first, holding
// a batch of rows at a time, never the day; an error from fn stops it and
// is returned. The journal is free while fn runs (fn may read it). It
// reads with a page cache of eachCacheKiB, the connection's own restored
// after.
func (j *Journal) Each(ctx context.Context, from, to time.Time, fn func(Sale) error) error {
	var cache int // PRAGMA cache_size: < 0 in KiB, else in pages
	if err := j.queryRow(ctx, nil, `PRAGMA cache_size`).Scan(&cache); err == nil && (cache > 0 || cache < -eachCacheKiB) {
		if _, err := j.exec(ctx, nil, `PRAGMA cache_size = -`+strconv.Itoa(eachCacheKiB)); err == nil {
			defer j.exec(context.WithoutCancel(ctx), nil, `PRAGMA cache_size = `+strconv.Itoa(cache))
		}
	}
	afterAt, until, afterRef := fmtTime(from), fmtTime(to), ""
	// One batch's room and one row's scan destinations, reused: each row's
	// Sale is handed to fn by value.
	batch, sc := make([]Sale, 0, eachBatch), newSaleScan()
	for {
		// The range starts at the last row seen: a seek in the index.
		var err error
		batch, err = j.queryInto(ctx, sc, batch[:0], qEach, afterAt, until, afterAt, afterRef, eachBatch)
		if err != nil {
			return err
		}
		for _, s := range batch {
			if err := fn(s); err != nil {
				return err
			}
		}
		if len(batch) < eachBatch {
			return nil
		}
		last := batch[len(batch)-1]
		at := fmtTime(last.CreatedAt)
		if at < afterAt || (at == afterAt && last.Reference <= afterRef && afterRef != "") {
			return fmt.Errorf("journal: sale %s has an unreadable created_at", last.Reference)
		}
		afterAt, afterRef = at, last.Reference
	}
}
