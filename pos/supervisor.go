package pos

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"voucherpos/pos/config"
)

// Supervisor PINs are stored only as a salted PBKDF2-SHA256 hash:
// "pbkdf2-sha256$ITERATIONS$SALT$HASH" (base64, no padding).
const (
	pinHashScheme     = config.SupervisorHashScheme
	pinHashIterations = 100_000
)

// DemoSupervisorPIN opens the kiosk's supervisor menu in demo mode, where
// no hash is configured.
const DemoSupervisorPIN = "1234"

// ErrSupervisorPIN: a supervisor PIN must be 4 to 12 digits.
var ErrSupervisorPIN = errors.New("a supervisor PIN has 4 to 12 digits")

// HashSupervisorPIN makes the value of kiosk.supervisor_pin_hash.
func HashSupervisorPIN(pin string) (string, error) {
	pin = strings.TrimSpace(pin)
	if len(pin) < 4 || len(pin) > 12 || !allDigits(pin) {
		return "", ErrSupervisorPIN
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key, err := pbkdf2.Key(sha256.New, pin, salt, pinHashIterations, 32)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%s$%d$%s$%s", pinHashScheme, pinHashIterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// KioskSupervisorHash is the kiosk's supervisor PIN hash: the configured
// one, or in demo mode the hash of DemoSupervisorPIN. A kiosk without a
// usable hash could never be left, so that is an error.
func KioskSupervisorHash(cfg *config.Config) (string, error) {
	h := cfg.Kiosk.SupervisorPINHash
	if h == "" && cfg.Demo {
		return HashSupervisorPIN(DemoSupervisorPIN)
	}
	if h == "" {
		return "", fmt.Errorf("%s: kiosk.supervisor_pin_hash: kiosk mode needs one; make it with: voucherpos hash-pin", cfg.Path)
	}
	if err := CheckSupervisorHash(h); err != nil {
		return "", fmt.Errorf("%s: kiosk.supervisor_pin_hash: %v", cfg.Path, err)
	}
	return h, nil
}

// CheckSupervisorHash says what is wrong with a configured hash, if anything.
func CheckSupervisorHash(hash string) error {
	_, _, _, err := parsePINHash(hash)
	return err
}

func parsePINHash(hash string) (iter int, salt, key []byte, err error) {
	return config.ParseSupervisorHash(hash)
}

// VerifySupervisorPIN checks a PIN against its hash in constant time.
func VerifySupervisorPIN(hash, pin string) bool {
	iter, salt, key, err := parsePINHash(hash)
	if err != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pin, salt, iter, len(key))
	return err == nil && subtle.ConstantTimeCompare(got, key) == 1
}
