package cwlocal

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// indexedService has alarms a0..a(n-1) written at a clock the test moves,
// with state changes at equal and at earlier times (a clock going back).
func indexedService(t *testing.T, n int) (*Service, *time.Time) {
	t.Helper()
	now := t0
	s := New(Config{Now: func() time.Time { return now }})
	for i := range n {
		if i%3 == 0 {
			now = now.Add(time.Second)
		}
		if err := s.PutMetricAlarm(maxAlarm(fmt.Sprintf("a%d", i), 1, 1, "")); err != nil {
			t.Fatal(err)
		}
	}
	for i, st := range []string{StateAlarm, StateOK, StateAlarm, StateInsufficientData} {
		if i == 2 {
			now = t0.Add(-time.Minute) // earlier than everything so far
		}
		for j := i; j < n; j += 4 {
			setState(t, s, fmt.Sprintf("a%d", j), st)
		}
	}
	return s, &now
}

func setState(t *testing.T, s *Service, name, state string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.setAlarmState(&SetAlarmStateInput{AlarmName: name, StateValue: state, StateReason: "test"}); err != nil {
		t.Fatal(err)
	}
}

// allHistory is the reference: every alarm's items, filtered and sorted as
// CloudWatch orders them, by a full scan.
func allHistory(s *Service, in DescribeAlarmHistoryInput) []string {
	var items []*histEntry
	for _, a := range s.alarms {
		for _, e := range a.history {
			if (in.AlarmName == "" || e.item.AlarmName == in.AlarmName) && keepHistory(&in, e.item) {
				items = append(items, e)
			}
		}
	}
	slices.SortFunc(items, cmpEntry)
	if in.ScanBy != "TimestampAscending" {
		slices.Reverse(items)
	}
	var out []string
	for _, e := range items {
		out = append(out, histKey(e.item))
	}
	return out
}

func histKey(h AlarmHistoryItem) string {
	return h.AlarmName + "@" + h.Timestamp.Format("15:04:05") + ":" + h.HistorySummary
}

func historyPages(t *testing.T, s *Service, in DescribeAlarmHistoryInput, between func()) []string {
	t.Helper()
	var got []string
	for {
		s.mu.Lock()
		out, err := s.describeAlarmHistory(&in)
		s.mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		o := out.(*DescribeAlarmHistoryOutput)
		for _, h := range o.AlarmHistoryItems {
			got = append(got, histKey(h))
		}
		if o.NextToken == "" {
			return got
		}
		in.NextToken = o.NextToken
		between()
	}
}

// Pages of the account's history (and of one alarm's) come in time order,
// ties in write order, each item once, whatever the filters and the order
// the clock wrote them in; items written between pages do not shift them.
func TestDescribeAlarmHistoryPagesFollowTheIndex(t *testing.T) {
	s, now := indexedService(t, 30)
	three := 3
	start, end := TS(t0.Add(-time.Minute)), TS(t0.Add(5*time.Second))
	for _, in := range []DescribeAlarmHistoryInput{
		{},
		{ScanBy: "TimestampAscending"},
		{HistoryItemType: "StateUpdate"},
		{StartDate: TS(t0.Add(2 * time.Second))},
		{StartDate: start, EndDate: end, ScanBy: "TimestampAscending"},
		{EndDate: TS(t0)},
		{AlarmName: "a6"},
		{AlarmName: "a6", ScanBy: "TimestampAscending", HistoryItemType: "ConfigurationUpdate"},
	} {
		want := allHistory(s, in)
		in.MaxRecords = &three
		got := historyPages(t, s, in, func() {})
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Fatalf("%+v:\n got %v\nwant %v", in, got, want)
		}
	}
	// Written between pages at the newest time: a descending listing that
	// started before them does not repeat or skip what it had not reached.
	want := allHistory(s, DescribeAlarmHistoryInput{})
	*now = t0.Add(time.Hour)
	i := 0
	got := historyPages(t, s, DescribeAlarmHistoryInput{MaxRecords: &three}, func() {
		i++
		setState(t, s, fmt.Sprintf("a%d", i), StateInsufficientData)
	})
	if !slices.Equal(got, want) {
		t.Fatalf("with writes between pages:\n got %v\nwant %v", got, want)
	}
}

// An alarm keeps its newest maxHistoryPerAlarm items, and the account's
// history keeps no more of it; a deleted alarm's history goes with it.
func TestDescribeAlarmHistoryTrimsAndDeletes(t *testing.T) {
	s, now := indexedService(t, 3)
	for i := range 2*maxHistoryPerAlarm + 100 { // enough to compact the log too
		*now = now.Add(time.Second)
		setState(t, s, "a1", []string{StateOK, StateAlarm}[i%2])
	}
	hundred := 100
	got := historyPages(t, s, DescribeAlarmHistoryInput{AlarmName: "a1", MaxRecords: &hundred}, func() {})
	all := historyPages(t, s, DescribeAlarmHistoryInput{MaxRecords: &hundred}, func() {})
	n := 0
	for _, k := range all {
		if strings.HasPrefix(k, "a1@") {
			n++
		}
	}
	s.mu.Lock()
	live := len(s.history.entries) - s.history.dead
	s.mu.Unlock()
	if len(got) != maxHistoryPerAlarm || n != maxHistoryPerAlarm || live != len(all) {
		t.Fatalf("a1 keeps %d items, the account's history %d (%d live of %d); want %d", len(got), n, live, len(all), maxHistoryPerAlarm)
	}
	s.mu.Lock()
	_, err := s.deleteAlarms(&AlarmNamesInput{AlarmNames: []string{"a1"}})
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	all = historyPages(t, s, DescribeAlarmHistoryInput{MaxRecords: &hundred}, func() {})
	if want := allHistory(s, DescribeAlarmHistoryInput{}); !slices.Equal(all, want) || len(all) == 0 {
		t.Fatalf("after deleting a1: %v, want %v", all, want)
	}
	for _, k := range all {
		if strings.HasPrefix(k, "a1@") {
			t.Fatalf("deleted a1's history is still listed: %s", k)
		}
	}
}

// A listing by StateValue (and prefix) returns exactly the alarms in that
// state, through transitions, replacements and deletes.
func TestDescribeAlarmsByStateFollowsTransitions(t *testing.T) {
	s, _ := indexedService(t, 40)
	if err := s.PutMetricAlarm(maxAlarm("a5", 2, 1, "")); err != nil { // replaced: keeps its state
		t.Fatal(err)
	}
	s.mu.Lock()
	_, err := s.deleteAlarms(&AlarmNamesInput{AlarmNames: []string{"a2", "a7"}})
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	two := 2
	for _, st := range stateValues {
		for _, prefix := range []string{"", "a1", "a3"} {
			var want []string
			for _, n := range s.names {
				if s.alarms[n].state == st && strings.HasPrefix(n, prefix) {
					want = append(want, n)
				}
			}
			got := describePages(t, s, DescribeAlarmsInput{StateValue: st, AlarmNamePrefix: prefix, MaxRecords: &two}, func(int) {})
			if len(want) == 0 && prefix == "" || !slices.Equal(got, want) {
				t.Fatalf("%s %q: got %v, want %v", st, prefix, got, want)
			}
		}
	}
}

// BenchmarkHistorySinceMark is the console's steady read: one page of the
// account's history since a mark, at 1,000 and 10,000 alarms with 20 items
// each; the page costs the same at both sizes.
func BenchmarkHistorySinceMark(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("alarms=%d", n), func(b *testing.B) {
			now := t0
			s := New(Config{Now: func() time.Time { return now }})
			for i := range n {
				s.PutMetricAlarm(maxAlarm(fmt.Sprintf("a%05d", i), 1, 1, ""))
			}
			s.mu.Lock()
			for k := range 19 {
				now = now.Add(time.Minute)
				for i := range n {
					s.transition(s.alarms[fmt.Sprintf("a%05d", i)], stateValues[k%3], "bench", "", now)
				}
			}
			s.mu.Unlock()
			in := DescribeAlarmHistoryInput{StartDate: TS(now.Add(-time.Minute))}
			for b.Loop() {
				s.mu.Lock()
				out, err := s.describeAlarmHistory(&in)
				s.mu.Unlock()
				if err != nil || len(out.(*DescribeAlarmHistoryOutput).AlarmHistoryItems) != 100 {
					b.Fatal(err, out)
				}
			}
		})
	}
}

// An operation that panics answers 500 and leaves the service usable: the
// lock is released (a handler recovered by net/http alone left it held).
func TestPanickingOperationReleasesTheLock(t *testing.T) {
	s := newTestService()
	_, err := s.invoke("Boom", func(*Service, []byte) (any, *APIError) { panic("index out of range") }, nil, nil)
	if err == nil || err.status != 500 || !strings.Contains(err.Message, "Boom failed: index out of range") {
		t.Fatalf("panic answered %+v", err)
	}
	if !s.mu.TryLock() {
		t.Fatal("the lock is still held after the panic")
	}
	s.mu.Unlock()
	if s.Calls()["Boom"] != 1 {
		t.Fatalf("calls %v", s.Calls())
	}
}
