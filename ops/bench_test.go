package ops

import (
	"path/filepath"
	"testing"
	"time"
)

func BenchmarkParseCommand(b *testing.B) {
	line := `alarm.mute alarm=arrakis-production-agent-circuit-breaker-open for=30m reason="INC-2041: \"kms\" outage"`
	for b.Loop() {
		if _, err := ParseCommand(line); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRegistryParse(b *testing.B) {
	r := DefaultRegistry()
	for b.Loop() {
		if _, err := r.Parse("reservations.drain older=10m mode=reconcile community=c1 batch=200"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJournalAppend measures one redacted, fsynced line: the cost every
// action pays twice.
func BenchmarkJournalAppend(b *testing.B) {
	j, err := OpenJournal(filepath.Join(b.TempDir(), "journal.jsonl"), NewRedactor("gwk-secret-0123456789"))
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	e := Entry{Time: time.Now(), ID: "x", Phase: PhaseIntent, Operator: "alice", Environment: "production",
		Action: "reservations.drain", Params: map[string]string{"older": "5m", "mode": "reap"},
		Plan: "drain 1,243 expired reservations of 12 communities, reclaim 8,410 cents ($84.10); remove 37 orphans"}
	for b.Loop() {
		if err := j.Append(e); err != nil {
			b.Fatal(err)
		}
	}
}
