package pos

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"voucherpos/kora/sandbox"
)

// After sales — one approved, one whose answer was lost and that the
// background reconciler or Resolve settled — and the till closed, nothing
// of the till is left running. Not parallel: goroutines of tests running
// beside it would count.
func TestNoGoroutineLeftAfterSales(t *testing.T) {
	before := goleak.IgnoreCurrent()
	sb, err := sandbox.Start("")
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, sb.URL)
	svc, err := Open(cfg, Options{Policy: testPolicy})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		svc.Run(ctx)
	}()
	if s, err := svc.Submit(ctx, order(10000, "0001", sandbox.PINFull)); err != nil || s.Status != Approved {
		t.Fatalf("sale: %+v %v", s, err)
	}
	s, err := svc.Submit(ctx, order(2500, "0001", sandbox.PINDropped))
	if err != nil || s.Status != Unknown {
		t.Fatalf("sale with a dropped answer: %+v %v", s, err)
	}
	for i := 0; i < 100 && !s.Final(); i++ {
		if s, err = svc.Resolve(ctx, s.Reference); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if s.Status != Approved {
		t.Fatalf("not resolved: %+v", s)
	}
	cancel()
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("the reconciler did not stop with its context")
	}
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}

	// Kora still up: all that is left is net/http's keep-alive connection
	// between the till's client and the sandbox, which the Service has no
	// way to close (its kora.Client keeps one http.Client for its life).
	keepAlive := []goleak.Option{before,
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreAnyFunction("net/http.(*conn).serve"),
		goleak.IgnoreAnyFunction("net/http.(*Server).Serve"),
	}
	if err := goleak.Find(keepAlive...); err != nil {
		t.Errorf("besides keep-alive connections: %v", err)
	}
	// Kora gone: its end closes the connections, and the client's go too.
	sb.Close()
	goleak.VerifyNone(t, before)
}
