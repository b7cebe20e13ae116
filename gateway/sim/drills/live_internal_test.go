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

// A manual step quoting the runbook's backticks stays one code span.
func TestCodeSpanKeepsBackticks(t *testing.T) {
	if got := code("stop any ad-hoc `KEYS` loop"); got != "`` stop any ad-hoc `KEYS` loop ``" {
		t.Errorf("code = %q", got)
	}
	if got := code("redis.diagnose"); got != "`redis.diagnose`" {
		t.Errorf("code = %q", got)
	}
	s := StepRecord{Line: "redis.diagnose", Outcome: "ok", Listed: 2}
	s.judge(map[string]bool{}, nil, false)
	if s.Effect != EffectListed {
		t.Errorf("a read on the list judged %q", s.Effect)
	}
}
