package pos_test

import (
	"errors"
	"strings"
	"testing"

	"voucherpos/pos"
)

func TestNormalizePINKeepsTheDigitsOfAPaste(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		length int
		want   string
	}{
		{"1168648096792943", 16, "1168648096792943"},
		{"1168 6480 9679 2943", 16, "1168648096792943"},
		{"1168-6480-9679-2943", 16, "1168648096792943"},
		{"1168.6480.9679.2943", 16, "1168648096792943"},
		{"1168/6480/9679/2943", 16, "1168648096792943"},
		{" 1168\u00a06480\t9679\u202f2943\n", 16, "1168648096792943"},
		{"0000 0000 0012", 12, "000000000012"},
		{"123456789012", 0, "123456789012"},
		{"7", 0, "7"},
	}
	for _, tt := range tests {
		got, err := pos.NormalizePIN(tt.in, tt.length)
		if err != nil || got != tt.want {
			t.Errorf("NormalizePIN(%q, %d) = %q, %v; want %q", tt.in, tt.length, got, err, tt.want)
		}
	}
}

func TestNormalizePINRefusesWithTheReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		length  int
		want    error
		wantMsg string
	}{
		{"", 16, pos.ErrPINEmpty, "pin: no PIN"},
		{" - . / ", 16, pos.ErrPINEmpty, "pin: no PIN"},
		{"1168 6480 9679 294O", 16, pos.ErrPINDigits, "pin: PIN has a character that is not a digit"},
		{"PIN 1168648096792943", 16, pos.ErrPINDigits, "pin: PIN has a character that is not a digit"},
		{"+1168648096792943", 0, pos.ErrPINDigits, "pin: PIN has a character that is not a digit"},
		{"١١٦٨", 0, pos.ErrPINDigits, "pin: PIN has a character that is not a digit"},
		{"１２３４", 0, pos.ErrPINDigits, "pin: PIN has a character that is not a digit"},
		{"116864809679294", 16, pos.ErrPINLength, "pin: PIN has the wrong number of digits (want 16, got 15)"},
		{"11686480967929431", 16, pos.ErrPINLength, "pin: PIN has the wrong number of digits (want 16, got 17)"},
		{"1168648096792943", 12, pos.ErrPINLength, "pin: PIN has the wrong number of digits (want 12, got 16)"},
	}
	for _, tt := range tests {
		got, err := pos.NormalizePIN(tt.in, tt.length)
		if !errors.Is(err, tt.want) {
			t.Errorf("NormalizePIN(%q, %d) = %q, %v; want %v", tt.in, tt.length, got, err, tt.want)
			continue
		}
		if err.Error() != tt.wantMsg {
			t.Errorf("NormalizePIN(%q, %d) error text = %q; want %q", tt.in, tt.length, err.Error(), tt.wantMsg)
		}
	}
}

func TestPINLengthErrorCarriesWantAndGot(t *testing.T) {
	t.Parallel()
	_, err := pos.NormalizePIN("1234 5678 9012", 16)
	var lenErr *pos.InputError
	if !errors.As(err, &lenErr) || lenErr.Field != pos.FieldPIN || lenErr.Want != "16" || lenErr.Got != "12" {
		t.Fatalf("NormalizePIN error = %#v; want an InputError of the PIN wanting 16, got 12", err)
	}
}

func TestGroupPINGroupsFoursFromTheLeft(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"1168648096792943", "1168 6480 9679 2943"},
		{"123456789012", "1234 5678 9012"},
		{"12345", "1234 5"},
		{"1234", "1234"},
		{"12", "12"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := pos.GroupPIN(tt.in); got != tt.want {
			t.Errorf("GroupPIN(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestPINLast4KeepsOnlyTheLastFour(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"1168648096792943", "2943"},
		{"123456789012", "9012"},
		{"12345", "2345"},
		{"123", "123"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := pos.PINLast4(tt.in); got != tt.want {
			t.Errorf("PINLast4(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskedPINShowsOnlyTheLastFourInGroups(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		ascii bool
		want  string
	}{
		{"1168648096792943", true, "**** **** **** 2943"},
		{"1168648096792943", false, "•••• •••• •••• 2943"},
		{"123456789012", true, "**** **** 9012"},
		{"12345", true, "*234 5"},
		{"1234", true, "****"},
		{"12", false, "••"},
		{"", true, ""},
	}
	for _, tt := range tests {
		got := pos.MaskedPIN(tt.in, tt.ascii)
		if got != tt.want {
			t.Errorf("MaskedPIN(%q, %v) = %q; want %q", tt.in, tt.ascii, got, tt.want)
		}
		if len(tt.in) > 4 && strings.Contains(got, tt.in[:len(tt.in)-4]) {
			t.Errorf("MaskedPIN(%q) = %q shows more than the last four", tt.in, got)
		}
	}
}

func FuzzNormalizePIN(f *testing.F) {
	for _, s := range []string{
		"1168648096792943", "1168 6480 9679 2943", "1168-6480-9679-2943", "",
		"abc", "123456789012", "\u00a01\u202f2", "١٢٣", "12/34.56",
	} {
		f.Add(s, 16)
		f.Add(s, 0)
		f.Add(s, 12)
	}
	f.Fuzz(func(t *testing.T, s string, length int) {
		pin, err := pos.NormalizePIN(s, length)
		if err != nil {
			if !errors.Is(err, pos.ErrPINEmpty) && !errors.Is(err, pos.ErrPINDigits) && !errors.Is(err, pos.ErrPINLength) {
				t.Fatalf("NormalizePIN(%q) error %v is none of the sentinels", s, err)
			}
			return
		}
		if pin == "" || strings.Trim(pin, "0123456789") != "" {
			t.Fatalf("NormalizePIN(%q) = %q; want digits only", s, pin)
		}
		if length > 0 && len(pin) != length {
			t.Fatalf("NormalizePIN(%q, %d) = %q; wrong length", s, length, pin)
		}
		if again, err := pos.NormalizePIN(pos.GroupPIN(pin), length); err != nil || again != pin {
			t.Fatalf("NormalizePIN(GroupPIN(%q)) = %q, %v", pin, again, err)
		}
		if masked := pos.MaskedPIN(pin, true); len(masked) != len(pos.GroupPIN(pin)) {
			t.Fatalf("MaskedPIN(%q) = %q; not shaped like GroupPIN", pin, masked)
		}
	})
}
