//go:build noserver

package main

import (
	"fmt"
	"io"
)

// runServer in a build without the store server (go build -tags noserver,
// for kiosks that never run it: about 1.3 MB smaller without the store
// package and lib/pq).
func runServer(_ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "voucherpos server: this build has no store server (built with -tags noserver); use a full build")
	return exitUsage
}
