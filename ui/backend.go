package ui

import (
	"context"
	"time"

	"gatewayops/alarms"
)

// Backend is everything slow the console asks for. Every method may do I/O
// and is only ever called inside a tea.Cmd, never in Update or View.
// The production implementation is built by NewBackend from the real
// poller, runbook library and action runner (see deps.go); the console
// knows nothing else about them.
type Backend interface {
	// Refresh polls every source once and returns the snapshot. A failing
	// source is reported in its Health entry; err is only for a refresh that
	// produced nothing at all.
	Refresh(ctx context.Context) (Snapshot, error)
	// Runbook finds the runbook for an alarm; ok is false when none matches.
	Runbook(a alarms.Alarm) (Runbook, bool)
	// Complete proposes completions of a partial command line.
	Complete(line string) []string
	// Check parses a command line against the action schemas; pure and in
	// memory, so the palette can call it in Update. The error is a *UsageError.
	Check(line string) error
	// Plan parses and dry-runs a command.
	Plan(ctx context.Context, line string) (Plan, error)
	// Apply runs a planned write (or read) and verifies it, with the
	// operator's confirmation (empty for reads).
	Apply(ctx context.Context, p Plan, c Confirmation) (Result, error)
	// Arm enables writes in a protected environment for d, with a reason.
	Arm(reason string, d time.Duration) error
	// Disarm ends an armed window early (journaled).
	Disarm() error
	// SaveSnippet writes copied shell text beside the exported timelines and
	// returns the path.
	SaveSnippet(name, text string) (string, error)
	// Safety reports the environment's profile and arming state now.
	Safety() Safety
	// Journal returns the most recent journal entries, oldest first.
	Journal(ctx context.Context, limit int) ([]JournalEntry, error)
	// ExportTimeline writes the journal as a Markdown incident timeline and
	// returns the path written.
	ExportTimeline(ctx context.Context) (string, error)
	// AlarmHistory is one alarm's state history over the last window, newest first.
	AlarmHistory(ctx context.Context, alarm string, window time.Duration) ([]alarms.HistoryItem, error)
	// History is the palette's earlier lines, oldest first, from the state dir.
	History() ([]string, error)
	// AddHistory appends one palette line to the state dir's history file.
	AddHistory(line string) error
	// Undos lists the writes applied since the console started that have an
	// inverse, newest first.
	Undos() []UndoItem
	// PlanUndo plans the undo of one of them; it fails, saying what changed,
	// when the state is no longer the one the write left.
	PlanUndo(ctx context.Context, id string) (Plan, error)
}

// UndoItem is one entry of the undo stack.
type UndoItem struct {
	ID      string
	Command string
	Inverse string
	At      time.Time
	Done    bool
}

// Health is the freshness of one backend (cloudwatch, admin api, redis).
type Health struct {
	Name        string
	LastSuccess time.Time
	LastError   string
	// StaleSince is when the backend first failed after its last success; zero when fresh.
	StaleSince time.Time
	Calls      int
}

// Panel is one dashboard metric panel, ready to draw.
type Panel struct {
	Title      string
	Unit       string
	Lines      []PanelLine
	Thresholds []alarms.Annotation
}

// PanelLine is one series of a panel (one feature, component, operation...).
type PanelLine struct {
	Label  string
	Series []alarms.Point
}

// Snapshot is what one refresh shows.
type Snapshot struct {
	TakenAt time.Time
	Region  string
	Alarms  []alarms.Alarm
	// Lint maps an alarm name to its monitoring-lint findings.
	Lint   map[string][]alarms.Finding
	Panels []Panel
	Health []Health
	// APICalls and CostUSD are the CloudWatch call count and GetMetricData
	// cost estimate since the console started.
	APICalls int
	CostUSD  float64
	// CostPerDay is the running GetMetricData rate for the header ("" while unknown).
	CostPerDay string
	// Redis is the text of redis.diagnose plus the reservations summary.
	Redis string
	// Flags and Enforcement come from the admin API status.
	Flags       map[string]bool
	Enforcement string
	// NextRefresh is when the source wants to be polled again: sooner while
	// anything is in ALARM, later when all is OK, backed off with jitter after
	// errors. Zero means Options.RefreshEvery.
	NextRefresh time.Duration
}

// Step is one runnable step of a runbook.
type Step struct {
	Command string
	Title   string
	Section string
	Line    int
}

// Runbook is a runbook as the console shows it.
type Runbook struct {
	ID     string
	Title  string
	Source string // Markdown
	Steps  []Step
}

// Plan is a dry run: what a command would change.
type Plan struct {
	Command string
	Action  string
	Write   bool
	Summary string // exactly what will change
	// Handle is the runner's own plan value, passed back to Apply untouched.
	Handle any
	// UndoOf is the id of the write this plan undoes ("" for a new step).
	UndoOf string
	// NoChange: the state is already what the write would make it, so
	// confirming sends nothing; it journals the check and verifies.
	NoChange bool
}

// Result is the outcome of Apply.
type Result struct {
	Output       string
	Verified     bool
	VerifyDetail string
	// Undo is the command that reverses the step; empty when there is none.
	Undo string
	// ReadOnly is set for reads: there is no post-condition to check.
	ReadOnly bool
	// UndoNote says why a write with an inverse is not on the undo stack.
	UndoNote string
}

// StartKey is the key that starts every action in the console (a step or a
// palette line); the confirming key must differ from it.
const StartKey = "enter"

// Confirmation is how the operator confirmed a write.
type Confirmation struct {
	Key   string // the confirming key ("y"), never StartKey
	Typed string // the environment name typed (protected environments)
}

// Safety is the environment's profile.
type Safety struct {
	Env        string
	Protected  bool
	ArmedUntil time.Time // zero when not armed
	ArmReason  string
}

// JournalEntry is one line of the journal/timeline view.
type JournalEntry struct {
	At      time.Time
	Action  string
	Outcome string // ok, failed, outcome unknown, started
	Detail  string
	// Full is every field of the entry, for its detail view.
	Full string
}
