package pos

import (
	"errors"
	"strings"
	"testing"

	"voucherpos/pos/config"
)

func TestSupervisorPINHash(t *testing.T) {
	t.Parallel()
	h, err := HashSupervisorPIN("482913")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "482913") || !strings.HasPrefix(h, "pbkdf2-sha256$100000$") || CheckSupervisorHash(h) != nil {
		t.Fatalf("hash %q", h)
	}
	if !VerifySupervisorPIN(h, "482913") || VerifySupervisorPIN(h, "482914") || VerifySupervisorPIN(h, "") {
		t.Fatal("verification is wrong")
	}
	h2, _ := HashSupervisorPIN("482913")
	if h2 == h {
		t.Fatal("no salt: two hashes of one PIN are equal")
	}
	for _, bad := range []string{"12", "1234567890123", "12a4", ""} {
		if _, err := HashSupervisorPIN(bad); !errors.Is(err, ErrSupervisorPIN) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	for _, bad := range []string{"", "1234", "pbkdf2-sha256$1$AAAA$BBBB", "md5$100000$c2FsdHNhbHQ$aGFzaA", "pbkdf2-sha256$100000$!!$x"} {
		if CheckSupervisorHash(bad) == nil || VerifySupervisorPIN(bad, "1234") {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestKioskSupervisorHash(t *testing.T) {
	t.Parallel()
	demo := config.Demo(func(string) string { return "" })
	h, err := KioskSupervisorHash(demo)
	if err != nil || !VerifySupervisorPIN(h, DemoSupervisorPIN) {
		t.Fatalf("demo: %v", err)
	}
	live := *demo
	live.Demo, live.Path = false, "till.toml"
	if _, err := KioskSupervisorHash(&live); err == nil || !strings.Contains(err.Error(), "voucherpos hash-pin") {
		t.Fatalf("no hash: %v", err)
	}
	live.Kiosk.SupervisorPINHash = "1234"
	if _, err := KioskSupervisorHash(&live); err == nil || !strings.Contains(err.Error(), "till.toml: kiosk.supervisor_pin_hash") {
		t.Fatalf("bad hash: %v", err)
	}
	live.Kiosk.SupervisorPINHash, _ = HashSupervisorPIN("482913")
	if got, err := KioskSupervisorHash(&live); err != nil || got != live.Kiosk.SupervisorPINHash {
		t.Fatalf("good hash: %v", err)
	}
}
