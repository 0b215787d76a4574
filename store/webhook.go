package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"voucherpos/internal/sealbox"
	"voucherpos/kora"
	"voucherpos/syncwire"
)

// MaxWebhookBytes bounds a webhook body: Kora's are a few hundred bytes.
const MaxWebhookBytes = 64 << 10

// maxRejects caps the support record of refused deliveries.
const maxRejects = 1000

// The webhook key's HKDF salt and info: not the journal's, so a box from
// one can never be opened as the other's.
const (
	webhookSalt = "voucherpos store v1"
	webhookInfo = "kora-webhook"
)

// Webhooks is the store server's side of Kora's webhooks: verify with the
// server's Kora secret, keep what was verified, answer what Kora said of a
// sale. Its only proof of who sent a webhook is the signature.
type Webhooks struct {
	l    *Ledger
	kora *kora.Client
	box  *sealbox.Box
}

// NewWebhooks verifies with secret (the server's [kora] key) and seals
// change PINs under a key derived from it.
func NewWebhooks(l *Ledger, secret string) (*Webhooks, error) {
	c, err := kora.New("", secret)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	box, err := sealbox.New(secret, webhookSalt, webhookInfo)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return &Webhooks{l: l, kora: c, box: box}, nil
}

// WebhookEvent is a verified webhook as the ledger keeps it. Money is in
// minor units of Currency; nil is an amount Kora did not send readably.
type WebhookEvent struct {
	Event            string
	PaymentReference string // ours
	KoraReference    string // Kora's
	Status           string
	Currency         string
	Digits           int
	Amount, Fee, VAT *int64
	Message          string
	VoucherSerial    string
	VoucherBalance   *int64
	VoucherExpiry    time.Time
	ChangePIN        string // a newly issued change voucher's PIN: sealed before it is stored
	Raw              []byte
}

// Format keeps the change PIN and the raw body out of every rendering.
func (e WebhookEvent) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "store.WebhookEvent{Event:%s Reference:%s Kora:%s Status:%s PIN:%s}",
		e.Event, e.PaymentReference, e.KoraReference, e.Status, kora.MaskPIN(e.ChangePIN))
}

// ErrWebhookNoReference: a signed webhook naming no charge.
var ErrWebhookNoReference = fmt.Errorf("%w: no reference or payment_reference", kora.ErrBadBody)

// Decode verifies a webhook's signature over its raw bytes (as Kora signs:
// the data object, or its JSON.stringify re-encoding), then decodes it.
// Errors match kora.ErrBadSignature or kora.ErrBadBody.
func (w *Webhooks) Decode(body []byte, signature string) (WebhookEvent, error) {
	if len(body) > MaxWebhookBytes {
		return WebhookEvent{}, fmt.Errorf("%w: larger than %d bytes", kora.ErrBadBody, MaxWebhookBytes)
	}
	wh, err := w.kora.VerifyWebhook(body, signature)
	if err != nil {
		return WebhookEvent{}, err
	}
	return eventOf(wh, body)
}

// eventOf turns a verified webhook into what the ledger keeps.
func eventOf(wh *kora.Webhook, body []byte) (WebhookEvent, error) {
	ch := wh.Charge
	ev := WebhookEvent{
		Event: strings.TrimSpace(wh.Event), PaymentReference: strings.TrimSpace(ch.Reference),
		KoraReference: strings.TrimSpace(ch.TransactionReference), Status: string(ch.Status),
		Currency: strings.ToUpper(strings.TrimSpace(ch.Currency)), Message: ch.Message, Raw: body,
	}
	if ev.PaymentReference == "" && ev.KoraReference == "" {
		return WebhookEvent{}, ErrWebhookNoReference
	}
	if ev.Event == "" || len(ev.Event) > 64 || len(ev.PaymentReference) > 128 || len(ev.KoraReference) > 128 || len(ev.Status) > 64 || len(ev.Currency) > 8 {
		return WebhookEvent{}, fmt.Errorf("%w: event, reference, status or currency missing or too long", kora.ErrBadBody)
	}
	for _, s := range []string{ev.Event, ev.PaymentReference, ev.KoraReference, ev.Status, ev.Currency, ev.Message} {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return WebhookEvent{}, fmt.Errorf("%w: a field is not text", kora.ErrBadBody)
		}
	}
	ev.Digits = syncwire.CurrencyDigits(ev.Currency)
	minor := func(a kora.Amount, ok bool) *int64 {
		if !ok {
			return nil
		}
		v, err := a.Minor(ev.Digits)
		if err != nil {
			return nil
		}
		return &v
	}
	ev.Amount = minor(ch.Charged())
	ev.Fee = minor(ch.Fee, ch.HasFee)
	ev.VAT = minor(ch.VAT, ch.HasVAT)
	if v := ch.Voucher; v != nil {
		ev.VoucherSerial, ev.VoucherExpiry, ev.ChangePIN = v.SerialNumber, v.ExpiryDate, v.PIN
		ev.VoucherBalance = minor(v.Balance, true)
		if !utf8.ValidString(v.SerialNumber) || strings.ContainsRune(v.SerialNumber, 0) || !utf8.ValidString(v.PIN) {
			return WebhookEvent{}, fmt.Errorf("%w: voucher fields are not text", kora.ErrBadBody)
		}
	}
	return ev, nil
}

func sealLabel(kind string, ev WebhookEvent) string {
	return kind + "\x00" + ev.PaymentReference + "\x00" + ev.KoraReference
}

// Store keeps a verified webhook; a duplicate (same event, references and
// status: Kora retries for up to 72 hours) is not stored again and
// reports false.
func (w *Webhooks) Store(ctx context.Context, ev WebhookEvent) (bool, error) {
	bodySealed, err := w.box.Seal(sealLabel("body", ev), string(ev.Raw))
	if err != nil {
		return false, err
	}
	var pinSealed []byte
	body := ev.Raw
	if ev.ChangePIN != "" {
		if pinSealed, err = w.box.Seal(sealLabel("pin", ev), ev.ChangePIN); err != nil {
			return false, err
		}
		// The readable copy has the PIN masked in place; when it is not
		// there as written (escaped), there is no readable copy.
		if bytes.Contains(body, []byte(ev.ChangePIN)) {
			body = bytes.ReplaceAll(body, []byte(ev.ChangePIN), []byte(kora.MaskPIN(ev.ChangePIN)))
		} else {
			body = nil
		}
	}
	var text *string
	if body != nil && utf8.Valid(body) && !bytes.ContainsRune(body, 0) {
		t := string(body)
		text = &t
	}
	var expiry *time.Time
	if !ev.VoucherExpiry.IsZero() {
		expiry = &ev.VoucherExpiry
	}
	res, err := w.l.pool.ExecContext(ctx, `INSERT INTO kora_webhooks (event, payment_reference, kora_reference, status, currency,
		currency_digits, amount, fee, vat, message, voucher_serial, voucher_balance, voucher_expiry, change_pin_sealed,
		body, body_sealed, received_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)
		ON CONFLICT (event, payment_reference, kora_reference, status) DO NOTHING`,
		ev.Event, ev.PaymentReference, ev.KoraReference, ev.Status, ev.Currency, ev.Digits, ev.Amount, ev.Fee, ev.VAT,
		syncwire.Scrub(ev.Message), ev.VoucherSerial, ev.VoucherBalance, tsOrNil(expiry), pinSealed, text, bodySealed, ts(w.l.now()))
	if err != nil {
		return false, fmt.Errorf("store webhook: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store webhook: %w", err)
	}
	return n == 1, nil
}

// Reject keeps a line about a refused delivery for support (never its
// body: it may hold a PIN), keeping the newest maxRejects.
func (w *Webhooks) Reject(ctx context.Context, reason string, body []byte, remote string) error {
	sum := sha256Sum(body)
	return inTx(ctx, w.l.pool, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO kora_webhook_rejects (received_at, reason, body_sha256, body_bytes, remote)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, ts(w.l.now()), reason, sum, len(body), remote).Scan(&id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM kora_webhook_rejects WHERE id <= $1`, id-maxRejects)
		return err
	})
}

// Outcome is what Kora's webhooks said of a sale, nil when none has. When
// a sale has several (Kora reorders and retries), a success wins over a
// failure: Kora sends charge.success only for money it took, and a charge
// never goes from success to failed, so a failure arriving after it is an
// older or reordered notice. The change voucher (its PIN opened) is given
// only when owner is set: the answer goes to the till that made the sale.
func (w *Webhooks) Outcome(ctx context.Context, s syncwire.Sale, owner bool) (*syncwire.KoraOutcome, error) {
	var o syncwire.KoraOutcome
	var received time.Time
	var expiry *time.Time
	var pinBox []byte
	var serial string
	var balance *int64
	var pref, kref string
	err := w.l.pool.QueryRowContext(ctx, `SELECT event, status, payment_reference, kora_reference, currency, currency_digits,
		amount, fee, vat, message, voucher_serial, voucher_balance, voucher_expiry, change_pin_sealed, received_at
		FROM kora_webhooks k
		WHERE k.payment_reference = $1 OR (k.payment_reference = '' AND $2 <> '' AND k.kora_reference = $2)
		ORDER BY (k.status = 'success') DESC, (k.status = 'failed') DESC, k.received_at, k.id LIMIT 1`,
		s.Reference, s.KoraReference).Scan(&o.Event, &o.Status, &pref, &kref, &o.Currency, &o.CurrencyDigits,
		&o.Amount, &o.Fee, &o.VAT, &o.Message, &serial, &balance, &expiry, &pinBox, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("webhook outcome: %w", err)
	}
	o.KoraReference, o.ReceivedAt = kref, syncwire.FormatTime(received)
	o.VoucherSerial, o.VoucherBalance = serial, balance
	if expiry != nil {
		o.VoucherExpiry = syncwire.FormatTime(*expiry)
	}
	if owner && pinBox != nil {
		pin, err := w.box.Open(sealLabel("pin", WebhookEvent{PaymentReference: pref, KoraReference: kref}), pinBox)
		if err != nil {
			return nil, fmt.Errorf("webhook change PIN: %w", err)
		}
		cv := &syncwire.ChangeVoucher{PIN: pin, Serial: serial, Expiry: o.VoucherExpiry}
		if balance != nil {
			cv.Value = *balance
		}
		o.ChangeVoucher = cv
	}
	return &o, nil
}

func sha256Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// koraWebhook is POST /kora/webhook: public, proven only by its signature.
// A verified event is stored before the 200; a duplicate is answered 200
// and ignored; a bad signature is 401, counted, and kept only as a line in
// the capped rejects table.
func (s *Server) koraWebhook(w http.ResponseWriter, r *http.Request) {
	if s.hooks == nil {
		s.metrics.webhooks.WithLabelValues("not_configured").Inc()
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"this server has no [kora] secret key to verify webhooks with"})
		return
	}
	remote, _, _ := net.SplitHostPort(r.RemoteAddr)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.metrics.webhooks.WithLabelValues("too_large").Inc()
			s.reject(r.Context(), "too large", body, remote)
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{fmt.Sprintf("body over %d bytes", MaxWebhookBytes)})
			return
		}
		writeJSON(w, http.StatusBadRequest, errorBody{"body unreadable"})
		return
	}
	ev, err := s.hooks.Decode(body, r.Header.Get(kora.SignatureHeader))
	switch {
	case errors.Is(err, kora.ErrBadSignature):
		s.metrics.webhooks.WithLabelValues("bad_signature").Inc()
		s.log.Warn("kora webhook refused: bad signature", "remote", remote, "bytes", len(body))
		s.reject(r.Context(), "bad signature", body, remote)
		writeJSON(w, http.StatusUnauthorized, errorBody{"signature does not match"})
		return
	case err != nil:
		s.metrics.webhooks.WithLabelValues("bad_body").Inc()
		s.log.Warn("kora webhook refused: unreadable", "remote", remote, "bytes", len(body))
		s.reject(r.Context(), "bad body", body, remote)
		writeJSON(w, http.StatusBadRequest, errorBody{"not a Kora webhook"})
		return
	}
	stored, err := s.hooks.Store(r.Context(), ev)
	if err != nil {
		// Not stored, so not acknowledged: Kora sends it again.
		s.metrics.webhooks.WithLabelValues("error").Inc()
		s.log.Error("kora webhook not stored", "reference", ev.PaymentReference, "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"the ledger is unavailable; send again later"})
		return
	}
	result := "stored"
	if !stored {
		result = "duplicate"
	}
	s.metrics.webhooks.WithLabelValues(result).Inc()
	s.log.Info("kora webhook "+result, "event", ev.Event, "reference", ev.PaymentReference, "kora_reference", ev.KoraReference, "status", ev.Status)
	writeJSON(w, http.StatusOK, map[string]string{"status": result})
}

func (s *Server) reject(ctx context.Context, reason string, body []byte, remote string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	if err := s.hooks.Reject(ctx, reason, body, remote); err != nil {
		s.log.Warn("kora webhook reject not recorded", "err", err)
	}
}
