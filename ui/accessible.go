package ui

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"gatewayops/alarms"

	"gatewayops/internal/termsafe"
)

// accessible is the linear mode: no alternate screen, no redraws. State
// changes are printed as plain lines, prompts are questions, answers are read
// line by line, so screen readers and plain terminals work.
type accessible struct {
	b      Backend
	out    io.Writer
	lines  <-chan string
	now    func() time.Time
	states map[string]alarms.State
	stale  map[string]string
	list   []alarms.Alarm
	last   Result
}

const accessibleHelp = `commands:
  list                 every alarm with state, since and value
  show N               the alarm's evidence and runbook steps
  run COMMAND          plan, confirm and run an action (e.g. run breaker.reset component=kms)
  undo                 run the inverse of the last step
  arm REASON... FOR    arm a protected environment (e.g. arm INC-42 kms outage 15m)
  refresh | journal | export | help | quit`

func runAccessible(ctx context.Context, b Backend, in io.Reader, out io.Writer, opts Options) error {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case lines <- strings.TrimSpace(sc.Text()):
			case <-ctx.Done():
				return
			}
		}
	}()
	a := &accessible{b: b, out: out, lines: lines, now: opts.Now, states: map[string]alarms.State{}, stale: map[string]string{}}
	s := b.Safety()
	a.say("gatewayops accessible mode. Environment %s, %s.", s.Env, profileWords(s))
	a.sayText(accessibleHelp)
	a.refresh(ctx)
	tick := time.NewTicker(opts.RefreshEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			a.refresh(ctx)
		case line, ok := <-lines:
			if !ok || line == "quit" || line == "q" {
				a.say("bye")
				return nil
			}
			a.command(ctx, line)
		}
	}
}

func profileWords(s Safety) string {
	if !s.Protected {
		return "standard: writes need a y confirmation"
	}
	return "PROTECTED: read-only until armed, writes need the environment name typed"
}

// say prints one answer. What it quotes comes from outside (alarm names,
// reasons, values, errors): each string or error argument is a one-line
// field, escaped with termsafe.String so a "\n" in a name cannot start a
// line that looks like ours; the format's own newlines stay.
func (a *accessible) say(format string, args ...any) {
	for i, v := range args {
		switch v := v.(type) {
		case string:
			args[i] = termsafe.String(v)
		case error:
			args[i] = termsafe.String(v.Error())
		}
	}
	fmt.Fprintln(a.out, termsafe.Text(fmt.Sprintf(format, args...)))
}

// sayText prints multi-line text (the help, an action's output): its
// newlines and tabs stay, every other control character is escaped.
func (a *accessible) sayText(text string) {
	fmt.Fprintln(a.out, termsafe.Text(text))
}

// ask prints a question and waits for the next line ("" when input ended).
func (a *accessible) ask(ctx context.Context, q string) string {
	a.say("%s", q)
	select {
	case l := <-a.lines:
		return l
	case <-ctx.Done():
		return ""
	}
}

// refresh prints only what changed: alarm transitions and backend staleness.
func (a *accessible) refresh(ctx context.Context) {
	rctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	snap, err := a.b.Refresh(rctx)
	if err != nil {
		a.say("refresh failed, showing last known data: %v", err)
		return
	}
	first := len(a.states) == 0
	for _, al := range snap.Alarms {
		prev, had := a.states[al.Name]
		if !had && first || prev == al.State {
			continue
		}
		a.say("%s %s: %s %s (was %s), %s", utcClock(a.now()), al.Name, al.State.Symbol(), stateWord(al.State), stateWord(prev), evaluatedText(al))
	}
	a.states = map[string]alarms.State{}
	for _, al := range snap.Alarms {
		a.states[al.Name] = al.State
	}
	if first {
		a.say("%d alarms: %d in ALARM. Type list to read them.", len(snap.Alarms), countState(snap.Alarms, alarms.StateAlarm))
	}
	for _, h := range snap.Health {
		if h.LastError != a.stale[h.Name] {
			if h.LastError == "" {
				a.say("%s recovered", h.Name)
			} else {
				a.say("%s is failing, data is stale since %s: %s", h.Name, utcClock(h.StaleSince), h.LastError)
			}
			a.stale[h.Name] = h.LastError
		}
	}
	a.list = append(a.list[:0:0], snap.Alarms...)
	sortAlarms(a.list)
}

func countState(as []alarms.Alarm, s alarms.State) int {
	n := 0
	for _, a := range as {
		if a.State == s {
			n++
		}
	}
	return n
}

func sortAlarms(as []alarms.Alarm) {
	slices.SortStableFunc(as, func(a, b alarms.Alarm) int { return compareAlarms(&a, &b) })
}
