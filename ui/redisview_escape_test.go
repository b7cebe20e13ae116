package ui

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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
