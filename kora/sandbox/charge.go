package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"voucherpos/kora"
)

// Kora's messages, word for word from its voucher API page and errors page.
const (
	msgInvalidPIN     = "The voucher pin you have entered is invalid."
	msgUsed           = "The voucher has already been used."
	msgFunds          = "Voucher funds are lower than the transaction amount."
	msgExceeds        = "The amount provided exceeds the required amount."
	msgNotActive      = "The voucher provider is not active for this merchant."
	msgNotSupported   = "The selected provider code is not supported."
	msgSystem         = "An unexpected system error occurred."
	msgInvalidRequest = "Invalid request data"
	msgDuplicate      = "Duplicate payment reference"
	msgUnauthorized   = "Invalid authorization key"
	msgRouteNotFound  = "Route not found"
)

// statusMessages are the reasons the sandbox gives with a status a seeded
// voucher answers. "Transaction failed. Please try again." is Kora
// Checkout's; the others are the sandbox's own words.
var statusMessages = map[kora.ChargeStatus]string{
	kora.StatusFailed:    "Transaction failed. Please try again.",
	kora.StatusExpired:   "Transaction expired",
	kora.StatusCancelled: "Transaction cancelled",
	kora.StatusAbandoned: "Transaction abandoned",
}

const maxRequestBytes = 64 << 10

var referenceRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,100}$`)

// minReferenceLen: Kora's pay-ins refuse references shorter than this.
const minReferenceLen = 8

// Kora's metadata rule (its pay-in pages): at most 5 keys, each at most 20
// characters of A–Z a–z 0–9 and -, and not an empty object.
const maxMetadataKeys = 5

var metadataKeyRE = regexp.MustCompile(`^[A-Za-z0-9-]{1,20}$`)

// request is a validated voucher charge.
type request struct {
	amount        int64 // cents
	currency      string
	reference     string
	pin           string
	phone         string
	provider      string
	customerName  string
	customerEmail string
	notify        string
	description   string
}

// parseRequest checks a body the way Kora does and returns field errors in
// its "Invalid request data" form.
func parseRequest(body []byte) (request, map[string]string) {
	errs := map[string]string{}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return request{}, map[string]string{"body": "must be a JSON object"}
	}
	var req request

	if v, ok := raw["amount"]; !ok || isNull(v) {
		errs["amount"] = "amount is required"
	} else if t := bytes.TrimSpace(v); len(t) == 0 || t[0] == '"' || t[0] == '{' || t[0] == '[' || t[0] == 't' || t[0] == 'f' {
		errs["amount"] = "amount must be a number"
	} else {
		var a kora.Amount
		if err := a.UnmarshalJSON(t); err != nil {
			errs["amount"] = "amount must be a number"
		} else if a.Sign() <= 0 {
			errs["amount"] = "amount must be greater than 0"
		} else if cents, err := a.Minor(2); err != nil {
			errs["amount"] = "amount must have at most 2 decimal places"
		} else if cents > 100_000_000 {
			errs["amount"] = "amount must not exceed 1000000"
		} else {
			req.amount = cents
		}
	}

	req.currency = str(raw, "currency", true, errs)
	if req.currency != "" && req.currency != "ZAR" {
		errs["currency"] = "currency must be ZAR for voucher payments"
	}
	if v, ok := raw["merchant_bears_cost"]; !ok || isNull(v) {
		errs["merchant_bears_cost"] = "merchant_bears_cost is required"
	} else if mbc := bytes.TrimSpace(v); !bytes.Equal(mbc, []byte("true")) && !bytes.Equal(mbc, []byte("false")) {
		errs["merchant_bears_cost"] = "merchant_bears_cost must be a boolean"
	}
	req.reference = str(raw, "reference", true, errs)
	switch {
	case req.reference == "":
	case !referenceRE.MatchString(req.reference):
		errs["reference"] = "reference may contain only letters, digits, '-', '_' and '.', at most 100"
	case len(req.reference) < minReferenceLen:
		errs["reference"] = "reference must be at least 8 characters"
	}
	req.notify = str(raw, "notification_url", false, errs)
	if req.notify != "" && !webhookURLAllowed(req.notify) {
		errs["notification_url"] = "notification_url must be a valid https URL"
	}
	req.description = str(raw, "description", false, errs)

	var voucher map[string]json.RawMessage
	if v, ok := raw["voucher"]; !ok || isNull(v) {
		errs["voucher"] = "voucher is required"
	} else if json.Unmarshal(v, &voucher) != nil {
		errs["voucher"] = "voucher must be an object"
	} else {
		sub := map[string]string{}
		req.pin = numberOrString(voucher, "pin", sub)
		req.phone = str(voucher, "phone_number", true, sub)
		req.provider = numberOrString(voucher, "provider_code", sub)
		for k, m := range sub {
			errs["voucher."+k] = "voucher." + m
		}
		if req.pin != "" && !allDigits(req.pin) {
			errs["voucher.pin"] = "voucher.pin must contain digits only"
		}
	}

	var customer map[string]json.RawMessage
	if v, ok := raw["customer"]; !ok || isNull(v) {
		errs["customer"] = "customer is required"
	} else if json.Unmarshal(v, &customer) != nil {
		errs["customer"] = "customer must be an object"
	} else {
		sub := map[string]string{}
		req.customerEmail = str(customer, "email", true, sub)
		req.customerName = str(customer, "name", false, sub)
		if req.customerEmail != "" && !strings.Contains(req.customerEmail, "@") {
			sub["email"] = "email must be a valid email"
		}
		for k, m := range sub {
			errs["customer."+k] = "customer." + m
		}
	}
	if v, ok := raw["metadata"]; ok && !isNull(v) {
		if msg := metadataError(v); msg != "" {
			errs["metadata"] = msg
		}
	}
	if len(errs) > 0 {
		return request{}, errs
	}
	return req, nil
}

// metadataError is what Kora's metadata rule says of v, or "".
func metadataError(v json.RawMessage) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(v, &m) != nil {
		return "metadata must be an object"
	}
	if len(m) == 0 {
		return "metadata must not be an empty object"
	}
	if len(m) > maxMetadataKeys {
		return "metadata must have at most 5 keys"
	}
	var bad []string
	for k := range m {
		if !metadataKeyRE.MatchString(k) {
			bad = append(bad, strconv.Quote(k))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return "metadata keys must be at most 20 characters of A-Z, a-z, 0-9 and -: " + strings.Join(bad, ", ")
	}
	return ""
}

// MetadataAllowed reports whether Kora's metadata rule accepts m (nil, no
// metadata at all, is allowed): the rule the sandbox enforces, for tests
// of what a till sends.
func MetadataAllowed(m map[string]string) error {
	if m == nil {
		return nil
	}
	b, _ := json.Marshal(m)
	if msg := metadataError(b); msg != "" {
		return errors.New(msg)
	}
	return nil
}

// webhookURLAllowed: https, or plain http to a loopback host (tests).
func webhookURLAllowed(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	return u.Scheme == "https" || (u.Scheme == "http" && loopbackHost(u.Hostname()))
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// str reads a string field; required ones must be present and non-empty.
func str(obj map[string]json.RawMessage, key string, required bool, errs map[string]string) string {
	v, ok := obj[key]
	if !ok || isNull(v) {
		if required {
			errs[key] = key + " is required"
		}
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		errs[key] = key + " must be a string"
		return ""
	}
	s = strings.TrimSpace(s)
	if s == "" && required {
		errs[key] = key + " is required"
	}
	return s
}

// numberOrString reads a required field Kora documents as a number but
// that clients rightly send as a string (a 16-digit PIN, "0001").
func numberOrString(obj map[string]json.RawMessage, key string, errs map[string]string) string {
	v, ok := obj[key]
	if !ok || isNull(v) {
		errs[key] = key + " is required"
		return ""
	}
	t := bytes.TrimSpace(v)
	if len(t) > 0 && t[0] == '"' {
		return str(obj, key, true, errs)
	}
	if !allDigits(string(t)) || len(t) == 0 {
		errs[key] = key + " must be a string of digits"
		return ""
	}
	return string(t)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// outcome is what chargeVoucher decided under the ledger lock.
type outcome struct {
	status  int
	message string
	body    *chargeJSON
	fault   Fault
	record  *charge
}

func (s *Sandbox) chargeVoucher(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, msgInvalidRequest, map[string]string{"body": "could not be read"})
		return
	}
	if len(body) > maxRequestBytes {
		writeError(w, http.StatusBadRequest, msgInvalidRequest, map[string]string{"body": "is too large"})
		return
	}
	req, fieldErrs := parseRequest(body)
	if fieldErrs != nil {
		writeError(w, http.StatusBadRequest, msgInvalidRequest, fieldErrs)
		return
	}
	out := s.apply(req)
	if out.record != nil {
		s.notify(out.record)
	}
	if out.status != http.StatusOK {
		writeError(w, out.status, out.message, nil)
		return
	}
	s.answer(w, r, out)
}

// apply runs one charge against the ledger: every check and the balance
// change happen under one lock, so parallel charges of one voucher apply
// exactly once each and never overdraw it.
func (s *Sandbox) apply(req request) outcome {
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, dup := s.charges[req.reference]; dup {
		return outcome{status: http.StatusBadRequest, message: msgDuplicate}
	}
	c := &charge{
		reference: req.reference, txRef: randomRef(), currency: req.currency,
		pin: req.pin, providerCode: req.provider,
		customerName: req.customerName, customerEmail: req.customerEmail,
		notify: req.notify, created: s.now().UTC(), requested: req.amount, description: req.description,
		cue: s.webhookCue, queried: make(chan struct{}),
	}
	fail := func(status int, msg string) outcome {
		c.status, c.message = kora.StatusFailed, msg
		s.record(c)
		return outcome{status: status, message: msg, record: c}
	}

	p, known := s.providers[req.provider]
	if !known {
		return fail(http.StatusBadRequest, msgNotSupported)
	}
	if !p.Active {
		return fail(http.StatusForbidden, msgNotActive)
	}
	v, ok := s.vouchers[req.pin]
	if ok {
		c.cue |= v.Webhook
	}
	if !ok || v.Provider != p.Code || (p.PINLength > 0 && len(req.pin) != p.PINLength) {
		return fail(http.StatusBadRequest, msgInvalidPIN)
	}
	if v.Used {
		return fail(http.StatusBadRequest, msgUsed)
	}
	if v.Fault == FaultSystemError {
		return fail(http.StatusInternalServerError, msgSystem)
	}
	if v.Fault == Fault401BeforeApply {
		// Refused at the door: nothing recorded, as for a wrong key.
		return outcome{status: http.StatusUnauthorized, message: msgUnauthorized}
	}
	if v.Status != "" && v.Status != kora.StatusSuccess {
		// Kora answers this status for the charge, now and in queries;
		// nothing is taken from the voucher.
		c.status, c.message = v.Status, statusMessages[v.Status]
		s.record(c)
		body := c.json(false)
		out := outcome{status: http.StatusOK, body: &body, fault: v.Fault}
		if v.Status.Verdict() == kora.VerdictDeclined {
			out.record = c // charge.failed goes out
		}
		return out
	}
	if v.Limit > 0 && req.amount > v.Limit {
		return fail(http.StatusBadRequest, msgExceeds)
	}
	if req.amount > v.Balance && p.ChangeVouchers {
		return fail(http.StatusPaymentRequired, msgFunds)
	}

	// Apply. A provider without change vouchers takes what the voucher has.
	charged := min(req.amount, v.Balance)
	v.Balance -= charged
	c.status, c.amount, c.hasVoucher = kora.StatusSuccess, charged, true
	c.fee = (charged*15 + 500) / 1000 // 1.5 %, rounded half up to the cent
	c.vat = (c.fee*15 + 50) / 100     // 15 % VAT on the fee
	c.serial, c.balance, c.expiry = v.serial, v.Balance, v.expiry
	switch {
	case v.Balance == 0:
		v.Used = true
	case p.ChangeVouchers:
		// The old PIN dies; the rest lives on a new voucher.
		v.Used = true
		rest := v.Balance
		v.Balance = 0
		nv := Voucher{PIN: s.freshPINLocked(p.PINLength), Provider: p.Code, Balance: rest,
			Does: "change voucher from " + kora.MaskPIN(req.pin)}
		s.addLocked(nv)
		issued := s.vouchers[nv.PIN]
		c.newPIN, c.serial, c.balance, c.expiry = nv.PIN, issued.serial, rest, issued.expiry
	}
	if v.Fault == FaultProcessing {
		c.status, c.settleAt = kora.StatusProcessing, c.created.Add(s.settleDelay)
	}
	s.record(c)
	body := c.json(false)
	out := outcome{status: http.StatusOK, body: &body, fault: v.Fault, record: c}
	if c.status == kora.StatusProcessing {
		out.record = nil // the webhook goes out when it settles
	}
	return out
}

func (s *Sandbox) record(c *charge) {
	c.seq = len(s.order) + 1
	s.charges[c.reference] = c
	s.order = append(s.order, c.reference)
}

func (s *Sandbox) freshPINLocked(n int) string {
	if n <= 0 {
		n = 16
	}
	for {
		pin := randomDigits(n)
		if _, taken := s.vouchers[pin]; !taken {
			return pin
		}
	}
}

// answer writes a successful charge, misbehaving as the voucher's fault says.
func (s *Sandbox) answer(w http.ResponseWriter, r *http.Request, out outcome) {
	env := envelope{Status: true, Message: "Charge Successful", Data: *out.body}
	switch st := kora.ChargeStatus(out.body.Status); {
	case st == kora.StatusSuccess:
	case st.Verdict() == kora.VerdictDeclined:
		env.Message = "Charge failed"
	default:
		env.Message = "Charge is " + out.body.Status
	}
	switch out.fault {
	case FaultSlowAfterApply:
		select {
		case <-time.After(s.slowDelay):
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
		writeJSON(w, http.StatusOK, env)
	case Fault500AfterApply:
		writeError(w, http.StatusInternalServerError, msgSystem, nil)
	case Fault401AfterApply:
		writeError(w, http.StatusUnauthorized, msgUnauthorized, nil)
	case FaultDropAfterApply:
		hijackClose(w, nil)
	case FaultHTML502AfterApply:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n")
	case FaultTruncatedAfterApply:
		b, _ := json.Marshal(env)
		head := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
			strconv.Itoa(len(b)) + "\r\nConnection: close\r\n\r\n"
		hijackClose(w, append([]byte(head), b[:len(b)/2]...))
	case FaultDripAfterApply:
		b, _ := json.Marshal(env)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		flusher, _ := w.(http.Flusher)
		for i := range b {
			if _, err := w.Write(b[i : i+1]); err != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
			select {
			case <-time.After(s.dripInterval):
			case <-r.Context().Done():
				return
			case <-s.closed:
				return
			}
		}
	default:
		writeJSON(w, http.StatusOK, env)
	}
}

// hijackClose writes raw bytes (if any) to the connection and closes it.
func hijackClose(w http.ResponseWriter, raw []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // net/http closes the connection
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if len(raw) > 0 {
		buf.Write(raw)
		buf.Flush()
	}
	conn.Close()
}
