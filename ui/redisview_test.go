package ui

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"gatewayops/gateway"
)

// A slowlog entry holds a command's arguments as a caller sent them, and
// anyone who can reach the gateway's Redis (or pick an idempotency key the
// gateway stores) chooses them. The Redis view must show them escaped, on
// one line: a raw newline broke the row in two, and an escape sequence
// (here OSC 2, which sets the window title) reached the terminal.
func TestRedisViewShowsSlowlogArgumentsEscapedOnOneLine(t *testing.T) {
	s := startStack(t, "staging", false)
	ctx := t.Context()
	rdb := s.redis.Client()
	defer rdb.Close()
	// Only a command of 5 ms or more is logged: a busy Lua loop, given the
	// caller's arguments (the diagnosis's own INFO calls are not).
	if err := rdb.ConfigSet(ctx, "slowlog-log-slower-than", "5000").Err(); err != nil {
		t.Fatal(err)
	}
	hostile := "evil\x1b]2;pwned\x07\nline2"
	accented := "x" + strings.Repeat("é", 40) // 81 bytes: cut for the view, at byte 64 mid-é
	busy := "local i = 0 while i < 20000000 do i = i + 1 end return i"
	if err := rdb.Eval(ctx, busy, nil, hostile, accented).Err(); err != nil {
		t.Fatal(err)
	}
	// The diagnosis is read beside the refresh; a later refresh shows it.
	var snap Snapshot
	var row string
	for deadline := time.Now().Add(10 * time.Second); row == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var err error
		if snap, err = s.backend.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(snap.Redis, "\n") {
			if strings.Contains(l, "evil") {
				row = l
			}
		}
	}
	if strings.ContainsAny(snap.Redis, "\x1b\x07") || !utf8.ValidString(snap.Redis) {
		t.Fatalf("the Redis view carries raw control bytes or a split character:\n%q", snap.Redis)
	}
	want := `0 evil\x1b]2;pwned\a\nline2 xéé`
	if !strings.Contains(row, want) || !strings.HasSuffix(row, "é...") {
		t.Fatalf("the slowlog row is %q, want it to hold %q and end in an uncut é...\nview:\n%s", row, want, snap.Redis)
	}
}

// At 80x24 with a full slowlog the reservation counts and the drift stay
// on screen, and the cut slowlog says how much a taller pane would show:
// the slowlog came first and cut the drift line off without a word. The
// text is built as the console builds it (redisText), escaped.
func TestRedisViewKeepsReservationsOnAnEightyByTwentyFourPane(t *testing.T) {
	d := gateway.Diagnosis{Server: gateway.ServerInfo{Version: "7.0.15", Mode: "standalone"},
		Keyspace:   []gateway.KeyspaceDB{{DB: "db0", Keys: 9505, Expires: 9497}},
		SlowlogErr: "ERR refused\x1b[2J"} // an error's text comes from outside too
	for i := range 5 {
		d.Slowlog = append(d.Slowlog, gateway.SlowlogEntry{At: t0, DurationUs: int64(300000 + i), Command: "EVAL local i = 0 ..."})
	}
	counts := gateway.ReservationCounts{Communities: 4, Live: 7652, Expired: 1906, Orphaned: 990442, ReservedCents: 250000,
		Summary: &gateway.BackgroundSummary{AgeMs: 23000}}
	m := New(startStack(t, "staging", false).backend, Options{RefreshEvery: time.Hour, NoColor: true, Now: func() time.Time { return t0 }})
	m = update(t, m, tea.WindowSizeMsg{Width: 80, Height: 24})
	var health []Health
	for _, name := range []string{"cloudwatch", "admin api", "redis"} {
		health = append(health, Health{Name: name, Calls: 1, LastSuccess: t0})
	}
	next, _ := m.Update(snapshotMsg{id: m.refreshID, snap: Snapshot{TakenAt: t0, Health: health,
		Redis: redisText(diagnosisText(d), reservationsText(counts), slowlogText(d))}})
	m = update(t, next.(Model), press("3"))
	got := screen(m)
	for _, want := range []string{"990,442 orphaned", "drift $0.00 (summary 23s old)", "slow: ", "… 4 more lines (a taller pane shows them)"} {
		if !strings.Contains(got, want) {
			t.Errorf("the 80x24 Redis view lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(m.render(), "\x1b[2J") || !strings.Contains(got, `ERR refused\x1b[2J`) {
		t.Errorf("the slowlog's error reached the terminal unescaped:\n%s", got)
	}
	if n := strings.Count(got, "\n") + 1; n != 24 {
		t.Errorf("the screen is %d lines, want 24:\n%s", n, got)
	}
}
