package ui

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
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

// newTerminal starts reading the emulator's answers to the program's
// queries (the emulator blocks writing one nobody reads). The emulator's
// Close does not synchronise with a Read in progress, so the reader is
// stopped first: told to, and woken by one more answer (a cursor position
// report), before Close.
func newTerminal(t *testing.T, w, h int) *terminal {
	term := &terminal{emu: vt.NewEmulator(w, h)}
	var stop atomic.Bool
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		buf := make([]byte, 256)
		for !stop.Load() {
			if _, err := term.emu.Read(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		stop.Store(true)
		_, _ = term.Write([]byte("\x1b[6n"))
		<-stopped
		_ = term.emu.Close()
	})
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

// differs is "" when the terminal shows exactly what want holds, cell by
// cell (text, width and the style that shows), else the first difference.
func (term *terminal) differs(want uv.ScreenBuffer, w, h int) string {
	term.mu.Lock()
	defer term.mu.Unlock()
	for y := range h {
		for x := range w {
			got, exp := orBlank(term.emu.CellAt(x, y)), orBlank(want.CellAt(x, y))
			if got.Content != exp.Content || got.Width != exp.Width || !shownStyle(got).Equal(shownStyle(exp)) {
				return fmt.Sprintf("cell %d,%d: %q %+v, want %q %+v\n%s", x, y, got.Content, got.Style, exp.Content, exp.Style, term.emu.String())
			}
		}
	}
	return ""
}

func orBlank(c *uv.Cell) *uv.Cell {
	if c == nil {
		return &uv.EmptyCell
	}
	return c
}

// shownStyle is the part of a cell's style a terminal shows. A space's
// foreground, bold, faint, italic or blink does not show, and the renderer
// may clear such a space with an erase (ultraviolet's canClearWith), which
// leaves a plain one: the two are the same on screen.
func shownStyle(c *uv.Cell) *uv.Style {
	st := c.Style
	if c.Content == " " {
		st.Fg = nil
		st.Attrs &^= uv.AttrBold | uv.AttrFaint | uv.AttrItalic | uv.AttrBlink | uv.AttrRapidBlink
	}
	return &st
}

// freshScreen is what each row alone draws at its own line of a blank
// screen: upstream's cells for the frame, were no style left open at a
// row's end carried into the next.
func freshScreen(rows []string, w, h int) uv.ScreenBuffer {
	buf := uv.NewScreenBuffer(w, h)
	for y, row := range rows[:min(len(rows), h)] {
		uv.NewStyledString(row).Draw(buf, uv.Rect(0, y, w, 1))
	}
	return buf
}

// randomRow is a row of styled words (some wide), sometimes wider than w,
// and now and then one that leaves a style open at its end: the renderer
// must not carry it into the next row, whichever rows changed.
func randomRow(r *rand.Rand, w int) string {
	styles := []lipgloss.Style{lipgloss.NewStyle(), lipgloss.NewStyle().Bold(true),
		lipgloss.NewStyle().Foreground(lipgloss.Color("#ff5f5f")), lipgloss.NewStyle().Background(lipgloss.Color("4")).Underline(true)}
	words := []string{"alarm", "ALARM", "3m", "✗", "▁▂▃", "警报", "ok", "no data", "│"}
	var b strings.Builder
	for lipgloss.Width(b.String()) < w*(1+r.IntN(3))/2 {
		b.WriteString(styles[r.IntN(len(styles))].Render(words[r.IntN(len(words))]) + " ")
	}
	if r.IntN(5) == 0 {
		b.WriteString("\x1b[7mopen")
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
	want := freshScreen(rows, w, h)
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
