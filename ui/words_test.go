package ui

import (
	"testing"

	"voucherpos/pos"
)

// Every reason pos gives for refusing what was typed has its sentence on
// screen, with what would do filled in; the kiosk speaks to the customer.
func TestFieldWordsSayEachReason(t *testing.T) {
	t.Parallel()
	zar, _ := pos.LookupCurrency("ZAR")
	xof, _ := pos.LookupCurrency("XOF")
	kwd, _ := pos.LookupCurrency("KWD")
	amount := func(c pos.Currency, limit pos.Money) func(string) error {
		return func(s string) error { _, err := c.ParseInput(s, limit); return err }
	}
	pin := func(n int) func(string) error {
		return func(s string) error { _, err := pos.NormalizePIN(s, n); return err }
	}
	phone := func(s string) error { _, err := pos.NormalizePhone(s, "ZA"); return err }
	email := func(s string) error { _, err := pos.NormalizeEmail(s, "till@example.com"); return err }
	for _, tc := range []struct {
		parse          func(string) error
		in             string
		cashier, kiosk string
	}{
		{amount(zar, 500000), "", "Type an amount.", ""},
		{amount(zar, 500000), "0.00", "The amount must be more than zero.", ""},
		{amount(zar, 500000), "-5", "The amount can't be negative.", ""},
		{amount(zar, 500000), "1.005", "At most 2 digits after the point.", ""},
		{amount(kwd, 0), "1.0005", "At most 3 digits after the point.", ""},
		{amount(xof, 0), "1500.5", "Type a whole amount, with no digits after the point.", ""},
		{amount(zar, 500000), "5000.01", "The most this till takes is R 5 000.00.", ""},
		{amount(zar, 0), "92233720368547758.08", "That amount is too large.", ""},
		{amount(zar, 500000), "1.2.3", "Use digits and one decimal point.", ""},
		{pin(16), " - ", "Type the voucher PIN.", "Type your voucher PIN, then Enter."},
		{pin(16), "1168 6480 9679 294O", "A voucher PIN has digits only.", ""},
		{pin(16), "116864809679294", "This voucher PIN has 16 digits; you typed 15.", "This voucher PIN has 16 digits; that was 15."},
		{phone, "", "Type the customer's phone number.", "Type your phone number, then Enter."},
		{phone, "abc", "A phone number has digits, spaces and an optional +.", ""},
		{phone, "082 1", "That number is too short.", ""},
		{phone, "+27821234567890", "That number is too long.", ""},
		{phone, "+999 123 456 789", "That country code isn't recognised.", ""},
		{phone, "08212345678", "That isn't a valid South African number.", ""},
		{phone, "+234 0000 000 000", "That isn't a valid Nigerian number.", ""},
		{phone, "+33 0 00 00 00 00", "That isn't a valid FR number.", ""},
		{email, "thabo", "That email address doesn't look right.", ""},
	} {
		err := tc.parse(tc.in)
		if err == nil {
			t.Errorf("%q was taken", tc.in)
			continue
		}
		for _, kiosk := range []bool{false, true} {
			m := &model{opts: Options{Kiosk: kiosk}}
			want := tc.cashier
			if kiosk && tc.kiosk != "" {
				want = tc.kiosk
			}
			if got := m.fieldWords(err); got != want {
				t.Errorf("kiosk=%v %q (%v): %q, want %q", kiosk, tc.in, err, got, want)
			}
		}
	}
}
