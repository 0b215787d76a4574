package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// row is one line of the table: our figure, gum's, and the target.
type row struct {
	metric string
	ours   float64 // NaN: not measured
	gum    float64 // NaN: no peer figure
	min    float64 // the minimal Bubble Tea v2 program; NaN: none
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

func (r row) ratio() string { return ratioOf(r.ours, r.gum) }

func ratioOf(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", a/b)
}

type reportOut struct{ text, markdown string }

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
	add := func(r row) {
		if r.min == 0 {
			r.min = nan
		}
		rows = append(rows, r)
	}
	var mFirst, mHWM, mIdle []float64
	for _, r := range f.minimal {
		mFirst, mHWM, mIdle = append(mFirst, ms(r.firstFrame)), append(mHWM, mb(r.mem.HWM)), append(mIdle, ms(r.idle))
	}
	minCol := func(v []float64) float64 {
		if len(v) == 0 {
			return nan
		}
		return median(v)
	}
	mfirst, mhwm := minCol(mFirst), minCol(mHWM)
	within := func(v, limit float64) bool { return math.IsNaN(limit) || v <= limit }

	add(row{metric: "start-up to the first complete Amount frame, DEMO (ms)", ours: first, gum: gfirst, min: mfirst, prec: 1,
		target: "≤ 0.5 × gum, ≤ 2 × minimal", met: verdict(within(first, 0.5*gfirst) && within(first, 2*mfirst))})
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
	add(row{metric: "peak RSS after the first frame (MB)", ours: hwm, gum: ghwm, min: mhwm, prec: 1,
		target: "≤ 0.75 × gum, ≤ 1.6 × minimal", met: verdict(within(hwm, 0.75*ghwm) && within(hwm, 1.6*mhwm))})
	if o.sales > 0 {
		lim := mb(f.long.first.HWM) + 2
		add(row{metric: fmt.Sprintf("peak RSS after %d sales typed, one process (MB)", f.long.sales), ours: mb(f.long.after.HWM), gum: nan, prec: 1,
			target: fmt.Sprintf("≤ first frame + 2 (%.1f)", lim), met: verdict(f.long.after.HWM > 0 && mb(f.long.after.HWM) <= lim)})
	}
	if r := f.bench.get("BenchmarkThousandSales"); r != nil {
		v, lim := r.median("peak-RSS-MB"), r.median("base-RSS-MB")+2
		add(row{metric: "peak RSS after 1 000 sales, pos.Service in one process (MB)", ours: v, gum: nan, prec: 1,
			target: fmt.Sprintf("≤ before + 2 (%.1f)", lim), met: verdict(v <= lim)})
		add(row{metric: "  of which before the first sale (MB)", ours: r.median("base-RSS-MB"), gum: nan, prec: 1})
		add(row{metric: "  live heap after 1 000 sales (MB)", ours: r.median("heap-live-MB"), gum: nan, prec: 2})
		add(row{metric: "  sale latency, first 100 → last 100 (ms)", ours: r.median("last100-ms/sale"), gum: nan, prec: 2,
			target: fmt.Sprintf("flat (first 100: %.2f)", r.median("first100-ms/sale"))})
	}
	add(row{metric: "bytes written per typed digit", ours: digit, gum: gdigit, prec: 0,
		target: "≤ 24", met: verdict(digit <= 24)})
	if len(f.syncs) > 0 {
		var sd [][]keyStat
		wrapped := true
		for _, r := range f.syncs {
			sd = append(sd, r.digits)
			wrapped = wrapped && r.wrapped
		}
		note := "frames wrapped in 2026 h/l"
		if !wrapped {
			note = "NOT wrapped: no 2026 frames"
		}
		add(row{metric: "  the same on a terminal with mode 2026 (synchronized)", ours: median(keyBytes(sd...)), gum: nan, prec: 0, target: note})
	}
	if o.sales > 0 && len(f.long.later) > 0 {
		fresh, later := median(keyBytes(f.long.fresh)), median(keyBytes(f.long.later))
		add(row{metric: fmt.Sprintf("  the same after %d sales", f.long.sales), ours: later, gum: nan, prec: 0,
			target: fmt.Sprintf("= fresh (%.0f)", fresh), met: verdict(later <= fresh)})
	}
	add(row{metric: "keystroke echo, key to screen (ms)", ours: median(keyEcho(tDigits...)), gum: gumCol(median(keyEcho(gDigits...))), prec: 1})
	idle, gidle := median(tIdle), gumCol(median(gIdle))
	add(row{metric: "CPU while idle on the Amount screen (ms per s)", ours: idle, gum: gidle, min: minCol(mIdle), prec: 2,
		target: "≤ gum", met: verdict(within(idle, gidle))})
	add(row{metric: "bytes written per screen change (median of 5)", ours: median(perChange), gum: nan, prec: 0})
	add(row{metric: "stripped binary, linux/amd64 (MB)", ours: mb(f.sizeAMD64), gum: nan, prec: 2,
		target: "≤ 20", met: verdict(mb(f.sizeAMD64) <= 20)})
	add(row{metric: "stripped binary, linux/arm64 (MB)", ours: mb(f.sizeARM64), gum: nan, prec: 2,
		target: "≤ 20", met: verdict(mb(f.sizeARM64) <= 20)})
	if f.sizeNoSrv > 0 {
		add(row{metric: "  amd64 without the store server, -tags noserver (MB)", ours: mb(f.sizeNoSrv), gum: nan, min: mb(f.sizeMin), prec: 2,
			target: fmt.Sprintf("the server: %.2f MB", mb(f.sizeAMD64-f.sizeNoSrv))})
	}

	// The busy day: 100 000 sales on one day.
	busy := func(c string) *benchResult { return f.bench.get("BenchmarkBusyDay/" + c) }
	for _, c := range []struct{ name, metric string }{
		{"report", "Z-report totals"},
		{"history-first-screen", "History, first screen (100 rows)"},
		{"history-unresolved-first-screen", "History, first screen, unresolved filter"},
	} {
		if r := busy(c.name); r != nil {
			v, g := r.median("ns/op")/1e6, r.median("rss-growth-MB")
			add(row{metric: "100 000 sales: " + c.metric + " (ms)", ours: v, gum: nan, prec: 2,
				target: fmt.Sprintf("≤ 50 (first call %.1f)", r.median("first-ms")), met: verdict(v <= 50 && r.median("first-ms") <= 50)})
			add(row{metric: "  RSS growth (MB)", ours: g, gum: nan, prec: 2, target: "≤ 2", met: verdict(g <= 2)})
		}
	}
	for _, c := range []struct{ name, metric string }{
		{"history-json", "history --json, the day streamed"},
		{"history-table", "history, the day streamed as a table"},
		{"report-csv", "report --csv, the day streamed"},
	} {
		if r := busy(c.name); r != nil {
			g := r.median("rss-growth-MB")
			add(row{metric: "100 000 sales: " + c.metric + ", RSS growth (MB)", ours: g, gum: nan, prec: 2,
				target: fmt.Sprintf("≤ 2 (%.0f ms)", r.median("ns/op")/1e6), met: verdict(g <= 2)})
		}
	}
	if r := busy("day-in-memory"); r != nil {
		add(row{metric: "100 000 sales: the day in memory, as before (ms)", ours: r.median("ns/op") / 1e6, gum: nan, prec: 0,
			target: fmt.Sprintf("RSS growth %.0f MB", r.median("rss-growth-MB"))})
	}
	cmdMed := func(name string) (wall, rss float64) {
		var w, r []float64
		for _, c := range f.cmds[name] {
			w, r = append(w, ms(c.wall)), append(r, mb(c.rss))
		}
		return median(w), median(r)
	}
	for _, name := range f.cmdOrder {
		w, r := cmdMed(name)
		rw := row{metric: "command: " + name + " (ms; peak RSS MB)", ours: w, gum: nan, prec: 1, target: fmt.Sprintf("peak RSS %.1f MB", r)}
		for _, pair := range [][2]string{{"history, 100 000 sales", "history, an empty day"}, {"history --json, 100 000 sales", "history --json, an empty day"}, {"report, 100 000 sales", "report, an empty day"}} {
			if name == pair[0] {
				w0, r0 := cmdMed(pair[1])
				rw.target = fmt.Sprintf("RSS %.1f ≤ empty day + 2", r)
				rw.met = verdict(r <= r0+2)
				if name == "report, 100 000 sales" {
					rw.target = fmt.Sprintf("RSS %.1f ≤ empty + 2; ≤ empty + 50 ms", r)
					rw.met = verdict(r <= r0+2 && w <= w0+50)
				}
			}
		}
		add(rw)
	}
	if c, ok := f.inits["github.com/nyaruka/phonenumbers"]; ok {
		add(row{metric: "init of nyaruka/phonenumbers v1.8.1 (decoded on first use), every command (ms)", ours: c.clockMS, gum: nan, prec: 1,
			target: fmt.Sprintf("%.2f MB, %d allocs; all inits %.1f ms", float64(c.bytes)/1e6, c.allocs, f.initSum.clockMS)})
	}
	if r := f.bench.get("BenchmarkPhoneFirstUse"); r != nil {
		add(row{metric: "  the first phone number a till parses, metadata decoded (ms)", ours: r.median("first-ms"), gum: nan, prec: 1,
			target: fmt.Sprintf("%.2f MB, %.0f allocs; the next %.0f µs", r.median("first-alloc-MB"), r.median("first-allocs"), r.median("next-µs"))})
	}

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
		if nf := f.bench.get("BenchmarkSubmitNoFsync"); nf != nil {
			add(row{metric: "  the same without fsync, journal on tmpfs (ms)", ours: (nf.median("ns/op") - bare.median("ns/op")) / 1e6, gum: nan, prec: 2,
				target: fmt.Sprintf("Submit %.2f; 2 commits a sale", nf.median("ns/op")/1e6)})
		}
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
	fmt.Fprintf(&t, "%-*s  %9s  %9s  %6s  %9s  %6s  %-40s %s\n", w, "", "voucherpos", "gum", "×gum", "minimal", "×min", "target", "met")
	for _, r := range rows {
		fmt.Fprintf(&t, "%s%s  %9s  %9s  %6s  %9s  %6s  %-40s %s\n", r.metric, strings.Repeat(" ", w-len([]rune(r.metric))),
			fmtNum(r.ours, r.prec), fmtNum(r.gum, r.prec), r.ratio(), fmtNum(r.min, r.prec), ratioOf(r.ours, r.min), r.target, r.met)
	}

	fmt.Fprintf(&md, "| | voucherpos | gum | ×gum | minimal | ×min | target | met |\n|---|---:|---:|---:|---:|---:|---|---|\n")
	for _, r := range rows {
		metric := r.metric
		if sub, ok := strings.CutPrefix(metric, "  "); ok {
			metric = "↳ " + sub
		}
		fmt.Fprintf(&md, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", metric, fmtNum(r.ours, r.prec), fmtNum(r.gum, r.prec), r.ratio(),
			fmtNum(r.min, r.prec), ratioOf(r.ours, r.min), r.target, r.met)
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
	if len(f.syncs) > 0 {
		var sd [][]keyStat
		for _, r := range f.syncs {
			sd = append(sd, r.digits)
		}
		fmt.Fprintf(&d, "\nBytes per digit on a terminal that answers mode 2026 (each frame in CSI ? 2026 h … l): %v\n", perPosition(sd))
	}
	if f.busyErr == nil && f.busyWrite > 0 {
		fmt.Fprintf(&d, "\nThe busy day: %d sales written in %.1f s (internal/busyday)\n", busyDaySales, f.busyWrite.Seconds())
	}
	if len(f.inits) > 0 {
		type kv struct {
			k string
			c initCost
		}
		var all []kv
		for k, c := range f.inits {
			all = append(all, kv{k, c})
		}
		sort.Slice(all, func(i, j int) bool { return all[i].c.clockMS > all[j].c.clockMS })
		fmt.Fprintf(&d, "\nPackage init of `voucherpos version` (GODEBUG=inittrace=1), the largest:\n")
		for i, e := range all {
			if i == 6 {
				break
			}
			fmt.Fprintf(&d, "  %-40s %6.2f ms %8.2f MB %7d allocs\n", e.k, e.c.clockMS, float64(e.c.bytes)/1e6, e.c.allocs)
		}
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
