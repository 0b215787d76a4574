package storesync

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"voucherpos/syncwire"
)

func TestCheckURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://store.local:8443": true,
		"http://127.0.0.1:8443":    true,
		"http://[::1]:8443":        true,
		"http://localhost:8443":    true,
		"http://store.local:8443":  false,
		"ftp://store.local":        false,
		"store.local":              false,
	} {
		if err := CheckURL(u); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v", u, err)
		}
	}
}

func TestReadToken(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "t")
	os.WriteFile(p, []byte("vpt_abc\n"), 0o600)
	if tok, err := ReadToken(p); err != nil || tok != "vpt_abc" {
		t.Fatalf("ReadToken = %q, %v", tok, err)
	}
	os.Chmod(p, 0o644)
	if _, err := ReadToken(p); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a world-readable token file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "two"), []byte("a b\n"), 0o600)
	if _, err := ReadToken(filepath.Join(dir, "two")); err == nil {
		t.Fatal("two words read as a token")
	}
}

// racingSource is a journal that writes a sale between the uploader's
// reading of its head and of its events: the events reach past the head.
type racingSource struct {
	mu    sync.Mutex
	acked int64
	reads int
}

func (r *racingSource) OutboxHead(context.Context) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reads++
	if r.reads == 1 {
		return 1, nil // event 2 is committed just after this read
	}
	return 2, nil
}

func (r *racingSource) OutboxAfter(_ context.Context, seq int64, limit int) (syncwire.Hash, []syncwire.Event, error) {
	var out []syncwire.Event
	for s := seq + 1; s <= 2 && len(out) < limit; s++ {
		out = append(out, syncwire.Event{Seq: s, Payload: "{}"})
	}
	return syncwire.Hash{}, out, nil
}

func (r *racingSource) OutboxAcked(context.Context) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.acked, nil
}

func (r *racingSource) SetOutboxAcked(_ context.Context, seq int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.acked = seq
	return nil
}

// A sale written while a batch is read is shipped with it, never taken for
// a server that holds more than the journal ("it was replaced").
func TestSyncWhileASaleIsWritten(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b syncwire.Batch
		json.NewDecoder(r.Body).Decode(&b)
		last := int64(0)
		if n := len(b.Events); n > 0 {
			last = b.Events[n-1].Seq
		}
		json.NewEncoder(w).Encode(syncwire.Ack{LastSeq: max(last, b.Head)})
	}))
	defer srv.Close()
	src := &racingSource{}
	u, err := New(src, Options{URL: srv.URL, Token: "t", TerminalID: "till-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.Sync(context.Background()); err != nil {
		t.Fatalf("sync: %v (status %+v)", err, u.Status())
	}
	if st := u.Status(); st.State == Refused || src.acked != 2 {
		t.Fatalf("status %+v, acked %d", st, src.acked)
	}
}
