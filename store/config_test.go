package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, mode os.FileMode, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "server.toml")
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, mode)
	return p
}

const secretURLText = "postgres://vp:s3cr3t-pw@db.local:5432/voucherpos"

func TestLoadConfig(t *testing.T) {
	env := func(vals map[string]string) func(string) string { return func(k string) string { return vals[k] } }
	urlFile := filepath.Join(t.TempDir(), "db.url")
	os.WriteFile(urlFile, []byte(secretURLText+"\n"), 0o600)
	openFile := filepath.Join(t.TempDir(), "open.url")
	os.WriteFile(openFile, []byte(secretURLText+"\n"), 0o644)
	os.Chmod(openFile, 0o644)

	tests := []struct {
		name    string
		mode    os.FileMode
		text    string
		env     map[string]string
		wantErr string // "" for success
		wantURL string
	}{
		{"defaults from the environment", 0o644, "", map[string]string{"VOUCHERPOS_DATABASE_URL": secretURLText}, "", secretURLText},
		{"env not set", 0o644, "[server]\nstore_name = \"x\"\n", nil, "environment variable VOUCHERPOS_DATABASE_URL is not set", ""},
		{"own env name", 0o644, "[server]\ndatabase_url_env = \"DB\"\n", map[string]string{"DB": secretURLText}, "", secretURLText},
		{"url file", 0o644, "[server]\ndatabase_url_file = \"" + urlFile + "\"\n", nil, "", secretURLText},
		{"url file readable by all", 0o644, "[server]\ndatabase_url_file = \"" + openFile + "\"\n", nil, "readable by every user", ""},
		{"inline password in an open file", 0o644, "[server]\ndatabase_url = \"" + secretURLText + "\"\n", nil, ":2: server.database_url: an inline URL with a password needs the file to be private", ""},
		{"inline password in a private file", 0o600, "[server]\ndatabase_url = \"" + secretURLText + "\"\n", nil, "", secretURLText},
		{"inline without password", 0o644, "[server]\ndatabase_url = \"postgres://vp@127.0.0.1/vp\"\n", nil, "", "postgres://vp@127.0.0.1/vp"},
		{"plain HTTP off loopback", 0o600, "[server]\nlisten = \"0.0.0.0:8443\"\ndatabase_url = \"postgres://vp@h/vp\"\n", nil, ":2: server.listen: plain HTTP is served only on a loopback address", ""},
		{"plain HTTP on ::1", 0o600, "[server]\nlisten = \"[::1]:8443\"\ndatabase_url = \"postgres://vp@h/vp\"\n", nil, "", "postgres://vp@h/vp"},
		{"TLS off loopback", 0o600, "[server]\nlisten = \":8443\"\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\ndatabase_url = \"postgres://vp@h/vp\"\n", nil, "", "postgres://vp@h/vp"},
		{"cert without key", 0o600, "[server]\ntls_cert = \"c.pem\"\ndatabase_url = \"postgres://vp@h/vp\"\n", nil, "set both tls_cert and tls_key", ""},
		{"unknown key", 0o600, "[server]\n\nlisten_addr = \"x\"\n", nil, ":3: server.listen_addr: unknown key", ""},
		{"unknown table", 0o600, "[store]\nname = \"x\"\n", nil, ":1: store: unknown table [store]", ""},
		{"till's kora table", 0o600, "[server]\ndatabase_url = \"postgres://vp@h/vp\"\n[kora]\nsecret_key_env = \"KORA_SECRET_KEY\"\ntimeout = \"30s\"\n", map[string]string{"KORA_SECRET_KEY": "sk_test_s3cr3t"}, "", "postgres://vp@h/vp"},
		{"kora key not set", 0o600, "[server]\ndatabase_url = \"postgres://vp@h/vp\"\n[kora]\n", nil, "kora.secret_key_env: environment variable KORA_SECRET_KEY is not set", ""},
		{"kora key not a key", 0o600, "[server]\ndatabase_url = \"postgres://vp@h/vp\"\n[kora]\nsecret_key = \"pk_test_s3cr3t\"\n", nil, "kora.secret_key: is not a Kora secret key", ""},
		{"two sources", 0o600, "[server]\ndatabase_url = \"postgres://vp@h/vp\"\ndatabase_url_file = \"x\"\n", nil, "not both", ""},
		{"syntax", 0o600, "[server\n", nil, ":2:", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.text != "" {
				path = writeConfig(t, tt.mode, tt.text)
			}
			c, err := LoadConfig(path, env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "s3cr3t") {
					t.Fatalf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.env["KORA_SECRET_KEY"] != "" && c.Kora.Secret() != tt.env["KORA_SECRET_KEY"] {
				t.Fatalf("Kora.Secret() = %q", c.Kora.Secret())
			}
			if c.DatabaseURL() != tt.wantURL {
				t.Fatalf("DatabaseURL = %q", c.DatabaseURL())
			}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
				if s := fmt.Sprintf(verb, c) + fmt.Sprintf(verb, *c); strings.Contains(s, "s3cr3t") {
					t.Fatalf("%s shows the password: %s", verb, s)
				}
			}
			if strings.Contains(c.DatabaseDisplay(), "s3cr3t") {
				t.Fatalf("DatabaseDisplay shows the password")
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		secretURLText:                        "postgres://vp:xxxxx@db.local:5432/voucherpos",
		"postgres://vp@h/db?password=s3cr3t": "postgres://vp@h/db?password=xxxxx",
		"host=h user=vp password=s3cr3t":     "host=h user=vp password=xxxxx",
		"postgres://vp@h/db":                 "postgres://vp@h/db",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
