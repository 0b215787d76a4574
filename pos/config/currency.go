package config

import (
	"errors"
	"strings"

	"golang.org/x/text/currency"
)

// notMoney are ISO 4217 codes that name no money a till can take: no
// currency, the test code, precious metals and accounting units.
var notMoney = map[string]bool{
	"XXX": true, "XTS": true, "XAU": true, "XAG": true, "XPD": true, "XPT": true,
	"XBA": true, "XBB": true, "XBC": true, "XBD": true, "XDR": true, "XSU": true, "XUA": true,
}

// ErrCurrency: a code that is not an ISO 4217 currency a till can take.
var ErrCurrency = errors.New("not an ISO 4217 currency code")

// CurrencyDigits is the number of minor-unit digits of an ISO 4217
// currency (2 for ZAR, 0 for JPY, 3 for KWD), from the CLDR table that
// golang.org/x/text/currency maintains. The code may be in any case.
func CurrencyDigits(code string) (int, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !isLetters(code, 3) || notMoney[code] {
		return 0, ErrCurrency
	}
	u, err := currency.ParseISO(code)
	if err != nil {
		return 0, ErrCurrency
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale, nil
}
