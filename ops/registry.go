package ops

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Registry is the set of actions the grammar can name.
type Registry struct {
	actions map[string]Action
	names   []string
}

// NewRegistry registers actions; a duplicate name is a programming error.
func NewRegistry(actions ...Action) *Registry {
	r := &Registry{actions: map[string]Action{}}
	for _, a := range actions {
		name := a.Spec().Name
		if _, dup := r.actions[name]; dup {
			panic("ops: action registered twice: " + name)
		}
		r.actions[name] = a
		r.names = append(r.names, name)
	}
	sort.Strings(r.names)
	return r
}

// Names lists the action names, sorted.
func (r *Registry) Names() []string { return append([]string(nil), r.names...) }

// Action returns the named action.
func (r *Registry) Action(name string) (Action, bool) { a, ok := r.actions[name]; return a, ok }

// Parse parses and validates one command line.
func (r *Registry) Parse(line string) (Invocation, error) {
	cmd, err := ParseCommand(line)
	if err != nil {
		return Invocation{}, err
	}
	return r.Validate(cmd)
}

// Validate types a parsed command against its action's schema and applies
// defaults. It returns ONE error naming the problem and what is accepted.
func (r *Registry) Validate(cmd Command) (Invocation, error) {
	a, ok := r.actions[cmd.Action]
	if !ok {
		return Invocation{}, r.unknownAction(cmd.Action)
	}
	spec := a.Spec()
	inv := Invocation{Action: spec.Name, Values: map[string]any{}}
	given := append([]string(nil), cmd.Keys...)
	if len(given) == 0 {
		for k := range cmd.Args {
			given = append(given, k)
		}
	}
	sort.Strings(given)
	for _, k := range given {
		p, ok := spec.Param(k)
		if !ok {
			return Invocation{}, unknownParam(spec, k)
		}
		v, err := parseValue(p, cmd.Args[k])
		if err != nil {
			return Invocation{}, fmt.Errorf("%s: %w", spec.Name, err)
		}
		inv.Values[k] = v
	}
	inv.Given = given
	if err := applyDefaults(spec, &inv); err != nil {
		return Invocation{}, err
	}
	return inv, checkExactlyOne(spec, inv)
}

func applyDefaults(spec Spec, inv *Invocation) error {
	for _, p := range spec.Params {
		if _, ok := inv.Values[p.Name]; ok {
			continue
		}
		if p.Required {
			return fmt.Errorf("%s: missing required parameter %s (%s): write %s=%s", spec.Name, p.Name, p.Help, p.Name, exampleValue(p))
		}
		if p.Default == "" {
			continue
		}
		v, err := parseValue(p, p.Default)
		if err != nil {
			return fmt.Errorf("%s: bad default (a bug): %w", spec.Name, err)
		}
		inv.Values[p.Name] = v
	}
	return nil
}

func checkExactlyOne(spec Spec, inv Invocation) error {
	if len(spec.ExactlyOneOf) == 0 {
		return nil
	}
	var set []string
	for _, n := range spec.ExactlyOneOf {
		if inv.Has(n) {
			set = append(set, n)
		}
	}
	if len(set) != 1 {
		return fmt.Errorf("%s: give exactly one of %s (got %d: %s)", spec.Name,
			strings.Join(spec.ExactlyOneOf, ", "), len(set), strings.Join(set, ", "))
	}
	return nil
}

func exampleValue(p Param) string {
	switch p.Type {
	case TypeEnum:
		return strings.Join(p.Enum, "|")
	case TypeBool:
		return "true|false"
	case TypeInt:
		return "N"
	case TypeDuration:
		return "5m"
	}
	return "VALUE"
}

func unknownParam(spec Spec, key string) error {
	names := spec.paramNames()
	if len(names) == 0 {
		return fmt.Errorf("%s: unknown parameter %q: this action takes no parameters", spec.Name, key)
	}
	return fmt.Errorf("%s: unknown parameter %q; accepted: %s", spec.Name, key, strings.Join(names, ", "))
}

func (r *Registry) unknownAction(name string) error {
	msg := fmt.Sprintf("unknown action %q", name)
	if near := nearest(name, r.names); near != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", near)
	}
	return errors.New(msg + "; known actions: " + strings.Join(r.names, ", "))
}

// nearest returns the candidate closest by edit distance, if close enough to help.
func nearest(s string, candidates []string) string {
	best, bestD := "", len(s)/2+2
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Complete offers completions of a partial command line for the palette:
// action names, then `key=` for parameters not yet written, then enum (and
// bool) values. Each completion is the whole line as it would read.
func (r *Registry) Complete(prefix string) []string {
	head, last, hasSpace := cutLast(prefix)
	if !hasSpace {
		var out []string
		for _, n := range r.names {
			if strings.HasPrefix(n, last) {
				out = append(out, n)
			}
		}
		return out
	}
	cmd, err := ParseCommand(strings.TrimSpace(head))
	if err != nil {
		return nil
	}
	a, ok := r.actions[cmd.Action]
	if !ok {
		return nil
	}
	spec := a.Spec()
	if key, partial, isValue := strings.Cut(last, "="); isValue {
		p, ok := spec.Param(key)
		if !ok {
			return nil
		}
		var out []string
		for _, v := range valueChoices(p) {
			if strings.HasPrefix(v, partial) {
				out = append(out, head+key+"="+v)
			}
		}
		return out
	}
	var out []string
	for _, p := range spec.Params {
		if _, used := cmd.Args[p.Name]; !used && strings.HasPrefix(p.Name, last) {
			out = append(out, head+p.Name+"=")
		}
	}
	return out
}

func valueChoices(p Param) []string {
	switch p.Type {
	case TypeEnum:
		return p.Enum
	case TypeBool:
		return []string{"true", "false"}
	}
	return nil
}

// cutLast splits at the last space: everything up to and including it, and the word being typed.
func cutLast(s string) (head, last string, ok bool) {
	i := strings.LastIndexAny(s, " \t")
	if i < 0 {
		return "", s, false
	}
	return s[:i+1], s[i+1:], true
}

// Help renders one action's usage from its schema.
func (r *Registry) Help(name string) (string, error) {
	a, ok := r.actions[name]
	if !ok {
		return "", r.unknownAction(name)
	}
	return specHelp(a.Spec()), nil
}

// HelpAll renders every action's usage.
func (r *Registry) HelpAll() string {
	var b strings.Builder
	for _, n := range r.names {
		b.WriteString(specHelp(r.actions[n].Spec()))
		b.WriteString("\n")
	}
	return b.String()
}

func specHelp(s Spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s\n", s.Name, s.Kind, s.Summary)
	for _, p := range s.Params {
		fmt.Fprintf(&b, "  %s=%s  %s", p.Name, typeText(p), p.Help)
		var notes []string
		if p.Required {
			notes = append(notes, "required")
		}
		if p.Default != "" {
			notes = append(notes, "default "+p.Default)
		}
		if len(notes) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(notes, ", "))
		}
		b.WriteString("\n")
	}
	if len(s.ExactlyOneOf) > 0 {
		fmt.Fprintf(&b, "  give exactly one of: %s\n", strings.Join(s.ExactlyOneOf, ", "))
	}
	if s.Inverse != "" {
		fmt.Fprintf(&b, "  undo: %s\n", s.Inverse)
	}
	return b.String()
}

func typeText(p Param) string {
	switch {
	case p.Type == TypeEnum:
		return strings.Join(p.Enum, "|")
	case p.Type == TypeInt && p.Max > p.Min:
		return fmt.Sprintf("int %d..%d", p.Min, p.Max)
	case p.Type == TypeDuration && p.MaxDuration > 0:
		return fmt.Sprintf("duration %s..%s", formatDuration(p.MinDuration), formatDuration(p.MaxDuration))
	case p.Type == TypeDuration && p.MinDuration > 0:
		return fmt.Sprintf("duration >= %s", formatDuration(p.MinDuration))
	}
	return string(p.Type)
}
