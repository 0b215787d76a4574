package pos

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"voucherpos/kora/sandbox"
)

// logAt runs two sales (one approved, one whose answer is a 500 after the
// charge, resolved by the reconciler) with the log at level, and returns
// the log.
func logAt(t *testing.T, level slog.Level) string {
	t.Helper()
	sb, err := sandbox.Start("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(syncWriter{w: &buf}, &slog.HandlerOptions{Level: level}))
	svc, err := Open(testConfig(t, sb.URL), Options{Policy: testPolicy, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, pin := range []string{"1000 0000 0000 0100", sandbox.PIN500} {
		if _, err := svc.Submit(ctx, order(10000, "0001", pin)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Reconcile(ctx, true); err != nil {
		t.Fatal(err)
	}
	svc.Close()
	logMu.Lock()
	defer logMu.Unlock()
	return buf.String()
}

// --log-level debug adds what support needs; info does not; neither has a
// PIN, a phone number or the key.
func TestDebugLogForSupport(t *testing.T) {
	t.Parallel()
	debug, info := logAt(t, slog.LevelDebug), logAt(t, slog.LevelInfo)
	for _, want := range []string{
		"msg=\"kora request\" method=POST path=", "/api/v1/charge/voucher took=", "status=200", "status=500",
		"method=GET path=", "/api/v1/charges/demo-1-",
		"msg=\"sale state\"", "from=pending to=approved", "from=pending to=unknown", "from=unknown to=approved",
		"msg=\"reconcile pass\" unresolved=1", "msg=\"reconcile decision\"", "decision=\"kora has it: success\"",
	} {
		if !strings.Contains(debug, want) {
			t.Errorf("debug log lacks %q:\n%s", want, debug)
		}
	}
	if strings.Contains(info, "level=DEBUG") || strings.Contains(info, "kora request") {
		t.Errorf("info log has debug lines:\n%s", info)
	}
	for name, log := range map[string]string{"debug": debug, "info": info} {
		for _, secret := range []string{sandbox.PINFull, "0000 0100", sandbox.PIN500, "821234567", "082 123", "sk_test_sandbox", "Bearer"} {
			if strings.Contains(log, secret) {
				t.Errorf("%s log holds %q:\n%s", name, secret, log)
			}
		}
	}
}
