package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"voucherpos/pos"
)

func zar(t *testing.T) pos.Currency {
	t.Helper()
	c, err := pos.LookupCurrency("ZAR")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// history --json never shows a customer's whole phone number, even for a
// sale that still holds it in memory.
func TestHistoryJSONMasksThePhone(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	s := pos.Sale{Reference: "r", Status: pos.Approved, Currency: zar(t), Phone: "+27821234567", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := WriteHistoryJSON(&b, []pos.Sale{s}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "821234567") || !strings.Contains(b.String(), `"phone": "********4567"`) {
		t.Fatalf("history JSON: %s", b.String())
	}
}

// daySales are a change voucher, a full redemption, a partly paid OTT, a
// decline and an unknown sale, on one day.
func daySales(t *testing.T) []pos.Sale {
	cur := zar(t)
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	base := pos.Sale{Currency: cur, TerminalID: "till-1", ProviderCode: "0001", ProviderName: "1Voucher", CreatedAt: at}
	sale := func(ref string, st pos.Status, req, charged, fee, vat pos.Money, edit func(*pos.Sale)) pos.Sale {
		s := base
		s.Reference, s.Status, s.Requested, s.Charged, s.Fee, s.VAT = ref, st, req, charged, fee, vat
		s.CreatedAt = at.Add(time.Duration(len(ref)) * time.Minute)
		if edit != nil {
			edit(&s)
		}
		return s
	}
	return []pos.Sale{
		sale("r-change", pos.Approved, 12050, 12050, 181, 27, func(s *pos.Sale) { s.HasChangePIN, s.VoucherSerial = true, "=2025" }),
		sale("r-full", pos.Approved, 10000, 10000, 150, 23, nil),
		sale("r-partly", pos.Approved, 8000, 5000, 75, 11, func(s *pos.Sale) { s.ProviderCode, s.ProviderName = "0002", "OTT" }),
		sale("r-declined", pos.Declined, 1000, 0, 0, 0, func(s *pos.Sale) { s.DeclineKind = pos.DeclineInvalidPIN }),
		sale("r-unknown", pos.Unknown, 2500, 0, 0, 0, nil),
	}
}

// The Z-report as a table and as CSV: totals, plurals, exact decimals,
// and no value a spreadsheet would read as a formula.
func TestReportTextAndCSV(t *testing.T) {
	t.Parallel()
	sales := daySales(t)
	rep := pos.BuildReport(sales[0].CreatedAt, zar(t), sales)
	var text, csvOut bytes.Buffer
	if err := WriteReport(&text, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "5 sales, 1 change voucher issued, 1 partly paid, 1 unresolved") || !strings.Contains(text.String(), "R 270.50") {
		t.Fatalf("report text:\n%s", text.String())
	}
	if err := WriteReportCSV(&csvOut, sales); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csvOut.String()), "\n")
	if len(lines) != 6 || lines[0] != strings.Join(CSVHeader, ",") || !strings.Contains(csvOut.String(), ",approved,,ZAR,80.00,50.00,") ||
		!strings.Contains(csvOut.String(), ",'=2025,") {
		t.Fatalf("csv:\n%s", csvOut.String())
	}
}
