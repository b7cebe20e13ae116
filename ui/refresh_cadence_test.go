package ui

import (
	"testing"
	"testing/synctest"
	"time"
)

// The poll chain follows the source's cadence (faster while in ALARM, backed
// off after errors) and falls back to Options.RefreshEvery without one.
func TestTickFollowsSnapshotCadence(t *testing.T) {
	for _, tc := range []struct {
		name string
		next time.Duration
		want time.Duration
	}{
		{"source cadence", 7 * time.Second, 7 * time.Second},
		{"fallback", 0, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := Model{opts: Options{}.withDefaults()}
				m.snap.NextRefresh = tc.next
				start := time.Now()
				if _, ok := m.tick()().(refreshTickMsg); !ok {
					t.Fatal("tick did not yield a refreshTickMsg")
				}
				if got := time.Since(start); got != tc.want {
					t.Fatalf("tick fired after %s, want %s", got, tc.want)
				}
			})
		})
	}
}
