package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"voucherpos/pos"
)

// history --json streams, and its bytes are those of the whole slice
// through an indented json.Encoder, as before it streamed.
func TestStreamHistoryJSONIsTheEncodersArray(t *testing.T) {
	t.Parallel()
	all := daySales(t)
	for _, n := range []int{0, 1, len(all)} {
		var got, want bytes.Buffer
		if err := StreamHistoryJSON(&got, Slice(all[:n])); err != nil {
			t.Fatal(err)
		}
		if err := oldHistoryJSON(&want, all[:n]); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%d sales:\n%s\nwant\n%s", n, got.String(), want.String())
		}
	}
}

// A table longer than a block is written block by block: every row, one
// header; and an error from the sales stops every writer.
func TestStreamWritersTakeEverySaleAndStopOnError(t *testing.T) {
	t.Parallel()
	one := daySales(t)[1]
	many := func(n int) Sales {
		return func(yield func(pos.Sale) error) error {
			for range n {
				if err := yield(one); err != nil {
					return err
				}
			}
			return nil
		}
	}
	var b bytes.Buffer
	if err := StreamHistory(&b, many(2*tableBlock+3)); err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(b.String(), "r-full"); rows != 2*tableBlock+3 || strings.Count(b.String(), "TIME") != 1 {
		t.Fatalf("%d rows, %d headers", rows, strings.Count(b.String(), "TIME"))
	}
	boom := errors.New("boom")
	failing := func(yield func(pos.Sale) error) error {
		if err := yield(one); err != nil {
			return err
		}
		return boom
	}
	for name, write := range map[string]func(*bytes.Buffer) error{
		"json":  func(b *bytes.Buffer) error { return StreamHistoryJSON(b, failing) },
		"table": func(b *bytes.Buffer) error { return StreamHistory(b, failing) },
		"csv":   func(b *bytes.Buffer) error { return StreamReportCSV(b, failing) },
	} {
		if err := write(&bytes.Buffer{}); !errors.Is(err, boom) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
