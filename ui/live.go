package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gatewayops/alarms"
	"gatewayops/gateway"
	"gatewayops/internal/future"
	"gatewayops/ops"
	"gatewayops/runbooks"

	"gatewayops/internal/termsafe"
)

// Deps are the real dependencies the console runs on, the same in production
// and in the demo: the alarm poller, the runbook library and the action
// runner (whose Env carries the admin API and the optional Redis inspector).
type Deps struct {
	Poller   *alarms.Poller
	Runbooks *runbooks.Library
	// LoadingRunbooks stands for Runbooks while the library is still being
	// parsed: the console's start-up parses it beside its first poll and
	// the terminal's set-up (decisions.md 176), and the first runbook
	// lookup waits for it. A library that failed shows its error in the
	// runbook pane instead of a runbook.
	LoadingRunbooks *future.Future[*runbooks.Library]
	Runner          *ops.Runner
	// Region is shown in the header.
	Region string
	// ExportDir is where timelines are written (default: beside the journal).
	ExportDir string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// statusTimeout bounds the admin status and Redis reads of one refresh.
const statusTimeout = 5 * time.Second

// live is the Backend over Deps. Refresh is serialised: the poller must not
// run concurrently with itself.
type live struct {
	d     Deps
	mu    sync.Mutex
	admin healthTracker
	redis healthTracker
	last  Snapshot
	undo  ops.UndoStack
	// status and redisRead are the admin status call and the Redis
	// diagnosis, in the background (statusfetch.go).
	status    statusFetch
	redisRead backgroundRead[gateway.Diagnosis]
	refreshed bool // a refresh has run: the first asks for neither read
	// diagnosis, reservations and slowlog are the last Redis diagnosis,
	// status reservation totals and slowlog shown, kept while a read is out
	// or failing; the snapshot's Redis text is the three (redisText).
	diagnosis, reservations, slowlog string
	// prefetch is the first refresh, started by Prefetch before the
	// console's first frame; the first Refresh takes it.
	prefetch atomic.Pointer[future.Future[Snapshot]]
}

// Prefetch starts the first refresh now, while the terminal and Bubble Tea
// start up (a few ms on 2 cores), so the first frame with alarms waits for
// whichever is slower instead of both in a row. The next Refresh returns it.
func (l *live) Prefetch(ctx context.Context) <-chan struct{} {
	f := future.Start(func() (Snapshot, error) {
		ctx, cancel := context.WithTimeout(ctx, prefetchTimeout)
		defer cancel()
		return l.refresh(ctx)
	})
	l.prefetch.Store(f)
	return f.Done()
}

// prefetchTimeout bounds the prefetched refresh as ui's refreshTimeout
// bounds every other.
const prefetchTimeout = refreshTimeout

// NewBackend builds the console's backend from the real dependencies.
func NewBackend(d Deps) (Backend, error) {
	switch {
	case d.Poller == nil:
		return nil, errors.New("ui: Deps.Poller is required")
	case d.Runbooks == nil && d.LoadingRunbooks == nil:
		return nil, errors.New("ui: Deps.Runbooks or Deps.LoadingRunbooks is required")
	case d.Runner == nil || d.Runner.Env == nil || d.Runner.Policy == nil || d.Runner.Registry == nil || d.Runner.Journal == nil:
		return nil, errors.New("ui: Deps.Runner with Registry, Env, Policy and Journal is required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &live{d: d, admin: healthTracker{name: "admin api"}, redis: healthTracker{name: "redis"}}, nil
}

// healthTracker keeps one backend's freshness: last success, and since when
// it has been failing.
type healthTracker struct {
	name        string
	lastSuccess time.Time
	staleSince  time.Time
	lastErr     string
	calls       int
}

func (h *healthTracker) record(err error, now time.Time) {
	h.calls++
	if err == nil {
		h.lastSuccess, h.staleSince, h.lastErr = now, time.Time{}, ""
		return
	}
	if h.staleSince.IsZero() {
		h.staleSince = now
	}
	h.lastErr = err.Error()
}

func (h *healthTracker) health() Health {
	return Health{Name: h.name, LastSuccess: h.lastSuccess, StaleSince: h.staleSince, LastError: h.lastErr, Calls: h.calls}
}

func (l *live) Refresh(ctx context.Context) (Snapshot, error) {
	if p := l.prefetch.Swap(nil); p != nil {
		select {
		case <-p.Done():
			return p.Wait()
		case <-ctx.Done():
			return Snapshot{}, ctx.Err()
		}
	}
	return l.refresh(ctx)
}

// refresh reads the alarms with the admin status and the Redis diagnosis
// running beside them. Those two are waited for at most statusGrace after
// the alarms; the first refresh, the console's first frame, asks for
// neither (firstReads): they are "waiting" until its follow-up a moment
// later.
func (l *live) refresh(ctx context.Context) (Snapshot, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	first := !l.refreshed
	l.refreshed = true
	admin, adminErr := l.d.Runner.Env.Admin()
	if !first { // beside the alarms: each refresh waits statusGrace for them
		if adminErr == nil {
			l.status.begin(ctx, admin.Status)
		}
		if in := l.d.Runner.Env.Inspector; in != nil {
			l.redisRead.begin(ctx, in.Diagnose)
		}
	}
	polled := l.d.Poller.Refresh(ctx)
	snap := fromAlarmSnapshot(polled)
	snap.NextRefresh = l.d.Poller.NextDelay(polled)
	snap.Region = l.d.Region
	explainExpired(&snap, l.d.Runner.Env.Config.Profile)
	if first {
		l.firstReads(&snap, adminErr)
		// The follow-up asks for what the first left out, at once, not a
		// whole interval later.
		snap.NextRefresh = sooner(snap.NextRefresh, readsFollowUp)
	} else {
		l.refreshStatus(ctx, &snap, admin, adminErr)
		l.refreshRedis(ctx, &snap)
	}
	snap.Redis = redisText(l.diagnosis, l.reservations, l.slowlog)
	l.last = snap
	return snap, nil
}

// firstReads is the first refresh's admin API and Redis entries. It asks
// neither (its follow-up, readsFollowUp later, does): begun beside or
// even after the alarms read, their work (our client's, the admin
// server's, Redis's) took the two cores from the alarms read and the first
// frame, whose snapshot reached the model 6 ms after it was ready in one
// trace (decisions.md 167). Both say waiting, except an admin API that
// cannot be asked at all (no key), which says why at once.
func (l *live) firstReads(snap *Snapshot, adminErr error) {
	if adminErr != nil {
		l.admin.record(adminErr, l.d.Now())
	}
	snap.Health = append(snap.Health, l.admin.health())
	if l.d.Runner.Env.Inspector != nil {
		snap.Health = append(snap.Health, l.redis.health())
	}
}

// sooner is the earlier of two refresh delays, where 0 means the console's
// own interval (Snapshot.NextRefresh), the latest of all.
func sooner(next, d time.Duration) time.Duration {
	if next > 0 && next < d {
		return next
	}
	return d
}

// readsFollowUp is how soon the refresh after one that left the status or
// Redis read out comes (a FastStart refresh's own follow-up is as soon).
const readsFollowUp = 10 * time.Millisecond

// refreshStatus reads flags, enforcement and reservation totals; on failure
// the last good values stay, marked stale by the admin api health entry.
// Not answered within statusGrace: the last values stay, marked stale.
func (l *live) refreshStatus(ctx context.Context, snap *Snapshot, client *gateway.Client, err error) {
	snap.Flags, snap.Enforcement = l.last.Flags, l.last.Enforcement
	answered := true
	if err == nil {
		var r readResult[gateway.Status]
		if r, answered = l.status.get(ctx, client.Status, statusGrace); answered {
			err = r.err
			if err == nil {
				snap.Flags, snap.Enforcement = r.v.Flags.Values, r.v.Enforcement.Mode
				l.reservations = reservationsText(r.v.Reservations)
			}
		}
	}
	if !answered { // the call is still out: the alarms go on screen with the last status, marked stale
		err = fmt.Errorf("status has not answered within %v; showing the last values", statusGrace)
	}
	l.admin.record(err, l.d.Now())
	snap.Health = append(snap.Health, l.admin.health())
}

// refreshRedis takes the read-only diagnosis when an inspector is
// configured, waiting for it at most statusGrace (as refreshStatus).
func (l *live) refreshRedis(ctx context.Context, snap *Snapshot) {
	in := l.d.Runner.Env.Inspector
	if in == nil {
		return
	}
	r, answered := l.redisRead.get(ctx, in.Diagnose, statusGrace)
	switch {
	case !answered:
		l.redis.record(fmt.Errorf("redis has not answered within %v; showing the last values", statusGrace), l.d.Now())
	case answered:
		err := r.err
		if err == nil && r.v.Ping.Error != "" {
			err = errors.New(r.v.Ping.Error)
		}
		l.redis.record(err, l.d.Now())
		l.diagnosis, l.slowlog = diagnosisText(r.v), slowlogText(r.v)
		if err != nil {
			l.diagnosis, l.slowlog = "redis.diagnose failed: "+err.Error(), ""
		}
	}
	snap.Health = append(snap.Health, l.redis.health())
}

func (l *live) Runbook(a alarms.Alarm) (Runbook, bool) {
	lib := l.d.Runbooks
	if lib == nil {
		var err error
		if lib, err = l.d.LoadingRunbooks.Wait(); err != nil {
			return libraryFailed(err), true
		}
	}
	rb, ok := lib.Lookup(a.Name, a.Namespace, a.MetricName)
	if !ok {
		return Runbook{}, false
	}
	return fromRunbook(rb), true
}

// libraryFailed is the runbook pane of every alarm when the runbook
// library did not load: the error, where the runbook would be.
func libraryFailed(err error) Runbook {
	return Runbook{ID: "runbook-library", Title: "The runbook library did not load",
		Source: "# The runbook library did not load\n\n" + err.Error() + "\n"}
}

func (l *live) Complete(line string) []string { return l.d.Runner.Registry.Complete(line) }

// Check parses a line against the action schemas (in memory, no I/O).
func (l *live) Check(line string) error {
	if _, err := l.d.Runner.Registry.Parse(line); err != nil {
		return &UsageError{Err: err}
	}
	return nil
}

func (l *live) Plan(ctx context.Context, line string) (Plan, error) {
	inv, err := l.d.Runner.Registry.Parse(line)
	if err != nil {
		return Plan{}, &UsageError{Err: err}
	}
	p, err := l.d.Runner.Prepare(ctx, inv)
	if err != nil {
		return Plan{}, err
	}
	// The policy's pre-check (journals a refusal), asked before any confirmation.
	return planOf(p), l.d.Runner.Precheck(p)
}

func planOf(p ops.Prepared) Plan {
	summary := p.Plan.Text()
	if p.Plan.NoChange {
		summary = "nothing to change: " + summary
	}
	return Plan{Command: p.Inv.String(), Action: p.Spec.Name, Write: p.Spec.Kind == ops.Write, Summary: summary, Handle: p, UndoOf: p.UndoOf,
		NoChange: p.Plan.NoChange}
}

func (l *live) Apply(ctx context.Context, p Plan, c Confirmation) (Result, error) {
	prep, ok := p.Handle.(ops.Prepared)
	if !ok {
		return Result{}, fmt.Errorf("plan for %q was not made by this backend", p.Command)
	}
	out, err := l.d.Runner.Execute(ctx, prep, ops.Confirmation{StartKey: StartKey, ConfirmKey: c.Key, Typed: c.Typed})
	r := Result{Output: out.Result.Text(), Undo: out.Inverse, ReadOnly: out.Verification == nil}
	if err == nil && prep.UndoOf != "" && out.OK() {
		l.undo.MarkDone(prep.UndoOf)
	}
	if err == nil || out.InProgress { // a detached rollout was written: undoable
		if uerr := l.undo.Record(ctx, l.d.Runner, out, l.d.Now()); uerr != nil {
			r.Undo, r.UndoNote = "", uerr.Error()
		}
	}
	switch {
	case out.Verification != nil:
		r.Verified, r.VerifyDetail = out.Verification.Pass, out.Verification.Detail
	case out.Result.Failed:
		r.VerifyDetail = "the check failed"
	default:
		r.Verified, r.VerifyDetail = true, "read-only action, nothing to verify"
	}
	return r, err
}

func (l *live) Arm(reason string, d time.Duration) error { return l.d.Runner.Arm(reason, d) }

func (l *live) Disarm() error { return l.d.Runner.Disarm() }

func (l *live) Safety() Safety {
	p := l.d.Runner.Policy
	_, until, reason := p.Armed()
	return Safety{Env: p.Environment(), Protected: p.Profile() == ops.Protected, ArmedUntil: until, ArmReason: reason}
}

func (l *live) Journal(_ context.Context, limit int) ([]JournalEntry, error) {
	entries, err := ops.ReadJournal(l.d.Runner.Journal.Path())
	if err != nil {
		return nil, err
	}
	out := journalRows(entries)
	if len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}

// journalRows pairs intents with results: one row per action attempt; an
// intent with no result is "outcome unknown".
func journalRows(entries []ops.Entry) []JournalEntry {
	done := map[string]bool{}
	for _, e := range entries {
		if e.Phase == ops.PhaseResult {
			done[e.ID] = true
		}
	}
	var out []JournalEntry
	for _, e := range entries {
		cmd := strings.TrimSpace(e.Action + " " + paramText(e.Params))
		switch {
		case e.Phase == ops.PhaseIntent && !done[e.ID]:
			out = append(out, JournalEntry{At: e.Time, Action: cmd, Outcome: "outcome unknown", Detail: "started, no result recorded: " + e.Plan, Full: entryText(e, "outcome unknown")})
		case e.Phase == ops.PhaseResult:
			out = append(out, JournalEntry{At: e.Time, Action: cmd, Outcome: resultOutcome(e), Detail: resultDetail(e), Full: entryText(e, resultOutcome(e))})
		case e.Phase == ops.PhaseDrill: // a drill's milestone or report (drill.go): enter shows it whole
			out = append(out, JournalEntry{At: e.Time, Action: e.Action, Outcome: "drill", Detail: strings.SplitN(e.Result, "\n", 2)[0], Full: entryText(e, "drill")})
		}
	}
	return out
}

func resultOutcome(e ops.Entry) string {
	if e.Verification != nil && e.Outcome == "ok" {
		if e.Verification.Pass {
			return "verified"
		}
		return "not verified"
	}
	return e.Outcome
}

func resultDetail(e ops.Entry) string {
	if e.Error != "" {
		return e.Error
	}
	if e.Verification != nil {
		return e.Verification.Detail
	}
	return strings.ReplaceAll(e.Result, "\n", "; ")
}

func paramText(p map[string]string) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sortStrings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + p[k]
	}
	return strings.Join(parts, " ")
}

// timelineWindow is how far back an exported incident timeline reaches.
const timelineWindow = 12 * time.Hour

// ExportTimeline writes the last timelineWindow of this environment's journal,
// merged with the state history of every alarm it touched, as the Markdown
// incident timeline ops.Timeline renders, beside the journal (or in
// Deps.ExportDir), and returns the file's path. Alarm history that cannot be
// read is noted in the document; the journal part is still written.
func (l *live) ExportTimeline(ctx context.Context) (string, error) {
	all, err := ops.ReadJournal(l.d.Runner.Journal.Path())
	if err != nil {
		return "", err
	}
	now := l.d.Now()
	since := now.Add(-timelineWindow)
	envName := l.d.Runner.Policy.Environment()
	entries := ops.FilterEntries(all, since, envName)
	history, notes := l.alarmHistory(ctx, entries, since)
	dir := l.d.ExportDir
	if dir == "" {
		dir = filepath.Dir(l.d.Runner.Journal.Path())
	}
	path := filepath.Join(dir, "timeline-"+envName+"-"+now.UTC().Format("20060102T150405Z")+".md")
	// The document quotes the journal and CloudWatch: control characters escaped (termsafe).
	if err := os.WriteFile(path, []byte(termsafe.Text(ops.Timeline(entries, history, since, now, notes))), 0o600); err != nil {
		return "", fmt.Errorf("export timeline: %w", err)
	}
	return path, nil
}

func (l *live) alarmHistory(ctx context.Context, entries []ops.Entry, since time.Time) (map[string][]alarms.HistoryItem, []string) {
	src := l.d.Runner.Env.Alarms
	if src == nil {
		return nil, []string{"alarm history unavailable: CloudWatch is not configured"}
	}
	names, err := ops.TouchedAlarms(ctx, src, entries, since)
	var notes []string
	if err != nil {
		notes = append(notes, "alarm list unavailable: "+err.Error())
	}
	history := map[string][]alarms.HistoryItem{}
	for _, n := range names {
		items, err := src.History(ctx, n, since)
		if err != nil {
			notes = append(notes, "alarm history of "+n+" unavailable: "+err.Error())
			continue
		}
		history[n] = items
	}
	return history, notes
}

func (l *live) Undos() []UndoItem {
	var out []UndoItem
	for _, e := range l.undo.List() {
		out = append(out, UndoItem{ID: e.ID, Command: e.Command, Inverse: e.Inverse, At: e.At, Done: e.Done})
	}
	return out
}

func (l *live) PlanUndo(ctx context.Context, id string) (Plan, error) {
	p, err := l.undo.Plan(ctx, l.d.Runner, id)
	if err != nil {
		return Plan{}, err
	}
	plan := planOf(p)
	// The confirmation says what is undone, not only the command it runs.
	if e, ok := l.undo.Find(id); ok {
		plan.Summary = fmt.Sprintf("undoes %s (run %s)\n%s", e.Command, e.At.UTC().Format("15:04:05Z"), plan.Summary)
	}
	return plan, l.d.Runner.Precheck(p)
}

// historyFile is the palette history, beside the journal in the state dir.
func (l *live) historyFile() string {
	return filepath.Join(filepath.Dir(l.d.Runner.Journal.Path()), "palette-history")
}

func (l *live) History() ([]string, error) {
	b, err := os.ReadFile(l.historyFile())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	if len(out) > maxHistory {
		out = out[len(out)-maxHistory:]
	}
	return out, nil
}

func (l *live) AddHistory(line string) error {
	if strings.ContainsAny(line, "\n\r") {
		return errors.New("a palette line holds no newline")
	}
	f, err := os.OpenFile(l.historyFile(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (l *live) AlarmHistory(ctx context.Context, alarm string, window time.Duration) ([]alarms.HistoryItem, error) {
	src := l.d.Runner.Env.Alarms
	if src == nil {
		return nil, errors.New("CloudWatch is not configured")
	}
	items, err := src.History(ctx, alarm, l.d.Now().Add(-window))
	if items == nil && err == nil {
		items = []alarms.HistoryItem{}
	}
	return items, err
}

// entryText is one journal entry in full, for the journal's detail view:
// every field an operator asks about afterwards, times in UTC.
func entryText(e ops.Entry, outcome string) string {
	kv := func(k, v string) string { return fmt.Sprintf("%-16s %s", k, v) }
	lines := []string{
		kv("time", e.Time.UTC().Format("2006-01-02 15:04:05Z")),
		kv("action", strings.TrimSpace(e.Action+" "+paramText(e.Params))),
		kv("outcome", outcome),
		kv("environment", e.Environment),
		kv("operator", e.Operator),
		kv("journal id", e.ID),
	}
	opt := func(k, v string) {
		if v != "" {
			lines = append(lines, kv(k, v))
		}
	}
	opt("drill", e.Drill) // written during this drill: a rehearsal, not an incident
	opt("idempotency key", e.IdempotencyKey)
	opt("request id", e.RequestID) // the admin API's X-Request-Id: find the call in its log and audit
	if e.Status != 0 {
		opt("HTTP status", fmt.Sprint(e.Status))
	}
	opt("armed reason", e.ArmedReason)
	opt("undo of", e.UndoOf)
	if e.DurationMs > 0 {
		opt("duration", fmt.Sprintf("%.0f ms", e.DurationMs))
	}
	if e.Verification != nil {
		verdict := "PASS"
		if !e.Verification.Pass {
			verdict = "FAIL"
		}
		opt("verification", verdict+": "+e.Verification.Detail)
	}
	opt("error", e.Error)
	if e.Plan != "" {
		lines = append(lines, "", "plan:", e.Plan)
	}
	if e.Result != "" {
		lines = append(lines, "", "result:", e.Result)
	}
	return strings.Join(lines, "\n")
}

// SetOnScreen passes what the console shows to the poller (screen.go); it
// takes the poller's own lock and does no I/O, so Update may call it.
func (l *live) SetOnScreen(alarmNames []string, panels bool) {
	l.d.Poller.SetOnScreen(alarmNames, panels)
}
