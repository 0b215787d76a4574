package sandbox

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// GroupPIN writes a PIN in groups of four: 1168 6480 9679 2943.
func GroupPIN(pin string) string {
	var b strings.Builder
	for i := 0; i < len(pin); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(pin[i:min(i+4, len(pin))])
	}
	return b.String()
}

// Rand formats cents as rands: 200000 → "R 2 000.00".
func Rand(cents int64) string {
	whole := fmt.Sprint(cents / 100)
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(d)
	}
	return fmt.Sprintf("R %s.%02d", b.String(), cents%100)
}

// names maps provider codes to names.
func (s *Sandbox) names() map[string]string {
	names := map[string]string{}
	for _, p := range s.Providers() {
		names[p.Code] = p.Name
	}
	return names
}

// DemoLines is one line per demo voucher (PIN, provider, what it does),
// for a demo's on-screen panel.
func (s *Sandbox) DemoLines() []string {
	names := s.names()
	var out []string
	for _, v := range DemoVouchers() {
		out = append(out, fmt.Sprintf("%-19s %-8s %s", GroupPIN(v.PIN), names[v.Provider], v.Does))
	}
	return append(out, fmt.Sprintf("%-19s %-8s %s", GroupPIN(InvalidPIN), "any", "invalid PIN"),
		fmt.Sprintf("%-19s %-8s %s", "any PIN", "code "+UnsupportedProvider, "provider not supported"))
}

// Describe prints what a person needs to use the sandbox at baseURL: its
// key, providers, each demo voucher and what it does, and a sample curl.
func (s *Sandbox) Describe(w io.Writer, baseURL string) {
	fmt.Fprintf(w, "Kora sandbox on %s  (key: %s)\n\n", baseURL, s.key)
	fmt.Fprintln(w, "Providers:")
	for _, p := range s.Providers() {
		state := "active"
		if !p.Active {
			state = "not active for this merchant"
		}
		fmt.Fprintf(w, "  %s  %-9s %d-digit PINs, %s\n", p.Code, p.Name, p.PINLength, state)
	}
	fmt.Fprintf(w, "  %s  (any other code is not supported)\n\n", UnsupportedProvider)

	names := s.names()
	fmt.Fprintln(w, "Demo vouchers:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  PIN\tprovider\tvalue\twhat it does")
	for _, v := range DemoVouchers() {
		value := Rand(v.Balance)
		if v.Used {
			value = "used"
		}
		fmt.Fprintf(tw, "  %s\t%s %s\t%s\t%s\n", GroupPIN(v.PIN), v.Provider, names[v.Provider], value, v.Does)
	}
	fmt.Fprintf(tw, "  %s\t0001 1Voucher\t-\tnot a voucher: invalid PIN (400)\n", GroupPIN(InvalidPIN))
	tw.Flush()
	fmt.Fprintln(w, "\nA reference (at least 8 characters) can be used once; sending it again gives \"Duplicate payment reference\".")
	fmt.Fprintf(w, "Routes are served under %s only (charge, query, pay-ins history); any other path is 404 \"Route not found\".\n", BasePath)
	fmt.Fprintln(w, "metadata: at most 5 keys of at most 20 characters A-Z a-z 0-9 -; notification_url must be https (loopback http allowed).")
	fmt.Fprintf(w, `
Try it:
  curl -s %[1]s/api/v1/charge/voucher \
    -H 'Authorization: Bearer %[2]s' -H 'Content-Type: application/json' \
    -d '{"amount":100,"currency":"ZAR","merchant_bears_cost":true,"reference":"demo-0001",
         "voucher":{"pin":"1168648096792943","phone_number":"+27821234567","provider_code":"0001"},
         "customer":{"email":"till@example.com"}}'
  curl -s %[1]s/api/v1/charges/demo-0001 -H 'Authorization: Bearer %[2]s'
  curl -s '%[1]s/api/v1/pay-ins?currency=ZAR&limit=10' -H 'Authorization: Bearer %[2]s'
`, baseURL, s.key)
}
