package ops

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A write through the real admin server journals the X-Request-Id the
// server answered with: the same id its audit record carries, so the
// journal entry leads to the server's log and audit.
func TestWriteJournalsTheAdminAPIRequestID(t *testing.T) {
	s := newStack(t, "staging", Standard)
	out := s.run("flags.set ensemble_enabled=true", standardYes)
	if !out.OK() {
		t.Fatalf("flags.set: %+v", out)
	}
	admin, err := s.env.Admin()
	if err != nil {
		t.Fatal(err)
	}
	audit, err := admin.Audit(context.Background(), 10, "")
	if err != nil || len(audit.Records) == 0 {
		t.Fatalf("audit: %+v %v", audit, err)
	}
	var want string
	for _, r := range audit.Records {
		if r.IdempotencyKey == out.Plan.IdempotencyKey {
			want = r.RequestID
		}
	}
	if want == "" {
		t.Fatalf("no audit record of the write's idempotency key %s: %+v", out.Plan.IdempotencyKey, audit.Records)
	}
	entries, err := ReadJournal(s.journal.Path())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.ID == out.ID && e.Phase == PhaseResult {
			got = append(got, e.RequestID)
		}
	}
	if len(got) != 1 || got[0] != want || out.Result.RequestID != want {
		t.Fatalf("journaled request ids %q, outcome %q; the server's audit says %q", got, out.Result.RequestID, want)
	}
	md := Timeline(entries, nil, time.Now().Add(-time.Hour), time.Now(), nil)
	if !strings.Contains(md, "admin API request "+want) {
		t.Errorf("the exported timeline lacks the request id:\n%s", md)
	}
}

// A journal written before requestId existed still reads, and its entries
// simply have none.
func TestJournalWithoutRequestIDStillReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	old := map[string]any{"time": "2026-11-30T08:00:00Z", "id": "old1", "phase": PhaseResult, "environment": "staging",
		"action": "flags.set", "kind": "write", "idempotencyKey": "k1", "status": 200, "outcome": "ok"}
	line, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(line, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	entries, err := ReadJournal(path)
	if err != nil || len(entries) != 1 || entries[0].ID != "old1" || entries[0].RequestID != "" || entries[0].Status != 200 {
		t.Fatalf("old journal: %+v %v", entries, err)
	}
}
