package pos

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"voucherpos/kora/sandbox"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files")

func zar() Currency { c, _ := LookupCurrency("ZAR"); return c }

func fixedSales() map[string]Sale {
	at := time.Date(2026, 11, 27, 9, 41, 3, 0, time.UTC)
	base := Sale{Reference: "demo-1-20261127094103000-abcdefghij", CreatedAt: at, TerminalID: "demo-1", Status: Approved,
		Currency: zar(), ProviderCode: "0001", ProviderName: "1Voucher", PINLast4: "2943", KoraReference: "KPY-CA-qFNr4bXheKr6",
		VoucherSerial: "20251024103152983020"}
	change := base
	change.Requested, change.Charged, change.Fee, change.VAT = 12050, 12050, 181, 27
	change.Balance, change.HasBalance, change.HasChangePIN = 37950, true, true
	change.Expiry = time.Date(2029, 11, 27, 0, 0, 0, 0, time.UTC)
	full := base
	full.Requested, full.Charged, full.Fee, full.VAT, full.HasBalance = 10000, 10000, 150, 23, true
	partly := base
	partly.ProviderCode, partly.ProviderName, partly.PINLast4 = "0002", "OTT", "0050"
	partly.Requested, partly.Charged, partly.Fee, partly.VAT, partly.HasBalance = 8000, 5000, 75, 11, true
	return map[string]Sale{"change": change, "full": full, "partly": partly}
}

// Golden slips at each width: with and without a change voucher, partly
// paid, and a reprint. go test ./pos -run Slip -update rewrites them.
func TestSlipGoldens(t *testing.T) {
	t.Parallel()
	sales := fixedSales()
	for _, w := range ReceiptWidths {
		for name, s := range sales {
			for _, reprint := range []bool{false, true} {
				slip := BuildSlip(s, ReceiptInfo{StoreName: "Demo Spaza", TerminalID: "demo-1", Width: w,
					ChangePIN: "4978912404790295", Reprint: reprint, Location: time.UTC})
				text := slip.Text()
				for i, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
					if n := utf8.RuneCountInString(l); n > w {
						t.Errorf("%s/%d: line %d is %d wide: %q", name, w, i, n, l)
					}
				}
				if strings.Contains(text, sandbox.PINChange) {
					t.Fatal("the customer's PIN is on the slip")
				}
				if s.HasChangePIN != strings.Contains(text, "4978 9124 0479 0295") {
					t.Errorf("%s/%d: change PIN shown = %v", name, w, !s.HasChangePIN)
				}
				if reprint != strings.Contains(text, "REPRINT") {
					t.Errorf("%s/%d: REPRINT mark", name, w)
				}
				if s.PartlyPaid() && !strings.Contains(strings.Join(strings.Fields(text), " "), "PARTLY PAID - collect R 30.00 by other means") {
					t.Errorf("%s/%d: no partly-paid line:\n%s", name, w, text)
				}
				file := filepath.Join("testdata", "slip-"+name+"-"+strconv.Itoa(w))
				if reprint {
					file += "-reprint"
				}
				file += ".golden"
				if *updateGolden {
					os.MkdirAll("testdata", 0o755)
					os.WriteFile(file, []byte(text), 0o644)
					continue
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (go test ./pos -run Slip -update)", err)
				}
				if string(want) != text {
					t.Errorf("%s differs:\n%s", file, text)
				}
			}
		}
	}
}

func TestSlipESCPOS(t *testing.T) {
	t.Parallel()
	slip := BuildSlip(fixedSales()["change"], ReceiptInfo{StoreName: "S", Width: 32, ChangePIN: "4978912404790295"})
	b := slip.ESCPOS()
	if !bytes.HasPrefix(b, []byte{0x1b, '@'}) || !bytes.HasSuffix(b, []byte{0x1d, 'V', 66, 0}) {
		t.Fatalf("no init or cut: % x", b[:4])
	}
	if !bytes.Contains(b, []byte("\x1bE\x01New PIN   4978 9124 0479 0295\x1bE\x00")) {
		t.Fatal("the change PIN is not bold")
	}
}

func TestPrinters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	slip := BuildSlip(fixedSales()["full"], ReceiptInfo{StoreName: "S", Width: 32})
	dir := t.TempDir()

	var out bytes.Buffer
	p, _ := NewPrinter("stdout", false, &out)
	if err := p.Print(ctx, slip); err != nil || !strings.Contains(out.String(), "APPROVED") {
		t.Fatalf("stdout: %v %q", err, out.String())
	}
	file := filepath.Join(dir, "slips.txt")
	p, _ = NewPrinter(file, true, nil)
	p.Print(ctx, slip)
	p.Print(ctx, slip)
	b, _ := os.ReadFile(file)
	if strings.Count(string(b), "APPROVED") != 2 || bytes.Contains(b, []byte{0x1b}) {
		t.Fatalf("file printer must append plain text: %q", b)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Fatalf("slip file mode %v", fi.Mode().Perm())
	}
	p, _ = NewPrinter("/dev/null", true, nil) // a character device: raw ESC/POS
	if err := p.Print(ctx, slip); err != nil {
		t.Fatalf("device: %v", err)
	}
	if p, _ := NewPrinter("", false, nil); p != nil {
		t.Fatal("no printer configured must be nil")
	}
	if _, err := NewPrinter("lp:", false, nil); err == nil {
		t.Fatal("lp: without a queue accepted")
	}

	// Each failure is an error with words, never a panic.
	failures := map[string]string{
		"/dev/usb/lp9":                "not connected",
		dir:                           "is a folder",
		"/dev/full":                   "no space left",
		filepath.Join(dir, "no/such"): "no such file",
	}
	if _, err := exec.LookPath("lp"); err != nil {
		failures["lp:receipts"] = "lp is not installed"
	}
	for spec, want := range failures {
		p, err := NewPrinter(spec, true, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Print(ctx, slip); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want %q", spec, err, want)
		}
	}
}

// A printer failure leaves the sale as it was and is noted in its events.
func TestPrintFailureKeepsTheSale(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	sale, _ := r.svc.Submit(ctx, order(12050, "0001", sandbox.PINChange))
	r.svc.printer, _ = NewPrinter("/dev/full", false, nil)
	if err := r.svc.Print(ctx, sale.Reference, false); err == nil {
		t.Fatal("printing to /dev/full succeeded")
	}
	after, _ := r.svc.Get(ctx, sale.Reference)
	if after.Status != Approved || after.Charged != sale.Charged {
		t.Fatalf("the sale changed: %+v", after)
	}
	file := filepath.Join(t.TempDir(), "slips.txt")
	r.svc.printer, _ = NewPrinter(file, false, nil)
	if err := r.svc.Print(ctx, sale.Reference, true); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(file)
	if !strings.Contains(string(b), GroupPIN(sale.ChangePIN)) || !strings.Contains(string(b), "REPRINT") || !strings.Contains(string(b), "R 379.50") {
		t.Fatalf("reprint slip:\n%s", b)
	}
	if strings.Contains(string(b), sandbox.PINChange) {
		t.Fatal("the customer's PIN is on the slip")
	}
	ev, _ := r.svc.journal.Events(ctx, sale.Reference)
	kinds := []string{}
	for _, e := range ev {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, ","); got != "created,charged,print_failed,reprinted" {
		t.Fatalf("events %s", got)
	}
}

// The report sums a journal filled through the service against the sandbox.
func TestReportFromTheJournal(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	for _, o := range []Order{
		order(12050, "0001", sandbox.PINChange),   // change voucher
		order(10000, "0001", sandbox.PINFull),     // full
		order(8000, "0002", sandbox.PINOTTPartly), // partly paid: 50.00
		order(1000, "0001", sandbox.InvalidPIN),   // declined
		order(2500, "0001", sandbox.PINDropped),   // unknown
	} {
		if _, err := r.svc.Submit(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	sales, _ := r.svc.Day(ctx, r.svc.Now())
	rep := BuildReport(r.svc.Now(), r.svc.Currency(), sales)
	if rep.Sales != 5 || rep.Total.Count != 3 || rep.Total.Charged != 12050+10000+5000 || rep.ChangeVouchers != 1 ||
		rep.PartlyPaid != 1 || rep.Unresolved != 1 {
		t.Fatalf("report %+v", rep)
	}
	var fee, vat Money
	for _, s := range sales {
		if s.Status == Approved {
			fee += s.Fee
			vat += s.VAT
		}
	}
	if rep.Total.Fee != fee || rep.Total.VAT != vat || rep.Total.Net() != rep.Total.Charged-fee-vat {
		t.Fatalf("fee %d vat %d in %+v", fee, vat, rep.Total)
	}
}

func TestCheckPrinter(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	dir := t.TempDir()
	cases := map[string]string{
		"":                                "",
		"stdout":                          "",
		filepath.Join(dir, "slips.txt"):   "",
		"/dev/null":                       "",
		"/dev/usb/lp9":                    "not connected",
		dir:                               "is a folder",
		filepath.Join(dir, "no/such.txt"): "does not exist",
	}
	for spec, want := range cases {
		r.svc.printer, _ = NewPrinter(spec, false, &bytes.Buffer{})
		err := r.svc.CheckPrinter()
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%q: %v, want %q", spec, err, want)
		}
	}
}

// A reference too long for a narrow slip breaks only after its own
// hyphens: no part of it is cut, so it can be read back whole.
func TestSlipNeverSplitsAReference(t *testing.T) {
	t.Parallel()
	for _, ref := range []string{"demo-1-20261127094103000-abcdefghij", "counter-twelve-north-20261127094103000-abcdefghij"} {
		for _, w := range ReceiptWidths {
			s := fixedSales()["full"]
			s.Reference = ref
			text := BuildSlip(s, ReceiptInfo{StoreName: "Demo Spaza", Width: w}).Text()
			var got []string
			in := false
			for _, l := range strings.Split(text, "\n") {
				switch {
				case l == "Ref" || strings.HasPrefix(l, "Ref "):
					in = true
					if v := strings.TrimSpace(strings.TrimPrefix(l, "Ref")); v != "" {
						got, in = append(got, v), false
					}
				case in && strings.HasPrefix(l, "  "):
					got = append(got, strings.TrimSpace(l))
				default:
					in = false
				}
			}
			if strings.Join(got, "") != ref {
				t.Fatalf("width %d: reference lines %q do not make %q", w, got, ref)
			}
			for i, part := range got[:len(got)-1] {
				if !strings.HasSuffix(part, "-") {
					t.Errorf("width %d: line %d of the reference, %q, breaks inside a part", w, i, part)
				}
			}
		}
	}
}

// A demo slip says so at its top and bottom; a real one never does.
func TestDemoSlipIsMarked(t *testing.T) {
	t.Parallel()
	s := fixedSales()["change"]
	for _, demo := range []bool{true, false} {
		lines := BuildSlip(s, ReceiptInfo{StoreName: "Demo Spaza", Width: 32, Demo: demo}).Lines
		first, last := lines[0].Text, lines[len(lines)-1].Text
		if got := strings.Contains(first, DemoMark) && strings.Contains(last, DemoMark); got != demo {
			t.Errorf("demo=%v: first %q, last %q", demo, first, last)
		}
	}
}

// A fee Kora did not report is "-" on the slip, never R 0.00.
func TestSlipUnknownFee(t *testing.T) {
	t.Parallel()
	s := fixedSales()["full"]
	s.Fee, s.FeeUnknown = 0, true
	text := BuildSlip(s, ReceiptInfo{StoreName: "Demo Spaza", Width: 32}).Text()
	if !strings.Contains(text, "Fee                            -") || strings.Contains(text, "R 0.00\nVAT") {
		t.Fatalf("slip:\n%s", text)
	}
}
