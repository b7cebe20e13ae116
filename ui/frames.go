package ui

import (
	"sync"
	"time"
)

// frameClock tells background work when a frame is on screen: the patched
// renderer calls written after each flush that wrote one
// (tea.WithFrameWritten). A background render waits for the frame that
// was next when it was asked for, the one with its placeholder and the
// alarm list beside it, so its CPU does not compete with that frame's
// flush on a two-core machine (decisions.md 176).
type frameClock struct {
	mu   sync.Mutex
	next chan struct{} // closed when the next frame is written
}

func newFrameClock() *frameClock { return &frameClock{next: make(chan struct{})} }

// written says a frame is on screen.
func (c *frameClock) written() {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.next)
	c.next = make(chan struct{})
}

// nextFrame is closed once the next frame is written; nil without a clock
// (tests, the linear mode), which waitForFrame does not wait for.
func (c *frameClock) nextFrame() <-chan struct{} {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next
}

// frameWaitCap bounds the wait for a frame: a view that did not change
// writes none, and a render must not wait for the next keypress.
const frameWaitCap = 50 * time.Millisecond

// waitForFrame waits until frame is closed or frameWaitCap has passed; a
// nil frame does not wait.
func waitForFrame(frame <-chan struct{}) {
	if frame == nil {
		return
	}
	t := time.NewTimer(frameWaitCap)
	defer t.Stop()
	select {
	case <-frame:
	case <-t.C:
	}
}
