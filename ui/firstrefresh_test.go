package ui

import (
	"context"
	"image/color"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// healthOf finds one backend's entry in a snapshot.
func healthOf(t *testing.T, s Snapshot, name string) Health {
	t.Helper()
	for _, h := range s.Health {
		if h.Name == name {
			return h
		}
	}
	t.Fatalf("no %q health entry in %+v", name, s.Health)
	return Health{}
}

// holdRedis listens on the stack's Redis socket and accepts connections
// without ever answering, as a Redis that hangs does (a fault real
// redis-server cannot be made to show on demand). Closing the returned
// channel drops every held connection.
func holdRedis(t *testing.T, dir string) chan struct{} {
	t.Helper()
	ln, err := net.Listen("unix", filepath.Join(dir, "redis.sock"))
	if err != nil {
		t.Fatal(err)
	}
	drop := make(chan struct{})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-drop; c.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return drop
}

// TestFirstRefreshWaitsForNeitherStatusNorRedis: the console's first frame
// (issue 12 item 1) shows the alarms as soon as they are read. The admin
// API's status and the Redis diagnosis, both held here, are "waiting" in
// it, not stale or failed, and the next refresh is asked for at once; that
// one takes the status once it answers. The old first refresh waited
// statusGrace for status and up to statusTimeout for Redis, then marked
// both failed.
func TestFirstRefreshWaitsForNeitherStatusNorRedis(t *testing.T) {
	d := reserveDeadAddresses(t)
	s, _ := startDeadStack(t, "staging", d)
	dropRedis := holdRedis(t, d.redisDir)
	release := make(chan struct{})
	serveOn(t, d.adminAddr, heldStatus(release, nil))
	ctx := context.Background()
	first, err := s.backend.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"admin api", "redis"} {
		if h := healthOf(t, first, name); h.LastError != "" || !h.StaleSince.IsZero() {
			t.Errorf("first refresh: %s is %q (stale since %v), want waiting: the first frame waited for it", name, h.LastError, h.StaleSince)
		}
	}
	if first.NextRefresh <= 0 || first.NextRefresh > readsFollowUp {
		t.Errorf("first refresh asks for the next in %v, want within %v: the reads it left out would wait a whole interval", first.NextRefresh, readsFollowUp)
	}
	close(release)
	close(dropRedis) // Redis now fails its read: the follow-up says so
	var next Snapshot
	for range 20 { // each waits at most statusGrace, so a slow machine only costs rounds
		if next, err = s.backend.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(next.Redis, "7 communities:\n  42 live") && healthOf(t, next, "redis").LastError != "" {
			break
		}
	}
	if !strings.Contains(next.Redis, "7 communities:\n  42 live") {
		t.Fatalf("no later refresh took the status answer: %q", next.Redis)
	}
	if h := healthOf(t, next, "redis"); h.LastError == "" {
		t.Fatalf("the dropped Redis is not reported by the refreshes after the first: %+v", h)
	}
	if next.NextRefresh == readsFollowUp {
		t.Errorf("a later refresh asks for the next in %v: only the first's left-out reads do", next.NextRefresh)
	}
}

// TestPrefetchedRefreshIsTheFirstRefresh: Prefetch (ui.Run calls it before
// Bubble Tea starts) polls once in the background and the first Refresh
// returns that poll without asking CloudWatch again; the second polls anew.
func TestPrefetchedRefreshIsTheFirstRefresh(t *testing.T) {
	s := startStack(t, "staging", false)
	l := s.backend.(*live)
	calls := func() int {
		n := 0
		for _, c := range s.cw.Calls() {
			n += c
		}
		return n
	}
	before := calls()
	l.Prefetch(context.Background())
	<-l.prefetch.Load().Done()
	prefetched := calls() - before
	if prefetched == 0 {
		t.Fatal("Prefetch asked CloudWatch nothing")
	}
	first, err := s.backend.Refresh(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := calls() - before; got != prefetched {
		t.Fatalf("the first Refresh after Prefetch made %d more CloudWatch calls, want 0: it polled again", got-prefetched)
	}
	if len(first.Alarms) == 0 {
		t.Fatal("the prefetched snapshot has no alarms")
	}
	if _, err := s.backend.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if calls()-before == prefetched {
		t.Fatal("the second Refresh did not poll")
	}
}

// TestBackgroundColourThatChangesNothingKeepsTheRenderedFrame: the
// terminal's answer to the background-colour query lands during start-up,
// often just before the first alarm list is flushed. When it says what the
// console assumed (dark), or colour is off (NO_COLOR: one set of styles for
// both), nothing is rebuilt: the old handler rebuilt every style and the
// Markdown renderer, forgot every rendered row and re-rendered the runbook
// (2-5 ms on the path to the first frame). A light background still
// rebuilds them.
func TestBackgroundColourThatChangesNothingKeepsTheRenderedFrame(t *testing.T) {
	s := startStack(t, "staging", false)
	dark, light := tea.BackgroundColorMsg{Color: color.Black}, tea.BackgroundColorMsg{Color: color.White}
	for _, c := range []struct {
		name      string
		noColor   bool
		msg       tea.BackgroundColorMsg
		rebuilds  bool
		darkAfter bool
	}{
		{"dark, colour on", false, dark, false, true},
		{"light, NO_COLOR", true, light, false, true},
		{"light, colour on", false, light, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: c.noColor, Now: func() time.Time { return t0 }})
			m = update(t, m, tea.WindowSizeMsg{Width: 160, Height: 40})
			m, _ = feed(t, m, sampleAlarms())
			_ = m.render()
			if !m.list.rows.listOK {
				t.Fatal("the list was not cached by its first render")
			}
			m = update(t, m, c.msg)
			if rebuilt := !m.list.rows.listOK; rebuilt != c.rebuilds {
				t.Fatalf("rows rebuilt: %v, want %v", rebuilt, c.rebuilds)
			}
			if m.dark != c.darkAfter {
				t.Fatalf("styles for a dark background: %v, want %v", m.dark, c.darkAfter)
			}
		})
	}
}

// TestFirstRefreshLeavesStatusAndRedisToTheFollowUp: the first refresh
// asks neither the admin API nor Redis (decisions.md 167), so their work
// does not compete with the first frame's; its follow-up, asked for at
// once, asks both.
func TestFirstRefreshLeavesStatusAndRedisToTheFollowUp(t *testing.T) {
	d := reserveDeadAddresses(t)
	s, _ := startDeadStack(t, "staging", d)
	redisAsked, _ := acceptAndHold(t, "unix", filepath.Join(d.redisDir, "redis.sock"))
	statusAsked := make(chan struct{}, 8)
	serveOn(t, d.adminAddr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		statusAsked <- struct{}{}
		http.Error(w, "held by the test", http.StatusServiceUnavailable)
	}))
	first, err := s.backend.Refresh(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(statusAsked) != 0 || len(redisAsked) != 0 {
		t.Fatalf("the first refresh asked the admin API %d and Redis %d times; want neither", len(statusAsked), len(redisAsked))
	}
	// A request the first refresh had begun could still be on its way to
	// the wire; one begun is a read in flight, which neither answers here.
	l := s.backend.(*live)
	if l.status.pending != nil || l.redisRead.pending != nil {
		t.Fatal("the first refresh began the status call or the Redis read")
	}
	if first.NextRefresh <= 0 || first.NextRefresh > readsFollowUp {
		t.Fatalf("the first refresh asks for the next in %v, want within %v", first.NextRefresh, readsFollowUp)
	}
	if _, err := s.backend.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	await(t, statusAsked, "the follow-up's status call")
	await(t, redisAsked, "the follow-up's Redis read")
}

// acceptAndHold listens on addr; every connection it accepts is reported
// on asked and held without an answer until release is closed, then closed
// (a backend that hangs: a fault a real one cannot be made to show on cue).
func acceptAndHold(t *testing.T, network, addr string) (asked chan struct{}, release chan struct{}) {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	asked, release = make(chan struct{}, 64), make(chan struct{})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case asked <- struct{}{}:
			default:
			}
			go func() { <-release; c.Close() }()
		}
	}()
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	return asked, release
}

// await waits for what (a bound on a hang, not a timing assertion).
func await[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not happen", what)
	}
}

// runToEnd runs cmd and every command its batches hold, each to its end,
// and returns their messages.
func runToEnd(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	msg := cmd()
	b, ok := msg.(tea.BatchMsg)
	if !ok {
		return []tea.Msg{msg}
	}
	var msgs []tea.Msg
	for _, c := range b {
		msgs = append(msgs, runToEnd(t, c)...)
	}
	return msgs
}

// TestAnsweredFirstRefreshIsInTheFirstFrame: when the prefetched first
// refresh answers while Init waits for it (decisions.md 176), the first
// Update applies it, so the first frame Bubble Tea draws after the
// terminal's size is the alarm list, and Init asks for no refresh of its
// own: CloudWatch is asked nothing more.
func TestAnsweredFirstRefreshIsInTheFirstFrame(t *testing.T) {
	s := startStack(t, "staging", false)
	calls := func() int {
		n := 0
		for _, c := range s.cw.Calls() {
			n += c
		}
		return n
	}
	prefetched := s.backend.(*live).Prefetch(context.Background())
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true})
	m.first = &firstHandoff{prefetched: prefetched, wait: time.Hour} // bounded by the prefetch, which answers
	initCmd := m.Init()
	asked := calls()
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	if !m.hasSnap || m.refreshing || len(m.snap.Alarms) == 0 {
		t.Fatalf("the first Update did not apply the answered refresh: hasSnap %v refreshing %v alarms %d", m.hasSnap, m.refreshing, len(m.snap.Alarms))
	}
	if screen := m.render(); !strings.Contains(screen, "error5xx-rate") || strings.Contains(screen, "waiting for the first refresh") {
		t.Fatalf("the first frame is not the alarm list:\n%s", screen)
	}
	for _, msg := range runToEnd(t, initCmd) {
		if _, ok := msg.(snapshotMsg); ok {
			t.Fatal("Init issued a refresh of its own beside the answered one")
		}
	}
	if got := calls(); got != asked {
		t.Fatalf("Init's commands asked CloudWatch %d more times, want 0", got-asked)
	}
}

// TestUnansweredFirstRefreshIsInitsCommand: a first refresh that has not
// answered when Init's wait ends (CloudWatch holds the connection) leaves
// the model without data, and Init's command delivers that same refresh's
// answer under the minted id once it comes: the console draws its layout
// and then the list, as before the handoff.
func TestUnansweredFirstRefreshIsInitsCommand(t *testing.T) {
	d := reserveDeadAddresses(t)
	s, _ := startDeadStack(t, "staging", d)
	cwAsked, release := acceptAndHold(t, "tcp", d.cwAddr)
	prefetched := s.backend.(*live).Prefetch(context.Background())
	<-cwAsked // the prefetch is on the wire, held: it cannot answer before release
	m := New(s.backend, Options{RefreshEvery: time.Hour, NoColor: true})
	m.first = &firstHandoff{prefetched: prefetched, wait: time.Millisecond}
	initCmd := m.Init()
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	if m.hasSnap || !m.refreshing {
		t.Fatalf("the model has data before the first refresh answered: hasSnap %v refreshing %v", m.hasSnap, m.refreshing)
	}
	close(release) // the held connection closes: the prefetch fails at once
	var answers []snapshotMsg
	for _, msg := range runToEnd(t, initCmd) {
		if a, ok := msg.(snapshotMsg); ok {
			answers = append(answers, a)
		}
	}
	if len(answers) != 1 || answers[0].id != m.refreshID {
		t.Fatalf("Init's commands gave %d answers (%+v); want one, with the minted id %d", len(answers), answers, m.refreshID)
	}
	if h := healthOf(t, answers[0].snap, "cloudwatch"); h.LastError == "" {
		t.Fatalf("the answer is not the held refresh's failure: %+v", h)
	}
}
