package ops

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestJournalAppendAfterAHandWrittenFragment: a fragment in the middle of the
// file (an earlier writer cut short) is skipped and reported once; the next
// append starts on a fresh line and every whole entry reads back.
func TestJournalAppendAfterAHandWrittenFragment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	a, _ := json.Marshal(Entry{ID: "a", Phase: PhaseIntent, Action: "flags.set"})
	if err := os.WriteFile(path, append(append(a, '\n'), `{"id":"b","phase":"int`...), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := OpenJournal(path, nil)
	if err != nil {
		t.Fatalf("a torn line must not stop the journal from opening: %v", err)
	}
	if torn := j.Torn(); len(torn) != 1 || torn[0] != 2 {
		t.Errorf("torn = %v, want line 2", torn)
	}
	for _, id := range []string{"a", "c"} {
		if err := j.Append(Entry{ID: id, Phase: PhaseResult, Action: "flags.set", Outcome: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	entries, torn, err := ReadJournalTorn(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || entries[1].ID != "a" || entries[2].ID != "c" || len(torn) != 1 || torn[0] != 2 {
		t.Fatalf("entries %+v, torn %v: want a, a, c and line 2 torn", entries, torn)
	}
}

// TestJournalOnAFullDisk fills a small tmpfs until ENOSPC, so an append is
// cut short for real; after space is freed, appends start on a fresh line,
// nothing beyond the torn line is lost, and the torn line is reported.
func TestJournalOnAFullDisk(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount a 64k tmpfs (tests run as root): %v: %s", err, out)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, 0) })
	path := filepath.Join(dir, "journal.jsonl")
	j, err := OpenJournal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := j.Append(Entry{ID: "before", Phase: PhaseIntent, Action: "flags.set"}); err != nil {
		t.Fatal(err)
	}
	filler := fillDisk(t, dir)
	st, _ := os.Stat(path)
	big := Entry{ID: "cut", Phase: PhaseIntent, Action: "flags.set", Plan: strings.Repeat("x", 8000)}
	err = j.Append(big)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("append on a full disk: %v, want ENOSPC", err)
	}
	if st2, _ := os.Stat(path); st2.Size() == st.Size() {
		t.Fatal("the append wrote nothing, so no line was torn and nothing was tested")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(Entry{ID: "after", Phase: PhaseResult, Action: "flags.set", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	entries, torn, err := ReadJournalTorn(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].ID != "before" || entries[1].ID != "after" || len(torn) != 1 {
		t.Fatalf("entries %+v, torn %v: want before and after, one torn line", entries, torn)
	}
	j2, err := OpenJournal(path, nil)
	if err != nil {
		t.Fatalf("reopen after a torn line: %v", err)
	}
	defer j2.Close()
	if len(j2.Torn()) != 1 {
		t.Fatalf("torn at reopen: %v", j2.Torn())
	}
}

// fillDisk writes a file in dir until the filesystem refuses with ENOSPC.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for size := len(chunk); size > 0; size /= 2 {
		for {
			if _, err := f.Write(chunk[:size]); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
	}
	return name
}

// TestJournalInFlightIntentOfALiveRunIsNotUnknown: two runs share a journal;
// the intent of the one still applying (this process) is not reported as
// "outcome unknown" by the other, and it records pid and start time.
func TestJournalInFlightIntentOfALiveRunIsNotUnknown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	first, err := OpenJournal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if err := first.Append(Entry{ID: "live", Phase: PhaseIntent, Action: "flags.set"}); err != nil {
		t.Fatal(err)
	}
	second, err := OpenJournal(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if un := second.Unresolved(); len(un) != 0 {
		t.Fatalf("a live run's intent reported as %+v", un)
	}
	entries, _ := ReadJournal(path)
	if len(entries) != 1 || entries[0].PID != os.Getpid() || entries[0].ProcStart == 0 {
		t.Fatalf("intent %+v: want this pid and its start time", entries)
	}
}

// TestAWriteThatChangesNothingIsJournaled: breaker.reset of a closed breaker
// plans "nothing to reset"; the attempt is still one journal line.
func TestAWriteThatChangesNothingIsJournaled(t *testing.T) {
	s := newStack(t, "staging", "standard")
	inv, err := s.runner.Registry.Parse("breaker.reset component=kms")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.runner.Prepare(context.Background(), inv)
	if err != nil || !p.Plan.NoChange {
		t.Fatalf("plan %+v %v: want no change", p.Plan, err)
	}
	if err := s.runner.JournalNoChange(p); err != nil {
		t.Fatal(err)
	}
	entries, _ := ReadJournal(s.journal.Path())
	if len(entries) != 1 || entries[0].Outcome != "no change" || entries[0].Action != "breaker.reset" || entries[0].Phase != PhaseResult {
		t.Fatalf("journal %+v", entries)
	}
}

// TestAWriteThatCannotBeJournaledFailsLoudly: the runner refuses to act
// without its intent on disk, and the outcome carries the error (--json).
func TestAWriteThatCannotBeJournaledFailsLoudly(t *testing.T) {
	s := newStack(t, "staging", "standard")
	s.openBreaker("kms")
	s.journal.Close() // stands for a journal that can no longer be written
	out, err := s.runner.Run(context.Background(), "breaker.reset component=kms", Confirmation{StartKey: "run", ConfirmKey: "--yes"})
	if err == nil || out.OK() || !strings.Contains(out.ErrMessage, "cannot journal the intent") {
		t.Fatalf("outcome %+v, err %v: want a failure naming the journal", out, err)
	}
}

// TestConfigNeverEchoesARefusedVariableName: a Redis URL with its password,
// or a random-looking token, where a variable name belongs is refused
// without being printed.
func TestConfigNeverEchoesARefusedVariableName(t *testing.T) {
	for _, secret := range []string{"redis://:hunter2pass@10.0.0.5:6379", "Zk3qP9xLm2Vb7Rt4Wc8N", "ZK3QP9XLM2VB7RT4WC8N", "gwk-abc def"} {
		e := Environment{Name: "staging", Safety: Standard, Region: "us-east-1", AdminURL: "https://admin.example",
			AdminKeyEnv: secret}
		err := validateEnvironment(&e)
		if err == nil {
			t.Errorf("%q accepted as a variable name", secret)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("refusal echoes the value: %v", err)
		}
	}
	ok := Environment{Name: "staging", Safety: Standard, Region: "us-east-1", AdminURL: "https://admin.example",
		AdminKeyEnv: "GATEWAY_ADMIN_KEY_STAGING"}
	if err := validateEnvironment(&ok); err != nil {
		t.Errorf("a conventional name refused: %v", err)
	}
}
