package pos_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"voucherpos/kora"
	"voucherpos/pos"
)

func mustCurrency(t testing.TB, code string) pos.Currency {
	t.Helper()
	c, err := pos.LookupCurrency(code)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLookupCurrencyKnowsTheConfiguredCurrencies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code   string
		want   pos.Currency
		wantOK bool
	}{
		{"ZAR", pos.Currency{Code: "ZAR", Digits: 2, Symbol: "R"}, true},
		{"zar", pos.Currency{Code: "ZAR", Digits: 2, Symbol: "R"}, true},
		{" Ngn ", pos.Currency{Code: "NGN", Digits: 2, Symbol: "₦"}, true},
		{"KES", pos.Currency{Code: "KES", Digits: 2, Symbol: "KSh"}, true},
		{"GHS", pos.Currency{Code: "GHS", Digits: 2, Symbol: "GH₵"}, true},
		{"USD", pos.Currency{Code: "USD", Digits: 2, Symbol: "$"}, true},
		{"EUR", pos.Currency{Code: "EUR", Digits: 2, Symbol: "€"}, true},
		{"XOF", pos.Currency{Code: "XOF", Digits: 0, Symbol: "CFA"}, true},
		{"", pos.Currency{}, false},
		{"RAND", pos.Currency{}, false},
		{"BTC", pos.Currency{}, false},
	}
	for _, tt := range tests {
		got, err := pos.LookupCurrency(tt.code)
		if tt.wantOK {
			if err != nil || got != tt.want {
				t.Errorf("LookupCurrency(%q) = %+v, %v; want %+v", tt.code, got, err, tt.want)
			}
			continue
		}
		if !errors.Is(err, pos.ErrUnknownCurrency) {
			t.Errorf("LookupCurrency(%q) error = %v; want ErrUnknownCurrency", tt.code, err)
		}
	}
}

func TestFormatShowsSymbolSpaceGroupsAndFixedDecimals(t *testing.T) {
	t.Parallel()
	zar := mustCurrency(t, "ZAR")
	xof := mustCurrency(t, "XOF")
	kes := mustCurrency(t, "KES")
	tests := []struct {
		c    pos.Currency
		m    pos.Money
		want string
	}{
		{zar, 123450, "R 1 234.50"},
		{zar, 5, "R 0.05"},
		{zar, 0, "R 0.00"},
		{zar, 100, "R 1.00"},
		{zar, -300, "-R 3.00"},
		{zar, 500000, "R 5 000.00"},
		{zar, 99999, "R 999.99"},
		{zar, 123456789, "R 1 234 567.89"},
		{zar, math.MaxInt64, "R 92 233 720 368 547 758.07"},
		{zar, math.MinInt64, "-R 92 233 720 368 547 758.08"},
		{xof, 1500, "CFA 1 500"},
		{xof, 7, "CFA 7"},
		{kes, 100050, "KSh 1 000.50"},
	}
	for _, tt := range tests {
		if got := tt.c.Format(tt.m); got != tt.want {
			t.Errorf("%s.Format(%d) = %q; want %q", tt.c.Code, tt.m, got, tt.want)
		}
	}
}

func TestPlainIsUngroupedWithoutSymbol(t *testing.T) {
	t.Parallel()
	zar := mustCurrency(t, "ZAR")
	xof := mustCurrency(t, "XOF")
	tests := []struct {
		c    pos.Currency
		m    pos.Money
		want string
	}{
		{zar, 123450, "1234.50"},
		{zar, 5, "0.05"},
		{zar, 0, "0.00"},
		{zar, -300, "-3.00"},
		{zar, math.MinInt64, "-92233720368547758.08"},
		{xof, 1500, "1500"},
	}
	for _, tt := range tests {
		if got := tt.c.Plain(tt.m); got != tt.want {
			t.Errorf("%s.Plain(%d) = %q; want %q", tt.c.Code, tt.m, got, tt.want)
		}
	}
}

func TestAmountAndFromAmountConvertExactly(t *testing.T) {
	t.Parallel()
	zar := mustCurrency(t, "ZAR")
	xof := mustCurrency(t, "XOF")
	if got := zar.Amount(123450).String(); got != "1234.5" {
		t.Errorf("ZAR.Amount(123450) = %s; want 1234.5", got)
	}
	if got := xof.Amount(1500).String(); got != "1500" {
		t.Errorf("XOF.Amount(1500) = %s; want 1500", got)
	}
	tests := []struct {
		c       pos.Currency
		in      string
		want    pos.Money
		wantErr bool
	}{
		{zar, "100", 10000, false},
		{zar, "12.5", 1250, false},
		{zar, "0.01", 1, false},
		{zar, "10.000", 1000, false},
		{zar, "1.005", 0, true},
		{zar, "-3", -300, false},
		{zar, "922337203685477580.7", 0, true},
		{xof, "1500", 1500, false},
		{xof, "1500.5", 0, true},
	}
	for _, tt := range tests {
		got, err := tt.c.FromAmount(kora.MustAmount(tt.in))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s.FromAmount(%s) = %d, %v; want %d, error %v", tt.c.Code, tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseInputAcceptsWhatCashiersType(t *testing.T) {
	t.Parallel()
	zar := mustCurrency(t, "ZAR")
	tests := []struct {
		in   string
		want pos.Money
	}{
		{"100", 10000},
		{"100.5", 10050},
		{"100,5", 10050},
		{"1 234,50", 123450},
		{"1 234.50", 123450},
		{"R100", 10000},
		{"R 100", 10000},
		{"r100", 10000},
		{"ZAR 100", 10000},
		{"zar100", 10000},
		{"  12.30 ", 1230},
		{"1234.", 123400},
		{".5", 50},
		{",05", 5},
		{"0.01", 1},
		{"007", 700},
		{"1,234.50", 123450},
		{"1.234,50", 123450},
		{"1,234,567.89", 123456789},
		{"1.234.567,89", 123456789},
		{"1,234.", 123400},
		{"1\u00a0234.50", 123450},
		{"1\u202f234.50", 123450},
		{"1'234.50", 123450},
		{"1_234.50", 123450},
		{"R\u00a01 234.50", 123450},
		{"R 1 234.50", 123450},
		{"5000", 500000},
		{"R 5 000.00", 500000},
	}
	for _, tt := range tests {
		got, err := zar.ParseInput(tt.in, 0)
		if err != nil || got != tt.want {
			t.Errorf("ParseInput(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseInputRefusesWithTheReason(t *testing.T) {
	t.Parallel()
	zar := mustCurrency(t, "ZAR")
	const limit = pos.Money(500000)
	forty := strings.Repeat("9", 40)
	tests := []struct {
		in      string
		want    error
		wantMsg string
	}{
		{"", pos.ErrAmountEmpty, "amount: no amount"},
		{"   ", pos.ErrAmountEmpty, "amount: no amount"},
		{"R", pos.ErrAmountEmpty, "amount: no amount"},
		{"R ", pos.ErrAmountEmpty, "amount: no amount"},
		{"0", pos.ErrAmountZero, "amount: amount is zero"},
		{"0.00", pos.ErrAmountZero, "amount: amount is zero"},
		{"R 0,0", pos.ErrAmountZero, "amount: amount is zero"},
		{"-5", pos.ErrAmountNegative, ""},
		{"-R 3.00", pos.ErrAmountNegative, ""},
		{"R -3", pos.ErrAmountNegative, ""},
		{"\u22125", pos.ErrAmountNegative, ""},
		{"1.005", pos.ErrAmountDecimals, "amount: too many decimals (want 2)"},
		{"12.500", pos.ErrAmountDecimals, "amount: too many decimals (want 2)"},
		{"1,234", pos.ErrAmountDecimals, "amount: too many decimals (want 2)"},
		{"5000.01", pos.ErrAmountTooLarge, "amount: amount too large (want R 5 000.00)"},
		{"10 000", pos.ErrAmountTooLarge, "amount: amount too large (want R 5 000.00)"},
		{forty, pos.ErrAmountTooLarge, "amount: amount too large (want R 5 000.00)"},
		{forty + ".99", pos.ErrAmountTooLarge, "amount: amount too large (want R 5 000.00)"},
		{"92233720368547758.07", pos.ErrAmountTooLarge, ""},
		{"92233720368547758.08", pos.ErrAmountTooLarge, ""},
		{"abc", pos.ErrAmountSyntax, "amount: not an amount"},
		{".", pos.ErrAmountSyntax, ""},
		{",", pos.ErrAmountSyntax, ""},
		{"1.2.3", pos.ErrAmountSyntax, ""},
		{"1,234,567", pos.ErrAmountSyntax, ""},
		{"1..5", pos.ErrAmountSyntax, ""},
		{"1,2.50", pos.ErrAmountSyntax, ""},
		{"1.23,4.5", pos.ErrAmountSyntax, ""},
		{"12 34", pos.ErrAmountSyntax, ""},
		{"1 2345", pos.ErrAmountSyntax, ""},
		{"1234 ,50", pos.ErrAmountSyntax, ""},
		{"1  234", pos.ErrAmountSyntax, ""},
		{" 1 234 ", nil, ""},
		{"1.5 0", pos.ErrAmountSyntax, ""},
		{"$100", pos.ErrAmountSyntax, ""},
		{"100R", pos.ErrAmountSyntax, ""},
		{"1e3", pos.ErrAmountSyntax, ""},
		{"+5", pos.ErrAmountSyntax, ""},
		{"--5", pos.ErrAmountSyntax, ""},
		{"١٢٣", pos.ErrAmountSyntax, ""},
		{"0x10", pos.ErrAmountSyntax, ""},
	}
	for _, tt := range tests {
		got, err := zar.ParseInput(tt.in, limit)
		if tt.want == nil {
			if err != nil {
				t.Errorf("ParseInput(%q) = %d, %v; want success", tt.in, got, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("ParseInput(%q) = %d, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		if tt.wantMsg != "" && err.Error() != tt.wantMsg {
			t.Errorf("ParseInput(%q) error text = %q; want %q", tt.in, err.Error(), tt.wantMsg)
		}
	}
}

func TestParseInputWithoutLimitTakesAnythingThatFits(t *testing.T) {
	t.Parallel()
	zar := mustCurrency(t, "ZAR")
	for _, limit := range []pos.Money{0, -1} {
		got, err := zar.ParseInput("92233720368547758.07", limit)
		if err != nil || got != math.MaxInt64 {
			t.Errorf("limit %d: ParseInput(max int64) = %d, %v", limit, got, err)
		}
		_, err = zar.ParseInput("92233720368547758.08", limit)
		if !errors.Is(err, pos.ErrAmountTooLarge) || err.Error() != "amount: amount too large" {
			t.Errorf("limit %d: ParseInput(max int64 + 1) error = %v; want ErrAmountTooLarge", limit, err)
		}
	}
}

func TestParseInputUsesTheCurrencysDigitsAndSymbol(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code    string
		in      string
		want    pos.Money
		wantErr error
		wantMsg string
	}{
		{"XOF", "1500", 1500, nil, ""},
		{"XOF", "CFA 1 500", 1500, nil, ""},
		{"XOF", "xof1500", 1500, nil, ""},
		{"XOF", "1500.", 1500, nil, ""},
		{"XOF", "1500.5", 0, pos.ErrAmountDecimals, "amount: too many decimals (want 0)"},
		{"XOF", "1.000", 0, pos.ErrAmountDecimals, ""},
		{"KES", "KSh 20", 2000, nil, ""},
		{"KES", "ksh20", 2000, nil, ""},
		{"KES", "KES 20", 2000, nil, ""},
		{"GHS", "GH₵ 1.50", 150, nil, ""},
		{"GHS", "gh₵1.50", 150, nil, ""},
		{"NGN", "₦1,000.00", 100000, nil, ""},
		{"EUR", "€ 1.234,56", 123456, nil, ""},
		{"USD", "$19.99", 1999, nil, ""},
		{"USD", "R19.99", 0, pos.ErrAmountSyntax, ""},
		{"NGN", "1.005", 0, pos.ErrAmountDecimals, "amount: too many decimals (want 2)"},
	}
	for _, tt := range tests {
		c := mustCurrency(t, tt.code)
		got, err := c.ParseInput(tt.in, 0)
		if tt.wantErr == nil {
			if err != nil || got != tt.want {
				t.Errorf("%s.ParseInput(%q) = %d, %v; want %d", tt.code, tt.in, got, err, tt.want)
			}
			continue
		}
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s.ParseInput(%q) = %d, %v; want %v", tt.code, tt.in, got, err, tt.wantErr)
			continue
		}
		if tt.wantMsg != "" && err.Error() != tt.wantMsg {
			t.Errorf("%s.ParseInput(%q) error text = %q; want %q", tt.code, tt.in, err.Error(), tt.wantMsg)
		}
	}
}

func TestParseInputReadsBackFormatAndPlain(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"ZAR", "NGN", "KES", "GHS", "USD", "EUR", "XOF"} {
		c := mustCurrency(t, code)
		for _, m := range []pos.Money{1, 5, 99, 100, 1000, 123450, 100000000, math.MaxInt64} {
			for _, s := range []string{c.Format(m), c.Plain(m)} {
				got, err := c.ParseInput(s, 0)
				if err != nil || got != m {
					t.Errorf("%s.ParseInput(%q) = %d, %v; want %d", code, s, got, err, m)
				}
			}
		}
	}
}

var fuzzCurrencies = []string{"ZAR", "NGN", "KES", "GHS", "USD", "EUR", "XOF"}

func FuzzParseInput(f *testing.F) {
	for _, s := range []string{
		"100", "100.5", "1 234,50", "R100", "R 100", "  12.30 ", "1234.", ".5",
		"1,234.50", "1.234,50", "-5", "0", "", ".", "1.2.3", "12 34",
		strings.Repeat("9", 40), "R 5 000.00", "₦1,000", "GH₵ 1", "CFA 1 500",
		"1\u00a0234", "1\u202f234.5", "1'234_567", "\u22121",
	} {
		f.Add(s, int64(500000), uint8(0))
		f.Add(s, int64(0), uint8(6))
	}
	f.Fuzz(func(t *testing.T, s string, limit int64, which uint8) {
		c := mustCurrency(t, fuzzCurrencies[int(which)%len(fuzzCurrencies)])
		m, err := c.ParseInput(s, pos.Money(limit))
		if err != nil {
			for _, kind := range []error{
				pos.ErrAmountEmpty, pos.ErrAmountZero, pos.ErrAmountNegative,
				pos.ErrAmountDecimals, pos.ErrAmountTooLarge, pos.ErrAmountSyntax,
			} {
				if errors.Is(err, kind) {
					return
				}
			}
			t.Fatalf("ParseInput(%q) error %v is none of the sentinels", s, err)
		}
		if m <= 0 {
			t.Fatalf("ParseInput(%q) = %d; want > 0", s, m)
		}
		if limit > 0 && m > pos.Money(limit) {
			t.Fatalf("ParseInput(%q, %d) = %d; above the limit", s, limit, m)
		}
		for _, text := range []string{c.Plain(m), c.Format(m)} {
			back, err := c.ParseInput(text, pos.Money(limit))
			if err != nil || back != m {
				t.Fatalf("ParseInput(%q) = %d, but ParseInput(%q) = %d, %v", s, m, text, back, err)
			}
		}
	})
}
