package pos_test

import (
	"errors"
	"strings"
	"testing"

	"voucherpos/pos"
)

func TestNormalizePhoneReturnsE164(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, region, want string
	}{
		{"0821234567", "ZA", "+27821234567"},
		{"082 123 4567", "ZA", "+27821234567"},
		{"+27 82 123 4567", "ZA", "+27821234567"},
		{"0027821234567", "ZA", "+27821234567"},
		{"27821234567", "ZA", "+27821234567"},
		{"082-123-4567", "ZA", "+27821234567"},
		{"(082) 123 4567", "ZA", "+27821234567"},
		{"082.123.4567", "ZA", "+27821234567"},
		{"\u00a0082\u202f123 4567\t", "ZA", "+27821234567"},
		{"+27 (0)82 123 4567", "ZA", "+27821234567"},
		{"0821234567", "za", "+27821234567"},
		{"0821234567", " ZA ", "+27821234567"},
		// The seed's example: the trunk 0 after +27 is dropped.
		{"+270576847568", "ZA", "+27576847568"},
		{"+270821234567", "ZA", "+27821234567"},
		{"+2348031234567", "ZA", "+2348031234567"},
		{"08031234567", "NG", "+2348031234567"},
		{"+254712345678", "ZA", "+254712345678"},
		{"0712345678", "KE", "+254712345678"},
		{"+233 24 123 4567", "ZA", "+233241234567"},
		{"024 123 4567", "GH", "+233241234567"},
		{"+44 20 7946 0958", "ZA", "+442079460958"},
		{"+27821234567", "", "+27821234567"},
	}
	for _, tt := range tests {
		got, err := pos.NormalizePhone(tt.in, tt.region)
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", tt.in, tt.region, got, err, tt.want)
		}
	}
}

func TestNormalizePhoneRefusesWithTheReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, region string
		want       error
		wantMsg    string
	}{
		{"", "ZA", pos.ErrPhoneEmpty, "phone: no phone number"},
		{"   ", "ZA", pos.ErrPhoneEmpty, "phone: no phone number"},
		{"abc", "ZA", pos.ErrPhoneSyntax, "phone: not a phone number"},
		{"0821234567x", "ZA", pos.ErrPhoneSyntax, ""},
		{"082 123 4567 ext 12", "ZA", pos.ErrPhoneSyntax, ""},
		{"0821234567;ext=5", "ZA", pos.ErrPhoneSyntax, ""},
		{"tel:+27821234567", "ZA", pos.ErrPhoneSyntax, ""},
		{"082+1234567", "ZA", pos.ErrPhoneSyntax, ""},
		{"++27821234567", "ZA", pos.ErrPhoneSyntax, ""},
		{"+", "ZA", pos.ErrPhoneSyntax, ""},
		{"+27", "ZA", pos.ErrPhoneSyntax, ""},
		{"0", "ZA", pos.ErrPhoneSyntax, ""},
		{"082 1", "ZA", pos.ErrPhoneTooShort, "phone: phone number too short"},
		{"12", "ZA", pos.ErrPhoneTooShort, ""},
		{"00", "ZA", pos.ErrPhoneTooShort, ""},
		{"+27821234567890", "ZA", pos.ErrPhoneTooLong, "phone: phone number too long"},
		{"+2782123456789012345678", "ZA", pos.ErrPhoneTooLong, ""},
		{strings.Repeat("0 ", 40), "ZA", pos.ErrPhoneTooLong, ""},
		{"+999 123 456 789", "ZA", pos.ErrPhoneCountryCode, "phone: unknown country code"},
		{"0821234567", "", pos.ErrPhoneCountryCode, ""},
		{"0821234567", "XX", pos.ErrPhoneCountryCode, ""},
		{"08212345678", "ZA", pos.ErrPhoneInvalid, "phone: invalid phone number (want ZA)"},
		{"+234 0000 000 000", "ZA", pos.ErrPhoneInvalid, "phone: invalid phone number (want NG)"},
		{"+254 000 000 000", "ZA", pos.ErrPhoneInvalid, "phone: invalid phone number (want KE)"},
		{"+233 00 000 0000", "ZA", pos.ErrPhoneInvalid, "phone: invalid phone number (want GH)"},
		{"+33 0 00 00 00 00", "ZA", pos.ErrPhoneInvalid, "phone: invalid phone number (want FR)"},
	}
	for _, tt := range tests {
		got, err := pos.NormalizePhone(tt.in, tt.region)
		var phoneErr *pos.InputError
		if !errors.Is(err, tt.want) || !errors.As(err, &phoneErr) {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %v", tt.in, tt.region, got, err, tt.want)
			continue
		}
		if tt.wantMsg != "" && err.Error() != tt.wantMsg {
			t.Errorf("NormalizePhone(%q, %q) error text = %q; want %q", tt.in, tt.region, err.Error(), tt.wantMsg)
		}
	}
}

func TestNormalizeEmailTakesABareAddressOrTheFallback(t *testing.T) {
	t.Parallel()
	const store = "till@example.com"
	tests := []struct {
		in, fallback string
		want         string
		wantErr      bool
	}{
		{"", store, store, false},
		{"   ", store, store, false},
		{"", " " + store + " ", store, false},
		{"thabo@example.co.za", store, "thabo@example.co.za", false},
		{"  Thabo.M+till@Example.com ", store, "Thabo.M+till@Example.com", false},
		{"Thabo <thabo@example.co.za>", store, "", true},
		{"<thabo@example.co.za>", store, "", true},
		{"thabo", store, "", true},
		{"thabo@", store, "", true},
		{"@example.com", store, "", true},
		{"thabo@gmail", store, "", true},
		{"thabo@@example.com", store, "", true},
		{"thabo@example.com, sipho@example.com", store, "", true},
		{"", "", "", true},
		{"", "not an address", "", true},
	}
	for _, tt := range tests {
		got, err := pos.NormalizeEmail(tt.in, tt.fallback)
		if tt.wantErr {
			if !errors.Is(err, pos.ErrEmailInvalid) {
				t.Errorf("NormalizeEmail(%q, %q) = %q, %v; want ErrEmailInvalid", tt.in, tt.fallback, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeEmail(%q, %q) = %q, %v; want %q", tt.in, tt.fallback, got, err, tt.want)
		}
	}
	if _, err := pos.NormalizeEmail("thabo", store); err == nil || err.Error() != "email: invalid email address" {
		t.Errorf("NormalizeEmail error text = %v", err)
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"0821234567", "082 123 4567", "+27 82 123 4567", "0027821234567",
		"+270576847568", "+2348031234567", "", "abc", "082 1", "+999123456789",
		"+39 06 1234 5678", "+800 1234 5678", "(082) 123-4567", "00", "+",
	} {
		f.Add(s, "ZA")
		f.Add(s, "NG")
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		got, err := pos.NormalizePhone(s, region)
		if err != nil {
			var phoneErr *pos.InputError
			if !errors.As(err, &phoneErr) || phoneErr.Error() == "" {
				t.Fatalf("NormalizePhone(%q, %q) error %v is not an InputError", s, region, err)
			}
			return
		}
		if !strings.HasPrefix(got, "+") || strings.Trim(got[1:], "0123456789") != "" {
			t.Fatalf("NormalizePhone(%q, %q) = %q; want E.164", s, region, got)
		}
		again, err := pos.NormalizePhone(got, region)
		if err != nil || again != got {
			t.Fatalf("NormalizePhone(%q, %q) = %q, but normalising that gives %q, %v", s, region, got, again, err)
		}
	})
}
