package store_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"voucherpos/pos/journal"
	"voucherpos/pos/storesync"
	"voucherpos/store"
)

// long reports whether the long runs were asked for (VOUCHERPOS_LONG=1).
func long() bool { return os.Getenv("VOUCHERPOS_LONG") != "" }

// timing records how long each POST /v1/events took.
type timing struct {
	base http.RoundTripper
	mu   sync.Mutex
	d    []time.Duration
}

func (tr *timing) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := tr.base.RoundTrip(r)
	if err == nil && resp.StatusCode == 200 && r.URL.Path == "/v1/events" {
		tr.mu.Lock()
		tr.d = append(tr.d, time.Since(start))
		tr.mu.Unlock()
	}
	return resp, err
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(int(float64(len(s))*p), len(s)-1)]
}

// Load: N tills, each with its own journal and uploader, sell M sales each
// against one store server; halfway the server goes away (the network to
// it drops) and comes back. Every event and sale ends on the server exactly
// once. Plain `go test` runs 4 tills × 100 sales away 1 s; VOUCHERPOS_LONG=1
// runs 50 × 2000 away VOUCHERPOS_AWAY (default 5m). -v prints the figures.
func TestLoadManyTillsOneServer(t *testing.T) {
	tills, sales, away := 4, 100, time.Second
	if long() {
		tills, sales, away = 50, 2000, 5*time.Minute
	}
	if d, err := time.ParseDuration(os.Getenv("VOUCHERPOS_AWAY")); err == nil {
		away = d
	}
	st := startStore(t)
	px := newProxy(t, strings.TrimPrefix(st.url, "http://"))
	tr := &timing{base: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	type till struct {
		id   string
		j    *journal.Journal
		up   *storesync.Uploader
		done chan struct{}
	}
	all := make([]*till, tills)
	for i := range all {
		id := fmt.Sprintf("load-%02d", i+1)
		tok, err := st.ledger.AddTill(ctxT(t), id)
		if err != nil {
			t.Fatal(err)
		}
		j, err := journal.Open(filepath.Join(t.TempDir(), "journal.db"), journal.Options{Secret: "sk_test_load"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { j.Close() })
		up, err := storesync.New(j, storesync.Options{URL: "http://" + px.addr(), Token: tok, TerminalID: id, HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		j.OnAppend(up.Kick)
		tl := &till{id: id, j: j, up: up, done: make(chan struct{})}
		go func() { defer close(tl.done); up.Run(ctx) }()
		all[i] = tl
	}
	sell := func(from, to int) {
		var wg sync.WaitGroup
		for _, tl := range all {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := from; n < to; n++ {
					ref := fmt.Sprintf("%s-%06d", tl.id, n)
					at := day0.Add(time.Duration(n) * time.Second)
					if err := tl.j.Create(ctx, journal.Sale{Reference: ref, CreatedAt: at, TerminalID: tl.id, Currency: "ZAR",
						AmountRequested: int64(1000 + n), ProviderCode: "0002", ProviderName: "OTT", PINLast4: "0001", Phone: "+27821234567", Email: "a@b.co"}); err != nil {
						t.Error(err)
						return
					}
					if err := tl.j.Record(ctx, ref, at.Add(time.Second), journal.Outcome{Status: journal.Approved, AmountCharged: int64(1000 + n), Fee: 15, VAT: 2}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	waitAll := func(within time.Duration) time.Duration {
		start := time.Now()
		for _, tl := range all {
			for {
				head, _ := tl.j.OutboxHead(ctx)
				acked, _ := tl.j.OutboxAcked(ctx)
				if head == int64(2*sales) && acked == head {
					break
				}
				if time.Since(start) > within {
					t.Fatalf("%s: %d of %d events acknowledged after %s (%+v)", tl.id, acked, head, within, tl.up.Status())
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		return time.Since(start)
	}

	start := time.Now()
	sell(0, sales/2)
	// The server goes away for a while; the tills go on selling.
	px.set(modeDrop)
	awayStart := time.Now()
	sell(sales/2, sales)
	if rest := away - time.Since(awayStart); rest > 0 {
		time.Sleep(rest)
	}
	for _, tl := range all {
		if s := tl.up.Status(); s.State != storesync.Unreachable || s.Waiting == 0 {
			t.Fatalf("%s while the server is away: %+v", tl.id, s)
		}
	}
	var backlog int64
	for _, tl := range all {
		backlog += tl.up.Status().Waiting
	}
	px.set(modePass)
	lag := waitAll(10 * time.Minute)
	elapsed := time.Since(start)
	cancel()
	for _, tl := range all {
		<-tl.done
	}

	var events, distinct, salesN int64
	if err := st.ledger.Pool().QueryRowContext(ctxT(t), `SELECT count(*), count(DISTINCT (terminal_id, seq)), (SELECT count(*) FROM sales) FROM events`).
		Scan(&events, &distinct, &salesN); err != nil {
		t.Fatal(err)
	}
	want := int64(tills * sales)
	if events != 2*want || distinct != events || salesN != want {
		t.Fatalf("server holds %d events (%d distinct) and %d sales; want %d and %d", events, distinct, salesN, 2*want, want)
	}
	rep, err := st.ledger.Report(ctxT(t), day0, "")
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Summaries(""); len(s) != 1 || s[0].Total.Count != want {
		t.Fatalf("report: %+v", s)
	}
	tr.mu.Lock()
	batches := len(tr.d)
	p50, p99 := percentile(tr.d, 0.50), percentile(tr.d, 0.99)
	tr.mu.Unlock()
	t.Logf("load: %d tills × %d sales = %d sales, %d events; 0 lost, 0 duplicated", tills, sales, want, events)
	t.Logf("load: %d batches acknowledged in %s (%.1f batches/s, %.0f events/s overall)", batches, elapsed.Round(time.Millisecond),
		float64(batches)/elapsed.Seconds(), float64(events)/elapsed.Seconds())
	t.Logf("load: ingest latency per batch (till side, HTTP round trip) p50 %s p99 %s", p50.Round(time.Microsecond), p99.Round(time.Microsecond))
	t.Logf("load: server away %s; %d events waiting when it came back; every till in sync %s later (%.0f events/s catching up)",
		away, backlog, lag.Round(time.Millisecond), float64(backlog)/lag.Seconds())
}

var _ = store.MaxBodyBytes
