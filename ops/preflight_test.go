package ops

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// emitPoolClaim ingests one line shaped exactly like the gateway's
// emitPoolClaimEvent: one metric, dimension set [pool_id].
func emitPoolClaim(t *testing.T, s *stack, metric, pool string, value float64, at time.Time) {
	t.Helper()
	line := fmt.Sprintf(`{"pool_id":%q,"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Dimensions":[["pool_id"]],"Metrics":[{"Name":%q,"Unit":"Count"}],"Namespace":"Arrakis/AgentGateway"}]},%q:%g}`,
		pool, at.UnixMilli(), metric, metric, value)
	if err := s.cw.IngestEMF([]byte(line)); err != nil {
		t.Fatal(err)
	}
}

// oldScriptSum is what scripts/pool-claim-preflight.sh asks: the metric with
// no dimensions. Its answer is "None" (no values) whenever the emitter sets pool_id.
func oldScriptSum(t *testing.T, s *stack, metric string, hours int) []float64 {
	t.Helper()
	now := time.Now()
	out, err := s.env.CloudWatch.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-time.Duration(hours) * time.Hour)), EndTime: aws.Time(now),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("old"), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String(GatewayNamespace), MetricName: aws.String(metric)},
			Period: aws.Int32(int32(hours * 3600)), Stat: aws.String("Sum")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.MetricDataResults[0].Values
}

func runPreflight(t *testing.T, s *stack, hours int) PreflightReport {
	t.Helper()
	rep, err := PoolClaimPreflight(context.Background(), s.env.CloudWatch, s.env.Alarms, hours, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestPreflightFailsWhenTheMetricDoesNotExist(t *testing.T) {
	s := newStack(t, "staging", Standard)
	if v := oldScriptSum(t, s, MetricMismatch, 24); len(v) != 0 {
		t.Fatalf("old query saw %v", v)
	}
	rep := runPreflight(t, s, 24)
	if rep.Pass || len(rep.Reasons) != 1 || !strings.Contains(rep.Reasons[0], "cannot prove zero mismatches: metric PoolClaimMismatch does not exist") {
		t.Fatalf("report: %+v", rep)
	}
	if rep.GetMetricDataCalls != 0 {
		t.Errorf("GetMetricData called %d times with nothing to query", rep.GetMetricDataCalls)
	}
}

// The gateway emits with pool_id; the old no-dimension query sees nothing and
// passes. The honest preflight finds every pool and fails on the mismatches.
func TestPreflightFailsOnPoolIDDimensionedMismatchesTheOldScriptMisses(t *testing.T) {
	s := newStack(t, "staging", Standard)
	now := time.Now()
	emitPoolClaim(t, s, MetricMismatch, "cheap", 1, now.Add(-2*time.Hour))
	emitPoolClaim(t, s, MetricMismatch, "cheap", 1, now.Add(-90*time.Minute))
	emitPoolClaim(t, s, MetricMismatch, "reviewer", 1, now.Add(-time.Hour))
	emitPoolClaim(t, s, MetricMismatch, "fast-code", 0, now.Add(-time.Hour))
	if v := oldScriptSum(t, s, MetricMismatch, 24); len(v) != 0 {
		t.Fatalf("the old no-dimension query should see nothing (and pass), saw %v", v)
	}
	before := s.cw.Calls()["GetMetricData"]
	rep := runPreflight(t, s, 24)
	if rep.Pass {
		t.Fatalf("passed with mismatches: %+v", rep)
	}
	if rep.Mismatch.Sum != 3 || len(rep.Mismatch.DimensionSets) != 3 {
		t.Errorf("mismatch = %+v", rep.Mismatch)
	}
	if !strings.Contains(rep.Reasons[0], "3 mismatches in the last 24h (pool_id=cheap: 2, pool_id=reviewer: 1)") {
		t.Errorf("reason = %q", rep.Reasons[0])
	}
	if got := s.cw.Calls()["GetMetricData"] - before; got != 1 || rep.GetMetricDataCalls != 1 {
		t.Errorf("GetMetricData calls = %d (report %d), want 1", got, rep.GetMetricDataCalls)
	}
}

func TestPreflightFailsWhenDataIsOutsideTheWindow(t *testing.T) {
	s := newStack(t, "staging", Standard)
	emitPoolClaim(t, s, MetricMismatch, "cheap", 0, time.Now().Add(-3*time.Hour))
	rep := runPreflight(t, s, 1)
	if rep.Pass || !strings.Contains(rep.Reasons[0], "cannot prove zero mismatches: PoolClaimMismatch has no datapoints in the last 1h (1 dimension sets exist: pool_id=cheap)") {
		t.Fatalf("report: %+v", rep)
	}
}

func TestPreflightPassesOnlyWhenMismatchesAreProvablyZero(t *testing.T) {
	s := newStack(t, "staging", Standard)
	now := time.Now()
	for i, pool := range []string{"cheap", "fast-code", "reviewer"} {
		emitPoolClaim(t, s, MetricMismatch, pool, 0, now.Add(-time.Duration(i+1)*time.Hour))
	}
	rep := runPreflight(t, s, 24)
	if !rep.Pass || rep.Mismatch.Datapoints != 3 || rep.Mismatch.Sum != 0 {
		t.Fatalf("report: %+v", rep)
	}
	text := strings.Join(rep.Lines(), "\n")
	if !strings.Contains(text, "PASS: PoolClaimMismatch datapoints exist in the window and sum to zero") ||
		!strings.Contains(text, "PoolClaimReject has no datapoints") {
		t.Errorf("lines:\n%s", text)
	}
	// Rejects warn but do not fail the graduation check.
	emitPoolClaim(t, s, MetricReject, "cheap", 2, now.Add(-time.Hour))
	rep = runPreflight(t, s, 24)
	if !rep.Pass || len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "WARN PoolClaimReject: 2 rejects") {
		t.Errorf("with rejects: %+v", rep)
	}
	// The action runs the same code.
	out := s.run("preflight.poolclaims hours=24", Confirmation{})
	if !out.OK() || !strings.Contains(out.Result.Text(), "PASS") {
		t.Errorf("action: %s", out.Result.Text())
	}
	if _, err := PoolClaimPreflight(context.Background(), s.env.CloudWatch, s.env.Alarms, 0, now); err == nil {
		t.Error("hours=0 accepted")
	}
}

func TestPreflightActionFailsTheOutcomeOnFail(t *testing.T) {
	s := newStack(t, "staging", Standard)
	out := s.run("preflight.poolclaims", Confirmation{})
	if out.OK() || !out.Result.Failed || !strings.Contains(out.Result.Text(), "FAIL: cannot prove zero mismatches") {
		t.Errorf("outcome: ok=%t %s", out.OK(), out.Result.Text())
	}
}
