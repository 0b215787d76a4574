package kora

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Whatever Kora (or whatever stands in its place) sends, the client reads a
// bounded amount of it: a body that never ends and headers that never end
// are cut off, and the charge's outcome is unknown, never a decline.
func TestResponsesAreBounded(t *testing.T) {
	t.Parallel()
	chunk := []byte(`{"status":true,"message":"` + strings.Repeat("a", 32<<10))
	cases := []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request, sent *atomic.Int64)
		limit int64 // bytes the server may get out before the client hangs up
	}{
		{"a body that never ends", func(w http.ResponseWriter, r *http.Request, sent *atomic.Int64) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			for {
				n, err := w.Write(chunk)
				sent.Add(int64(n))
				if err != nil || r.Context().Err() != nil {
					return
				}
			}
		}, MaxBodyBytes + 8<<20}, // the limit, plus socket buffers
		{"headers that never end", func(w http.ResponseWriter, r *http.Request, sent *atomic.Int64) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			bw := bufio.NewWriter(conn)
			bw.WriteString("HTTP/1.1 200 OK\r\n")
			for {
				n, err := bw.WriteString("X-Pad: " + strings.Repeat("b", 1000) + "\r\n")
				sent.Add(int64(n))
				if err != nil || sent.Load() > 64<<20 {
					return
				}
			}
		}, 10<<20 + 8<<20}, // net/http's header limit, plus socket buffers
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var sent atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tc.serve(w, r, &sent)
			}))
			t.Cleanup(srv.Close)
			c, err := New(srv.URL, testKey, WithTimeout(20*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			start := time.Now()
			_, err = c.ChargeVoucher(ctx, sampleCharge())
			if !errors.Is(err, ErrOutcomeUnknown) {
				t.Fatalf("error %v, want an unknown outcome", err)
			}
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("took %v to give up", d)
			}
			if s := sent.Load(); s > tc.limit {
				t.Errorf("the server got %d bytes out before the client stopped reading, want at most %d", s, tc.limit)
			}
			if len(err.Error()) > 400 {
				t.Errorf("the error carries %d bytes of the answer", len(err.Error()))
			}
			t.Logf("%v after %v", err, time.Since(start).Round(time.Millisecond))
		})
	}
}
