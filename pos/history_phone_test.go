package pos

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// history --json never shows a customer's whole phone number, even for a
// sale that still holds it in memory.
func TestHistoryJSONMasksThePhone(t *testing.T) {
	cur, _ := LookupCurrency("ZAR")
	var b bytes.Buffer
	s := Sale{Reference: "r", Status: Approved, Currency: cur, Phone: "+27821234567", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := WriteHistoryJSON(&b, []Sale{s}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "821234567") || !strings.Contains(b.String(), `"phone": "********4567"`) {
		t.Fatalf("history JSON: %s", b.String())
	}
}
