package cwlocal

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// A composite alarm's rule (CloudWatch's AlarmRule language): ALARM(name),
// OK(name), INSUFFICIENT_DATA(name), TRUE, FALSE, AND, OR, NOT and
// parentheses; a name is quoted ("...") or bare.
type ruleExpr interface {
	eval(state func(name string) string) bool
}

type (
	ruleState struct{ want, name string }
	ruleConst bool
	ruleNot   struct{ x ruleExpr }
	ruleBin   struct {
		and  bool
		l, r ruleExpr
	}
)

func (r ruleState) eval(st func(string) string) bool { return st(r.name) == r.want }
func (r ruleConst) eval(func(string) string) bool    { return bool(r) }
func (r ruleNot) eval(st func(string) string) bool   { return !r.x.eval(st) }
func (r ruleBin) eval(st func(string) string) bool {
	if r.and {
		return r.l.eval(st) && r.r.eval(st)
	}
	return r.l.eval(st) || r.r.eval(st)
}

type ruleParser struct {
	src   string
	pos   int
	names []string
	depth int
}

// parseRule parses an AlarmRule and returns the alarm names it reads.
func parseRule(src string) (ruleExpr, []string, error) {
	p := &ruleParser{src: src}
	e, err := p.or()
	if err != nil {
		return nil, nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, nil, fmt.Errorf("unexpected %q at offset %d", p.src[p.pos:], p.pos)
	}
	return e, p.names, nil
}

func (p *ruleParser) space() {
	for p.pos < len(p.src) && unicode.IsSpace(rune(p.src[p.pos])) {
		p.pos++
	}
}

// word reads a keyword if it comes next (case-sensitive, as CloudWatch).
func (p *ruleParser) word(w string) bool {
	p.space()
	if !strings.HasPrefix(p.src[p.pos:], w) {
		return false
	}
	end := p.pos + len(w)
	if end < len(p.src) && (unicode.IsLetter(rune(p.src[end])) || p.src[end] == '_') && w != "(" && w != ")" {
		return false
	}
	p.pos = end
	return true
}

func (p *ruleParser) or() (ruleExpr, error) {
	l, err := p.and()
	for err == nil && p.word("OR") {
		var r ruleExpr
		if r, err = p.and(); err == nil {
			l = ruleBin{and: false, l: l, r: r}
		}
	}
	return l, err
}

func (p *ruleParser) and() (ruleExpr, error) {
	l, err := p.unary()
	for err == nil && p.word("AND") {
		var r ruleExpr
		if r, err = p.unary(); err == nil {
			l = ruleBin{and: true, l: l, r: r}
		}
	}
	return l, err
}

func (p *ruleParser) unary() (ruleExpr, error) {
	if p.depth++; p.depth > 100 {
		return nil, fmt.Errorf("rule nested too deeply")
	}
	defer func() { p.depth-- }()
	switch {
	case p.word("NOT"):
		x, err := p.unary()
		return ruleNot{x}, err
	case p.word("TRUE"):
		return ruleConst(true), nil
	case p.word("FALSE"):
		return ruleConst(false), nil
	case p.word("("):
		x, err := p.or()
		if err == nil && !p.word(")") {
			err = fmt.Errorf("missing ')' at offset %d", p.pos)
		}
		return x, err
	}
	for _, st := range []string{StateInsufficientData, StateAlarm, StateOK} {
		if p.word(st) {
			return p.stateCall(st)
		}
	}
	p.space()
	return nil, fmt.Errorf("expected ALARM(...), OK(...), INSUFFICIENT_DATA(...), TRUE, FALSE, NOT or '(' at offset %d", p.pos)
}

func (p *ruleParser) stateCall(st string) (ruleExpr, error) {
	if !p.word("(") {
		return nil, fmt.Errorf("%s must be followed by '(' at offset %d", st, p.pos)
	}
	p.space()
	var name string
	if p.pos < len(p.src) && p.src[p.pos] == '"' {
		end := strings.IndexByte(p.src[p.pos+1:], '"')
		if end < 0 {
			return nil, fmt.Errorf("unterminated quoted alarm name at offset %d", p.pos)
		}
		name = p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
	} else {
		end := strings.IndexByte(p.src[p.pos:], ')')
		if end < 0 {
			return nil, fmt.Errorf("missing ')' after %s(", st)
		}
		name = strings.TrimSpace(p.src[p.pos : p.pos+end])
		p.pos += end
	}
	if name == "" {
		return nil, fmt.Errorf("%s() names no alarm", st)
	}
	if !p.word(")") {
		return nil, fmt.Errorf("missing ')' after %s(%q", st, name)
	}
	p.names = append(p.names, name)
	return ruleState{want: st, name: name}, nil
}

// composite is the composite-alarm part of an alarm.
type composite struct {
	in    PutCompositeAlarmInput
	rule  ruleExpr
	reads []string
}

func (s *Service) putCompositeAlarm(in *PutCompositeAlarmInput) (any, *APIError) {
	switch {
	case in.AlarmName == "":
		return nil, errMissing("AlarmName")
	case len(in.AlarmName) > 255:
		return nil, errInvalidValue("AlarmName is longer than 255 characters")
	case in.AlarmRule == "":
		return nil, errMissing("AlarmRule")
	case len(in.AlarmRule) > 10240:
		return nil, errInvalidValue("AlarmRule is longer than 10240 characters")
	}
	rule, names, err := parseRule(in.AlarmRule)
	if err != nil {
		return nil, errInvalidValue("AlarmRule: %v", err)
	}
	for _, n := range names {
		if n == in.AlarmName {
			return nil, errInvalidValue("AlarmRule: the alarm %q cannot read its own state", n)
		}
		if s.alarms[n] == nil {
			return nil, errInvalidValue("AlarmRule: alarm %q does not exist", n)
		}
	}
	if old := s.alarms[in.AlarmName]; old != nil && old.comp == nil {
		return nil, errInvalidValue("alarm %q is a metric alarm; delete it before reusing the name", in.AlarmName)
	}
	a := s.storeAlarm(in.AlarmName, &alarm{comp: &composite{in: *in, rule: rule, reads: names}}, in.Tags)
	s.evaluateComposite(a, s.cfg.Now())
	return &empty{}, nil
}

// evaluateComposite sets the state the rule gives: ALARM when it holds,
// OK when not. Caller holds the lock.
func (s *Service) evaluateComposite(a *alarm, now time.Time) {
	state := func(n string) string {
		if r := s.alarms[n]; r != nil {
			return r.state
		}
		return StateInsufficientData
	}
	next, why := StateOK, "does not hold"
	if a.comp.rule.eval(state) {
		next, why = StateAlarm, "holds"
	}
	if next == a.state {
		return
	}
	parts := make([]string, len(a.comp.reads))
	for i, n := range a.comp.reads {
		parts[i] = n + " is " + state(n)
	}
	s.transition(a, next, fmt.Sprintf("The rule %s: %s", why, strings.Join(parts, ", ")), "", now)
}

// describeComposite is the DescribeAlarms view of a composite alarm.
func (s *Service) describeComposite(a *alarm) CompositeAlarm {
	c := a.comp.in
	return CompositeAlarm{
		AlarmName: c.AlarmName, AlarmArn: s.arn("alarm", c.AlarmName), AlarmDescription: c.AlarmDescription,
		AlarmRule: c.AlarmRule, AlarmConfigurationUpdatedTimestamp: TS(a.configUpdated), ActionsEnabled: a.actionsEnabled(),
		OKActions: nonNil(c.OKActions), AlarmActions: nonNil(c.AlarmActions), InsufficientDataActions: nonNil(c.InsufficientDataActions),
		StateValue: a.state, StateReason: a.reason, StateReasonData: a.reasonData,
		StateUpdatedTimestamp: TS(a.updated), StateTransitionedTimestamp: TS(a.transitioned),
	}
}
