package ui

import (
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

// The patched renderer (third_party/bubbletea, docs/decisions.md 130)
// writes at once at the start: its first frame has no earlier one to be
// spaced from (its spacing timer used to start with the renderer, so
// nothing reached the terminal for one frame interval). And the interval
// runs from the start of one flush to the next, so a slow write does not
// push the next frame back by its own length.
func TestFirstFrameIsWrittenAtOnceAndFramesAreSpacedFromTheirStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := &slowWriter{}
		p := tea.NewProgram(textModel{text: "first"}, tea.WithInput(nil), tea.WithOutput(out), tea.WithoutSignalHandler(),
			tea.WithFPS(renderFPS), tea.WithWindowSize(40, 5))
		done := make(chan error, 1)
		go func() { _, err := p.Run(); done <- err }()
		defer func() {
			p.Quit()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}()
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
		p.Send("third")
		synctest.Wait()
		if _, last := out.count(); strings.Contains(last, "third") {
			t.Fatal("the third view was written at once, less than one frame interval after the second")
		}
		time.Sleep(interval - writeTakes + time.Millisecond)
		synctest.Wait()
		if _, last := out.count(); !strings.Contains(last, "third") {
			t.Fatalf("the third view is not written one frame interval (%s) after the second's flush began: last %q",
				interval, last)
		}
	})
}
