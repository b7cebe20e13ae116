package ui

import (
	"math"
	"runtime/debug"
	"testing"
	"time"
)

// gcPercent reads the process's GOGC (SetGCPercent returns the old value).
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestStartUpHoldsCollectionUntilReleased: StartUp turns collection off
// (with a memory limit as a backstop), Run's own GOGC inside the hold does
// not end it, and the release applies the console's GOGC and lifts the
// limit. GOGC from the environment would win: cleared here.
func TestStartUpHoldsCollectionUntilReleased(t *testing.T) {
	t.Setenv("GOGC", "")
	before := gcPercent()
	defer debug.SetGCPercent(before)
	release := holdGC(time.Hour)
	if p := gcPercent(); p != -1 {
		t.Fatalf("GOGC during the hold is %d, want off (-1)", p)
	}
	if l := debug.SetMemoryLimit(-1); l != startUpMemoryLimit {
		t.Fatalf("memory limit during the hold is %d, want %d", l, startUpMemoryLimit)
	}
	setConsoleGC() // ui.Run starts inside the hold
	if p := gcPercent(); p != -1 {
		t.Fatalf("Run's GOGC ended the hold: %d", p)
	}
	release()
	release() // once
	if p := gcPercent(); p != consoleGCPercent {
		t.Fatalf("GOGC after the hold is %d, want the console's %d", p, consoleGCPercent)
	}
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Fatalf("memory limit after the hold is %d, want none", l)
	}
}
