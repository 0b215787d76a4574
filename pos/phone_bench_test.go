package pos

import (
	"runtime/metrics"
	"testing"
	"time"
)

// phoneFirst holds the first call's figures: the process decodes the phone
// library's metadata then, not at start (third_party/phonenumbers/FORK.md),
// so only the first call of a process measures it.
var phoneFirst struct {
	done     bool
	ms, mb   float64
	allocs   float64
	nextMics float64
}

// BenchmarkPhoneFirstUse is the cost the till pays when a cashier first
// types a phone number: run it with -benchtime 1x, a process per run.
func BenchmarkPhoneFirstUse(b *testing.B) {
	if !phoneFirst.done {
		sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/heap/allocs:objects"}}
		metrics.Read(sample)
		bytes0, objs0 := sample[0].Value.Uint64(), sample[1].Value.Uint64()
		t0 := time.Now()
		if _, err := NormalizePhone("082 123 4567", "ZA"); err != nil {
			b.Fatal(err)
		}
		phoneFirst.ms = float64(time.Since(t0)) / float64(time.Millisecond)
		metrics.Read(sample)
		phoneFirst.mb = float64(sample[0].Value.Uint64()-bytes0) / 1e6
		phoneFirst.allocs = float64(sample[1].Value.Uint64() - objs0)
		const n = 200
		t1 := time.Now()
		for range n {
			if _, err := NormalizePhone("+27 82 123 4567", "ZA"); err != nil {
				b.Fatal(err)
			}
		}
		phoneFirst.nextMics = float64(time.Since(t1)) / n / float64(time.Microsecond)
		phoneFirst.done = true
	}
	for b.Loop() {
		if _, err := NormalizePhone("082 123 4567", "ZA"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(phoneFirst.ms, "first-ms")
	b.ReportMetric(phoneFirst.mb, "first-alloc-MB")
	b.ReportMetric(phoneFirst.allocs, "first-allocs")
	b.ReportMetric(phoneFirst.nextMics, "next-µs")
}
