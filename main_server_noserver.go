//go:build noserver

package main

import (
	"fmt"
	"io"
)

// runServer in a build without the store server (go build -tags noserver,
// for kiosks that never run it: about 5 MB smaller without pgx and the
// Prometheus client).
func runServer(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "voucherpos server: this build has no store server (built with -tags noserver); use a full build")
	return exitUsage
}
