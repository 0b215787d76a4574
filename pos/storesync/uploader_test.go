package storesync

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://store.local:8443": true,
		"http://127.0.0.1:8443":    true,
		"http://[::1]:8443":        true,
		"http://localhost:8443":    true,
		"http://store.local:8443":  false,
		"ftp://store.local":        false,
		"store.local":              false,
	} {
		if err := CheckURL(u); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v", u, err)
		}
	}
}

func TestReadToken(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "t")
	os.WriteFile(p, []byte("vpt_abc\n"), 0o600)
	if tok, err := ReadToken(p); err != nil || tok != "vpt_abc" {
		t.Fatalf("ReadToken = %q, %v", tok, err)
	}
	os.Chmod(p, 0o644)
	if _, err := ReadToken(p); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a world-readable token file: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "two"), []byte("a b\n"), 0o600)
	if _, err := ReadToken(filepath.Join(dir, "two")); err == nil {
		t.Fatal("two words read as a token")
	}
}
