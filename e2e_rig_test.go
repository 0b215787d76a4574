package main

// The rig for end-to-end tests against a Kora the test controls: a sandbox
// in this test process behind a gate that can hold queries, hold a charge
// at Kora's door, reset a connection, or take Kora off the network and put
// it back on the same port; a config file pointing the real till at it;
// and read-only looks at the till's journal.

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"voucherpos/internal/ptytest"
	"voucherpos/internal/testkit"
	"voucherpos/kora"
	"voucherpos/kora/sandbox"
	"voucherpos/pos/journal"
)

// rigKey is the Kora key of the rig's sandbox and tills.
const rigKey = sandbox.DefaultSecretKey

// rigTimeout is kora.timeout in the rig's configs: short, so that a fault
// slower than it is quick to test.
const rigTimeout = 2 * time.Second

// koraRig is a sandbox served on 127.0.0.1 through a gate.
type koraRig struct {
	t    *testing.T
	sb   *sandbox.Sandbox
	addr string
	URL  string

	mu         sync.Mutex
	ln         net.Listener
	servers    []*http.Server
	holdGET    chan struct{} // non-nil: queries wait until it is closed
	holdPOST   bool          // charges wait at the door and are never applied
	resetPOST  bool          // charges are applied, then the connection is reset
	downOnPOST bool          // Kora leaves the network as a charge arrives
	posts      chan struct{} // a signal per charge that reaches the gate
	closed     chan struct{}
}

// newKoraRig starts a sandbox with opts on a free 127.0.0.1 port.
func newKoraRig(t *testing.T, opts ...sandbox.Option) *koraRig {
	t.Helper()
	k := &koraRig{t: t, sb: sandbox.New(opts...), posts: make(chan struct{}, 16), closed: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k.addr = ln.Addr().String()
	k.URL = "http://" + k.addr + sandbox.BasePath
	k.serve(ln)
	t.Cleanup(k.close)
	return k
}

// newDownKoraRig is a rig whose port has nothing listening yet: Kora is
// unreachable until up.
func newDownKoraRig(t *testing.T, opts ...sandbox.Option) *koraRig {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	k := &koraRig{t: t, sb: sandbox.New(opts...), posts: make(chan struct{}, 16), closed: make(chan struct{}),
		addr: addr, URL: "http://" + addr + sandbox.BasePath}
	t.Cleanup(k.close)
	return k
}

func (k *koraRig) serve(ln net.Listener) {
	srv := &http.Server{Handler: k, ReadHeaderTimeout: 10 * time.Second}
	k.mu.Lock()
	k.ln = ln
	k.servers = append(k.servers, srv)
	k.mu.Unlock()
	go srv.Serve(ln)
}

// up puts Kora back on its address.
func (k *koraRig) up() {
	k.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ln, err := net.Listen("tcp", k.addr)
		if err == nil {
			k.serve(ln)
			return
		}
		if time.Now().After(deadline) {
			k.t.Skipf("the port %s could not be had again: %v", k.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// leave stops accepting connections: dials are refused from now on.
func (k *koraRig) leave() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ln != nil {
		k.ln.Close()
		k.ln = nil
	}
}

func (k *koraRig) close() {
	close(k.closed)
	k.leave()
	k.mu.Lock()
	servers := k.servers
	k.mu.Unlock()
	for _, s := range servers {
		s.Close()
	}
	k.sb.Close()
}

// holdQueries makes every GET /charges/… wait until release is called.
func (k *koraRig) holdQueries() {
	k.mu.Lock()
	k.holdGET = make(chan struct{})
	k.mu.Unlock()
}

func (k *koraRig) releaseQueries() {
	k.mu.Lock()
	if k.holdGET != nil {
		close(k.holdGET)
		k.holdGET = nil
	}
	k.mu.Unlock()
}

func (k *koraRig) set(fn func(k *koraRig)) {
	k.mu.Lock()
	fn(k)
	k.mu.Unlock()
}

// waitPOST waits for a charge to reach the gate.
func (k *koraRig) waitPOST(d time.Duration) {
	k.t.Helper()
	select {
	case <-k.posts:
	case <-time.After(d):
		k.t.Fatalf("no charge reached Kora within %v", d)
	}
}

func (k *koraRig) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	hold, holdPOST, reset, down := k.holdGET, k.holdPOST, k.resetPOST, k.downOnPOST
	k.mu.Unlock()
	if r.Method == http.MethodPost {
		select {
		case k.posts <- struct{}{}:
		default:
		}
		switch {
		case holdPOST:
			// The charge waits at Kora's door and is never applied.
			select {
			case <-r.Context().Done():
			case <-k.closed:
			case <-time.After(time.Minute):
			}
			return
		case reset:
			// Applied, then the connection is reset (RST, not FIN).
			k.sb.ServeHTTP(httptest.NewRecorder(), r)
			rst(w)
			return
		case down:
			// Kora falls off the network as it takes the charge: this
			// answer still goes out, then nothing is listening.
			k.leave()
			w.Header().Set("Connection", "close")
		}
	}
	if r.Method == http.MethodGet && hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		case <-k.closed:
			return
		}
	}
	k.sb.ServeHTTP(w, r)
}

// rst resets the connection under w: SO_LINGER 0 makes Close send RST.
func rst(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// successes counts the ledger's successful charges, all of them and those
// of ref.
func successes(sb *sandbox.Sandbox, ref string) (all, mine int) {
	for _, c := range sb.Charges() {
		if c.Status == kora.StatusSuccess {
			all++
			if c.Reference == ref {
				mine++
			}
		}
	}
	return all, mine
}

// tillConfig writes a 0600 config for a till on baseURL with a journal in
// dir, and returns its path and the journal's.
func tillConfig(t *testing.T, dir, baseURL, extra string) (cfgPath, journalPath string) {
	t.Helper()
	journalPath = filepath.Join(dir, "data", "journal.db")
	cfgPath = filepath.Join(dir, "voucherpos.toml")
	cfg := testkit.Till{Store: "Fault Spaza", TerminalID: "till-f", BaseURL: baseURL, Timeout: rigTimeout, Journal: journalPath, Extra: extra}
	if err := cfg.Write(cfgPath); err != nil {
		t.Fatal(err)
	}
	return cfgPath, journalPath
}

// tillEnv is a clean environment: a fresh home and XDG directories, and
// the key in KORA_SECRET_KEY.
func tillEnv(home, key string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"TMPDIR=" + home,
		"TERM=xterm-256color",
		"KORA_SECRET_KEY=" + key,
	}
}

// rigTill is a configured till (not a demo) and where its files are.
type rigTill struct {
	dir, cfg, journal string
	key               string
	env               []string
	transcript        *syncBuffer
}

// chargeR100 starts a till against baseURL and sends the sale most fault
// and crash tests share: R 100 on the 1Voucher that redeems in full.
func chargeR100(t *testing.T, baseURL string) (*rigTill, *ptytest.Term) {
	t.Helper()
	rt := newRigTill(t, baseURL)
	term := rt.start(t)
	sell(t, term, "100", "1", sandbox.PINFull, "0821234567")
	term.Send("\r")
	return rt, term
}

func newRigTill(t *testing.T, baseURL string) *rigTill {
	t.Helper()
	return newRigTillWith(t, baseURL, rigKey, "")
}

// newRigTillWith is newRigTill with another key and extra config text.
func newRigTillWith(t *testing.T, baseURL, key, extra string) *rigTill {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: runs the real binary in a pty")
	}
	dir := t.TempDir()
	cfg, jp := tillConfig(t, dir, baseURL, extra)
	return &rigTill{dir: dir, cfg: cfg, journal: jp, key: key, env: tillEnv(dir, key), transcript: &syncBuffer{}}
}

// start runs the till in an 80×24 pty and waits for the Amount screen.
func (rt *rigTill) start(t *testing.T, extra ...string) *ptytest.Term {
	t.Helper()
	bin := e2eBinary(t)
	term := ptytest.Start(t, bin, ptytest.Options{Args: append([]string{"--config", rt.cfg}, extra...),
		Dir: rt.dir, Env: rt.env, Transcript: rt.transcript})
	term.WaitText(screenWait, "TEST", amountTitle)
	return term
}

// run runs a voucherpos subcommand to completion (bounded) and returns its
// stdout, stderr and exit status.
func (rt *rigTill) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e2eBinary(t), append(args, "--config", rt.cfg)...)
	cmd.Dir, cmd.Env = rt.dir, rt.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		t.Fatalf("voucherpos %v: %v\n%s", args, err, errb.String())
	}
	return out.String(), errb.String(), code
}

// sales reads the journal read-only (as `history` does, beside a running
// till): every sale, oldest first.
func (rt *rigTill) sales(t *testing.T) []journal.Sale {
	t.Helper()
	j, err := journal.Open(rt.journal, journal.Options{ReadOnly: true, Secret: rt.key})
	if err != nil {
		t.Fatalf("opening the journal read-only: %v", err)
	}
	defer j.Close()
	rows, err := j.List(context.Background(), time.Time{}, time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatalf("reading the journal: %v", err)
	}
	return rows
}

// only is the journal's one sale.
func (rt *rigTill) only(t *testing.T) journal.Sale {
	t.Helper()
	rows := rt.sales(t)
	if len(rows) != 1 {
		t.Fatalf("%d sales in the journal, want 1: %+v", len(rows), rows)
	}
	return rows[0]
}

// waitSale polls the journal until cond holds for its one sale.
func (rt *rigTill) waitSale(t *testing.T, d time.Duration, what string, cond func(journal.Sale) bool) journal.Sale {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		rows := rt.sales(t)
		if len(rows) == 1 && cond(rows[0]) {
			return rows[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for the journal's sale to be %s: %+v", d, what, rows)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// events is a sale's event log, as "kind: detail" lines.
func (rt *rigTill) events(t *testing.T, ref string) []string {
	t.Helper()
	j, err := journal.Open(rt.journal, journal.Options{ReadOnly: true, Secret: rt.key})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ev, err := j.Events(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ev))
	for i, e := range ev {
		out[i] = e.Kind + ": " + e.Detail
	}
	return out
}

// body is the screen without its status and help bars, for a report.
func body(screen string) string {
	lines := strings.Split(screen, "\n")
	if len(lines) > 2 {
		lines = lines[1 : len(lines)-1]
	}
	var keep []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			keep = append(keep, strings.TrimSpace(l))
		}
	}
	return strings.Join(keep, " | ")
}

// syncBuffer is a bytes.Buffer safe for a pty reader and a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.b.Bytes())
}

// quit leaves the till with Ctrl+C (and y, if it asks) and waits for it.
func quit(t *testing.T, term *ptytest.Term) {
	t.Helper()
	term.Send("\x03")
	deadline := time.Now().Add(screenWait)
	for time.Now().Before(deadline) {
		if _, done := term.ExitCode(); done {
			break
		}
		if strings.Contains(term.Screen(), "Quit voucherpos?") {
			term.Send("y")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code := term.WaitExit(exitWait); code != 0 {
		t.Fatalf("the till exited with %d\n%s", code, term.Report())
	}
}
