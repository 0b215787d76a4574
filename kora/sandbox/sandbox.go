// Package sandbox is an in-process Kora: an http.Handler that speaks the
// Voucher Charge API with a stateful voucher ledger, Kora's error messages
// and statuses, signed webhooks, and fault modes for the paths where a
// charge's outcome is unknown. Demo mode, tests and `voucherpos sandbox`
// all use it.
package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"voucherpos/kora"
)

// DefaultSecretKey is the Bearer key the sandbox accepts unless told otherwise.
const DefaultSecretKey = "sk_test_sandbox"

// Sandbox is Kora's voucher API in memory. It is safe for concurrent use.
type Sandbox struct {
	key          string
	slowDelay    time.Duration
	settleDelay  time.Duration
	dripInterval time.Duration
	now          func() time.Time
	log          *slog.Logger
	webhooks     *http.Client
	webhookCue   WebhookCue // for every charge, beside each voucher's own

	mu        sync.Mutex
	providers map[string]Provider
	vouchers  map[string]*voucher // by PIN
	charges   map[string]*charge  // by merchant reference
	order     []string            // references in arrival order
	serial    int64

	wg     sync.WaitGroup // webhooks in flight
	closed chan struct{}
	once   sync.Once
}

type voucher struct {
	Voucher
	serial string
	expiry time.Time
}

// charge is the ledger's record of one charge attempt.
type charge struct {
	reference, txRef string
	status           kora.ChargeStatus
	amount, fee, vat int64 // cents
	currency         string
	pin              string // the PIN charged (never sent back)
	providerCode     string
	serial           string
	balance          int64
	newPIN           string
	expiry           time.Time
	hasVoucher       bool
	customerName     string
	customerEmail    string
	message          string
	notify           string
	description      string
	requested        int64 // cents asked for
	seq              int   // arrival number: its pay-ins pointer
	created          time.Time
	settleAt         time.Time     // a processing charge turns successful then
	cue              WebhookCue    // how its webhook is misdelivered
	queried          chan struct{} // closed at its first query (a late webhook waits for it)
}

// Option configures a Sandbox.
type Option func(*Sandbox)

// WithSecretKey sets the Bearer key the sandbox accepts.
func WithSecretKey(k string) Option { return func(s *Sandbox) { s.key = k } }

// WithSlowDelay sets how long FaultSlowAfterApply waits before answering.
func WithSlowDelay(d time.Duration) Option { return func(s *Sandbox) { s.slowDelay = d } }

// WithSettleDelay sets how long a FaultProcessing charge stays "processing".
func WithSettleDelay(d time.Duration) Option { return func(s *Sandbox) { s.settleDelay = d } }

// WithDripInterval sets the pause between bytes of FaultDripAfterApply.
func WithDripInterval(d time.Duration) Option { return func(s *Sandbox) { s.dripInterval = d } }

// WithClock replaces time.Now.
func WithClock(now func() time.Time) Option { return func(s *Sandbox) { s.now = now } }

// WithLogger receives a line per request and webhook.
func WithLogger(l *slog.Logger) Option { return func(s *Sandbox) { s.log = l } }

// WithVouchers replaces the demo vouchers.
func WithVouchers(vs []Voucher) Option {
	return func(s *Sandbox) {
		s.vouchers = map[string]*voucher{}
		for _, v := range vs {
			s.addLocked(v)
		}
	}
}

// WithWebhookCue misdelivers every charge's webhook as cue says (beside
// each voucher's own Voucher.Webhook).
func WithWebhookCue(cue WebhookCue) Option { return func(s *Sandbox) { s.webhookCue = cue } }

// WithWebhookClient sets the client that delivers webhooks.
func WithWebhookClient(c *http.Client) Option { return func(s *Sandbox) { s.webhooks = c } }

// New returns a sandbox seeded with DemoVouchers.
func New(opts ...Option) *Sandbox {
	s := &Sandbox{
		key:          DefaultSecretKey,
		slowDelay:    40 * time.Second,
		settleDelay:  20 * time.Second,
		dripInterval: 300 * time.Millisecond,
		now:          time.Now,
		log:          slog.New(slog.DiscardHandler),
		webhooks:     &http.Client{Timeout: 5 * time.Second},
		providers:    map[string]Provider{},
		vouchers:     map[string]*voucher{},
		charges:      map[string]*charge{},
		closed:       make(chan struct{}),
	}
	for _, p := range defaultProviders {
		s.providers[p.Code] = p
	}
	for _, v := range DemoVouchers() {
		s.addLocked(v)
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Close stops webhook deliveries and slow answers, and waits for webhooks in
// flight to give up.
func (s *Sandbox) Close() {
	s.once.Do(func() { close(s.closed) })
	s.wg.Wait()
}

// AddVoucher seeds one more voucher (tests).
func (s *Sandbox) AddVoucher(v Voucher) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addLocked(v)
}

func (s *Sandbox) addLocked(v Voucher) {
	s.serial++
	s.vouchers[v.PIN] = &voucher{
		Voucher: v,
		serial:  fmt.Sprintf("2025%012d%04d", s.serial, len(v.PIN)),
		expiry:  s.nowOrDefault().AddDate(3, 0, 0).UTC().Truncate(time.Second),
	}
}

func (s *Sandbox) nowOrDefault() time.Time {
	if s.now == nil {
		return time.Now()
	}
	return s.now()
}

// Providers lists the providers the sandbox knows, by code.
func (s *Sandbox) Providers() []Provider {
	out := make([]Provider, 0, len(defaultProviders))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range defaultProviders {
		out = append(out, s.providers[p.Code])
	}
	return out
}

// VoucherState is a voucher's balance now.
type VoucherState struct {
	Balance int64 // cents
	Used    bool  // spent or retired: the PIN is dead
}

// VoucherState reports a voucher's state by PIN.
func (s *Sandbox) VoucherState(pin string) (VoucherState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.vouchers[pin]
	if !ok {
		return VoucherState{}, false
	}
	return VoucherState{Balance: v.Balance, Used: v.Used}, true
}

// Record is a charge in the ledger, for tests and the sandbox's own log.
type Record struct {
	Reference string
	Status    kora.ChargeStatus
	Amount    int64 // cents charged (0 for a failed charge)
	PIN       string
	NewPIN    string
	Message   string
}

// Charges lists every charge attempt in arrival order.
func (s *Sandbox) Charges() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Record, 0, len(s.order))
	for _, ref := range s.order {
		c := s.charges[ref]
		out = append(out, Record{Reference: c.reference, Status: c.status, Amount: c.amount,
			PIN: c.pin, NewPIN: c.newPIN, Message: c.message})
	}
	return out
}

// BasePath is where the sandbox serves Kora's routes, as Kora serves them
// under https://api.korapay.com/merchant. A base URL without it is a wrong
// base URL: every other path answers Kora's 404 "Route not found".
const BasePath = "/merchant"

// admit answers a request to a route of Kora's that it may not take: the
// wrong method, or a key that is not the sandbox's.
func (s *Sandbox) admit(w http.ResponseWriter, r *http.Request, method string) bool {
	switch {
	case r.Method != method:
		writeError(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
		return false
	case !s.authorised(r):
		writeError(w, http.StatusUnauthorized, msgUnauthorized, nil)
		return false
	}
	return true
}

// ServeHTTP routes Kora's paths, under BasePath only.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.log.Info("sandbox request", "method", r.Method, "path", r.URL.Path)
	path, ok := strings.CutPrefix(r.URL.Path, BasePath)
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, msgRouteNotFound, nil)
	case path == "/api/v1/charge/voucher":
		if s.admit(w, r, http.MethodPost) {
			s.chargeVoucher(w, r)
		}
	case strings.HasPrefix(path, "/api/v1/charges/") && len(path) > len("/api/v1/charges/"):
		if s.admit(w, r, http.MethodGet) {
			s.queryCharge(w, strings.TrimPrefix(path, "/api/v1/charges/"))
		}
	case path == "/api/v1/pay-ins":
		if s.admit(w, r, http.MethodGet) {
			s.payIns(w, r)
		}
	default:
		writeError(w, http.StatusNotFound, msgRouteNotFound, nil)
	}
}

func (s *Sandbox) authorised(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.key)) == 1
}

func (s *Sandbox) queryCharge(w http.ResponseWriter, reference string) {
	s.mu.Lock()
	c, ok := s.charges[reference]
	var body chargeJSON
	settled := false
	if ok {
		select {
		case <-c.queried:
		default:
			close(c.queried)
		}
		if c.status == kora.StatusProcessing && !s.now().Before(c.settleAt) {
			c.status, settled = kora.StatusSuccess, true
		}
		body = c.json(true)
	}
	s.mu.Unlock()
	if settled {
		s.notify(c)
	}
	if !ok {
		writeError(w, http.StatusNotFound, "Charge not found", nil)
		return
	}
	writeJSON(w, http.StatusOK, envelope{Status: true, Message: "Charge retrieved successfully", Data: body})
}

// randomDigits returns n random decimal digits, the first not 0.
func randomDigits(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		max := int64(10)
		if i == 0 {
			max = 9
		}
		v, err := rand.Int(rand.Reader, big.NewInt(max))
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		d := v.Int64()
		if i == 0 {
			d++
		}
		b.WriteByte(byte('0' + d))
	}
	return b.String()
}

// randomRef returns a Kora-style transaction reference.
func randomRef() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	b := make([]byte, 12)
	for i := range b {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err)
		}
		b[i] = alphabet[v.Int64()]
	}
	return "KPY-CA-" + string(b)
}
