package store_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"voucherpos/kora/sandbox"
	"voucherpos/pos"
	"voucherpos/pos/config"
	"voucherpos/store"
	"voucherpos/store/pgtest"
)

// zone is the store's and the tills' zone in these tests: not UTC, so a
// day boundary in the wrong zone would show.
var zone = time.FixedZone("SAST", 2*60*60)

// day0 is the tests' trading day, 09:00 local.
var day0 = time.Date(2026, 3, 10, 9, 0, 0, 0, zone)

// tickClock moves a millisecond each time it is read: every sale and event
// gets its own time, and nothing depends on the wall clock.
type tickClock struct{ n atomic.Int64 }

func (c *tickClock) Now() time.Time { return day0.Add(time.Duration(c.n.Add(1)) * time.Millisecond) }

type storeRig struct {
	ledger *store.Ledger
	url    string // the store server's base URL
	dbURL  string
	srv    *httptest.Server
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func startStore(t testing.TB) *storeRig {
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
	clock := &tickClock{}
	l := store.NewLedger(pool, clock.Now)
	srv := httptest.NewServer(store.NewServer(l, store.ServerOptions{Now: clock.Now, Location: zone}).Handler())
	t.Cleanup(srv.Close)
	return &storeRig{ledger: l, url: srv.URL, dbURL: dbURL, srv: srv}
}

// tokenFile registers a till and writes its token where a till reads it.
func (r *storeRig) tokenFile(t testing.TB, terminal string) string {
	t.Helper()
	tok, err := r.ledger.AddTill(ctxT(t), terminal)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "store.token")
	if err := os.WriteFile(p, []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type tillRig struct {
	svc   *pos.Service
	cfg   *config.Config
	sb    *sandbox.Server
	clock *tickClock
	n     int
}

// newTill is a till on its own sandbox and journal, shipping to storeURL.
func newTill(t testing.TB, terminal, storeURL, tokenFile string) *tillRig {
	t.Helper()
	sb, err := sandbox.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	cfg := config.Demo(func(string) string { return "" })
	cfg.Demo = false
	cfg.Store.TerminalID = terminal
	cfg.Kora.BaseURL = sb.URL
	cfg.Kora.Timeout = 2 * time.Second
	cfg.Journal.Path = filepath.Join(t.TempDir(), "journal.db")
	cfg.StoreServer = config.StoreServer{URL: storeURL, TokenFile: tokenFile}
	r := &tillRig{cfg: cfg, sb: sb, clock: &tickClock{}}
	r.open(t)
	return r
}

func (r *tillRig) open(t testing.TB) {
	t.Helper()
	svc, err := pos.Open(r.cfg, pos.Options{Now: r.clock.Now, Policy: pos.Policy{RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond, NotFoundGrace: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	r.svc = svc
	t.Cleanup(func() { svc.Close() })
}

// sell makes one sale of kind: approved, partly (partly paid), change (a
// change voucher), declined, unknown.
func (r *tillRig) sell(t testing.TB, kind string) pos.Sale {
	t.Helper()
	r.n++
	o := pos.Order{Phone: "0821234567"}
	switch kind {
	case "approved":
		pin := fmt.Sprintf("21%010d", r.n)
		r.sb.AddVoucher(sandbox.Voucher{PIN: pin, Provider: "0002", Balance: 1 << 40})
		o.ProviderCode, o.PIN, o.Amount = "0002", pin, pos.Money(1000+r.n*7)
	case "partly":
		pin := fmt.Sprintf("22%010d", r.n)
		r.sb.AddVoucher(sandbox.Voucher{PIN: pin, Provider: "0002", Balance: 5000})
		o.ProviderCode, o.PIN, o.Amount = "0002", pin, 8000
	case "change":
		pin := fmt.Sprintf("11%014d", r.n)
		r.sb.AddVoucher(sandbox.Voucher{PIN: pin, Provider: "0001", Balance: 50000})
		o.ProviderCode, o.PIN, o.Amount = "0001", pin, 12345
	case "declined":
		o.ProviderCode, o.PIN, o.Amount = "0001", sandbox.InvalidPIN, 2500
	case "unknown":
		o.ProviderCode, o.PIN, o.Amount = "0001", "8000000000000005", 3000
	default:
		t.Fatalf("kind %q", kind)
	}
	s, err := r.svc.Submit(ctxT(t), o)
	if err != nil {
		t.Fatalf("sell %s: %v", kind, err)
	}
	return s
}

// waitSynced waits (bounded) for the till to report every event shipped.
func waitSynced(t testing.TB, svc *pos.Service, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for i := 0; time.Now().Before(deadline); i++ {
		if st := svc.SyncStatus(); st.State == pos.SyncInSync && st.Waiting == 0 {
			return
		}
		if i%25 == 24 {
			svc.SyncNow() // the network is back: no need to wait out the backoff
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("not in sync after %s: %+v", within, svc.SyncStatus())
}

// lineKey names a (provider, status) line of a report.
type lineKey struct{ provider, status string }

type sums struct{ count, requested, charged, fee, vat int64 }

// tillReports sums the tills' own Z-reports for the day.
func tillReports(t testing.TB, tills ...*tillRig) (map[lineKey]sums, pos.Report) {
	t.Helper()
	out := map[lineKey]sums{}
	var total pos.Report
	for _, r := range tills {
		sales, err := r.svc.Day(ctxT(t), day0)
		if err != nil {
			t.Fatal(err)
		}
		rep := pos.BuildReport(day0, r.svc.Currency(), sales)
		for _, l := range rep.Lines {
			k := lineKey{l.ProviderCode, string(l.Status)}
			s := out[k]
			s.count += int64(l.Count)
			s.requested += int64(l.Requested)
			s.charged += int64(l.Charged)
			s.fee += int64(l.Fee)
			s.vat += int64(l.VAT)
			out[k] = s
		}
		total.Sales += rep.Sales
		total.ChangeVouchers += rep.ChangeVouchers
		total.PartlyPaid += rep.PartlyPaid
		total.Unresolved += rep.Unresolved
		total.Total.Count += rep.Total.Count
		total.Total.Charged += rep.Total.Charged
		total.Total.Fee += rep.Total.Fee
		total.Total.VAT += rep.Total.VAT
		total.Total.Requested += rep.Total.Requested
	}
	return out, total
}

// assertReportsEqual checks the store's report against the tills' own.
func assertReportsEqual(t testing.TB, l *store.Ledger, tills ...*tillRig) {
	t.Helper()
	want, wantTotal := tillReports(t, tills...)
	rep, err := l.Report(ctxT(t), day0, "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[lineKey]sums{}
	for _, ln := range rep.ByProvider() {
		got[lineKey{ln.ProviderCode, ln.Status}] = sums{ln.Count, ln.Requested, ln.Charged, ln.Fee, ln.VAT}
	}
	if fmt.Sprint(sortedMap(got)) != fmt.Sprint(sortedMap(want)) {
		t.Fatalf("store report lines\n got %v\nwant %v", sortedMap(got), sortedMap(want))
	}
	sum := rep.Summaries("")
	if len(sum) != 1 {
		t.Fatalf("summaries: %+v", sum)
	}
	s := sum[0]
	if s.Sales != int64(wantTotal.Sales) || s.ChangeVouchers != int64(wantTotal.ChangeVouchers) ||
		s.PartlyPaid != int64(wantTotal.PartlyPaid) || s.Unresolved != int64(wantTotal.Unresolved) ||
		s.Total.Count != int64(wantTotal.Total.Count) || s.Total.Charged != int64(wantTotal.Total.Charged) ||
		s.Total.Fee != int64(wantTotal.Total.Fee) || s.Total.VAT != int64(wantTotal.Total.VAT) ||
		s.Total.Net() != int64(wantTotal.Total.Net()) {
		t.Fatalf("store totals %+v\ntill totals %+v", s, wantTotal)
	}
}

func sortedMap(m map[lineKey]sums) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s/%s=%+v", k.provider, k.status, v))
	}
	sort.Strings(out)
	return out
}
