package ui

import (
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"

	"gatewayops/alarms"
)

// The cached rows are the rows: a list drawing through its row cache and
// one drawing without it give the same text frame after frame, while ages
// move, the data changes, the selection moves and the width changes.
func TestCachedRowsAreTheRowsRendered(t *testing.T) {
	st := testStyles()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	as := syntheticAlarms(300, now)
	as[4].Muted, as[4].MutedUntil = true, now.Add(time.Hour)
	as[7].EvaluationState = "PARTIAL_DATA"
	as[9].Name += "-名前" // wide characters at the cut
	cached, plain := newAlarmList(st, DefaultKeyMap()), newAlarmList(st, DefaultKeyMap())
	plain.rows = nil
	for _, l := range []*alarmList{&cached, &plain} {
		l.SetSize(90, 40)
		l.SetAlarmsWaiting(as, map[string][]alarms.Finding{as[2].Name: {{Kind: alarms.FindingUnseenValue}}},
			map[string]time.Time{as[3].Name: now})
	}
	for frame := range 12 {
		at := now.Add(time.Duration(frame) * 1700 * time.Millisecond)
		switch frame {
		case 4: // a refresh: alarms change state, mute and threshold; the series stay the same reads
			next := append([]alarms.Alarm(nil), as...)
			next[0].State, next[1].Muted, next[5].Threshold = alarms.StateOK, true, 75
			cached.SetAlarms(next, nil)
			plain.SetAlarms(next, nil)
		case 10: // every series is a new read
			cached.SetAlarms(syntheticAlarms(300, at), nil)
			plain.SetAlarms(syntheticAlarms(300, at), nil)
		case 6:
			cached, _ = cached.Update(press("j"))
			plain, _ = plain.Update(press("j"))
		case 8:
			cached.SetSize(60, 20)
			plain.SetSize(60, 20)
		}
		if got, want := cached.View(at), plain.View(at); got != want {
			t.Fatalf("frame %d: the cached list differs:\n%s\nwant:\n%s", frame, got, want)
		}
	}
	// Within one second (the same ages): a scroll, a move that does not
	// scroll (the last page), a filter.
	at := now.Add(30 * time.Second)
	for i, change := range []func(l *alarmList){
		func(l *alarmList) { *l, _ = l.Update(press("G")) },
		func(l *alarmList) { *l, _ = l.Update(press("k")) },
		func(l *alarmList) { l.SetFilter("0042") },
		func(l *alarmList) { l.SetFilter("") },
	} {
		_ = cached.View(at)
		change(&cached)
		change(&plain)
		if got, want := cached.View(at), plain.View(at); got != want {
			t.Fatalf("change %d in the same second: the cached list differs:\n%s\nwant:\n%s", i, got, want)
		}
	}
}

// joinColumns gives byte for byte what lipgloss.JoinHorizontal gives for
// the wide layout's blocks: a list of lines of exactly its width (or
// empty), a styled rule, and a right column of any shape.
func TestJoinColumnsIsJoinHorizontal(t *testing.T) {
	st := testStyles()
	left := strings.Join([]string{fit("a ✓ ok", 12), fit(st.Bad.Render("✗ ALARM 名前です長い名前"), 12), "", ""}, "\n")
	rule := st.Muted.Render(strings.TrimRight(strings.Repeat("│\n", 4), "\n"))
	var c joinCache
	for _, right := range []string{
		"runbook\nstep 1\tgo\n" + st.Title.Render("title") + "\nlast",
		"short",
		"one\ntwo\nthree\nfour\nfive\nsix",
		"",
		"runbook\nstep 1\tgo\n" + st.Title.Render("title") + "\nlast", // measured before: from the cache
	} {
		want := lipgloss.JoinHorizontal(lipgloss.Top, left, rule, right)
		if got := c.joinColumns(left, 12, rule, right); got != want {
			t.Fatalf("right %q:\n%q\nwant\n%q", right, got, want)
		}
	}
}

// cellWidth is lipgloss.Width, with printable ASCII counted by its length.
func TestCellWidthIsLipglossWidth(t *testing.T) {
	st := testStyles()
	for _, s := range []string{"", "abc 123 > 1000", "~ ", "名前", "✗ ALARM", "a\tb", "one\ntwo three", st.Bad.Render("x"),
		"\x1b[31mred\x1b[0m", "e\u0301", "🔥 fire", strings.Repeat("-", 300)} {
		if got, want := cellWidth(s), lipgloss.Width(s); got != want {
			t.Errorf("cellWidth(%q) = %d, lipgloss.Width = %d", s, got, want)
		}
	}
}
