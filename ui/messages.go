package ui

import "time"

// Every slow result carries the request id of the command that produced it;
// the root model drops results whose id is not the one it is waiting for, so
// a slow, stale answer never overwrites a newer one.

// selectionChangedMsg says the alarm list moved to another alarm.
type selectionChangedMsg struct{ Name string }

// refreshTickMsg schedules the next poll; gen drops ticks of an older chain.
type refreshTickMsg struct{ gen int }

// snapshotMsg is the answer to one Refresh.
type snapshotMsg struct {
	id   int
	snap Snapshot
	err  error
}

// planMsg is the answer to one Plan.
type planMsg struct {
	id   int
	plan Plan
	err  error
}

// applyMsg is the answer to one Apply.
type applyMsg struct {
	id     int
	result Result
	err    error
}

// journalMsg is the answer to one Journal read.
type journalMsg struct {
	id      int
	entries []JournalEntry
	err     error
}

// exportMsg is the answer to one ExportTimeline.
type exportMsg struct {
	id   int
	path string
	err  error
}

// armMsg is the answer to one Arm.
type armMsg struct {
	id     int
	err    error
	disarm bool
}

// resizeSettledMsg ends a resize storm: only the newest size is laid out.
type resizeSettledMsg struct {
	gen           int
	width, height int
}

// statusMsg is a transient line in the status bar.
type statusMsg struct {
	text  string
	isErr bool
	until time.Time
}

// historyMsg carries the palette history read from the state dir.
type historyMsg struct {
	lines []string
	err   error
}
