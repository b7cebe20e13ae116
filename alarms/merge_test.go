package alarms

import (
	"fmt"
	"hash/fnv"
	"testing"
	"time"
)

func names(list []Alarm) string {
	s := ""
	for _, a := range list {
		s += a.Name + ":" + string(a.State) + " "
	}
	return s
}

// mergeRead replaces what was read, drops what was asked for and did not
// come back (deleted), adds new alarms in name order, and says when the set
// of names changed (the poller then rebuilds its known names).
func TestMergeReadReplacesDropsAndAdds(t *testing.T) {
	last := []Alarm{{Name: "a", State: StateOK}, {Name: "c", State: StateOK}, {Name: "e", State: StateOK}}
	for _, tc := range []struct {
		asked   []string
		got     []Alarm
		want    string
		renamed bool
	}{
		{[]string{"c"}, []Alarm{{Name: "c", State: StateAlarm}}, "a:OK c:ALARM e:OK ", false},
		{[]string{"c", "d", "e", "x"}, []Alarm{{Name: "c", State: StateAlarm}, {Name: "d", State: StateOK}}, "a:OK c:ALARM d:OK ", true},
		{[]string{"a"}, nil, "c:OK e:OK ", true},
		{[]string{"b", "f"}, []Alarm{{Name: "b", State: StateAlarm}, {Name: "f", State: StateAlarm}}, "a:OK b:ALARM c:OK e:OK f:ALARM ", true},
		{nil, nil, "a:OK c:OK e:OK ", false},
	} {
		asked := map[string]bool{}
		for _, n := range tc.asked {
			asked[n] = true
		}
		out, renamed := mergeRead(last, asked, tc.got)
		if got := names(out); got != tc.want || renamed != tc.renamed {
			t.Errorf("asked %v got %v: %q renamed %v, want %q renamed %v", tc.asked, names(tc.got), got, renamed, tc.want, tc.renamed)
		}
	}
	if names(last) != "a:OK c:OK e:OK " {
		t.Fatalf("last was changed: %s", names(last))
	}
}

// A group the pass no longer considers (its alarm was deleted) loses its
// cached lines; the others keep theirs.
func TestScheduleForgetsWhatAPassDidNotConsider(t *testing.T) {
	s := newSchedule()
	now := time.Unix(1_800_000_000, 0)
	s.start = now
	s.begin()
	for i := range 3 {
		k := fmt.Sprintf("alarm:%d", i)
		s.due(k, time.Minute, tierHot, 0, now)
		s.store(k, []Line{{Label: k}}, now)
	}
	s.forget()
	s.begin()
	s.due("alarm:0", time.Minute, tierHot, 0, now)
	s.due("alarm:2", time.Minute, tierCold, 30*time.Minute, now)
	s.forget()
	if s.lines("alarm:1") != nil || s.lines("alarm:0") == nil || s.lines("alarm:2") == nil {
		t.Fatalf("after forget: %v", s.entries)
	}
}

// stagger is FNV-1a written out: the same offsets as hash/fnv, so the
// slots of every group stay where they were.
func TestStaggerIsFNV1a(t *testing.T) {
	for _, k := range []string{"", "alarm:a", "panel:3", "alarm:arrakis-bench-agent-bench-09999"} {
		h := fnv.New64a()
		h.Write([]byte(k))
		if got, want := stagger(k, 30*time.Minute), time.Duration(h.Sum64()%uint64(30*time.Minute)); got != want {
			t.Fatalf("stagger(%q) = %v, want %v", k, got, want)
		}
	}
}
