package ui

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
)

// The patched renderer (third_party/bubbletea, docs/decisions.md 130)
// writes the first frame at once: it has no earlier frame to be spaced
// from. Before the fix its spacing timer started with the renderer, so
// nothing reached the terminal until one frame interval after the start.
// The interval still spaces the frames that follow.
func TestFirstFrameIsWrittenAtOnceThenFramesAreSpaced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := &countingWriter{}
		p := tea.NewProgram(textModel{text: "first"}, tea.WithInput(nil), tea.WithOutput(out), tea.WithoutSignalHandler(),
			tea.WithFPS(renderFPS), tea.WithWindowSize(40, 5))
		done := make(chan error, 1)
		start := time.Now()
		go func() { _, err := p.Run(); done <- err }()
		defer func() {
			p.Quit()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}()
		synctest.Wait() // every goroutine blocked; synctest's clock has not moved
		n, last := out.count()
		if !strings.Contains(last, "first") {
			t.Fatalf("at the start (%s in): %d writes, last %q; want the first frame at once",
				time.Since(start), n, last)
		}
		p.Send("second")
		synctest.Wait()
		if m, _ := out.count(); m != n {
			t.Fatalf("a second view %s after the first frame was written at once (%d writes); want it one frame interval (%s) later",
				time.Since(start), m-n, time.Second/renderFPS)
		}
		time.Sleep(time.Second / renderFPS)
		synctest.Wait()
		if m, last := out.count(); m != n+1 || !strings.Contains(last, "second") {
			t.Fatalf("one frame interval after the first frame: %d writes (want 1), last %q", m-n, last)
		}
	})
}
