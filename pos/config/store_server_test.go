package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStoreServerSection(t *testing.T) {
	base := "[store]\ncustomer_email = \"a@b.co\"\n[kora]\nsecret_key_env = \"K\"\n"
	env := func(k string) string {
		if k == "K" {
			return "sk_test_x"
		}
		return ""
	}
	tests := []struct {
		name, text, wantErr, wantURL, wantToken string
	}{
		{"none", "", "", "", ""},
		{"https", "[store_server]\nurl = \"https://store.local:8443/\"\ntoken_file = \"store.token\"\n", "", "https://store.local:8443", "store.token"},
		{"loopback http", "[store_server]\nurl = \"http://127.0.0.1:8443\"\ntoken_file = \"/t\"\n", "", "http://127.0.0.1:8443", "/t"},
		{"plain http across a network", "[store_server]\nurl = \"http://store.local\"\ntoken_file = \"/t\"\n", "store_server.url: \"http://store.local\" uses plain http", "", ""},
		{"url without token", "[store_server]\nurl = \"https://store.local\"\n", "store_server.token_file: is needed", "", ""},
		{"token without url", "[store_server]\ntoken_file = \"/t\"\n", "store_server.url: is needed", "", ""},
		{"webhook not https", "[store_server]\npublic_webhook_url = \"http://x\"\n", "public_webhook_url", "", ""},
		{"unknown key", "[store_server]\ntoken = \"vpt_abc\"\n", "store_server.token", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "voucherpos.toml")
			os.WriteFile(p, []byte(base+tt.text), 0o600)
			c, err := Load(p, env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.wantToken
			if want != "" && !filepath.IsAbs(want) {
				want = filepath.Join(dir, want)
			}
			if c.StoreServer.URL != tt.wantURL || c.StoreServer.TokenFile != want || c.StoreServer.Enabled() != (tt.wantURL != "") {
				t.Fatalf("StoreServer = %+v", c.StoreServer)
			}
		})
	}
}
