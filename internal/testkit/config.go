// Package testkit writes the till config that main's tests, the
// end-to-end rig and the benchmark harness run voucherpos with: one
// place, so that they test the same till.
package testkit

import (
	"fmt"
	"os"
	"time"
)

// Till is a till's config for a test: a store, Kora's address, the two
// providers the sandbox takes, and a journal.
type Till struct {
	Store      string        // store.name
	TerminalID string        // store.terminal_id
	BaseURL    string        // kora.base_url (the sandbox's)
	Timeout    time.Duration // kora.timeout; 0 leaves the default
	Journal    string        // journal.path; "" leaves the default
	Extra      string        // more TOML, appended as is
}

// TOML is the config's text.
func (c Till) TOML() string {
	s := fmt.Sprintf("[store]\nname = %q\nterminal_id = %q\ncustomer_email = \"till@example.com\"\n\n[kora]\nbase_url = %q\n",
		c.Store, c.TerminalID, c.BaseURL)
	if c.Timeout > 0 {
		s += fmt.Sprintf("timeout = %q\n", c.Timeout.String())
	}
	s += "\n[[providers]]\ncode = \"0001\"\nname = \"1Voucher\"\npin_length = 16\n\n[[providers]]\ncode = \"0002\"\nname = \"OTT\"\npin_length = 12\n"
	if c.Journal != "" {
		s += fmt.Sprintf("\n[journal]\npath = %q\n", c.Journal)
	}
	return s + c.Extra
}

// Write writes the config to path, readable by its owner only (as a
// config holding a key must be).
func (c Till) Write(path string) error { return os.WriteFile(path, []byte(c.TOML()), 0o600) }
