package main

// Secrets end to end: full sales through the real till with a recognisable
// Kora key and voucher PINs — approved, declined, unknown (the till quit
// while it was still being checked) and one that issues a change voucher —
// then every file the till wrote, everything it and its commands printed,
// and every receipt are scanned for the key and the PINs.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"voucherpos/kora/sandbox"
	"voucherpos/pos"
)

func TestE2ESecretsNeverInClear(t *testing.T) {
	t.Parallel()
	const key = "sk_test_CANARY9f27c4d1e8b3a6"
	k := newKoraRig(t, sandbox.WithSecretKey(key))
	dir := t.TempDir()
	slips := filepath.Join(dir, "slips.txt")
	rt := newRigTillWith(t, k.URL, key, fmt.Sprintf("\n[receipt]\nprinter = %q\n", slips))
	customerPINs := []string{sandbox.PINFull, sandbox.PINUsed, sandbox.PINChange, sandbox.PINDropped}

	term := rt.start(t, "--log-level", "debug")
	// Approved, a full redemption.
	sell(t, term, "100", "1", customerPINs[0], "0821234567")
	term.Send("\r")
	term.WaitText(screenWait, "APPROVED", "R 100.00")
	sleepGrace()
	term.Send("\r")
	// Declined (already used), then the right voucher: a change voucher.
	sell(t, term, "120.50", "1", customerPINs[1], "0821234567")
	term.Send("\r")
	term.WaitText(screenWait, "Voucher already used")
	sleepGrace()
	term.Send("\r")
	term.WaitText(screenWait, "0 of 16 digits")
	term.Send(customerPINs[2] + "\r")
	term.WaitText(screenWait, confirmTitle, "2943")
	term.Send("\r")
	term.WaitText(screenWait, "APPROVED", "NEW VOUCHER PIN")
	sleepGrace()
	term.Send("\r")
	// Unknown: the answer is lost, and the till quits while it is checked.
	k.holdQueries()
	sell(t, term, "30", "1", customerPINs[3], "0821234567")
	term.Send("\r")
	term.WaitText(screenWait, "Checking payment status")
	term.Send("\x03")
	term.WaitText(screenWait, "Quit voucherpos?")
	term.Send("y")
	if code := term.WaitExit(exitWait); code != 0 {
		t.Fatalf("the till exited with %d", code)
	}
	if !bytes.Contains(rt.transcript.Bytes(), []byte("1 sale still being checked")) {
		t.Errorf("the till did not say a sale is still being checked")
	}

	var changePINs []string
	refOf := map[string]string{} // change PIN → the sale that issued it
	for _, c := range k.sb.Charges() {
		if c.NewPIN != "" {
			changePINs = append(changePINs, c.NewPIN)
			refOf[c.NewPIN] = c.Reference
		}
	}
	if len(changePINs) != 2 {
		t.Fatalf("%d change vouchers issued, want 2 (one seen, one still unknown)", len(changePINs))
	}
	scan := newScanner(t, key, customerPINs, changePINs)
	scan.files("with a sale unknown", rt.dir, slips)

	// The commands a supervisor runs afterwards, and what they print.
	k.releaseQueries()
	outputs := map[string]string{}
	for _, args := range [][]string{{"reconcile"}, {"history"}, {"history", "--json"}, {"check"}, {"report"}, {"report", "--csv"}} {
		out, errOut, code := rt.run(t, args...)
		name := "voucherpos " + strings.Join(args, " ")
		if code == 2 && strings.Contains(errOut, "unknown command") {
			t.Logf("%s: not in this build", name)
			continue
		}
		outputs[name] = out + errOut
	}
	if !strings.Contains(outputs["voucherpos reconcile"], "1 resolved") {
		t.Errorf("reconcile did not resolve the unknown sale:\n%s", outputs["voucherpos reconcile"])
	}
	for name, out := range outputs {
		scan.text(name, out, false)
	}
	scan.text("the till's terminal output", string(rt.transcript.Bytes()), true)
	scan.files("after reconcile", rt.dir, slips)

	// Receipts: the printed slips and a reprint of every sale.
	receipts := 0
	if b, err := os.ReadFile(slips); err == nil {
		for _, slip := range strings.SplitAfter(string(b), "Thank you") {
			scan.slip("printed slip", slip, refOf)
			receipts++
		}
	}
	for _, s := range rt.sales(t) {
		out, errOut, code := rt.run(t, "receipt", s.Reference)
		if code == 2 && strings.Contains(errOut, "unknown command") {
			t.Log("voucherpos receipt: not in this build")
			break
		}
		if code != 0 {
			t.Errorf("voucherpos receipt %s: status %d: %s", s.Reference, code, errOut)
		}
		scan.text("voucherpos receipt stderr", errOut, false)
		scan.slip("voucherpos receipt "+s.Reference, out, refOf)
		receipts++
	}
	// The change PIN of the sale seen on screen is on its slip.
	seen := changePINs[0]
	if !strings.Contains(string(mustRead(t, slips)), pos.GroupPIN(seen)) {
		t.Errorf("the change voucher's PIN is not on the customer's printed slip")
	}
	if scan.hits == 0 {
		t.Logf("CHECK secrets | scanned %d files, %d command outputs, the terminal transcript and %d receipts: 0 clear-text hits of the key or a customer PIN; change PINs only on their own slips",
			len(scan.scanned), len(outputs), receipts)
	}
}

func sleepGrace() { time.Sleep(grace) }

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// scanner looks for secrets in clear: the key, a customer's voucher PIN
// (bare or grouped in fours), and a change-voucher PIN outside its slip.
type scanner struct {
	t        *testing.T
	key      string
	customer []string
	change   []string
	hits     int
	scanned  map[string]bool // files scanned
}

func newScanner(t *testing.T, key string, customer, change []string) *scanner {
	return &scanner{t: t, key: key, customer: customer, change: change, scanned: map[string]bool{}}
}

func forms(pin string) []string { return []string{pin, pos.GroupPIN(pin)} }

func (s *scanner) hit(where, what string) {
	s.t.Helper()
	s.hits++
	s.t.Errorf("%s holds %s in clear", where, what)
}

// text scans one output. onScreen: the till's own terminal, where the PIN
// being typed is echoed grouped in fours and a change PIN is shown to be
// handed over, by design; there only the key and a bare PIN count.
func (s *scanner) text(where, text string, onScreen bool) {
	s.t.Helper()
	if strings.Contains(text, s.key) || strings.Contains(text, strings.TrimPrefix(s.key, "sk_test_")) {
		s.hit(where, "the Kora key")
	}
	for _, pin := range s.customer {
		for i, f := range forms(pin) {
			if onScreen && i > 0 {
				continue
			}
			if strings.Contains(text, f) {
				s.hit(where, "the customer's PIN "+f)
			}
		}
	}
	if onScreen {
		return
	}
	for _, pin := range s.change {
		for _, f := range forms(pin) {
			if strings.Contains(text, f) {
				s.hit(where, "a change-voucher PIN")
			}
		}
	}
}

// slip scans a receipt: never the key or a customer's PIN; a change PIN
// only on the slip of the sale that issued it.
func (s *scanner) slip(where, slip string, refOf map[string]string) {
	s.t.Helper()
	for _, pin := range s.change {
		for _, f := range forms(pin) {
			if strings.Contains(slip, f) && !strings.Contains(slip, refOf[pin]) {
				s.hit(where, "another sale's change-voucher PIN")
			}
		}
	}
	for _, pin := range s.customer {
		for _, f := range forms(pin) {
			if strings.Contains(slip, f) {
				s.hit(where, "the customer's PIN "+f)
			}
		}
	}
	if strings.Contains(slip, s.key) {
		s.hit(where, "the Kora key")
	}
}

// files scans every file under dir (the journal, its WAL and lock, the log,
// the config) except the printer's output, which slip checks.
func (s *scanner) files(when, dir, printer string) {
	s.t.Helper()
	err := filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() || path == printer {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s.scanned[path] = true
		s.text(fmt.Sprintf("%s (%s)", filepath.Base(path), when), string(b), false)
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
}
