package ui

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// command runs one line typed in accessible mode.
func (a *accessible) command(ctx context.Context, line string) {
	verb, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch verb {
	case "":
	case "help", "?":
		a.sayText(accessibleHelp)
	case "list":
		a.printList()
	case "show":
		a.show(rest)
	case "run", ":":
		a.run(ctx, rest)
	case "undo":
		if a.last.Undo == "" {
			a.say("nothing to undo: the last step has no inverse")
			return
		}
		a.run(ctx, a.last.Undo)
	case "arm":
		a.armCmd(rest)
	case "refresh", "r":
		a.refresh(ctx)
	case "journal":
		a.printJournal(ctx)
	case "export":
		if p, err := a.b.ExportTimeline(ctx); err != nil {
			a.say("export failed: %v", err)
		} else {
			a.say("timeline exported to %s", p)
		}
	default:
		a.say("unknown command %q.", verb)
		a.sayText(accessibleHelp)
	}
}

func (a *accessible) printList() {
	if len(a.list) == 0 {
		a.say("no alarms loaded yet")
	}
	now := a.now()
	for i, al := range a.list {
		a.say("%d. %s %s %s, since %s, %s", i+1, al.State.Symbol(), stateWord(al.State), al.Name, age(now.Sub(al.Since)), "evaluated "+evaluatedText(al))
	}
}

func (a *accessible) show(arg string) {
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 || n > len(a.list) {
		a.say("show needs an alarm number from 1 to %d (see list); got %q", len(a.list), arg)
		return
	}
	al := a.list[n-1]
	a.say("%s: %s %s, %s", al.Name, al.State.Symbol(), stateWord(al.State), "evaluated "+evaluatedText(al))
	if al.Reason != "" {
		a.say("reason: %s", al.Reason)
	}
	rb, ok := a.b.Runbook(al)
	if !ok {
		a.say("no runbook matches this alarm")
		return
	}
	a.say("runbook: %s, %d steps:", rb.Title, len(rb.Steps))
	for i, s := range rb.Steps {
		a.say("  step %d: %s (%s). Type: run %s", i+1, s.Command, s.Section, s.Command)
	}
}

// run is plan, confirm, apply, verify as plain lines.
func (a *accessible) run(ctx context.Context, line string) {
	if line == "" {
		a.say("run needs a command, e.g. run redis.diagnose")
		return
	}
	p, err := a.b.Plan(ctx, line)
	if err != nil {
		a.say("cannot run %q: %v", line, err)
		return
	}
	a.say("plan for %s: %s", p.Command, p.Summary)
	var c Confirmation
	if p.Write {
		if p.NoChange {
			a.say("nothing to change: confirming sends nothing to the gateway; it records the check in the journal and verifies the state")
		}
		var ok bool
		if c, ok = a.confirm(ctx); !ok {
			return
		}
	}
	a.say("running %s…", p.Command)
	r, err := a.b.Apply(ctx, p, c)
	if err != nil {
		a.say("FAILED: %v", err)
		return
	}
	a.last = r
	if r.Output != "" {
		a.sayText(r.Output)
	}
	if r.Verified {
		a.say("verified: %s", r.VerifyDetail)
	} else {
		a.say("NOT verified: %s", r.VerifyDetail)
	}
	if r.Undo != "" {
		a.say("to undo, type: undo   (runs %s)", r.Undo)
	}
}

// confirm asks per the safety profile; ok false means refused or cancelled.
func (a *accessible) confirm(ctx context.Context) (Confirmation, bool) {
	s := a.b.Safety()
	if s.Protected {
		if !s.ArmedUntil.After(a.now()) {
			a.say("REFUSED: %s is protected and read-only. Arm first: arm REASON DURATION", s.Env)
			return Confirmation{}, false
		}
		typed := a.ask(ctx, "This writes to PROTECTED "+s.Env+". Type the environment name to confirm, anything else cancels:")
		if typed != s.Env {
			a.say("cancelled: %q is not %q, nothing changed", typed, s.Env)
			return Confirmation{}, false
		}
		return Confirmation{Key: "enter", Typed: typed}, true
	}
	ans := a.ask(ctx, "Confirm this write to "+s.Env+"? Type y to confirm, anything else cancels:")
	if ans != "y" && ans != "Y" {
		a.say("cancelled, nothing changed")
		return Confirmation{}, false
	}
	return Confirmation{Key: "y"}, true
}

func (a *accessible) armCmd(rest string) {
	i := strings.LastIndex(rest, " ")
	if i < 0 {
		a.say("arm needs a reason and a duration, e.g. arm INC-42 kms outage 15m")
		return
	}
	d, err := parseArmDuration(rest[i+1:])
	if err != nil {
		a.say("%v", err)
		return
	}
	if err := a.b.Arm(strings.TrimSpace(rest[:i]), d); err != nil {
		a.say("arming failed: %v", err)
		return
	}
	a.say("ARMED: writes allowed until %s", utcClock(a.b.Safety().ArmedUntil))
}

func (a *accessible) printJournal(ctx context.Context) {
	es, err := a.b.Journal(ctx, 50)
	if err != nil {
		a.say("journal unreadable: %v", err)
		return
	}
	if len(es) == 0 {
		a.say("no actions journaled yet")
	}
	for _, e := range es {
		a.say("%s %s %s %s", e.At.Format(time.TimeOnly), e.Action, e.Outcome, e.Detail)
	}
}
