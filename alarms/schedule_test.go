package alarms

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// topNames counts ranks instead of sorting; it must pick exactly the first
// n of a DisplayLess sort, for every n, on lists with ties in state and severity.
func TestTopNamesIsTheFirstNInDisplayOrder(t *testing.T) {
	states := []State{StateAlarm, StateOK, StateInsufficientData, "OTHER"}
	sevs := []string{"critical", "high", "medium", "low", ""}
	r := rand.New(rand.NewPCG(1, 2))
	var list []Alarm
	for i := range 300 {
		list = append(list, Alarm{Name: fmt.Sprintf("a-%04d", i), State: states[r.IntN(len(states))], Severity: sevs[r.IntN(len(sevs))]})
	}
	sorted := append([]Alarm(nil), list...)
	sort.SliceStable(sorted, func(i, j int) bool { return DisplayLess(sorted[i], sorted[j]) })
	for _, n := range []int{0, 1, 7, 60, 150, 299, 300, 301} {
		got := topNames(list, n)
		if len(got) != min(n, len(list)) {
			t.Fatalf("n=%d: %d names", n, len(got))
		}
		for _, a := range sorted[:min(n, len(sorted))] {
			if !got[a.Name] {
				t.Fatalf("n=%d: %s (%s, %s) missing", n, a.Name, a.State, a.Severity)
			}
		}
	}
}
