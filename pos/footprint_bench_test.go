package pos_test

// BenchmarkThousandSales: the memory a till needs for a day of selling.
// `go run ./bench` runs it in a process of its own (-benchtime=1x), so the
// peak RSS it reports is that of one process that made 1 000 sales; see
// BENCHMARKS.md.

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"voucherpos/kora/sandbox"
	"voucherpos/pos"
	"voucherpos/pos/config"
)

// footprintSales is how many sales one op makes.
const footprintSales = 1000

const footprintPIN = "200000008888" // OTT: the balance stays on the PIN

// BenchmarkThousandSales makes 1 000 approved sales through one Service
// against an in-process sandbox (as demo mode does) and reports:
//
//	peak-RSS-MB       VmHWM of this process after the sales (MB = 10^6 bytes)
//	base-RSS-MB       VmHWM before them (test binary, sandbox, open journal)
//	heap-live-MB      live heap after a GC once the sales are done
//	heap-spans-MB     the Go heap's spans before that GC (live and dead
//	                  objects, slack, free spans, stacks)
//	anon-RSS-MB       RssAnon after the sales (Go heap and runtime, SQLite)
//	file-RSS-MB       RssFile after the sales (the test binary's pages)
//	first100-ms/sale  median latency of the first 100 sales
//	last100-ms/sale   median latency of the last 100: no growth with the journal
func BenchmarkThousandSales(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		sb, err := sandbox.Start("")
		if err != nil {
			b.Fatal(err)
		}
		sb.AddVoucher(sandbox.Voucher{PIN: footprintPIN, Provider: "0002", Balance: 1 << 50})
		cfg := config.Demo(func(string) string { return "" })
		cfg.Kora.BaseURL = sb.URL
		cfg.Journal.Path = filepath.Join(b.TempDir(), "journal.db")
		svc, err := pos.Open(cfg, pos.Options{})
		if err != nil {
			b.Fatal(err)
		}
		base := footprintHWM(b)
		ctx := context.Background()
		lat := make([]time.Duration, footprintSales)
		b.StartTimer()
		for i := range footprintSales {
			t0 := time.Now()
			s, err := svc.Submit(ctx, pos.Order{Amount: 100, ProviderCode: "0002", PIN: footprintPIN, Phone: "082 123 4567"})
			lat[i] = time.Since(t0)
			if err != nil || s.Status != pos.Approved {
				b.Fatalf("sale %d: %s %v", i, s.Status, err)
			}
		}
		b.StopTimer()
		anon, file := footprintStatus(b, "RssAnon:"), footprintStatus(b, "RssFile:")
		heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"},
			{Name: "/memory/classes/heap/free:bytes"}, {Name: "/memory/classes/heap/stacks:bytes"}}
		metrics.Read(heap)
		runtime.GC()
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(sample)
		const mb = 1e6
		b.ReportMetric(float64(anon)/mb, "anon-RSS-MB")
		b.ReportMetric(float64(file)/mb, "file-RSS-MB")
		// The Go heap's spans at the end (objects live and dead before the
		// GC, their slack, free spans not yet returned, goroutine stacks).
		var spans uint64
		for _, s := range heap {
			spans += s.Value.Uint64()
		}
		b.ReportMetric(float64(spans)/mb, "heap-spans-MB")
		b.ReportMetric(float64(footprintHWM(b))/mb, "peak-RSS-MB")
		b.ReportMetric(float64(base)/mb, "base-RSS-MB")
		b.ReportMetric(float64(sample[0].Value.Uint64())/mb, "heap-live-MB")
		b.ReportMetric(footprintMedian(lat[:100]), "first100-ms/sale")
		b.ReportMetric(footprintMedian(lat[len(lat)-100:]), "last100-ms/sale")
		svc.Close()
		sb.Close()
		b.StartTimer()
	}
}

func footprintMedian(d []time.Duration) float64 {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[len(s)/2]) / float64(time.Millisecond)
}

// footprintHWM is this process's peak resident set (VmHWM), in bytes.
func footprintHWM(b *testing.B) int64 { return footprintStatus(b, "VmHWM:") }

// footprintStatus is a figure of /proc/self/status in bytes.
func footprintStatus(b *testing.B, field string) int64 {
	b.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status: ", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	b.Fatal("no ", field, " in /proc/self/status")
	return 0
}
