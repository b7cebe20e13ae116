package ops

import "time"

// Arm arms the protected environment and journals it (who, why, until
// when), so the exported incident timeline shows the window writes were
// possible in. The journal line is an intent/result pair like an action's.
func (r *Runner) Arm(reason string, d time.Duration) error {
	if err := r.Policy.Arm(reason, d); err != nil {
		return err
	}
	_, until, _ := r.Policy.Armed()
	return r.journalSafety("safety.arm", map[string]string{
		"reason": reason, "for": formatDuration(d), "until": clock(until),
	}, "armed writes until "+clock(until)+": "+reason)
}

// Disarm ends the armed window early and journals it.
func (r *Runner) Disarm() error {
	armed, until, reason := r.Policy.Armed()
	r.Policy.Disarm()
	if !armed {
		return nil
	}
	return r.journalSafety("safety.disarm", map[string]string{"reason": reason, "was_until": clock(until)},
		"disarmed early, back to read-only")
}

func (r *Runner) journalSafety(action string, params map[string]string, plan string) error {
	e := Entry{Time: r.Env.now().UTC(), ID: newID(), Phase: PhaseIntent, Operator: r.Operator, Environment: r.Env.Name,
		Action: action, Kind: "safety", Params: params, Plan: plan}
	if err := r.Journal.Append(e); err != nil {
		return err
	}
	e.Phase, e.Outcome = PhaseResult, "ok"
	return r.Journal.Append(e)
}
