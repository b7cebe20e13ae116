package drills

import "testing"

// The console hands a step over parsed (defaults filled, parameters
// sorted); it is the same step as the list's line.
func TestSameCommandComparesParsedSteps(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"reservations.drain older=5m mode=reconcile", "reservations.drain batch=500 mode=reconcile older=5m", true},
		{"reservations.drain older=5m mode=reconcile", "reservations.drain older=5m mode=reap", false},
		{"breaker.reset component=kms", "breaker.reset  component=kms", true},
		{"breaker.reset component=kms", "breaker.reset component=loa-finn", false},
		{"not a step", "not  a step", true},
	} {
		if got := sameCommand(c.a, c.b); got != c.same {
			t.Errorf("sameCommand(%q, %q) = %v", c.a, c.b, got)
		}
	}
}
