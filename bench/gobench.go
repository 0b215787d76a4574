package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// benchResult is the parsed figures of one benchmark over its runs.
type benchResult struct {
	name    string
	metrics map[string][]float64 // unit → one value per run
}

func (r *benchResult) median(unit string) float64 { return median(r.metrics[unit]) }

// benchSet keeps results by name in the order first seen.
type benchSet struct {
	order []string
	byKey map[string]*benchResult
}

func newBenchSet() *benchSet { return &benchSet{byKey: map[string]*benchResult{}} }

func (s *benchSet) get(name string) *benchResult { return s.byKey[name] }

// parse reads `go test -bench` output lines such as
//
//	BenchmarkView/amount/80x24-2   12345   9876 ns/op   1234 B/op   56 allocs/op
func (s *benchSet) parse(out string) {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i] // the GOMAXPROCS suffix
			}
		}
		r := s.byKey[name]
		if r == nil {
			r = &benchResult{name: name, metrics: map[string][]float64{}}
			s.byKey[name] = r
			s.order = append(s.order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			r.metrics[f[i+1]] = append(r.metrics[f[i+1]], v)
		}
	}
}

// testBinary compiles a package's tests once (go test -c).
func testBinary(ctx context.Context, root, dir, pkg string) (string, error) {
	bin := filepath.Join(dir, strings.ReplaceAll(strings.TrimPrefix(pkg, "./"), "/", "_")+".test")
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, pkg)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go test -c %s: %v\n%s", pkg, err, out)
	}
	return bin, nil
}

// runBench runs a compiled test binary's benchmarks matching pattern, in
// the package's directory (as go test does), and adds its figures to set.
func runBench(ctx context.Context, set *benchSet, bin, pkgDir, pattern, benchtime string, count int, tmp string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run", "^$", "-test.bench", pattern, "-test.benchmem",
		"-test.benchtime", benchtime, "-test.count", strconv.Itoa(count))
	cmd.Dir = pkgDir
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return fmt.Errorf("%s -test.bench %s: no result within %v", filepath.Base(bin), pattern, timeout)
	}
	if err != nil {
		return fmt.Errorf("%s -test.bench %s: %v\n%s", filepath.Base(bin), pattern, err, out)
	}
	set.parse(string(out))
	return nil
}
