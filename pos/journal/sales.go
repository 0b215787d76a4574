package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrFinal: the sale already has a final outcome that cannot change.
var ErrFinal = errors.New("journal: the sale is already final")

// timeLayout is fixed width so that stored times sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Create writes a new sale as pending, with its first event, durably. It
// must return before the charge is sent.
func (j *Journal) Create(ctx context.Context, s Sale) error {
	if len(s.PINLast4) > 4 {
		return errors.New("journal: only the last four digits of a PIN may be stored")
	}
	at := fmtTime(s.CreatedAt)
	// The phone number is personal data: in clear only its last four
	// digits; whole only encrypted, and only when there is a key.
	var phoneBox []byte
	if s.Phone != "" && j.aead != nil {
		var err error
		if phoneBox, err = j.sealAs(s.Reference, phoneAAD, s.Phone); err != nil {
			return err
		}
	}
	return j.withTx(ctx, func(tx *sql.Tx) error {
		_, err := j.exec(ctx, tx, `INSERT INTO sales
			(reference, created_at, updated_at, terminal_id, status, currency, amount_requested,
			 provider_code, provider_name, pin_last4, phone, phone_enc, email, next_check_at)
			VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			s.Reference, at, at, s.TerminalID, string(Pending), s.Currency, s.AmountRequested,
			s.ProviderCode, s.ProviderName, s.PINLast4, MaskPhone(s.Phone), phoneBox, s.Email, at)
		if err != nil {
			return explain(err)
		}
		return j.addEvent(ctx, tx, s.Reference, s.CreatedAt, "created",
			fmt.Sprintf("amount=%d %s provider=%s pin=****%s", s.AmountRequested, s.Currency, s.ProviderCode, s.PINLast4))
	})
}

// Outcome is what became of a charge.
type Outcome struct {
	Status         Status
	AmountCharged  int64
	Fee            int64
	VAT            int64
	KoraReference  string
	VoucherSerial  string
	VoucherBalance int64
	HasBalance     bool
	VoucherExpiry  time.Time
	// ChangePIN is a newly issued change-voucher PIN; it is encrypted
	// before it is written.
	ChangePIN      string
	DeclineKind    string
	DeclineMessage string
	// Event names the event logged with it ("charged", "queried", …).
	Event  string
	Detail string
}

// Record sets a sale's outcome. A final sale (approved or declined) never
// changes; recording the same final status again is a no-op.
func (j *Journal) Record(ctx context.Context, reference string, at time.Time, o Outcome) error {
	var box []byte
	if o.ChangePIN != "" {
		var err error
		if box, err = j.seal(reference, o.ChangePIN); err != nil {
			return err
		}
	}
	return j.withTx(ctx, func(tx *sql.Tx) error {
		var cur string
		if err := j.queryRow(ctx, tx, `SELECT status FROM sales WHERE reference = ?`, reference).Scan(&cur); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return explain(err)
		}
		if cur == string(Approved) || cur == string(Declined) {
			if cur == string(o.Status) {
				return nil
			}
			return fmt.Errorf("%w: %s is %s, not %s", ErrFinal, reference, cur, o.Status)
		}
		var balance any
		if o.HasBalance {
			balance = o.VoucherBalance
		}
		_, err := j.exec(ctx, tx, `UPDATE sales SET
			status = ?, updated_at = ?, amount_charged = ?, fee = ?, vat = ?, kora_reference = ?,
			voucher_serial = ?, voucher_balance = ?, voucher_expiry = ?, change_pin_enc = ?,
			decline_kind = ?, decline_message = ?
			WHERE reference = ?`,
			string(o.Status), fmtTime(at), o.AmountCharged, o.Fee, o.VAT, o.KoraReference,
			o.VoucherSerial, balance, fmtTime(o.VoucherExpiry), box,
			o.DeclineKind, o.DeclineMessage, reference)
		if err != nil {
			return explain(err)
		}
		event := o.Event
		if event == "" {
			event = string(o.Status)
		}
		detail := o.Detail
		if detail == "" {
			detail = string(o.Status)
			if o.DeclineKind != "" {
				detail += " " + o.DeclineKind
			}
		}
		return j.addEvent(ctx, tx, reference, at, event, detail)
	})
}

// Reopen puts a sale whose charge never reached Kora back to pending, so the
// same reference can be sent again.
func (j *Journal) Reopen(ctx context.Context, reference string, at time.Time) error {
	return j.withTx(ctx, func(tx *sql.Tx) error {
		res, err := j.exec(ctx, tx, `UPDATE sales SET status = 'pending', updated_at = ?,
			decline_kind = '', decline_message = ''
			WHERE reference = ? AND status = 'declined' AND decline_kind = 'not_sent'`, fmtTime(at), reference)
		if err != nil {
			return explain(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w: only a sale that never reached Kora can be sent again", ErrFinal)
		}
		return j.addEvent(ctx, tx, reference, at, "retry", "sending the same reference again")
	})
}

// Sighting is what a query that left a sale unresolved saw.
type Sighting int

// Sightings.
const (
	NoAnswer       Sighting = iota // the query itself failed
	SeenInProgress                 // Kora has the charge, not yet final
	SeenNotFound                   // Kora said "Charge not found"
)

// NoteCheck records a query that left the sale unresolved: when to look
// again and, the first time Kora said it has no such charge, when that was.
// Seeing the charge in progress clears an earlier not-found.
func (j *Journal) NoteCheck(ctx context.Context, reference string, at, next time.Time, seen Sighting, detail string) error {
	return j.withTx(ctx, func(tx *sql.Tx) error {
		res, err := j.exec(ctx, tx, `UPDATE sales SET checks = checks + 1, next_check_at = ?,
			status = CASE WHEN status = 'pending' THEN 'unknown' ELSE status END,
			not_found_at = CASE
				WHEN ? = 2 AND not_found_at = '' THEN ?
				WHEN ? = 1 THEN ''
				ELSE not_found_at END
			WHERE reference = ? AND status IN ('pending','unknown')`,
			fmtTime(next), int(seen), fmtTime(at), int(seen), reference)
		if err != nil {
			return explain(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrFinal
		}
		return j.addEvent(ctx, tx, reference, at, "checked", detail)
	})
}

// AddEvent appends to a sale's event log (e.g. "printed").
func (j *Journal) AddEvent(ctx context.Context, reference string, at time.Time, kind, detail string) error {
	return j.withTx(ctx, func(tx *sql.Tx) error { return j.addEvent(ctx, tx, reference, at, kind, detail) })
}

func (j *Journal) addEvent(ctx context.Context, tx *sql.Tx, reference string, at time.Time, kind, detail string) error {
	res, err := j.exec(ctx, tx, `INSERT INTO events (reference, at, kind, detail) VALUES (?,?,?,?)`,
		reference, fmtTime(at), kind, detail)
	if err != nil {
		return explain(err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return explain(err)
	}
	return explain(j.chainEvent(ctx, tx, id, reference, fmtTime(at), kind, detail))
}

const saleColumns = `reference, created_at, updated_at, terminal_id, status, currency, amount_requested,
	amount_charged, fee, vat, provider_code, provider_name, pin_last4, phone, email, kora_reference,
	voucher_serial, voucher_balance, voucher_expiry, change_pin_enc IS NOT NULL, decline_kind,
	decline_message, checks, not_found_at, next_check_at`

type scanner interface{ Scan(...any) error }

// saleScan is the destinations of a row of saleColumns, reused from row to
// row: a day of 100 000 sales read through one saleScan makes no garbage
// of its own (the driver still makes each row's strings).
type saleScan struct {
	s                                                Sale
	created, updated, expiry, notFound, next, status string
	balance                                          sql.NullInt64
	dest                                             []any
}

func newSaleScan() *saleScan {
	sc := &saleScan{}
	s := &sc.s
	sc.dest = []any{&s.Reference, &sc.created, &sc.updated, &s.TerminalID, &sc.status, &s.Currency, &s.AmountRequested,
		&s.AmountCharged, &s.Fee, &s.VAT, &s.ProviderCode, &s.ProviderName, &s.PINLast4, &s.Phone, &s.Email,
		&s.KoraReference, &s.VoucherSerial, &sc.balance, &sc.expiry, &s.HasChangePIN, &s.DeclineKind,
		&s.DeclineMessage, &s.Checks, &sc.notFound, &sc.next}
	return sc
}

// scan reads the next row of saleColumns. Every field of the Sale is
// scanned or set from a scanned value, so nothing of an earlier row stays.
func (sc *saleScan) scan(r scanner) (Sale, error) {
	if err := r.Scan(sc.dest...); err != nil {
		return Sale{}, err
	}
	s := sc.s
	s.Status = Status(sc.status)
	s.CreatedAt, s.UpdatedAt = parseTime(sc.created), parseTime(sc.updated)
	s.VoucherExpiry, s.NotFoundAt, s.NextCheckAt = parseTime(sc.expiry), parseTime(sc.notFound), parseTime(sc.next)
	s.VoucherBalance, s.HasBalance = sc.balance.Int64, sc.balance.Valid
	return s, nil
}

func scanSale(r scanner) (Sale, error) { return newSaleScan().scan(r) }

// Get returns one sale.
func (j *Journal) Get(ctx context.Context, reference string) (Sale, error) {
	s, err := scanSale(j.queryRow(ctx, nil, `SELECT `+saleColumns+` FROM sales WHERE reference = ?`, reference))
	if errors.Is(err, sql.ErrNoRows) {
		return Sale{}, ErrNotFound
	}
	return s, explain(err)
}

// ChangePIN decrypts the change-voucher PIN issued with a sale, for the
// customer's slip or a supervisor's reprint. "" when none was issued.
func (j *Journal) ChangePIN(ctx context.Context, reference string) (string, error) {
	var box []byte
	err := j.queryRow(ctx, nil, `SELECT change_pin_enc FROM sales WHERE reference = ?`, reference).Scan(&box)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil || box == nil {
		return "", explain(err)
	}
	return j.open(reference, box)
}

// Phone decrypts the customer's phone number of a sale; "" when none was
// stored in full (no key when it was written, or a journal of an earlier
// voucherpos, which keeps only the masked number).
func (j *Journal) Phone(ctx context.Context, reference string) (string, error) {
	var box []byte
	err := j.queryRow(ctx, nil, `SELECT phone_enc FROM sales WHERE reference = ?`, reference).Scan(&box)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil || box == nil {
		return "", explain(err)
	}
	if j.aead == nil {
		return "", errors.New("journal: no key to decrypt the phone number")
	}
	phone, err := j.openAs(reference, phoneAAD, box)
	if err != nil {
		return "", fmt.Errorf("journal: phone number %w", err)
	}
	return phone, nil
}

// MaskPhone keeps a phone number's last four characters and stars the
// rest: "+27821234567" → "********4567".
func MaskPhone(phone string) string {
	if len(phone) <= 4 {
		return phone
	}
	return strings.Repeat("*", len(phone)-4) + phone[len(phone)-4:]
}

// List returns the sales created in [from, to), oldest first.
func (j *Journal) List(ctx context.Context, from, to time.Time) ([]Sale, error) {
	return j.query(ctx, `SELECT `+saleColumns+` FROM sales WHERE created_at >= ? AND created_at < ?
		ORDER BY created_at, reference`, fmtTime(from), fmtTime(to))
}

// Unresolved returns every pending or unknown sale, oldest first.
func (j *Journal) Unresolved(ctx context.Context) ([]Sale, error) {
	return j.query(ctx, `SELECT `+saleColumns+` FROM sales WHERE status IN ('pending','unknown')
		ORDER BY created_at, reference`)
}

// CountUnresolved counts pending and unknown sales.
func (j *Journal) CountUnresolved(ctx context.Context) (int, error) {
	var n int
	err := j.queryRow(ctx, nil, `SELECT count(*) FROM sales WHERE status IN ('pending','unknown')`).Scan(&n)
	return n, explain(err)
}

func (j *Journal) query(ctx context.Context, q string, args ...any) ([]Sale, error) {
	out, err := j.queryInto(ctx, newSaleScan(), nil, q, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// queryInto appends the sales q returns to out, scanning every row into
// sc's destinations.
func (j *Journal) queryInto(ctx context.Context, sc *saleScan, out []Sale, q string, args ...any) ([]Sale, error) {
	rows, err := j.queryRows(ctx, nil, q, args...)
	if err != nil {
		return out, explain(err)
	}
	defer rows.Close()
	for rows.Next() {
		s, err := sc.scan(rows)
		if err != nil {
			return out, explain(err)
		}
		out = append(out, s)
	}
	return out, explain(rows.Err())
}

// Event is one line of a sale's history.
type Event struct {
	At     time.Time
	Kind   string
	Detail string
}

// Events returns a sale's event log in order.
func (j *Journal) Events(ctx context.Context, reference string) ([]Event, error) {
	rows, err := j.queryRows(ctx, nil, `SELECT at, kind, detail FROM events WHERE reference = ? ORDER BY id`, reference)
	if err != nil {
		return nil, explain(err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&at, &e.Kind, &e.Detail); err != nil {
			return nil, explain(err)
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, explain(rows.Err())
}
