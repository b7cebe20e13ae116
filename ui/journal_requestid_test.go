package ui

import (
	"context"
	"fmt"
	"testing"
)

// The journal's detail view of a write names the admin API request it made
// (the X-Request-Id the real admin server answered, as in its audit).
func TestJournalEntryDetailShowsTheAdminRequestID(t *testing.T) {
	s := startStack(t, "staging", false)
	f := startFlow(t, s)
	f.waitFor("STAGING - standard", "admin api")
	f.paletteRun("flags.set ensemble_enabled=true")
	admin, err := s.runner.Env.Admin()
	if err != nil {
		t.Fatal(err)
	}
	audit, err := admin.Audit(context.Background(), 10, "")
	if err != nil {
		t.Fatal(err)
	}
	var id string
	for _, r := range audit.Records {
		if r.Action == "flags.set" {
			id = r.RequestID
		}
	}
	if id == "" {
		t.Fatalf("the admin server audited no flags.set: %+v", audit.Records)
	}
	f.keys("5")
	f.waitFor("Journal, newest last", "▶ ")
	f.keys("enter")
	f.waitFor("Journal entry: flags.set ensemble_enabled=true", fmt.Sprintf("%-16s %s", "request id", id))
	f.keys("esc")
	f.waitFor("Journal, newest last")
	f.quit()
}
