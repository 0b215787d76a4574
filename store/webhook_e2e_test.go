package store_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"voucherpos/kora"
	"voucherpos/kora/sandbox"
	"voucherpos/pos"
	"voucherpos/store"
	"voucherpos/store/pgtest"
)

// koraProxy stands between a till and its sandbox: it forwards
// everything, except that while blocked, Kora's charge queries are
// answered 503 (Kora's answer lost) and counted.
type koraProxy struct {
	URL      string // the till's Kora base URL
	blocked  atomic.Bool
	refused  atomic.Int64
	answered atomic.Int64
}

func newKoraProxy(t testing.TB, sb *sandbox.Server) *koraProxy {
	t.Helper()
	target, err := url.Parse(sb.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := &koraProxy{}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/charges/") {
			if p.blocked.Load() {
				p.refused.Add(1)
				http.Error(w, `{"status":false,"message":"Internal Server Error"}`, http.StatusServiceUnavailable)
				return
			}
			p.answered.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL + target.Path
	return p
}

// webhookRig is the store server as its own process (verifying with the
// sandbox's key), a sandbox, a proxy to it, and a till on both whose
// notification_url is the server's public webhook URL.
type webhookRig struct {
	dbURL  string
	addr   string
	ledger *store.Ledger
	sb     *sandbox.Server
	proxy  *koraProxy
	till   *tillRig
}

func startWebhookRig(t testing.TB, sbOpts ...sandbox.Option) *webhookRig {
	t.Helper()
	dbURL := pgtest.New(t)
	ctx := ctxT(t)
	pool, err := store.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	if _, err := store.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	l := store.NewLedger(pool, nil)
	c := startChild(t, "VOUCHERPOS_STORE_CHILD=server", "VOUCHERPOS_CHILD_DB="+dbURL, "VOUCHERPOS_CHILD_LISTEN=127.0.0.1:0",
		"VOUCHERPOS_CHILD_KORA_KEY="+sandbox.DefaultSecretKey)
	addr := c.waitLine(t, "READY ", 30*time.Second)
	sb, err := sandbox.Start("", sbOpts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	proxy := newKoraProxy(t, sb)
	tok, err := l.AddTill(ctx, "till-1")
	if err != nil {
		t.Fatal(err)
	}
	tokFile := filepath.Join(t.TempDir(), "store.token")
	os.WriteFile(tokFile, []byte(tok+"\n"), 0o600)
	cfg := tillConfig("till-1", proxy.URL, filepath.Join(t.TempDir(), "journal.db"), "http://"+addr, tokFile)
	cfg.StoreServer.PublicWebhookURL = "http://" + addr + "/kora/webhook"
	r := &tillRig{cfg: cfg, sb: sb, clock: &tickClock{}}
	r.open(t)
	return &webhookRig{dbURL: dbURL, addr: addr, ledger: l, sb: sb, proxy: proxy, till: r}
}

// settle runs the till's reconciler (as its background loop does) until
// the sale is final, bounded.
func settle(t testing.TB, svc *pos.Service, ref string, within time.Duration) pos.Sale {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if _, err := svc.Reconcile(ctxT(t), true); err != nil {
			t.Fatal(err)
		}
		s, err := svc.Get(ctxT(t), ref)
		if err != nil {
			t.Fatal(err)
		}
		if s.Final() {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("sale %s not settled within %s", ref, within)
	return pos.Sale{}
}

// A charge whose answer is lost (the connection drops after Kora applied
// it) and whose every query fails is settled by Kora's webhook through the
// store server: approved, the change voucher's PIN in the till's journal
// (encrypted: not in the file in clear) and on its slip. Kora never
// answered a query.
func TestWebhookSettlesASaleWhoseAnswerIsLost(t *testing.T) {
	rig := startWebhookRig(t)
	rig.proxy.blocked.Store(true)
	const pin = "1100000000004242"
	rig.sb.AddVoucher(sandbox.Voucher{PIN: pin, Provider: "0001", Balance: 50000, Fault: sandbox.FaultDropAfterApply})
	sale, err := rig.till.svc.Submit(ctxT(t), pos.Order{ProviderCode: "0001", PIN: pin, Phone: "0821234567", Amount: 12345})
	if err != nil {
		t.Fatal(err)
	}
	if sale.Status != pos.Unknown {
		t.Fatalf("with the answer lost the sale is %s", sale.Status)
	}
	got := settle(t, rig.till.svc, sale.Reference, 30*time.Second)
	if got.Status != pos.Approved || got.Charged != 12345 || !got.HasChangePIN {
		t.Fatalf("settled as %+v", got)
	}
	if n := rig.proxy.answered.Load(); n != 0 || rig.proxy.refused.Load() == 0 {
		t.Fatalf("Kora answered %d queries (refused %d): the webhook should have settled it", n, rig.proxy.refused.Load())
	}
	var issued string
	for _, c := range rig.sb.Charges() {
		if c.Reference == sale.Reference {
			issued = c.NewPIN
		}
	}
	changePIN, err := rig.till.svc.ChangePIN(ctxT(t), sale.Reference)
	if err != nil || issued == "" || changePIN != issued {
		t.Fatalf("till's change PIN %q (%v), Kora issued %q", changePIN, err, issued)
	}
	slip, err := rig.till.svc.Slip(ctxT(t), sale.Reference, false)
	if err != nil || !strings.Contains(strings.ReplaceAll(slip.Text(), " ", ""), "NewPIN"+issued) {
		t.Fatalf("the slip lacks the change PIN (%v):\n%s", err, slip.Text())
	}
	for _, suffix := range []string{"", "-wal"} {
		b, _ := os.ReadFile(rig.till.cfg.Journal.Path + suffix)
		if strings.Contains(string(b), issued) {
			t.Fatalf("journal%s holds the change PIN in clear", suffix)
		}
	}
	// The server keeps it sealed too.
	var dump string
	if err := rig.ledger.Pool().QueryRowContext(ctxT(t), `SELECT string_agg(k::text, '') FROM kora_webhooks k`).Scan(&dump); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dump, issued) || !strings.Contains(dump, sale.Reference) {
		t.Fatalf("server's webhook rows: PIN in clear or no webhook: %s", dump)
	}
}

// Duplicate, late, reordered, forged and pretty-printed webhooks change
// nothing they should not: each sale stays as the till and Kora's query
// settled it, each verified event is kept once, the forgery never, and
// the day shows no discrepancy.
func TestWebhookFaultsChangeNothing(t *testing.T) {
	rig := startWebhookRig(t)
	ctx := ctxT(t)
	type sold struct {
		name string
		sale pos.Sale
	}
	var sales []sold
	for i, v := range []struct {
		name  string
		cue   sandbox.WebhookCue
		fault sandbox.Fault
	}{
		{"twice", sandbox.WebhookTwice, sandbox.FaultNone},
		{"reordered", sandbox.WebhookReordered, sandbox.FaultNone},
		{"late", sandbox.WebhookLate, sandbox.FaultDropAfterApply},
		{"forged", sandbox.WebhookBadSignature, sandbox.FaultNone},
		{"pretty", sandbox.WebhookPretty, sandbox.FaultNone},
	} {
		pin := "2300000000" + string(rune('0'+i)) + "1"
		rig.sb.AddVoucher(sandbox.Voucher{PIN: pin, Provider: "0002", Balance: 100000, Webhook: v.cue, Fault: v.fault})
		s, err := rig.till.svc.Submit(ctx, pos.Order{ProviderCode: "0002", PIN: pin, Phone: "0821234567", Amount: pos.Money(1000 + i)})
		if err != nil {
			t.Fatal(err)
		}
		if v.name == "late" {
			// Kora's query answers (the till's query comes first); the
			// webhook is sent only after it.
			s = settle(t, rig.till.svc, s.Reference, 30*time.Second)
		}
		if s.Status != pos.Approved {
			t.Fatalf("%s: %s", v.name, s.Status)
		}
		sales = append(sales, sold{v.name, s})
	}
	// Every delivery lands (the forged one refused), bounded.
	deadline := time.Now().Add(30 * time.Second)
	var stored, rejects int64
	for time.Now().Before(deadline) {
		rig.ledger.Pool().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM kora_webhooks), (SELECT count(*) FROM kora_webhook_rejects)`).Scan(&stored, &rejects)
		if stored >= 5 && rejects >= 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // a second copy of "twice" would be in by now
	rig.ledger.Pool().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM kora_webhooks), (SELECT count(*) FROM kora_webhook_rejects)`).Scan(&stored, &rejects)
	// twice: 1, reordered: success and failed, late: 1, pretty: 1, forged: 0.
	if stored != 5 || rejects < 1 {
		t.Fatalf("kora_webhooks %d (want 5), rejects %d", stored, rejects)
	}
	perSale := map[string]int64{}
	for _, s := range sales {
		var n int64
		rig.ledger.Pool().QueryRowContext(ctx, `SELECT count(*) FROM kora_webhooks WHERE payment_reference = $1`, s.sale.Reference).Scan(&n)
		perSale[s.name] = n
	}
	if perSale["twice"] != 1 || perSale["reordered"] != 2 || perSale["late"] != 1 || perSale["forged"] != 0 || perSale["pretty"] != 1 {
		t.Fatalf("webhooks per sale %v", perSale)
	}
	waitSynced(t, rig.till.svc, 30*time.Second)
	for _, s := range sales {
		now, err := rig.till.svc.Get(ctx, s.sale.Reference)
		if err != nil || now.Status != pos.Approved || now.Charged != s.sale.Charged {
			t.Fatalf("%s changed: %+v (%v)", s.name, now, err)
		}
		st, _, err := rig.till.svc.StoreSale(ctx, s.sale.Reference)
		if err != nil || st.Status != pos.Approved {
			t.Fatalf("%s on the server: %+v (%v)", s.name, st, err)
		}
	}
	// The reordered failure does not override the success.
	_, mb := httpGet(t, "http://"+rig.addr+"/metrics")
	metrics := string(mb)
	for _, want := range []string{`voucherpos_store_kora_webhooks_total{result="bad_signature"}`, `voucherpos_store_kora_webhooks_total{result="duplicate"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Fatalf("/metrics lacks %s", want)
		}
	}
	// No false alarm, for the tills' day or the webhooks' (every grace past).
	later := store.NewLedger(rig.ledger.Pool(), func() time.Time { return time.Now().Add(48 * time.Hour) })
	for _, day := range []time.Time{day0, time.Now().In(zone)} {
		ds, err := later.Discrepancies(ctx, day)
		if err != nil || len(ds) != 0 {
			t.Fatalf("discrepancies on %s: %+v (%v)", day.Format("2006-01-02"), ds, err)
		}
	}
}

// reconcile-kora against the sandbox's Pay-ins History: the tills' sales
// match, and a charge made at Kora that no till recorded is found as
// kora_only, and nothing else disagrees.
func TestReconcileKoraFindsAKoraOnlyCharge(t *testing.T) {
	st := startStore(t)
	sbClock := &tickClock{}
	sb, err := sandbox.Start("", sandbox.WithClock(sbClock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	cfg := tillConfig("till-1", sb.URL, filepath.Join(t.TempDir(), "journal.db"), st.url, st.tokenFile(t, "till-1"))
	r := &tillRig{cfg: cfg, sb: sb, clock: &tickClock{}}
	r.open(t)
	for _, k := range []string{"approved", "approved", "change", "declined", "partly"} {
		r.sell(t, k)
	}
	waitSynced(t, r.svc, 30*time.Second)
	k, err := kora.New(sb.URL, sandbox.DefaultSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	sb.AddVoucher(sandbox.Voucher{PIN: "290000000001", Provider: "0002", Balance: 100000})
	planted := kora.VoucherCharge{Amount: kora.MustAmount("77.00"), Currency: "ZAR", Reference: "PLANTED-00000001",
		Description: "charged outside voucherpos", PIN: "290000000001", PhoneNumber: "+27821234567", ProviderCode: "0002",
		CustomerEmail: "x@example.com"}
	if _, err := k.ChargeVoucher(ctxT(t), planted); err != nil {
		t.Fatal(err)
	}
	rep, err := st.ledger.ReconcileKora(ctxT(t), k, day0)
	if err != nil {
		t.Fatal(err)
	}
	var matched, other int
	var koraOnly []store.PayInLine
	for _, l := range rep.Lines {
		switch l.Result {
		case store.PayInMatched:
			matched++
		case store.PayInKoraOnly:
			koraOnly = append(koraOnly, l)
		default:
			other++
			t.Errorf("unexpected %+v", l)
		}
	}
	if matched != 4 || other != 0 || len(koraOnly) != 1 || *koraOnly[0].KoraAmount != 7700 || koraOnly[0].KoraReference == "" {
		t.Fatalf("matched %d, kora_only %+v, other %d", matched, koraOnly, other)
	}
	var text, csvOut strings.Builder
	store.WriteReconcileKora(&text, rep)
	store.WriteReconcileKoraCSV(&csvOut, rep)
	if !strings.Contains(text.String(), "kora_only 1") || !strings.Contains(csvOut.String(), "kora_only,,,"+koraOnly[0].KoraReference+",,success,ZAR,,77.00,") {
		t.Fatalf("table:\n%s\ncsv:\n%s", text.String(), csvOut.String())
	}
}

// When Kora's own query answers, it is the authority: a webhook on the
// server that says otherwise does not settle the sale, and the
// disagreement is reported as a discrepancy.
func TestKoraQueryWinsOverAWebhookThatDisagrees(t *testing.T) {
	rig := startWebhookRig(t)
	const pin = "230000000099"
	rig.sb.AddVoucher(sandbox.Voucher{PIN: pin, Provider: "0002", Balance: 100000, Fault: sandbox.FaultDropAfterApply, Webhook: sandbox.WebhookNone})
	sale, err := rig.till.svc.Submit(ctxT(t), pos.Order{ProviderCode: "0002", PIN: pin, Phone: "0821234567", Amount: 4321})
	if err != nil || sale.Status != pos.Unknown {
		t.Fatalf("sale %+v, %v", sale, err)
	}
	// A failure notice on the server (as a reordered or stale webhook).
	waitSynced(t, rig.till.svc, 30*time.Second)
	if _, err := rig.ledger.Pool().ExecContext(ctxT(t), `INSERT INTO kora_webhooks (event, payment_reference, kora_reference, status,
		currency, currency_digits, message, voucher_serial, body_sealed, received_at)
		VALUES ('charge.failed', $1, '', 'failed', 'ZAR', 2, '', '', '\x00', $2)`, sale.Reference, time.Now()); err != nil {
		t.Fatal(err)
	}
	got := settle(t, rig.till.svc, sale.Reference, 30*time.Second)
	if got.Status != pos.Approved || got.Charged != 4321 || rig.proxy.answered.Load() == 0 {
		t.Fatalf("Kora's answer did not win: %+v (queries answered %d)", got, rig.proxy.answered.Load())
	}
	waitSynced(t, rig.till.svc, 30*time.Second)
	ds, err := rig.ledger.Discrepancies(ctxT(t), day0)
	if err != nil || len(ds) != 1 || ds[0].Kind != store.TillApprovedKoraFailed || ds[0].Reference != sale.Reference {
		t.Fatalf("discrepancies %+v (%v)", ds, err)
	}
}
