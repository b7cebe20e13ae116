package ops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gatewayops/alarms/cwlocal"
	"gatewayops/gateway"
)

func TestBreakerResetPlansAppliesVerifiesAndJournals(t *testing.T) {
	s := newStack(t, "staging", Standard)
	s.openBreaker("kms")
	ctx := context.Background()
	inv, err := s.runner.Registry.Parse("breaker.reset component=kms")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.runner.Prepare(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	plan := p.Plan.Text()
	if !strings.HasPrefix(plan, "reset breaker kms: open since ") || !strings.HasSuffix(plan, "(3 failures) -> closed") {
		t.Errorf("plan = %q", plan)
	}
	// One time rule (issue 9 item 8): every time of day is UTC, marked Z.
	if !regexp.MustCompile(`open since \d\d:\d\d:\d\dZ `).MatchString(plan) {
		t.Errorf("plan %q does not mark its time as UTC (HH:MM:SSZ)", plan)
	}
	if p.Plan.IdempotencyKey == "" {
		t.Fatal("a write plan has no idempotency key")
	}
	out, err := s.runner.Execute(ctx, p, standardYes)
	if err != nil || !out.OK() {
		t.Fatalf("execute: %+v %v", out, err)
	}
	if out.Verification == nil || !out.Verification.Pass || !strings.Contains(out.Verification.Detail, "kms: closed") {
		t.Errorf("verification = %+v", out.Verification)
	}
	b, _ := s.store.Breaker(ctx, "kms")
	if b.State != gateway.BreakerClosed {
		t.Errorf("breaker in Redis is %s", b.State)
	}
	entries, err := ReadJournal(s.journal.Path())
	if err != nil || len(entries) != 2 {
		t.Fatalf("journal: %+v %v", entries, err)
	}
	intent, result := entries[0], entries[1]
	if intent.Phase != PhaseIntent || result.Phase != PhaseResult || intent.ID != result.ID ||
		intent.IdempotencyKey != p.Plan.IdempotencyKey || result.IdempotencyKey != p.Plan.IdempotencyKey ||
		result.Outcome != "ok" || result.Status != 200 || result.Verification == nil || !result.Verification.Pass ||
		intent.Plan != plan || intent.Operator != "oncall-test" || intent.Environment != "staging" {
		t.Errorf("journal entries:\n%+v\n%+v", intent, result)
	}
	// Running it again: the plan sees nothing to do and nothing is sent.
	resets := s.requests.count("POST /admin/gateway/v1/breakers/kms/reset")
	again := s.run("breaker.reset component=kms", standardYes)
	if !again.Skipped || !strings.Contains(again.Plan.Text(), "already closed") || !again.OK() {
		t.Errorf("second reset: %+v", again)
	}
	if s.requests.count("POST /admin/gateway/v1/breakers/kms/reset") != resets {
		t.Error("a no-change plan still sent a reset")
	}
	if _, err := s.runner.Run(ctx, "breaker.reset component=loa-finn", standardYes); err == nil || !strings.Contains(err.Error(), "cannot be reset through the admin API") {
		t.Errorf("loa-finn reset: %v", err)
	}
}

// A retried apply with the plan's idempotency key changes nothing.
func TestSecondApplyWithTheSameKeyChangesNothing(t *testing.T) {
	s := newStack(t, "staging", Standard)
	ctx := context.Background()
	inv, _ := s.runner.Registry.Parse("flags.set ensemble_enabled=true")
	p, err := s.runner.Prepare(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.runner.Registry.Action("flags.set")
	if _, err := a.Apply(ctx, s.env, inv, p.Plan); err != nil {
		t.Fatal(err)
	}
	// Someone turns it back off; a retried apply of the old intent must not undo that.
	if _, err := s.store.SetFlag(ctx, "ensemble_enabled", false); err != nil {
		t.Fatal(err)
	}
	res, err := a.Apply(ctx, s.env, inv, p.Plan)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := s.store.Flags(ctx)
	if f.Values["ensemble_enabled"] {
		t.Errorf("the retried apply changed the flag again: %+v", res)
	}
	if got := s.requests.count("PUT /admin/gateway/v1/flags/ensemble_enabled"); got != 2 {
		t.Errorf("PUT count = %d, want 2 (both applies reached the server)", got)
	}
}

func TestFlagsSetAndItsInverse(t *testing.T) {
	s := newStack(t, "staging", Standard)
	out := s.run("flags.set ensemble_enabled=true", standardYes)
	if out.Plan.Text() != "set ensemble_enabled false -> true" || !out.OK() || out.Inverse != "flags.set ensemble_enabled=false" {
		t.Fatalf("flags.set: plan %q inverse %q ok %t", out.Plan.Text(), out.Inverse, out.OK())
	}
	f, _ := s.store.Flags(context.Background())
	if !f.Values["ensemble_enabled"] {
		t.Fatal("flag not set in Redis")
	}
	undo := s.run(out.Inverse, standardYes)
	if undo.Plan.Text() != "set ensemble_enabled true -> false" || !undo.OK() || !strings.Contains(undo.Verification.Detail, "reads false") {
		t.Errorf("undo: %+v", undo)
	}
}

func TestPoolClaimsEnforceAndItsInverse(t *testing.T) {
	s := newStack(t, "staging", Standard)
	out := s.run("poolclaims.enforce mode=warn", standardYes)
	if out.Plan.Text() != "pool-claim enforcement reject -> warn" || !out.OK() || out.Inverse != "poolclaims.enforce mode=reject" {
		t.Fatalf("enforce: plan %q inverse %q verification %+v", out.Plan.Text(), out.Inverse, out.Verification)
	}
	e, _ := s.store.Enforcement(context.Background())
	if e.Mode != gateway.EnforcementWarn {
		t.Fatalf("mode in Redis = %s", e.Mode)
	}
	undo := s.run(out.Inverse, standardYes)
	if !undo.OK() || !strings.Contains(undo.Verification.Detail, "reads reject") {
		t.Errorf("undo: %+v", undo.Verification)
	}
}

func TestDrainPlansFromADryRunAndVerifiesNothingIsLeft(t *testing.T) {
	s := newStack(t, "staging", Standard)
	s.leakReservations([]string{"c1", "c2", "c3"}, 4, 250)
	ctx := context.Background()
	inv, _ := s.runner.Registry.Parse("reservations.drain older=5m mode=reap")
	p, err := s.runner.Prepare(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	want := "drain 12 expired reservations of 3 communities, reclaim 3,000 cents ($30.00); remove 0 orphans"
	if p.Plan.Text() != want {
		t.Errorf("plan = %q\nwant   %q", p.Plan.Text(), want)
	}
	sum, _ := s.store.ReservationSummary(ctx, "", 100)
	if sum.Totals.Expired != 12 {
		t.Fatalf("the dry run changed Redis: %+v", sum.Totals)
	}
	out, err := s.runner.Execute(ctx, p, standardYes)
	if err != nil || !out.OK() {
		t.Fatalf("drain: %+v %v", out, err)
	}
	if !strings.HasPrefix(out.Result.Text(), "drained 12 expired reservations of 3 communities, reclaimed 3,000 cents ($30.00)") {
		t.Errorf("result = %q", out.Result.Text())
	}
	if !strings.Contains(out.Verification.Detail, "finds 0 expired and 0 orphans left") {
		t.Errorf("verification = %+v", out.Verification)
	}
	sum, _ = s.store.ReservationSummary(ctx, "", 100)
	if sum.Totals.Expired != 0 || sum.Totals.ReservedCents != 0 {
		t.Errorf("after drain: %+v", sum.Totals)
	}
	// No inverse: reclaimed reservations cannot be restored.
	if out.Inverse != "" {
		t.Errorf("drain offers an inverse %q", out.Inverse)
	}
}

// Under traffic, reservations go past olderThan every second; the verify's
// dry run judges staleness at the instant the drain did, so those that aged
// past it after the drain are not reported as left behind. On the admin
// server's clock, 10 s pass between the drain and its verify: 3 members
// expire 5 s after the drain's instant (at 667 a second on a busy staging,
// the verify of a real drain failed with "finds 666 expired ... left").
func TestDrainVerifiesAtTheDrainsInstantNotAfterTrafficAgedMore(t *testing.T) {
	var offset atomic.Int64
	start := time.Now()
	now := func() time.Time { return start.Add(time.Duration(offset.Load())) }
	// The drain's response is written: the clock moves on before the verify.
	afterApply := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			h.ServeHTTP(w, r)
			if strings.HasSuffix(r.URL.Path, "/reservations/drain") && bytes.Contains(body, []byte(`"dryRun":false`)) {
				offset.Add(int64(10 * time.Second))
			}
		})
	}
	s := newStackOn(t, "staging", Standard, stackOptions{now: now, wrap: afterApply})
	s.leakReservations([]string{"c1"}, 2, 100) // past the cutoff: drained
	ctx := context.Background()
	young := gateway.NewStore(s.rdb, gateway.StoreOptions{Now: func() time.Time { return start.Add(-5*time.Minute + 5*time.Second) }})
	for i := range 3 {
		if r, err := young.Reserve(ctx, gateway.ReserveInput{Community: "c1", User: fmt.Sprintf("y%d", i),
			IdempotencyKey: fmt.Sprintf("young-%d", i), ModelAlias: "cheap", EstimateCents: 10}); err != nil || r.Status != "RESERVED" {
			t.Fatalf("reserve: %+v %v", r, err)
		}
	}
	out := s.run("reservations.drain older=5m mode=reap community=c1", standardYes)
	if !strings.HasPrefix(out.Result.Text(), "drained 2 expired reservations of 1 community") {
		t.Errorf("result = %q", out.Result.Text())
	}
	if !out.OK() || !strings.Contains(out.Verification.Detail, "finds 0 expired and 0 orphans left") {
		t.Errorf("verification = %+v", out.Verification)
	}
	if offset.Load() == 0 {
		t.Fatal("the clock never moved: the test did not put time between the drain and its verify")
	}
	// The three that aged past olderThan since are the next drain's.
	again := s.run("reservations.drain older=5m mode=reap community=c1", standardYes)
	if !strings.HasPrefix(again.Result.Text(), "drained 3 expired reservations of 1 community") || !again.OK() {
		t.Errorf("the next drain: result %q verification %+v", again.Result.Text(), again.Verification)
	}
}

func TestAlarmMuteVerifiesAndUnmuteUndoesIt(t *testing.T) {
	s := newStack(t, "staging", Standard)
	th := 1.0
	alarm := "arrakis-staging-agent-circuit-breaker-open"
	if err := s.cw.PutMetricAlarm(cwlocal.PutMetricAlarmInput{AlarmName: alarm, Namespace: GatewayNamespace, MetricName: "CircuitBreakerState",
		Statistic: "Maximum", Period: 60, EvaluationPeriods: 1, Threshold: &th, ComparisonOperator: "GreaterThanThreshold"}); err != nil {
		t.Fatal(err)
	}
	out := s.run(`alarm.mute alarm=`+alarm+` for=30m reason="INC-7 known kms outage"`, standardYes)
	if !out.OK() || !strings.Contains(out.Plan.Text(), "for 30m") || out.Inverse != "alarm.unmute alarm="+alarm {
		t.Fatalf("mute: plan %q verification %+v inverse %q err %v", out.Plan.Text(), out.Verification, out.Inverse, out.Err)
	}
	if !strings.Contains(out.Verification.Detail, "gatewayops-mute-"+alarm+" present") {
		t.Errorf("verification = %+v", out.Verification)
	}
	undo := s.run(out.Inverse, standardYes)
	if !undo.OK() || !strings.Contains(undo.Verification.Detail, "no mute rule left") {
		t.Errorf("unmute: %+v", undo.Verification)
	}
	again := s.run(out.Inverse, standardYes)
	if !again.Skipped || !strings.Contains(again.Plan.Text(), "nothing to unmute") {
		t.Errorf("second unmute: %+v", again)
	}
}

func TestProtectedEnvironmentRefusesWritesUntilArmedAndConfirmed(t *testing.T) {
	s := newStack(t, "production", Protected)
	s.openBreaker("kms")
	ctx := context.Background()
	line := "breaker.reset component=kms"
	_, err := s.runner.Run(ctx, line, Confirmation{Typed: "production"})
	if !IsRefused(err) || !strings.Contains(err.Error(), "read-only: arm it first") {
		t.Fatalf("unarmed: %v", err)
	}
	if err := s.policy.Arm("INC-9 kms breaker stuck open", 15*60e9); err != nil {
		t.Fatal(err)
	}
	_, err = s.runner.Run(ctx, line, Confirmation{Typed: "prod", StartKey: "enter", ConfirmKey: "y"})
	if !IsRefused(err) || !strings.Contains(err.Error(), `type the environment name "production"`) {
		t.Fatalf("wrong name: %v", err)
	}
	if got := s.requests.count("POST /admin/gateway/v1/breakers/kms/reset"); got != 0 {
		t.Fatalf("refused writes reached the server %d times", got)
	}
	if b, _ := s.store.Breaker(ctx, "kms"); b.State != gateway.BreakerOpen {
		t.Fatalf("a refused write changed the breaker: %s", b.State)
	}
	// Reads stay allowed, and never carry the confirmation header.
	if out := s.run("breaker.list", Confirmation{}); !strings.Contains(out.Result.Text(), "kms: open") {
		t.Errorf("read on protected: %q", out.Result.Text())
	}
	if n := s.requests.count("confirmed GET") + s.requests.count("confirmed POST"); n != 0 {
		t.Fatalf("X-Confirm-Environment went out %d times before a confirmed write", n)
	}
	out := s.run(line, Confirmation{Typed: "production"})
	if !out.OK() {
		t.Fatalf("armed and confirmed: %+v", out)
	}
	// Only the reset itself (and the reads of its verify) carry the header.
	if s.requests.count("confirmed POST") != 1 {
		t.Errorf("confirmed POSTs = %d, want 1", s.requests.count("confirmed POST"))
	}
	if out.Verification == nil || !out.Verification.Pass {
		t.Errorf("verification: %+v", out.Verification)
	}
	entries, _ := ReadJournal(s.journal.Path())
	refusals := 0
	for _, e := range entries {
		if e.Outcome == "refused" {
			refusals++
		}
	}
	if refusals != 2 {
		t.Errorf("journal has %d refusals, want 2", refusals)
	}
	if last := entries[len(entries)-1]; last.ArmedReason != "INC-9 kms breaker stuck open" {
		t.Errorf("the arming reason is not journaled: %+v", last)
	}
	raw, _ := os.ReadFile(s.journal.Path())
	if strings.Contains(string(raw), testAdminKey) {
		t.Error("the admin key reached the journal")
	}
}

// On a protected server the dry run itself needs the confirmation header,
// so the drain plans from the read-only summary instead.
func TestProtectedDrainPlansFromTheSummary(t *testing.T) {
	s := newStack(t, "production", Protected)
	s.leakReservations([]string{"c1"}, 2, 100)
	inv, _ := s.runner.Registry.Parse("reservations.drain")
	p, err := s.runner.Prepare(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.Plan.Text(), "drain up to 2 expired reservations of 1 community, reclaim up to 200 cents ($2.00)") {
		t.Errorf("plan = %q", p.Plan.Text())
	}
}

func TestReadActionsAnswerWithLinesAndData(t *testing.T) {
	s := newStack(t, "staging", Standard)
	s.openBreaker("kms")
	s.leakReservations([]string{"c1"}, 1, 100)
	alarm := "arrakis-staging-agent-error-rate"
	th := 5.0
	if err := s.cw.PutMetricAlarm(cwlocal.PutMetricAlarmInput{AlarmName: alarm, Namespace: GatewayNamespace, MetricName: "Error5xxCount",
		Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: &th, ComparisonOperator: "GreaterThanThreshold"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ line, want string }{
		{"gateway.status", "breaker kms: open since"},
		{"gateway.status", "0 live, 1 expired, 0 orphaned in 1 community (by expiry time)"},
		{"budget.show", "budget " + gateway.Month(time.Now()) + ": 1 community\n"},
		{"breaker.list", "breaker loa-finn: unknown"},
		{"reservations.inspect", "1 expired, 0 orphaned, 0 from earlier months in 1 community;"},
		{"reservations.inspect community=c1", "expired u0:req-0 cheap"},
		{"budget.show community=c1", "c1: 0% used; committed 0 cents ($0.00), reserved 100 cents ($1.00)"},
		{"flags.show", "flag byok_enabled = false (default)"},
		{"poolclaims.show", "pool-claim enforcement: reject (default)"},
		{"redis.diagnose", "server.redis_version"},
		{"alarm.history alarm=" + alarm, alarm + ":"},
	}
	// redis.diagnose leads with the round trip, what a slow Redis shows first.
	if d := s.run("redis.diagnose", Confirmation{}).Result.Text(); !regexp.MustCompile(`\n  ping: [1-9]\d* samples, min \d+\.\d\d ms, avg \d+\.\d\d ms, max \d+\.\d\d ms\n`).MatchString(d) {
		t.Errorf("redis.diagnose has no ping line:\n%s", d)
	}
	for _, c := range cases {
		line, want := c.line, c.want
		out := s.run(line, Confirmation{})
		if !out.OK() || out.Result.Data == nil || !strings.Contains(out.Result.Text(), want) {
			t.Errorf("%s: want %q in\n%s", line, want, out.Result.Text())
		}
		if out.Verification != nil || out.Plan.IdempotencyKey != "" {
			t.Errorf("%s: a read got a verification or idempotency key", line)
		}
	}
}

// The inspection's counts read as the totals do at production size:
// thousands separated, one community named in the singular.
func TestReservationsInspectSeparatesThousandsPerCommunity(t *testing.T) {
	s := newStack(t, "staging", Standard)
	s.leakReservations([]string{"c1"}, 1_001, 10)
	text := s.run("reservations.inspect", Confirmation{}).Result.Text()
	for _, want := range []string{"0 live, 1,001 expired, 0 orphaned, 0 from earlier months in 1 community;",
		"  c1: 0 live, 1,001 expired (10,010 cents ($100.10)), 0 orphaned"} {
		if !strings.Contains(text, want) {
			t.Errorf("want %q in\n%s", want, text)
		}
	}
}

// A config that calls a protected server "standard" never sends the
// confirmation header: the server refuses, and the journal keeps its status.
func TestServerRefusalIsJournaledWithItsStatus(t *testing.T) {
	s := newStack(t, "production", Protected)
	standard, err := NewPolicy("production", Standard, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.runner.Policy = standard
	out, err := s.runner.Run(context.Background(), "poolclaims.enforce mode=warn", standardYes)
	var apiErr *gateway.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != gateway.CodeConfirmRequired || out.OK() {
		t.Fatalf("want ENVIRONMENT_CONFIRMATION_REQUIRED, got %v (%+v)", err, out)
	}
	entries, _ := ReadJournal(s.journal.Path())
	last := entries[len(entries)-1]
	if last.Phase != PhaseResult || last.Outcome != "failed" || last.Status != 412 || !strings.Contains(last.Error, "X-Confirm-Environment") {
		t.Errorf("journal result: %+v", last)
	}
	if e, _ := s.store.Enforcement(context.Background()); e.Mode != gateway.EnforcementReject {
		t.Errorf("the refused write changed enforcement to %s", e.Mode)
	}
}
