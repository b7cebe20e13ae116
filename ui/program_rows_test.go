package ui

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
)

// rowsModel shows its rows on the alternate screen; a []string replaces them.
type rowsModel struct{ rows []string }

func (m rowsModel) Init() tea.Cmd { return nil }
func (m rowsModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if rows, ok := msg.([]string); ok {
		m.rows = rows
	}
	return m, nil
}
func (m rowsModel) View() tea.View {
	v := tea.NewView(strings.Join(m.rows, "\n"))
	v.AltScreen = true
	return v
}

// terminal is an emulated terminal a program writes to.
type terminal struct {
	mu  sync.Mutex
	emu *vt.Emulator
}

func newTerminal(t *testing.T, w, h int) *terminal {
	term := &terminal{emu: vt.NewEmulator(w, h)}
	go func() { _, _ = io.Copy(io.Discard, term.emu) }() // its answers to the program's queries
	t.Cleanup(func() { _ = term.emu.Close() })
	return term
}

// Write feeds the emulator as a tty would: its line discipline sends "\n"
// as "\r\n" (ONLCR), which the renderer counts on.
func (term *terminal) Write(p []byte) (int, error) {
	term.mu.Lock()
	defer term.mu.Unlock()
	if _, err := term.emu.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (term *terminal) resize(w, h int) {
	term.mu.Lock()
	defer term.mu.Unlock()
	term.emu.Resize(w, h)
}

// differs is "" when the terminal shows exactly what want does, cell by
// cell (text, width and style), else the first difference.
func (term *terminal) differs(want *vt.Emulator, w, h int) string {
	term.mu.Lock()
	defer term.mu.Unlock()
	for y := range h {
		for x := range w {
			got, exp := term.emu.CellAt(x, y), want.CellAt(x, y)
			if got == nil || exp == nil {
				if (got == nil) != (exp == nil) {
					return fmt.Sprintf("cell %d,%d: %v, want %v", x, y, got, exp)
				}
				continue
			}
			if got.Content != exp.Content || got.Width != exp.Width || !got.Style.Equal(&exp.Style) {
				return fmt.Sprintf("cell %d,%d: %q %+v, want %q %+v\n%s", x, y, got.Content, got.Style, exp.Content, exp.Style, term.emu.String())
			}
		}
	}
	return ""
}

// freshScreen is rows drawn on a blank terminal, each at its own line.
func freshScreen(t *testing.T, rows []string, w, h int) *vt.Emulator {
	e := newTerminal(t, w, h).emu
	var b strings.Builder
	b.WriteString("\x1b[2J")
	for y, row := range rows[:min(len(rows), h)] {
		fmt.Fprintf(&b, "\x1b[%d;1H%s\x1b[m", y+1, ansi.Truncate(row, w, ""))
	}
	_, _ = e.WriteString(b.String())
	return e
}

// randomRow is a row of styled words (some wide), sometimes wider than w.
func randomRow(r *rand.Rand, w int) string {
	styles := []lipgloss.Style{lipgloss.NewStyle(), lipgloss.NewStyle().Bold(true),
		lipgloss.NewStyle().Foreground(lipgloss.Color("#ff5f5f")), lipgloss.NewStyle().Background(lipgloss.Color("4")).Underline(true)}
	words := []string{"alarm", "ALARM", "3m", "✗", "▁▂▃", "警报", "ok", "no data", "│"}
	var b strings.Builder
	for lipgloss.Width(b.String()) < w*(1+r.IntN(3))/2 {
		b.WriteString(styles[r.IntN(len(styles))].Render(words[r.IntN(len(words))]) + " ")
	}
	return b.String()
}

// The patched renderer draws an alternate-screen frame row by row and
// leaves alone the rows that did not change (docs/decisions.md 183). A
// terminal fed every frame it writes must still show each frame exactly as
// a blank terminal given only that frame does: over 200 frames changing a
// few rows, many rows, no row but the row count, and across two resizes.
func TestRendererLeavesUnchangedRowsAloneAndEveryFrameIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 12))
	w, h := 40, 12
	term := newTerminal(t, w, h)
	rows := make([]string, h)
	for i := range rows {
		rows[i] = randomRow(r, w)
	}
	p := tea.NewProgram(rowsModel{rows: rows}, tea.WithInput(nil), tea.WithOutput(term), tea.WithoutSignalHandler(),
		tea.WithFPS(120), tea.WithWindowSize(w, h), tea.WithEnvironment([]string{"TERM=xterm-256color"}),
		tea.WithColorProfile(colorprofile.TrueColor))
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	defer func() {
		p.Quit()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	waitShows(t, term, rows, w, h, "the first frame")
	for frame := 1; frame <= 200; frame++ {
		if frame == 80 || frame == 150 {
			w, h = 30+r.IntN(20), 8+r.IntN(8)
			term.resize(w, h)
			p.Send(tea.WindowSizeMsg{Width: w, Height: h})
		}
		next := append([]string(nil), rows[:min(len(rows), h)]...)
		for len(next) < h {
			next = append(next, randomRow(r, w))
		}
		switch frame % 10 {
		case 3: // fewer rows than the screen: the rest blank
			next = next[:r.IntN(h)]
		case 6: // every row
			for i := range next {
				next[i] = randomRow(r, w)
			}
		default: // one to three rows
			for range 1 + r.IntN(3) {
				next[r.IntN(len(next))] = randomRow(r, w)
			}
		}
		p.Send(next)
		waitShows(t, term, next, w, h, fmt.Sprintf("frame %d (%dx%d)", frame, w, h))
		rows = next
	}
}

// waitShows waits until term shows rows (a frame is written a frame
// interval after the one before at most), failing with the difference
// left after five seconds.
func waitShows(t *testing.T, term *terminal, rows []string, w, h int, what string) {
	t.Helper()
	want := freshScreen(t, rows, w, h)
	deadline := time.Now().Add(5 * time.Second)
	for {
		diff := term.differs(want, w, h)
		if diff == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is not on the terminal: %s", what, diff)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Every screen the console draws closes its styles and links on each
// line, so drawing it row by row (the patched renderer) gives the cells
// drawing it whole (upstream) does: the alarm list, each view, the help,
// a confirm dialog and a result, in colour, at 80x24 and 200x60.
func TestConsoleScreensDrawTheSameRowByRowAsWhole(t *testing.T) {
	s := startStack(t, "staging", false)
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		w, h := size[0], size[1]
		m := New(s.backend, Options{RefreshEvery: time.Hour, Now: func() time.Time { return t0 }})
		m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
		m, _ = feed(t, m, firingAlarms())
		screens := map[string]Model{"list": m, "help": update(t, m, press("?"))}
		for _, k := range []string{"2", "3", "4", "5"} {
			screens["view "+k] = update(t, m, press(k))
		}
		screens["confirm"], screens["result"] = runFlow(t, m)
		for name, sm := range screens {
			if diff := rowByRowDiff(sm.render(), w, h); diff != "" {
				t.Errorf("%dx%d %s: %s", w, h, name, diff)
			}
		}
	}
}

// rowByRowDiff is "" when content draws the same cells row by row as whole.
func rowByRowDiff(content string, w, h int) string {
	whole, rows := uv.NewScreenBuffer(w, h), uv.NewScreenBuffer(w, h)
	uv.NewStyledString(content).Draw(whole, whole.Bounds())
	for y, line := range strings.Split(content, "\n")[:min(h, strings.Count(content, "\n")+1)] {
		uv.NewStyledString(line).Draw(rows, uv.Rect(0, y, w, 1))
	}
	for y := range h {
		for x := range w {
			a, b := whole.CellAt(x, y), rows.CellAt(x, y)
			if (a == nil) != (b == nil) || (a != nil && !a.Equal(b)) {
				return fmt.Sprintf("cell %d,%d: whole %v, row by row %v", x, y, a, b)
			}
		}
	}
	return ""
}
