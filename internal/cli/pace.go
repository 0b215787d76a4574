package cli

import (
	"runtime"
	"runtime/metrics"

	"voucherpos/pos"
)

// pacedBytes is how much a paced stream allocates between two of the
// collections it runs itself.
const pacedBytes = 128 << 10

// pacedCheck is how many sales a paced stream hands out between two looks
// at what it has allocated: a batch of the journal's reads.
const pacedCheck = 64

// Paced hands out the sales of s for a command that streams a day and
// exits (history, report --csv), collecting its garbage itself: once at
// the first sale, then every pacedBytes allocated, between two sales; in
// between, every pacedCheck sales, it yields the processor. From its first
// sale the process runs on one processor (GOMAXPROCS 1), restored after.
//
// Why: a stream of a busy day holds a few kB but allocates ~470 bytes a
// sale (the driver's strings of each row), so it must be collected; what
// a collection costs in resident memory is what it touches, not what it
// frees. Left to itself the collector lets the heap grow to its 4 MB
// floor and starts a cycle wherever the stream is, mostly deep in SQLite,
// whose huge functions' PC tables the cycle then reads, paging in ~1.5 MB
// of the binary (as does the scheduler's preemption of a goroutine that
// runs 10 ms without yielding). Collected here, the heap stays within
// ~200 kB of what the command held before its first sale, a cycle scans
// a dozen frames of ours, and the stream is never preempted mid-query.
// One processor spares a second P's span cache and the collector's worker
// thread beside the stream, ~0.5 MB; the stream is one goroutine and gains
// nothing from a second P. What is left of the growth over a day without
// sales, ~1.6–1.8 MB, is mostly what a first and second collection cost
// the runtime whatever the heap (the span sets of each size class in use,
// mark bits, the PC tables of the frames scanned).
//
// The cost, for a day of 100 000 sales: ~260 collections of a heap under
// 1 MB, ~0.3 ms each: ~13% more wall time than the collector unpaced
// (0.50 s against 0.44 s for history --json). A day without sales is left
// alone.
func Paced(s Sales) Sales {
	return func(yield func(pos.Sale) error) error {
		procs := 0 // GOMAXPROCS before the first sale
		defer func() {
			if procs > 0 {
				runtime.GOMAXPROCS(procs)
			}
		}()
		sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
		var last uint64
		collect := func() {
			runtime.GC()
			metrics.Read(sample)
			last = sample[0].Value.Uint64()
		}
		n := 0
		return s(func(sale pos.Sale) error {
			if n++; n == 1 {
				procs = runtime.GOMAXPROCS(1)
				collect() // what the command allocated before the day
			} else if n%pacedCheck == 0 {
				if metrics.Read(sample); sample[0].Value.Uint64()-last >= pacedBytes {
					collect()
				} else {
					runtime.Gosched()
				}
			}
			return yield(sale)
		})
	}
}
