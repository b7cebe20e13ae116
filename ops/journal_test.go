package ops

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestJournalIntentWithoutResultIsOutcomeUnknown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "journal.jsonl")
	j, err := OpenJournal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(id, phase string) Entry {
		return Entry{Time: time.Now(), ID: id, Phase: phase, Environment: "staging", Action: "breaker.reset", Params: map[string]string{"component": "kms"}}
	}
	// b's intent comes from a process that has exited (its pid recorded).
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	b := mk("b", PhaseIntent)
	b.PID, b.ProcStart = gone.Process.Pid, 1
	for _, e := range []Entry{mk("a", PhaseIntent), mk("a", PhaseResult), b} {
		if err := j.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	j.f.Close()
	j2, err := OpenJournal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	un := j2.Unresolved()
	if len(un) != 1 || un[0].ID != "b" || un[0].Outcome != "outcome unknown" {
		t.Fatalf("unresolved = %+v", un)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, want 0600", info.Mode().Perm())
	}
}

func TestJournalSkipsATornLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	good, _ := json.Marshal(Entry{ID: "a", Phase: PhaseIntent, Action: "flags.set"})
	if err := os.WriteFile(path, append(append(good, '\n'), []byte(`{"id":"b","pha`)...), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := OpenJournal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if un := j.Unresolved(); len(un) != 1 || un[0].ID != "a" {
		t.Errorf("unresolved = %+v", un)
	}
	if err := os.WriteFile(path, []byte("garbage\n"+string(good)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	entries, torn, err := ReadJournalTorn(path)
	if err != nil || len(entries) != 1 || len(torn) != 1 || torn[0] != 1 {
		t.Errorf("torn first line: entries %d, torn %v, err %v; want the good entry and line 1 reported", len(entries), torn, err)
	}
}

func TestJournalRedactsSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	secret := "gwk-s3cr3t-value-0123456789abcdef"
	j, err := OpenJournal(path, NewRedactor(secret, "hunter22"))
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{ID: "x", Phase: PhaseResult, Action: "alarm.mute",
		Params:       map[string]string{"reason": "key was " + secret, "api_key": "anything"},
		Plan:         "connect redis://default:hunter22@redis:6379",
		Error:        `header X-API-Key: abc123 refused; password=pw1; token="tok-9"`,
		Result:       "sk-ABCDEFGHIJKLMNOPQRSTUV leaked",
		Verification: &Verification{Detail: "used " + secret},
	}
	if err := j.Append(e); err != nil {
		t.Fatal(err)
	}
	j.Close()
	raw, _ := os.ReadFile(path)
	for _, leak := range []string{secret, "hunter22", "anything", "abc123", "pw1", "tok-9", "sk-ABCDEFGHIJKLMNOPQRSTUV"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("journal contains %q: %s", leak, raw)
		}
	}
	if !strings.Contains(string(raw), "[redacted]") {
		t.Errorf("no redaction marker: %s", raw)
	}
}

// Several goroutines on two handles of the same file: every line parses, none lost.
func TestJournalConcurrentWritersNeverTearLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	j1, err := OpenJournal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	j2, err := OpenJournal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 50
	var wg sync.WaitGroup
	for w := range writers {
		j := j1
		if w%2 == 1 {
			j = j2
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := Entry{ID: fmt.Sprintf("w%d-%d", w, i), Phase: PhaseIntent, Action: "reservations.drain",
					Plan: strings.Repeat("x", 3000)}
				if err := j.Append(e); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	j1.Close()
	j2.Close()
	checkAllLines(t, path, writers*each)
}

// Two processes appending to one journal: the test binary re-runs itself.
func TestJournalTwoProcessesAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	const each = 200
	var cmds []*exec.Cmd
	for p := range 2 {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "GATEWAYOPS_JOURNAL_HELPER="+path, "GATEWAYOPS_JOURNAL_HELPER_N="+strconv.Itoa(each), "GATEWAYOPS_JOURNAL_HELPER_P="+strconv.Itoa(p))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	checkAllLines(t, path, 2*each)
}

// TestMain doubles as the child process of the journal's multi-process
// tests: with GATEWAYOPS_JOURNAL_HELPER set it appends to that journal (and,
// asked to, hangs "mid-action" until killed) instead of running the tests.
func TestMain(m *testing.M) {
	if path := os.Getenv("GATEWAYOPS_JOURNAL_HELPER"); path != "" {
		if err := journalHelper(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func journalHelper(path string) error {
	n, _ := strconv.Atoi(os.Getenv("GATEWAYOPS_JOURNAL_HELPER_N"))
	p := os.Getenv("GATEWAYOPS_JOURNAL_HELPER_P")
	j, err := OpenJournal(path, nil)
	if err != nil {
		return err
	}
	defer j.Close()
	for i := range n {
		if err := j.Append(Entry{ID: fmt.Sprintf("p%s-%d", p, i), Phase: PhaseIntent, Plan: strings.Repeat("y", 2000)}); err != nil {
			return err
		}
	}
	if os.Getenv("GATEWAYOPS_JOURNAL_HELPER_HANG") != "" {
		fmt.Println("ready")
		time.Sleep(time.Minute) // "mid-action" until the parent kills this process
		return errors.New("not killed")
	}
	return nil
}

func checkAllLines(t *testing.T, path string, want int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	ids := map[string]bool{}
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("torn line %q: %v", sc.Text(), err)
		}
		ids[e.ID] = true
	}
	if len(ids) != want {
		t.Fatalf("%d distinct entries, want %d", len(ids), want)
	}
}

func TestDefaultJournalPathHonoursXDG(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/tmp/xdg-state")
	if p, _ := DefaultJournalPath(); p != "/tmp/xdg-state/gatewayops/journal.jsonl" {
		t.Errorf("path = %s", p)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/oncall")
	if p, _ := DefaultJournalPath(); p != "/home/oncall/.local/state/gatewayops/journal.jsonl" {
		t.Errorf("path = %s", p)
	}
}

// A real kill: a child process journals an intent and is SIGKILLed before it
// can write the result; the next open reports the outcome as unknown.
func TestJournalSurvivesAKilledProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "GATEWAYOPS_JOURNAL_HELPER="+path, "GATEWAYOPS_JOURNAL_HELPER_N=1",
		"GATEWAYOPS_JOURNAL_HELPER_P=killed", "GATEWAYOPS_JOURNAL_HELPER_HANG=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child says "ready" once its intent is fsynced, then hangs "mid-action".
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("child: %q %v", line, err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	j, err := OpenJournal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if un := j.Unresolved(); len(un) != 1 || un[0].ID != "pkilled-0" || un[0].Outcome != "outcome unknown" {
		t.Fatalf("unresolved = %+v", un)
	}
}
