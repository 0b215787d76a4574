package syncwire

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestScrubMasksLongDigitRuns(t *testing.T) {
	for in, want := range map[string]string{
		"pin 1168648096792943 ok": "pin ************2943 ok",
		"+27821234567":            "+*******4567",
		"amount=12050 ZAR":        "amount=12050 ZAR",
		"123456789":               "123456789",
		"":                        "",
		"0123456789x0123456789":   "******6789x******6789",
	} {
		if got := Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

func testBatch(t testing.TB) Batch {
	prev := Genesis
	b := Batch{Version: Version, TerminalID: "till-1"}
	for i := 1; i <= 3; i++ {
		p := Payload{TerminalID: "till-1", Reference: "r", Kind: "created", Sale: Sale{Reference: "r", TerminalID: "till-1", PINLast4: "1234"}}
		raw, err := p.Encode()
		if err != nil {
			t.Fatal(err)
		}
		h := Chain(prev, raw)
		b.Events = append(b.Events, Event{Seq: int64(i), Hash: h, Payload: string(raw)})
		prev = h
	}
	b.Head = 3
	return b
}

func TestVerify(t *testing.T) {
	b := testBatch(t)
	if _, err := b.Verify(); err != nil {
		t.Fatal(err)
	}
	// JSON carries the payload byte for byte, so the hash survives the wire.
	raw, _ := json.Marshal(b)
	var back Batch
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if _, err := back.Verify(); err != nil {
		t.Fatalf("after a JSON round trip: %v", err)
	}
	bad := testBatch(t)
	bad.Events[1].Payload = strings.Replace(bad.Events[1].Payload, "created", "approved", 1)
	if _, err := bad.Verify(); err == nil {
		t.Fatal("an edited payload verified")
	}
	gap := testBatch(t)
	gap.Events = append(gap.Events[:1], gap.Events[2:]...)
	if _, err := gap.Verify(); err == nil {
		t.Fatal("a batch with a gap verified")
	}
	other := testBatch(t)
	other.TerminalID = "till-2"
	if _, err := other.Verify(); err == nil {
		t.Fatal("another terminal's events verified")
	}
	if _, err := (Payload{Sale: Sale{PINLast4: "12345"}}).Encode(); err == nil {
		t.Fatal("five PIN digits were encoded")
	}
}

// FuzzBatch: whatever a till (or anyone with a token) posts, Verify and
// DecodePayload answer without panicking, and what verifies re-verifies.
func FuzzBatch(f *testing.F) {
	raw, _ := json.Marshal(testBatch(f))
	f.Add(raw)
	f.Add([]byte(`{"version":1,"terminal_id":"x","events":[{"seq":1,"hash":"00","payload":"{}"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var b Batch
		if json.Unmarshal(data, &b) != nil {
			return
		}
		if _, err := b.Verify(); err == nil {
			if _, err := b.Verify(); err != nil {
				t.Fatal("verified once, not twice")
			}
		}
		for _, e := range b.Events {
			DecodePayload([]byte(e.Payload))
		}
	})
}
