package pos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"voucherpos/kora"
	"voucherpos/kora/sandbox"
	"voucherpos/pos/config"
	"voucherpos/pos/journal"
)

// fakeClock is a settable clock for reconciliation tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testConfig is the demo config pointed at a sandbox and a temp journal.
func testConfig(t testing.TB, baseURL string) *config.Config {
	t.Helper()
	cfg := config.Demo(func(string) string { return "" })
	cfg.Kora.BaseURL = baseURL
	cfg.Kora.Timeout = time.Second
	cfg.Journal.Path = filepath.Join(t.TempDir(), "journal.db")
	return cfg
}

type rig struct {
	sb  *sandbox.Server
	svc *Service
	cfg *config.Config
	log *bytes.Buffer
}

var testPolicy = Policy{RetryBase: 10 * time.Millisecond, RetryMax: 40 * time.Millisecond, NotFoundGrace: 50 * time.Millisecond}

func newRig(t testing.TB, opts ...sandbox.Option) *rig {
	t.Helper()
	sb, err := sandbox.Start("", append([]sandbox.Option{sandbox.WithSlowDelay(2 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	r := &rig{sb: sb, cfg: testConfig(t, sb.URL), log: &bytes.Buffer{}}
	r.svc = r.open(t)
	return r
}

func (r *rig) open(t testing.TB) *Service {
	t.Helper()
	svc, err := Open(r.cfg, Options{Policy: testPolicy, Logger: slog.New(slog.NewJSONHandler(syncWriter{w: r.log}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

type syncWriter struct {
	w *bytes.Buffer
}

var logMu sync.Mutex

func (s syncWriter) Write(p []byte) (int, error) {
	logMu.Lock()
	defer logMu.Unlock()
	return s.w.Write(p)
}

func order(amount Money, provider, pin string) Order {
	return Order{Amount: amount, ProviderCode: provider, PIN: pin, Phone: "082 123 4567"}
}

func TestSubmitRecordsEveryOutcome(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	cases := []struct {
		name    string
		order   Order
		status  Status
		kind    DeclineKind
		charged Money
	}{
		{"full redemption", order(10000, "0001", "1000 0000 0000 0100"), Approved, "", 10000},
		{"partly paid", order(8000, "0002", "2000-0000-0050"), Approved, "", 5000},
		{"invalid pin", order(1000, "0001", sandbox.InvalidPIN), Declined, DeclineInvalidPIN, 0},
		{"already used", order(1000, "0001", sandbox.PINUsed), Declined, DeclineVoucherUsed, 0},
		{"insufficient funds", order(1001, "0001", sandbox.PINLow), Declined, DeclineInsufficientFunds, 0},
		{"amount exceeds", order(20001, "0001", sandbox.PINCapped), Declined, DeclineAmountExceeds, 0},
		{"provider not active", order(1000, "0003", sandbox.PINInactive), Declined, DeclineProviderNotActive, 0},
		{"provider not supported", order(1000, "0004", sandbox.PINChange), Declined, DeclineProviderNotSupported, 0},
		{"system error", order(1000, "0001", sandbox.PINSystemError), Unknown, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sale, err := r.svc.Submit(ctx, tc.order)
			if err != nil {
				t.Fatal(err)
			}
			if sale.Status != tc.status || sale.DeclineKind != tc.kind || sale.Charged != tc.charged {
				t.Fatalf("sale %s/%s charged %d, want %s/%s %d", sale.Status, sale.DeclineKind, sale.Charged, tc.status, tc.kind, tc.charged)
			}
			if sale.Requested != tc.order.Amount || sale.PINLast4 == "" || sale.Phone != "********4567" || sale.Email != "demo@example.com" {
				t.Fatalf("sale %+v", sale)
			}
			if tc.status == Declined && sale.DeclineMessage == "" {
				t.Fatal("a decline without Kora's message")
			}
			got, _ := r.svc.Get(ctx, sale.Reference)
			if got.Status != tc.status {
				t.Fatalf("journal says %s", got.Status)
			}
		})
	}
	// The partly paid sale says what is left to collect.
	day, _ := r.svc.Day(ctx, time.Now())
	for _, s := range day {
		if s.ProviderCode == "0002" && (!s.PartlyPaid() || s.Outstanding() != 3000) {
			t.Fatalf("partly paid sale %+v", s)
		}
	}
}

func TestChangeVoucherIsKeptEncrypted(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	sale, err := r.svc.Submit(ctx, order(12050, "0001", sandbox.PINChange))
	if err != nil || sale.Status != Approved {
		t.Fatalf("%+v %v", sale, err)
	}
	if len(sale.ChangePIN) != 16 || !sale.HasChangePIN || sale.Balance != 37950 || !sale.HasBalance || sale.Expiry.IsZero() || sale.VoucherSerial == "" {
		t.Fatalf("change voucher %+v", sale)
	}
	if sale.Fee <= 0 || sale.KoraReference == "" {
		t.Fatalf("fee %d kora ref %q", sale.Fee, sale.KoraReference)
	}
	pin, err := r.svc.ChangePIN(ctx, sale.Reference)
	if err != nil || pin != sale.ChangePIN {
		t.Fatalf("stored change PIN %q %v", pin, err)
	}
	// The new PIN works as a voucher; the old one is dead.
	again, _ := r.svc.Submit(ctx, order(100, "0001", sale.ChangePIN))
	if again.Status != Approved || again.Balance != 37850 {
		t.Fatalf("spending the change voucher: %+v", again)
	}
	old, _ := r.svc.Submit(ctx, order(100, "0001", sandbox.PINChange))
	if old.DeclineKind != DeclineVoucherUsed {
		t.Fatalf("old PIN: %+v", old)
	}
}

func TestValidateSendsTheCashierToTheField(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	cases := []struct {
		o     Order
		field Field
	}{
		{order(0, "0001", sandbox.PINChange), FieldAmount},
		{order(500001, "0001", sandbox.PINChange), FieldAmount},
		{order(100, "0009", sandbox.PINChange), FieldProvider},
		{order(100, "0001", "11686480967929"), FieldPIN},
		{order(100, "0001", "1168a48096792943"), FieldPIN},
		{Order{Amount: 100, ProviderCode: "0001", PIN: sandbox.PINChange, Phone: "12"}, FieldPhone},
		{Order{Amount: 100, ProviderCode: "0001", PIN: sandbox.PINChange, Phone: "0821234567", Email: "nope"}, FieldEmail},
	}
	for _, tc := range cases {
		_, err := r.svc.Submit(context.Background(), tc.o)
		var fe *InputError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%+v: err %v, want field %s", tc.o, err, tc.field)
		}
	}
	if n := len(r.sb.Charges()); n != 0 {
		t.Fatalf("%d charges sent for invalid orders", n)
	}
}

func TestUnknownOutcomesAreResolvedByQueryNeverByCharge(t *testing.T) {
	t.Parallel()
	r := newRig(t, sandbox.WithDripInterval(200*time.Millisecond))
	ctx := context.Background()
	for _, pin := range []string{sandbox.PINSlow, sandbox.PIN500, sandbox.PINDropped,
		sandbox.PINHTML502, sandbox.PINTruncated, sandbox.PINDrip} {
		sale, err := r.svc.Submit(ctx, order(2500, "0001", pin))
		if err != nil {
			t.Fatal(err)
		}
		if sale.Status != Unknown {
			t.Fatalf("%s: status %s, want unknown", pin, sale.Status)
		}
		resolved, err := r.svc.Resolve(ctx, sale.Reference)
		if err != nil || resolved.Status != Approved || resolved.Charged != 2500 {
			t.Fatalf("%s: resolved %+v %v", pin, resolved, err)
		}
		if n := chargesFor(r.sb, sale.Reference); n != 1 {
			t.Fatalf("%s: %d charges in the ledger", pin, n)
		}
	}
	if n, _ := r.svc.Unresolved(ctx); n != 0 {
		t.Fatalf("%d unresolved", n)
	}
}

func chargesFor(sb *sandbox.Server, ref string) int {
	n := 0
	for _, c := range sb.Charges() {
		if c.Reference == ref && c.Status == kora.StatusSuccess {
			n++
		}
	}
	return n
}

func TestSystemErrorResolvesToDeclined(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	sale, _ := r.svc.Submit(ctx, order(1000, "0001", sandbox.PINSystemError))
	if sale.Status != Unknown {
		t.Fatalf("500 → %s", sale.Status)
	}
	got, err := r.svc.Resolve(ctx, sale.Reference)
	if err != nil || got.Status != Declined || got.DeclineKind != DeclineOther || got.DeclineMessage != "An unexpected system error occurred." {
		t.Fatalf("%+v %v", got, err)
	}
}

// A sale whose charge never reached Kora: "Charge not found" is believed
// only when seen again after the grace.
func TestChargeNotFoundTwiceIsDeclined(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	clock := &fakeClock{t: time.Now()}
	r.svc.now = clock.Now
	ctx := context.Background()
	ref := NewReference("demo-1", clock.Now())
	r.svc.journal.Create(ctx, journal.Sale{Reference: ref, CreatedAt: clock.Now(), TerminalID: "demo-1", Currency: "ZAR",
		AmountRequested: 1000, ProviderCode: "0001", ProviderName: "1Voucher", PINLast4: "2943", Phone: "+27821234567", Email: "a@b.co"})

	s1, _ := r.svc.Resolve(ctx, ref)
	if s1.Status != Unknown {
		t.Fatalf("first not-found: %s", s1.Status)
	}
	clock.Add(10 * time.Millisecond)
	if s2, _ := r.svc.Resolve(ctx, ref); s2.Status != Unknown {
		t.Fatalf("second not-found inside the grace: %s", s2.Status)
	}
	clock.Add(r.cfg.Kora.Timeout + time.Second)
	s3, _ := r.svc.Resolve(ctx, ref)
	if s3.Status != Declined || s3.DeclineKind != DeclineNotFound {
		t.Fatalf("after the grace: %+v", s3)
	}
	ev, _ := r.svc.journal.Events(ctx, ref)
	if len(ev) != 4 {
		t.Fatalf("events %+v", ev)
	}
}

// Kora unreachable: nothing charged, and the cashier's retry sends the
// same reference once Kora is back — after asking first.
func TestNotSentThenRetrySameReference(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // Kora is down
	cfg := testConfig(t, "http://"+addr+sandbox.BasePath)
	svc, err := Open(cfg, Options{Policy: testPolicy})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx := context.Background()
	o := order(5000, "0001", sandbox.PINChange)
	sale, err := svc.Submit(ctx, o)
	if err != nil || sale.Status != Declined || sale.DeclineKind != DeclineNotSent {
		t.Fatalf("%+v %v", sale, err)
	}
	// Still down: the retry changes nothing.
	o.Retry = sale.Reference
	if again, err := svc.Submit(ctx, o); err != nil || again.DeclineKind != DeclineNotSent {
		t.Fatalf("retry while down: %+v %v", again, err)
	}
	// Kora is back on the same address.
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", addr, err)
	}
	sb := sandbox.Serve(ln, sandbox.New())
	defer sb.Close()
	done, err := svc.Submit(ctx, o)
	if err != nil || done.Status != Approved || done.Reference != sale.Reference {
		t.Fatalf("retry: %+v %v", done, err)
	}
	if n := chargesFor(sb, sale.Reference); n != 1 {
		t.Fatalf("%d charges", n)
	}
	// A retry of an approved sale charges nothing more.
	if again, _ := svc.Submit(ctx, o); again.Status != Approved || chargesFor(sb, sale.Reference) != 1 {
		t.Fatal("retry of an approved sale charged again")
	}
	// A different voucher cannot ride on the old reference.
	o.PIN = sandbox.PINFull
	if _, err := svc.Submit(ctx, o); err == nil {
		t.Fatal("retry with another voucher accepted")
	}
}

func TestBackgroundReconcilerTellsListeners(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan Sale, 16)
	r.svc.OnUpdate(func(s Sale) { got <- s })
	go r.svc.Run(ctx)
	sale, _ := r.svc.Submit(ctx, order(2500, "0001", sandbox.PINDropped))
	if sale.Status != Unknown {
		t.Fatalf("status %s", sale.Status)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case s := <-got:
			if s.Reference == sale.Reference && s.Status == Approved {
				return
			}
		case <-deadline:
			t.Fatal("the reconciler never resolved the sale")
		}
	}
}

func TestParallelSubmits(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.sb.AddVoucher(sandbox.Voucher{PIN: "200000000888", Provider: "0002", Balance: 100000})
	var wg sync.WaitGroup
	var approved atomic.Int64
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := r.svc.Submit(context.Background(), order(500, "0002", "200000000888"))
			if err != nil {
				t.Error(err)
				return
			}
			if s.Status == Approved {
				approved.Add(int64(s.Charged))
			}
		}()
	}
	wg.Wait()
	st, _ := r.sb.VoucherState("200000000888")
	if approved.Load() != 8000 || st.Balance != 92000 {
		t.Fatalf("approved %d, balance %d", approved.Load(), st.Balance)
	}
	day, _ := r.svc.Day(context.Background(), time.Now())
	if len(day) != 16 || len(r.sb.Charges()) != 16 {
		t.Fatalf("%d sales in the journal, %d in the ledger", len(day), len(r.sb.Charges()))
	}
}

func TestSecondTillOnOneJournalIsRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	_, err := Open(r.cfg, Options{})
	if !errors.Is(err, journal.ErrLocked) {
		t.Fatalf("err = %v", err)
	}
	ro, err := Open(r.cfg, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only beside the till: %v", err)
	}
	ro.Close()
}

func TestCorruptJournalIsAClearError(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, "http://127.0.0.1:1")
	os.WriteFile(cfg.Journal.Path, bytes.Repeat([]byte{0xde, 0xad}, 4096), 0o600)
	_, err := Open(cfg, Options{})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("damaged")) {
		t.Fatalf("err = %v", err)
	}
}

// The customer's PIN, the change PIN and the secret never reach the
// journal's files or the log in clear.
func TestNoPINOrSecretOnDisk(t *testing.T) {
	t.Parallel()
	const key = "sk_test_CANARYKEY0123456789"
	sb, err := sandbox.Start("", sandbox.WithSecretKey(key))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	cfg := testConfig(t, sb.URL)
	cfg.Kora = cfg.Kora.WithSecret(key)
	logPath := filepath.Join(filepath.Dir(cfg.Journal.Path), "voucherpos.log")
	lf, _ := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY, 0o600)
	defer lf.Close()
	svc, err := Open(cfg, Options{Policy: testPolicy, Logger: slog.New(slog.NewJSONHandler(lf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pins := []string{sandbox.PINChange, sandbox.PINUsed, sandbox.PIN500, sandbox.InvalidPIN}
	var changePIN string
	for _, pin := range pins {
		s, err := svc.Submit(ctx, order(12050, "0001", pin))
		if err != nil {
			t.Fatal(err)
		}
		if s.ChangePIN != "" {
			changePIN = s.ChangePIN
		}
		if s.Status == Unknown {
			svc.Resolve(ctx, s.Reference)
		}
	}
	if changePIN == "" {
		t.Fatal("no change voucher issued")
	}
	svc.Close()
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(cfg.Journal.Path), "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, needle := range append([]string{key, changePIN}, pins...) {
			if bytes.Contains(b, []byte(needle)) {
				t.Errorf("%s holds %q in clear", filepath.Base(f), needle)
			}
		}
	}
}

func BenchmarkSubmit(b *testing.B) {
	r := newRig(b)
	r.sb.AddVoucher(sandbox.Voucher{PIN: "200000000999", Provider: "0002", Balance: 1 << 60})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if s, err := r.svc.Submit(ctx, order(100, "0002", "200000000999")); err != nil || s.Status != Approved {
			b.Fatal(s.Status, err)
		}
	}
}

// BenchmarkBareCharge is the same charge through the bare client, for the
// submit overhead (journal writes, validation) by difference.
func BenchmarkBareCharge(b *testing.B) {
	r := newRig(b)
	r.sb.AddVoucher(sandbox.Voucher{PIN: "200000000999", Provider: "0002", Balance: 1 << 60})
	ctx := context.Background()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		_, err := r.svc.client.ChargeVoucher(ctx, kora.VoucherCharge{Amount: kora.NewAmount(100, 2), Currency: "ZAR",
			MerchantBearsCost: true, Reference: fmt.Sprintf("bare-%d-%d", time.Now().UnixNano(), i), PIN: "200000000999",
			PhoneNumber: "+27821234567", ProviderCode: "0002", CustomerEmail: "a@b.co"})
		if err != nil {
			b.Fatal(err)
		}
	}
}
