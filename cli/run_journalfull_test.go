package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"gatewayops/gateway"
	"gatewayops/gateway/admintest"
	"gatewayops/ops"
)

// journalFullStack is a real admin server on a real redis-server, a config
// at the default path ($XDG_CONFIG_HOME/gatewayops/config.toml) and the
// state directory ($XDG_STATE_HOME/gatewayops, where the journal lives).
type journalFullStack struct {
	store    *gateway.Store
	stateDir string
}

func startJournalFullStack(t *testing.T) journalFullStack {
	t.Helper()
	isolateAWSConfig(t)
	admin := admintest.Start(t, admintest.Options{Environment: "staging", KeyName: "cli", Key: cliAdminKey})
	xdg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", xdg)
	t.Setenv("XDG_STATE_HOME", filepath.Join(xdg, "state"))
	t.Setenv("GATEWAYOPS_TEST_ADMIN_KEY", cliAdminKey)
	path := filepath.Join(xdg, "gatewayops", "config.toml")
	stateDir := filepath.Join(xdg, "state", "gatewayops")
	for _, d := range []string{filepath.Dir(path), stateDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cfg := fmt.Sprintf(`operator = "journal-full-test"
default_environment = "staging"
[environments.staging]
region = "us-east-1"
admin_url = %q
admin_key_env = "GATEWAYOPS_TEST_ADMIN_KEY"
safety = "standard"
`, admin.HTTP.URL)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return journalFullStack{store: admin.Store, stateDir: stateDir}
}

// mountFullTmpfs mounts a small tmpfs on dir and fills it until ENOSPC, so
// the journal can be opened but not one more line appended to it. Tests run
// as root here and in CI: a failed mount fails the test.
func mountFullTmpfs(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a 64k tmpfs on %s (tests run as root): %v: %s", dir, err, out)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	// The journal file exists before the disk is full, as it does on an
	// engineer's machine after the first run.
	if err := os.WriteFile(filepath.Join(dir, "journal.jsonl"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for size := len(chunk); size > 0; size /= 2 {
		for {
			_, err := f.Write(chunk[:size])
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

func (s journalFullStack) flag(t *testing.T, name string) bool {
	t.Helper()
	f, err := s.store.Flags(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return f.Values[name]
}

// Issue 10 item 11: a write whose intent cannot be journaled is not sent,
// and `run` says so: exit 1, the journal error in --json and in the text
// output, the flag unchanged in Redis, no secret printed.
func TestRunRefusesAWriteItCannotJournal(t *testing.T) {
	s := startJournalFullStack(t)
	mountFullTmpfs(t, s.stateDir)
	if s.flag(t, "ensemble_enabled") {
		t.Fatal("ensemble_enabled starts true: the test would prove nothing")
	}

	code, out, errs := runCLI("run", "flags.set", "ensemble_enabled=true", "--yes", "--json")
	if code != exitFailed {
		t.Errorf("--json: exit %d, want %d; stdout %q stderr %q", code, exitFailed, out, errs)
	}
	var got ops.Outcome
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json output is not one outcome: %v: %q", err, out)
	}
	const want = "not running flags.set: cannot journal the intent"
	if !strings.Contains(got.ErrMessage, want) || !strings.Contains(got.ErrMessage, "no space left on device") {
		t.Errorf("--json error = %q, want %q and the ENOSPC cause", got.ErrMessage, want)
	}
	if got.Result.Status != 0 || got.Verification != nil {
		t.Errorf("--json shows a write that was sent: %+v", got)
	}
	if s.flag(t, "ensemble_enabled") {
		t.Fatal("the write was applied though its intent was not journaled")
	}
	assertNoSecret(t, out+errs)

	code, out, errs = runCLI("run", "flags.set", "ensemble_enabled=true", "--yes")
	if code != exitFailed || !strings.Contains(errs, "gatewayops run: "+want) || !strings.Contains(errs, "no space left on device") {
		t.Errorf("text: exit %d, stderr %q; want %d and %q", code, errs, exitFailed, want)
	}
	if !strings.Contains(out, "set ensemble_enabled false -> true") || strings.Contains(out, "verify:") || strings.Contains(out, "undo:") {
		t.Errorf("text stdout %q: want the plan and no verification or undo of a write that never ran", out)
	}
	if s.flag(t, "ensemble_enabled") {
		t.Fatal("the write was applied though its intent was not journaled")
	}
	assertNoSecret(t, out+errs)
}

// A journal path that cannot be opened at all (here a directory) stops the
// run before anything is planned or sent.
func TestRunRefusesWhenTheJournalCannotBeOpened(t *testing.T) {
	s := startJournalFullStack(t)
	if err := os.Mkdir(filepath.Join(s.stateDir, "journal.jsonl"), 0o700); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI("run", "flags.set", "ensemble_enabled=true", "--yes", "--json")
	if code != exitFailed || !strings.Contains(errs, "journal.jsonl") {
		t.Errorf("exit %d, stdout %q, stderr %q; want %d and the journal's path", code, out, errs, exitFailed)
	}
	if s.flag(t, "ensemble_enabled") {
		t.Fatal("the write was applied without a journal")
	}
	assertNoSecret(t, out+errs)
}

func assertNoSecret(t *testing.T, printed string) {
	t.Helper()
	if strings.Contains(printed, cliAdminKey) || strings.Contains(printed, cliAdminKey[len(cliAdminKey)-12:]) {
		t.Errorf("the admin key was printed: %q", printed)
	}
}
