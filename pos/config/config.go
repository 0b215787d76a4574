// Package config loads and checks voucherpos's TOML configuration.
//
// Load reads one file, fills in defaults, checks every value and resolves
// the Kora secret key; any mistake comes back as a one-line *Error naming
// the file, line and key. Demo builds the configuration used when no file
// exists. Nothing here prints the secret key: Kora formats it as
// [redacted] under every fmt verb and in slog output.
package config

import (
	"path/filepath"
	"strings"
	"time"

	"voucherpos/kora"
)

// Env looks up an environment variable: os.Getenv in production, a map in
// tests. A nil Env means os.Getenv.
type Env func(key string) string

// Config is a loaded, checked configuration.
type Config struct {
	Path      string // file it was loaded from; "" for the demo config
	Demo      bool
	Store     Store
	Kora      Kora
	Providers []Provider
	Journal   Journal
	Receipt   Receipt
	Kiosk     Kiosk
	UI        UI
	// StoreServer is where the till ships its journal (store_server.go).
	StoreServer StoreServer
}

// Store describes the shop and the till.
type Store struct {
	Name          string
	TerminalID    string
	Currency      string // ISO 4217, upper case
	Country       string // ISO 3166 region, upper case; default for phone numbers
	CustomerEmail string // sent to Kora when the customer gives none
	MaxAmount     string // decimal > 0 with exactly two places, e.g. "5000.00"
}

// Provider is a voucher brand the till offers; digits 1-9 pick them in order.
type Provider struct {
	Code      string // digits only, e.g. "0001"
	Name      string
	PinLength int // 0 means any length
}

// Journal says where the sales journal lives.
type Journal struct {
	Path string // absolute, or as resolved from the config file's directory
}

// Receipt configures receipt printing.
type Receipt struct {
	Width   int    // 32, 42 or 48 columns
	Printer string // "" none | "stdout" | a file or device path | "lp:QUEUE"
	ESCPOS  bool   // raw ESC/POS when writing to a device
}

// Kiosk configures the locked-down till.
type Kiosk struct {
	Enabled           bool
	IdleTimeout       time.Duration
	SupervisorPINHash string // never the PIN itself
}

// UI holds display preferences.
type UI struct {
	ASCII bool
}

// Defaults that PRODUCT.md and config.example.toml promise.
const (
	defaultStoreName     = "voucherpos"
	defaultTerminalID    = "till-1"
	defaultCurrency      = "ZAR"
	defaultCountry       = "ZA"
	defaultMaxAmount     = "5000.00"
	defaultSecretKeyEnv  = "KORA_SECRET_KEY"
	defaultReceiptWidth  = 42
	defaultIdleTimeout   = 90 * time.Second
	defaultJournalName   = "journal.db"
	demoJournalName      = "demo-journal.db"
	demoTimeout          = 8 * time.Second
	demoSecret           = "sk_test_sandbox"
	maxProviders         = 9
	envConfig            = "VOUCHERPOS_CONFIG"
	configFileName       = "voucherpos.toml"
	xdgConfigFileSubpath = "voucherpos/config.toml"
)

func defaultProviders() []Provider {
	return []Provider{{Code: "0001", Name: "1Voucher", PinLength: 16}}
}

// defaults is a Config before the file is applied. The file's own values
// replace these; the secret is resolved afterwards.
func defaults(env Env) *Config {
	return &Config{
		Store: Store{
			Name:       defaultStoreName,
			TerminalID: defaultTerminalID,
			Currency:   defaultCurrency,
			Country:    defaultCountry,
			MaxAmount:  defaultMaxAmount,
		},
		Kora: Kora{
			BaseURL:           kora.DefaultBaseURL,
			SecretKeyEnv:      defaultSecretKeyEnv,
			MerchantBearsCost: true,
			Timeout:           kora.DefaultTimeout,
		},
		Journal: Journal{Path: filepath.Join(DataDir(env), defaultJournalName)},
		Receipt: Receipt{Width: defaultReceiptWidth},
		Kiosk:   Kiosk{IdleTimeout: defaultIdleTimeout},
	}
}

// Demo is the configuration for demo mode: the embedded sandbox, a test
// key and a journal of its own. Kora.BaseURL is "" for the caller to point
// at the sandbox it starts.
func Demo(env Env) *Config {
	env = orGetenv(env)
	return &Config{
		Demo: true,
		Store: Store{
			Name:          "Demo Spaza",
			TerminalID:    "demo-1",
			Currency:      defaultCurrency,
			Country:       defaultCountry,
			CustomerEmail: "demo@example.com",
			MaxAmount:     defaultMaxAmount,
		},
		Kora: Kora{
			MerchantBearsCost: true,
			Timeout:           demoTimeout,
			secret:            newSecret(demoSecret),
		},
		Providers: []Provider{
			{Code: "0001", Name: "1Voucher", PinLength: 16},
			{Code: "0002", Name: "OTT", PinLength: 12},
			{Code: "0003", Name: "blu", PinLength: 16},
			{Code: "0004", Name: "Flash", PinLength: 16},
		},
		Journal: Journal{Path: filepath.Join(DataDir(env), demoJournalName)},
		Receipt: Receipt{Width: defaultReceiptWidth},
		Kiosk:   Kiosk{IdleTimeout: defaultIdleTimeout},
	}
}

// Mode is the banner word for the till: "DEMO" in demo mode, "TEST" with a
// Kora test key (sk_test_…), "LIVE" with a live one (sk_live_…). Load
// refuses any other key; a Config built by hand with one says "KEY?".
func (c *Config) Mode() string {
	switch {
	case c.Demo:
		return "DEMO"
	case strings.HasPrefix(c.Kora.Secret(), "sk_test_"):
		return "TEST"
	case strings.HasPrefix(c.Kora.Secret(), "sk_live_"):
		return "LIVE"
	}
	return "KEY?"
}

// DataDir is where voucherpos keeps its data: $XDG_DATA_HOME/voucherpos,
// with XDG_DATA_HOME defaulting to $HOME/.local/share. A relative
// XDG_DATA_HOME is ignored, as the XDG spec says. With neither variable set
// it falls back to "voucherpos-data" in the working directory.
func DataDir(env Env) string {
	env = orGetenv(env)
	if d := env("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "voucherpos")
	}
	if h := env("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "voucherpos")
	}
	return "voucherpos-data"
}

// configHome is $XDG_CONFIG_HOME or $HOME/.config; "" when neither is known.
func configHome(env Env) string {
	if d := env("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return d
	}
	if h := env("HOME"); h != "" {
		return filepath.Join(h, ".config")
	}
	return ""
}
