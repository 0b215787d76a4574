package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
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

// notify sends the charge's webhook when the charge asked for one. Only
// loopback URLs are called: the sandbox never reaches past this machine.
func (s *Sandbox) notify(c *charge) {
	if c.notify == "" {
		return
	}
	u, err := url.Parse(c.notify)
	if err != nil || !loopbackHost(u.Hostname()) {
		s.log.Warn("sandbox webhook skipped: only loopback notification URLs are called", "url", c.notify)
		return
	}
	event := kora.EventChargeSuccess
	if c.status.Verdict() == kora.VerdictDeclined {
		event = kora.EventChargeFailed
	}
	data, _ := json.Marshal(c.json(true))
	body, _ := json.Marshal(struct {
		Event string          `json:"event"`
		Data  json.RawMessage `json:"data"`
	}{event, data})
	sig := kora.Sign(s.key, data)
	target := c.notify
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		// Kora retries for 72 hours; the sandbox tries a few times.
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
					s.log.Info("sandbox webhook delivered", "event", event, "reference", c.reference)
					return
				}
			}
			select {
			case <-time.After(wait):
			case <-s.closed:
				return
			}
		}
		s.log.Warn("sandbox webhook not delivered", "event", event, "reference", c.reference)
	}()
}

func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
