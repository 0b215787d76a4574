package store

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Each statement the ingest batches has one VALUES row of $1 … $n in
// order, which multiRow numbers on for the rows after the first.
func TestBatchedStatementsHaveOneRowOfNumberedParameters(t *testing.T) {
	tuple := regexp.MustCompile(`VALUES \(([^)]*)\)`)
	for name, q := range map[string]string{"events": insertEventSQL, "sales": upsertSaleSQL, "rollup": upsertRollupSQL} {
		m := tuple.FindAllStringSubmatch(q, -1)
		if len(m) != 1 {
			t.Fatalf("%s: %d VALUES lists", name, len(m))
		}
		for i, p := range strings.Split(m[0][1], ",") {
			if strings.TrimSpace(p) != fmt.Sprintf("$%d", i+1) {
				t.Fatalf("%s: parameter %d is %q", name, i+1, p)
			}
		}
		if strings.Count(q, "$") != strings.Count(m[0][1], "$") {
			t.Fatalf("%s: parameters outside its VALUES list", name)
		}
	}
}

func TestMultiRow(t *testing.T) {
	const q = "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (a) DO NOTHING"
	if got, args := multiRow(q, [][]any{{1, "x"}}); got != q || len(args) != 2 {
		t.Fatalf("one row: %q %v", got, args)
	}
	got, args := multiRow(q, [][]any{{1, "x"}, {2, "y"}, {3, "z"}})
	if want := "INSERT INTO t (a, b) VALUES ($1,$2), ($3,$4), ($5,$6) ON CONFLICT (a) DO NOTHING"; got != want {
		t.Fatalf("three rows:\n%s\nwant\n%s", got, want)
	}
	if fmt.Sprint(args) != "[1 x 2 y 3 z]" {
		t.Fatalf("args %v", args)
	}
	var b rowBatch
	b.Queue(q, 1, "x")
	b.Queue(q, 2, "y")
	b.Queue("UPDATE t SET b = $1", "z")
	b.Queue(q, 3, "w")
	if len(b.runs) != 3 || len(b.runs[0].rows) != 2 || len(b.runs[2].rows) != 1 {
		t.Fatalf("runs %+v", b.runs)
	}
}
