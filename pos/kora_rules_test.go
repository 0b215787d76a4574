package pos

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"voucherpos/kora"
	"voucherpos/kora/sandbox"
	"voucherpos/pos/journal"
)

// Every charge the till builds passes Kora's metadata rule as the sandbox
// enforces it, and its description carries the till's reference.
func TestChargesPassKorasMetadataRule(t *testing.T) {
	t.Parallel()
	for _, tid := range []string{"demo-1", "till-1", "a-very-long-terminal-identifier-of-a-chain-store"} {
		for _, version := range []string{"dev", "1.4.2", "v1.4.2-3-gdeadbee+dirty"} {
			if err := sandbox.MetadataAllowed(ChargeMetadata(tid, version)); err != nil {
				t.Errorf("metadata for %q %q: %v", tid, version, err)
			}
		}
	}
	if sandbox.MetadataAllowed(map[string]string{"terminal_id": "x"}) == nil {
		t.Fatal("the sandbox accepts an underscore key")
	}
	r := newRig(t)
	sale, err := r.svc.Submit(context.Background(), order(10000, "0001", sandbox.PINFull))
	if err != nil || sale.Status != Approved {
		t.Fatalf("%+v %v", sale, err)
	}
	// Kora's Pay-ins History lists only its own reference: the description
	// finds the sale.
	c, _ := kora.New(r.sb.URL, sandbox.DefaultSecretKey)
	items, err := c.ListPayIns(context.Background(), kora.PayInQuery{Currency: "ZAR"})
	if err != nil || len(items) != 1 {
		t.Fatalf("%d pay-ins, %v", len(items), err)
	}
	if p := items[0]; !strings.HasPrefix(p.Description, sale.Reference+" ") || p.TransactionReference != sale.KoraReference {
		t.Fatalf("pay-in %+v for sale %s", p, sale.Reference)
	}
}

// A 401 on the charge is an unknown outcome: the till asks by reference at
// once. Here the charge went through, so the query approves it.
func TestUnauthorisedChargeIsQueried(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	sale, err := r.svc.Submit(context.Background(), order(5000, "0001", sandbox.PIN401After))
	if err != nil || sale.Status != Approved || sale.Charged != 5000 || sale.KeyRefused {
		t.Fatalf("%+v %v", sale, err)
	}
	if n := chargesFor(r.sb, sale.Reference); n != 1 {
		t.Fatalf("%d charges", n)
	}
}

// A 401 on the charge and on every query: the sale is held, unresolved and
// marked KeyRefused — never declined by guess.
func TestRefusedKeyHoldsTheSale(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.svc.Close()
	r.cfg.Kora = r.cfg.Kora.WithSecret("sk_test_wrong")
	svc := r.open(t)
	ctx := context.Background()
	sale, err := svc.Submit(ctx, order(5000, "0001", sandbox.PINChange))
	if err != nil || sale.Status != Unknown || !sale.KeyRefused || sale.DeclineKind != "" {
		t.Fatalf("%+v %v", sale, err)
	}
	for range 3 {
		if _, err := svc.Reconcile(ctx, true); err != nil {
			t.Fatal(err)
		}
	}
	got, err := svc.Get(ctx, sale.Reference)
	if err != nil || got.Status != Unknown || !got.KeyRefused || got.Final() {
		t.Fatalf("after reconciling: %+v %v", got, err)
	}
	// The key is put right: the next check resolves it (nothing was
	// charged: the sandbox refused it at the door), and KeyRefused clears.
	r.cfg.Kora = r.cfg.Kora.WithSecret(sandbox.DefaultSecretKey)
	svc.Close()
	fixed := r.open(t)
	again, err := fixed.Resolve(ctx, sale.Reference)
	if err != nil || again.KeyRefused || again.Status != Unknown {
		t.Fatalf("with the right key: %+v %v", again, err)
	}
}

// Each status Kora answers, as the one table in kora decides it.
func TestKoraStatusesDecideTheSale(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	tests := []struct {
		pin        string
		status     Status
		kind       DeclineKind
		message    string
		koraStatus string
		unseen     bool
	}{
		{sandbox.PINFailed, Declined, DeclineOther, "Transaction failed. Please try again.", "", false},
		{sandbox.PINExpired, Declined, DeclineOther, "Transaction expired", "", false},
		{sandbox.PINCancelled, Declined, DeclineOther, "Transaction cancelled", "", false},
		{sandbox.PINAbandoned, Declined, DeclineOther, "Transaction abandoned", "", false},
		{sandbox.PINPending, Unknown, "", "", "pending", false},
		{sandbox.PINUnseenStatus, Unknown, "", "", string(sandbox.UnseenStatus), true},
	}
	for _, tt := range tests {
		sale, err := r.svc.Submit(ctx, order(1000, "0001", tt.pin))
		if err != nil {
			t.Fatal(err)
		}
		if sale.Status != tt.status || sale.DeclineKind != tt.kind || sale.DeclineMessage != tt.message ||
			sale.KoraStatus != tt.koraStatus || sale.UnseenStatus() != tt.unseen || sale.Charged != 0 {
			t.Errorf("%s: %+v", tt.pin, sale)
		}
		if tt.status == Unknown {
			// Queried again, it stays unknown with Kora's word kept.
			again, err := r.svc.Resolve(ctx, sale.Reference)
			if err != nil || again.Status != Unknown || again.KoraStatus != tt.koraStatus {
				t.Errorf("%s resolved: %+v %v", tt.pin, again, err)
			}
		}
	}
}

// Kora Checkout's words map to the decline kind whose field the cashier
// fixes: PIN, amount, or none in particular.
func TestCheckoutWordsDeclineKinds(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	for _, tt := range []struct {
		message string
		want    DeclineKind
	}{
		{"Invalid voucher", DeclineInvalidPIN},
		{"INVALID VOUCHER.", DeclineInvalidPIN},
		{"Insufficient balance", DeclineInsufficientFunds},
		{"insufficient balance!", DeclineInsufficientFunds},
		{"Transaction failed. Please try again.", DeclineOther},
		{"The voucher pin you have entered is invalid.", DeclineInvalidPIN},
		{"Voucher funds are lower than the transaction amount.", DeclineInsufficientFunds},
		{"The voucher has already been used.", DeclineVoucherUsed},
	} {
		js := r.pendingSale(t, 1000)
		sale, err := r.svc.recordCharge(ctx, js, &kora.Charge{Status: kora.StatusFailed, RawStatus: "failed", Message: tt.message}, "queried")
		if err != nil || sale.Status != Declined || sale.DeclineKind != tt.want || sale.DeclineMessage != tt.message {
			t.Errorf("%q: %+v %v", tt.message, sale, err)
		}
	}
}

// pendingSale writes a pending sale straight to the journal.
func (r *rig) pendingSale(t *testing.T, amount Money) string {
	t.Helper()
	o, err := r.svc.Validate(order(amount, "0001", sandbox.PINFull))
	if err != nil {
		t.Fatal(err)
	}
	now := r.svc.now()
	ref := NewReference(r.cfg.Store.TerminalID, now)
	js := journal.Sale{Reference: ref, CreatedAt: now, TerminalID: r.cfg.Store.TerminalID, Currency: "ZAR",
		AmountRequested: int64(o.Amount), ProviderCode: "0001", ProviderName: "1Voucher", PINLast4: PINLast4(o.PIN),
		Phone: o.Phone, Email: o.Email}
	if err := r.svc.journal.Create(context.Background(), js); err != nil {
		t.Fatal(err)
	}
	return ref
}

// A charge answer without a fee is approved with the fee unknown, not 0.
func TestMissingFeeIsUnknownNotZero(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":true,"message":"Charge Successful","data":{"status":"success","amount":"100.00","fee":"","transaction_reference":"KPY-CA-nofee"}}`)
	}))
	defer srv.Close()
	cfg := testConfig(t, srv.URL)
	svc, err := Open(cfg, Options{Policy: testPolicy})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx := context.Background()
	sale, err := svc.Submit(ctx, order(10000, "0001", sandbox.PINFull))
	if err != nil || sale.Status != Approved || sale.Charged != 10000 || sale.Fee != 0 || !sale.FeeUnknown {
		t.Fatalf("%+v %v", sale, err)
	}
	if got, _ := svc.Get(ctx, sale.Reference); !got.FeeUnknown {
		t.Fatalf("from the journal: %+v", got)
	}
	// A sale with a fee Kora did report stays known.
	r := newRig(t)
	known, _ := r.svc.Submit(ctx, order(10000, "0001", sandbox.PINFull))
	if known.FeeUnknown || known.Fee == 0 {
		t.Fatalf("%+v", known)
	}
}

// check: only Kora's "Charge not found" proves the key; a route Kora does
// not serve is a wrong base URL.
func TestCheckKeyTellsAWrongBaseURL(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	if got, why := r.svc.CheckKey(ctx); got != KeyAccepted {
		t.Fatalf("right base URL: %v %s", got, why)
	}
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(404)
		io.WriteString(w, "<html><body><h1>404 Not Found</h1></body></html>")
	}))
	defer html.Close()
	for name, base := range map[string]string{
		"without /merchant": strings.TrimSuffix(r.sb.URL, sandbox.BasePath),
		"twice /merchant":   r.sb.URL + sandbox.BasePath,
		"an HTML 404":       html.URL,
	} {
		cfg := testConfig(t, base)
		svc, err := Open(cfg, Options{Policy: testPolicy})
		if err != nil {
			t.Fatal(err)
		}
		got, why := svc.CheckKey(ctx)
		svc.Close()
		if got != KoraWrongURL || !strings.Contains(why, "wrong base URL") {
			t.Errorf("%s: %v %s", name, got, why)
		}
	}
}
