package ui

import (
	"context"
	"errors"
	"io"
	"os"
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// RunOptions choose how the console runs.
type RunOptions struct {
	Options
	// Accessible selects the linear mode (plain lines, no alternate screen).
	Accessible bool
	// In and Out default to the terminal; the linear mode reads answers from In.
	In  io.Reader
	Out io.Writer
}

// renderFPS caps the frame rate of the full-screen console. The patched
// renderer flushes only when a frame waits, so the cap costs nothing idle;
// it is the longest a new frame waits behind the one before it. At start
// the frames come milliseconds apart (the first, the layout, the list), so
// at 20 the list waited up to 50 ms behind the empty layout (decisions 130).
const renderFPS = 60

// Run runs the console until the operator quits or ctx ends. A backend error
// never ends it: only the operator, ctx, or a terminal failure does.
func Run(ctx context.Context, b Backend, o RunOptions) error {
	o.Options = o.Options.withDefaults()
	o.Context = ctx
	if o.Accessible {
		in, out := o.In, o.Out
		if in == nil {
			in = os.Stdin
		}
		if out == nil {
			out = os.Stdout
		}
		return runAccessible(ctx, b, in, out, o.Options)
	}
	o.Options.BackgroundRender = true // no frame waits behind Glamour
	frames := newFrameClock()
	o.Options.frames = frames
	var prefetched <-chan struct{}
	if p, ok := b.(prefetcher); ok {
		prefetched = p.Prefetch(ctx) // the first refresh runs while the terminal starts up
	}
	// 60 frames a second puts a keypress on screen within 17 ms (the
	// patched renderer flushes only when a frame waits: decisions.md 120, 130).
	setConsoleGC()
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(renderFPS), tea.WithFilter(dropUnknownSize),
		tea.WithFrameWritten(frames.written)}
	if o.In != nil {
		opts = append(opts, tea.WithInput(o.In))
	}
	if o.Out != nil {
		opts = append(opts, tea.WithOutput(o.Out))
	}
	m := New(b, o.Options)
	m.first = &firstHandoff{prefetched: prefetched, wait: firstRefreshWait}
	go warmCellWidths()
	_, err := tea.NewProgram(m, opts...).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil { // tea wraps it with the cause
		return nil // ctrl-c / SIGTERM through ctx is a normal exit
	}
	return err
}

// warmCellWidths builds, now and off the event loop, the table the
// renderer measures every non-ASCII cell with (go-runewidth builds it on
// its first lookup: 1.1 ms and 1 MB). The console's first frame has box
// and state symbols in every row, so the first flush built it, in front of
// the first alarm list (decisions.md 176).
func warmCellWidths() { ansi.StringWidthWc("│▶✗✓…") }

// prefetcher is a backend that can start its first refresh before the
// program draws (the live one: live.Prefetch); the channel closes when that
// refresh has answered. Test backends need not.
type prefetcher interface {
	Prefetch(ctx context.Context) <-chan struct{}
}

// firstRefreshWait is how long Init waits for the prefetched first
// refresh, while Bubble Tea has set up the terminal and flushed the empty
// initial frame: one a loopback or nearby CloudWatch answers within it
// (1-3 ms here) is in the model from the first Update, so the first frame
// with the terminal's size is the alarm list. As Init's command, the answer
// queued behind Bubble Tea's start-up reports and the empty layout's frame,
// which held the list back 5-8 ms on 2 cores (decisions.md 176). A slower
// CloudWatch gets the empty layout after at most this, as before, and its
// list when it answers.
const firstRefreshWait = 50 * time.Millisecond

// firstHandoff carries the prefetched first refresh from Init, which
// waits for it, to the first Update, which applies it before the message
// it came with: Init cannot change the model, and as a message the answer
// would queue behind Bubble Tea's start-up reports. Init and Update run on
// Bubble Tea's one goroutine.
type firstHandoff struct {
	prefetched <-chan struct{}
	wait       time.Duration
	answer     tea.Msg
}

// await waits up to the handoff's wait for the prefetch and, if it
// answered, keeps refresh's message (ready at once) for take.
func (h *firstHandoff) await(refresh tea.Cmd) bool {
	if h == nil || h.prefetched == nil {
		return false
	}
	timer := time.NewTimer(h.wait)
	defer timer.Stop()
	select {
	case <-h.prefetched:
	case <-timer.C:
		return false
	}
	h.answer = refresh()
	return true
}

// take hands the kept answer over once.
func (h *firstHandoff) take() (tea.Msg, bool) {
	if h == nil || h.answer == nil {
		return nil, false
	}
	a := h.answer
	h.answer = nil
	return a, true
}

// dropUnknownSize keeps Bubble Tea's 0x0 start-up size (sent, from a
// goroutine of its own, when the output is no terminal) from both the
// renderer and the model: it can land after the size the terminal reported
// in-band (mode 2048), and a 0x0 renderer never draws the console again.
func dropUnknownSize(_ tea.Model, msg tea.Msg) tea.Msg {
	if size, ok := msg.(tea.WindowSizeMsg); ok && (size.Width <= 0 || size.Height <= 0) {
		return nil
	}
	return msg
}

// consoleGCPercent is the full-screen console's GOGC: its live heap is small
// (about 11 MB at 1,000 alarms) and it allocates in bursts, a refresh every
// 10 s and a frame a second, so the default 100 let the heap reach twice
// its live size between collections. 60 keeps resident memory about 5 MB
// lower at an idle-CPU cost measured as none (decisions.md 121).
const consoleGCPercent = 60

// setConsoleGC applies consoleGCPercent unless GOGC says otherwise. The
// setting is process-wide: the console is the process.
func setConsoleGC() {
	if os.Getenv("GOGC") != "" {
		return
	}
	if old := debug.SetGCPercent(consoleGCPercent); old < 0 {
		debug.SetGCPercent(old) // StartUp holds collection; it applies consoleGCPercent when the hold ends
	}
}
