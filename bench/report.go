package main

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// row is one line of the table: our figure, gum's, and the target.
type row struct {
	metric string
	ours   float64 // NaN: not measured
	gum    float64 // NaN: no peer figure
	prec   int     // decimals
	target string
	met    string // "yes", "NO", or "" when there is no target
}

var nan = math.NaN()

func verdict(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

func fmtNum(v float64, prec int) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

func (r row) ratio() string {
	if math.IsNaN(r.ours) || math.IsNaN(r.gum) || r.gum == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", r.ours/r.gum)
}

type reportOut struct{ text, markdown string }

func durations(rs []time.Duration) []float64 {
	out := make([]float64, len(rs))
	for i, d := range rs {
		out[i] = ms(d)
	}
	return out
}

func keyBytes(ks ...[]keyStat) []float64 {
	var out []float64
	for _, k := range ks {
		for _, s := range k {
			out = append(out, float64(s.bytes))
		}
	}
	return out
}

func keyEcho(ks ...[]keyStat) []float64 {
	var out []float64
	for _, k := range ks {
		for _, s := range k {
			out = append(out, ms(s.echo))
		}
	}
	return out
}

func report(f *figures, o options) reportOut {
	var (
		tFirst, gFirst, tCPU, gCPU, tHWM, gHWM []float64
		tIdle, gIdle                           []float64
		tDigits, gDigits                       [][]keyStat
		changes                                = map[string][]float64{}
		changeEcho                             = map[string][]float64{}
	)
	for _, r := range f.till {
		tFirst = append(tFirst, ms(r.firstFrame))
		tCPU = append(tCPU, ms(r.cpu))
		tIdle = append(tIdle, ms(r.idle))
		tHWM = append(tHWM, mb(r.mem.HWM))
		tDigits = append(tDigits, r.digits)
		for k, v := range r.changes {
			changes[k] = append(changes[k], float64(v.bytes))
			changeEcho[k] = append(changeEcho[k], ms(v.echo))
		}
	}
	for _, r := range f.gum {
		gFirst = append(gFirst, ms(r.firstFrame))
		gCPU = append(gCPU, ms(r.cpu))
		gIdle = append(gIdle, ms(r.idle))
		gHWM = append(gHWM, mb(r.mem.HWM))
		gDigits = append(gDigits, r.digits)
	}
	var dFirst, dKora, dEcho []float64
	koraFirst := true
	for _, r := range f.dead {
		dFirst = append(dFirst, ms(r.firstFrame))
		if r.koraSeen {
			dKora = append(dKora, ms(r.koraAfter))
			if r.koraAfter <= 0 {
				koraFirst = false
			}
		}
		dEcho = append(dEcho, keyEcho(r.digits)...)
	}
	// A screen change: the median over the key-driven transitions of one
	// sale (the charge itself, with its spinner, is shown apart).
	var perChange []float64
	for k, v := range changes {
		if k != "confirm → approved" {
			perChange = append(perChange, median(v))
		}
	}

	gumCol := func(v float64) float64 {
		if len(f.gum) == 0 {
			return nan
		}
		return v
	}
	first, gfirst := median(tFirst), gumCol(median(gFirst))
	digit, gdigit := median(keyBytes(tDigits...)), gumCol(median(keyBytes(gDigits...)))
	hwm, ghwm := median(tHWM), gumCol(median(gHWM))
	var rows []row
	add := func(r row) { rows = append(rows, r) }

	add(row{metric: "start-up to the first complete Amount frame, DEMO (ms)", ours: first, gum: gfirst, prec: 1,
		target: "≤ 30 and below gum", met: verdict(first <= 30 && (math.IsNaN(gfirst) || first < gfirst))})
	add(row{metric: "  CPU time of the process by then (ms)", ours: median(tCPU), gum: gumCol(median(gCPU)), prec: 1})
	add(row{metric: "start-up, Kora dead and 3 sales pending, TEST (ms)", ours: median(dFirst), gum: nan, prec: 1,
		target: "≤ 30", met: verdict(median(dFirst) <= 30)})
	add(row{metric: "  first Kora call after the first frame (ms)", ours: median(dKora), gum: nan, prec: 1,
		target: "> 0 in every run", met: verdict(len(dKora) == len(f.dead) && koraFirst)})
	add(row{metric: "  keystroke echo while Kora hangs (ms)", ours: median(dEcho), gum: nan, prec: 1})
	if len(f.dead) > 0 {
		q := nan
		if f.dead[0].quit > 0 {
			q = ms(f.dead[0].quit)
		}
		add(row{metric: "  Ctrl+C, y to exit while Kora hangs (ms, one run)", ours: q, gum: nan, prec: 0})
	}
	add(row{metric: "peak RSS after the first frame (MB)", ours: hwm, gum: ghwm, prec: 1,
		target: "≤ 20", met: verdict(hwm <= 20)})
	if o.sales > 0 {
		add(row{metric: fmt.Sprintf("peak RSS after %d sales typed, one process (MB)", f.long.sales), ours: mb(f.long.after.HWM), gum: nan, prec: 1,
			target: "≤ 25", met: verdict(f.long.after.HWM > 0 && mb(f.long.after.HWM) <= 25)})
	}
	if r := f.bench.get("BenchmarkThousandSales"); r != nil {
		v := r.median("peak-RSS-MB")
		add(row{metric: "peak RSS after 1 000 sales, pos.Service in one process (MB)", ours: v, gum: nan, prec: 1,
			target: "≤ 25", met: verdict(v <= 25)})
		add(row{metric: "  of which before the first sale (MB)", ours: r.median("base-RSS-MB"), gum: nan, prec: 1})
		add(row{metric: "  live heap after 1 000 sales (MB)", ours: r.median("heap-live-MB"), gum: nan, prec: 2})
		add(row{metric: "  sale latency, first 100 → last 100 (ms)", ours: r.median("last100-ms/sale"), gum: nan, prec: 2,
			target: fmt.Sprintf("flat (first 100: %.2f)", r.median("first100-ms/sale"))})
	}
	add(row{metric: "bytes written per typed digit", ours: digit, gum: gdigit, prec: 0,
		target: "≤ 24", met: verdict(digit <= 24)})
	if o.sales > 0 && len(f.long.later) > 0 {
		fresh, later := median(keyBytes(f.long.fresh)), median(keyBytes(f.long.later))
		add(row{metric: fmt.Sprintf("  the same after %d sales", f.long.sales), ours: later, gum: nan, prec: 0,
			target: fmt.Sprintf("= fresh (%.0f)", fresh), met: verdict(later <= fresh)})
	}
	add(row{metric: "keystroke echo, key to screen (ms)", ours: median(keyEcho(tDigits...)), gum: gumCol(median(keyEcho(gDigits...))), prec: 1})
	add(row{metric: "CPU while idle on the Amount screen (ms per s)", ours: median(tIdle), gum: gumCol(median(gIdle)), prec: 2})
	add(row{metric: "bytes written per screen change (median of 5)", ours: median(perChange), gum: nan, prec: 0})
	add(row{metric: "stripped binary, linux/amd64 (MB)", ours: mb(f.sizeAMD64), gum: nan, prec: 2,
		target: "≤ 20", met: verdict(mb(f.sizeAMD64) <= 20)})
	add(row{metric: "stripped binary, linux/arm64 (MB)", ours: mb(f.sizeARM64), gum: nan, prec: 2,
		target: "≤ 20", met: verdict(mb(f.sizeARM64) <= 20)})

	views := viewTable(f.bench)
	if len(views.rows) > 0 {
		add(row{metric: fmt.Sprintf("View(), slowest screen: %s (µs)", views.slowest), ours: views.max, gum: nan, prec: 1,
			target: "≤ 50 every screen", met: verdict(views.max <= 50)})
		add(row{metric: fmt.Sprintf("View(), most allocations: %s (allocs/op)", views.mostAllocs), ours: views.allocs, gum: nan, prec: 0})
	}
	k0, k1 := f.bench.get("BenchmarkKeystroke/journal=0"), f.bench.get("BenchmarkKeystroke/journal=1000")
	if k0 != nil && k1 != nil {
		a, b := k0.median("ns/op")/1000, k1.median("ns/op")/1000
		add(row{metric: "keystroke Update+View, journal of 1 000 sales (µs)", ours: b, gum: nan, prec: 1,
			target: fmt.Sprintf("flat (empty: %.1f)", a), met: verdict(b <= a*1.25)})
	}
	if r := f.bench.get("BenchmarkSaleWrite"); r != nil {
		add(row{metric: "journal write per sale, 2 fsync'd transactions (ms)", ours: r.median("ns/op") / 1e6, gum: nan, prec: 2})
	}
	sub, bare := f.bench.get("BenchmarkSubmit"), f.bench.get("BenchmarkBareCharge")
	if sub != nil && bare != nil {
		add(row{metric: "Submit overhead over the bare client (ms)", ours: (sub.median("ns/op") - bare.median("ns/op")) / 1e6, gum: nan, prec: 2,
			target: fmt.Sprintf("Submit %.2f, bare %.2f", sub.median("ns/op")/1e6, bare.median("ns/op")/1e6)})
	}

	// Text.
	var t, md strings.Builder
	fmt.Fprintf(&t, "\nvoucherpos performance — %s\n", time.Now().Format("2006-01-02 15:04"))
	for _, l := range f.env {
		fmt.Fprintf(&t, "  %s\n", l)
	}
	if f.gumErr != nil {
		fmt.Fprintf(&t, "  peer: gum could not be installed: %v\n", firstLine(f.gumErr.Error()))
	} else if f.gumAbout != "" {
		fmt.Fprintf(&t, "  peer: %s (`gum input`), from the Go module proxy\n", f.gumAbout)
	}
	fmt.Fprintf(&t, "  medians of %d pty runs per program, Go benchmarks -count %d; MB = 10^6 bytes\n\n", len(f.till), o.count)
	w := 0
	for _, r := range rows {
		w = max(w, len([]rune(r.metric)))
	}
	fmt.Fprintf(&t, "%-*s  %9s  %9s  %6s  %-28s %s\n", w, "", "voucherpos", "gum", "ratio", "target", "met")
	for _, r := range rows {
		fmt.Fprintf(&t, "%s%s  %9s  %9s  %6s  %-28s %s\n", r.metric, strings.Repeat(" ", w-len([]rune(r.metric))),
			fmtNum(r.ours, r.prec), fmtNum(r.gum, r.prec), r.ratio(), r.target, r.met)
	}

	fmt.Fprintf(&md, "| | voucherpos | gum | ratio | target | met |\n|---|---:|---:|---:|---|---|\n")
	for _, r := range rows {
		metric := r.metric
		if sub, ok := strings.CutPrefix(metric, "  "); ok {
			metric = "↳ " + sub
		}
		fmt.Fprintf(&md, "| %s | %s | %s | %s | %s | %s |\n", metric, fmtNum(r.ours, r.prec), fmtNum(r.gum, r.prec), r.ratio(), r.target, r.met)
	}

	var d strings.Builder
	if len(views.rows) > 0 {
		fmt.Fprintf(&d, "\nView() per screen: median µs a call (ns/op), CPU µs a call (cpu-ns/op, GC included), allocs/op:\n")
		fmt.Fprintf(&d, "  %-14s %9s %9s %7s %9s %9s %7s\n", "screen", "80×24 µs", "cpu µs", "allocs", "40×12 µs", "cpu µs", "allocs")
		for _, v := range views.rows {
			fmt.Fprintf(&d, "  %-14s %9.1f %9.1f %7.0f %9.1f %9.1f %7.0f\n", v.name, v.us[0], v.cpu[0], v.allocs[0], v.us[1], v.cpu[1], v.allocs[1])
		}
	}
	if len(changes) > 0 {
		fmt.Fprintf(&d, "\nScreen changes of one sale (median bytes written; key to screen, ms):\n")
		for _, k := range []string{"amount → provider", "provider → PIN", "PIN → phone", "phone → confirm", "confirm → approved", "approved → new sale"} {
			if v, ok := changes[k]; ok {
				fmt.Fprintf(&d, "  %-22s %6.0f B  %6.1f ms\n", k, median(v), median(changeEcho[k]))
			}
		}
	}
	if len(f.till) > 0 {
		fmt.Fprintf(&d, "\nBytes per digit, each of the six digits typed (medians over runs):\n  voucherpos %v\n", perPosition(tDigits))
		if len(f.gum) > 0 {
			fmt.Fprintf(&d, "  gum        %v\n", perPosition(gDigits))
		}
	}
	if o.sales > 0 {
		fmt.Fprintf(&d, "\nOne till process, %d sales typed (%.0f ms a sale, 0.5 s of it the result grace):\n", f.long.sales, ms(f.long.elapsedPerSale))
		fmt.Fprintf(&d, "  %-22s %8s %8s %8s\n", "MB", "VmHWM", "anon", "file")
		fmt.Fprintf(&d, "  %-22s %8.1f %8.1f %8.1f\n", "after the first frame", mb(f.long.first.HWM), mb(f.long.first.Anon), mb(f.long.first.File))
		for i, m := range f.long.every {
			n := min((i+1)*10, f.long.sales)
			fmt.Fprintf(&d, "  %-22s %8.1f %8.1f %8.1f\n", fmt.Sprintf("after %d sales", n), mb(m.HWM), mb(m.Anon), mb(m.File))
		}
		fmt.Fprintf(&d, "  bytes per digit fresh %v, after the sales %v\n", bytesOf(f.long.fresh), bytesOf(f.long.later))
		fmt.Fprintf(&d, "  echo fresh %v, after the sales %v\n", echoOf(f.long.fresh), echoOf(f.long.later))
		if f.longErr != nil {
			fmt.Fprintf(&d, "  stopped early: %v\n", firstLine(f.longErr.Error()))
		}
	}
	if len(dKora) > 0 {
		fmt.Fprintf(&d, "\nKora dead: first frame %v ms; first Kora call after it %v ms\n", rounded(dFirst), rounded(dKora))
	}
	if r := f.bench.get("BenchmarkThousandSales"); r != nil {
		fmt.Fprintf(&d, "\n1 000 sales in one process, per run: peak RSS %v MB, live heap %v MB\n", rounded(r.metrics["peak-RSS-MB"]), rounded(r.metrics["heap-live-MB"]))
	}
	if f.sizeDetail != "" {
		fmt.Fprintf(&d, "\n%s", f.sizeDetail)
	}
	for _, e := range f.benchErrs {
		fmt.Fprintf(&d, "\nbenchmark error: %v\n", e)
	}

	text := t.String() + d.String()
	head := t.String()
	head = head[:strings.Index(head, "\n\n")] // the lines above the table
	markdown := "```" + head + "\n```\n\n" + md.String() + "\n```" + d.String() + "```\n"
	return reportOut{text: text, markdown: markdown}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func rounded(v []float64) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = fmt.Sprintf("%.1f", x)
	}
	return out
}

// perPosition is the median bytes of the i-th digit typed, over runs.
func perPosition(runs [][]keyStat) []float64 {
	var out []float64
	for i := 0; ; i++ {
		var v []float64
		for _, r := range runs {
			if i < len(r) {
				v = append(v, float64(r[i].bytes))
			}
		}
		if len(v) == 0 {
			return out
		}
		out = append(out, median(v))
	}
}

type viewRow struct {
	name   string
	us     [2]float64
	cpu    [2]float64
	allocs [2]float64
}

type viewSummary struct {
	rows                []viewRow
	max, allocs         float64
	slowest, mostAllocs string
}

// viewTable folds BenchmarkView/<screen>/<w>x<h> into one row per screen.
func viewTable(set *benchSet) viewSummary {
	var s viewSummary
	idx := map[string]int{}
	for _, name := range set.order {
		rest, ok := strings.CutPrefix(name, "BenchmarkView/")
		if !ok {
			continue
		}
		screen, size, _ := strings.Cut(rest, "/")
		col := 0
		if size == "40x12" {
			col = 1
		}
		i, ok := idx[screen]
		if !ok {
			i = len(s.rows)
			idx[screen] = i
			s.rows = append(s.rows, viewRow{name: screen})
		}
		r := set.get(name)
		us, allocs := r.median("ns/op")/1000, r.median("allocs/op")
		s.rows[i].us[col], s.rows[i].allocs[col] = us, allocs
		s.rows[i].cpu[col] = r.median("cpu-ns/op") / 1000
		if us > s.max {
			s.max, s.slowest = us, screen+" "+strings.ReplaceAll(size, "x", "×")
		}
		if allocs > s.allocs {
			s.allocs, s.mostAllocs = allocs, screen+" "+strings.ReplaceAll(size, "x", "×")
		}
	}
	return s
}
