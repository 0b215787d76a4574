package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"voucherpos/kora"
)

func TestLoadFillsDefaults(t *testing.T) {
	t.Parallel()
	env, _ := testEnv(t)
	path := writeConfig(t, minimal)
	got, err := Load(path, env)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Path: path,
		Store: Store{
			Name:          "voucherpos",
			TerminalID:    "till-1",
			Currency:      "ZAR",
			Country:       "ZA",
			CustomerEmail: "till@example.com",
			MaxAmount:     "5000.00",
		},
		Kora: Kora{
			BaseURL:           kora.DefaultBaseURL,
			SecretKeyEnv:      "KORA_SECRET_KEY",
			MerchantBearsCost: true,
			Timeout:           30 * time.Second,
		}.WithSecret(testSecret),
		Providers: []Provider{{Code: "0001", Name: "1Voucher", PinLength: 16}},
		Journal:   Journal{Path: "/home/cashier/.local/share/voucherpos/journal.db"},
		Receipt:   Receipt{Width: 42},
		Kiosk:     Kiosk{IdleTimeout: 90 * time.Second},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load(minimal) =\n%+v\nwant\n%+v", got, want)
	}
	if got.Kora.Secret() != testSecret {
		t.Errorf("Secret() is not the KORA_SECRET_KEY value")
	}
	if got.Kora.Timeout != kora.DefaultTimeout {
		t.Errorf("Timeout %v, want kora.DefaultTimeout %v", got.Kora.Timeout, kora.DefaultTimeout)
	}
}

func TestLoadReadsEveryKey(t *testing.T) {
	t.Parallel()
	env, _ := testEnv(t, "TILL_KEY", "sk_live_FromTillKey")
	path := writeConfig(t, lines(
		`[store]`,
		`name = "  Thandi's Spaza  "`,
		`terminal_id = "Till_07-b"`,
		`currency = "zar"`,
		`country = "za"`,
		`customer_email = "sales@thandi.example"`,
		`max_amount = "1500.5"`,
		`[kora]`,
		`base_url = "http://127.0.0.1:8099/merchant"`,
		`secret_key_env = "TILL_KEY"`,
		`merchant_bears_cost = false`,
		`notification_url = "https://thandi.example/hooks/kora"`,
		`timeout = "12s"`,
		`[[providers]]`,
		`code = "0002"`,
		`name = "OTT"`,
		`pin_length = 12`,
		`[[providers]]`,
		`code = "0009"`,
		`name = "Any"`,
		`[journal]`,
		`path = "data/sales.db"`,
		`[receipt]`,
		`width = 32`,
		`printer = "lp:front"`,
		`escpos = true`,
		`[kiosk]`,
		`enabled = true`,
		`idle_timeout = "2m"`,
		`supervisor_pin_hash = "pbkdf2-sha256$100000$c2FsdHNhbHRzYWx0c2FsdA$AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"`,
		`[ui]`,
		`ascii = true`,
	))
	got, err := Load(path, env)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Path: path,
		Store: Store{
			Name:          "Thandi's Spaza",
			TerminalID:    "Till_07-b",
			Currency:      "ZAR",
			Country:       "ZA",
			CustomerEmail: "sales@thandi.example",
			MaxAmount:     "1500.50",
		},
		Kora: Kora{
			BaseURL:           "http://127.0.0.1:8099/merchant",
			SecretKeyEnv:      "TILL_KEY",
			MerchantBearsCost: false,
			NotificationURL:   "https://thandi.example/hooks/kora",
			Timeout:           12 * time.Second,
		}.WithSecret("sk_live_FromTillKey"),
		Providers: []Provider{
			{Code: "0002", Name: "OTT", PinLength: 12},
			{Code: "0009", Name: "Any", PinLength: 0},
		},
		Journal: Journal{Path: filepath.Join(filepath.Dir(path), "data", "sales.db")},
		Receipt: Receipt{Width: 32, Printer: "lp:front", ESCPOS: true},
		Kiosk:   Kiosk{Enabled: true, IdleTimeout: 2 * time.Minute, SupervisorPINHash: "pbkdf2-sha256$100000$c2FsdHNhbHRzYWx0c2FsdA$AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"},
		UI:      UI{ASCII: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load =\n%+v\nwant\n%+v", got, want)
	}
	if got.Mode() != "LIVE" {
		t.Errorf("Mode() = %q, want LIVE", got.Mode())
	}
}

func TestJournalPathResolution(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		env        []string
		want       string // "{dir}" is the config file's directory
	}{
		{"empty means the data dir", `""`, nil, "/home/cashier/.local/share/voucherpos/journal.db"},
		{"XDG_DATA_HOME moves the default", `""`, []string{"XDG_DATA_HOME", "/srv/data"}, "/srv/data/voucherpos/journal.db"},
		{"relative is beside the config", `"j/sales.db"`, nil, "{dir}/j/sales.db"},
		{"dot-dot is cleaned", `"../sales.db"`, nil, "{parent}/sales.db"},
		{"tilde is home", `"~/pos/sales.db"`, nil, "/home/cashier/pos/sales.db"},
		{"absolute stays", `"/var/lib/voucherpos/sales.db"`, nil, "/var/lib/voucherpos/sales.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, _ := testEnv(t, tt.env...)
			path := writeConfig(t, minimal+lines(`[journal]`, `path = `+tt.path))
			c, err := Load(path, env)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Dir(path)
			want := strings.NewReplacer("{dir}", dir, "{parent}", filepath.Dir(dir)).Replace(tt.want)
			if c.Journal.Path != filepath.FromSlash(want) {
				t.Errorf("Journal.Path = %q, want %q", c.Journal.Path, want)
			}
		})
	}
}

func TestJournalTildeNeedsHome(t *testing.T) {
	t.Parallel()
	path := writeConfig(t, minimal+lines(`[journal]`, `path = "~/sales.db" #!`))
	_, err := Load(path, mapEnv(map[string]string{"KORA_SECRET_KEY": testSecret}))
	e := asError(t, err)
	if e.Key != "journal.path" || e.Line != 4 || !strings.Contains(e.Msg, "$HOME is not set") {
		t.Errorf("got %q", err)
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	c := Demo(mapEnv(map[string]string{"XDG_DATA_HOME": "/data"}))
	want := &Config{
		Demo: true,
		Store: Store{
			Name:          "Demo Spaza",
			TerminalID:    "demo-1",
			Currency:      "ZAR",
			Country:       "ZA",
			CustomerEmail: "demo@example.com",
			MaxAmount:     "5000.00",
		},
		Kora: Kora{MerchantBearsCost: true, Timeout: 8 * time.Second}.WithSecret("sk_test_sandbox"),
		Providers: []Provider{
			{Code: "0001", Name: "1Voucher", PinLength: 16},
			{Code: "0002", Name: "OTT", PinLength: 12},
			{Code: "0003", Name: "blu", PinLength: 16},
			{Code: "0004", Name: "Flash", PinLength: 16},
		},
		Journal: Journal{Path: "/data/voucherpos/demo-journal.db"},
		Receipt: Receipt{Width: 42},
		Kiosk:   Kiosk{IdleTimeout: 90 * time.Second},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Demo =\n%+v\nwant\n%+v", c, want)
	}
	// Each call builds its own slices: a caller editing one cannot change
	// the next.
	c.Providers[0].Name = "changed"
	if Demo(mapEnv(nil)).Providers[0].Name != "1Voucher" {
		t.Error("Demo shares its providers slice between calls")
	}
}

func TestMode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    *Config
		want string
	}{
		{"demo wins over a test key", &Config{Demo: true, Kora: Kora{}.WithSecret("sk_test_x")}, "DEMO"},
		{"test key", &Config{Kora: Kora{}.WithSecret("sk_test_x")}, "TEST"},
		{"live key", &Config{Kora: Kora{}.WithSecret("sk_live_x")}, "LIVE"},
		{"anything else is no mode (Load refuses it)", &Config{Kora: Kora{}.WithSecret("pk_test_abc")}, "KEY?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.c.Mode(); got != tt.want {
				t.Errorf("Mode() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDataDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"XDG_DATA_HOME", map[string]string{"XDG_DATA_HOME": "/x", "HOME": "/h"}, "/x/voucherpos"},
		{"HOME fallback", map[string]string{"HOME": "/h"}, "/h/.local/share/voucherpos"},
		{"relative XDG_DATA_HOME is ignored", map[string]string{"XDG_DATA_HOME": "rel", "HOME": "/h"}, "/h/.local/share/voucherpos"},
		{"neither", map[string]string{}, "voucherpos-data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := DataDir(mapEnv(tt.env)); got != filepath.FromSlash(tt.want) {
				t.Errorf("DataDir = %q, want %q", got, tt.want)
			}
		})
	}
}

const examplePath = "../../config.example.toml"

// The example file must load, and with nothing but the required email set
// it must say exactly what the defaults say.
func TestExampleConfigLoadsWithDefaults(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	env, _ := testEnv(t)
	dir := t.TempDir()
	got, err := Load(writeFile(t, dir, "voucherpos.toml", string(text), 0o600), env)
	if err != nil {
		t.Fatalf("Load(config.example.toml): %v", err)
	}
	want, err := Load(writeConfig(t, minimal), env)
	if err != nil {
		t.Fatal(err)
	}
	got.Path, want.Path = "", ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config.example.toml differs from the defaults:\n%+v\nwant\n%+v", got, want)
	}
}

// Every key Load knows is shown in the example, set or commented out.
func TestExampleConfigShowsEveryKey(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range schema {
		header := "[" + s.name + "]"
		if s.array {
			header = "[[" + s.name + "]]"
		}
		if !strings.Contains(string(text), header) {
			t.Errorf("config.example.toml has no %s", header)
		}
		for _, k := range s.keys {
			re := regexp.MustCompile(`(?m)^#?\s*` + regexp.QuoteMeta(k.name) + `\s*=.*#`)
			if !re.Match(text) {
				t.Errorf("config.example.toml has no commented line for %s.%s", s.name, k.name)
			}
		}
	}
}
