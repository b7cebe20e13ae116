package ops

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"gatewayops/gateway"
)

// The admin API is down: planning fails with the connection error, nothing
// is journaled as an intent, and no secret appears in the error.
func TestAdminAPIConnectionRefused(t *testing.T) {
	s := newStack(t, "staging", Standard)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	s.env.AdminURL = dead
	for _, line := range []string{"gateway.status", "breaker.reset component=kms"} {
		_, err := s.runner.Run(context.Background(), line, standardYes)
		if err == nil || !strings.Contains(err.Error(), "connect") || strings.Contains(err.Error(), testAdminKey) {
			t.Errorf("%s: %v", line, err)
		}
	}
	entries, _ := ReadJournal(s.journal.Path())
	for _, e := range entries {
		if e.Phase == PhaseIntent && e.Kind == string(Write) {
			t.Errorf("a write that could not even be planned left an intent: %+v", e)
		}
	}
}

// Redis dies between plan and apply: the apply fails with the server's 503,
// the journal records the failure and its status, and after a restart the
// same plan (same idempotency key) applies.
func TestRedisDiesBetweenPlanAndApply(t *testing.T) {
	s := newStack(t, "staging", Standard)
	ctx := context.Background()
	inv, _ := s.runner.Registry.Parse("flags.set agent_enabled=true")
	p, err := s.runner.Prepare(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	s.redis.Kill()
	out, err := s.runner.Execute(ctx, p, standardYes)
	var apiErr *gateway.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 503 || apiErr.Code != gateway.CodeRedisUnavailable || out.OK() {
		t.Fatalf("apply with Redis down: %v %+v", err, out)
	}
	entries, _ := ReadJournal(s.journal.Path())
	last := entries[len(entries)-1]
	if last.Outcome != "failed" || last.Status != 503 || last.IdempotencyKey != p.Plan.IdempotencyKey {
		t.Errorf("journal: %+v", last)
	}
	if err := s.redis.Restart(); err != nil {
		t.Fatal(err)
	}
	out, err = s.runner.Execute(ctx, p, standardYes)
	if err != nil || !out.OK() {
		t.Fatalf("after restart: %v %+v", err, out)
	}
}
