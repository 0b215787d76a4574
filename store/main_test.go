package store_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"voucherpos/kora/sandbox"
	"voucherpos/pos"
	"voucherpos/pos/config"
	"voucherpos/store"
)

// The fault tests run the store server and tills as real processes: this
// test binary, re-executed with VOUCHERPOS_STORE_CHILD set, so a SIGKILL
// lands on a process with its own sockets, pool and journal.
func TestMain(m *testing.M) {
	switch os.Getenv("VOUCHERPOS_STORE_CHILD") {
	case "server":
		os.Exit(childServer())
	case "till":
		os.Exit(childTill())
	}
	os.Exit(m.Run())
}

// childServer serves the database VOUCHERPOS_CHILD_DB on
// VOUCHERPOS_CHILD_LISTEN and prints "READY addr".
func childServer() int {
	cfg := (&store.Config{Listen: os.Getenv("VOUCHERPOS_CHILD_LISTEN")}).WithDatabaseURL(os.Getenv("VOUCHERPOS_CHILD_DB"))
	if key := os.Getenv("VOUCHERPOS_CHILD_KORA_KEY"); key != "" {
		cfg = cfg.WithKoraSecret(key) // Kora's webhooks are verified with it
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	// A bounded life: an orphan ends by itself.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	err := store.Run(ctx, cfg, store.RunOptions{Location: zone, Ready: func(addr string) { fmt.Printf("READY %s\n", addr) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child server:", err)
		return 1
	}
	return 0
}

// tillConfig is a till on the sandbox at kora, its journal at path,
// shipping to storeURL.
func tillConfig(terminal, kora, path, storeURL, tokenFile string) *config.Config {
	cfg := config.Demo(func(string) string { return "" })
	cfg.Demo = false
	cfg.Store.TerminalID = terminal
	cfg.Kora.BaseURL = kora
	cfg.Kora.Timeout = 2 * time.Second
	cfg.Journal.Path = path
	cfg.StoreServer = config.StoreServer{URL: storeURL, TokenFile: tokenFile}
	return cfg
}

// childTill sells approved sales for ever (bounded), printing "SOLD n"
// after each, while its uploader ships them; the parent kills it.
func childTill() int {
	sb, err := sandbox.Start("")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer sb.Close()
	cfg := tillConfig(os.Getenv("VOUCHERPOS_CHILD_TERMINAL"), sb.URL, os.Getenv("VOUCHERPOS_CHILD_JOURNAL"),
		os.Getenv("VOUCHERPOS_CHILD_STORE"), os.Getenv("VOUCHERPOS_CHILD_TOKEN"))
	clock := &tickClock{}
	svc, err := pos.Open(cfg, pos.Options{Now: clock.Now})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer svc.Close()
	sb.AddVoucher(sandbox.Voucher{PIN: "210000000777", Provider: "0002", Balance: 1 << 50})
	for i := 1; i <= 100000; i++ {
		if _, err := svc.Submit(context.Background(), pos.Order{ProviderCode: "0002", PIN: "210000000777", Phone: "0821234567", Amount: pos.Money(100 + i)}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("SOLD %d\n", i)
	}
	return 0
}

// child is a running child process and its stdout lines.
type child struct {
	cmd   *exec.Cmd
	lines chan string
}

func startChild(t testing.TB, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, lines: make(chan string, 1024)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case c.lines <- sc.Text():
			default: // a slow reader loses lines, never blocks the child
			}
		}
		io.Copy(io.Discard, out)
		close(c.lines)
	}()
	t.Cleanup(func() { c.kill() })
	return c
}

// waitLine waits (bounded) for a line starting with prefix.
func (c *child) waitLine(t testing.TB, prefix string, within time.Duration) string {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				t.Fatalf("child ended before %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return strings.TrimSpace(strings.TrimPrefix(l, prefix))
			}
		case <-deadline:
			t.Fatalf("no %q from the child within %s", prefix, within)
		}
	}
}

func (c *child) kill() {
	if c.cmd.ProcessState == nil {
		c.cmd.Process.Signal(syscall.SIGKILL)
		c.cmd.Wait()
	}
}

// startServerChild runs the store server as its own process on listen
// ("127.0.0.1:0" for any port) and returns it and its address.
func startServerChild(t testing.TB, dbURL, listen string) (*child, string) {
	t.Helper()
	c := startChild(t, "VOUCHERPOS_STORE_CHILD=server", "VOUCHERPOS_CHILD_DB="+dbURL, "VOUCHERPOS_CHILD_LISTEN="+listen)
	addr := c.waitLine(t, "READY ", 30*time.Second)
	return c, addr
}
