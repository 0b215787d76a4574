package ui

import (
	"context"
	"io"

	tea "charm.land/bubbletea/v2"

	"voucherpos/pos"
)

// Run shows the till until the cashier quits. Sales the reconciler
// resolves in the background reach the screens as they happen.
func Run(ctx context.Context, till Till, opts Options, in io.Reader, out io.Writer) error {
	m := newModel(till, opts)
	// Bubble Tea's default 60 frames a second. Its renderer wakes at every
	// frame whether or not anything changed, so idle CPU is proportional to
	// the rate: at 120 (the first frame 8 ms sooner) the till idled at twice
	// the CPU of gum and of a bare Bubble Tea program (BENCHMARKS.md).
	popts := []tea.ProgramOption{tea.WithContext(ctx)}
	if opts.Kiosk {
		// No signal ends a kiosk from its keyboard; the caller's context
		// (SIGTERM, SIGHUP) does.
		popts = append(popts, tea.WithoutSignalHandler(), tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			switch msg.(type) {
			case tea.InterruptMsg, tea.SuspendMsg:
				return nil
			}
			return msg
		}))
	}
	if in != nil {
		popts = append(popts, tea.WithInput(in))
	}
	if out != nil {
		popts = append(popts, tea.WithOutput(out))
	}
	p := tea.NewProgram(m, popts...)
	till.OnUpdate(func(s pos.Sale) { p.Send(saleUpdateMsg{s}) })
	till.OnSyncChange(func(st pos.SyncStatus) { p.Send(syncMsg(st)) })
	_, err := p.Run()
	return err
}
