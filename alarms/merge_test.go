package alarms

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
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

// keepAlarms forgets the alarms a new list no longer has (deleted) with
// their cached lines and their place in the queue; the others keep both.
func TestScheduleForgetsDeletedAlarms(t *testing.T) {
	s := newSchedule()
	now := time.Unix(1_800_000_000, 0)
	s.start = now
	for i := range 3 {
		k := fmt.Sprint(i)
		s.storeAlarm(k, []Line{{Label: k}}, now)
		s.planAlarm(k, time.Minute, tierHot, 0)
	}
	s.keepAlarms([]Alarm{{Name: "0"}, {Name: "2"}})
	if s.alarmLines("1") != nil || s.alarmLines("0") == nil || s.alarmLines("2") == nil {
		t.Fatalf("after keepAlarms: %v", s.alarms)
	}
	if got := s.popDue(now.Add(time.Minute)); fmt.Sprint(got) != "[0 2]" && fmt.Sprint(got) != "[2 0]" {
		t.Fatalf("due a minute later: %v, want 0 and 2", got)
	}
}

// nextDue is the first instant of the slot after the last fetch's, so
// "now is not before nextDue" is the slot rule, for every tier, phase and
// pause, at and around the boundaries.
func TestNextDueIsTheSlotRule(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s := newSchedule()
	s.start = time.Unix(1_800_000_000, 123)
	for range 20000 {
		name := fmt.Sprintf("a-%d", r.IntN(50))
		period := time.Duration(1+r.IntN(5)) * time.Minute
		tr := tier(r.IntN(3))
		every := time.Duration(r.IntN(40)) * time.Minute
		var e *seriesEntry
		if r.IntN(4) > 0 {
			e = &seriesEntry{fetched: true, fetchedAt: s.start.Add(time.Duration(r.Int64N(int64(3 * time.Hour))))}
		}
		due := s.nextDue(e, "alarm:", name, period, tr, every)
		for _, now := range []time.Time{due.Add(-time.Nanosecond), due, due.Add(time.Nanosecond), s.start.Add(time.Duration(r.Int64N(int64(4 * time.Hour))))} {
			if now.Before(s.start) { // refreshes are never before the first (a hot group's zero time)
				continue
			}
			if got, want := !now.Before(due), slotDue(s, e, "alarm:"+name, period, tr, every, now); got != want {
				t.Fatalf("%s period %v tier %d every %v entry %+v at %v: due %v, slot rule says %v", name, period, tr, every, e, now, got, want)
			}
		}
	}
}

// slotDue is the schedule's rule as it was written before the queue
// (docs/decisions.md 145), the reference nextDue must agree with.
func slotDue(s *schedule, e *seriesEntry, key string, period time.Duration, tr tier, every time.Duration, now time.Time) bool {
	phase := time.Duration(0)
	if tr == tierHot {
		every = period
	} else {
		every = max(every, period)
		phase = stagger("", key, every)
	}
	last := s.start
	switch {
	case e != nil && e.fetched:
		last = e.fetchedAt
	case tr == tierHot:
		return true
	}
	return slot(now, every, phase) > slot(last, every, phase)
}

// The queue hands out only the item an alarm was last planned with, each
// once, and compaction keeps it bounded by the alarms planned.
func TestQueueHandsOutTheLastPlanOnce(t *testing.T) {
	s := newSchedule()
	now := time.Unix(1_800_000_000, 0)
	s.start = now
	for range 100 {
		for i := range 10 {
			s.planAlarm(fmt.Sprint(i), time.Minute, tierCold, 30*time.Minute)
		}
	}
	if len(s.queue) > 2*len(s.alarms)+64 {
		t.Fatalf("queue of %d items for %d alarms", len(s.queue), len(s.alarms))
	}
	s.planAlarm("3", time.Minute, tierHot, 0) // never fetched and on screen: due at once
	if got := s.popDue(now); fmt.Sprint(got) != "[3]" {
		t.Fatalf("due now: %v, want [3]", got)
	}
	got := s.popDue(now.Add(time.Hour))
	slices.Sort(got)
	if fmt.Sprint(got) != "[0 1 2 4 5 6 7 8 9]" {
		t.Fatalf("due within the hour: %v, want each cold alarm once", got)
	}
	if got := s.popDue(now.Add(2 * time.Hour)); len(got) != 0 {
		t.Fatalf("popped again without a plan: %v", got)
	}
}

// stagger is FNV-1a written out: the same offsets as hash/fnv over the
// key "alarm:"+name, so the slots of every group stay where they were.
func TestStaggerIsFNV1a(t *testing.T) {
	for _, k := range [][2]string{{"", ""}, {"alarm:", "a"}, {"panel:", "3"}, {"alarm:", "arrakis-bench-agent-bench-09999"}} {
		h := fnv.New64a()
		h.Write([]byte(k[0] + k[1]))
		if got, want := stagger(k[0], k[1], 30*time.Minute), time.Duration(h.Sum64()%uint64(30*time.Minute)); got != want {
			t.Fatalf("stagger(%q) = %v, want %v", k, got, want)
		}
	}
}
