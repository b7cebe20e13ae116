package ui

import (
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
)

// A background render waits for the frame that was next when it was asked
// for (decisions.md 176): the list beside its placeholder is written
// first, without Glamour on the other core. A frame that never comes (an
// unchanged view writes none) holds it for frameWaitCap at most.
func TestBackgroundRenderWaitsForTheNextFrame(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		frames := newFrameClock()
		md := newMarkdown(true, true)
		md.background, md.frames = true, frames
		rendered := make(chan tea.Msg, 1)
		cmd := md.Later("demo", "# Demo\n\nSome text.\n", 60)
		go func() { rendered <- cmd() }()
		synctest.Wait()
		if len(rendered) != 0 {
			t.Fatal("the render ran before the frame with its placeholder was written")
		}
		frames.written()
		synctest.Wait()
		if len(rendered) != 1 {
			t.Fatal("the render did not run once the frame was written")
		}
		if _, ok := md.Cached("demo", 60); !ok {
			t.Fatal("the rendering is not in the cache")
		}
		<-rendered

		start := time.Now()
		cmd = md.Later("other", "# Other\n", 60)
		go func() { rendered <- cmd() }()
		<-rendered // only synctest's clock moves: the cap, not a frame, releases it
		if _, ok := md.Cached("other", 60); !ok {
			t.Fatal("a render with no frame coming did not run after the cap")
		}
		if got := time.Since(start); got < frameWaitCap {
			t.Fatalf("the render ran after %v, before the cap %v", got, frameWaitCap)
		}
	})
}

// A runbook is not rendered in the background before the panel has a
// width: the first snapshot can be applied before the terminal's size
// arrives (Init's handoff), and a render at no width is thrown away.
func TestNoBackgroundRenderBeforeTheSizeIsKnown(t *testing.T) {
	s := startStack(t, "staging", false)
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true, BackgroundRender: true})
	m, _ = feed(t, m, sampleAlarms())
	if !m.runbook.hasRB {
		t.Fatal("the selected alarm has no runbook")
	}
	if n := len(m.md.pending); n != 0 {
		t.Fatalf("%d background renders were asked for before the terminal's size was known", n)
	}
	next, cmd := m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	awaitMsg(t, cmd, func(msg tea.Msg) bool { _, ok := msg.(runbookRenderedMsg); return ok })
	if mm := next.(Model); !mm.md.background {
		t.Fatal("renders are not in the background")
	} else if _, ok := mm.md.Cached(mm.runbook.rb.ID, mm.runbook.width-2); !ok {
		t.Fatal("the render once the size is known is not at the panel's width")
	}
}
