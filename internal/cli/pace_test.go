package cli

import (
	"errors"
	"runtime"
	"testing"

	"voucherpos/pos"
)

// Paced hands out every sale in order, on one processor, stops at the
// first error, and gives the process its processors back. Not parallel:
// GOMAXPROCS is the process's.
func TestPacedHandsOutEverySaleOnOneProcessor(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	sales := daySales(t)
	many := func(n int) Sales {
		return func(yield func(pos.Sale) error) error {
			for i := range n {
				if err := yield(sales[i%len(sales)]); err != nil {
					return err
				}
			}
			return nil
		}
	}
	n, onOne := 0, true
	err := Paced(many(3*pacedCheck + 1))(func(s pos.Sale) error {
		if s.Reference != sales[n%len(sales)].Reference {
			t.Fatalf("sale %d is %s", n, s.Reference)
		}
		n++
		onOne = onOne && runtime.GOMAXPROCS(0) == 1
		return nil
	})
	if err != nil || n != 3*pacedCheck+1 || !onOne || runtime.GOMAXPROCS(0) != procs {
		t.Fatalf("%d sales, on one processor %v, err %v; GOMAXPROCS %d, was %d", n, onOne, err, runtime.GOMAXPROCS(0), procs)
	}
	boom := errors.New("boom")
	n = 0
	err = Paced(many(1000))(func(pos.Sale) error {
		if n++; n == 100 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || n != 100 || runtime.GOMAXPROCS(0) != procs {
		t.Fatalf("after an error: %v, %d sales, GOMAXPROCS %d", err, n, runtime.GOMAXPROCS(0))
	}
	// A day without sales leaves the process alone.
	if err := Paced(many(0))(func(pos.Sale) error { return nil }); err != nil || runtime.GOMAXPROCS(0) != procs {
		t.Fatal(err)
	}
}
