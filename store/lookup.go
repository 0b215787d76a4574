package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/lib/pq"

	"voucherpos/kora"
	"voucherpos/syncwire"
)

const saleColumns = `reference, kora_reference, terminal_id, created_at, updated_at, status, currency, currency_digits,
	amount_requested, amount_charged, fee, vat, provider_code, provider_name, decline_kind, decline_message,
	pin_last4, phone_last4, voucher_serial, voucher_balance, voucher_expiry, change_voucher`

// row is a *sql.Row or *sql.Rows.
type row interface{ Scan(dest ...any) error }

func scanSale(r row) (syncwire.Sale, error) {
	var s syncwire.Sale
	var created, updated time.Time
	var expiry *time.Time
	err := r.Scan(&s.Reference, &s.KoraReference, &s.TerminalID, &created, &updated, &s.Status, &s.Currency,
		&s.CurrencyDigits, &s.AmountRequested, &s.AmountCharged, &s.Fee, &s.VAT, &s.ProviderCode, &s.ProviderName,
		&s.DeclineKind, &s.DeclineMessage, &s.PINLast4, &s.PhoneLast4, &s.VoucherSerial, &s.VoucherBalance,
		&expiry, &s.ChangeVoucher)
	if err != nil {
		return s, err
	}
	s.CreatedAt, s.UpdatedAt = syncwire.FormatTime(created), syncwire.FormatTime(updated)
	if expiry != nil {
		s.VoucherExpiry = syncwire.FormatTime(*expiry)
	}
	return s, nil
}

// Sale is one sale from any till, with its events.
func (l *Ledger) Sale(ctx context.Context, reference string) (syncwire.Lookup, error) {
	s, err := scanSale(l.pool.QueryRowContext(ctx, `SELECT `+saleColumns+` FROM sales WHERE reference = $1`, reference))
	if errors.Is(err, sql.ErrNoRows) {
		return syncwire.Lookup{}, ErrSaleNotFound
	}
	if err != nil {
		return syncwire.Lookup{}, fmt.Errorf("sale: %w", err)
	}
	out := syncwire.Lookup{Sale: s}
	rows, err := l.pool.QueryContext(ctx, `SELECT seq, at, kind, detail FROM events
		WHERE reference = $1 AND terminal_id = $2 ORDER BY seq LIMIT 1000`, reference, s.TerminalID)
	if err != nil {
		return out, fmt.Errorf("sale events: %w", err)
	}
	defer rows.Close()
	var e syncwire.LookupEvent
	var at time.Time
	for rows.Next() {
		if err := rows.Scan(&e.Seq, &at, &e.Kind, &e.Detail); err != nil {
			return out, err
		}
		e.At = syncwire.FormatTime(at)
		out.Events = append(out.Events, e)
	}
	return out, rows.Err()
}

var last4Pattern = regexp.MustCompile(`^[0-9]{4}$`)

// ErrBadQuery: a lookup's parameters are not a PIN's last 4 and an amount.
var ErrBadQuery = errors.New("look up by pin_last4 (4 digits) and amount (a decimal such as 100.00)")

// maxLookup bounds a lookup's answer.
const maxLookup = 50

// FindSales looks a sale up across the store by the voucher PIN's last 4
// digits and the amount asked (decimal text in the sale's currency), newest
// first.
func (l *Ledger) FindSales(ctx context.Context, pinLast4, amount string) ([]syncwire.Sale, error) {
	if !last4Pattern.MatchString(pinLast4) {
		return nil, ErrBadQuery
	}
	a, err := kora.ParseAmount(amount)
	if err != nil || a.Sign() <= 0 {
		return nil, ErrBadQuery
	}
	// The amount in minor units for each currency precision in use; the
	// row's own digits say which one applies.
	minor := map[int]int64{}
	var candidates []int64
	for _, d := range []int{0, 2, 3} {
		if m, err := a.Minor(d); err == nil {
			minor[d] = m
			candidates = append(candidates, m)
		}
	}
	if len(candidates) == 0 {
		return nil, ErrBadQuery
	}
	rows, err := l.pool.QueryContext(ctx, `SELECT `+saleColumns+` FROM sales
		WHERE pin_last4 = $1 AND amount_requested = ANY($2) ORDER BY created_at DESC LIMIT $3`,
		pinLast4, pq.Array(candidates), maxLookup*3)
	if err != nil {
		return nil, fmt.Errorf("find sales: %w", err)
	}
	defer rows.Close()
	var out []syncwire.Sale
	for rows.Next() {
		s, err := scanSale(rows)
		if err != nil {
			return nil, fmt.Errorf("find sales: %w", err)
		}
		if m, ok := minor[s.CurrencyDigits]; ok && m == s.AmountRequested && len(out) < maxLookup {
			out = append(out, s)
		}
	}
	return out, rows.Err()
}
