package pos_test

import (
	"errors"
	"testing"

	"voucherpos/pos"
)

// Any ISO 4217 currency works, with its real minor units; the known ones
// keep their symbols and the rest show their code.
func TestLookupCurrencyAnyISOCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code   string
		want   pos.Currency
		format string
	}{
		{"JPY", pos.Currency{Code: "JPY", Digits: 0}, "JPY 1 500"},
		{"kwd", pos.Currency{Code: "KWD", Digits: 3}, "KWD 1.500"},
		{"GBP", pos.Currency{Code: "GBP", Digits: 2}, "GBP 15.00"},
		{"ZAR", pos.Currency{Code: "ZAR", Digits: 2, Symbol: "R"}, "R 15.00"},
		{"XOF", pos.Currency{Code: "XOF", Digits: 0, Symbol: "CFA"}, "CFA 1 500"},
	}
	for _, tt := range tests {
		got, err := pos.LookupCurrency(tt.code)
		if err != nil || got != tt.want {
			t.Errorf("LookupCurrency(%q) = %+v, %v; want %+v", tt.code, got, err, tt.want)
			continue
		}
		if f := got.Format(1500); f != tt.format {
			t.Errorf("%s: Format(1500) = %q, want %q", tt.code, f, tt.format)
		}
	}
	for _, code := range []string{"ABC", "XXX", "XTS", "XAU", "BTC", "ZA", "ZARR", ""} {
		if c, err := pos.LookupCurrency(code); !errors.Is(err, pos.ErrUnknownCurrency) {
			t.Errorf("LookupCurrency(%q) = %+v, %v; want ErrUnknownCurrency", code, c, err)
		}
	}
}
