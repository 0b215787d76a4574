package store

import (
	"bytes"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// expoSample is one sample line of a text exposition.
type expoSample struct {
	name   string
	labels map[string]string
	value  float64
}

// expoFamily is a family as scraped: its HELP, TYPE and samples in order.
type expoFamily struct {
	help, typ string
	samples   []expoSample
}

var metricNameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*`)
var labelNameRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*`)

// parseExposition parses Prometheus text format 0.0.4 strictly: each line
// a HELP, a TYPE or `name{labels} value`; each family's HELP then TYPE
// once, before its samples, which are contiguous.
func parseExposition(t *testing.T, body string) map[string]*expoFamily {
	t.Helper()
	if !strings.HasSuffix(body, "\n") {
		t.Fatalf("exposition does not end in a newline")
	}
	fams := map[string]*expoFamily{}
	var current string // the family whose lines these are
	done := map[string]bool{}
	begin := func(name string, n int) *expoFamily {
		if name != current {
			if done[name] {
				t.Fatalf("line %d: family %s resumes after another", n, name)
			}
			if current != "" {
				done[current] = true
			}
			current = name
		}
		f := fams[name]
		if f == nil {
			f = &expoFamily{}
			fams[name] = f
		}
		return f
	}
	for i, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		n := i + 1
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, help, _ := strings.Cut(rest, " ")
			if !metricNameRE.MatchString(name) || metricNameRE.FindString(name) != name {
				t.Fatalf("line %d: bad family name %q", n, name)
			}
			f := begin(name, n)
			if f.help != "" || f.typ != "" || len(f.samples) > 0 {
				t.Fatalf("line %d: HELP for %s again or after its TYPE or samples", n, name)
			}
			if help == "" {
				t.Fatalf("line %d: empty HELP for %s", n, name)
			}
			f.help = unescapeHelp(t, help)
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			f := begin(name, n)
			if f.help == "" || f.typ != "" || len(f.samples) > 0 {
				t.Fatalf("line %d: TYPE for %s without HELP before it, again, or after samples", n, name)
			}
			switch typ {
			case "counter", "gauge", "histogram":
			default:
				t.Fatalf("line %d: type %q", n, typ)
			}
			f.typ = typ
			continue
		}
		if strings.HasPrefix(line, "#") || line == "" {
			t.Fatalf("line %d: unexpected %q", n, line)
		}
		s := parseSample(t, n, line)
		family := s.name
		if fams[family] == nil || family != current {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if base, ok := strings.CutSuffix(s.name, suffix); ok && fams[base] != nil && fams[base].typ == "histogram" {
					family = base
				}
			}
		}
		f := fams[family]
		if f == nil || f.typ == "" || family != current {
			t.Fatalf("line %d: sample %s without HELP and TYPE of its family just before", n, s.name)
		}
		if f.typ != "histogram" && s.name != family {
			t.Fatalf("line %d: %s in %s family %s", n, s.name, f.typ, family)
		}
		f.samples = append(f.samples, s)
	}
	for name, f := range fams {
		if len(f.samples) == 0 {
			t.Errorf("family %s has no samples", name)
		}
		if f.typ == "histogram" {
			checkHistogram(t, name, f)
		}
	}
	return fams
}

func parseSample(t *testing.T, n int, line string) expoSample {
	t.Helper()
	s := expoSample{name: metricNameRE.FindString(line), labels: map[string]string{}}
	if s.name == "" {
		t.Fatalf("line %d: no metric name: %q", n, line)
	}
	rest := line[len(s.name):]
	if strings.HasPrefix(rest, "{") {
		rest = rest[1:]
		for !strings.HasPrefix(rest, "}") {
			name := labelNameRE.FindString(rest)
			if name == "" {
				t.Fatalf("line %d: bad label name at %q", n, rest)
			}
			rest = rest[len(name):]
			if !strings.HasPrefix(rest, `="`) {
				t.Fatalf("line %d: label %s lacks =\"", n, name)
			}
			rest = rest[2:]
			var v strings.Builder
			for {
				if rest == "" {
					t.Fatalf("line %d: unterminated value of label %s", n, name)
				}
				c := rest[0]
				rest = rest[1:]
				if c == '"' {
					break
				}
				if c == '\\' {
					if rest == "" {
						t.Fatalf("line %d: dangling backslash", n)
					}
					switch rest[0] {
					case '\\':
						v.WriteByte('\\')
					case '"':
						v.WriteByte('"')
					case 'n':
						v.WriteByte('\n')
					default:
						t.Fatalf("line %d: bad escape \\%c", n, rest[0])
					}
					rest = rest[1:]
					continue
				}
				v.WriteByte(c)
			}
			if _, dup := s.labels[name]; dup {
				t.Fatalf("line %d: label %s twice", n, name)
			}
			s.labels[name] = v.String()
			if strings.HasPrefix(rest, ",") {
				rest = rest[1:]
			} else if !strings.HasPrefix(rest, "}") {
				t.Fatalf("line %d: after label %s: %q", n, name, rest)
			}
		}
		rest = rest[1:]
	}
	value, ok := strings.CutPrefix(rest, " ")
	if !ok || strings.Contains(value, " ") {
		t.Fatalf("line %d: want one space then the value (no timestamp): %q", n, line)
	}
	v, err := strconv.ParseFloat(value, 64)
	if err != nil {
		t.Fatalf("line %d: value %q: %v", n, value, err)
	}
	s.value = v
	return s
}

func unescapeHelp(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch {
		case i < len(s) && s[i] == '\\':
			b.WriteByte('\\')
		case i < len(s) && s[i] == 'n':
			b.WriteByte('\n')
		default:
			t.Fatalf("bad escape in HELP %q", s)
		}
	}
	return b.String()
}

// checkHistogram wants cumulative _bucket{le} ascending to +Inf, equal to
// _count, then _sum and _count.
func checkHistogram(t *testing.T, name string, f *expoFamily) {
	t.Helper()
	prevLE, prevCount := math.Inf(-1), -1.0
	var inf, sum, count *float64
	for _, s := range f.samples {
		switch s.name {
		case name + "_bucket":
			if inf != nil {
				t.Fatalf("%s: bucket after +Inf", name)
			}
			le, err := strconv.ParseFloat(s.labels["le"], 64)
			if err != nil || len(s.labels) != 1 || le <= prevLE || s.value < prevCount {
				t.Fatalf("%s: bucket %v %v after le=%v count %v", name, s.labels, s.value, prevLE, prevCount)
			}
			prevLE, prevCount = le, s.value
			if math.IsInf(le, 1) {
				inf = &s.value
			}
		case name + "_sum":
			sum = &s.value
		case name + "_count":
			count = &s.value
		}
	}
	if inf == nil || sum == nil || count == nil || *inf != *count {
		t.Fatalf("%s: +Inf bucket, _sum and _count (= +Inf) wanted: %v", name, f.samples)
	}
}

// TestMetricsExposition scrapes /metrics with a till whose ID would break a
// careless writer and checks every line of it.
func TestMetricsExposition(t *testing.T) {
	l, _ := newTestLedger(t)
	ctx := ctxT(t)
	srv := NewServer(l, ServerOptions{Now: fixedNow, Location: time.UTC})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	// An ID AddTill would refuse, as a ledger edited by hand might hold.
	const odd = "till \"a\"\\b\nc"
	if _, err := l.pool.ExecContext(ctx, `INSERT INTO tills (terminal_id, created_at, last_seq, head_seq, last_seen_at) VALUES ($1, $2, 3, 5, $2)`, odd, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AddTill(ctx, "till-a"); err != nil {
		t.Fatal(err)
	}
	srv.metrics.events.WithLabelValues(odd).Add(3)
	srv.metrics.batches.WithLabelValues("stored").Inc()
	srv.metrics.conflicts.Inc()
	for _, v := range []float64{0.001, 0.0015, 0.5, 100} {
		srv.metrics.ingest.Observe(v)
	}

	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	var body bytes.Buffer
	if _, err := body.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	fams := parseExposition(t, body.String())

	want := map[string]struct{ typ, help string }{
		"voucherpos_store_batches_total":                    {"counter", "Event batches received from tills, by result (stored, replay, gap, conflict, refused, unauthorized, forbidden, too_large, error)."},
		"voucherpos_store_events_ingested_total":            {"counter", "Journal events stored, by till."},
		"voucherpos_store_chain_conflicts_detected_total":   {"counter", "Batches refused because they offered a different event at a seq the server holds."},
		"voucherpos_store_ingest_duration_seconds":          {"histogram", "Time to verify and store one batch."},
		"voucherpos_store_unresolved_sales":                 {"gauge", "Sales still pending or unknown, by till."},
		"voucherpos_store_till_lag_events":                  {"gauge", "Events a till holds that the server does not yet (its head seq less the server's last seq)."},
		"voucherpos_store_till_last_seen_timestamp_seconds": {"gauge", "When a till last posted a batch (Unix time; 0: never)."},
		"voucherpos_store_till_last_seq":                    {"gauge", "The highest event seq the server holds for a till."},
		"voucherpos_store_chain_conflicts":                  {"gauge", "Chain conflicts kept aside, by till; anything above 0 needs a person."},
		"voucherpos_store_discrepancies":                    {"gauge", "Disagreements today (server's zone) between Kora's webhooks, the tills' sales and their chains, by kind (voucherpos server discrepancies lists them)."},
		"voucherpos_store_database_up":                      {"gauge", "1 when the ledger answered this scrape's queries."},
		"process_resident_memory_bytes":                     {"gauge", "Resident memory size in bytes."},
		"process_cpu_seconds_total":                         {"counter", "Total user and system CPU time spent in seconds."},
		"process_open_fds":                                  {"gauge", "Number of open file descriptors."},
		"process_max_fds":                                   {"gauge", "Maximum number of open file descriptors."},
		"process_start_time_seconds":                        {"gauge", "Start time of the process since unix epoch in seconds."},
		"go_goroutines":                                     {"gauge", "Number of goroutines that currently exist."},
		"go_memstats_heap_alloc_bytes":                      {"gauge", "Number of heap bytes allocated and currently in use. Equals to /memory/classes/heap/objects:bytes."},
	}
	for name, w := range want {
		f := fams[name]
		if f == nil {
			t.Errorf("no family %s", name)
			continue
		}
		if f.typ != w.typ || f.help != w.help {
			t.Errorf("%s: TYPE %s HELP %q, want %s %q", name, f.typ, f.help, w.typ, w.help)
		}
	}

	value := func(name string, labels map[string]string) (float64, bool) {
		for _, f := range fams {
		next:
			for _, s := range f.samples {
				if s.name != name || len(s.labels) != len(labels) {
					continue
				}
				for k, v := range labels {
					if s.labels[k] != v {
						continue next
					}
				}
				return s.value, true
			}
		}
		return 0, false
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"voucherpos_store_events_ingested_total", map[string]string{"terminal_id": odd}, 3},
		{"voucherpos_store_till_last_seq", map[string]string{"terminal_id": odd}, 3},
		{"voucherpos_store_till_lag_events", map[string]string{"terminal_id": odd}, 2},
		{"voucherpos_store_till_last_seen_timestamp_seconds", map[string]string{"terminal_id": odd}, float64(testNow.Unix())},
		{"voucherpos_store_till_last_seq", map[string]string{"terminal_id": "till-a"}, 0},
		{"voucherpos_store_batches_total", map[string]string{"result": "stored"}, 1},
		{"voucherpos_store_chain_conflicts_detected_total", nil, 1},
		{"voucherpos_store_database_up", nil, 1},
		{"voucherpos_store_discrepancies", map[string]string{"kind": string(ChainConflict)}, 0},
		// 0.001 is in le=0.001 (bounds are inclusive), 0.0015 in 0.002.
		{"voucherpos_store_ingest_duration_seconds_bucket", map[string]string{"le": "0.001"}, 1},
		{"voucherpos_store_ingest_duration_seconds_bucket", map[string]string{"le": "0.002"}, 2},
		{"voucherpos_store_ingest_duration_seconds_bucket", map[string]string{"le": "0.512"}, 3},
		{"voucherpos_store_ingest_duration_seconds_bucket", map[string]string{"le": "8.192"}, 3},
		{"voucherpos_store_ingest_duration_seconds_bucket", map[string]string{"le": "+Inf"}, 4},
		{"voucherpos_store_ingest_duration_seconds_count", nil, 4},
	} {
		if got, ok := value(c.name, c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if sum, _ := value("voucherpos_store_ingest_duration_seconds_sum", nil); math.Abs(sum-100.5025) > 1e-9 {
		t.Errorf("ingest sum %v", sum)
	}
	// 0.001×2^k, k = 0…13, then +Inf.
	var les []string
	for _, s := range fams["voucherpos_store_ingest_duration_seconds"].samples {
		if le, ok := s.labels["le"]; ok {
			les = append(les, le)
		}
	}
	if got := strings.Join(les, " "); got != "0.001 0.002 0.004 0.008 0.016 0.032 0.064 0.128 0.256 0.512 1.024 2.048 4.096 8.192 +Inf" {
		t.Errorf("buckets %s", got)
	}
	if rss, _ := value("process_resident_memory_bytes", nil); rss <= 0 {
		t.Errorf("process_resident_memory_bytes %v", rss)
	}
	if start, _ := value("process_start_time_seconds", nil); math.Abs(start-float64(time.Now().Unix())) > 24*3600 {
		t.Errorf("process_start_time_seconds %v", start)
	}
}

func TestLabelEscaping(t *testing.T) {
	f := &family{name: "x", help: "a \\ b\nc", typ: "gauge"}
	f.add("", 1, "a", "q\"b\\n\nend")
	var b bytes.Buffer
	writeFamilies(&b, []*family{f})
	want := "# HELP x a \\\\ b\\nc\n# TYPE x gauge\nx{a=\"q\\\"b\\\\n\\nend\"} 1\n"
	if b.String() != want {
		t.Fatalf("got %q\nwant %q", b.String(), want)
	}
}
