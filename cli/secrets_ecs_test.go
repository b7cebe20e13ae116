package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gatewayops/alarms/cwlocal"
	"gatewayops/gateway/ecsdeploy"
	"gatewayops/gateway/ecslocal"
)

// secretPEM stands for a key someone put in the plain environment of the
// gateway's container: nothing gatewayops prints or journals may contain it.
const secretPEM = "-----BEGIN PRIVATE KEY-----\nMIIEvSECRETpemBODYqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"

// ecsRunStack is the ECS stand-in on the real clock, converging fast (a
// task starts in 300 ms), a cwlocal and a config naming them.
type ecsRunStack struct {
	stand  *ecslocal.Service
	config string
	state  string
}

func startECSRun(t *testing.T) ecsRunStack {
	t.Helper()
	stand := ecslocal.New(ecslocal.Config{Tick: 100 * time.Millisecond, StartDelay: 300 * time.Millisecond})
	tgt := ecsdeploy.DefaultTarget("staging")
	if _, err := stand.CreateService(ecslocal.ServiceSpec{Cluster: tgt.Cluster, Name: tgt.Service,
		TaskDefinition: ecslocal.GatewayTaskDefinition("staging", secretPEM)}); err != nil {
		t.Fatal(err)
	}
	_, cwURL := cwlocal.StartForTest(t)
	dir := t.TempDir()
	s := ecsRunStack{stand: stand, config: filepath.Join(dir, "config.toml"), state: filepath.Join(dir, "state")}
	cfg := fmt.Sprintf(`[environments.staging]
region = "us-east-1"
cloudwatch_endpoint = %q
admin_url = "http://127.0.0.1:9"
safety = "standard"
flags_backend = "ecs"
`, cwURL)
	if err := os.WriteFile(s.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	isolateAWSConfig(t)
	t.Setenv("AWS_ENDPOINT_URL_ECS", ecslocal.StartForTest(t, stand))
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("XDG_STATE_HOME", s.state)
	return s
}

// TestHeadlessECSFlagSetPrintsEverythingButSecrets runs
// `gatewayops run flags.set ensemble_enabled=false --env staging --yes`
// against the stand-in: plan with the one-variable diff, progress lines,
// both verification parts and the undo; exit 1 because, with no metrics at
// all, the effect cannot be observed (never PASS on "rolled out" alone).
func TestHeadlessECSFlagSetPrintsEverythingButSecrets(t *testing.T) {
	s := startECSRun(t)
	var out, errb bytes.Buffer
	code := dispatch(context.Background(), []string{"run", "flags.set", "ensemble_enabled=false", "--env", "staging", "--yes", "--config", s.config}, &out, &errb)
	all := out.String() + errb.String()
	if code != 1 {
		t.Fatalf("exit %d, want 1 (effect not observable); output:\n%s", code, all)
	}
	for _, want := range []string{`ENSEMBLE_ENABLED "true" -> "false" in container api`, "registers arrakis-staging-api:2",
		"progress: [....................] rollout arrakis-staging-api:2: IN_PROGRESS", "progress: rollout COMPLETED: 1/1 tasks run arrakis-staging-api:2",
		"verify: FAIL: rolled out: PASS: PRIMARY runs arrakis-staging-api:2, 1/1 running", "effect: NOT OBSERVABLE",
		"undo: gatewayops run service.rollback expect=arrakis-staging-api:2 revision=arrakis-staging-api:1 --env staging"} {
		if !strings.Contains(all, want) {
			t.Errorf("output lacks %q:\n%s", want, all)
		}
	}
	journal, err := os.ReadFile(filepath.Join(s.state, "gatewayops", "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"MIIEvSECRET", "PRIVATE KEY", "secretsmanager", "DATABASE_URL"} {
		if strings.Contains(all, leak) || strings.Contains(string(journal), leak) {
			t.Errorf("%q of another variable printed or journaled", leak)
		}
	}
	if !strings.Contains(string(journal), "arrakis-staging-api:1") || !strings.Contains(string(journal), "registered arrakis-staging-api:2") {
		t.Errorf("journal lacks both revisions:\n%s", journal)
	}
	// The undo the CLI printed works, and service.status shows only flag variables.
	undo := []string{"run", "service.rollback", "expect=arrakis-staging-api:2", "revision=arrakis-staging-api:1", "--env", "staging", "--yes", "--config", s.config}
	out.Reset()
	errb.Reset()
	if code := dispatch(context.Background(), undo, &out, &errb); code != 1 || !strings.Contains(out.String(), "rolled out: PASS: PRIMARY runs arrakis-staging-api:1") {
		t.Fatalf("undo exit %d:\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := dispatch(context.Background(), []string{"run", "service.status", "--env", "staging", "--config", s.config}, &out, &errb); code != 0 ||
		!strings.Contains(out.String(), `ENSEMBLE_ENABLED="true"`) || strings.Contains(out.String(), "MIIE") {
		t.Fatalf("status exit %d:\n%s", code, out.String())
	}
}

// cancelOn is stdout that cancels the command's context (Ctrl-C) once a
// line containing trigger has been written.
type cancelOn struct {
	bytes.Buffer
	trigger string
	cancel  context.CancelFunc
}

func (w *cancelOn) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if strings.Contains(w.String(), w.trigger) {
		w.cancel()
	}
	return n, err
}

// Ctrl-C while `run` follows a rollout: the write was made and ECS goes on,
// so the exit is 4 (in progress), not 1, the journal's outcome is "in
// progress" and `journal export` shows it as such.
func TestHeadlessCtrlCDuringRolloutExitsInProgress(t *testing.T) {
	s := startECSRun(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelOn{trigger: "IN_PROGRESS", cancel: cancel}
	var errb bytes.Buffer
	code := dispatch(ctx, []string{"run", "flags.set", "ensemble_enabled=false", "--env", "staging", "--yes", "--config", s.config}, out, &errb)
	all := out.String() + errb.String()
	if code != exitInProgress || !strings.Contains(all, "rollout in progress: detached") {
		t.Fatalf("exit %d, want %d; output:\n%s", code, exitInProgress, all)
	}
	journal, err := os.ReadFile(filepath.Join(s.state, "gatewayops", "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(journal), `"outcome":"in progress"`) || strings.Contains(string(journal), `"outcome":"failed"`) {
		t.Fatalf("journal:\n%s", journal)
	}
	var md, mdErr bytes.Buffer
	if code := dispatch(context.Background(), []string{"journal", "export", "--since", "2h", "--env", "staging", "--config", s.config}, &md, &mdErr); code != 0 ||
		!strings.Contains(md.String(), "**in progress** (detached from the rollout") {
		t.Fatalf("journal export exit %d:\n%s%s", code, md.String(), mdErr.String())
	}
}
