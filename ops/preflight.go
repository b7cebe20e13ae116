package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"gatewayops/alarms"
)

// The pool-claim metrics, as the gateway's emitter publishes them.
const (
	GatewayNamespace  = "Arrakis/AgentGateway"
	MetricMismatch    = "PoolClaimMismatch"
	MetricReject      = "PoolClaimReject"
	maxPreflightQuery = 500 // GetMetricData's query limit per call
)

// MetricSum is one metric summed over every dimension set that exists.
type MetricSum struct {
	Metric string `json:"metric"`
	// DimensionSets are the identities ListMetrics found, e.g. pool_id=cheap.
	DimensionSets []string `json:"dimensionSets"`
	Datapoints    int      `json:"datapoints"`
	Sum           float64  `json:"sum"`
	// BySet is the sum per dimension set that had any datapoint.
	BySet map[string]float64 `json:"bySet,omitempty"`
}

// PreflightReport is the honest pool-claim preflight (gateway-domain.md 6.1):
// it passes only when mismatch datapoints exist in the window and sum to zero.
type PreflightReport struct {
	Hours    int       `json:"hours"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Mismatch MetricSum `json:"mismatch"`
	Reject   MetricSum `json:"reject"`
	Pass     bool      `json:"pass"`
	// Reasons say why it failed; Notes are warnings that do not fail it.
	Reasons []string `json:"reasons,omitempty"`
	Notes   []string `json:"notes,omitempty"`
	// GetMetricDataCalls is the number of GetMetricData requests made (1 normally).
	GetMetricDataCalls int `json:"getMetricDataCalls"`
}

// PoolClaimPreflight lists every dimension set of the two metrics, sums them
// over the window with one GetMetricData call, and judges.
func PoolClaimPreflight(ctx context.Context, cw *cloudwatch.Client, src *alarms.Source, hours int, now time.Time) (PreflightReport, error) {
	if cw == nil || src == nil {
		return PreflightReport{}, errors.New("preflight needs CloudWatch: " + ErrNoBackend.Error())
	}
	if hours < 1 || hours > 720 {
		return PreflightReport{}, fmt.Errorf("hours=%d is out of range: want 1..720", hours)
	}
	rep := PreflightReport{Hours: hours, End: now.UTC(), Start: now.UTC().Add(-time.Duration(hours) * time.Hour)}
	var ids [2][]alarms.MetricIdentity
	for i, m := range []string{MetricMismatch, MetricReject} {
		found, err := src.ListMetrics(ctx, GatewayNamespace, m)
		if err != nil {
			return rep, err
		}
		ids[i] = found
	}
	rep.Mismatch = MetricSum{Metric: MetricMismatch, DimensionSets: dimensionSets(ids[0]), BySet: map[string]float64{}}
	rep.Reject = MetricSum{Metric: MetricReject, DimensionSets: dimensionSets(ids[1]), BySet: map[string]float64{}}
	if len(ids[0])+len(ids[1]) > 0 {
		calls, err := sumMetrics(ctx, cw, ids, &rep)
		rep.GetMetricDataCalls = calls
		if err != nil {
			return rep, err
		}
	}
	judge(&rep)
	return rep, nil
}

func dimensionSets(ids []alarms.MetricIdentity) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = setName(id)
	}
	return out
}

func setName(id alarms.MetricIdentity) string {
	if len(id.Dimensions) == 0 {
		return "(no dimensions)"
	}
	parts := make([]string, len(id.Dimensions))
	for i, d := range id.Dimensions {
		parts[i] = d.Name + "=" + d.Value
	}
	return strings.Join(parts, ",")
}

// preflightPeriod keeps each series at or under 1,440 datapoints.
func preflightPeriod(hours int) int32 {
	secs := hours * 3600 / 1440
	period := max(60, (secs+59)/60*60)
	return int32(period)
}

func sumMetrics(ctx context.Context, cw *cloudwatch.Client, ids [2][]alarms.MetricIdentity, rep *PreflightReport) (int, error) {
	in := &cloudwatch.GetMetricDataInput{StartTime: aws.Time(rep.Start), EndTime: aws.Time(rep.End)}
	type ref struct {
		sum *MetricSum
		set string
	}
	refs := map[string]ref{}
	period := preflightPeriod(rep.Hours)
	for mi, list := range ids {
		target := &rep.Mismatch
		if mi == 1 {
			target = &rep.Reject
		}
		for i, id := range list {
			qid := fmt.Sprintf("m%d_%d", mi, i)
			refs[qid] = ref{sum: target, set: setName(id)}
			in.MetricDataQueries = append(in.MetricDataQueries, sumQuery(qid, id, period))
		}
	}
	if len(in.MetricDataQueries) > maxPreflightQuery {
		return 0, fmt.Errorf("%d dimension sets exceed the %d queries of one GetMetricData call", len(in.MetricDataQueries), maxPreflightQuery)
	}
	calls := 0
	for {
		calls++
		out, err := cw.GetMetricData(ctx, in)
		if err != nil {
			return calls, fmt.Errorf("GetMetricData: %w", err)
		}
		for _, r := range out.MetricDataResults {
			rf, ok := refs[aws.ToString(r.Id)]
			if !ok {
				return calls, fmt.Errorf("GetMetricData returned unknown query id %q", aws.ToString(r.Id))
			}
			for _, v := range r.Values {
				rf.sum.Datapoints++
				rf.sum.Sum += v
				rf.sum.BySet[rf.set] += v
			}
		}
		if aws.ToString(out.NextToken) == "" {
			return calls, nil
		}
		in.NextToken = out.NextToken
	}
}

func sumQuery(qid string, id alarms.MetricIdentity, period int32) types.MetricDataQuery {
	m := &types.Metric{Namespace: aws.String(id.Namespace), MetricName: aws.String(id.MetricName)}
	for _, d := range id.Dimensions {
		m.Dimensions = append(m.Dimensions, types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)})
	}
	return types.MetricDataQuery{Id: aws.String(qid), ReturnData: aws.Bool(true),
		MetricStat: &types.MetricStat{Metric: m, Period: aws.Int32(period), Stat: aws.String("Sum")}}
}

// judge passes only on proof: mismatch datapoints exist and sum to zero.
func judge(rep *PreflightReport) {
	m, r := rep.Mismatch, rep.Reject
	switch {
	case len(m.DimensionSets) == 0:
		rep.Reasons = append(rep.Reasons, fmt.Sprintf("cannot prove zero mismatches: metric %s does not exist in %s (nothing publishes it; the old preflight reads this as PASS)", MetricMismatch, GatewayNamespace))
	case m.Datapoints == 0:
		rep.Reasons = append(rep.Reasons, fmt.Sprintf("cannot prove zero mismatches: %s has no datapoints in the last %dh (%d dimension sets exist: %s)", MetricMismatch, rep.Hours, len(m.DimensionSets), strings.Join(m.DimensionSets, "; ")))
	case m.Sum > 0:
		rep.Reasons = append(rep.Reasons, fmt.Sprintf("%s: %s mismatches in the last %dh (%s): investigate mismatching clients before enforcing", MetricMismatch, formatCount(m.Sum), rep.Hours, bySetText(m.BySet)))
	}
	switch {
	case r.Sum > 0:
		rep.Notes = append(rep.Notes, fmt.Sprintf("WARN %s: %s rejects in the last %dh (%s): unexpected in warn mode", MetricReject, formatCount(r.Sum), rep.Hours, bySetText(r.BySet)))
	case len(r.DimensionSets) == 0 || r.Datapoints == 0:
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s has no datapoints in the last %dh: rejects cannot be monitored either", MetricReject, rep.Hours))
	}
	rep.Pass = len(rep.Reasons) == 0
}

func bySetText(m map[string]float64) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		if m[k] != 0 {
			parts = append(parts, k+": "+formatCount(m[k]))
		}
	}
	return strings.Join(parts, ", ")
}

func formatCount(v float64) string {
	if v == float64(int64(v)) {
		return thousands(int64(v))
	}
	return fmt.Sprintf("%.2f", v)
}

// Lines renders the report for a terminal.
func (rep PreflightReport) Lines() []string {
	verdict := "PASS"
	if !rep.Pass {
		verdict = "FAIL"
	}
	lines := []string{fmt.Sprintf("pool-claim preflight over %s .. %s (%dh): %s", rep.Start.Format("2006-01-02 15:04Z"), rep.End.Format("2006-01-02 15:04Z"), rep.Hours, verdict)}
	for _, s := range []MetricSum{rep.Mismatch, rep.Reject} {
		lines = append(lines, fmt.Sprintf("  %s: %d dimension sets, %d datapoints, sum %s", s.Metric, len(s.DimensionSets), s.Datapoints, formatCount(s.Sum)))
	}
	for _, r := range rep.Reasons {
		lines = append(lines, "FAIL: "+r)
	}
	lines = append(lines, rep.Notes...)
	if rep.Pass {
		lines = append(lines, fmt.Sprintf("PASS: %s datapoints exist in the window and sum to zero", MetricMismatch))
	}
	return lines
}

func preflightAction() Action {
	return readAction{
		spec: Spec{Name: "preflight.poolclaims", Kind: Read, Summary: "prove zero pool-claim mismatches before enforcing reject (fails on missing data)",
			Params: []Param{{Name: "hours", Type: TypeInt, Min: 1, Max: 720, Default: "24", Help: "window in hours"}}},
		run: func(ctx context.Context, env *Env, inv Invocation) (Result, error) {
			rep, err := PoolClaimPreflight(ctx, env.CloudWatch, env.Alarms, int(inv.Int("hours")), env.now())
			if err != nil {
				return Result{}, err
			}
			return Result{Lines: rep.Lines(), Data: rep, Failed: !rep.Pass}, nil
		},
	}
}
