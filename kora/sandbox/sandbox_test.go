package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"voucherpos/kora"
	"voucherpos/kora/sandbox"
)

// start serves a sandbox on 127.0.0.1 and returns a client for it.
func start(t testing.TB, opts ...sandbox.Option) (*sandbox.Server, *kora.Client) {
	t.Helper()
	srv, err := sandbox.Start("", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c, err := kora.New(srv.URL, sandbox.DefaultSecretKey, kora.WithTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

var refs atomic.Int64

func charge(amount, pin, provider string) kora.VoucherCharge {
	return kora.VoucherCharge{
		Amount:            kora.MustAmount(amount),
		Currency:          "ZAR",
		MerchantBearsCost: true,
		Reference:         fmt.Sprintf("test-%d-%d", time.Now().UnixNano(), refs.Add(1)),
		PIN:               pin,
		PhoneNumber:       "+27821234567",
		ProviderCode:      provider,
		CustomerEmail:     "till@example.com",
	}
}

// Every row of the seed's error table, through the real client over HTTP.
func TestSeedErrorRows(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	cases := []struct {
		name     string
		req      kora.VoucherCharge
		status   int
		message  string
		sentinel error
	}{
		{"invalid pin", charge("10", sandbox.InvalidPIN, "0001"), 400, "The voucher pin you have entered is invalid.", kora.ErrInvalidPIN},
		{"already used", charge("10", sandbox.PINUsed, "0001"), 400, "The voucher has already been used.", kora.ErrVoucherUsed},
		{"insufficient funds", charge("10.01", sandbox.PINLow, "0001"), 402, "Voucher funds are lower than the transaction amount.", kora.ErrInsufficientFunds},
		{"amount exceeds", charge("200.01", sandbox.PINCapped, "0001"), 400, "The amount provided exceeds the required amount.", kora.ErrAmountExceeds},
		{"provider not active", charge("10", sandbox.PINInactive, "0003"), 403, "The voucher provider is not active for this merchant.", kora.ErrProviderNotActive},
		{"provider not supported", charge("10", sandbox.PINChange, sandbox.UnsupportedProvider), 400, "The selected provider code is not supported.", kora.ErrProviderNotSupported},
		{"system error", charge("10", sandbox.PINSystemError, "0001"), 500, "An unexpected system error occurred.", kora.ErrSystem},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.ChargeVoucher(context.Background(), tc.req)
			if !errors.Is(err, tc.sentinel) {
				t.Fatalf("err = %v, want %v", err, tc.sentinel)
			}
			var ke *kora.Error
			if !errors.As(err, &ke) || ke.StatusCode != tc.status || ke.Message != tc.message {
				t.Fatalf("err = %#v, want HTTP %d %q", err, tc.status, tc.message)
			}
			if got := errors.Is(err, kora.ErrOutcomeUnknown); got != (tc.status >= 500) {
				t.Fatalf("ErrOutcomeUnknown = %v for HTTP %d", got, tc.status)
			}
			// Kora records the failed charge; a query finds it failed.
			q, err := c.QueryCharge(context.Background(), tc.req.Reference)
			if err != nil || q.Status != kora.StatusFailed || q.Message != tc.message {
				t.Fatalf("query = %+v, %v; want failed with %q", q, err, tc.message)
			}
		})
	}
	// Nothing was taken from any voucher.
	if st, _ := srv.VoucherState(sandbox.PINLow); st.Balance != 1000 {
		t.Fatalf("R10 voucher balance = %d cents after declines", st.Balance)
	}
}

// The seed's error format, byte for byte in shape, over raw HTTP.
func TestErrorFormat(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	body := `{"amount":10,"currency":"ZAR","merchant_bears_cost":true,"reference":"raw-00001",
		"voucher":{"pin":"1000000000000999","phone_number":"+27821234567","provider_code":"0001"},
		"customer":{"email":"a@example.com"}}`
	resp := post(t, srv.URL+"/api/v1/charge/voucher", sandbox.DefaultSecretKey, body)
	if resp.status != 400 || resp.ctype != "application/json" {
		t.Fatalf("status %d, content type %q", resp.status, resp.ctype)
	}
	if want := `{"status":false,"message":"The voucher has already been used.","data":null}`; resp.body != want {
		t.Fatalf("body = %s\nwant  %s", resp.body, want)
	}
}

type rawResp struct {
	status      int
	ctype, body string
}

func post(t *testing.T, url, key, body string) rawResp {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResp{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

func TestGeneralErrors(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	ctx := context.Background()

	t.Run("wrong key", func(t *testing.T) {
		bad, _ := kora.New(srv.URL, "sk_test_wrong")
		_, err := bad.ChargeVoucher(ctx, charge("10", sandbox.PINChange, "0001"))
		var ke *kora.Error
		if !errors.Is(err, kora.ErrUnauthorized) || !errors.As(err, &ke) || ke.StatusCode != 401 {
			t.Fatalf("err = %v", err)
		}
		if _, err := bad.QueryCharge(ctx, "anything"); !errors.Is(err, kora.ErrUnauthorized) {
			t.Fatalf("query err = %v", err)
		}
	})
	t.Run("duplicate reference", func(t *testing.T) {
		req := charge("1", sandbox.PINOTT, "0002")
		if _, err := c.ChargeVoucher(ctx, req); err != nil {
			t.Fatal(err)
		}
		_, err := c.ChargeVoucher(ctx, req)
		if !errors.Is(err, kora.ErrDuplicateReference) {
			t.Fatalf("err = %v", err)
		}
		if st, _ := srv.VoucherState(sandbox.PINOTT); st.Balance != 29900 {
			t.Fatalf("balance %d: the duplicate must not charge", st.Balance)
		}
	})
	t.Run("charge not found", func(t *testing.T) {
		_, err := c.QueryCharge(ctx, "never-sent")
		var ke *kora.Error
		if !errors.Is(err, kora.ErrChargeNotFound) || !errors.As(err, &ke) || ke.StatusCode != 404 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("invalid request data", func(t *testing.T) {
		req := charge("10.001", "12ab", "0001")
		req.CustomerEmail = ""
		req.Currency = "NGN"
		_, err := c.ChargeVoucher(ctx, req)
		var ke *kora.Error
		if !errors.Is(err, kora.ErrInvalidRequest) || !errors.As(err, &ke) {
			t.Fatalf("err = %v", err)
		}
		for _, f := range []string{"amount", "currency", "voucher.pin", "customer.email"} {
			if ke.Fields[f] == "" {
				t.Errorf("no field error for %s in %v", f, ke.Fields)
			}
		}
	})
}

func TestValidationOverRawHTTP(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	cases := map[string]string{
		"not json":         `{`,
		"amount as string": `{"amount":"10","currency":"ZAR","merchant_bears_cost":true,"reference":"r","voucher":{"pin":"1","phone_number":"1","provider_code":"0001"},"customer":{"email":"a@b"}}`,
		"missing voucher":  `{"amount":10,"currency":"ZAR","merchant_bears_cost":true,"reference":"r","customer":{"email":"a@b"}}`,
		"zero amount":      `{"amount":0,"currency":"ZAR","merchant_bears_cost":true,"reference":"r","voucher":{"pin":"1","phone_number":"1","provider_code":"0001"},"customer":{"email":"a@b"}}`,
		"bad reference":    `{"amount":1,"currency":"ZAR","merchant_bears_cost":true,"reference":"a b/c","voucher":{"pin":"1","phone_number":"1","provider_code":"0001"},"customer":{"email":"a@b"}}`,
		"no bears cost":    `{"amount":1,"currency":"ZAR","reference":"r","voucher":{"pin":"1","phone_number":"1","provider_code":"0001"},"customer":{"email":"a@b"}}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			r := post(t, srv.URL+"/api/v1/charge/voucher", sandbox.DefaultSecretKey, body)
			var env struct {
				Status  bool              `json:"status"`
				Message string            `json:"message"`
				Data    map[string]string `json:"data"`
			}
			if err := json.Unmarshal([]byte(r.body), &env); err != nil {
				t.Fatalf("body %q: %v", r.body, err)
			}
			if r.status != 400 || env.Status || env.Message != "Invalid request data" || len(env.Data) == 0 {
				t.Fatalf("got %d %s", r.status, r.body)
			}
		})
	}
	// A numeric PIN, as the seed's table types it, is accepted too.
	r := post(t, srv.URL+"/api/v1/charge/voucher", sandbox.DefaultSecretKey,
		`{"amount":5,"currency":"ZAR","merchant_bears_cost":false,"reference":"numeric-pin","voucher":{"pin":200000000300,"phone_number":"+27821234567","provider_code":"0002"},"customer":{"email":"a@b.co"}}`)
	if r.status != 200 {
		t.Fatalf("numeric pin: %d %s", r.status, r.body)
	}
}

func TestFullAndPartialRedemption(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	ctx := context.Background()

	t.Run("full", func(t *testing.T) {
		res, err := c.ChargeVoucher(ctx, charge("100", sandbox.PINFull, "0001"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != kora.StatusSuccess || res.Amount.Cmp(kora.MustAmount("100")) != 0 {
			t.Fatalf("result %+v", res)
		}
		if res.Voucher == nil || !res.Voucher.Balance.IsZero() || res.Voucher.PIN != "" {
			t.Fatalf("voucher %+v: want balance 0 and no new PIN", res.Voucher)
		}
		if !strings.HasPrefix(res.TransactionReference, "KPY-CA-") || res.Fee.Sign() <= 0 {
			t.Fatalf("tx ref %q fee %s", res.TransactionReference, res.Fee)
		}
		_, err = c.ChargeVoucher(ctx, charge("1", sandbox.PINFull, "0001"))
		if !errors.Is(err, kora.ErrVoucherUsed) {
			t.Fatalf("second use: %v", err)
		}
	})
	t.Run("partial with change voucher", func(t *testing.T) {
		req := charge("120.50", sandbox.PINChange, "0001")
		res, err := c.ChargeVoucher(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		v := res.Voucher
		if v == nil || len(v.PIN) != 16 || v.PIN == req.PIN || v.SerialNumber == "" || v.ExpiryDate.IsZero() {
			t.Fatalf("change voucher %+v", v)
		}
		if v.Balance.Cmp(kora.MustAmount("379.50")) != 0 {
			t.Fatalf("balance %s, want 379.50", v.Balance)
		}
		// The old PIN is dead; the new one spends the rest.
		if _, err := c.ChargeVoucher(ctx, charge("1", req.PIN, "0001")); !errors.Is(err, kora.ErrVoucherUsed) {
			t.Fatalf("old PIN: %v", err)
		}
		res2, err := c.ChargeVoucher(ctx, charge("379.50", v.PIN, "0001"))
		if err != nil || res2.Voucher.PIN != "" || !res2.Voucher.Balance.IsZero() {
			t.Fatalf("spend the change: %+v %v", res2, err)
		}
		// The query tells the change PIN too: a lost answer loses no money.
		q, err := c.QueryCharge(ctx, req.Reference)
		if err != nil || q.Voucher == nil || q.Voucher.PIN != v.PIN {
			t.Fatalf("query %+v %v", q, err)
		}
		if st, _ := srv.VoucherState(v.PIN); !st.Used {
			t.Fatal("change voucher not spent")
		}
	})
	t.Run("partly paid", func(t *testing.T) {
		res, err := c.ChargeVoucher(ctx, charge("80", sandbox.PINOTTPartly, "0002"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Amount.Cmp(kora.MustAmount("50")) != 0 || !res.Voucher.Balance.IsZero() {
			t.Fatalf("charged %s balance %s, want 50 and 0", res.Amount, res.Voucher.Balance)
		}
	})
}

// The unknown-outcome vouchers charge first and answer badly; the query
// afterwards finds the charge successful.
func TestUnknownOutcomeFaults(t *testing.T) {
	t.Parallel()
	srv, _ := start(t, sandbox.WithSlowDelay(3*time.Second), sandbox.WithDripInterval(100*time.Millisecond))
	c, err := kora.New(srv.URL, sandbox.DefaultSecretKey, kora.WithTimeout(700*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	pins := map[string]string{
		"slow":      sandbox.PINSlow,
		"500 after": sandbox.PIN500,
		"drop":      sandbox.PINDropped,
		"html 502":  sandbox.PINHTML502,
		"truncated": sandbox.PINTruncated,
		"drip":      sandbox.PINDrip,
	}
	for name, pin := range pins {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := charge("25", pin, "0001")
			_, err := c.ChargeVoucher(context.Background(), req)
			if !errors.Is(err, kora.ErrOutcomeUnknown) || errors.Is(err, kora.ErrNotSent) {
				t.Fatalf("err = %v, want outcome unknown", err)
			}
			q, err := c.QueryCharge(context.Background(), req.Reference)
			if err != nil || q.Status != kora.StatusSuccess || q.Amount.Cmp(kora.MustAmount("25")) != 0 {
				t.Fatalf("query %+v %v", q, err)
			}
			n := 0
			for _, r := range srv.Charges() {
				if r.Reference == req.Reference && r.Status == kora.StatusSuccess {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d successful charges for %s, want 1", n, req.Reference)
			}
		})
	}
}

// Many tills redeeming one voucher at once: every charge applies once and
// the balance never goes below zero.
func TestParallelRedemptionsOfOneVoucher(t *testing.T) {
	t.Parallel()
	srv, c := start(t)
	srv.AddVoucher(sandbox.Voucher{PIN: "200000000777", Provider: "0002", Balance: 10000}) // R100
	var wg sync.WaitGroup
	var charged atomic.Int64
	var ok, declined atomic.Int32
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.ChargeVoucher(context.Background(), charge("3", "200000000777", "0002"))
			switch {
			case err == nil:
				m, _ := res.Amount.Minor(2)
				charged.Add(m)
				ok.Add(1)
			case errors.Is(err, kora.ErrVoucherUsed):
				declined.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	st, _ := srv.VoucherState("200000000777")
	if st.Balance < 0 || charged.Load()+st.Balance != 10000 {
		t.Fatalf("charged %d + balance %d != 10000", charged.Load(), st.Balance)
	}
	if ok.Load() != 34 || declined.Load() != 30 { // 33 × R3, one R1 partly paid, then used
		t.Fatalf("%d approved, %d declined", ok.Load(), declined.Load())
	}
	var sum int64
	for _, r := range srv.Charges() {
		if r.PIN == "200000000777" {
			sum += r.Amount
		}
	}
	if sum != 10000 {
		t.Fatalf("ledger sums to %d", sum)
	}
}

func TestWebhook(t *testing.T) {
	t.Parallel()
	type got struct {
		event, ref string
		err        error
	}
	hooks := make(chan got, 4)
	var verifier *kora.Client
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		wh, err := verifier.VerifyWebhook(b, r.Header.Get(kora.SignatureHeader))
		if err != nil {
			hooks <- got{err: err}
			return
		}
		hooks <- got{event: wh.Event, ref: wh.Charge.Reference}
	})
	hs := &http.Server{Handler: mux}
	ln := listen(t)
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })

	srv, c := start(t)
	verifier, _ = kora.New(srv.URL, sandbox.DefaultSecretKey)
	url := "http://" + ln.Addr().String() + "/hook"

	ok := charge("5", sandbox.PINOTT, "0002")
	ok.NotificationURL = url
	if _, err := c.ChargeVoucher(context.Background(), ok); err != nil {
		t.Fatal(err)
	}
	bad := charge("5", sandbox.InvalidPIN, "0001")
	bad.NotificationURL = url
	c.ChargeVoucher(context.Background(), bad)

	want := map[string]string{ok.Reference: kora.EventChargeSuccess, bad.Reference: kora.EventChargeFailed}
	for range 2 {
		select {
		case g := <-hooks:
			if g.err != nil {
				t.Fatal(g.err)
			}
			if want[g.ref] != g.event {
				t.Fatalf("webhook %s for %s", g.event, g.ref)
			}
			delete(want, g.ref)
		case <-time.After(5 * time.Second):
			t.Fatalf("webhooks missing: %v", want)
		}
	}
}

func TestDemoVouchersReachEveryOutcome(t *testing.T) {
	t.Parallel()
	seen := map[sandbox.Fault]bool{}
	pins := map[string]bool{}
	for _, v := range sandbox.DemoVouchers() {
		if pins[v.PIN] {
			t.Fatalf("PIN %s seeded twice", v.PIN)
		}
		pins[v.PIN] = true
		seen[v.Fault] = true
		if v.Does == "" {
			t.Errorf("voucher %s says nothing about what it does", v.PIN)
		}
	}
	for f := sandbox.FaultNone; f <= sandbox.LastFault; f++ {
		if !seen[f] {
			t.Errorf("no demo voucher for fault %d", f)
		}
	}
	if pins[sandbox.InvalidPIN] {
		t.Fatal("sandbox.InvalidPIN is seeded")
	}
}

func TestProcessingSettles(t *testing.T) {
	t.Parallel()
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv, c := start(t, sandbox.WithClock(clock), sandbox.WithSettleDelay(time.Minute))
	req := charge("30", sandbox.PINProcessing, "0001")
	res, err := c.ChargeVoucher(context.Background(), req)
	if err != nil || res.Status != kora.StatusProcessing {
		t.Fatalf("%+v %v", res, err)
	}
	q, _ := c.QueryCharge(context.Background(), req.Reference)
	if q.Status != kora.StatusProcessing {
		t.Fatalf("before settling: %s", q.Status)
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	q, _ = c.QueryCharge(context.Background(), req.Reference)
	if q.Status != kora.StatusSuccess || q.Amount.Cmp(kora.MustAmount("30")) != 0 {
		t.Fatalf("after settling: %+v", q)
	}
	if chargedOnce := len(srv.Charges()); chargedOnce != 1 {
		t.Fatalf("%d charges", chargedOnce)
	}
}

func BenchmarkChargeVoucher(b *testing.B) {
	srv, c := start(b)
	srv.AddVoucher(sandbox.Voucher{PIN: "200000000999", Provider: "0002", Balance: 1 << 60})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.ChargeVoucher(ctx, charge("1", "200000000999", "0002")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQueryCharge(b *testing.B) {
	srv, c := start(b)
	_ = srv
	req := charge("1", sandbox.PINOTT, "0002")
	if _, err := c.ChargeVoucher(context.Background(), req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.QueryCharge(context.Background(), req.Reference); err != nil {
			b.Fatal(err)
		}
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func TestDemoLinesListEveryVoucher(t *testing.T) {
	t.Parallel()
	lines := sandbox.New().DemoLines()
	if len(lines) != len(sandbox.DemoVouchers())+2 {
		t.Fatalf("%d lines", len(lines))
	}
	for i, v := range sandbox.DemoVouchers() {
		if !strings.HasPrefix(lines[i], sandbox.GroupPIN(v.PIN)) || !strings.Contains(lines[i], v.Does) {
			t.Errorf("line %q for %s", lines[i], v.PIN)
		}
	}
}
