package pos

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"voucherpos/kora"
	"voucherpos/kora/sandbox"
	"voucherpos/pos/journal"
)

// Load: 8 tills — separate processes, each with its own journal — sell
// against one sandbox on 127.0.0.1 in a bounded loop. Every 20th sale hits
// a voucher whose answer is a 500 after the charge, resolved by query. At
// the end every sale is in its journal, approved, charged once in Kora's
// ledger, and the vouchers' balances moved by exactly what the journals
// say was charged.
//
// Plain `go test` runs 8×50 sales; VOUCHERPOS_LOAD=1 runs 8×1000 (about a
// minute on 2 cores), VOUCHERPOS_LOAD=N runs 8×N. -v prints the figures.
const (
	loadPIN      = "210000000001" // OTT: the balance stays on the PIN
	loadFaultPIN = "220000000001" // OTT, a 500 after every charge
	loadBalance  = int64(1) << 50
)

func loadSales() int {
	switch v := os.Getenv("VOUCHERPOS_LOAD"); v {
	case "":
		return 50
	case "1":
		return 1000
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 50
		}
		return n
	}
}

// loadResult is what a till process reports when its loop ends.
type loadResult struct {
	Till      int     `json:"till"`
	Sales     int     `json:"sales"`
	Approved  int     `json:"approved"`
	Resolved  int     `json:"resolved"` // unknown at first, approved by query
	Charged   int64   `json:"charged"`  // cents
	Latencies []int64 `json:"latencies_us"`
	Err       string  `json:"err,omitempty"`
}

func TestLoadEightTills(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns 8 till processes")
	}
	t.Parallel()
	const tills = 8
	perTill := loadSales()
	budget := 2*time.Minute + time.Duration(perTill)*100*time.Millisecond

	sb, err := sandbox.Start("", sandbox.WithVouchers([]sandbox.Voucher{
		{PIN: loadPIN, Provider: "0002", Balance: loadBalance},
		{PIN: loadFaultPIN, Provider: "0002", Balance: loadBalance, Fault: sandbox.Fault500AfterApply},
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	dir := t.TempDir()

	results := make([]loadResult, tills)
	var wg sync.WaitGroup
	started := time.Now()
	for i := range tills {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runLoadTill(t, i, sb.URL, filepath.Join(dir, fmt.Sprintf("till-%d", i), "journal.db"), perTill, budget)
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)
	if t.Failed() {
		return
	}

	// Every sale in its journal, approved; every journal sale charged once.
	var lat []int64
	var charged int64
	approved, resolved := 0, 0
	journalRefs := map[string]int64{} // reference → charged
	for i, r := range results {
		if r.Err != "" || r.Sales != perTill {
			t.Fatalf("till %d: %d of %d sales: %s", i, r.Sales, perTill, r.Err)
		}
		lat = append(lat, r.Latencies...)
		approved += r.Approved
		resolved += r.Resolved
		charged += r.Charged
		j, err := journal.Open(filepath.Join(dir, fmt.Sprintf("till-%d", i), "journal.db"), journal.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := j.List(context.Background(), time.Time{}, time.Now().Add(time.Hour))
		j.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != perTill {
			t.Fatalf("till %d: %d sales in the journal, want %d (lost sales)", i, len(rows), perTill)
		}
		for _, s := range rows {
			if s.Status != journal.Approved {
				t.Fatalf("till %d: sale %s is %s", i, s.Reference, s.Status)
			}
			if _, dup := journalRefs[s.Reference]; dup {
				t.Fatalf("reference %s in two journals", s.Reference)
			}
			journalRefs[s.Reference] = s.AmountCharged
		}
	}
	ledger := map[string]int{}
	successes := 0
	for _, c := range sb.Charges() {
		if c.Status != kora.StatusSuccess {
			t.Fatalf("ledger: charge %s is %s", c.Reference, c.Status)
		}
		successes++
		ledger[c.Reference]++
		if amt, ok := journalRefs[c.Reference]; !ok {
			t.Fatalf("ledger: charge %s is in no journal (a lost sale)", c.Reference)
		} else if amt != c.Amount {
			t.Fatalf("ledger: %s charged %d, journal says %d", c.Reference, c.Amount, amt)
		}
	}
	doubles := 0
	for ref, n := range ledger {
		if n != 1 {
			doubles++
			t.Errorf("%s charged %d times", ref, n)
		}
	}
	if successes != len(journalRefs) || approved != len(journalRefs) {
		t.Fatalf("%d charges in the ledger, %d approved sales reported, %d in the journals", successes, approved, len(journalRefs))
	}
	a, _ := sb.VoucherState(loadPIN)
	b, _ := sb.VoucherState(loadFaultPIN)
	if spent := 2*loadBalance - a.Balance - b.Balance; spent != charged {
		t.Fatalf("the vouchers lost %d cents, the journals charged %d", spent, charged)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		return time.Duration(lat[min(len(lat)-1, int(float64(len(lat))*p))]) * time.Microsecond
	}
	t.Logf("LOAD %d tills × %d sales = %d in %v: %d lost, %d double charges; %d approved (%d of them resolved by query after a 500), ledger %d charges; submit latency p50 %v, p99 %v, max %v",
		tills, perTill, len(journalRefs), elapsed.Round(time.Millisecond), tills*perTill-len(journalRefs), doubles,
		approved, resolved, successes, pct(0.50), pct(0.99), pct(1))
}

// runLoadTill runs one till process and returns its report.
func runLoadTill(t *testing.T, till int, url, journalPath string, sales int, budget time.Duration) loadResult {
	ctx, cancel := context.WithTimeout(context.Background(), budget+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestLoadTillChild$")
	cmd.Env = append(os.Environ(), "VOUCHERPOS_LOAD_URL="+url, "VOUCHERPOS_LOAD_JOURNAL="+journalPath,
		fmt.Sprintf("VOUCHERPOS_LOAD_TILL=%d", till), fmt.Sprintf("VOUCHERPOS_LOAD_SALES=%d", sales),
		"VOUCHERPOS_LOAD_BUDGET="+budget.String())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Error(err)
		return loadResult{}
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Error(err)
		return loadResult{}
	}
	var res loadResult
	got := false
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "LOADRESULT "); ok {
			got = json.Unmarshal([]byte(line), &res) == nil
		}
	}
	if err := cmd.Wait(); err != nil || !got {
		t.Errorf("till %d: %v (result read: %v)", till, err, got)
	}
	return res
}

// TestLoadTillChild is one till of TestLoadEightTills: it sells until its
// count or its time budget runs out, and prints one LOADRESULT line.
func TestLoadTillChild(t *testing.T) {
	url := os.Getenv("VOUCHERPOS_LOAD_URL")
	if url == "" {
		t.Skip("runs only as a till of the load test")
	}
	till, _ := strconv.Atoi(os.Getenv("VOUCHERPOS_LOAD_TILL"))
	sales, _ := strconv.Atoi(os.Getenv("VOUCHERPOS_LOAD_SALES"))
	budget, _ := time.ParseDuration(os.Getenv("VOUCHERPOS_LOAD_BUDGET"))
	cfg := testConfig(t, url)
	cfg.Store.TerminalID = fmt.Sprintf("load-%d", till)
	cfg.Journal.Path = os.Getenv("VOUCHERPOS_LOAD_JOURNAL")
	cfg.Kora.Timeout = 10 * time.Second
	svc, err := Open(cfg, Options{Policy: testPolicy})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go svc.Run(ctx) // the background reconciler, as in the till

	res := loadResult{Till: till}
	report := func() {
		b, _ := json.Marshal(res)
		fmt.Printf("LOADRESULT %s\n", b)
	}
	defer report()
	end := time.Now().Add(budget)
	for i := 0; i < sales && time.Now().Before(end); i++ {
		pin := loadPIN
		if i%20 == 19 {
			pin = loadFaultPIN
		}
		o := order(Money(100+rand.IntN(9900)), "0002", pin)
		start := time.Now()
		s, err := svc.Submit(ctx, o)
		res.Latencies = append(res.Latencies, time.Since(start).Microseconds())
		if err != nil {
			res.Err = err.Error()
			return
		}
		res.Sales++
		if s.Status == Unknown {
			// Resolve it now, as the Checking screen would.
			for try := 0; try < 50 && !s.Final(); try++ {
				if s, err = svc.Resolve(ctx, s.Reference); err != nil {
					res.Err = err.Error()
					return
				}
				if !s.Final() {
					time.Sleep(20 * time.Millisecond)
				}
			}
			res.Resolved++
		}
		if s.Status != Approved {
			res.Err = fmt.Sprintf("sale %s ended %s", s.Reference, s.Status)
			return
		}
		res.Approved++
		res.Charged += int64(s.Charged)
	}
}
