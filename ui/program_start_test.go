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

// The patched renderer (third_party/bubbletea, docs/decisions.md 130, 155)
// writes at once at the start: its first frame has no earlier one to be
// spaced from (its spacing timer used to start with the renderer, so
// nothing reached the terminal for one frame interval). Two frames in
// quick succession are both written at once (a start-up's layout, then its
// alarm list); a third waits until two intervals have passed since the
// first of the two began, so the cap holds on average. The intervals run
// from the start of a flush, so a slow write does not push the next frame
// back by its own length.
func TestFirstFramesAreWrittenAtOnceAndFramesAreSpacedFromTheirStart(t *testing.T) {
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
		p.Send("third") // the second of two in quick succession: at once too (frameBurst)
		synctest.Wait()
		if _, last := out.count(); !strings.Contains(last, "third") {
			t.Fatalf("the third view waited, though only one frame was flushed in the last interval: last %q", last)
		}
		p.Send("fourth") // a third in a row waits until the second's flush is two intervals old
		synctest.Wait()
		if _, last := out.count(); strings.Contains(last, "fourth") {
			t.Fatal("the fourth view was written at once: three flushes within one frame interval")
		}
		time.Sleep(2*interval - writeTakes + time.Millisecond)
		synctest.Wait()
		if _, last := out.count(); !strings.Contains(last, "fourth") {
			t.Fatalf("the fourth view is not written two frame intervals (%s) after the second's flush began: last %q",
				2*interval, last)
		}
	})
}
