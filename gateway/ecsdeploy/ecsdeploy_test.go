package ecsdeploy

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"gatewayops/gateway/ecslocal"
	"gatewayops/internal/testclock"
)

const pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"

type fixture struct {
	stand *ecslocal.Service
	clk   *testclock.Clock
	api   *ecs.Client
	c     *Client
	url   string
}

func newFixture(t *testing.T, spec ecslocal.ServiceSpec) fixture {
	t.Helper()
	clk := testclock.New(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	s := ecslocal.New(ecslocal.Config{Now: clk.Now})
	tgt := DefaultTarget("staging")
	spec.Cluster, spec.Name = tgt.Cluster, tgt.Service
	if spec.TaskDefinition == nil {
		spec.TaskDefinition = ecslocal.GatewayTaskDefinition("staging", pem)
	}
	if _, err := s.CreateService(spec); err != nil {
		t.Fatal(err)
	}
	url := ecslocal.StartForTest(t, s)
	api := ecslocal.NewSDKClient(url)
	return fixture{stand: s, clk: clk, api: api, c: New(api, tgt), url: url}
}

// opts follow on the test clock: each poll advances it instead of sleeping.
func (f fixture) opts(progress *[]Progress) FollowOptions {
	return FollowOptions{Now: f.clk.Now, Poll: 10 * time.Second,
		Sleep:      func(_ context.Context, d time.Duration) error { f.clk.Advance(d); return nil },
		OnProgress: func(p Progress) { *progress = append(*progress, p) }}
}

func TestRevisionWithPreservesEveryOtherField(t *testing.T) {
	f := newFixture(t, ecslocal.ServiceSpec{})
	ctx := context.Background()
	st, err := f.c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, err := RevisionWith(st.Current, st.Tags, "api", "ENSEMBLE_ENABLED", "false")
	if err != nil {
		t.Fatal(err)
	}
	arn, err := f.c.Register(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn), Include: []types.TaskDefinitionField{types.TaskDefinitionFieldTags}})
	if err != nil {
		t.Fatal(err)
	}
	old, neu := st.Current, *out.TaskDefinition
	if neu.Revision != old.Revision+1 {
		t.Fatalf("revision %d after %d", neu.Revision, old.Revision)
	}
	ov, nv := reflect.ValueOf(old), reflect.ValueOf(neu)
	own := map[string]bool{"Revision": true, "TaskDefinitionArn": true, "RegisteredAt": true, "RegisteredBy": true, "ContainerDefinitions": true}
	for i := 0; i < ov.NumField(); i++ {
		name := ov.Type().Field(i).Name
		if ov.Type().Field(i).IsExported() && !own[name] && !reflect.DeepEqual(ov.Field(i).Interface(), nv.Field(i).Interface()) {
			t.Errorf("field %s changed: %v -> %v", name, ov.Field(i).Interface(), nv.Field(i).Interface())
		}
	}
	if !reflect.DeepEqual(st.Tags, out.Tags) || len(out.Tags) != 2 {
		t.Errorf("tags %v -> %v", st.Tags, out.Tags)
	}
	compareContainers(t, old.ContainerDefinitions, neu.ContainerDefinitions)
	if aws.ToString(old.ContainerDefinitions[0].Environment[2].Value) != "true" {
		t.Fatal("RevisionWith modified the task definition it was given")
	}
}

// compareContainers checks every field of every container; only the one
// variable of container api may differ.
func compareContainers(t *testing.T, old, neu []types.ContainerDefinition) {
	t.Helper()
	if len(old) != len(neu) {
		t.Fatalf("containers %d -> %d", len(old), len(neu))
	}
	for c := range old {
		ov, nv := reflect.ValueOf(old[c]), reflect.ValueOf(neu[c])
		for i := 0; i < ov.NumField(); i++ {
			name := ov.Type().Field(i).Name
			if name == "Environment" && c == 0 {
				continue
			}
			if ov.Type().Field(i).IsExported() && !reflect.DeepEqual(ov.Field(i).Interface(), nv.Field(i).Interface()) {
				t.Errorf("container %d field %s changed", c, name)
			}
		}
	}
	oe, ne := old[0].Environment, neu[0].Environment
	if len(oe) != len(ne) {
		t.Fatalf("env %d -> %d variables", len(oe), len(ne))
	}
	for i := range oe {
		same := aws.ToString(oe[i].Name) == aws.ToString(ne[i].Name) && aws.ToString(oe[i].Value) == aws.ToString(ne[i].Value)
		if aws.ToString(oe[i].Name) == "ENSEMBLE_ENABLED" {
			if aws.ToString(ne[i].Value) != "false" {
				t.Errorf("ENSEMBLE_ENABLED = %q", aws.ToString(ne[i].Value))
			}
		} else if !same {
			t.Errorf("variable %d (%s) changed", i, aws.ToString(oe[i].Name))
		}
	}
}

func TestRevisionWithAddsAMissingVariableAndRefusesSecrets(t *testing.T) {
	f := newFixture(t, ecslocal.ServiceSpec{})
	st, err := f.c.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, set, _ := st.Env("AGENT_POOL_CLAIM_ENFORCEMENT"); set {
		t.Fatal("enforcement should be unset in the gateway's task definition")
	}
	in, err := RevisionWith(st.Current, st.Tags, "api", "AGENT_POOL_CLAIM_ENFORCEMENT", "warn")
	if err != nil {
		t.Fatal(err)
	}
	env := in.ContainerDefinitions[0].Environment
	if last := env[len(env)-1]; aws.ToString(last.Name) != "AGENT_POOL_CLAIM_ENFORCEMENT" || aws.ToString(last.Value) != "warn" {
		t.Fatalf("added %+v", last)
	}
	if _, _, err := st.Env("REDIS_URL"); err == nil || !strings.Contains(err.Error(), "secret") {
		t.Fatalf("a valueFrom variable: %v", err)
	}
}

func TestFollowCompletes(t *testing.T) {
	f := newFixture(t, ecslocal.ServiceSpec{})
	ctx := context.Background()
	st, _ := f.c.Read(ctx)
	in, _ := RevisionWith(st.Current, st.Tags, "api", "ENSEMBLE_ENABLED", "false")
	arn, err := f.c.Register(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	dep, err := f.c.Deploy(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	var seen []Progress
	p, end, err := f.c.Follow(ctx, dep, f.opts(&seen))
	if err != nil || end != EndCompleted {
		t.Fatalf("end %q err %v last %+v", end, err, p)
	}
	if p.Running != 1 || p.Desired != 1 || p.TaskDefinition != arn || len(seen) < 3 {
		t.Fatalf("last %+v after %d readings", p, len(seen))
	}
	if seen[0].RolloutState != "IN_PROGRESS" || seen[0].Pending+seen[1].Pending == 0 {
		t.Fatalf("first readings %+v %+v", seen[0], seen[1])
	}
}

func TestFollowFailedRolloutNamesStoppedReasonsAndRollback(t *testing.T) {
	f := newFixture(t, ecslocal.ServiceSpec{})
	f.stand.FailRevisions("arrakis-staging-api", 2, "Error: AGENT_JWT_SECRET_ID is required when AGENT_ENABLED=true")
	ctx := context.Background()
	st, _ := f.c.Read(ctx)
	in, _ := RevisionWith(st.Current, st.Tags, "api", "ENSEMBLE_ENABLED", "false")
	arn, _ := f.c.Register(ctx, in)
	dep, _ := f.c.Deploy(ctx, arn)
	var seen []Progress
	p, end, err := f.c.Follow(ctx, dep, f.opts(&seen))
	if err != nil || end != EndFailed {
		t.Fatalf("end %q err %v", end, err)
	}
	if !strings.Contains(p.Reason, "circuit breaker") || !strings.HasSuffix(p.RolledBackTo, ":1") {
		t.Fatalf("last %+v", p)
	}
	if len(p.StoppedReasons) != 1 || !strings.HasPrefix(p.StoppedReasons[0], "3× ") || !strings.Contains(p.StoppedReasons[0], "AGENT_JWT_SECRET_ID") {
		t.Fatalf("stopped reasons %v", p.StoppedReasons)
	}
}

func TestFollowTimesOutWithoutBreaker(t *testing.T) {
	f := newFixture(t, ecslocal.ServiceSpec{NoCircuitBreaker: true})
	f.stand.FailRevisions("arrakis-staging-api", 1, "exit 1")
	ctx := context.Background()
	dep, err := f.c.Restart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var seen []Progress
	o := f.opts(&seen)
	o.Timeout = 5 * time.Minute
	start := f.clk.Now()
	p, end, err := f.c.Follow(ctx, dep, o)
	if err != nil || end != EndTimeout {
		t.Fatalf("end %q err %v", end, err)
	}
	if got := f.clk.Now().Sub(start); got != 5*time.Minute {
		t.Fatalf("followed for %s", got)
	}
	if p.Failed == 0 || len(p.StoppedReasons) == 0 {
		t.Fatalf("last %+v", p)
	}
}

func TestFollowDetachesOnCancel(t *testing.T) {
	f := newFixture(t, ecslocal.ServiceSpec{})
	ctx, cancel := context.WithCancel(context.Background())
	dep, err := f.c.Restart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o := FollowOptions{Now: f.clk.Now, Sleep: func(context.Context, time.Duration) error { cancel(); return context.Canceled }}
	_, end, err := f.c.Follow(ctx, dep, o)
	if err != nil || end != EndDetached {
		t.Fatalf("end %q err %v", end, err)
	}
}

func TestThrottledPollIsSkippedAndCounted(t *testing.T) {
	f := newFixture(t, ecslocal.ServiceSpec{})
	ctx := context.Background()
	dep, _ := f.c.Restart(ctx)
	f.stand.Throttle("DescribeServices", 2)
	var seen []Progress
	p, end, err := f.c.Follow(ctx, dep, f.opts(&seen))
	if err != nil || end != EndCompleted || p.Throttled != 2 {
		t.Fatalf("end %q err %v throttled %d", end, err, p.Throttled)
	}
}

func TestAccessDeniedNamesTheAction(t *testing.T) {
	f := newFixture(t, ecslocal.ServiceSpec{})
	ctx := context.Background()
	f.stand.Deny("UpdateService", "")
	_, err := f.c.Restart(ctx)
	var ad *AccessDeniedError
	if !errors.As(err, &ad) || ad.Action != "ecs:UpdateService" || !strings.Contains(err.Error(), "lack ecs:UpdateService") {
		t.Fatalf("denied: %v", err)
	}
	f.stand.Deny("RegisterTaskDefinition", "iam:PassRole")
	st, _ := f.c.Read(ctx)
	in, _ := RevisionWith(st.Current, st.Tags, "api", "ENSEMBLE_ENABLED", "false")
	_, err = f.c.Register(ctx, in)
	if !errors.As(err, &ad) || !strings.Contains(ad.Action, "iam:PassRole") {
		t.Fatalf("pass role: %v", err)
	}
}

func TestEndpointFromEnvironment(t *testing.T) {
	f := newFixture(t, ecslocal.ServiceSpec{})
	t.Setenv("AWS_ENDPOINT_URL_ECS", f.url)
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	api, err := NewSDKClient(context.Background(), Options{Region: "us-east-1", Anonymous: true, RetryMaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	before := f.stand.Calls()["DescribeServices"]
	if _, err := New(api, DefaultTarget("staging")).Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.stand.Calls()["DescribeServices"] != before+1 {
		t.Fatal("AWS_ENDPOINT_URL_ECS was not used")
	}
}
