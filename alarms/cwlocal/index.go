package cwlocal

import (
	"cmp"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The indexes below are kept on every write so that a DescribeAlarms or
// DescribeAlarmHistory page costs what it returns, not what the account
// holds: at 10,000 alarms a steady console refresh reads one history page
// since its mark and a few AlarmNames batches, and scanning every alarm (and
// sorting every alarm's history) per call made cwlocal itself the cost.

// histEntry is one history item in the account-wide log. seq breaks ties of
// equal timestamps in the order the items were written, so pages of equal
// timestamps neither repeat nor skip.
type histEntry struct {
	seq  uint64
	item AlarmHistoryItem
	dead bool // dropped by its alarm (trimmed or deleted); compacted away
}

func (e *histEntry) ts() time.Time { return e.item.Timestamp.Time }

func cmpEntry(a, b *histEntry) int {
	if c := a.ts().Compare(b.ts()); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// historyLog is every alarm's history in time order (then write order).
// An alarm keeps its own entries, also in time order, for queries by name.
type historyLog struct {
	entries []*histEntry
	next    uint64
	dead    int
}

// insertSorted puts e in its place in a time-ordered slice: at the end,
// unless a clock (a test's) went back.
func insertSorted(s []*histEntry, e *histEntry) []*histEntry {
	if n := len(s); n == 0 || cmpEntry(s[n-1], e) < 0 {
		return append(s, e)
	}
	i, _ := slices.BinarySearchFunc(s, e, cmpEntry)
	return slices.Insert(s, i, e)
}

func (l *historyLog) add(item AlarmHistoryItem) *histEntry {
	l.next++
	e := &histEntry{seq: l.next, item: item}
	l.entries = insertSorted(l.entries, e)
	return e
}

// drop marks an entry gone and compacts the log once half of it is gone, so
// a page walks at most about as many dead entries as live ones.
func (l *historyLog) drop(e *histEntry) {
	if e.dead {
		return
	}
	e.dead = true
	l.dead++
	if l.dead > 64 && l.dead*2 > len(l.entries) {
		l.entries = slices.DeleteFunc(l.entries, func(e *histEntry) bool { return e.dead })
		l.dead = 0
	}
}

// addHistory records an item for a and in the account-wide log, trimming a's
// oldest beyond maxHistoryPerAlarm. Caller holds the lock.
// History items are kept at the millisecond, the precision CloudWatch
// reports and a request's StartDate and EndDate carry: an item stamped
// 16:53:54.447123 was after an EndDate of 16:53:54.447 sent a few µs later,
// so a DescribeAlarmHistory "until now" missed what happened in its own
// millisecond (TestHistoryAndRunAgainstCloudWatch failed 15 of 60 runs).
func (s *Service) addHistory(a *alarm, h AlarmHistoryItem) {
	if h.Timestamp != nil {
		h.Timestamp = TS(h.Timestamp.Truncate(time.Millisecond))
	}
	a.history = insertSorted(a.history, s.history.add(h))
	if len(a.history) > maxHistoryPerAlarm {
		n := len(a.history) - maxHistoryPerAlarm
		for _, e := range a.history[:n] {
			s.history.drop(e)
		}
		a.history = slices.Clone(a.history[n:])
	}
}

// dropHistory forgets a deleted alarm's history. Caller holds the lock.
func (s *Service) dropHistory(a *alarm) {
	for _, e := range a.history {
		s.history.drop(e)
	}
	a.history = nil
}

// historyRange is the part of a time-ordered slice inside [start, end].
func historyRange(s []*histEntry, start, end *Timestamp) []*histEntry {
	lo, hi := 0, len(s)
	if start != nil {
		lo, _ = slices.BinarySearchFunc(s, start.Time, func(e *histEntry, t time.Time) int {
			return e.ts().Compare(t)
		})
	}
	if end != nil {
		hi, _ = slices.BinarySearchFunc(s, end.Time, func(e *histEntry, t time.Time) int {
			if e.ts().After(t) {
				return 1
			}
			return -1
		})
	}
	if hi < lo {
		hi = lo
	}
	return s[lo:hi]
}

// History tokens name the last entry returned (its time and sequence), so a
// page resumes by binary search and writes between pages shift nothing.
func encodeHistToken(e *histEntry) string {
	return base64.RawURLEncoding.EncodeToString([]byte("history:" +
		strconv.FormatInt(e.ts().UnixNano(), 10) + "." + strconv.FormatUint(e.seq, 10)))
}

func decodeHistToken(token string) (*histEntry, *APIError) {
	if token == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	k, rest, ok := strings.Cut(string(b), ":")
	ns, sq, ok2 := strings.Cut(rest, ".")
	if err != nil || !ok || !ok2 || k != "history" {
		return nil, errNextToken(token)
	}
	n, err1 := strconv.ParseInt(ns, 10, 64)
	q, err2 := strconv.ParseUint(sq, 10, 64)
	if err1 != nil || err2 != nil {
		return nil, errNextToken(token)
	}
	return &histEntry{seq: q, item: AlarmHistoryItem{Timestamp: TS(time.Unix(0, n))}}, nil
}

// pageHistory walks s (already cut to the dates) in the scan order from
// after the token's entry, and returns up to size live items that keep,
// with the token for the rest.
func pageHistory(s []*histEntry, asc bool, after *histEntry, size int, keep func(*histEntry) bool) ([]AlarmHistoryItem, string) {
	i, step := 0, 1
	if !asc {
		i, step = len(s)-1, -1
	}
	if after != nil {
		j, found := slices.BinarySearchFunc(s, after, cmpEntry)
		switch {
		case asc && found:
			i = j + 1
		case asc:
			i = j
		default:
			i = j - 1
		}
	}
	out := []AlarmHistoryItem{}
	var last *histEntry
	for ; i >= 0 && i < len(s); i += step {
		e := s[i]
		if e.dead || !keep(e) {
			continue
		}
		if len(out) == size {
			return out, encodeHistToken(last)
		}
		out = append(out, e.item)
		last = e
	}
	return out, ""
}

// byState keeps, per state, the sorted names of the alarms in it: a listing
// by StateValue walks only its state.
type stateIndex map[string][]string

func (x stateIndex) add(state, name string) {
	s := x[state]
	if i, found := slices.BinarySearch(s, name); !found {
		x[state] = slices.Insert(s, i, name)
	}
}

func (x stateIndex) remove(state, name string) {
	s := x[state]
	if i, found := slices.BinarySearch(s, name); found {
		x[state] = slices.Delete(s, i, i+1)
	}
}
