package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"voucherpos/kora"
)

// envelope is Kora's {status, message, data} answer.
type envelope struct {
	Status  bool   `json:"status"`
	Message string `json:"message"`
	Data    any    `json:"data"`
}

// chargeJSON is a charge as Kora writes it.
type chargeJSON struct {
	Reference            string        `json:"reference,omitempty"`
	PaymentReference     string        `json:"payment_reference"`
	TransactionReference string        `json:"transaction_reference"`
	Status               string        `json:"status"`
	Currency             string        `json:"currency"`
	Amount               kora.Amount   `json:"amount"`
	Fee                  kora.Amount   `json:"fee"`
	VAT                  kora.Amount   `json:"vat"`
	Message              string        `json:"message,omitempty"`
	Voucher              *voucherJSON  `json:"voucher,omitempty"`
	Customer             *customerJSON `json:"customer,omitempty"`
}

type voucherJSON struct {
	SerialNumber string      `json:"serial_number"`
	Balance      kora.Amount `json:"balance"`
	PIN          string      `json:"pin,omitempty"`
	ExpiryDate   string      `json:"expiry_date"`
}

type customerJSON struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

func cents(v int64) kora.Amount { return kora.NewAmount(v, 2) }

// json renders the charge. payment_reference is the merchant's and
// transaction_reference Kora's, as in the seed's charge answer; query
// answers and webhooks also carry "reference", Kora's own (KPY-…), as
// Kora's do.
func (c *charge) json(query bool) chargeJSON {
	out := chargeJSON{
		PaymentReference:     c.reference,
		TransactionReference: c.txRef,
		Status:               string(c.status),
		Currency:             c.currency,
		Amount:               cents(c.amount),
		Fee:                  cents(c.fee),
		VAT:                  cents(c.vat),
		Customer:             &customerJSON{Name: c.customerName, Email: c.customerEmail},
	}
	if query {
		out.Reference = c.txRef
	}
	if c.status.Verdict() == kora.VerdictDeclined {
		out.Message = c.message
	}
	if c.hasVoucher {
		out.Voucher = &voucherJSON{
			SerialNumber: c.serial,
			Balance:      cents(c.balance),
			PIN:          c.newPIN,
			ExpiryDate:   c.expiry.Format("2006-01-02 15:04:05"),
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"status":false,"message":"` + msgSystem + `","data":null}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// writeError writes Kora's error format; fields, when given, are the data
// of an "Invalid request data" answer.
func writeError(w http.ResponseWriter, status int, message string, fields map[string]string) {
	env := envelope{Status: false, Message: message}
	if fields != nil {
		env.Data = fields
	}
	writeJSON(w, status, env)
}

// WebhookCue is how the sandbox misdelivers a charge's webhook, to show
// what a receiver must survive; cues combine (WebhookTwice|WebhookLate).
// Set one per voucher (Voucher.Webhook) or for every charge
// (WithWebhookCue; ParseWebhookCues reads "twice,late,…" for a flag).
type WebhookCue int

// Webhook cues.
const (
	WebhookTwice        WebhookCue = 1 << iota // delivered twice, as Kora's retries can
	WebhookLate                                // held until the charge has been queried (after the till's query)
	WebhookReordered                           // a charge.failed for the same charge after its charge.success
	WebhookBadSignature                        // signed with another key (the receiver must refuse it)
	WebhookPretty                              // data pretty-printed; signed over JSON.stringify of it, as Kora signs
	WebhookNone                                // never sent: the webhook is lost
)

var cueNames = []struct {
	cue  WebhookCue
	name string
}{{WebhookTwice, "twice"}, {WebhookLate, "late"}, {WebhookReordered, "reordered"},
	{WebhookBadSignature, "bad-signature"}, {WebhookPretty, "pretty"}, {WebhookNone, "none"}}

// ParseWebhookCues reads a comma-separated list of cue names: twice, late,
// reordered, bad-signature, pretty, none.
func ParseWebhookCues(s string) (WebhookCue, error) {
	var out WebhookCue
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		found := false
		for _, c := range cueNames {
			if c.name == part {
				out, found = out|c.cue, true
			}
		}
		if !found {
			return 0, fmt.Errorf("sandbox: webhook cue %q: use twice, late, reordered, bad-signature, pretty or none", part)
		}
	}
	return out, nil
}

// lateWebhookBound is the longest a late webhook waits for its query.
const lateWebhookBound = 30 * time.Second

// notify sends the charge's webhook when the charge asked for one, as
// Kora does (POST {event, data}, x-korapay-signature the hex HMAC-SHA256
// of JSON.stringify(data) with the secret key), misdelivered as its cue
// says. Only loopback URLs are called: the sandbox never reaches past
// this machine.
func (s *Sandbox) notify(c *charge) {
	if c.notify == "" || c.cue&WebhookNone != 0 {
		return
	}
	u, err := url.Parse(c.notify)
	if err != nil || !loopbackHost(u.Hostname()) {
		s.log.Warn("sandbox webhook skipped: only loopback notification URLs are called", "url", c.notify)
		return
	}
	s.mu.Lock()
	data := c.json(true)
	cue, queried := c.cue, c.queried
	s.mu.Unlock()
	event := kora.EventChargeSuccess
	if kora.ChargeStatus(data.Status).Verdict() == kora.VerdictDeclined {
		event = kora.EventChargeFailed
	}
	type delivery struct {
		event string
		body  []byte
		sig   string
	}
	key := s.key
	if cue&WebhookBadSignature != 0 {
		key += "-not-the-merchants"
	}
	build := func(event string, d chargeJSON) delivery {
		compact, _ := json.Marshal(d)
		sent := compact
		if cue&WebhookPretty != 0 {
			sent, _ = json.MarshalIndent(d, "", "    ")
		}
		var body []byte
		if cue&WebhookPretty != 0 {
			body = []byte("{\n  \"event\": \"" + event + "\",\n  \"data\": " + string(sent) + "\n}\n")
		} else {
			body, _ = json.Marshal(struct {
				Event string          `json:"event"`
				Data  json.RawMessage `json:"data"`
			}{event, sent})
		}
		return delivery{event, body, kora.Sign(key, compact)}
	}
	sends := []delivery{build(event, data)}
	if cue&WebhookTwice != 0 {
		sends = append(sends, sends[0])
	}
	if cue&WebhookReordered != 0 && event == kora.EventChargeSuccess {
		failed := data
		failed.Status, failed.Voucher, failed.Message = string(kora.StatusFailed), nil, "Transaction failed. Please try again."
		sends = append(sends, build(kora.EventChargeFailed, failed))
	}
	target, ref := c.notify, c.reference
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if cue&WebhookLate != 0 {
			select {
			case <-queried:
			case <-time.After(lateWebhookBound):
			case <-s.closed:
				return
			}
		}
		for _, d := range sends {
			if !s.deliver(target, ref, d.event, d.body, d.sig) {
				return
			}
		}
	}()
}

// deliver posts one webhook, retrying a few times (Kora retries for 72
// hours); false when the sandbox is closing.
func (s *Sandbox) deliver(target, ref, event string, body []byte, sig string) bool {
	for attempt, wait := 0, 200*time.Millisecond; attempt < 4; attempt, wait = attempt+1, wait*3 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(kora.SignatureHeader, sig)
		resp, err := s.webhooks.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 300 {
				s.log.Info("sandbox webhook delivered", "event", event, "reference", ref)
				return true
			}
		}
		select {
		case <-time.After(wait):
		case <-s.closed:
			return false
		}
	}
	s.log.Warn("sandbox webhook not delivered", "event", event, "reference", ref)
	return true
}

func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
