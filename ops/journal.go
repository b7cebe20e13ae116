package ops

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Journal phases.
const (
	PhaseIntent = "intent"
	PhaseResult = "result"
	// PhaseDrill is a drill's milestone (fault made, signal on, runbook
	// opened, cleared, and its report, Action "drill.report", in Result).
	PhaseDrill = "drill"
)

// Entry is one journal line.
type Entry struct {
	Time           time.Time         `json:"time"`
	ID             string            `json:"id"`
	Phase          string            `json:"phase"`
	Operator       string            `json:"operator,omitempty"`
	Environment    string            `json:"environment"`
	Action         string            `json:"action"`
	Kind           string            `json:"kind,omitempty"`
	Params         map[string]string `json:"params,omitempty"`
	Plan           string            `json:"plan,omitempty"`
	IdempotencyKey string            `json:"idempotencyKey,omitempty"`
	Status         int               `json:"status,omitempty"`
	// RequestID is the admin API's X-Request-Id of the write (result
	// entries only; journals written before it simply lack the field).
	RequestID string `json:"requestId,omitempty"`
	Outcome   string `json:"outcome,omitempty"` // ok, failed, refused, no change, in progress
	// ArmedReason is why a protected environment was armed for this write.
	ArmedReason  string        `json:"armedReason,omitempty"`
	Verification *Verification `json:"verification,omitempty"`
	DurationMs   float64       `json:"durationMs,omitempty"`
	Error        string        `json:"error,omitempty"`
	Result       string        `json:"result,omitempty"`
	// UndoOf is the id of the write this entry undoes.
	UndoOf string `json:"undoOf,omitempty"`
	// PID and ProcStart identify the process that wrote an intent (its start
	// time in clock ticks since boot, /proc/[pid]/stat field 22), so an
	// intent is "outcome unknown" only once that process is gone, never
	// while another run on the same journal is still applying it.
	PID       int    `json:"pid,omitempty"`
	ProcStart uint64 `json:"procStart,omitempty"`
	// Drill names the drill scenario the entry was written in: a rehearsal
	// on the embedded stack, not a real incident.
	Drill string `json:"drill,omitempty"`
}

// Journal is the append-only JSONL record of every action attempt. Each line
// is one write(2) on an O_APPEND file, under a mutex, then fsynced: lines from
// several goroutines or processes never interleave, and a crash loses at most
// the line being written.
type Journal struct {
	path     string
	redactor *Redactor

	mu         sync.Mutex
	f          *os.File
	unresolved []Entry
	torn       []int  // line numbers skipped at open time
	drill      string // stamped on every entry (MarkDrill)
}

// MarkDrill stamps every entry appended from now on with the drill's name.
func (j *Journal) MarkDrill(name string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.drill = name
}

// DefaultJournalPath is $XDG_STATE_HOME/gatewayops/journal.jsonl, falling
// back to ~/.local/state/gatewayops/journal.jsonl.
func DefaultJournalPath() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("journal: no XDG_STATE_HOME and no home directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "gatewayops", "journal.jsonl"), nil
}

// OpenJournal opens (creating) the journal and finds intents that never got a
// result: a crash or kill mid-action, reported as "outcome unknown".
func OpenJournal(path string, redactor *Redactor) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	entries, torn, err := ReadJournalTorn(path)
	if err != nil {
		return nil, err
	}
	// Read-write so Append can look at the last byte (fresh-line check).
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if redactor == nil {
		redactor = NewRedactor()
	}
	return &Journal{path: path, redactor: redactor, f: f, unresolved: unresolved(entries), torn: torn}, nil
}

// Torn lists the line numbers found at open time that are not whole
// entries (a write cut short by a full disk or a crash); they are skipped.
// Report them once, where the journal is opened.
func (j *Journal) Torn() []int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]int(nil), j.torn...)
}

// Path is the journal file.
func (j *Journal) Path() string { return j.path }

// Unresolved lists the intents found at open time that have no result.
func (j *Journal) Unresolved() []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Entry(nil), j.unresolved...)
}

// Append redacts and writes one entry as a single line, fsynced.
func (j *Journal) Append(e Entry) error {
	e = j.redactor.Entry(e)
	j.mu.Lock()
	if e.Drill == "" {
		e.Drill = j.drill
	}
	j.mu.Unlock()
	if e.Phase == PhaseIntent && e.PID == 0 {
		e.PID = os.Getpid()
		e.ProcStart, _ = procStart(e.PID)
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	line = append(line, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return errors.New("journal: closed")
	}
	// The fresh-line check and the write happen under an exclusive flock, so
	// another process's append cannot land between them.
	if err := syscall.Flock(int(j.f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("journal %s: lock: %w", j.path, err)
	}
	defer func() { _ = syscall.Flock(int(j.f.Fd()), syscall.LOCK_UN) }()
	if !j.endsWithNewline() {
		// An earlier line was cut short (disk full, crash mid-write): start
		// on a fresh line so this entry is not glued onto the fragment.
		line = append([]byte{'\n'}, line...)
	}
	if _, err := j.f.Write(line); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: fsync: %w", j.path, err)
	}
	return nil
}

// endsWithNewline reports whether the file is empty or ends in a newline.
func (j *Journal) endsWithNewline() bool {
	st, err := j.f.Stat()
	if err != nil || st.Size() == 0 {
		return true
	}
	var b [1]byte
	if _, err := j.f.ReadAt(b[:], st.Size()-1); err != nil {
		return true
	}
	return b[0] == '\n'
}

// Close closes the file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// ReadJournal reads every whole entry, skipping torn lines (ReadJournalTorn
// names them).
func ReadJournal(path string) ([]Entry, error) {
	entries, _, err := ReadJournalTorn(path)
	return entries, err
}

// ReadJournalTorn reads every entry and lists the line numbers that are not
// a JSON entry: a write cut short by a full disk or a crash, wherever it is
// (the next append starts on a fresh line, so only that line is lost). An
// empty line is not torn. Journals written before fresh-line appends read
// the same way.
func ReadJournalTorn(path string) ([]Entry, []int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	var out []Entry
	var torn []int
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.ID == "" || e.Phase == "" {
			torn = append(torn, n)
			continue
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return out, torn, nil
}

func unresolved(entries []Entry) []Entry {
	done := map[string]bool{}
	for _, e := range entries {
		if e.Phase == PhaseResult {
			done[e.ID] = true
		}
	}
	var out []Entry
	for _, e := range entries {
		if e.Phase == PhaseIntent && !done[e.ID] && !stillRunning(e) {
			e.Outcome = "outcome unknown"
			out = append(out, e)
		}
	}
	return out
}

// stillRunning is true when the intent's process is alive: same pid, same
// start time (a reused pid has another). Intents written before pids were
// recorded count as gone.
func stillRunning(e Entry) bool {
	if e.PID <= 0 || e.ProcStart == 0 {
		return false
	}
	start, err := procStart(e.PID)
	return err == nil && start == e.ProcStart
}

// procStart reads field 22 (starttime) of /proc/[pid]/stat. The command
// name (field 2) is in parentheses and may hold spaces, so fields are
// counted after its closing parenthesis.
func procStart(pid int) (uint64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	fields := strings.Fields(string(raw[i+1:]))
	// fields[0] is field 3 (state); starttime is field 22.
	if len(fields) < 20 {
		return 0, errors.New("short /proc stat")
	}
	return strconv.ParseUint(fields[19], 10, 64)
}

// Redactor replaces secrets with "[redacted]": configured secret values
// (API keys, Redis passwords) and text that looks like a credential.
type Redactor struct {
	secrets []string
}

// redactPatterns catch credentials the redactor was not told about.
var redactPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?i)((?:api[_-]?key|token|secret|password|passwd|authorization)["']?\s*[:=]\s*["']?)[^\s"',}]+`),
	regexp.MustCompile(`(?i)(redis(?:s)?://[^:/@\s]*:)[^@\s]+(@)`),
	regexp.MustCompile(`\b(?:sk|gwk|AKIA)[-_A-Za-z0-9]{16,}\b`),
}

// secretParam matches parameter names whose values are always secret.
var secretParam = regexp.MustCompile(`(?i)key|token|secret|password`)

// NewRedactor redacts the given secret values (empty ones are ignored).
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if len(s) >= 4 {
			r.secrets = append(r.secrets, s)
		}
	}
	// Longest first, so a secret containing another is replaced whole.
	sort.Slice(r.secrets, func(i, k int) bool { return len(r.secrets[i]) > len(r.secrets[k]) })
	return r
}

// String redacts one text.
func (r *Redactor) String(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "[redacted]")
	}
	for i, re := range redactPatterns {
		switch i {
		case 0:
			s = re.ReplaceAllString(s, "${1}[redacted]")
		case 1:
			s = re.ReplaceAllString(s, "${1}[redacted]${2}")
		default:
			s = re.ReplaceAllString(s, "[redacted]")
		}
	}
	return s
}

// Entry redacts every free-text field of an entry.
func (r *Redactor) Entry(e Entry) Entry {
	if e.Params != nil {
		p := make(map[string]string, len(e.Params))
		for k, v := range e.Params {
			if secretParam.MatchString(k) {
				v = "[redacted]"
			}
			p[k] = r.String(v)
		}
		e.Params = p
	}
	e.Plan = r.String(e.Plan)
	e.ArmedReason = r.String(e.ArmedReason)
	e.Error = r.String(e.Error)
	e.Result = r.String(e.Result)
	if e.Verification != nil {
		v := *e.Verification
		v.Detail = r.String(v.Detail)
		e.Verification = &v
	}
	return e
}
