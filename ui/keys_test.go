package ui

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"voucherpos/kora/sandbox"
	"voucherpos/pos"
)

// newFakeHarness is a till on the in-memory fake, at 80×24.
func newFakeHarness(t *testing.T, kiosk bool) (*harness, *fakeTill) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, tillZone)}
	f := newFakeTill(c.now)
	opts := Options{Mode: ModeDemo, Store: Store{Name: "Fake Store", TerminalID: "till-1", Country: "ZA"},
		Tick: func() tea.Cmd { return nil }, DemoVouchers: []string{"1168 6480 9679 2943  1Voucher  R500"}}
	if kiosk {
		opts.Kiosk, opts.SupervisorHash = true, supervisorHash(t)
	}
	m := newModel(f, opts)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return &harness{t: t, m: m, clock: c}, f
}

// walkStates brings a fresh till to each state and overlay a cashier (or
// a kiosk's customer and supervisor) can reach.
var walkStates = map[string]func(h *harness, f *fakeTill){
	"amount empty":    func(h *harness, f *fakeTill) {},
	"amount typed":    func(h *harness, f *fakeTill) { h.press("12") },
	"provider":        func(h *harness, f *fakeTill) { h.press("12", "enter") },
	"pin":             func(h *harness, f *fakeTill) { h.press("12", "enter", "1", "1168") },
	"phone":           func(h *harness, f *fakeTill) { h.press("12", "enter", "1", sandbox.PINChange, "enter", "082") },
	"confirm":         func(h *harness, f *fakeTill) { h.sell("12", "1", sandbox.PINChange, "0821234567") },
	"approved":        func(h *harness, f *fakeTill) { h.sellAndSee(sandbox.PINChange) },
	"approved+slip":   func(h *harness, f *fakeTill) { h.sellAndSee(sandbox.PINChange); h.press("v") },
	"approved+print":  func(h *harness, f *fakeTill) { f.printer = "/dev/usb/lp0"; h.sellAndSee(sandbox.PINChange) },
	"declined":        func(h *harness, f *fakeTill) { h.sellAndSee(sandbox.InvalidPIN) },
	"checking":        func(h *harness, f *fakeTill) { h.sellAndSee(sandbox.PIN500) },
	"checking parked": func(h *harness, f *fakeTill) { h.sellAndSee(sandbox.PIN500); h.m.out.parkable = true },
	"help":            func(h *harness, f *fakeTill) { h.press("?") },
	"help small":      func(h *harness, f *fakeTill) { h.m.Update(tea.WindowSizeMsg{Width: 40, Height: 12}); h.press("?") },
	"vouchers":        func(h *harness, f *fakeTill) { h.press("d") },
	"quit":            func(h *harness, f *fakeTill) { h.press("5"); h.m.Update(keyMsg("ctrl+c")) },
	"history":         func(h *harness, f *fakeTill) { h.sellAndSee(sandbox.PIN500); h.press("enter"); h.staff("h") },
	"history day before": func(h *harness, f *fakeTill) {
		h.sellAndSee(sandbox.PINChange)
		h.staff("h")
		h.press("left")
	},
	"detail": func(h *harness, f *fakeTill) {
		h.sellAndSee(sandbox.PIN500)
		h.press("enter")
		h.staff("h")
		h.press("enter")
	},
	"report": func(h *harness, f *fakeTill) { h.staff("z") },
	"submitting": func(h *harness, f *fakeTill) {
		h.sell("12", "1", sandbox.PINChange, "0821234567")
		h.m.Update(keyMsg("enter")) // the submit command is not run
	},
}

// kioskStates are reached only at a kiosk.
var kioskStates = map[string]func(h *harness, f *fakeTill){
	"supervisor prompt": func(h *harness, f *fakeTill) { h.press("*", "*", "*") },
	"supervisor menu":   func(h *harness, f *fakeTill) { h.signIn() },
}

// sellAndSee submits a sale and waits out the result's grace.
func (h *harness) sellAndSee(pin string) {
	h.t.Helper()
	h.sell("12", "1", pin, "0821234567")
	h.press("enter")
	h.pastGrace()
}

// staff opens a staff screen, through the supervisor at a kiosk.
func (h *harness) staff(k string) {
	if h.m.opts.Kiosk {
		h.signIn()
		h.press(map[string]string{"h": "2", "z": "3"}[k])
		return
	}
	h.press(k)
}

// signIn is a supervisor at the kiosk's menu, as the right PIN makes one
// (TestKioskSupervisorPINAndLockout types it; hashing it 2 000 times
// here would take minutes).
func (h *harness) signIn() {
	h.m.newSale()
	h.m.session.supervisor, h.m.state = true, stateSupervisorMenu
	h.m.Update(nil) // the keys follow, as after any change
}

var (
	hashOnce sync.Once
	hash     string
	hashErr  error
)

// supervisorHash is the hash of the tests' supervisor PIN, made once.
func supervisorHash(t *testing.T) string {
	hashOnce.Do(func() { hash, hashErr = pos.HashSupervisorPIN("482913") })
	if hashErr != nil {
		t.Fatal(hashErr)
	}
	return hash
}

// everyKey is what a keyboard and a numeric keypad can send.
func everyKey() []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for r := rune(0x21); r < 0x7f; r++ {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	for _, c := range []rune{tea.KeyEnter, tea.KeyEscape, tea.KeyBackspace, tea.KeyTab, tea.KeySpace,
		tea.KeyUp, tea.KeyDown, tea.KeyLeft, tea.KeyRight, tea.KeyDelete, tea.KeyHome, tea.KeyEnd,
		tea.KeyKpEnter, tea.KeyKpPlus, tea.KeyKpMinus, tea.KeyKpMultiply, tea.KeyKpDecimal, tea.KeyKp0, tea.KeyKp5} {
		out = append(out, tea.KeyPressMsg{Code: c})
	}
	return append(out, tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift},
		tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}, tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl},
		tea.KeyPressMsg{Code: 'z', Mod: tea.ModCtrl})
}

// snapshot is what a key can change that a person would see.
// A spent grace overlay, which the next key steps past, shows nothing.
func snapshot(m *model) string {
	var top overlay
	for _, o := range m.overlays {
		if _, grace := o.(*graceOverlay); !grace {
			top = o
		}
	}
	return fmt.Sprintf("%d %T %s", m.state, top, m.View().Content)
}

// TestHelpNeverLies walks every state and overlay, at a counter and at a
// kiosk, and presses every key: each binding the help offers does
// something there, and each key that does something is offered — the
// supervisor's hidden * sequence alone excepted.
func TestHelpNeverLies(t *testing.T) {
	t.Parallel()
	for _, kiosk := range []bool{false, true} {
		states := map[string]func(*harness, *fakeTill){}
		for k, v := range walkStates {
			states[k] = v
		}
		if kiosk {
			for k, v := range kioskStates {
				states[k] = v
			}
		}
		for name, setup := range states {
			t.Run(fmt.Sprintf("kiosk=%v/%s", kiosk, name), func(t *testing.T) {
				fresh := func() *harness {
					h, f := newFakeHarness(t, kiosk)
					setup(h, f)
					h.m.Update(nil) // the keys follow what the setup changed
					return h
				}
				h := fresh()
				offered := h.m.offered()
				acted := map[string]bool{} // binding help key → one of its keys acted
				for _, msg := range everyKey() {
					h := fresh()
					before := snapshot(h.m)
					_, cmd := h.m.Update(msg)
					did := cmd != nil || snapshot(h.m) != before
					var in []string
					for _, b := range offered {
						if key.Matches(msg, b) {
							in = append(in, b.Help().Key)
						}
					}
					for _, k := range in {
						acted[k] = acted[k] || did
					}
					hidden := kiosk && msg.String() == "*" || msg.String() == "mul"
					if did && len(in) == 0 && !hidden {
						after := snapshot(h.m)
						i := 0
						for i < len(before) && i < len(after) && before[i] == after[i] {
							i++
						}
						t.Errorf("%q does something (cmd %v) but no help offers it: %q → %q", msg.String(), cmd != nil, before[max(i-20, 0):min(i+40, len(before))], after[max(i-20, 0):min(i+40, len(after))])
					}
				}
				for _, b := range offered {
					if !acted[b.Help().Key] {
						t.Errorf("the help offers %q (%s), which does nothing", b.Help().Key, b.Help().Desc)
					}
				}
				// And the bar is drawn from the same bindings.
				bar := strings.Split(h.screen(), "\n")
				last := bar[len(bar)-1]
				for _, b := range h.m.bar() {
					if !strings.Contains(last, b.Help().Desc) && len(last) < h.m.width-10 {
						t.Errorf("the bar %q lacks %q", last, b.Help().Desc)
					}
				}
			})
		}
	}
}
