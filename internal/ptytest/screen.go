package ptytest

import (
	"strings"

	"github.com/charmbracelet/x/vt"
)

// ScreenText is what an emulator shows: one line per row, trailing spaces
// removed, read cell by cell (the right half of a wide character adds
// nothing). The tests' Term and the benchmark harness read screens so.
func ScreenText(emu *vt.Emulator, cols, rows int) string {
	var b, line strings.Builder
	for y := 0; y < rows; y++ {
		line.Reset()
		for x := 0; x < cols; x++ {
			c := emu.CellAt(x, y)
			switch {
			case c == nil:
				line.WriteByte(' ')
			case c.Content == "" && c.Width == 0:
				// the right half of a wide character
			case c.Content == "":
				line.WriteByte(' ')
			default:
				line.WriteString(c.Content)
			}
		}
		if y > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
	}
	return b.String()
}
