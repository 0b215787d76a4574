package kora

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseAmount_AcceptsPlainDecimals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // String() of the result
	}{
		{"100", "100"},
		{"12.5", "12.5"},
		{"12.50", "12.5"},
		{"0.015", "0.015"},
		{"-3", "-3"},
		{"+7", "7"},
		{"0", "0"},
		{"-0", "0"},
		{"0.00", "0"},
		{"-0.01", "-0.01"},
		{"10.000000000000", "10"}, // trailing zeros beyond maxScale carry no value
		{"0.000000001", "0.000000001"},
		{"9223372036854775807", "9223372036854775807"},
		{"-9223372036854775807", "-9223372036854775807"},
		{"1234567890123456.78", "1234567890123456.78"},
		{"9007199254740993", "9007199254740993"}, // 2^53+1: a float64 would lose the 3
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			a, err := ParseAmount(tt.in)
			if err != nil {
				t.Fatalf("ParseAmount(%q) error: %v", tt.in, err)
			}
			if got := a.String(); got != tt.want {
				t.Fatalf("ParseAmount(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseAmount_RefusesNonWireText(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"bare minus", "-"},
		{"bare plus", "+"},
		{"trailing point", "1."},
		{"bare point", "."},
		{"exponent", "1e2"},
		{"upper exponent", "1E2"},
		{"thousands comma", "1,000"},
		{"decimal comma", "12,50"},
		{"overflow", "99999999999999999999"},
		{"just over int64", "9223372036854775808"},
		{"too many decimals", "1.0000000001"},
		{"leading space", " 1"},
		{"trailing space", "1 "},
		{"currency symbol", "R10"},
		{"hex", "0x10"},
		{"two points", "1.2.3"},
		{"double sign", "--1"},
		{"NaN", "NaN"},
		{"Inf", "Inf"},
		{"non-ASCII digits", "١٢"},
		{"underscore", "1_000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if a, err := ParseAmount(tt.in); err == nil {
				t.Fatalf("ParseAmount(%q) = %s, want an error", tt.in, a)
			}
		})
	}
}

func TestMustAmount_PanicsOnMalformedLiteral(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Fatal("MustAmount(\"1e2\") did not panic")
		}
	}()
	MustAmount("1e2")
}

func TestAmountMinor_ConvertsToMinorUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		digits  int
		want    int64
		wantErr bool
	}{
		{"12.50", 2, 1250, false},
		{"12.5", 2, 1250, false},
		{"100", 2, 10000, false},
		{"-3", 2, -300, false},
		{"0.01", 2, 1, false},
		{"0", 2, 0, false},
		{"12", 0, 12, false},
		{"92233720368547758.07", 2, math.MaxInt64, false},
		{"0.015", 2, 0, true},              // more precision than the currency has
		{"12.5", 0, 0, true},               // no minor digits at all
		{"922337203685477581", 2, 0, true}, // does not fit
		{"-922337203685477581", 2, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := MustAmount(tt.in).Minor(tt.digits)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Minor(%d) of %s = %d, want an error", tt.digits, tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Minor(%d) of %s: %v", tt.digits, tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("Minor(%d) of %s = %d, want %d", tt.digits, tt.in, got, tt.want)
			}
		})
	}
}

func TestAmountCmp_OrdersExactly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b Amount
		want int
	}{
		{"equal across scales", MustAmount("12.5"), MustAmount("12.50"), 0},
		{"equal via NewAmount", NewAmount(1250, 2), MustAmount("12.5"), 0},
		{"less", MustAmount("12.49"), MustAmount("12.5"), -1},
		{"greater", MustAmount("100"), MustAmount("99.999"), 1},
		{"negative less", MustAmount("-3"), MustAmount("0"), -1},
		{"zero equals negative zero", MustAmount("0"), MustAmount("-0.00"), 0},
		{"tiny difference", MustAmount("0.000000001"), MustAmount("0"), 1},
		{"max vs max minus one", MustAmount("9223372036854775807"), MustAmount("9223372036854775806"), 1},
		// Scales cannot be aligned within int64; the integer parts are equal
		// and only the fractions tell them apart.
		{"near limit, fraction decides", NewAmount(922337203685477581, 1), NewAmount(9223372036854775805, 2), 1},
		{"near limit, fraction decides (reversed)", NewAmount(9223372036854775805, 2), NewAmount(922337203685477581, 1), -1},
		{"near limit negative", NewAmount(-922337203685477581, 1), NewAmount(-9223372036854775805, 2), -1},
		{"near limit, integer part decides", NewAmount(922337203685477581, 0), NewAmount(9223372036854775805, 2), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.a.Cmp(tt.b); got != tt.want {
				t.Fatalf("%s.Cmp(%s) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := tt.b.Cmp(tt.a); got != -tt.want {
				t.Fatalf("%s.Cmp(%s) = %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

func TestAmountAddSub_AreExactAndRefuseOverflow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		a, b      string
		sum, diff string // "" = error expected
	}{
		{"mixed scales", "10.5", "0.25", "10.75", "10.25"},
		{"float trap", "0.1", "0.2", "0.3", "-0.1"},
		{"negatives", "-3", "2.5", "-0.5", "-5.5"},
		{"zero", "0", "0", "0", "0"},
		{"large exact", "9007199254740993", "1", "9007199254740994", "9007199254740992"},
		{"sum overflows", "9223372036854775807", "1", "", "9223372036854775806"},
		{"diff overflows", "-9223372036854775807", "2", "-9223372036854775805", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := MustAmount(tt.a), MustAmount(tt.b)
			sum, err := a.Add(b)
			checkArith(t, "Add", a, b, sum, err, tt.sum)
			diff, err := a.Sub(b)
			checkArith(t, "Sub", a, b, diff, err, tt.diff)
		})
	}
	t.Run("scales that cannot align overflow", func(t *testing.T) {
		t.Parallel()
		if s, err := NewAmount(math.MaxInt64, 0).Add(MustAmount("0.1")); err == nil {
			t.Fatalf("Add = %s, want overflow error", s)
		}
		if s, err := MustAmount("1").Sub(NewAmount(math.MinInt64, 0)); err == nil {
			t.Fatalf("Sub of MinInt64 = %s, want overflow error", s)
		}
	})
}

func checkArith(t *testing.T, op string, a, b, got Amount, err error, want string) {
	t.Helper()
	if want == "" {
		if err == nil {
			t.Fatalf("%s.%s(%s) = %s, want an overflow error", a, op, b, got)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s.%s(%s): %v", a, op, b, err)
	}
	if got.Cmp(MustAmount(want)) != 0 || got.String() != want {
		t.Fatalf("%s.%s(%s) = %s, want %s", a, op, b, got, want)
	}
}

func TestAmountSignAndIsZero(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		sign int
		zero bool
	}{
		{"0", 0, true}, {"0.00", 0, true}, {"-0.01", -1, false}, {"12.5", 1, false},
	}
	for _, tt := range tests {
		a := MustAmount(tt.in)
		if a.Sign() != tt.sign || a.IsZero() != tt.zero {
			t.Errorf("%s: Sign=%d IsZero=%v, want %d %v", tt.in, a.Sign(), a.IsZero(), tt.sign, tt.zero)
		}
	}
	var zero Amount
	if !zero.IsZero() || zero.String() != "0" {
		t.Errorf("zero value: IsZero=%v String=%q", zero.IsZero(), zero.String())
	}
}

func TestAmountStringAndFixed_AreDecimalText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		a      Amount
		str    string
		digits int
		fixed  string
	}{
		{"cents", NewAmount(1250, 2), "12.5", 2, "12.50"},
		{"whole", NewAmount(100, 0), "100", 2, "100.00"},
		{"whole no digits", NewAmount(100, 0), "100", 0, "100"},
		{"negative cent", NewAmount(-1, 2), "-0.01", 2, "-0.01"},
		{"negative padded", NewAmount(-5, 1), "-0.5", 2, "-0.50"},
		{"extra precision is shown", MustAmount("0.015"), "0.015", 2, "0.015"},
		{"nano", NewAmount(5, 9), "0.000000005", 2, "0.000000005"},
		{"scale clamps high", NewAmount(5, 12), "0.000000005", 0, "0.000000005"},
		{"scale clamps negative", NewAmount(5, -3), "5", 2, "5.00"},
		{"zero", Amount{}, "0", 2, "0.00"},
		{"min int64 units", NewAmount(math.MinInt64, 2), "-92233720368547758.08", 2, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.a.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if got := tt.a.Fixed(tt.digits); got != tt.fixed {
				t.Errorf("Fixed(%d) = %q, want %q", tt.digits, got, tt.fixed)
			}
		})
	}
}

func TestAmountUnmarshalJSON_ReadsRawNumberText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		json string
		want string // String(); "" = error expected
	}{
		{"integer", `100`, "100"},
		{"decimal", `10.50`, "10.5"},
		{"string", `"10.50"`, "10.5"},
		{"string with spaces", `" 10.50 "`, "10.5"},
		{"null is zero", `null`, "0"},
		{"exponent", `1e2`, "100"},
		{"upper exponent with sign", `1E+2`, "100"},
		{"fraction exponent", `1.5e1`, "15"},
		{"negative exponent", `1e-2`, "0.01"},
		{"string exponent", `"2.5e2"`, "250"},
		{"negative", `-3`, "-3"},
		{"negative zero", `-0`, "0"},
		{"16 digits", `1168648096792943`, "1168648096792943"},
		{"beyond float64 precision", `12345678901234567`, "12345678901234567"},
		{"2^53+1", `9007199254740993`, "9007199254740993"},
		{"18 significant digits", `1234567890123456.78`, "1234567890123456.78"},
		{"max int64", `9223372036854775807`, "9223372036854775807"},
		{"surrounding whitespace", " 42 ", "42"},
		{"too large", `12345678901234567890`, ""},
		{"exponent too large", `1e19`, ""},
		{"huge exponent", `1e400`, ""},
		{"exponent beyond scale", `1e-10`, ""},
		{"empty string", `""`, ""},
		{"word", `"abc"`, ""},
		{"comma string", `"1,000"`, ""},
		{"bool", `true`, ""},
		{"object", `{}`, ""},
		{"array", `[]`, ""},
		{"empty input", ``, ""},
		{"broken string", `"10`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := MustAmount("99") // must be overwritten (or left alone on error)
			err := a.UnmarshalJSON([]byte(tt.json))
			if tt.want == "" {
				if err == nil {
					t.Fatalf("UnmarshalJSON(%s) = %s, want an error", tt.json, a)
				}
				return
			}
			if err != nil {
				t.Fatalf("UnmarshalJSON(%s): %v", tt.json, err)
			}
			if got := a.String(); got != tt.want {
				t.Fatalf("UnmarshalJSON(%s) = %s, want %s", tt.json, got, tt.want)
			}
		})
	}
}

func TestAmountJSON_InsideDocuments(t *testing.T) {
	t.Parallel()
	var doc struct {
		Amount  Amount  `json:"amount"`
		Fee     Amount  `json:"fee"`
		VAT     Amount  `json:"vat"`
		Balance *Amount `json:"balance"`
	}
	in := `{"amount": 9007199254740993.07, "fee": "0.50", "vat": null, "balance": 1e2}`
	if err := json.Unmarshal([]byte(in), &doc); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if doc.Amount.String() != "9007199254740993.07" || doc.Fee.String() != "0.5" || !doc.VAT.IsZero() || doc.Balance.String() != "100" {
		t.Fatalf("decoded %s %s %s %s", doc.Amount, doc.Fee, doc.VAT, doc.Balance)
	}
	if err := json.Unmarshal([]byte(`{"amount": 99999999999999999999}`), &doc); err == nil {
		t.Fatal("an amount beyond int64 decoded without error; it must not be rounded")
	}
}

func TestAmountMarshalJSON_WritesDecimalText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a    Amount
		want string
	}{
		{MustAmount("100"), `100`},
		{MustAmount("100.5"), `100.5`},
		{MustAmount("10.50"), `10.5`},
		{NewAmount(1, 9), `0.000000001`}, // float formatting would write 1e-09
		{MustAmount("9007199254740993"), `9007199254740993`},
		{MustAmount("-0.01"), `-0.01`},
		{Amount{}, `0`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(struct {
			A Amount `json:"a"`
		}{tt.a})
		if err != nil {
			t.Fatalf("Marshal %s: %v", tt.a, err)
		}
		if got, want := string(b), `{"a":`+tt.want+`}`; got != want {
			t.Errorf("Marshal %s = %s, want %s", tt.a, got, want)
		}
		var back Amount
		if err := json.Unmarshal([]byte(tt.want), &back); err != nil || back.Cmp(tt.a) != 0 {
			t.Errorf("round trip of %s = %s, %v", tt.a, back, err)
		}
	}
}

// TestNoFloatOnMoneyPath keeps float32/float64 and float parsing out of the
// package's source: money is exact decimal text end to end.
func TestNoFloatOnMoneyPath(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.Ident:
				if x.Name == "float64" || x.Name == "float32" {
					t.Errorf("%s: %s used", fset.Position(x.Pos()), x.Name)
				}
			case *ast.SelectorExpr:
				if x.Sel.Name == "ParseFloat" || x.Sel.Name == "FormatFloat" || x.Sel.Name == "Float64" {
					t.Errorf("%s: %s used", fset.Position(x.Pos()), x.Sel.Name)
				}
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no source files checked")
	}
}
