package kora

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// SignatureHeader is the header carrying a webhook's signature.
const SignatureHeader = "x-korapay-signature"

// Webhook events Kora sends for charges.
const (
	EventChargeSuccess = "charge.success"
	EventChargeFailed  = "charge.failed"
)

// Webhook errors, like stripe-go's webhook.ConstructEvent: a body that is
// not a webhook at all, and one whose signature does not match its data.
var (
	ErrBadSignature = errors.New("kora: webhook signature mismatch")
	ErrBadBody      = errors.New("kora: webhook body unreadable")
)

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
// header with this client's secret key, and parses it. Kora signs
// JSON.stringify(data) of the object it sends: the signature is checked
// against the raw bytes of the body's data object first, and when those are
// not what JSON.stringify writes (pretty-printed, \u00e9 or \/ escapes), against
// the compact re-encoding it would produce. Comparisons are constant-time.
// Errors match ErrBadBody or ErrBadSignature.
func (c *Client) VerifyWebhook(body []byte, signature string) (*Webhook, error) {
	return verifyWebhook(c.key.v(), body, signature)
}

func verifyWebhook(secret string, body []byte, signature string) (*Webhook, error) {
	if len(body) > MaxBodyBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrBadBody, MaxBodyBytes)
	}
	var w struct {
		Event flexString      `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadBody, err)
	}
	if len(w.Data) == 0 {
		return nil, fmt.Errorf("%w: no data", ErrBadBody)
	}
	got, err := hex.DecodeString(strings.TrimSpace(signature))
	if err != nil || len(got) != sha256.Size {
		return nil, ErrBadSignature
	}
	if !signedBy(secret, w.Data, got) {
		js, err := StringifyJS(w.Data)
		if err != nil || bytes.Equal(js, w.Data) || !signedBy(secret, js, got) {
			return nil, ErrBadSignature
		}
	}
	var data wireChargeOut
	if err := json.Unmarshal(w.Data, &data); err != nil {
		return nil, fmt.Errorf("%w: data: %w", ErrBadBody, err)
	}
	return &Webhook{Event: string(w.Event), Charge: data.charge(), Data: w.Data}, nil
}

func signedBy(secret string, data, sig []byte) bool {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(data)
	return hmac.Equal(sig, m.Sum(nil))
}

// StringifyJS re-encodes a JSON value the way JavaScript's
// JSON.stringify(JSON.parse(text)) writes it: no white space, keys in the
// order sent, strings with only the escapes JSON.stringify makes (" \ and
// control characters; no HTML escaping of <>&, "/" and non-ASCII written
// as themselves, U+2028 and U+2029 raw). Numbers keep the text they were
// sent with (Kora sends what its own JSON.stringify wrote). A key sent
// twice is kept twice (JSON.parse would keep the last): such a body is
// not one Kora writes.
func StringifyJS(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out bytes.Buffer
	if err := stringifyValue(dec, &out); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("kora: trailing data after the JSON value")
	}
	return out.Bytes(), nil
}

func stringifyValue(dec *json.Decoder, out *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		closing := byte(']')
		if v == '{' {
			closing = '}'
		}
		out.WriteByte(byte(v))
		for i := 0; dec.More(); i++ {
			if i > 0 {
				out.WriteByte(',')
			}
			if v == '{' {
				key, err := dec.Token()
				if err != nil {
					return err
				}
				k, ok := key.(string)
				if !ok {
					return errors.New("kora: object key is not a string")
				}
				writeJSString(out, k)
				out.WriteByte(':')
			}
			if err := stringifyValue(dec, out); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return err
		}
		out.WriteByte(closing)
	case string:
		writeJSString(out, v)
	case json.Number:
		out.WriteString(string(v))
	case bool:
		out.WriteString(strconv.FormatBool(v))
	case nil:
		out.WriteString("null")
	default:
		return fmt.Errorf("kora: unexpected JSON token %T", tok)
	}
	return nil
}

// writeJSString writes s quoted as JSON.stringify does.
func writeJSString(out *bytes.Buffer, s string) {
	const hexDigits = "0123456789abcdef"
	out.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			out.WriteString(`\"`)
		case '\\':
			out.WriteString(`\\`)
		case '\b':
			out.WriteString(`\b`)
		case '\f':
			out.WriteString(`\f`)
		case '\n':
			out.WriteString(`\n`)
		case '\r':
			out.WriteString(`\r`)
		case '\t':
			out.WriteString(`\t`)
		default:
			if r < 0x20 {
				out.WriteString(`\u00`)
				out.WriteByte(hexDigits[r>>4])
				out.WriteByte(hexDigits[r&0xf])
				continue
			}
			out.WriteRune(r)
		}
	}
	out.WriteByte('"')
}
