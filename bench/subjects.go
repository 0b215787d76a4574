package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Bounds on every wait in a pty run.
const (
	screenWait = 10 * time.Second // a screen a key should bring
	quietFor   = 40 * time.Millisecond
	quietWait  = 3 * time.Second
	exitWait   = 5 * time.Second
	settle     = 300 * time.Millisecond // after the first frame, before reading VmHWM
	grace      = 550 * time.Millisecond // a result screen ignores keys for 0.5 s
)

// subject is a program measured in a pty: how to start it, what its first
// complete frame looks like, how a typed digit shows, and how it quits.
type subject struct {
	name  string
	bin   string
	args  []string
	ready func(screen string) bool
	// shown: the screen shows typed (the digits typed so far).
	shown func(typed string) func(screen string) bool
	quit  func(t *term)
	// sync: the terminal answers that it has synchronized output.
	sync bool
}

func contains(parts ...string) func(string) bool {
	return func(s string) bool {
		for _, p := range parts {
			if !strings.Contains(s, p) {
				return false
			}
		}
		return true
	}
}

// lastLine is the bottom row of the screen.
func lastLine(s string) string { return s[strings.LastIndexByte(s, '\n')+1:] }

// Texts of the till's screens (DEMO mode, 80×24, Unicode glyphs).
const (
	amountTitle   = "New sale • amount"
	amountHint    = "Type the amount, then Enter."
	providerTitle = "Voucher provider"
	phoneTitle    = "Customer's phone number"
	confirmTitle  = "Check and charge"
)

func tillSubject(bin string, badge string, args ...string) subject {
	return subject{
		name: "voucherpos", bin: bin, args: args,
		// The complete Amount frame: status bar, title, hint and help bar.
		ready: func(s string) bool {
			first, _, _ := strings.Cut(s, "\n")
			return strings.Contains(first, badge) && strings.Contains(s, amountTitle) &&
				strings.Contains(s, amountHint) && strings.Contains(lastLine(s), "quit")
		},
		// The input line shows what was typed, spaces aside (an amount may
		// be grouped, R 1 234), raw or formatted with its decimals (R 12.00).
		shown: func(typed string) func(string) bool {
			return func(s string) bool {
				for _, l := range strings.Split(s, "\n") {
					if !strings.Contains(l, "▏") {
						continue
					}
					l = strings.ReplaceAll(l, " ", "")
					i := strings.Index(l, "R"+typed)
					if i < 0 {
						continue
					}
					rest := l[i+1+len(typed):]
					if strings.HasPrefix(rest, "▏") {
						return true
					}
					if j := strings.Index(rest, "▏"); !strings.Contains(typed, ".") && j > 1 && rest[0] == '.' &&
						strings.Trim(rest[1:j], "0123456789") == "" {
						return true
					}
				}
				return false
			}
		},
		quit: func(t *term) {
			_ = t.Send("\x03")
			if _, err := t.WaitText(2*time.Second, "Quit voucherpos?"); err == nil {
				_ = t.Send("y")
			}
		},
	}
}

func gumSubject(bin string) subject {
	return subject{
		name: "gum", bin: bin, args: []string{"input"},
		ready: contains("> Type something..."),
		shown: func(typed string) func(string) bool { return contains("> " + typed) },
		quit:  func(t *term) { _ = t.Send("\x03") },
	}
}

func minimalSubject(bin string) subject {
	return subject{
		name: "minimal", bin: bin,
		ready: contains("minimal Bubble Tea v2 program: press any key"),
		quit:  func(t *term) { _ = t.Send("q") },
	}
}

// sandboxEnv is a fresh home with no config anywhere, as on a new machine:
// the till starts in DEMO mode. gum gets the same environment.
func sandboxEnv(home string) ([]string, string, error) {
	cwd := filepath.Join(home, "cwd")
	for _, d := range []string{cwd, filepath.Join(home, "data"), filepath.Join(home, "config"), filepath.Join(home, "cache")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, "", err
		}
	}
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"TMPDIR=" + home,
		"TERM=xterm-256color",
	}, cwd, nil
}

// startRun is one start of a subject: the time to its first complete
// frame and its peak RSS shortly after.
type startRun struct {
	firstFrame time.Duration
	cpu        time.Duration // CPU time of all its threads at the first frame
	mem        memStatus
}

// launch starts s in a fresh environment under home (sandboxEnv), with
// extra environment; stop quits it and closes its terminal.
func launch(s subject, home string, extra ...string) (t *term, sr startRun, stop func(), err error) {
	env, dir, err := sandboxEnv(home)
	if err != nil {
		return nil, sr, nil, err
	}
	if t, sr, err = start(s, append(env, extra...), dir); err != nil {
		return nil, sr, nil, err
	}
	return t, sr, func() {
		s.quit(t)
		t.Close(exitWait)
	}, nil
}

func start(s subject, env []string, dir string) (*term, startRun, error) {
	t, err := startTermSync(s.bin, s.args, env, dir, 80, 24, s.sync)
	if err != nil {
		return nil, startRun{}, err
	}
	at, err := t.WaitFor(s.name+" first frame", screenWait, s.ready)
	if err != nil {
		t.Close(0)
		return nil, startRun{}, err
	}
	r := startRun{firstFrame: at.Sub(t.start), cpu: schedCPU(t.Pid())}
	time.Sleep(settle)
	if r.mem, err = readMem(t.Pid()); err != nil {
		t.Close(0)
		return nil, r, err
	}
	return t, r, nil
}

// keyStat is what one key cost: bytes written to the terminal until the
// screen settled, and the time from the key to the screen showing it.
type keyStat struct {
	bytes int64
	echo  time.Duration
}

// press sends keys once the program is quiet and measures what they cost
// until the screen satisfies want and the program is quiet again.
func press(t *term, keys string, what string, want func(string) bool) (keyStat, error) {
	if err := t.Quiet(quietFor, quietWait); err != nil {
		return keyStat{}, err
	}
	before := t.Written()
	sent := time.Now()
	if err := t.Send(keys); err != nil {
		return keyStat{}, err
	}
	at, err := t.WaitFor(what, screenWait, want)
	if err != nil {
		return keyStat{}, err
	}
	if err := t.Quiet(quietFor, quietWait); err != nil {
		return keyStat{}, err
	}
	return keyStat{bytes: t.Written() - before, echo: at.Sub(sent)}, nil
}

// typeDigits types digits one at a time, measuring each.
func typeDigits(t *term, s subject, prefix, digits string) ([]keyStat, error) {
	var out []keyStat
	typed := prefix
	for _, d := range digits {
		typed += string(d)
		k, err := press(t, string(d), fmt.Sprintf("%q typed", typed), s.shown(typed))
		if err != nil {
			return out, err
		}
		out = append(out, k)
	}
	return out, nil
}

// The sale the pty runs type: OTT's R300 demo voucher keeps its balance on
// the same PIN, so a small amount can be charged to it many times.
const (
	saleAmount   = "0.25"
	saleProvider = "2"
	salePIN      = "200000000300"
	salePhone    = "0821234567"
)

// tillSale types one sale from an empty Amount screen to APPROVED and back
// to a new sale, measuring each key-driven screen change.
func tillSale(t *term) (changes map[string]keyStat, err error) {
	changes = map[string]keyStat{}
	step := func(name, keys string, want func(string) bool) {
		if err != nil {
			return
		}
		var k keyStat
		k, err = press(t, keys, name, want)
		changes[name] = k
	}
	if err = t.Send(saleAmount); err != nil {
		return nil, err
	}
	if _, err = t.WaitFor("the amount typed", screenWait, tillSubject("", "").shown(saleAmount)); err != nil {
		return nil, err
	}
	step("amount → provider", "\r", contains(providerTitle, "OTT"))
	step("provider → PIN", saleProvider, contains("OTT voucher PIN", "0 of 12 digits"))
	if err == nil {
		err = t.Send(salePIN)
	}
	if err == nil {
		_, err = t.WaitText(screenWait, "12 of 12 digits")
	}
	step("PIN → phone", "\r", contains(phoneTitle))
	if err == nil {
		err = t.Send(salePhone)
	}
	if err == nil {
		_, err = t.WaitText(screenWait, "+27821234567")
	}
	step("phone → confirm", "\r", contains(confirmTitle, "+27821234567"))
	step("confirm → approved", "\r", contains("APPROVED"))
	if err == nil {
		time.Sleep(grace)
	}
	step("approved → new sale", "\r", func(s string) bool {
		return strings.Contains(s, amountTitle) && !strings.Contains(s, "APPROVED")
	})
	return changes, err
}

// tillSaleBurst types one whole sale as bursts, without measuring, and
// returns once the next sale's Amount screen is up.
func tillSaleBurst(t *term) error {
	if err := t.Quiet(quietFor, quietWait); err != nil {
		return err
	}
	if err := t.Send(saleAmount + "\r" + saleProvider + salePIN + "\r" + salePhone + "\r"); err != nil {
		return err
	}
	if _, err := t.WaitText(screenWait, confirmTitle, "+27821234567"); err != nil {
		return err
	}
	if err := t.Send("\r"); err != nil {
		return err
	}
	if _, err := t.WaitText(screenWait, "APPROVED"); err != nil {
		return err
	}
	time.Sleep(grace)
	if err := t.Send("\r"); err != nil {
		return err
	}
	_, err := t.WaitFor("a new sale", screenWait, func(s string) bool {
		return strings.Contains(s, amountTitle) && !strings.Contains(s, "APPROVED")
	})
	return err
}
