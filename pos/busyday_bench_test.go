package pos_test

// BenchmarkBusyDay: a day of 100 000 sales, read as the screens and the
// commands read it. `go run ./bench` runs each sub-benchmark in a process
// of its own; see BENCHMARKS.md.

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"voucherpos/internal/busyday"
	"voucherpos/internal/cli"
	"voucherpos/pos"
	"voucherpos/pos/config"
)

// busyDaySales is how many sales the busy day holds.
const busyDaySales = 100_000

// busyDayRows is a first screen of History and then some: the window the
// History screen reads (ui's historyWindow).
const busyDayRows = 100

// busyDay is the day of the benchmark, in a zone ahead of UTC.
var busyDay = time.Date(2026, 11, 27, 12, 0, 0, 0, time.FixedZone("SAST", 2*3600))

// BenchmarkBusyDay reads a day of 100 000 sales, opened read-only as
// `voucherpos report` and `history` open it, and reports besides ns/op:
//
//	first-ms        the first call (statements prepared, pages read)
//	rss-growth-MB   the peak resident set during the calls less the
//	                resident set before them (the peak is reset first)
//	rows/op         sales in the result
//
// VOUCHERPOS_BUSYDAY names a journal already written by busyday.Write
// (the harness writes one for all the runs); otherwise one is written.
func BenchmarkBusyDay(b *testing.B) {
	path := os.Getenv("VOUCHERPOS_BUSYDAY")
	if path == "" {
		path = filepath.Join(b.TempDir(), "journal.db")
		if err := busyday.Write(path, busyDay, busyDaySales, "till-1", ""); err != nil {
			b.Fatal(err)
		}
	}
	cfg := config.Demo(func(string) string { return "" })
	cfg.Journal.Path = path
	svc, err := pos.Open(cfg, pos.Options{ReadOnly: true, Now: func() time.Time { return busyDay }})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	ctx := context.Background()
	// The day as `history` and `report --csv` stream it (main.go).
	each := cli.Paced(func(fn func(pos.Sale) error) error { return svc.EachOfDay(ctx, busyDay, fn) })
	cases := []struct {
		name string
		read func() (int, error)
	}{
		{"report", func() (int, error) {
			r, err := svc.DayReport(ctx, busyDay)
			return r.Sales, err
		}},
		{"history-first-screen", func() (int, error) {
			w, err := svc.DayWindow(ctx, busyDay, nil, 0, busyDayRows)
			return len(w.Sales), err
		}},
		{"history-unresolved-first-screen", func() (int, error) {
			w, err := svc.DayWindow(ctx, busyDay, []pos.Status{pos.Pending, pos.Unknown}, 0, busyDayRows)
			return len(w.Sales), err
		}},
		{"history-json", func() (int, error) {
			n := 0
			err := cli.StreamHistoryJSON(io.Discard, func(fn func(pos.Sale) error) error {
				return each(func(s pos.Sale) error { n++; return fn(s) })
			})
			return n, err
		}},
		{"history-table", func() (int, error) {
			n := 0
			err := cli.StreamHistory(io.Discard, func(fn func(pos.Sale) error) error {
				return each(func(s pos.Sale) error { n++; return fn(s) })
			})
			return n, err
		}},
		{"report-csv", func() (int, error) {
			n := 0
			err := cli.StreamReportCSV(io.Discard, func(fn func(pos.Sale) error) error {
				return each(func(s pos.Sale) error { n++; return fn(s) })
			})
			return n, err
		}},
		// What History and the Z-report did before: the day in memory.
		{"day-in-memory", func() (int, error) {
			sales, err := svc.Day(ctx, busyDay)
			_ = pos.BuildReport(busyDay, svc.Currency(), sales)
			return len(sales), err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			base := resetPeakRSS(b)
			b.ReportAllocs()
			rows, first := 0, time.Duration(0)
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				n, err := c.read()
				if err != nil {
					b.Fatal(err)
				}
				if i == 0 {
					first = time.Since(t0)
				}
				rows = n
			}
			b.ReportMetric(float64(footprintHWM(b)-base)/1e6, "rss-growth-MB")
			b.ReportMetric(float64(first)/float64(time.Millisecond), "first-ms")
			b.ReportMetric(float64(rows), "rows/op")
		})
	}
}

// resetPeakRSS resets this process's VmHWM to its current resident set
// (Linux: 5 written to /proc/self/clear_refs) and returns that set.
func resetPeakRSS(b *testing.B) int64 {
	b.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skip("cannot reset the peak resident set: ", err)
	}
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}
