package ops

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Safety profiles of an environment.
const (
	// Protected (production): read-only until armed with a reason and a time
	// limit; every write needs the environment's name typed exactly.
	Protected = "protected"
	// Standard (staging): one confirming key that differs from the starting key.
	Standard = "standard"
)

// SafetyProfiles lists the accepted profiles.
func SafetyProfiles() []string { return []string{Protected, Standard} }

// DefaultMaxArm is the longest an operator may arm a protected environment.
const DefaultMaxArm = time.Hour

// Rule names which part of the policy refused a write, so a front end can
// add its own hint (a key to press, a flag to pass) without restating the rule.
type Rule string

// The rules of the policy.
const (
	// RuleNotArmed: a protected environment is read-only until armed.
	RuleNotArmed Rule = "not-armed"
	// RuleNotTyped: a protected write needs the environment's name typed exactly.
	RuleNotTyped Rule = "name-not-typed"
	// RuleNoConfirmation: a standard write needs a confirmation.
	RuleNoConfirmation Rule = "no-confirmation"
	// RuleSameKey: the confirming key must differ from the starting key.
	RuleSameKey Rule = "same-key"
)

// RefusedError is a write the safety policy refused; Reason says what to do.
type RefusedError struct {
	Rule   Rule
	Reason string
}

func (e *RefusedError) Error() string { return "refused by safety policy: " + e.Reason }

// IsRefused says whether err is a safety refusal.
func IsRefused(err error) bool {
	var r *RefusedError
	return errors.As(err, &r)
}

// RefusedRule is the rule that refused err ("" when err is no refusal).
func RefusedRule(err error) Rule {
	var r *RefusedError
	if errors.As(err, &r) {
		return r.Rule
	}
	return ""
}

func refused(rule Rule, format string, args ...any) error {
	return &RefusedError{Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

// Confirmation is what the operator typed or pressed to confirm a write.
type Confirmation struct {
	// StartKey is the key that started the action; ConfirmKey the one that
	// confirmed it (standard). They must differ, so a held or repeated key
	// cannot confirm its own action.
	StartKey, ConfirmKey string
	// Typed is the text typed into the confirmation prompt (protected).
	Typed string
}

// Policy is the safety policy of one environment. It is safe for concurrent use.
type Policy struct {
	profile     string
	environment string
	maxArm      time.Duration
	now         func() time.Time

	mu         sync.Mutex
	armedUntil time.Time
	armReason  string
}

// NewPolicy builds the policy for an environment; profile is protected or standard.
func NewPolicy(environment, profile string, now func() time.Time) (*Policy, error) {
	if profile != Protected && profile != Standard {
		return nil, fmt.Errorf("safety %q: accepted values are %s", profile, strings.Join(SafetyProfiles(), ", "))
	}
	if now == nil {
		now = time.Now
	}
	return &Policy{profile: profile, environment: environment, maxArm: DefaultMaxArm, now: now}, nil
}

// Profile is protected or standard.
func (p *Policy) Profile() string { return p.profile }

// Environment is the name a protected write must be confirmed with.
func (p *Policy) Environment() string { return p.environment }

// Arm allows writes on a protected environment for d (at most one hour),
// for a stated reason. It expires on its own.
func (p *Policy) Arm(reason string, d time.Duration) error {
	if p.profile != Protected {
		return fmt.Errorf("environment %s is %s: arming applies only to protected environments", p.environment, p.profile)
	}
	if strings.TrimSpace(reason) == "" {
		return errors.New("arm: a reason is required (what incident, why writes are needed)")
	}
	if d <= 0 || d > p.maxArm {
		return fmt.Errorf("arm: duration %s: want more than 0 and at most %s", d, formatDuration(p.maxArm))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armedUntil = p.now().Add(d)
	p.armReason = strings.TrimSpace(reason)
	return nil
}

// Disarm returns a protected environment to read-only at once.
func (p *Policy) Disarm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armedUntil, p.armReason = time.Time{}, ""
}

// Armed reports whether writes are armed, until when and why.
func (p *Policy) Armed() (armed bool, until time.Time, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.armedUntil.IsZero() || !p.now().Before(p.armedUntil) {
		return false, time.Time{}, ""
	}
	return true, p.armedUntil, p.armReason
}

// Precheck decides whether an action may run at all in the policy's state
// now, before any confirmation is asked: reads always may; a write on a
// protected environment needs it armed. Both front ends ask it (through
// Runner.Precheck, which journals a refusal) before showing a confirmation,
// and Check asks it again, so this is the one place the rule is written.
func (p *Policy) Precheck(spec Spec) error {
	if spec.Kind != Write || p.profile != Protected {
		return nil
	}
	if armed, _, _ := p.Armed(); !armed {
		return refused(RuleNotArmed, "%s is protected and read-only: arm it first with a reason and a time limit (at most %s)", p.environment, formatDuration(p.maxArm))
	}
	return nil
}

// Check decides whether one action may run with this confirmation: the
// Precheck, then the confirmation itself. Reads always may. The error is a
// *RefusedError saying what is missing.
func (p *Policy) Check(spec Spec, c Confirmation) error {
	if err := p.Precheck(spec); err != nil || spec.Kind != Write {
		return err
	}
	if p.profile == Protected {
		if c.Typed != p.environment {
			return refused(RuleNotTyped, "%s on protected environment %s: type the environment name %q exactly to confirm", spec.Name, p.environment, p.environment)
		}
		return nil
	}
	if c.ConfirmKey == "" {
		return refused(RuleNoConfirmation, "%s on %s needs a confirmation", spec.Name, p.environment)
	}
	if c.ConfirmKey == c.StartKey {
		return refused(RuleSameKey, "%s: the confirming key must differ from the key %q that started the action", spec.Name, c.StartKey)
	}
	return nil
}

// ConfirmHeader is the X-Confirm-Environment value to send once Check passed:
// the environment name on protected environments, nothing on standard ones.
func (p *Policy) ConfirmHeader() string {
	if p.profile == Protected {
		return p.environment
	}
	return ""
}
