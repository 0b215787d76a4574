package kora

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// SignatureHeader is the header carrying a webhook's signature.
const SignatureHeader = "x-korapay-signature"

// Webhook events Kora sends for charges.
const (
	EventChargeSuccess = "charge.success"
	EventChargeFailed  = "charge.failed"
)

// ErrBadSignature: a webhook whose signature does not match its data.
var ErrBadSignature = errors.New("kora: webhook signature mismatch")

// Webhook is a verified notification from Kora.
type Webhook struct {
	Event string
	// Charge is the decoded data object.
	Charge Charge
	// Data is the data object exactly as sent, the bytes that were signed.
	Data json.RawMessage
}

// Sign returns the hex HMAC-SHA256 of data keyed with secret: the value of
// the x-korapay-signature header for a webhook whose data object is data.
func Sign(secret string, data []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(data)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks a webhook body against its x-korapay-signature
// header with this client's secret key, and parses it. The signature covers
// the raw bytes of the body's data object, compared in constant time.
func (c *Client) VerifyWebhook(body []byte, signature string) (*Webhook, error) {
	return verifyWebhook(c.key.v(), body, signature)
}

func verifyWebhook(secret string, body []byte, signature string) (*Webhook, error) {
	if len(body) > MaxBodyBytes {
		return nil, fmt.Errorf("kora: webhook body larger than %d bytes", MaxBodyBytes)
	}
	var w struct {
		Event flexString      `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("kora: webhook body: %w", err)
	}
	if len(w.Data) == 0 {
		return nil, errors.New("kora: webhook has no data")
	}
	got, err := hex.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(got) != sha256.Size {
		return nil, ErrBadSignature
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(w.Data)
	if !hmac.Equal(got, m.Sum(nil)) {
		return nil, ErrBadSignature
	}
	var data wireChargeOut
	if err := json.Unmarshal(w.Data, &data); err != nil {
		return nil, fmt.Errorf("kora: webhook data: %w", err)
	}
	return &Webhook{Event: string(w.Event), Charge: data.charge(), Data: w.Data}, nil
}
