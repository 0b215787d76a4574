package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/lib/pq"

	"voucherpos/syncwire"
)

// bucketSize is the rollup's grain: every zone's midnight in use today
// falls on a multiple of 15 minutes of UTC.
const bucketSize = 15 * time.Minute

func bucketOf(t time.Time) time.Time { return t.UTC().Truncate(bucketSize) }

// rollupKey and rollupSums are one sale's part in sales_rollup.
type rollupKey struct {
	bucket                     time.Time
	currency, provider, status string
}

type rollupSums struct {
	digits                                              int
	name                                                string
	sales, requested, charged, fee, vat, change, partly int64
}

func contribution(created time.Time, currency string, digits int, provider, name, status string,
	requested, charged, fee, vat int64, change bool) (rollupKey, rollupSums) {
	k := rollupKey{bucketOf(created), currency, provider, status}
	v := rollupSums{digits: digits, name: name, sales: 1, requested: requested}
	if status == "approved" {
		v.charged, v.fee, v.vat = charged, fee, vat
		if change {
			v.change = 1
		}
		if charged < requested {
			v.partly = 1
		}
	}
	return k, v
}

// updateRollup queues, on batch, the rollup's change for the newest
// snapshot of each sale in this batch: less what the sale counted for
// before (read under FOR UPDATE), plus what it counts for now. It follows
// the sales upsert's own rule: a snapshot replaces only an older one of
// the same till.
func updateRollup(ctx context.Context, tx *sql.Tx, batch *rowBatch, terminalID string, order []string,
	latest map[string]int, events []syncwire.Event, payloads []syncwire.Payload) error {
	type old struct {
		terminal, currency, provider, name, status string
		digits                                     int
		created                                    time.Time
		requested, charged, fee, vat, lastSeq      int64
		change                                     bool
	}
	prev := map[string]old{}
	var ref string
	var o old
	err := eachRow(ctx, tx, `SELECT reference, terminal_id, created_at, status, currency, currency_digits, provider_code,
		provider_name, amount_requested, amount_charged, fee, vat, change_voucher, last_seq
		FROM sales WHERE reference = ANY($1) FOR UPDATE`, []any{pq.Array(order)}, func(rows *sql.Rows) error {
		if err := rows.Scan(&ref, &o.terminal, &o.created, &o.status, &o.currency, &o.digits, &o.provider,
			&o.name, &o.requested, &o.charged, &o.fee, &o.vat, &o.change, &o.lastSeq); err != nil {
			return err
		}
		prev[ref] = o
		return nil
	})
	if err != nil {
		return err
	}
	delta := map[rollupKey]rollupSums{}
	add := func(k rollupKey, v rollupSums, sign int64) {
		d := delta[k]
		d.digits, d.name = v.digits, v.name
		d.sales += sign * v.sales
		d.requested += sign * v.requested
		d.charged += sign * v.charged
		d.fee += sign * v.fee
		d.vat += sign * v.vat
		d.change += sign * v.change
		d.partly += sign * v.partly
		delta[k] = d
	}
	for _, r := range order {
		i := latest[r]
		s, seq := payloads[i].Sale, events[i].Seq
		if p, ok := prev[r]; ok {
			if p.terminal != terminalID || p.lastSeq >= seq {
				continue // the upsert leaves this sale alone too
			}
			k, v := contribution(p.created, p.currency, p.digits, p.provider, p.name, p.status, p.requested, p.charged, p.fee, p.vat, p.change)
			add(k, v, -1)
		}
		created, err := syncwire.ParseTime(s.CreatedAt)
		if err != nil || created.IsZero() {
			continue // insertEvents refuses the batch for this
		}
		k, v := contribution(created, s.Currency, s.CurrencyDigits, s.ProviderCode, s.ProviderName, s.Status,
			s.AmountRequested, s.AmountCharged, s.Fee, s.VAT, s.ChangeVoucher)
		add(k, v, +1)
	}
	for k, d := range delta {
		if d == (rollupSums{digits: d.digits, name: d.name}) {
			continue // a move that cancels out
		}
		batch.Queue(upsertRollupSQL,
			ts(k.bucket), terminalID, k.currency, d.digits, k.provider, d.name, k.status,
			d.sales, d.requested, d.charged, d.fee, d.vat, d.change, d.partly)
	}
	return nil
}

// upsertRollupSQL adds one line's change to the rollup (see rowBatch).
const upsertRollupSQL = `INSERT INTO sales_rollup (bucket, terminal_id, currency, currency_digits, provider_code, provider_name,
			status, sales, requested, charged, fee, vat, change_vouchers, partly_paid)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
			ON CONFLICT (bucket, terminal_id, currency, provider_code, status) DO UPDATE SET
				sales = sales_rollup.sales + EXCLUDED.sales,
				requested = sales_rollup.requested + EXCLUDED.requested,
				charged = sales_rollup.charged + EXCLUDED.charged,
				fee = sales_rollup.fee + EXCLUDED.fee,
				vat = sales_rollup.vat + EXCLUDED.vat,
				change_vouchers = sales_rollup.change_vouchers + EXCLUDED.change_vouchers,
				partly_paid = sales_rollup.partly_paid + EXCLUDED.partly_paid`

// rebuildRollup is the rollup recomputed from the sales themselves (as
// migration 002 first built it): for sales written other than by the
// ingest, and to check the rollup.
const rebuildRollup = `INSERT INTO sales_rollup
	SELECT date_bin('15 minutes', created_at, '2000-01-01 00:00:00+00'), terminal_id, currency, max(currency_digits),
		provider_code, min(provider_name), status, count(*), sum(amount_requested),
		coalesce(sum(amount_charged) FILTER (WHERE status = 'approved'), 0),
		coalesce(sum(fee) FILTER (WHERE status = 'approved'), 0),
		coalesce(sum(vat) FILTER (WHERE status = 'approved'), 0),
		count(*) FILTER (WHERE status = 'approved' AND change_voucher),
		count(*) FILTER (WHERE status = 'approved' AND amount_charged < amount_requested)
	FROM sales GROUP BY 1, terminal_id, currency, provider_code, status`

// RebuildRollup recomputes the report's rollup from the sales, in one
// transaction.
func (l *Ledger) RebuildRollup(ctx context.Context) error {
	return inTx(ctx, l.pool, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sales_rollup`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, rebuildRollup)
		return err
	})
}
