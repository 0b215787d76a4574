package config

import (
	"fmt"
	"strings"
	"testing"
)

// Each case is a whole file; the line ending in "#!" is where the mistake
// must be reported (no marker: no line). Key and Msg are checked exactly,
// and Error() must be "FILE:LINE: KEY: MSG".
func TestLoadRejects(t *testing.T) {
	t.Parallel()
	store := `[store]` + "\n" + `customer_email = "till@example.com"` + "\n"
	tests := []struct {
		name, text, key, msg string
	}{
		// syntax
		{"TOML syntax error", store + lines(`[kora]`, `timeout = 30s #!`),
			"", `invalid TOML: expected a top-level item to end with a newline, comment, or EOF, but got 's' instead`},
		{"duplicate key", store + lines(`[ui]`, `ascii = true`, `ascii = false #!`),
			"", `invalid TOML: Key 'ui.ascii' has already been defined.`},

		// names
		{"typo in a key", store + lines(`[kora]`, `secert_key_env = "KORA_SECRET_KEY" #!`),
			"kora.secert_key_env", "unknown key; did you mean secret_key_env?"},
		{"typo ignoring case", store + lines(`[kora]`, `Time_Out = "30s" #!`),
			"kora.Time_Out", "unknown key; did you mean timeout?"},
		{"unknown key, nothing close", store + lines(`[ui]`, `colour = "red" #!`),
			"ui.colour", "unknown key"},
		{"typo in a table name", store + lines(`[recipt] #!`, `width = 42`),
			"recipt", "unknown key; did you mean receipt?"},
		{"key outside its table", lines(`timeout = "30s" #!`) + store,
			"timeout", "unknown key here; timeout belongs under [kora]"},
		{"unknown key in a provider", store + lines(`[[providers]]`, `code = "0001"`, `name = "1Voucher"`, `[[providers]]`, `code = "0002"`, `nmae = "OTT" #!`),
			"providers[2].nmae", "unknown key; did you mean name?"},
		{"unknown sub-table", store + lines(`[kora.extra] #!`, `x = 1`),
			"kora.extra", "unknown key"},
		{"dotted key", lines(`kora.secret_kee = "x" #!`) + store,
			"kora.secret_kee", "unknown key; did you mean secret_key?"},
		{"inline table key", lines(`ui = { ascii = true, colour = "red" } #!`) + store,
			"ui.colour", "unknown key"},

		// types
		{"string for an integer", store + lines(`[receipt]`, `width = "42" #!`),
			"receipt.width", "must be an integer such as 42, not a string"},
		{"string for a boolean", store + lines(`[ui]`, `ascii = "yes" #!`),
			"ui.ascii", "must be true or false, not a string"},
		{"number for a duration", store + lines(`[kora]`, `timeout = 30 #!`),
			"kora.timeout", `must be a string such as "30s", not an integer`},
		{"float for an amount", lines(`[store]`, `customer_email = "till@example.com"`, `max_amount = 5000.00 #!`),
			"store.max_amount", `must be a string such as "5000.00" (quoted, so no float rounding), not a float`},
		{"number for a provider code", store + lines(`[[providers]]`, `code = 1 #!`, `name = "x"`),
			"providers[1].code", `must be a string such as "0001" (quoted, so leading zeros stay), not an integer`},
		{"array for a string", store + lines(`[kiosk]`, `supervisor_pin_hash = ["a"] #!`),
			"kiosk.supervisor_pin_hash", `must be a string such as "", not an array`},
		{"date for a string", store + lines(`[receipt]`, `printer = 2024-01-02 #!`),
			"receipt.printer", `must be a string such as "stdout", not a date or time`},
		{"table is a string", lines(`store = "Spaza" #!`),
			"store", "must be a table, written [store], not a string"},
		{"providers is a table", store + lines(`[providers] #!`, `code = "0001"`),
			"providers", "must be an array of tables, written [[providers]], not a table"},

		// store
		{"empty store name", lines(`[store]`, `name = "  " #!`, `customer_email = "till@example.com"`),
			"store.name", "must not be empty (it heads every receipt)"},
		{"currency not 3 letters", store + lines(`currency = "RAND" #!`),
			"store.currency", `"RAND" is not a 3-letter currency code (e.g. "ZAR")`},
		{"currency with a digit", store + lines(`currency = "ZA1" #!`),
			"store.currency", `"ZA1" is not a 3-letter currency code (e.g. "ZAR")`},
		{"currency not in ISO 4217", store + lines(`currency = "ABC" #!`),
			"store.currency", `"ABC" is not an ISO 4217 currency code (e.g. "ZAR", "NGN", "KES")`},
		{"currency that is no money", store + lines(`currency = "XXX" #!`),
			"store.currency", `"XXX" is not an ISO 4217 currency code (e.g. "ZAR", "NGN", "KES")`},
		{"decimals in a currency without minor units", store + lines(`currency = "JPY"`, `max_amount = "5000.50" #!`),
			"store.max_amount", `"5000.50" has decimal places; this currency has no minor unit`},
		{"more decimals than the currency has", store + lines(`currency = "KWD"`, `max_amount = "1.2345" #!`),
			"store.max_amount", `"1.2345" has more than 3 decimal places`},
		{"country not 2 letters", store + lines(`country = "ZAF" #!`),
			"store.country", `"ZAF" is not a 2-letter region code (e.g. "ZA")`},
		{"email missing, no store table", lines(`[ui]`, `ascii = true`),
			"store.customer_email", "required (Kora needs an email on every charge)"},
		{"email missing, placed at store", lines(`[store] #!`, `name = "Spaza"`),
			"store.customer_email", "required (Kora needs an email on every charge)"},
		{"email empty", lines(`[store]`, `customer_email = "" #!`),
			"store.customer_email", "required (Kora needs an email on every charge)"},
		{"email malformed", lines(`[store]`, `customer_email = "till.example.com" #!`),
			"store.customer_email", `"till.example.com" is not an email address (e.g. "till@example.com")`},
		{"email with a name", lines(`[store]`, `customer_email = "Till <till@example.com>" #!`),
			"store.customer_email", `"Till <till@example.com>" must be a bare address such as till@example.com, with no name or <>`},
		{"max amount zero", store + lines(`max_amount = "0.00" #!`),
			"store.max_amount", `"0.00" must be more than 0`},
		{"max amount negative", store + lines(`max_amount = "-5" #!`),
			"store.max_amount", `"-5" must be more than 0`},
		{"max amount three places", store + lines(`max_amount = "12.345" #!`),
			"store.max_amount", `"12.345" has more than 2 decimal places`},
		{"max amount with a comma", store + lines(`max_amount = "5,000" #!`),
			"store.max_amount", `"5,000" is not a decimal amount (e.g. "5000.00")`},
		{"max amount too large for cents", store + lines(`max_amount = "99999999999999999.9" #!`),
			"store.max_amount", `"99999999999999999.9" is too large`},
		{"max amount too large to read", store + lines(`max_amount = "99999999999999999999" #!`),
			"store.max_amount", `"99999999999999999999" is too large`},
		{"max amount far too precise", store + lines(`max_amount = "1.0000000001" #!`),
			"store.max_amount", `"1.0000000001" has more than 2 decimal places`},
		{"table written inside another", store + lines(`providers = [] #!`),
			"store.providers", "unknown key here; providers is a table of its own: write [[providers]], or move this line above the first [table]"},
		{"terminal id empty", store + lines(`terminal_id = "" #!`),
			"store.terminal_id", "must not be empty"},
		{"terminal id with a space", store + lines(`terminal_id = "till 1" #!`),
			"store.terminal_id", `"till 1" may hold only letters, digits, '-' and '_'`},
		{"terminal id too long", store + lines(`terminal_id = "till-0123456789-0123456789" #!`),
			"store.terminal_id", `"till-0123456789-0123456789" is longer than 24 characters`},

		// kora
		{"base url plain http", store + lines(`[kora]`, `base_url = "http://api.korapay.com/merchant" #!`),
			"kora.base_url", `"http://api.korapay.com/merchant" uses plain http, which would send the secret key unencrypted; use https (http is allowed only to 127.0.0.1, ::1 or localhost)`},
		{"base url plain http to a LAN address", store + lines(`[kora]`, `base_url = "http://192.168.1.5:8099" #!`),
			"kora.base_url", `"http://192.168.1.5:8099" uses plain http, which would send the secret key unencrypted; use https (http is allowed only to 127.0.0.1, ::1 or localhost)`},
		{"base url other scheme", store + lines(`[kora]`, `base_url = "ftp://api.korapay.com" #!`),
			"kora.base_url", `"ftp://api.korapay.com" must use https`},
		{"base url not absolute", store + lines(`[kora]`, `base_url = "api.korapay.com/merchant" #!`),
			"kora.base_url", `is not an absolute URL (e.g. "https://api.korapay.com/merchant")`},
		{"base url does not parse", store + lines(`[kora]`, `base_url = "https://api.korapay.com:port/" #!`),
			"kora.base_url", `is not an absolute URL (e.g. "https://api.korapay.com/merchant")`},
		{"base url with a password", store + lines(`[kora]`, `base_url = "https://me:hunter2@api.korapay.com" #!`),
			"kora.base_url", "must not carry a user name or password; the secret key is sent separately"},
		{"notification url not http", store + lines(`[kora]`, `notification_url = "mailto:x@example.com" #!`),
			"kora.notification_url", `"mailto:x@example.com" is not an http or https URL that Kora can call`},
		{"timeout not a duration", store + lines(`[kora]`, `timeout = "3O s" #!`),
			"kora.timeout", `"3O s" is not a duration (e.g. "30s")`},
		{"timeout too short", store + lines(`[kora]`, `timeout = "500ms" #!`),
			"kora.timeout", `"500ms" is shorter than 1s`},
		{"timeout too long", store + lines(`[kora]`, `timeout = "5m1s" #!`),
			"kora.timeout", `"5m1s" is longer than 5m`},

		// providers
		{"provider code missing", store + lines(`[[providers]] #!`, `name = "1Voucher"`),
			"providers[1].code", `required (e.g. "0001")`},
		{"provider code not digits", store + lines(`[[providers]]`, `code = "00A1" #!`, `name = "x"`),
			"providers[1].code", `"00A1" must be digits only (e.g. "0001")`},
		{"provider code repeated", store + lines(`[[providers]]`, `code = "0001"`, `name = "a"`, `[[providers]]`, `code = "0001" #!`, `name = "b"`),
			"providers[2].code", `"0001" is already used by providers[1]`},
		{"provider name missing", store + lines(`[[providers]]`, `code = "0001"`, `name = " " #!`),
			"providers[1].name", `required (e.g. "1Voucher")`},
		{"pin length too short", store + lines(`[[providers]]`, `code = "1"`, `name = "a"`, `pin_length = 3 #!`),
			"providers[1].pin_length", "3 must be 0 (any length) or 4 to 32"},
		{"pin length too long", store + lines(`[[providers]]`, `code = "1"`, `name = "a"`, `pin_length = 33 #!`),
			"providers[1].pin_length", "33 must be 0 (any length) or 4 to 32"},
		{"inline providers array", lines(`providers = [{ code = "1", name = "a" }, { code = "x", name = "b" }] #!`) + store,
			"providers[2].code", `"x" must be digits only (e.g. "0001")`},
		{"ten providers", store + tenProviders(),
			"providers", "at most 9 providers (the digits 1-9 pick them); found 10"},

		// receipt, kiosk
		{"receipt width", store + lines(`[receipt]`, `width = 40 #!`),
			"receipt.width", "40 must be 32, 42 or 48 (columns)"},
		{"idle timeout too short", store + lines(`[kiosk]`, `idle_timeout = "5s" #!`),
			"kiosk.idle_timeout", `"5s" is shorter than 10s`},
		{"idle timeout too long", store + lines(`[kiosk]`, `idle_timeout = "61m" #!`),
			"kiosk.idle_timeout", `"61m" is longer than 1h`},
		{"idle timeout not a duration", store + lines(`[kiosk]`, `idle_timeout = "ninety" #!`),
			"kiosk.idle_timeout", `"ninety" is not a duration (e.g. "90s")`},

		// order: the mistake nearest the top wins within a phase
		{"first of two value mistakes", lines(`[store]`, `customer_email = "till@example.com"`, `country = "ZAF" #!`, `[kora]`, `timeout = "1h"`),
			"store.country", `"ZAF" is not a 2-letter region code (e.g. "ZA")`},
		{"first by line, not by table", lines(`[kora]`, `timeout = "1h" #!`, `[store]`, `customer_email = "till@example.com"`, `country = "ZAF"`),
			"kora.timeout", `"1h" is longer than 5m`},
		{"names before values", lines(`[store]`, `country = "ZAF"`, `customer_email = "till@example.com"`, `[ui]`, `asci = true #!`),
			"ui.asci", "unknown key; did you mean ascii?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, _ := testEnv(t)
			path := writeConfig(t, tt.text)
			c, err := Load(path, env)
			if c != nil {
				t.Errorf("Load returned a config with an error")
			}
			e := asError(t, err)
			line := markedLine(tt.text)
			if e.File != path || e.Line != line || e.Key != tt.key || e.Msg != tt.msg {
				t.Errorf("got  %s:%d key %q msg %q\nwant %s:%d key %q msg %q", e.File, e.Line, e.Key, e.Msg, path, line, tt.key, tt.msg)
			}
			want := path
			if line > 0 {
				want += fmt.Sprintf(":%d", line)
			}
			if tt.key != "" {
				want += ": " + tt.key
			}
			want += ": " + tt.msg
			if err.Error() != want {
				t.Errorf("Error() = %q\nwant      %q", err, want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("Error() spans lines: %q", err)
			}
		})
	}
}

func tenProviders() string {
	var b strings.Builder
	for i := 1; i <= 10; i++ {
		mark := ""
		if i == 10 {
			mark = " #!"
		}
		fmt.Fprintf(&b, "[[providers]]%s\ncode = \"%04d\"\nname = \"p%d\"\n", mark, i, i)
	}
	return b.String()
}

func TestLoadAccepts(t *testing.T) {
	t.Parallel()
	store := `[store]` + "\n" + `customer_email = "till@example.com"` + "\n"
	tests := []struct {
		name, text string
		check      func(*Config) bool
	}{
		{"http to 127.0.0.1", store + lines(`[kora]`, `base_url = "http://127.0.0.1:8099"`), func(c *Config) bool { return c.Kora.BaseURL == "http://127.0.0.1:8099" }},
		{"http to 127.8.9.10", store + lines(`[kora]`, `base_url = "http://127.8.9.10"`), func(c *Config) bool { return c.Kora.BaseURL == "http://127.8.9.10" }},
		{"http to ::1", store + lines(`[kora]`, `base_url = "http://[::1]:8099/merchant"`), func(c *Config) bool { return c.Kora.BaseURL == "http://[::1]:8099/merchant" }},
		{"http to localhost", store + lines(`[kora]`, `base_url = "http://LocalHost:8099"`), func(c *Config) bool { return c.Kora.BaseURL == "http://LocalHost:8099" }},
		{"timeout at 1s", store + lines(`[kora]`, `timeout = "1s"`), func(c *Config) bool { return c.Kora.Timeout.Seconds() == 1 }},
		{"timeout at 5m", store + lines(`[kora]`, `timeout = "5m"`), func(c *Config) bool { return c.Kora.Timeout.Minutes() == 5 }},
		{"idle timeout at 10s", store + lines(`[kiosk]`, `idle_timeout = "10s"`), func(c *Config) bool { return c.Kiosk.IdleTimeout.Seconds() == 10 }},
		{"idle timeout at 1h", store + lines(`[kiosk]`, `idle_timeout = "1h"`), func(c *Config) bool { return c.Kiosk.IdleTimeout.Hours() == 1 }},
		{"max amount integer", store + lines(`max_amount = "250"`), func(c *Config) bool { return c.Store.MaxAmount == "250.00" }},
		{"max amount trailing zeros", store + lines(`max_amount = "99.9900"`), func(c *Config) bool { return c.Store.MaxAmount == "99.99" }},
		{"terminal id of 24", store + lines(`terminal_id = "abcdefghijklmnopqrstuvwx"`), func(c *Config) bool { return len(c.Store.TerminalID) == 24 }},
		{"pin length 0 means any", store + lines(`[[providers]]`, `code = "7"`, `name = "x"`, `pin_length = 0`), func(c *Config) bool { return c.Providers[0].PinLength == 0 }},
		{"pin lengths 4 and 32", store + lines(`[[providers]]`, `code = "1"`, `name = "a"`, `pin_length = 4`, `[[providers]]`, `code = "2"`, `name = "b"`, `pin_length = 32`),
			func(c *Config) bool { return c.Providers[0].PinLength == 4 && c.Providers[1].PinLength == 32 }},
		{"nine providers", store + strings.Join(strings.SplitAfter(tenProviders(), "\n")[:27], ""), func(c *Config) bool { return len(c.Providers) == 9 }},
		{"empty providers array means the default", lines(`providers = []`) + store, func(c *Config) bool { return len(c.Providers) == 1 && c.Providers[0].Name == "1Voucher" }},
		{"receipt widths 32 and 48", store + lines(`[receipt]`, `width = 48`), func(c *Config) bool { return c.Receipt.Width == 48 }},
		{"empty notification url", store + lines(`[kora]`, `notification_url = ""`), func(c *Config) bool { return c.Kora.NotificationURL == "" }},
		{"quoted keys", lines(`["store"]`, `"customer_email" = "till@example.com"`), func(c *Config) bool { return c.Store.CustomerEmail == "till@example.com" }},
		{"CRLF line ends", strings.ReplaceAll(store, "\n", "\r\n"), func(c *Config) bool { return c.Store.CustomerEmail == "till@example.com" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, _ := testEnv(t)
			c, err := Load(writeConfig(t, tt.text), env)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("unexpected config %+v", c)
			}
		})
	}
}

func TestLoadUnreadable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name, path, msg string
	}{
		{"missing file", dir + "/nope.toml", "cannot open: no such file"},
		{"directory", dir, "is a directory, not a configuration file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, _ := testEnv(t)
			_, err := Load(tt.path, env)
			e := asError(t, err)
			if e.File != tt.path || e.Line != 0 || e.Key != "" || e.Msg != tt.msg {
				t.Errorf("got %#v", e)
			}
		})
	}
}

func TestLoadTooLarge(t *testing.T) {
	t.Parallel()
	env, _ := testEnv(t)
	path := writeConfig(t, minimal+strings.Repeat("# padding\n", maxConfigBytes/10+1))
	_, err := Load(path, env)
	if e := asError(t, err); !strings.Contains(e.Msg, "larger than 1024 KiB") {
		t.Errorf("got %q", err)
	}
}

func TestLineIndex(t *testing.T) {
	t.Parallel()
	text := lines(
		`# comment`, // 1
		`top = 1`,   // 2
		`[store]`,   // 3
		`name = """`,
		`x = "not a key"`,
		`"""`,
		`'customer email' = "x"`, // 7
		`[ kora . "sub" ]`,       // 8
		`a.b = 1`,                // 9
		`[[providers]]`,          // 10
		`code = "1"`,             // 11
		`[[providers]]`,          // 12
		`x = { y = 1, "z" = 2 }`, // 13
	)
	idx := indexLines(text)
	tests := map[string]int{
		"top":                    2,
		"store":                  3,
		"store.name":             4,
		"store.x":                3, // inside the multi-line string: falls back to the table
		`store."customer email"`: 7,
		"kora.sub":               8,
		"kora.sub.a.b":           9,
		"providers":              10,
		"providers[1].code":      11,
		"providers[2]":           12,
		"providers[2].code":      12,
		"providers[2].x.y":       13,
		"providers[2].x.z":       13,
		"nowhere.at.all":         0,
	}
	for k, want := range tests {
		if got := idx.line(k); got != want {
			t.Errorf("line(%s) = %d, want %d", k, got, want)
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	keys := []string{"secret_key_env", "secret_key_file", "secret_key", "timeout"}
	tests := map[string]string{
		"secert_key_env": "secret_key_env",
		"secret_key_fil": "secret_key_file",
		"secretkey":      "secret_key",
		"TIMEOUT":        "timeout",
		"time":           "",
		"":               "",
	}
	for in, want := range tests {
		if got := suggest(in, keys); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
