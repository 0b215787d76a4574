package config

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// SupervisorHashScheme starts every kiosk.supervisor_pin_hash:
// "pbkdf2-sha256$ITERATIONS$SALT$HASH" (base64, no padding), as made by
// "voucherpos hash-pin".
const SupervisorHashScheme = "pbkdf2-sha256"

// ParseSupervisorHash reads a kiosk.supervisor_pin_hash. The till and
// "voucherpos check" both refuse a kiosk whose hash fails here, when the
// configuration is loaded, so check passes exactly when the till starts.
func ParseSupervisorHash(hash string) (iter int, salt, key []byte, err error) {
	parts := strings.Split(strings.TrimSpace(hash), "$")
	if len(parts) != 4 || parts[0] != SupervisorHashScheme {
		return 0, nil, nil, errors.New(`not a supervisor PIN hash; make one with "voucherpos hash-pin"`)
	}
	iter, err = strconv.Atoi(parts[1])
	if err != nil || iter < 10_000 || iter > 10_000_000 {
		return 0, nil, nil, errors.New("supervisor PIN hash: bad iteration count")
	}
	enc := base64.RawStdEncoding
	if salt, err = enc.DecodeString(parts[2]); err != nil || len(salt) < 8 {
		return 0, nil, nil, errors.New("supervisor PIN hash: bad salt")
	}
	if key, err = enc.DecodeString(parts[3]); err != nil || len(key) != 32 {
		return 0, nil, nil, errors.New("supervisor PIN hash: bad hash")
	}
	return iter, salt, key, nil
}
