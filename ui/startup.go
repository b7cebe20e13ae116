package ui

import (
	"math"
	"os"
	"runtime/debug"
	"sync"
	"time"
)

// StartUp prepares the process for the full-screen console's start-up (cli
// calls it first thing, before the config is read): no garbage collection
// until the start-up is over (decisions.md 156). It returns the function
// that ends the hold early (tests; the hold also ends by itself).
func StartUp() (release func()) {
	return holdGC(startUpGCHold)
}

// startUpGCHold is how long the start-up runs without collections: the
// first list and runbook are drawn within it (tens of ms at 1,000 alarms),
// and the heap it leaves is small (about 15 MB at 1,000 alarms).
const startUpGCHold = time.Second

// startUpMemoryLimit makes the runtime collect anyway should the start-up
// allocate far more than it does (GOGC off with a limit: the runtime's own
// recipe for a bounded burst).
const startUpMemoryLimit = 256 << 20

// holdGC turns collection off for d, then applies the console's GOGC and
// returns what the start-up left to the OS; release does that at once. The
// start-up allocates about 10 MB in 30 ms after package init; at the 4-8 MB
// goals of a young heap that was three or four collections on the path to
// the first frame, their marking competing for the two cores with the
// refresh and the terminal's start (measured: first list at 10 alarms 47.1
// vs 39.1 ms, median of 21 alternated starts). GOGC set in the environment
// wins.
func holdGC(d time.Duration) (release func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(startUpMemoryLimit)
	var once sync.Once
	release = func() {
		once.Do(func() {
			debug.SetMemoryLimit(math.MaxInt64)
			debug.SetGCPercent(consoleGCPercent)
			debug.FreeOSMemory() // one collection now, not a start-up peak kept resident
		})
	}
	time.AfterFunc(d, release)
	return release
}
