// Package kora is a client for Kora's Voucher Charge API: it charges a
// voucher, queries a charge, verifies webhooks, and turns every answer into
// a typed result or error. It knows the wire, never screens or storage.
//
// The one distinction callers must keep: an error matching ErrNotSent means
// nothing reached Kora and the request may be sent again; an error matching
// ErrOutcomeUnknown means the charge may have happened and must be resolved
// with QueryCharge, never by a new charge.
package kora

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultBaseURL is Kora's merchant API.
const DefaultBaseURL = "https://api.korapay.com/merchant"

// MaxBodyBytes bounds every response body read from Kora.
const MaxBodyBytes = 1 << 20

// DefaultTimeout bounds one request when the caller's context has no sooner
// deadline.
const DefaultTimeout = 30 * time.Second

// Client talks to Kora. It is safe for concurrent use; make one and reuse it.
type Client struct {
	base    *url.URL
	key     *secretKey // behind a pointer so no fmt of a Client can reach it
	http    *http.Client
	timeout time.Duration
	agent   string
	log     *slog.Logger
	seen    *sync.Map // statuses outside the table already logged
}

// secretKey holds the Bearer token. It prints as [redacted] everywhere. The
// token sits in a closure: fmt reaches unexported fields by reflection (a
// bad verb such as %s on a Client value prints every pointer field's
// target), and no verb can print what a func captured.
type secretKey struct{ v func() string }

func newSecretKey(s string) *secretKey { return &secretKey{v: func() string { return s }} }

func (*secretKey) String() string   { return "[redacted]" }
func (*secretKey) GoString() string { return "[redacted]" }

// Format keeps the base URL visible and the key out of every rendering.
func (c *Client) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "kora.Client{base:%s key:[redacted] timeout:%s}", c.base, c.timeout)
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient replaces the default http.Client (used by tests to trust a
// test certificate). Redirects are never followed whatever it says.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		clone := *h
		c.http = &clone
	}
}

// WithTimeout bounds each request; 0 leaves only the caller's context.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithLogger receives one warning per charge status the client has never
// seen (and so treats as unknown). Without it nothing is logged.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.agent = ua } }

// NewTransport is the transport a Client talks to Kora over: TLS 1.2 or
// later, bounded dial and handshake times, a few idle connections kept,
// and small headers only. A caller that wraps it (a logging RoundTripper)
// keeps Kora's settings.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
		ExpectContinueTimeout: time.Second,
		// Kora's headers are small; a flood of them is not an answer.
		MaxResponseHeaderBytes: 64 << 10,
	}
}

// New returns a client for baseURL ("" means DefaultBaseURL). Plain http://
// is refused unless the host is a loopback address, so a key never crosses a
// network in clear.
func New(baseURL, secret string, opts ...Option) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("kora: base URL %q: %w", baseURL, err)
	}
	if err := checkBaseURL(u); err != nil {
		return nil, err
	}
	if strings.TrimSpace(secret) == "" {
		return nil, errors.New("kora: secret key is empty")
	}
	if strings.ContainsAny(secret, "\r\n\t ") {
		return nil, errors.New("kora: secret key contains white space")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	c := &Client{
		base:    u,
		key:     newSecretKey(secret),
		timeout: DefaultTimeout,
		agent:   "voucherpos",
		log:     slog.New(slog.DiscardHandler),
		seen:    new(sync.Map),
		http:    &http.Client{Transport: NewTransport()},
	}
	for _, o := range opts {
		o(c)
	}
	// A redirected POST would silently become a GET: treat any 3xx as an
	// answer of its own.
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c, nil
}

func checkBaseURL(u *url.URL) error {
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return fmt.Errorf("kora: base URL %s: plain http is allowed only for loopback hosts; use https", u.Redacted())
		}
	default:
		return fmt.Errorf("kora: base URL %q: scheme must be https", u.Redacted())
	}
	if u.Host == "" {
		return fmt.Errorf("kora: base URL %q has no host", u.Redacted())
	}
	if u.User != nil {
		return errors.New("kora: base URL must not carry credentials")
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CloseIdleConnections closes kept-alive connections (on shutdown).
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// BaseURL is the API root this client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// ChargeVoucher redeems a voucher: POST /api/v1/charge/voucher. A nil error
// means Kora answered with a charge; check its Status (a "processing" charge
// is resolved with QueryCharge). Errors match ErrNotSent, ErrOutcomeUnknown
// or one of Kora's declines (see Error).
func (c *Client) ChargeVoucher(ctx context.Context, ch VoucherCharge) (*VoucherResult, error) {
	body, err := json.Marshal(ch.wire())
	if err != nil {
		return nil, transportError(ErrNotSent, "encode charge", err)
	}
	env, status, err := c.do(ctx, http.MethodPost, "/api/v1/charge/voucher", body)
	if err != nil {
		return nil, chargeError(err)
	}
	var w wireChargeOut
	if err := json.Unmarshal(env.Data, &w); err != nil {
		return nil, &Error{StatusCode: status, Message: "unreadable charge data: " + err.Error(), unknown: true}
	}
	res := &VoucherResult{Message: string(env.Message), Charge: w.charge()}
	if res.Reference == "" {
		res.Reference = ch.Reference
	}
	if err := readable(status, res.Charge); err != nil {
		return nil, err
	}
	c.noteStatus(res.Status, res.Reference)
	return res, nil
}

// readable checks what an outcome rests on: a status, and for a success
// the amount charged. Every other field may be missing or malformed.
func readable(status int, ch Charge) error {
	if ch.Status == "" {
		// "status": true but no charge status: not an answer to act on.
		return &Error{StatusCode: status, Message: "charge without a status", unknown: true}
	}
	if _, ok := ch.Charged(); !ok && ch.Status.Verdict() == VerdictApproved {
		return &Error{StatusCode: status, Message: "successful charge without a readable amount", unknown: true}
	}
	return nil
}

// chargeError is the error of a charge POST. Kora's errors page says
// "Invalid authorization key" "does not indicate any error with your
// request. Requery the transaction": on a POST it leaves the outcome open
// (it still matches ErrUnauthorized).
func chargeError(err error) error {
	var e *Error
	if errors.As(err, &e) && e.kind == ErrUnauthorized {
		e.unknown = true
	}
	return err
}

// noteStatus logs, once per status, a status outside the table.
func (c *Client) noteStatus(s ChargeStatus, ref string) {
	if s.Known() {
		return
	}
	if _, dup := c.seen.LoadOrStore(s, true); !dup {
		c.log.Warn("kora: charge status never seen before, treated as unknown", "status", string(s), "reference", ref)
	}
}

// QueryCharge fetches a charge by the merchant's reference:
// GET /api/v1/charges/{reference}. A charge Kora has never seen is an error
// matching ErrChargeNotFound.
func (c *Client) QueryCharge(ctx context.Context, reference string) (*Charge, error) {
	if reference == "" {
		return nil, transportError(ErrNotSent, "query charge", errors.New("empty reference"))
	}
	env, status, err := c.do(ctx, http.MethodGet, "/api/v1/charges/"+url.PathEscape(reference), nil)
	if err != nil {
		return nil, err
	}
	var w wireChargeOut
	if err := json.Unmarshal(env.Data, &w); err != nil {
		return nil, &Error{StatusCode: status, Message: "unreadable charge data: " + err.Error(), unknown: true}
	}
	ch := w.charge()
	if ch.Reference == "" {
		ch.Reference = reference
	}
	if err := readable(status, ch); err != nil {
		return nil, err
	}
	c.noteStatus(ch.Status, ch.Reference)
	return &ch, nil
}

// do sends one request and returns Kora's envelope of a successful answer
// with data, or a classified error.
func (c *Client) do(ctx context.Context, method, path string, body []byte) (envelope, int, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	// Whether the request reached the wire decides ErrNotSent versus
	// ErrOutcomeUnknown for any failure after this point.
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: func() { wrote.Store(true) },
	})
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, rd)
	if err != nil {
		return envelope{}, 0, transportError(ErrNotSent, "build request", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key.v())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.agent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := c.http.Do(req)
	if err != nil {
		if !wrote.Load() {
			return envelope{}, 0, transportError(ErrNotSent, method+" "+path, err)
		}
		return envelope{}, 0, transportError(ErrOutcomeUnknown, method+" "+path, err)
	}
	defer resp.Body.Close()

	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	if err != nil {
		return envelope{}, resp.StatusCode, transportError(ErrOutcomeUnknown, "read response", err)
	}
	if len(raw) > MaxBodyBytes {
		return envelope{}, resp.StatusCode, &Error{StatusCode: resp.StatusCode,
			Message: fmt.Sprintf("response larger than %d bytes", MaxBodyBytes), unknown: true}
	}
	return decodeResponse(resp.StatusCode, raw)
}

// decodeResponse turns a status and body into an envelope with data, or an
// *Error. It is the single place where answers are classified.
func decodeResponse(status int, raw []byte) (envelope, int, error) {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		e := &Error{StatusCode: status, Message: "unreadable response: " + snippet(raw), unknown: true}
		switch status {
		case http.StatusUnauthorized:
			// A refused key is a definite answer whatever the body looks like.
			e.kind, e.unknown = ErrUnauthorized, false
		case http.StatusNotFound:
			// An HTML or empty 404 is no route of Kora's: a wrong base URL.
			// It is not Kora's own JSON, so the charge's fate stays open
			// (the cautious reading of a proxy's page).
			e.kind = ErrRouteNotFound
		}
		return envelope{}, status, e
	}
	msg := strings.TrimSpace(string(env.Message))
	switch {
	case status >= 200 && status < 300 && bool(env.Status) && env.hasData():
		return env, status, nil
	case status >= 200 && status < 300 && bool(env.Status):
		return envelope{}, status, &Error{StatusCode: status, Message: "success without data: " + msg, unknown: true}
	}
	e := &Error{StatusCode: status, Message: msg, kind: classify(status, msg)}
	switch {
	case status >= 500 || status < 400:
		// 5xx: Kora says "requery the transaction". A 2xx that says
		// status:false or a 3xx is not an answer we can trust either way.
		e.unknown = true
		if e.kind == nil && status >= 500 {
			e.kind = ErrSystem
		}
		if status < 400 && e.kind != nil && e.kind != ErrSystem {
			// A 200 carrying a recognised decline is that decline.
			e.unknown = false
		}
	case e.kind == ErrInvalidRequest:
		e.Fields = fieldErrors(env.Data)
	}
	return envelope{}, status, e
}

// fieldErrors flattens Kora's "Invalid request data" details, whatever shape
// they come in, to field → reason.
func fieldErrors(data json.RawMessage) map[string]string {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || len(obj) == 0 {
		return nil
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		out[k] = flatten(v)
	}
	return out
}

func flatten(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var list []json.RawMessage
	if json.Unmarshal(v, &list) == nil {
		parts := make([]string, 0, len(list))
		for _, item := range list {
			parts = append(parts, flatten(item))
		}
		return strings.Join(parts, "; ")
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(v, &obj) == nil {
		for _, key := range []string{"message", "msg", "error"} {
			if m, ok := obj[key]; ok {
				return flatten(m)
			}
		}
	}
	return snippet(v)
}

// snippet is a short, printable excerpt of a body for an error message.
func snippet(b []byte) string {
	const n = 80
	s := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, string(b))
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = s[:n] + "…"
	}
	if s == "" {
		return "(empty)"
	}
	return s
}
