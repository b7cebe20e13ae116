package runbooks

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
)

// embedded holds the runbooks shipped in the binary. It is read-only.
//
//go:embed *.md
var embedded embed.FS

// Embedded returns the file system of the shipped runbooks (one NAME.md per runbook).
func Embedded() fs.FS { return embedded }

// Library is a parsed, validated set of runbooks, sorted by name.
// Build it once and share it; it is never modified after NewLibrary.
type Library struct {
	books []Runbook
}

// NewLibrary parses every *.md at the root of fsys. It reports every broken
// runbook at once (joined errors), and also an alarm pattern claimed by two
// runbooks, because then the lookup would depend on tie-breaking rather
// than on what the authors meant.
func NewLibrary(fsys fs.FS) (*Library, error) {
	files, err := fs.Glob(fsys, "*.md")
	if err != nil {
		return nil, fmt.Errorf("runbooks: listing *.md: %w", err)
	}
	if len(files) == 0 {
		return nil, errors.New("runbooks: no *.md files found")
	}
	sort.Strings(files)
	var errs []error
	lib := &Library{}
	for _, f := range files {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			errs = append(errs, fmt.Errorf("runbooks: reading %s: %w", f, err))
			continue
		}
		rb, err := Parse(strings.TrimSuffix(f, ".md"), src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lib.books = append(lib.books, rb)
	}
	errs = append(errs, lib.duplicatePatterns()...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return lib, nil
}

func (l *Library) duplicatePatterns() []error {
	owner := map[string]string{}
	var errs []error
	for _, rb := range l.books {
		for _, p := range rb.AlarmPatterns {
			key := strings.ToLower(p)
			if prev, ok := owner[key]; ok && prev != rb.Name {
				errs = append(errs, fmt.Errorf("runbooks: alarm pattern %q is claimed by both %s and %s", p, prev, rb.Name))
				continue
			}
			owner[key] = rb.Name
		}
	}
	return errs
}

// All returns every runbook, sorted by name.
func (l *Library) All() []Runbook {
	out := make([]Runbook, len(l.books))
	for i, rb := range l.books {
		out[i] = rb.clone()
	}
	return out
}

// Names returns the runbook names, sorted.
func (l *Library) Names() []string {
	out := make([]string, len(l.books))
	for i, rb := range l.books {
		out[i] = rb.Name
	}
	return out
}

// Get returns the runbook called name (file name without .md).
func (l *Library) Get(name string) (Runbook, error) {
	for _, rb := range l.books {
		if rb.Name == name {
			return rb.clone(), nil
		}
	}
	return Runbook{}, fmt.Errorf("no runbook named %q; known runbooks: %s", name, strings.Join(l.Names(), ", "))
}

// Lookup finds the runbook for an alarm: first by alarm name pattern (the
// most specific pattern wins: most literal characters), then by the alarm's
// metric identity. Remaining ties go to the more severe runbook, then to
// the alphabetically first name, so the answer never depends on map or
// file order. Either argument group may be empty.
func (l *Library) Lookup(alarmName, namespace, metricName string) (Runbook, bool) {
	if rb, ok := l.lookupByName(alarmName); ok {
		return rb.clone(), true
	}
	if namespace == "" || metricName == "" {
		return Runbook{}, false
	}
	metric := namespace + "/" + metricName
	best := -1
	for i, rb := range l.books {
		if slices.Contains(rb.Metrics, metric) && (best < 0 || moreSevere(rb, l.books[best])) {
			best = i
		}
	}
	if best < 0 {
		return Runbook{}, false
	}
	return l.books[best].clone(), true
}

func (l *Library) lookupByName(alarmName string) (Runbook, bool) {
	if alarmName == "" {
		return Runbook{}, false
	}
	name := strings.ToLower(alarmName)
	best, bestScore := -1, -1
	for i, rb := range l.books {
		for _, p := range rb.AlarmPatterns {
			// Patterns were validated by Parse, so Match cannot fail here.
			if ok, _ := path.Match(strings.ToLower(p), name); !ok {
				continue
			}
			score := literalChars(p)
			if score > bestScore || (score == bestScore && moreSevere(rb, l.books[best])) {
				best, bestScore = i, score
			}
		}
	}
	if best < 0 {
		return Runbook{}, false
	}
	return l.books[best], true
}

// moreSevere orders a before b: more severe first, then by name. Books are
// sorted by name, so for equal severity the earlier one stays.
func moreSevere(a, b Runbook) bool {
	ra, rb := severityRank(a.Severity), severityRank(b.Severity)
	if ra != rb {
		return ra < rb
	}
	return a.Name < b.Name
}

// literalChars counts the characters of a glob that are not wildcards.
func literalChars(p string) int {
	return len(p) - strings.Count(p, "*") - strings.Count(p, "?")
}

func (r Runbook) clone() Runbook {
	r.AlarmPatterns = slices.Clone(r.AlarmPatterns)
	r.Metrics = slices.Clone(r.Metrics)
	r.Sections = slices.Clone(r.Sections)
	r.Steps = slices.Clone(r.Steps)
	r.Source = slices.Clone(r.Source)
	return r
}

// Default parses the embedded runbooks.
func Default() (*Library, error) { return NewLibrary(embedded) }

// All returns every embedded runbook, sorted by name.
func All() ([]Runbook, error) {
	lib, err := Default()
	if err != nil {
		return nil, err
	}
	return lib.All(), nil
}

// Get returns the embedded runbook called name (file name without .md).
func Get(name string) (Runbook, error) {
	lib, err := Default()
	if err != nil {
		return Runbook{}, err
	}
	return lib.Get(name)
}

// Lookup finds the embedded runbook for an alarm (see Library.Lookup). It
// reports false when the embedded runbooks do not parse; the test suite
// guarantees they do.
func Lookup(alarmName, namespace, metricName string) (Runbook, bool) {
	lib, err := Default()
	if err != nil {
		return Runbook{}, false
	}
	return lib.Lookup(alarmName, namespace, metricName)
}
