package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"voucherpos/kora"
	"voucherpos/kora/sandbox"
)

type delivered struct {
	event, status string
	pretty        bool
	err           error
}

// hookSink is a webhook receiver verifying as the store server does.
func hookSink(t *testing.T) (string, chan delivered) {
	t.Helper()
	verifier, _ := kora.New("", sandbox.DefaultSecretKey)
	got := make(chan delivered, 16)
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		wh, err := verifier.VerifyWebhook(b, r.Header.Get(kora.SignatureHeader))
		if err != nil {
			got <- delivered{err: err}
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		got <- delivered{event: wh.Event, status: string(wh.Charge.Status), pretty: bytes.Contains(b, []byte("\n"))}
	})
	hs := &http.Server{Handler: mux}
	ln := listen(t)
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String() + "/hook", got
}

func next(t *testing.T, ch chan delivered, within time.Duration) (delivered, bool) {
	t.Helper()
	select {
	case d := <-ch:
		return d, true
	case <-time.After(within):
		return delivered{}, false
	}
}

// Each cue misdelivers as it says: twice, late (only after a query),
// reordered (failed after success), a bad signature, pretty-printed (and
// still verifying), or none.
func TestWebhookCues(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		cue    sandbox.WebhookCue
		events []string // in order
		badSig bool
	}{
		{"twice", sandbox.WebhookTwice, []string{"charge.success", "charge.success"}, false},
		{"late", sandbox.WebhookLate, []string{"charge.success"}, false},
		{"reordered", sandbox.WebhookReordered, []string{"charge.success", "charge.failed"}, false},
		{"bad signature", sandbox.WebhookBadSignature, nil, true},
		{"pretty", sandbox.WebhookPretty, []string{"charge.success"}, false},
		{"none", sandbox.WebhookNone, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, got := hookSink(t)
			srv, c := start(t)
			srv.AddVoucher(sandbox.Voucher{PIN: "210000000001", Provider: "0002", Balance: 100000, Webhook: tt.cue})
			ch := charge("5", "210000000001", "0002")
			ch.NotificationURL = url
			if _, err := c.ChargeVoucher(context.Background(), ch); err != nil {
				t.Fatal(err)
			}
			if tt.cue == sandbox.WebhookLate {
				if d, ok := next(t, got, 300*time.Millisecond); ok {
					t.Fatalf("a late webhook came before the query: %+v", d)
				}
				if _, err := c.QueryCharge(context.Background(), ch.Reference); err != nil {
					t.Fatal(err)
				}
			}
			if tt.badSig {
				d, ok := next(t, got, 5*time.Second)
				if !ok || !errors.Is(d.err, kora.ErrBadSignature) {
					t.Fatalf("bad-signature delivery: %+v", d)
				}
				return
			}
			for _, want := range tt.events {
				d, ok := next(t, got, 5*time.Second)
				if !ok || d.err != nil || d.event != want || d.pretty != (tt.cue == sandbox.WebhookPretty) {
					t.Fatalf("delivery %+v, want %s", d, want)
				}
			}
			if d, ok := next(t, got, 300*time.Millisecond); ok {
				t.Fatalf("an extra delivery: %+v", d)
			}
		})
	}
	if c, err := sandbox.ParseWebhookCues("twice, late,pretty"); err != nil || c != sandbox.WebhookTwice|sandbox.WebhookLate|sandbox.WebhookPretty {
		t.Fatalf("ParseWebhookCues = %v, %v", c, err)
	}
	if _, err := sandbox.ParseWebhookCues("sometimes"); err == nil {
		t.Fatal("an unknown cue was accepted")
	}
}
