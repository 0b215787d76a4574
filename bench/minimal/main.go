// Command minimal is the harness's floor: the smallest Bubble Tea v2
// program, one line of text, quitting on any key. `go run ./bench` builds it
// as it builds the till (CGO off, stripped) and measures it beside the till
// and gum: what the framework costs before any program's own work.
package main

import (
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
)

type model struct{}

func (model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		return m, tea.Quit
	}
	return m, nil
}

func (model) View() tea.View { return tea.NewView("minimal Bubble Tea v2 program: press any key") }

func main() {
	if _, err := tea.NewProgram(model{}).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
