package store

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"os"
	"runtime"
	runtimemetrics "runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// metrics are the server's own counters plus the ledger, read at scrape
// time (each query bounded, each over an index), written as Prometheus text
// exposition (version 0.0.4) by ServeHTTP: no client library, whose registry,
// protobuf and procfs cost the binary megabytes for one endpoint.
type metrics struct {
	batches   *counterVec
	events    *counterVec
	conflicts *counter
	ingest    *histogram
	webhooks  *counterVec

	l   *Ledger
	now func() time.Time
	loc *time.Location
}

func newMetrics(l *Ledger, now func() time.Time, loc *time.Location) *metrics {
	return &metrics{
		batches: newCounterVec("voucherpos_store_batches_total",
			"Event batches received from tills, by result (stored, replay, gap, conflict, refused, unauthorized, forbidden, too_large, error).", "result"),
		events: newCounterVec("voucherpos_store_events_ingested_total",
			"Journal events stored, by till.", "terminal_id"),
		conflicts: &counter{},
		webhooks: newCounterVec("voucherpos_store_kora_webhooks_total",
			"Kora webhooks received, by result (stored, duplicate, bad_signature, bad_body, too_large, not_configured, error).", "result"),
		// 1 ms to 8.192 s: 0.001×2^k, k = 0…13.
		ingest: newHistogram(exponentialBuckets(0.001, 2, 14)),
		l:      l, now: now, loc: loc,
	}
}

// counter is a monotonic float64, updated without a lock.
type counter struct{ bits atomic.Uint64 }

func (c *counter) Inc() { c.Add(1) }

// Add adds v (≥ 0) to the counter.
func (c *counter) Add(v float64) {
	for {
		old := c.bits.Load()
		if c.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

func (c *counter) value() float64 { return math.Float64frombits(c.bits.Load()) }

// counterVec is a counter family with one label; a child appears at its
// first use.
type counterVec struct {
	name, help, label string
	mu                sync.Mutex
	m                 map[string]*counter
}

func newCounterVec(name, help, label string) *counterVec {
	return &counterVec{name: name, help: help, label: label, m: map[string]*counter{}}
}

// WithLabelValues is the counter for the label's value.
func (v *counterVec) WithLabelValues(value string) *counter {
	v.mu.Lock()
	defer v.mu.Unlock()
	c := v.m[value]
	if c == nil {
		c = &counter{}
		v.m[value] = c
	}
	return c
}

func (v *counterVec) family() *family {
	f := &family{name: v.name, help: v.help, typ: "counter"}
	v.mu.Lock()
	for value, c := range v.m {
		f.add("", c.value(), v.label, value)
	}
	v.mu.Unlock()
	return f
}

// histogram counts observations in fixed buckets (upper bounds, inclusive,
// ascending); a lock keeps a scrape's buckets, sum and count consistent.
type histogram struct {
	bounds []float64
	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  uint64
}

func newHistogram(bounds []float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)}
}

func exponentialBuckets(start, factor float64, n int) []float64 {
	b := make([]float64, n)
	for i := range b {
		b[i] = start
		start *= factor
	}
	return b
}

func (h *histogram) Observe(v float64) {
	i := sort.SearchFloat64s(h.bounds, v) // the first bound ≥ v
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.count++
	h.mu.Unlock()
}

func (h *histogram) family(name, help string) *family {
	f := &family{name: name, help: help, typ: "histogram", ordered: true}
	h.mu.Lock()
	defer h.mu.Unlock()
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i]
		f.add("_bucket", float64(cum), "le", formatFloat(b))
	}
	f.add("_bucket", float64(h.count), "le", "+Inf")
	f.add("_sum", h.sum)
	f.add("_count", float64(h.count))
	return f
}

// family is one metric family of a scrape: its HELP, TYPE and samples.
type family struct {
	name, help, typ string
	ordered         bool // keep the samples as added (a histogram's)
	samples         []sample
}

type sample struct {
	suffix, labels string // labels rendered, {…} or empty
	value          float64
}

// add adds a sample of the family's name+suffix; labels are name, value
// pairs, written in the order given.
func (f *family) add(suffix string, v float64, labels ...string) {
	var b strings.Builder
	for i := 0; i+1 < len(labels); i += 2 {
		if i == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(labels[i])
		b.WriteString(`="`)
		labelEscaper.WriteString(&b, labels[i+1])
		b.WriteByte('"')
	}
	if b.Len() > 0 {
		b.WriteByte('}')
	}
	f.samples = append(f.samples, sample{suffix: suffix, labels: b.String(), value: v})
}

// gauge is a family of one unlabelled gauge.
func gauge(name, help string, v float64) *family {
	f := &family{name: name, help: help, typ: "gauge"}
	f.add("", v)
	return f
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// writeFamilies writes the families with samples, by name, each's samples
// by labels unless ordered.
func writeFamilies(b *bytes.Buffer, fams []*family) {
	sort.Slice(fams, func(i, j int) bool { return fams[i].name < fams[j].name })
	for _, f := range fams {
		if len(f.samples) == 0 {
			continue
		}
		if !f.ordered {
			sort.Slice(f.samples, func(i, j int) bool { return f.samples[i].labels < f.samples[j].labels })
		}
		b.WriteString("# HELP " + f.name + " ")
		helpEscaper.WriteString(b, f.help)
		b.WriteString("\n# TYPE " + f.name + " " + f.typ + "\n")
		for _, s := range f.samples {
			b.WriteString(f.name + s.suffix + s.labels + " " + formatFloat(s.value) + "\n")
		}
	}
}

// ServeHTTP answers GET /metrics.
func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fams := []*family{
		m.batches.family(), m.events.family(), m.webhooks.family(),
		counterFamily("voucherpos_store_chain_conflicts_detected_total",
			"Batches refused because they offered a different event at a seq the server holds.", m.conflicts.value()),
		m.ingest.family("voucherpos_store_ingest_duration_seconds", "Time to verify and store one batch."),
	}
	fams = append(fams, m.ledgerFamilies(r.Context())...)
	fams = append(fams, processFamilies()...)
	fams = append(fams, goFamilies()...)
	var b bytes.Buffer
	writeFamilies(&b, fams)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.Write(b.Bytes())
}

// ledgerFamilies reads the ledger's gauges, all its queries within 5 s;
// database_up is 0 when one fails (what was read before is kept).
func (m *metrics) ledgerFamilies(ctx context.Context) []*family {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	sales := &family{name: "voucherpos_store_sales_today", typ: "gauge",
		help: "Sales created today (server's zone), by till, provider and status."}
	unresolved := &family{name: "voucherpos_store_unresolved_sales", typ: "gauge",
		help: "Sales still pending or unknown, by till."}
	lag := &family{name: "voucherpos_store_till_lag_events", typ: "gauge",
		help: "Events a till holds that the server does not yet (its head seq less the server's last seq)."}
	lastSeen := &family{name: "voucherpos_store_till_last_seen_timestamp_seconds", typ: "gauge",
		help: "When a till last posted a batch (Unix time; 0: never)."}
	lastSeq := &family{name: "voucherpos_store_till_last_seq", typ: "gauge",
		help: "The highest event seq the server holds for a till."}
	chain := &family{name: "voucherpos_store_chain_conflicts", typ: "gauge",
		help: "Chain conflicts kept aside, by till; anything above 0 needs a person."}
	discrepancies := &family{name: "voucherpos_store_discrepancies", typ: "gauge",
		help: "Disagreements today (server's zone) between Kora's webhooks, the tills' sales and their chains, by kind (voucherpos server discrepancies lists them)."}
	fams := []*family{sales, unresolved, lag, lastSeen, lastSeq, chain, discrepancies}
	up := func(ok bool) []*family {
		v := 0.0
		if ok {
			v = 1
		}
		return append(fams, gauge("voucherpos_store_database_up", "1 when the ledger answered this scrape's queries.", v))
	}

	tills, err := m.l.Tills(ctx)
	if err != nil {
		return up(false)
	}
	for _, t := range tills {
		seen := 0.0
		if !t.LastSeen.IsZero() {
			seen = float64(t.LastSeen.UnixMilli()) / 1000
		}
		unresolved.add("", float64(t.Unresolved), "terminal_id", t.TerminalID)
		lag.add("", float64(t.Lag()), "terminal_id", t.TerminalID)
		lastSeen.add("", seen, "terminal_id", t.TerminalID)
		lastSeq.add("", float64(t.LastSeq), "terminal_id", t.TerminalID)
		chain.add("", float64(t.Conflicts), "terminal_id", t.TerminalID)
	}
	from, to := dayBounds(m.now().In(m.loc))
	rows, err := m.l.pool.QueryContext(ctx, `SELECT terminal_id, provider_code, status, sum(sales)::bigint FROM sales_rollup
		WHERE bucket >= $1 AND bucket < $2 GROUP BY terminal_id, provider_code, status HAVING sum(sales) > 0`, ts(from), ts(to))
	if err != nil {
		return up(false)
	}
	defer rows.Close()
	for rows.Next() {
		var till, prov, status string
		var n int64
		if err := rows.Scan(&till, &prov, &status, &n); err != nil {
			return up(false)
		}
		sales.add("", float64(n), "provider_code", prov, "status", status, "terminal_id", till)
	}
	if rows.Err() != nil {
		return up(false)
	}
	ds, err := m.l.Discrepancies(ctx, m.now().In(m.loc))
	if err != nil {
		return up(false)
	}
	for kind, n := range CountDiscrepancies(ds) {
		discrepancies.add("", float64(n), "kind", string(kind))
	}
	return up(true)
}

// processStart stands in for the start time where /proc is not to be had.
var processStart = time.Now()

// processFamilies are the process_* basics, read from /proc/self (Linux);
// elsewhere only the start time.
func processFamilies() []*family {
	start := float64(processStart.UnixMilli()) / 1000
	var fams []*family
	if stat, err := os.ReadFile("/proc/self/stat"); err == nil {
		// After "pid (comm) ": state is field 3 of proc(5), so field n is f[n-3].
		var f []string
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 {
			f = strings.Fields(string(stat[i+1:]))
		}
		if len(f) > 21 {
			const userHZ = 100 // sysconf(_SC_CLK_TCK) on every Linux Go runs on
			utime, _ := strconv.ParseFloat(f[11], 64)
			stime, _ := strconv.ParseFloat(f[12], 64)
			vsize, _ := strconv.ParseFloat(f[20], 64)
			rss, _ := strconv.ParseFloat(f[21], 64)
			fams = append(fams,
				counterFamily("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", (utime+stime)/userHZ),
				gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", vsize),
				gauge("process_resident_memory_bytes", "Resident memory size in bytes.", rss*float64(os.Getpagesize())))
			if boot := bootTime(); boot > 0 {
				ticks, _ := strconv.ParseFloat(f[19], 64)
				start = boot + ticks/userHZ
			}
		}
	}
	fams = append(fams, gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", start))
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		fams = append(fams, gauge("process_open_fds", "Number of open file descriptors.", float64(len(fds))))
	}
	if limits, err := os.ReadFile("/proc/self/limits"); err == nil {
		for line := range strings.Lines(string(limits)) {
			if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
				if f := strings.Fields(rest); len(f) > 0 {
					if n, err := strconv.ParseFloat(f[0], 64); err == nil {
						fams = append(fams, gauge("process_max_fds", "Maximum number of open file descriptors.", n))
					}
				}
			}
		}
	}
	return fams
}

// bootTime is the btime of /proc/stat (Unix seconds), 0 if unknown.
func bootTime() float64 {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(stat)) {
		if rest, ok := strings.CutPrefix(line, "btime "); ok {
			v, _ := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v
		}
	}
	return 0
}

func counterFamily(name, help string, v float64) *family {
	f := gauge(name, help, v)
	f.typ = "counter"
	return f
}

// goMetrics are the Go runtime's figures exposed, by the names (and help)
// client_golang's Go collector gave them.
var goMetrics = []struct{ key, name, typ, help string }{
	{"/memory/classes/heap/objects:bytes", "go_memstats_heap_alloc_bytes", "gauge",
		"Number of heap bytes allocated and currently in use. Equals to /memory/classes/heap/objects:bytes."},
	{"/gc/heap/allocs:bytes", "go_memstats_alloc_bytes_total", "counter",
		"Total number of bytes allocated in heap until now, even if released already. Equals to /gc/heap/allocs:bytes."},
	{"/gc/heap/objects:objects", "go_memstats_heap_objects", "gauge",
		"Number of currently allocated objects. Equals to /gc/heap/objects:objects."},
	{"/gc/heap/goal:bytes", "go_memstats_next_gc_bytes", "gauge",
		"Number of heap bytes when next garbage collection will take place. Equals to /gc/heap/goal:bytes."},
	{"/memory/classes/total:bytes", "go_memstats_sys_bytes", "gauge",
		"Number of bytes obtained from system. Equals to /memory/classes/total:byte."},
	{"/gc/cycles/total:gc-cycles", "go_gc_cycles_total", "counter",
		"Count of all completed GC cycles. Equals to /gc/cycles/total:gc-cycles."},
	{"/sched/gomaxprocs:threads", "go_sched_gomaxprocs_threads", "gauge",
		"The current runtime.GOMAXPROCS setting. Equals to /sched/gomaxprocs:threads."},
}

func goFamilies() []*family {
	samples := make([]runtimemetrics.Sample, len(goMetrics))
	for i, g := range goMetrics {
		samples[i].Name = g.key
	}
	runtimemetrics.Read(samples)
	fams := []*family{
		gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine())),
	}
	info := &family{name: "go_info", help: "Information about the Go environment.", typ: "gauge"}
	info.add("", 1, "version", runtime.Version())
	fams = append(fams, info)
	for i, g := range goMetrics {
		var v float64
		switch samples[i].Value.Kind() {
		case runtimemetrics.KindUint64:
			v = float64(samples[i].Value.Uint64())
		case runtimemetrics.KindFloat64:
			v = samples[i].Value.Float64()
		default: // not in this Go
			continue
		}
		f := gauge(g.name, g.help, v)
		f.typ = g.typ
		fams = append(fams, f)
	}
	return fams
}
