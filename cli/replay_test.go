package cli

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"gatewayops/alarms/cwlocal"
	"gatewayops/alarms/replay"
	"gatewayops/gateway"
	"gatewayops/gateway/sim/drills"
	"gatewayops/gateway/sim/drills/drillops"
	"gatewayops/internal/logsink"
	"gatewayops/internal/testclock"
)

// rigIncident runs the kms-breaker-open drill on a rig's stepped clock: the
// fault, the alarm, the runbook's step through the ops runner, the clear;
// then steps on to a 10 s boundary so the window's end is a period's.
func rigIncident(t *testing.T) *drills.Rig {
	t.Helper()
	ctx := context.Background()
	r, err := drills.StartRig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	sc, err := drills.Lookup("kms-breaker-open")
	if err != nil {
		t.Fatal(err)
	}
	_, step, closeRun, err := drillops.Runner(ctx, r, filepath.Join(t.TempDir(), "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer closeRun()
	if _, err := drills.Fix(ctx, r, sc, step); err != nil {
		t.Fatal(err)
	}
	for r.Clock.Now().Unix()%10 != 0 {
		if err := r.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// rigConfig writes a default-path config whose environment "rig" is the
// rig's local CloudWatch.
func rigConfig(t *testing.T, r *drills.Rig) {
	t.Helper()
	isolateAWSConfig(t)
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	t.Setenv("XDG_STATE_HOME", filepath.Join(xdg, "state"))
	path := filepath.Join(xdg, "gatewayops", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("[environments.rig]\nregion = \"us-east-1\"\nalarm_prefix = \"arrakis-demo-\"\ncloudwatch_endpoint = %q\nadmin_url = %q\nsafety = \"standard\"\n", r.Stack.CloudWatchURL, r.Stack.AdminURL)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

// recordRig records the rig through `gatewayops record` and checks that
// only read calls reached the rig's CloudWatch.
func recordRig(t *testing.T, r *drills.Rig) string {
	t.Helper()
	rigConfig(t, r)
	out := filepath.Join(t.TempDir(), "incident.jsonl")
	before := r.Stack.CloudWatch.Calls()
	code, stdout, stderr := runCLI("record", "--env", "rig", "--since", "15m", "--until", r.Clock.Now().Format(time.RFC3339Nano), "--out", out)
	if code != exitOK || !strings.Contains(stdout, "recorded rig") {
		t.Fatalf("record: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for op, n := range r.Stack.CloudWatch.Calls() {
		if n > before[op] && !slices.Contains(replay.ReadOnlyOperations, op) {
			t.Fatalf("record called %s %d times at the wire: not a read", op, n-before[op])
		}
	}
	return out
}

// replayInto plays the file whole into a fresh local CloudWatch whose clock
// follows the playback, and returns an SDK client on it.
func replayInto(t *testing.T, rec *replay.Recording) *cloudwatch.Client {
	t.Helper()
	clk := testclock.New(rec.Header.From)
	svc := cwlocal.New(cwlocal.Config{Now: clk.Now})
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	p, err := replay.NewPlayer(svc, rec, replay.PlayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for !p.Done() || clk.Now().Before(rec.Header.To) {
		clk.Advance(5 * time.Second)
		if _, err := p.AdvanceTo(clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	cw, _ := cwlocal.NewSDKClient(context.Background(), srv.URL)
	return cw
}

// Issue 14 item 4, done-when: a record -> replay round trip against the
// local CloudWatch reproduces the alarm transitions and the SampleCount,
// Sum, Minimum and Maximum datapoints exactly.
func TestRecordReplayRoundTripIsExact(t *testing.T) {
	r := rigIncident(t)
	path := recordRig(t, r)
	rec, err := replay.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	keepRecording(t, path)
	if code, out, errs := runCLI("drill", "--replay", path, "--accessible"); code != exitOK || !strings.HasPrefix(out, "REPLAY 5x of rig") || !strings.Contains(out, "alarms:") {
		t.Fatalf("drill --replay --accessible: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	orig, _ := cwlocal.NewSDKClient(context.Background(), r.Stack.CloudWatchURL)
	again := replayInto(t, rec)
	h := rec.Header
	total := 0
	for _, a := range rec.Alarms {
		want := transitions(t, orig, a.Name, h.From, h.To)
		if got := transitions(t, again, a.Name, h.From, h.To); !reflect.DeepEqual(got, want) {
			t.Errorf("%s transitions:\n got %q\nwant %q", a.Name, got, want)
		}
		total += len(want)
	}
	breaker := transitions(t, orig, "arrakis-demo-agent-circuit-breaker-open", h.From, h.To)
	if !strings.Contains(strings.Join(breaker, "\n"), "to ALARM") || !strings.Contains(strings.Join(breaker, "\n"), "from ALARM to OK") {
		t.Fatalf("the incident did not fire and clear the breaker alarm: %q", breaker)
	}
	points := 0
	for _, s := range rec.Series {
		want := statPoints(t, orig, s, h.From, h.To)
		if got := statPoints(t, again, s, h.From, h.To); !reflect.DeepEqual(got, want) {
			t.Errorf("series %s %v:\n got %q\nwant %q", s.MetricName, s.Dimensions, got, want)
		}
		points += len(want)
	}
	if points < 40 || total < 3 {
		t.Fatalf("only %d datapoint statistics and %d transitions compared", points, total)
	}
}

func transitions(t *testing.T, cw *cloudwatch.Client, name string, from, to time.Time) []string {
	t.Helper()
	out, err := cw.DescribeAlarmHistory(context.Background(), &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String(name),
		HistoryItemType: types.HistoryItemTypeStateUpdate, StartDate: aws.Time(from), EndDate: aws.Time(to), ScanBy: types.ScanByTimestampAscending})
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, h := range out.AlarmHistoryItems {
		s = append(s, aws.ToTime(h.Timestamp).UTC().Format(time.RFC3339Nano)+" "+aws.ToString(h.HistorySummary)+" "+aws.ToString(h.HistoryData))
	}
	return s
}

func statPoints(t *testing.T, cw *cloudwatch.Client, s replay.Series, from, to time.Time) []string {
	t.Helper()
	var qs []types.MetricDataQuery
	stats := []string{"SampleCount", "Sum", "Minimum", "Maximum"}
	for i, st := range stats {
		var ds []types.Dimension
		for _, d := range s.Dimensions {
			ds = append(ds, types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)})
		}
		qs = append(qs, types.MetricDataQuery{Id: aws.String(fmt.Sprintf("q%d", i)), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String(s.Namespace), MetricName: aws.String(s.MetricName), Dimensions: ds},
			Period: aws.Int32(int32(s.Period)), Stat: aws.String(st)}})
	}
	out, err := cw.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{MetricDataQueries: qs,
		StartTime: aws.Time(from), EndTime: aws.Time(to), ScanBy: types.ScanByTimestampAscending})
	if err != nil {
		t.Fatal(err)
	}
	var p []string
	for i, res := range out.MetricDataResults {
		for j, ts := range res.Timestamps {
			p = append(p, fmt.Sprintf("%s %s=%v", ts.UTC().Format("15:04:05"), stats[i], res.Values[j]))
		}
	}
	return p
}

// A bad recording is refused before any stack starts, naming the line.
func TestDrillReplayRefusesBadFilesNamingTheLine(t *testing.T) {
	dir := t.TempDir()
	header := `{"kind":"header","header":{"version":1,"env":"staging","region":"us-east-1","prefix":"arrakis-staging-","from":"2026-11-30T13:00:00Z","to":"2026-11-30T15:00:00Z","recordedAt":"2026-11-30T15:00:01Z"}}` + "\n"
	alarm := `{"kind":"alarm","alarm":{"name":"arrakis-staging-agent-x","metric":{"namespace":"N","metricName":"M","stat":"Sum","period":60},"comparisonOperator":"GreaterThanThreshold","threshold":0,"evaluationPeriods":1,"state":"OK","stateSince":"2026-11-30T12:00:00Z"}}` + "\n"
	end := `{"kind":"end","end":{"records":2}}` + "\n"
	cases := map[string]struct{ data, want string }{
		"truncated":     {header + alarm + end[:20], "line 3: the line is cut short"},
		"wrong version": {strings.Replace(header, `"version":1`, `"version":7`, 1) + alarm + end, "line 1: version 7 is not supported"},
		"garbage":       {header + "{not json\n" + end, "line 2: not a record"},
		"no end":        {header + alarm, "line 2: the file ends after this line without its end record"},
	}
	for name, c := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".jsonl")
		if err := os.WriteFile(path, []byte(c.data), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI("drill", "--replay", path)
		if code != exitUsage || !strings.Contains(stderr, path+": "+c.want) {
			t.Errorf("%s: exit %d, stderr %q, want 2 and %q", name, code, stderr, c.want)
		}
	}
	good := filepath.Join(dir, "good.jsonl")
	if err := os.WriteFile(good, []byte(header+alarm+end), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI("drill", "--replay", good, "--takeover", "3h"); code != exitUsage || !strings.Contains(stderr, "within the recording's 2h0m0s") {
		t.Errorf("--takeover past the end: exit %d, stderr %q", code, stderr)
	}
}

func TestRecordRefusesWhatItCannotDo(t *testing.T) {
	existing := filepath.Join(t.TempDir(), "taken.jsonl")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"record"}, "--out FILE is required"},
		{[]string{"record", "--out", "x", "--since", "30s"}, "between 1m and 14 days"},
		{[]string{"record", "--out", "x", "--until", "yesterday"}, "not an RFC 3339 time"},
		{[]string{"record", "--out", existing}, "no environment configured"},
	}
	for _, c := range cases {
		if code, _, stderr := runCLI(c.args...); code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Fatal("record touched an existing file")
	}
}

// keepRecording copies the recording to $GATEWAYOPS_KEEP_RECORDING when
// set, to look at `drill --replay` on a real incident's file.
func keepRecording(t *testing.T, path string) {
	dst := os.Getenv("GATEWAYOPS_KEEP_RECORDING")
	if dst == "" {
		return
	}
	b, err := os.ReadFile(path)
	if err == nil {
		err = os.WriteFile(dst, b, 0o600)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// Takeover: the recorded breaker alarm is in ALARM at the takeover, the
// simulator makes its fault real (the kms breaker opens in Redis), and the
// runbook's step through the ops runner then clears the alarm.
func TestReplayTakeoverLetsTheRunbookStepClearTheRecordedAlarm(t *testing.T) {
	ctx := context.Background()
	r, err := drills.StartRig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	sc, _ := drills.Lookup("kms-breaker-open")
	if _, err := drills.Raise(ctx, r, sc); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2 || r.Clock.Now().Unix()%10 != 0; i++ {
		if err := r.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := replay.ReadFile(recordRig(t, r))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := drills.StartRig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r2.Close)
	take := rec.Header.To.Sub(rec.Header.From) - time.Second
	run, err := newReplayRun(r2, rec, replayFlags{speed: 30, takeover: take, hasTake: true})
	if err != nil {
		t.Fatal(err)
	}
	sink, err := logsink.Open(logsink.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if taken, err := run.advance(ctx, run.takeAt.Add(-time.Second), sink); err != nil || taken {
		t.Fatalf("before the takeover: taken %v, err %v", taken, err)
	}
	before := run.feed.WaitStatus(ctx, 0)
	if !strings.HasPrefix(before.State, "playing ") || !strings.Contains(before.State, "pNN as recorded") || before.Speed != 30 || before.Period != 10*time.Second {
		t.Fatalf("status before the takeover: %+v", before)
	}
	if on, _, err := r2.State(ctx, sc.Signal); err != nil || !on {
		t.Fatalf("the replayed alarm is not in ALARM as recorded (err %v)", err)
	}
	if b, _ := r2.Stack.Store.Breaker(ctx, gateway.KMSBreaker); b.State == gateway.BreakerOpen {
		t.Fatal("the breaker is open before the takeover: replay must not touch the stack")
	}
	if taken, err := run.advance(ctx, run.takeAt, sink); err != nil || !taken {
		t.Fatalf("at the takeover: taken %v, err %v", taken, err)
	}
	if st := run.feed.WaitStatus(ctx, before.Version); !strings.Contains(st.State, "simulator took over") {
		t.Fatalf("status after the takeover: %+v", st)
	}
	if b, _ := r2.Stack.Store.Breaker(ctx, gateway.KMSBreaker); b.State != gateway.BreakerOpen {
		t.Fatalf("after the takeover the kms breaker is %q, want open", b.State)
	}
	if lines := sink.Lines(); len(lines) == 0 || !strings.Contains(lines[len(lines)-1].String(), "faults made: kms-breaker-open") {
		t.Fatalf("the takeover did not say what it did: %v", lines)
	}
	_, step, closeRun, err := drillops.Runner(ctx, r2, filepath.Join(t.TempDir(), "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer closeRun()
	if err := step(ctx, "breaker.reset component=kms"); err != nil {
		t.Fatal(err)
	}
	for range 24 {
		if err := r2.Step(ctx); err != nil {
			t.Fatal(err)
		}
		if _, cleared, _ := r2.State(ctx, sc.Signal); cleared {
			return
		}
	}
	t.Fatal("the step did not clear the replayed alarm within 2 min of simulator time")
}
