// Package store is the store server: one PostgreSQL ledger that every till
// of a store (or a chain) ships its journal to, the HTTP API the tills talk
// to, the store's reports, and the server's configuration.
//
// The ledger's logic (tills and tokens, the exactly-once ingest of each
// till's hash chain, reports and lookups) lives in plain methods on Ledger,
// tested without HTTP; the handlers in server.go are thin.
package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"voucherpos/syncwire"
)

// Ledger is the store's database.
type Ledger struct {
	pool *sql.DB
	now  func() time.Time
}

// NewLedger wraps an open pool. now is the server's clock (nil: time.Now).
func NewLedger(pool *sql.DB, now func() time.Time) *Ledger {
	if now == nil {
		now = time.Now
	}
	return &Ledger{pool: pool, now: now}
}

// Pool is the ledger's connection pool.
func (l *Ledger) Pool() *sql.DB { return l.pool }

// Connect opens a pool on url with short timeouts, so that a database that
// is down is an error in seconds, not a hang. url is a postgres:// URL or a
// key=value connection string; sslmode defaults to prefer (TLS when the
// server offers it). The pool_* keys of a URL size the pool.
func Connect(ctx context.Context, url string) (*sql.DB, error) {
	// The driver's message can quote the URL; say only what is wrong.
	errParse := errors.New("database URL cannot be parsed (check its form: postgres://user:password@host:5432/db)")
	cfg, err := pq.NewConfig(url)
	if err != nil || cfg.ConnectTimeout < 0 {
		return nil, errParse
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > 10*time.Second {
		cfg.ConnectTimeout = 5 * time.Second
	}
	if cfg.SSLMode == "" {
		cfg.SSLMode = pq.SSLModePrefer
	}
	// One round trip per statement with parameters (Parse, Bind and
	// Execute sent together) rather than two; every []byte parameter here
	// is a bytea, which this sends in binary.
	cfg.BinaryParameters = true
	maxConns, lifetime, err := poolSettings(cfg.Runtime)
	if err != nil {
		return nil, errParse
	}
	c, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(lifetime)
	return db, nil
}

// poolSettings takes the pool's keys out of a URL's parameters (they are
// not the server's): pool_max_conns (default the greater of 4 and the
// CPUs) and pool_max_conn_lifetime (default an hour). The other pool_*
// keys and the statement cache's are accepted and have no effect here.
func poolSettings(params map[string]string) (int, time.Duration, error) {
	maxConns, lifetime := max(4, runtime.NumCPU()), time.Hour
	for k, v := range params {
		if !strings.HasPrefix(k, "pool_") && k != "statement_cache_capacity" && k != "description_cache_capacity" && k != "default_query_exec_mode" {
			continue
		}
		delete(params, k)
		var err error
		switch k {
		case "pool_max_conns":
			var n int64
			if n, err = strconv.ParseInt(v, 10, 32); err == nil && n < 1 {
				err = errors.New("pool_max_conns too small")
			}
			maxConns = int(n)
		case "pool_max_conn_lifetime":
			lifetime, err = time.ParseDuration(v)
		case "pool_min_conns", "pool_min_idle_conns", "statement_cache_capacity", "description_cache_capacity":
			_, err = strconv.ParseInt(v, 10, 32)
		case "pool_max_conn_idle_time", "pool_health_check_period", "pool_max_conn_lifetime_jitter", "pool_ping_timeout":
			_, err = time.ParseDuration(v)
		}
		if err != nil {
			return 0, 0, err
		}
	}
	return maxConns, lifetime, nil
}

// eachRow runs query on db (the pool or a transaction) and calls row for
// each row it returns, row reading it with rows.Scan; the rows are closed
// before it returns, so the next statement may follow on the same
// transaction. row's first error, or the query's, is returned.
func eachRow(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args []any, row func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// inTx runs fn in a transaction, committed when fn returns nil and rolled
// back otherwise (or when fn panics); a failed rollback's error is the one
// returned.
func inTx(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, fn func(*sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			err = rerr
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// ts is a time as the database stores it: to the microsecond, cut (not
// rounded, as PostgreSQL rounds the text form the driver sends), so a
// timestamp reads back in the same 15-minute bucket and day it was
// written for.
func ts(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

// tsOrNil is ts of a time that may be absent (nil: NULL).
func tsOrNil(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := ts(*t)
	return &v
}

// Errors the ledger returns; the HTTP layer maps each to a status.
var (
	ErrUnknownTill  = errors.New("no such till")
	ErrBadToken     = errors.New("token not recognised or revoked")
	ErrForbidden    = errors.New("a till may write only its own events")
	ErrBadBatch     = errors.New("batch refused")
	ErrGap          = errors.New("batch does not follow the events the server holds")
	ErrConflict     = errors.New("chain conflict: a different event at a seq the server already holds")
	ErrSaleNotFound = errors.New("no such sale")
	ErrBadTerminal  = errors.New("terminal id: 1-64 characters of A-Z a-z 0-9 . _ -")
)

var terminalIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// tokenPrefix marks a voucherpos till token, so one pasted in the wrong
// place is recognisable.
const tokenPrefix = "vpt_"

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// AddTill registers a till (or gives a removed one a new token) and returns
// its token. Only the token's SHA-256 is stored: this is the one time it
// can be seen.
func (l *Ledger) AddTill(ctx context.Context, terminalID string) (string, error) {
	if !terminalIDPattern.MatchString(terminalID) {
		return "", ErrBadTerminal
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	res, err := l.pool.ExecContext(ctx, `INSERT INTO tills (terminal_id, token_hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (terminal_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, revoked_at = NULL
		WHERE tills.token_hash IS NULL`, terminalID, hashToken(token), ts(l.now()))
	if err != nil {
		return "", fmt.Errorf("add till: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", fmt.Errorf("add till: %w", err)
	} else if n == 0 {
		return "", fmt.Errorf("till %s already has a token; remove-till it first to issue a new one", terminalID)
	}
	return token, nil
}

// RemoveTill revokes a till's token at once. Its events and sales stay.
func (l *Ledger) RemoveTill(ctx context.Context, terminalID string) error {
	res, err := l.pool.ExecContext(ctx, `UPDATE tills SET token_hash = NULL, revoked_at = $2
		WHERE terminal_id = $1 AND token_hash IS NOT NULL`, terminalID, ts(l.now()))
	if err != nil {
		return fmt.Errorf("remove till: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("remove till: %w", err)
	} else if n == 0 {
		return fmt.Errorf("%w with a token: %s", ErrUnknownTill, terminalID)
	}
	return nil
}

// Authenticate maps a bearer token to its till. Nothing is cached: a
// revoked token is refused from the next request on.
func (l *Ledger) Authenticate(ctx context.Context, token string) (string, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 128 {
		return "", ErrBadToken
	}
	var id string
	err := l.pool.QueryRowContext(ctx, `SELECT terminal_id FROM tills WHERE token_hash = $1`, hashToken(token)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrBadToken
	}
	if err != nil {
		return "", fmt.Errorf("authenticate: %w", err)
	}
	return id, nil
}

// Till is a till as `server tills` lists it.
type Till struct {
	TerminalID string
	CreatedAt  time.Time
	RevokedAt  time.Time // zero while it has a token
	LastSeen   time.Time // zero: never
	LastSeq    int64     // highest seq held
	HeadSeq    int64     // the till's newest seq, as it last said
	Conflicts  int64     // chain conflicts kept aside
	Unresolved int64     // its pending/unknown sales
}

// Lag is how many events the till holds that the server does not.
func (t Till) Lag() int64 { return max(t.HeadSeq-t.LastSeq, 0) }

// Tills lists every till, removed ones too, by terminal id.
func (l *Ledger) Tills(ctx context.Context) ([]Till, error) {
	var out []Till
	rows, err := l.pool.QueryContext(ctx, `SELECT t.terminal_id, t.created_at, t.revoked_at, t.last_seen_at, t.last_seq, t.head_seq,
		(SELECT count(*) FROM chain_conflicts c WHERE c.terminal_id = t.terminal_id),
		(SELECT count(*) FROM sales s WHERE s.terminal_id = t.terminal_id AND s.status IN ('pending','unknown'))
		FROM tills t ORDER BY t.terminal_id`)
	if err != nil {
		return nil, fmt.Errorf("tills: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t Till
		var revoked, seen *time.Time
		if err := rows.Scan(&t.TerminalID, &t.CreatedAt, &revoked, &seen, &t.LastSeq, &t.HeadSeq, &t.Conflicts, &t.Unresolved); err != nil {
			return nil, fmt.Errorf("tills: %w", err)
		}
		// In the local zone, whatever the session's.
		t.CreatedAt = t.CreatedAt.Local()
		if revoked != nil {
			t.RevokedAt = revoked.Local()
		}
		if seen != nil {
			t.LastSeen = seen.Local()
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Ingest stores a batch from the till terminalID (as its token says) if it
// continues that till's chain, all in one transaction. It always answers
// with what the server holds. A replay of held events is a no-op; a batch
// that starts past the server's last seq is ErrGap; one that offers a
// different event at a held seq (or a prev_hash that is not the held one)
// is ErrConflict and is kept aside in chain_conflicts.
func (l *Ledger) Ingest(ctx context.Context, terminalID string, b syncwire.Batch) (syncwire.Ack, error) {
	if b.TerminalID != terminalID {
		return syncwire.Ack{}, ErrForbidden
	}
	if len(b.Events) > syncwire.MaxBatchEvents {
		return syncwire.Ack{}, fmt.Errorf("%w: more than %d events", ErrBadBatch, syncwire.MaxBatchEvents)
	}
	payloads, err := b.Verify()
	if err != nil {
		return syncwire.Ack{}, fmt.Errorf("%w: %w", ErrBadBatch, err)
	}
	now := l.now()
	var ack syncwire.Ack
	var result error
	err = inTx(ctx, l.pool, func(tx *sql.Tx) error {
		result = nil
		var lastSeq, head int64
		var lastHash []byte
		err := tx.QueryRowContext(ctx, `SELECT last_seq, last_hash, head_seq FROM tills
			WHERE terminal_id = $1 AND token_hash IS NOT NULL FOR UPDATE`, terminalID).Scan(&lastSeq, &lastHash, &head)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrBadToken
		}
		if err != nil {
			return err
		}
		held, err := syncwire.HashFrom(lastHash)
		if err != nil {
			return err
		}
		ack = syncwire.Ack{LastSeq: lastSeq, LastHash: held}
		seen := func() error {
			_, err := tx.ExecContext(ctx, `UPDATE tills SET last_seen_at = $2, head_seq = greatest($3, last_seq) WHERE terminal_id = $1`,
				terminalID, ts(now), max(b.Head, lastSeq))
			return err
		}
		if len(b.Events) == 0 {
			return seen()
		}
		first := b.Events[0].Seq
		if first > lastSeq+1 {
			result = ErrGap
			return seen()
		}
		// The part of the batch the server already holds must be the same
		// events, hash for hash.
		if first <= lastSeq {
			upto := min(b.Events[len(b.Events)-1].Seq, lastSeq)
			rows, err := tx.QueryContext(ctx, `SELECT seq, hash FROM events WHERE terminal_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq`,
				terminalID, first, upto)
			if err != nil {
				return err
			}
			stored := map[int64][]byte{}
			var seq int64
			var h []byte
			for rows.Next() {
				if err := rows.Scan(&seq, &h); err != nil {
					rows.Close()
					return err
				}
				stored[seq] = append([]byte(nil), h...)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, e := range b.Events {
				if e.Seq > upto {
					break
				}
				if s := stored[e.Seq]; string(s) != string(e.Hash[:]) {
					ack.Conflict, result = true, ErrConflict
					if err := l.keepConflict(ctx, tx, terminalID, e.Seq, s, e.Hash, e.Payload, now); err != nil {
						return err
					}
					return seen()
				}
			}
		} else if b.PrevHash != held {
			// Next seq, but it follows a different event than the one held.
			ack.Conflict, result = true, ErrConflict
			if err := l.keepConflict(ctx, tx, terminalID, lastSeq, held[:], b.PrevHash, "", now); err != nil {
				return err
			}
			return seen()
		}
		fresh := 0
		for i, e := range b.Events {
			if e.Seq > lastSeq {
				fresh = i
				break
			}
			fresh = len(b.Events)
		}
		if fresh == len(b.Events) {
			return seen() // a replay: nothing new
		}
		if err := insertEvents(ctx, tx, terminalID, b.Events[fresh:], payloads[fresh:], now); err != nil {
			return err
		}
		newest := b.Events[len(b.Events)-1]
		if _, err := tx.ExecContext(ctx, `UPDATE tills SET last_seq = $2, last_hash = $3, last_seen_at = $4,
			head_seq = greatest($5::bigint, $2::bigint) WHERE terminal_id = $1`,
			terminalID, newest.Seq, newest.Hash[:], ts(now), b.Head); err != nil {
			return err
		}
		ack.LastSeq, ack.LastHash, ack.Stored = newest.Seq, newest.Hash, len(b.Events)-fresh
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrBadToken) {
			return syncwire.Ack{}, err
		}
		return syncwire.Ack{}, fmt.Errorf("ingest: %w", err)
	}
	return ack, result
}

func (l *Ledger) keepConflict(ctx context.Context, tx *sql.Tx, terminalID string, seq int64, held []byte, offered syncwire.Hash, payload string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO chain_conflicts (terminal_id, seq, held_hash, offered_hash, offered_payload, detected_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (terminal_id, seq, offered_hash) DO NOTHING`,
		terminalID, seq, held, offered[:], payload, ts(now))
	return err
}

// The ingest's statements, each of one row (see rowBatch).
const (
	insertEventSQL = `INSERT INTO events (terminal_id, seq, hash, payload, reference, at, kind, detail, received_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	upsertSaleSQL = `INSERT INTO sales (reference, terminal_id, created_at, updated_at, status, currency, currency_digits,
			amount_requested, amount_charged, fee, vat, provider_code, provider_name, decline_kind, decline_message,
			pin_last4, phone_last4, kora_reference, voucher_serial, voucher_balance, voucher_expiry, change_voucher, last_seq)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)
			ON CONFLICT (reference) DO UPDATE SET updated_at = EXCLUDED.updated_at, status = EXCLUDED.status,
				currency = EXCLUDED.currency, currency_digits = EXCLUDED.currency_digits,
				amount_requested = EXCLUDED.amount_requested, amount_charged = EXCLUDED.amount_charged,
				fee = EXCLUDED.fee, vat = EXCLUDED.vat, provider_code = EXCLUDED.provider_code,
				provider_name = EXCLUDED.provider_name, decline_kind = EXCLUDED.decline_kind,
				decline_message = EXCLUDED.decline_message, pin_last4 = EXCLUDED.pin_last4,
				phone_last4 = EXCLUDED.phone_last4, kora_reference = EXCLUDED.kora_reference,
				voucher_serial = EXCLUDED.voucher_serial, voucher_balance = EXCLUDED.voucher_balance,
				voucher_expiry = EXCLUDED.voucher_expiry, change_voucher = EXCLUDED.change_voucher,
				last_seq = EXCLUDED.last_seq
			WHERE sales.terminal_id = EXCLUDED.terminal_id AND sales.last_seq < EXCLUDED.last_seq`
)

// insertEvents writes new events and the newest snapshot of each sale
// they carry: one multi-row statement for each of the events, the rollup
// and the sales.
func insertEvents(ctx context.Context, tx *sql.Tx, terminalID string, events []syncwire.Event, payloads []syncwire.Payload, now time.Time) error {
	batch := &rowBatch{}
	latest := map[string]int{}
	var order []string
	for i, e := range events {
		p := payloads[i]
		at, err := syncwire.ParseTime(p.At)
		if err != nil {
			return fmt.Errorf("%w: seq %d: %w", ErrBadBatch, e.Seq, err)
		}
		batch.Queue(insertEventSQL,
			terminalID, e.Seq, e.Hash[:], e.Payload, p.Reference, ts(at), p.Kind, p.Detail, ts(now))
		if _, ok := latest[p.Sale.Reference]; !ok {
			order = append(order, p.Sale.Reference)
		}
		latest[p.Sale.Reference] = i
	}
	if err := updateRollup(ctx, tx, batch, terminalID, order, latest, events, payloads); err != nil {
		return err
	}
	for _, ref := range order {
		i := latest[ref]
		s, seq := payloads[i].Sale, events[i].Seq
		created, err1 := syncwire.ParseTime(s.CreatedAt)
		updated, err2 := syncwire.ParseTime(s.UpdatedAt)
		expiry, err3 := syncwire.ParseTime(s.VoucherExpiry)
		if err := errors.Join(err1, err2, err3); err != nil || created.IsZero() || s.Reference == "" {
			return fmt.Errorf("%w: seq %d: sale snapshot: bad reference or times", ErrBadBatch, seq)
		}
		if updated.IsZero() {
			updated = created
		}
		var exp *time.Time
		if !expiry.IsZero() {
			exp = &expiry
		}
		batch.Queue(upsertSaleSQL,
			s.Reference, terminalID, ts(created), ts(updated), s.Status, s.Currency, s.CurrencyDigits,
			s.AmountRequested, s.AmountCharged, s.Fee, s.VAT, s.ProviderCode, s.ProviderName, s.DeclineKind,
			s.DeclineMessage, s.PINLast4, s.PhoneLast4, s.KoraReference, s.VoucherSerial, s.VoucherBalance,
			tsOrNil(exp), s.ChangeVoucher, seq)
	}
	if err := batch.Send(ctx, tx); err != nil {
		var pgErr *pq.Error
		if errors.As(err, &pgErr) && (pgErr.Code == "23514" || pgErr.Code == "22P02") {
			return fmt.Errorf("%w: %s", ErrBadBatch, pgErr.Message)
		}
		return err
	}
	return nil
}
