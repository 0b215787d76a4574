package pos

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"voucherpos/kora"
)

// kora wraps the class and the cause in one error (two %w); the reason
// shown is the cause, never "<nil>".
func TestReasonOfAMultiWrappedError(t *testing.T) {
	t.Parallel()
	cause := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	err := fmt.Errorf("%w: %s: %w", kora.ErrNotSent, "GET /x", fmt.Errorf("wrapped: %w", cause))
	if errors.Unwrap(err) != nil {
		t.Fatal("errors.Unwrap sees into a multi-%w error now; this test no longer shows the trap")
	}
	if got := Reason(err); got != "wrapped: dial tcp: connect: connection refused" {
		t.Fatalf("Reason = %q", got)
	}
	if got := Reason(nil); got != "no error" {
		t.Fatalf("Reason(nil) = %q", got)
	}
}

// check against a Kora that is not there names the real reason.
func TestCheckKeyUnreachableSaysWhy(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	svc, err := Open(testConfig(t, "http://"+addr), Options{Policy: testPolicy})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	res, msg := svc.CheckKey(context.Background())
	if res != KoraUnreachable || strings.Contains(msg, "<nil>") || !strings.Contains(msg, "connection refused") {
		t.Fatalf("CheckKey = %v, %q; want KoraUnreachable with the reason", res, msg)
	}
	if strings.Contains(msg, "check-") {
		t.Errorf("the message repeats the random reference's URL: %q", msg)
	}
}
