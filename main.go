// Command voucherpos is a terminal point-of-sale that redeems prepaid
// vouchers through Kora's Voucher Charge API. This file is the switchboard:
// flags and subcommands, wired to the packages that do the work.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"voucherpos/kora/sandbox"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `voucherpos — redeem prepaid vouchers through Kora

usage:
  voucherpos [--config F] [--demo] [--kiosk]        the till
  voucherpos sandbox [--listen 127.0.0.1:8099]       the Kora sandbox over HTTP
  voucherpos history [--config F] [--date D] [--json]
  voucherpos report  [--config F] [--date D] [--csv]
  voucherpos receipt REFERENCE [--config F] [--print]
  voucherpos reconcile [--config F]                  resolve pending/unknown sales now
  voucherpos check [--config F]                      config, key and connectivity check
  voucherpos version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit status: 0 fine,
// 1 the work failed, 2 the command line or config is wrong.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "sandbox":
			return runSandbox(args[1:], stdout, stderr)
		case "version", "--version":
			fmt.Fprintln(stdout, "voucherpos", version)
			return 0
		case "help", "-h", "--help":
			fmt.Fprint(stdout, usage)
			return 0
		}
	}
	fmt.Fprint(stderr, usage)
	return 2
}

func runSandbox(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8099", "address to serve the sandbox on")
	key := fs.String("key", sandbox.DefaultSecretKey, "Bearer key the sandbox accepts")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	srv, err := sandbox.Start(*listen, sandbox.WithSecretKey(*key))
	if err != nil {
		fmt.Fprintf(stderr, "voucherpos sandbox: %v\n", err)
		return 1
	}
	srv.Describe(stdout, srv.URL)
	fmt.Fprintln(stdout, "\nServing until Ctrl+C.")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	srv.Close()
	return 0
}
