package ui

// Benchmarks of drawing: View() for every screen at 80×24 and 40×12, and a
// keystroke (Update and the View that follows) on a fresh journal and on one
// that holds 1 000 sales. `go run ./bench` runs them with the rest of the
// performance harness; see BENCHMARKS.md.

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"voucherpos/kora/sandbox"
	"voucherpos/pos"
	"voucherpos/pos/config"
)

// benchTill is a till on the demo config against an in-process sandbox
// that holds a voucher no number of sales can use up.
type benchTill struct {
	svc *pos.Service
	sb  *sandbox.Server
}

const benchVoucherPIN = "200000009999" // OTT: the balance stays on the PIN

func newBenchTill(tb testing.TB, dir string) *benchTill {
	tb.Helper()
	sb, err := sandbox.Start("")
	if err != nil {
		tb.Fatal(err)
	}
	sb.AddVoucher(sandbox.Voucher{PIN: benchVoucherPIN, Provider: "0002", Balance: 1 << 50})
	cfg := config.Demo(func(string) string { return "" })
	cfg.Kora.BaseURL = sb.URL
	cfg.Journal.Path = filepath.Join(dir, "journal.db")
	svc, err := pos.Open(cfg, pos.Options{Now: benchNow})
	if err != nil {
		sb.Close()
		tb.Fatal(err)
	}
	return &benchTill{svc: svc, sb: sb}
}

func (t *benchTill) close() {
	t.svc.Close()
	t.sb.Close()
}

// sell records n approved sales through the service, as the till does.
func (t *benchTill) sell(tb testing.TB, n int) {
	tb.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		s, err := t.svc.Submit(ctx, pos.Order{Amount: 100, ProviderCode: "0002", PIN: benchVoucherPIN, Phone: "082 123 4567"})
		if err != nil || s.Status != pos.Approved {
			tb.Fatalf("sale %d: %s %v", i, s.Status, err)
		}
	}
}

func benchNow() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, tillZone) }

// benchModel is a till model at a window size, as the program builds it.
func benchModel(svc *pos.Service, w, h int) *model {
	m := newModel(svc, Options{Mode: ModeDemo, Store: storeOf(svc.Config()), Tick: func() tea.Cmd { return nil },
		DemoVouchers: benchVoucherLines()})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// benchVoucherLines are the demo panel's lines, as main builds them.
func benchVoucherLines() []string {
	var out []string
	for _, v := range sandbox.DemoVouchers() {
		out = append(out, fmt.Sprintf("%-19s %-8s %s", sandbox.GroupPIN(v.PIN), v.Provider, v.Does))
	}
	return out
}

// benchScreens sets a model to each screen the till draws: the states of
// the sale, the overlays, the History with a day of 1 000 sales, and the
// window that is too small. TestGoldenScreens checks the same screens.
func benchScreens(cur pos.Currency) []struct {
	name string
	set  func(m *model)
} {
	at, approved, partly := fixtureSales(cur)
	day := make([]pos.Sale, 1000)
	for i := range day {
		day[i] = approved
		day[i].Reference = fmt.Sprintf("demo-1-20261127100000000-%010d", i)
		day[i].CreatedAt = at.Add(time.Duration(i) * time.Second)
	}
	return []struct {
		name string
		set  func(m *model)
	}{
		{"amount", func(m *model) { m.entry.amountText = "1234.5" }},
		{"provider", func(m *model) { m.state, m.entry.amount = stateProvider, 12050 }},
		{"pin", func(m *model) { m.state, m.entry.amount, m.entry.pin = statePIN, 12050, "11686480967" }},
		{"phone", func(m *model) { m.state = statePhone; m.setPhone("082 123 4567") }},
		{"confirm", func(m *model) {
			m.state, m.entry.amount, m.entry.pin, m.entry.phoneE164 = stateConfirm, 12050, sandbox.PINChange, "+27821234567"
		}},
		{"submit", func(m *model) {
			m.state, m.entry.amount, m.out.submittedAt = stateSubmitting, 12050, m.now().Add(-2300*time.Millisecond)
		}},
		{"approved", func(m *model) { m.out.sale, m.state = approved, stateApproved }},
		{"partly", func(m *model) { m.out.sale, m.state = partly, stateApproved }},
		{"declined", func(m *model) {
			m.out.sale, m.state = pos.Sale{Status: pos.Declined, DeclineKind: pos.DeclineInvalidPIN}, stateDeclined
		}},
		{"checking", func(m *model) {
			m.state, m.out.submittedAt, m.out.parkable, m.out.sale.Checks = stateChecking, m.now().Add(-14*time.Second), true, 4
		}},
		{"history", func(m *model) { m.state, m.hist.shown, m.hist.day = stateHistory, []pos.Sale{approved, partly}, at }},
		{"history-1000", func(m *model) { m.state, m.hist.shown, m.hist.sel = stateHistory, day, 500 }},
		{"detail", func(m *model) {
			m.state, m.hist.detail, m.print.note = stateDetail, &approved, "Slip printed (/var/spool/slips.txt)."
		}},
		{"report", func(m *model) {
			m.state, m.hist.day = stateReport, at
			m.hist.report = pos.BuildReport(at, cur, []pos.Sale{approved, partly})
		}},
		{"report-1000", func(m *model) {
			m.state, m.hist.day = stateReport, at
			m.hist.report = pos.BuildReport(at, cur, day)
		}},
		{"slip", func(m *model) {
			m.out.sale, m.state = approved, stateApproved
			m.push(&slipOverlay{lines: strings.Split(strings.TrimSpace(pos.BuildSlip(approved, pos.ReceiptInfo{StoreName: "Demo Spaza", Width: 32, ChangePIN: approved.ChangePIN}).Text()), "\n")})
		}},
		{"help", func(m *model) { m.push(helpPanel()) }},
		{"quit", func(m *model) { m.entry.amountText = "5"; m.push(&quitOverlay{}) }},
		{"vouchers", func(m *model) { m.push(vouchersPanel()) }},
		{"unresolved", func(m *model) { m.unresolved, m.notice = 2, "Parked sale R 25.00 is now APPROVED" }},
		{"too-small", func(m *model) { m.Update(tea.WindowSizeMsg{Width: 39, Height: 11}) }},
	}
}

// BenchmarkView is the cost of drawing each screen once: what Bubble Tea
// pays after every message before it diffs the frame.
func BenchmarkView(b *testing.B) {
	t := newBenchTill(b, b.TempDir())
	defer t.close()
	for _, sc := range benchScreens(t.svc.Currency()) {
		for _, size := range [][2]int{{80, 24}, {40, 12}} {
			b.Run(fmt.Sprintf("%s/%dx%d", sc.name, size[0], size[1]), func(b *testing.B) {
				m := benchModel(t.svc, size[0], size[1])
				sc.set(m)
				m.syncKeys()
				if m.View().Content == "" {
					b.Fatal("empty view")
				}
				b.ReportAllocs()
				cpu := benchCPU()
				for b.Loop() {
					_ = m.View()
				}
				b.ReportMetric(float64(benchCPU()-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// BenchmarkKeystroke is one key on the Amount screen (a digit, then a
// Backspace on the next op) with the View that follows, on a fresh journal
// and on one holding 1 000 sales: a keystroke must cost the same on both.
// Filling the journal (two fsyncs a sale) takes a few seconds per run.
func BenchmarkKeystroke(b *testing.B) {
	for _, n := range []int{0, 1000} {
		b.Run(fmt.Sprintf("journal=%d", n), func(b *testing.B) {
			t := newBenchTill(b, b.TempDir())
			defer t.close()
			t.sell(b, n)
			m := benchModel(t.svc, 80, 24)
			m.entry.amountText = "120"
			keys := []tea.KeyPressMsg{{Code: '5', Text: "5"}, {Code: tea.KeyBackspace}}
			b.ReportAllocs()
			cpu := benchCPU()
			i := 0
			for b.Loop() {
				_, cmd := m.Update(keys[i&1])
				if cmd != nil {
					b.Fatal("a keystroke on the Amount screen started a command")
				}
				_ = m.View()
				i++
			}
			b.ReportMetric(float64(benchCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// benchCPU is the CPU time this process has used, in ns: beside ns/op,
// which other load on the machine inflates, cpu-ns/op counts only the work
// done (the garbage collector's included).
func benchCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
