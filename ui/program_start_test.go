package ui

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
)

// slowWriter is a countingWriter whose next write takes a while (on
// synctest's clock), as a full frame does on a busy machine.
type slowWriter struct {
	countingWriter
	mu   sync.Mutex
	slow time.Duration
}

func (w *slowWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	d := w.slow
	w.slow = 0
	w.mu.Unlock()
	time.Sleep(d)
	return w.countingWriter.Write(p)
}

func (w *slowWriter) slowNext(d time.Duration) {
	w.mu.Lock()
	w.slow = d
	w.mu.Unlock()
}

// The patched renderer (third_party/bubbletea, docs/decisions.md 130, 155)
// writes at once at the start: its first frame has no earlier one to be
// spaced from (its spacing timer used to start with the renderer, so
// nothing reached the terminal for one frame interval). Four frames in
// quick succession are all written at once (a start-up's queries, layout,
// alarm list and runbook); a fifth waits until four intervals have passed
// since the first of the four began, so the cap holds on average. The intervals run
// from the start of a flush, so a slow write does not push the next frame
// back by its own length.
// startTextProgram runs a textModel showing "first" at the console's frame
// rate, writing to out, until the test ends (inside synctest's bubble).
func startTextProgram(t *testing.T, out *slowWriter) *tea.Program {
	return startProgram(t, textModel{text: "first"}, out, 40, 5)
}

// startProgram runs m at the console's frame rate in a w x h terminal,
// writing to out, until the test ends.
func startProgram(t *testing.T, m tea.Model, out *slowWriter, w, h int, opts ...tea.ProgramOption) *tea.Program {
	opts = append([]tea.ProgramOption{tea.WithInput(nil), tea.WithOutput(out), tea.WithoutSignalHandler(),
		tea.WithFPS(renderFPS), tea.WithWindowSize(w, h)}, opts...)
	p := tea.NewProgram(m, opts...)
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	t.Cleanup(func() {
		p.Quit()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return p
}

func TestFirstFramesAreWrittenAtOnceAndFramesAreSpacedFromTheirStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := &slowWriter{}
		p := startTextProgram(t, out)
		interval := time.Second / renderFPS
		synctest.Wait() // every goroutine blocked; synctest's clock has not moved
		if n, _ := out.count(); n == 0 {
			t.Fatal("nothing written at the start: the first frame waited for the frame interval")
		}
		time.Sleep(time.Second) // idle: the last flush is long past
		synctest.Wait()
		if _, last := out.count(); !strings.Contains(last, "first") {
			t.Fatalf("no first frame after a second: last %q", last)
		}

		const writeTakes = 10 * time.Millisecond
		out.slowNext(writeTakes)
		p.Send("second") // flushed at once; its write ends writeTakes later
		synctest.Wait()
		time.Sleep(writeTakes)
		synctest.Wait()
		if _, last := out.count(); !strings.Contains(last, "second") {
			t.Fatalf("the second view is not written after %s: last %q", writeTakes, last)
		}
		// Up to frameBurst (4) frames in quick succession are written at once
		// (a start-up's query flush, its first layout, the alarm list, the
		// runbook); the next waits until the first of the last four began
		// four intervals ago, so the cap holds on average.
		for _, v := range []string{"third", "fourth", "fifth"} {
			p.Send(v)
			synctest.Wait()
			if _, last := out.count(); !strings.Contains(last, v) {
				t.Fatalf("the %s view waited, though fewer than four frames were flushed in the last four intervals: last %q", v, last)
			}
		}
		p.Send("ZEBRA6")
		synctest.Wait()
		if _, last := out.count(); strings.Contains(last, "ZEBRA6") {
			t.Fatal("the sixth view was written at once: five flushes within four frame intervals")
		}
		time.Sleep(4*interval - writeTakes + time.Millisecond)
		synctest.Wait()
		if _, last := out.count(); !strings.Contains(last, "ZEBRA6") {
			t.Fatalf("the sixth view is not written four frame intervals (%s) after the second's flush began: last %q",
				4*interval, last)
		}
	})
}

// A flush of an unchanged view writes nothing, and it costs no place in
// the renderer's burst (docs/decisions.md 155): at start-up the console
// redraws an unchanged layout after several of Bubble Tea's own messages,
// and when those flushes counted, the alarm list behind them waited four
// frame intervals (67 ms) from the first.
func TestFlushesOfAnUnchangedViewCostNoFrameSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := &slowWriter{}
		p := startTextProgram(t, out)
		time.Sleep(time.Second)
		synctest.Wait()
		written, _ := out.count()
		for range 6 { // the same view: each flush writes nothing
			p.Send("first")
			synctest.Wait()
			time.Sleep(time.Millisecond)
			synctest.Wait()
		}
		if n, last := out.count(); n != written {
			t.Fatalf("an unchanged view was written again: %d writes, last %q", n-written, last)
		}
		p.Send("BRAVO2")
		synctest.Wait()
		if _, last := out.count(); !strings.Contains(last, "BRAVO2") {
			t.Fatalf("a changed view after six unchanged flushes waited: last %q", last)
		}
	})
}

// Terminal sequences queued without a new view (a query, the bell, a raw
// write) are flushed at once and cost no place in the burst either: at
// start-up Bubble Tea's set-up writes and queries took three or four of the
// four places, and the alarm list behind them waited four frame intervals
// (the first list took 93 ms instead of 33 in one trace of three in ten).
func TestQueuedOutputCostsNoFrameSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := &slowWriter{}
		p := startTextProgram(t, out)
		time.Sleep(time.Second)
		synctest.Wait()
		for i := range 6 {
			p.Send(tea.RawMsg{Msg: "\x1b]0;query " + string(rune('a'+i)) + "\x07"})
			synctest.Wait()
			if _, last := out.count(); !strings.Contains(last, "query "+string(rune('a'+i))) {
				t.Fatalf("queued output %d waited: last %q", i, last)
			}
		}
		p.Send("BRAVO2")
		synctest.Wait()
		if _, last := out.count(); !strings.Contains(last, "BRAVO2") {
			t.Fatalf("a new view after six queued writes waited: last %q", last)
		}
	})
}

// altModel shows its text on the alternate screen, as the console does,
// and its Init takes initTakes (on synctest's clock), as the console's
// does while it waits for its first refresh.
type altModel struct {
	text      string
	initTakes time.Duration
}

func (m altModel) Init() tea.Cmd { time.Sleep(m.initTakes); return nil }
func (m altModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if s, ok := msg.(string); ok {
		m.text = s
	}
	return m, nil
}
func (m altModel) View() tea.View { v := tea.NewView(m.text); v.AltScreen = true; return v }

// The patched Run renders the initial view before Init, not after
// (decisions.md 176): the console's Init waits a few ms for its first
// refresh, and the initial frame's flush, which sets up the renderer's
// buffers, happens during that wait instead of in front of the first
// frame with alarms.
func TestInitialViewIsFlushedWhileInitRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := &slowWriter{}
		startProgram(t, altModel{text: "initial", initTakes: time.Second}, out, 40, 5)
		synctest.Wait() // Init sleeps; everything else is blocked
		if _, last := out.count(); !strings.Contains(last, "initial") {
			t.Fatalf("while Init runs the initial view is not written: last %q", last)
		}
		time.Sleep(2 * time.Second)
	})
}

// An empty view on the alternate screen keeps the renderer's buffers at
// the terminal's size (decisions.md 176): upstream shrinks them to no rows,
// and the first view with content then allocated them again, 3 MB and
// 2 ms at 200x60, in front of the console's first alarm list.
func TestFirstContentAfterAnEmptyAltScreenAllocatesNoBuffers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := &slowWriter{}
		p := startProgram(t, altModel{}, out, 200, 60)
		synctest.Wait()
		full := strings.Repeat(strings.Repeat("x", 200)+"\n", 59) + strings.Repeat("x", 200)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		p.Send(full)
		synctest.Wait()
		runtime.ReadMemStats(&after)
		if _, last := out.count(); !strings.Contains(last, "xxxx") {
			t.Fatalf("the full view was not written: last %q", last)
		}
		// The frame, its diff and its output are about 100 KB; the
		// buffers of 12,000 cells each were 1.5 MB.
		if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
			t.Fatalf("the first view with content allocated %d bytes: the renderer's buffers were built again", got)
		}
	})
}

// The patched renderer calls WithFrameWritten's function after each flush
// that wrote a frame (decisions.md 176), not after one of an unchanged view.
func TestFrameWrittenIsCalledOncePerWrittenFrame(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		frames := 0
		count := func() int { mu.Lock(); defer mu.Unlock(); return frames }
		out := &slowWriter{}
		p := startProgram(t, altModel{text: "first"}, out, 40, 5, tea.WithFrameWritten(func() { mu.Lock(); frames++; mu.Unlock() }))
		time.Sleep(time.Second)
		synctest.Wait()
		// The start writes one frame or two (the initial view, and again if
		// the start-up size reached the renderer after that flush).
		started := count()
		if started == 0 {
			t.Fatal("no frame reported after the first view was written")
		}
		p.Send("first") // unchanged: nothing written
		synctest.Wait()
		time.Sleep(time.Second)
		synctest.Wait()
		if count() != started {
			t.Fatalf("an unchanged view was reported as a frame: %d after %d", count(), started)
		}
		p.Send("second")
		synctest.Wait()
		if _, last := out.count(); !strings.Contains(last, "second") || count() != started+1 {
			t.Fatalf("after a new view: %d frames reported, last write %q; want %d and the view", count(), last, started+1)
		}
	})
}
