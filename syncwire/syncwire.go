// Package syncwire is what a till and the store server agree on: the sale
// snapshot a till ships, the event that carries it, the batch that carries
// events, and the hash chain that makes a till's history tamper-evident.
//
// Both sides import it and nothing else of each other. An event's payload
// is its canonical bytes: the till encodes it once, when the event is
// written to its journal, and stores those exact bytes; the server hashes
// the bytes it receives. Nothing is re-encoded between the two, so the
// chain never depends on how a JSON library orders or escapes things.
//
// What a snapshot can hold is fixed by the Sale type: no voucher PIN, no
// change-voucher PIN, no phone number in clear, no key.
package syncwire

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Version is the wire's version, sent in every batch.
const Version = 1

// TimeLayout is how times travel: UTC, fixed width, so they sort as text.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// FormatTime writes t for the wire; the zero time is "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// ParseTime reads a wire time; "" is the zero time.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", s, err)
	}
	return t, nil
}

// Sale is the snapshot of a sale after an event. Money is in minor units of
// Currency, whose minor digits are CurrencyDigits.
type Sale struct {
	Reference       string `json:"reference"`
	KoraReference   string `json:"kora_reference"`
	TerminalID      string `json:"terminal_id"`
	CreatedAt       string `json:"created_at"`
	UpdatedAt       string `json:"updated_at"`
	Status          string `json:"status"` // pending | approved | declined | unknown
	Currency        string `json:"currency"`
	CurrencyDigits  int    `json:"currency_digits"`
	AmountRequested int64  `json:"amount_requested"`
	AmountCharged   int64  `json:"amount_charged"`
	Fee             int64  `json:"fee"`
	VAT             int64  `json:"vat"`
	ProviderCode    string `json:"provider_code"`
	ProviderName    string `json:"provider_name"`
	DeclineKind     string `json:"decline_kind"`
	DeclineMessage  string `json:"decline_message"`
	PINLast4        string `json:"pin_last4"`
	PhoneLast4      string `json:"phone_last4"`
	VoucherSerial   string `json:"voucher_serial"`
	VoucherBalance  *int64 `json:"voucher_balance"` // nil: Kora reported none
	VoucherExpiry   string `json:"voucher_expiry"`
	ChangeVoucher   bool   `json:"change_voucher"` // a change voucher was issued (its PIN stays on the till)
}

// Payload is one journal event with the sale as it stood after it.
type Payload struct {
	TerminalID string `json:"terminal_id"`
	Reference  string `json:"reference"`
	At         string `json:"at"`
	Kind       string `json:"kind"`
	Detail     string `json:"detail"`
	Sale       Sale   `json:"sale"`
}

// Encode is the payload's canonical bytes. Free text is scrubbed first so
// that no long run of digits (a PIN, a phone number) can leave the till
// even inside a message.
func (p Payload) Encode() ([]byte, error) {
	p.Detail = Scrub(p.Detail)
	p.Sale.DeclineMessage = Scrub(p.Sale.DeclineMessage)
	if len(p.Sale.PINLast4) > 4 || len(p.Sale.PhoneLast4) > 4 {
		return nil, errors.New("syncwire: only the last four digits of a PIN or phone may be shipped")
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// DecodePayload reads canonical bytes, refusing unknown fields.
func DecodePayload(b []byte) (Payload, error) {
	var p Payload
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Payload{}, fmt.Errorf("payload: %w", err)
	}
	if dec.More() {
		return Payload{}, errors.New("payload: trailing data")
	}
	return p, nil
}

// Scrub masks every run of ten or more digits but its last four, so a
// voucher PIN (12 or 16 digits) or a phone number (10+) pasted into free
// text cannot travel. Amounts in minor units stay readable.
func Scrub(s string) string {
	var out strings.Builder
	run := 0
	flush := func(end int) {
		if run >= 10 {
			out.WriteString(strings.Repeat("*", run-4))
			out.WriteString(s[end-4 : end])
		} else {
			out.WriteString(s[end-run : end])
		}
		run = 0
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			continue
		}
		flush(i)
		out.WriteByte(s[i])
	}
	flush(len(s))
	return out.String()
}

// HashSize is the size of a chain hash.
const HashSize = sha256.Size

// Hash is one link of a till's chain.
type Hash [HashSize]byte

// Genesis is the hash before a till's first event.
var Genesis Hash

// Chain is SHA-256(prev ‖ payload): the hash of the event whose canonical
// bytes are payload, following the event whose hash is prev.
func Chain(prev Hash, payload []byte) Hash {
	h := sha256.New()
	h.Write(prev[:])
	h.Write(payload)
	var out Hash
	h.Sum(out[:0])
	return out
}

// String is the hash in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText writes hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads hex.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// ParseHash reads a hash in hex.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*HashSize {
		return h, fmt.Errorf("hash %q: want %d hex digits", s, 2*HashSize)
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("hash: %w", err)
	}
	return h, nil
}

// HashFrom copies a stored hash; a wrong length is an error.
func HashFrom(b []byte) (Hash, error) {
	var h Hash
	if len(b) != HashSize {
		return h, fmt.Errorf("hash: %d bytes, want %d", len(b), HashSize)
	}
	copy(h[:], b)
	return h, nil
}

// Event is one journal event on the wire. Payload is the canonical bytes as
// a JSON string, which JSON carries byte for byte.
type Event struct {
	Seq     int64  `json:"seq"`
	Hash    Hash   `json:"hash"`
	Payload string `json:"payload"`
}

// Batch is what a till posts to /v1/events: consecutive events of its own
// chain, the first following PrevHash. Head is the till's newest seq, so the
// server can tell how far behind it is.
type Batch struct {
	Version    int     `json:"version"`
	TerminalID string  `json:"terminal_id"`
	PrevHash   Hash    `json:"prev_hash"`
	Head       int64   `json:"head"`
	Events     []Event `json:"events"`
}

// Verify checks a batch on its own: consecutive seqs from 1 up, each hash
// the chain of the one before, payloads that decode and belong to the
// batch's terminal. It returns the decoded payloads.
func (b Batch) Verify() ([]Payload, error) {
	if b.Version != Version {
		return nil, fmt.Errorf("batch version %d, this server speaks %d", b.Version, Version)
	}
	if b.TerminalID == "" {
		return nil, errors.New("batch has no terminal_id")
	}
	if len(b.Events) == 0 {
		return nil, nil
	}
	out := make([]Payload, len(b.Events))
	prev := b.PrevHash
	for i, e := range b.Events {
		if e.Seq < 1 {
			return nil, fmt.Errorf("event %d: seq %d", i, e.Seq)
		}
		if i > 0 && e.Seq != b.Events[i-1].Seq+1 {
			return nil, fmt.Errorf("event %d: seq %d does not follow %d", i, e.Seq, b.Events[i-1].Seq)
		}
		if e.Seq == 1 && prev != Genesis {
			return nil, errors.New("seq 1 must follow the genesis hash")
		}
		if Chain(prev, []byte(e.Payload)) != e.Hash {
			return nil, fmt.Errorf("%w at seq %d", ErrBadHash, e.Seq)
		}
		p, err := DecodePayload([]byte(e.Payload))
		if err != nil {
			return nil, fmt.Errorf("seq %d: %w", e.Seq, err)
		}
		if p.TerminalID != b.TerminalID || p.Sale.TerminalID != b.TerminalID {
			return nil, fmt.Errorf("seq %d: %w", e.Seq, ErrOtherTerminal)
		}
		out[i] = p
		prev = e.Hash
	}
	return out, nil
}

// Errors Verify wraps.
var (
	ErrBadHash       = errors.New("hash does not follow the chain")
	ErrOtherTerminal = errors.New("event belongs to another terminal")
)

// Ack is the server's answer to a batch: the highest seq it holds for the
// till and that event's hash. Conflict is set when the batch offered a
// different event at a seq the server already holds.
type Ack struct {
	LastSeq  int64  `json:"last_seq"`
	LastHash Hash   `json:"last_hash"`
	Stored   int    `json:"stored"` // events of this batch that were new
	Conflict bool   `json:"conflict,omitempty"`
	Error    string `json:"error,omitempty"`
}

// Lookup is a sale in a store lookup (GET /v1/sales…), read-only. Kora is
// what Kora's verified webhooks said of it, when they said anything.
type Lookup struct {
	Sale   Sale          `json:"sale"`
	Events []LookupEvent `json:"events,omitempty"`
	Kora   *KoraOutcome  `json:"kora,omitempty"`
}

// KoraOutcome is a sale's outcome as Kora's verified webhooks tell it.
// Money is in minor units of Currency (CurrencyDigits); a nil amount is
// one Kora did not send readably.
type KoraOutcome struct {
	Event          string `json:"event"`  // charge.success | charge.failed
	Status         string `json:"status"` // Kora's status, lower case
	KoraReference  string `json:"kora_reference"`
	Currency       string `json:"currency"`
	CurrencyDigits int    `json:"currency_digits"`
	Amount         *int64 `json:"amount"`
	Fee            *int64 `json:"fee"`
	VAT            *int64 `json:"vat"`
	Message        string `json:"message,omitempty"`
	VoucherSerial  string `json:"voucher_serial,omitempty"`
	VoucherBalance *int64 `json:"voucher_balance,omitempty"`
	VoucherExpiry  string `json:"voucher_expiry,omitempty"`
	ReceivedAt     string `json:"received_at"`
	// ChangeVoucher is set only in the answer to the till that made the
	// sale, over its authenticated connection: the PIN Kora issued for the
	// rest of the voucher, which that till keeps encrypted in its journal.
	// It is never in a snapshot, an event or a lookup by another till.
	ChangeVoucher *ChangeVoucher `json:"change_voucher,omitempty"`
}

// ChangeVoucher is a newly issued change voucher.
type ChangeVoucher struct {
	PIN    string `json:"pin"`
	Serial string `json:"serial"`
	Value  int64  `json:"value"` // minor units
	Expiry string `json:"expiry"`
}

// Format keeps the change PIN out of every fmt rendering.
func (c ChangeVoucher) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "syncwire.ChangeVoucher{Serial:%q Value:%d PIN:%s}", c.Serial, c.Value, mask(c.PIN))
}

func mask(pin string) string {
	if len(pin) <= 4 {
		return strings.Repeat("*", len(pin))
	}
	return strings.Repeat("*", len(pin)-4) + pin[len(pin)-4:]
}

// LookupEvent is one line of a looked-up sale's history.
type LookupEvent struct {
	Seq    int64  `json:"seq"`
	At     string `json:"at"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// MaxBatchEvents is the most events a batch may carry.
const MaxBatchEvents = 500

// CurrencyDigits is the number of minor-unit digits of an ISO 4217 code:
// 0 for the CFA franc and the like, 3 for the dinars, 2 otherwise.
func CurrencyDigits(code string) int {
	switch strings.ToUpper(code) {
	case "XOF", "XAF", "JPY", "KRW", "RWF", "UGX", "BIF", "GNF", "KMF", "DJF", "VND", "XPF", "CLP", "PYG", "ISK", "VUV":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	}
	return 2
}
