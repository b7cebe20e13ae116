package ui

import (
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
)

// countingWriter counts the writes a program makes to its output.
type countingWriter struct {
	mu     sync.Mutex
	writes int
	last   string
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	w.last = string(p)
	return len(p), nil
}

func (w *countingWriter) count() (int, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writes, w.last
}

// textModel shows its text; a string message replaces it.
type textModel struct{ text string }

func (m textModel) Init() tea.Cmd { return nil }
func (m textModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if s, ok := msg.(string); ok {
		m.text = s
	}
	return m, nil
}
func (m textModel) View() tea.View { return tea.NewView(m.text) }

// wakeUps is how many times the Go scheduler has run a goroutine that
// became runnable (the count of /sched/latencies:seconds), process-wide.
func wakeUps() uint64 {
	s := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(s)
	var n uint64
	for _, c := range s[0].Value.Float64Histogram().Counts {
		n += c
	}
	return n
}

// The patched renderer (third_party/bubbletea, docs/decisions.md 120)
// flushes a frame when there is one and otherwise sleeps: over an idle
// minute of synctest's clock the program neither writes nor wakes
// (upstream's ticker woke its renderer 20 times a second),
// and a new view is written within one frame interval (50 ms at the
// console's 20 fps), once.
func TestIdleProgramWritesNothingAndANewViewAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		out := &countingWriter{}
		p := tea.NewProgram(textModel{text: "first"}, tea.WithInput(nil), tea.WithOutput(out), tea.WithoutSignalHandler(),
			tea.WithFPS(renderFPS), tea.WithWindowSize(40, 5))
		done := make(chan error, 1)
		go func() { _, err := p.Run(); done <- err }()
		defer func() { // quit on failure too: the bubble must end with no goroutine left
			p.Quit()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}()
		time.Sleep(time.Second)
		synctest.Wait()
		start, last := out.count()
		if !strings.Contains(last, "first") {
			t.Fatalf("no first frame after a second: %d writes, last %q", start, last)
		}
		woke := wakeUps()
		time.Sleep(time.Minute)
		synctest.Wait()
		if n, _ := out.count(); n != start {
			t.Fatalf("an idle minute made %d writes, want none", n-start)
		}
		// The test's own goroutine wakes once; the runtime's background
		// workers (GC) may run a few times in a minute.
		woken := wakeUps() - woke
		if woken > 30 {
			t.Fatalf("an idle minute woke goroutines %d times, want next to none (upstream's frame ticker: 300 counted here)", woken)
		}
		t.Logf("an idle minute: %d wake-ups", woken)
		p.Send("second")
		time.Sleep(time.Second / renderFPS)
		synctest.Wait()
		n, last := out.count()
		if n != start+1 || !strings.Contains(last, "second") {
			t.Fatalf("after a new view: %d writes (want 1), last %q", n-start, last)
		}
	})
}
