package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"voucherpos/syncwire"
)

// The outbox: every event of the journal, in the order written, gets a
// per-till sequence number (1, 2, 3 …) and a link of a hash chain,
// hash = SHA-256(previous hash ‖ payload), where the payload is the
// event's canonical bytes (syncwire.Payload: the event and a snapshot of
// its sale, with no PIN, change PIN, clear phone or key). Both are written
// in the event's own transaction, so the chain is exactly the journal's
// history; the store server accepts only a chain that continues what it
// holds, so a journal replaced or edited by hand is caught there.
//
// outbox_state remembers the highest seq the server has acknowledged, so
// the uploader starts where it left off.

// chainEvent adds the outbox row for event id, inside its transaction.
func (j *Journal) chainEvent(ctx context.Context, tx *sql.Tx, id int64, reference, at, kind, detail string) error {
	prevSeq, prev, err := j.outboxHead(ctx, tx)
	if err != nil {
		return err
	}
	s, err := scanSale(j.queryRow(ctx, tx, `SELECT `+saleColumns+` FROM sales WHERE reference = ?`, reference))
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	p := syncwire.Payload{TerminalID: s.TerminalID, Reference: reference, At: at, Kind: kind, Detail: detail, Sale: Snapshot(s)}
	b, err := p.Encode()
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	h := syncwire.Chain(prev, b)
	_, err = j.exec(ctx, tx, `INSERT INTO outbox (seq, event_id, hash, payload) VALUES (?,?,?,?)`,
		prevSeq+1, id, h[:], string(b))
	return err
}

// outboxHead is the newest outbox row's seq and hash, in tx when not nil.
func (j *Journal) outboxHead(ctx context.Context, tx *sql.Tx) (int64, syncwire.Hash, error) {
	var seq int64
	var hb []byte
	err := j.queryRow(ctx, tx, `SELECT seq, hash FROM outbox ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hb)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, syncwire.Genesis, nil
	}
	if err != nil {
		return 0, syncwire.Genesis, err
	}
	h, err := syncwire.HashFrom(hb)
	return seq, h, err
}

// Snapshot is a sale as the store server may see it: the last four digits
// of the PIN and of the phone, never more; that a change voucher was issued,
// never its PIN.
func Snapshot(s Sale) syncwire.Sale {
	out := syncwire.Sale{
		Reference: s.Reference, KoraReference: s.KoraReference, TerminalID: s.TerminalID,
		CreatedAt: fmtTime(s.CreatedAt), UpdatedAt: fmtTime(s.UpdatedAt), Status: string(s.Status),
		Currency: s.Currency, CurrencyDigits: syncwire.CurrencyDigits(s.Currency),
		AmountRequested: s.AmountRequested, AmountCharged: s.AmountCharged, Fee: s.Fee, VAT: s.VAT,
		ProviderCode: s.ProviderCode, ProviderName: s.ProviderName, DeclineKind: s.DeclineKind,
		DeclineMessage: s.DeclineMessage, PINLast4: last4(s.PINLast4), PhoneLast4: last4(s.Phone),
		VoucherSerial: s.VoucherSerial, VoucherExpiry: fmtTime(s.VoucherExpiry), ChangeVoucher: s.HasChangePIN,
	}
	if s.HasBalance {
		b := s.VoucherBalance
		out.VoucherBalance = &b
	}
	return out
}

// last4 keeps the last four digits of s (a masked phone "********4567").
func last4(s string) string {
	var d strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			d.WriteRune(r)
		}
	}
	v := d.String()
	if len(v) > 4 {
		v = v[len(v)-4:]
	}
	return v
}

// chainBacklog chains the events written before the outbox existed (a
// journal of an earlier voucherpos), oldest first, each with its sale as it
// stands now: their earlier states were never kept.
func (j *Journal) chainBacklog(ctx context.Context) error {
	if j.readOnly {
		return nil
	}
	var n int
	if err := j.queryRow(ctx, nil, `SELECT count(*) FROM events e LEFT JOIN outbox o ON o.event_id = e.id
		WHERE o.event_id IS NULL`).Scan(&n); err != nil || n == 0 {
		return err
	}
	return j.withTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT e.id, e.reference, e.at, e.kind, e.detail FROM events e
			LEFT JOIN outbox o ON o.event_id = e.id WHERE o.event_id IS NULL ORDER BY e.id`)
		if err != nil {
			return err
		}
		type ev struct {
			id                    int64
			ref, at, kind, detail string
		}
		var evs []ev
		for rows.Next() {
			var e ev
			if err := rows.Scan(&e.id, &e.ref, &e.at, &e.kind, &e.detail); err != nil {
				rows.Close()
				return err
			}
			evs = append(evs, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, e := range evs {
			if err := j.chainEvent(ctx, tx, e.id, e.ref, e.at, e.kind, e.detail); err != nil {
				return err
			}
		}
		return nil
	})
}

// OutboxHead is the newest seq in the outbox (0: none yet).
func (j *Journal) OutboxHead(ctx context.Context) (int64, error) {
	seq, _, err := j.outboxHead(ctx, nil)
	return seq, explain(err)
}

// OutboxAfter returns up to limit events after seq, oldest first, and the
// hash of event seq (the genesis hash for 0): a batch for the server.
func (j *Journal) OutboxAfter(ctx context.Context, seq int64, limit int) (syncwire.Hash, []syncwire.Event, error) {
	prev := syncwire.Genesis
	if seq > 0 {
		var hb []byte
		err := j.queryRow(ctx, nil, `SELECT hash FROM outbox WHERE seq = ?`, seq).Scan(&hb)
		if errors.Is(err, sql.ErrNoRows) {
			return prev, nil, fmt.Errorf("outbox: no event %d in this journal", seq)
		}
		if err != nil {
			return prev, nil, explain(err)
		}
		if prev, err = syncwire.HashFrom(hb); err != nil {
			return prev, nil, err
		}
	}
	rows, err := j.queryRows(ctx, nil, `SELECT seq, hash, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`, seq, limit)
	if err != nil {
		return prev, nil, explain(err)
	}
	defer rows.Close()
	var out []syncwire.Event
	for rows.Next() {
		var e syncwire.Event
		var hb []byte
		if err := rows.Scan(&e.Seq, &hb, &e.Payload); err != nil {
			return prev, nil, explain(err)
		}
		if e.Hash, err = syncwire.HashFrom(hb); err != nil {
			return prev, nil, err
		}
		out = append(out, e)
	}
	return prev, out, explain(rows.Err())
}

// OutboxAcked is the highest seq the store server has acknowledged.
func (j *Journal) OutboxAcked(ctx context.Context) (int64, error) {
	var seq int64
	err := j.queryRow(ctx, nil, `SELECT acked_seq FROM outbox_state WHERE id = 1`).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, explain(err)
}

// SetOutboxAcked records what the server said it holds. It may go down as
// well as up (a server restored from a backup holds less): the server's
// word is what the uploader sends after. One statement, so SQLite makes it
// atomic by itself; it appends no event, so OnAppend is not told.
func (j *Journal) SetOutboxAcked(ctx context.Context, seq int64) error {
	if j.readOnly {
		return errors.New("journal: opened read-only")
	}
	_, err := j.exec(ctx, nil, `INSERT INTO outbox_state (id, acked_seq) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET acked_seq = excluded.acked_seq`, seq)
	if err == nil {
		j.commits.Add(1)
	}
	return explain(err)
}

// OnAppend registers fn (one; a later call replaces it) to be told, after
// each commit that appended events, that the outbox has grown. fn must not
// block: the uploader's Kick.
func (j *Journal) OnAppend(fn func()) { j.onAppend.Store(&fn) }

func (j *Journal) appended() {
	if fn := j.onAppend.Load(); fn != nil {
		(*fn)()
	}
}
