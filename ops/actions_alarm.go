package ops

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"gatewayops/alarms"
)

func alarmHistoryAction() Action {
	return readAction{
		spec: Spec{Name: "alarm.history", Kind: Read, Summary: "state changes of one alarm",
			Params: []Param{
				{Name: "alarm", Type: TypeString, Required: true, Help: "alarm name"},
				{Name: "since", Type: TypeDuration, Default: "24h", Help: "how far back"},
			}},
		run: func(ctx context.Context, env *Env, inv Invocation) (Result, error) {
			src, err := env.source()
			if err != nil {
				return Result{}, err
			}
			alarm := inv.Str("alarm")
			items, err := src.History(ctx, alarm, env.now().Add(-inv.Duration("since")))
			if err != nil {
				return Result{}, err
			}
			lines := []string{fmt.Sprintf("%s: %d history %s in the last %s", alarm, len(items), plural(int64(len(items)), "item", "items"), formatDuration(inv.Duration("since")))}
			for _, h := range items {
				lines = append(lines, fmt.Sprintf("  %s %s %s", h.At.UTC().Format("2006-01-02 15:04:05Z"), h.Type, h.Summary))
			}
			return Result{Lines: lines, Data: items}, nil
		},
	}
}

// alarmMute mutes an alarm's actions for a while; the alarm keeps evaluating.
type alarmMute struct{}

func (alarmMute) Spec() Spec {
	return Spec{Name: "alarm.mute", Kind: Write, Summary: "mute an alarm's notifications for a while (it keeps evaluating)",
		Params: []Param{
			{Name: "alarm", Type: TypeString, Required: true, Help: "alarm name"},
			{Name: "for", Type: TypeDuration, Default: "1h", MinDuration: time.Minute, MaxDuration: 24 * time.Hour, Help: "how long, whole minutes"},
			{Name: "reason", Type: TypeString, Required: true, Help: "why (shown to whoever looks next)"},
		},
		Inverse: "alarm.unmute"}
}

// resolveAlarm turns the name an operator typed into the alarm's full name:
// the full name itself, the name under the source's prefix, or the short
// name the console shows (the end of the name after a "-"). An unknown name
// is refused with the nearest known short name, so a mute never "succeeds"
// on an alarm that does not exist.
func resolveAlarm(ctx context.Context, env *Env, name string) (string, error) {
	src, err := env.source()
	if err != nil {
		return "", err
	}
	candidates := []string{name}
	if p := src.Prefix(); p != "" && !strings.HasPrefix(name, p) {
		candidates = append(candidates, p+name)
	}
	found, err := src.AlarmsNamed(ctx, candidates)
	if err != nil {
		return "", err
	}
	if len(found) > 0 {
		return found[0].Name, nil
	}
	all, err := src.Alarms(ctx)
	if err != nil {
		return "", err
	}
	var matches, shorts []string
	for _, a := range all {
		if strings.HasSuffix(a.Name, "-"+name) {
			matches = append(matches, a.Name)
		}
		shorts = append(shorts, lastParts(a.Name, strings.Count(name, "-")+1))
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		msg := fmt.Sprintf("unknown alarm %q", name)
		if near := nearest(name, shorts); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
		return "", errors.New(msg + "; give the name the console shows or the full alarm name")
	}
	return "", fmt.Errorf("alarm %q is ambiguous: %s; give the full name", name, strings.Join(matches, ", "))
}

// lastParts is the last n dash-separated words of a name: what a typed
// short name is compared with ("p99-latncy" against "p99-latency").
func lastParts(name string, n int) string {
	parts := strings.Split(name, "-")
	return strings.Join(parts[max(len(parts)-n, 0):], "-")
}

// resolvedParam resolves the alarm= parameter in place, once per invocation.
func resolvedParam(ctx context.Context, env *Env, inv *Invocation) (string, error) {
	full, err := resolveAlarm(ctx, env, inv.Str("alarm"))
	if err != nil {
		return "", err
	}
	inv.Values["alarm"] = full
	return full, nil
}

func muteRule(ctx context.Context, env *Env, alarm string) (alarms.MuteRule, bool, error) {
	src, err := env.source()
	if err != nil {
		return alarms.MuteRule{}, false, err
	}
	rules, err := src.ListMutes(ctx, alarm)
	if err != nil {
		return alarms.MuteRule{}, false, err
	}
	for _, r := range rules {
		if r.Name == alarms.MuteRuleName(alarm) {
			return r, true, nil
		}
	}
	return alarms.MuteRule{}, false, nil
}

func (alarmMute) Plan(ctx context.Context, env *Env, inv Invocation) (Plan, error) {
	d := inv.Duration("for")
	if d%time.Minute != 0 {
		return Plan{}, fmt.Errorf("for=%s: mutes are whole minutes (e.g. 30m, 1h)", formatDuration(d))
	}
	alarm, err := resolvedParam(ctx, env, &inv)
	if err != nil {
		return Plan{}, err
	}
	until := env.now().Add(d)
	line := fmt.Sprintf("mute notifications of %s for %s (until %s): %q; the alarm keeps evaluating", alarm, formatDuration(d), clock(until), inv.Str("reason"))
	r, exists, err := muteRule(ctx, env, alarm)
	if err != nil {
		return Plan{}, err
	}
	if exists {
		line += fmt.Sprintf("; replaces the current mute (%s, expires %s)", r.Status, clock(r.ExpiresAt))
	}
	return Plan{Lines: []string{line}, Before: muteState(r, exists), Data: map[string]string{"alarm": alarm}}, nil
}

func (alarmMute) Apply(ctx context.Context, env *Env, inv Invocation, _ Plan) (Result, error) {
	src, err := env.source()
	if err != nil {
		return Result{}, err
	}
	// CloudWatch has no idempotency key here; the mute rule is named after the
	// alarm, so a retried mute replaces the same rule.
	if err := src.Mute(ctx, inv.Str("alarm"), inv.Duration("for"), inv.Str("reason")); err != nil {
		return Result{}, err
	}
	return Result{Lines: []string{"muted " + inv.Str("alarm") + " for " + formatDuration(inv.Duration("for"))}}, nil
}

func (alarmMute) Verify(ctx context.Context, env *Env, inv Invocation, _ Result) (Verification, error) {
	r, ok, err := muteRule(ctx, env, inv.Str("alarm"))
	if err != nil {
		return Verification{}, err
	}
	if !ok {
		return Verification{Pass: false, Detail: "no mute rule " + alarms.MuteRuleName(inv.Str("alarm")) + " found"}, nil
	}
	return Verification{Pass: true, Detail: fmt.Sprintf("mute rule %s present (%s, expires %s)", r.Name, r.Status, clock(r.ExpiresAt))}, nil
}

func (alarmMute) Inverse(inv Invocation, _ Plan) (Invocation, bool) {
	return Invocation{Action: "alarm.unmute", Values: map[string]any{"alarm": inv.Str("alarm")}, Given: []string{"alarm"}}, true
}

// alarmUnmute deletes the mute rule gatewayops created for an alarm.
type alarmUnmute struct{}

func (alarmUnmute) Spec() Spec {
	return Spec{Name: "alarm.unmute", Kind: Write, Summary: "end a mute that gatewayops set on an alarm",
		Params: []Param{{Name: "alarm", Type: TypeString, Required: true, Help: "alarm name"}}}
}

func (alarmUnmute) Plan(ctx context.Context, env *Env, inv Invocation) (Plan, error) {
	alarm, err := resolvedParam(ctx, env, &inv)
	if err != nil {
		return Plan{}, err
	}
	r, ok, err := muteRule(ctx, env, alarm)
	if err != nil {
		return Plan{}, err
	}
	if !ok {
		return Plan{Lines: []string{alarm + " has no gatewayops mute: nothing to unmute"}, NoChange: true, Before: muteState(r, ok)}, nil
	}
	return Plan{Lines: []string{fmt.Sprintf("unmute %s: delete mute rule %s (%s, expires %s)", alarm, r.Name, r.Status, clock(r.ExpiresAt))}, Before: muteState(r, ok)}, nil
}

// muteState is the mute as Plan.Before records it (what an undo compares).
func muteState(r alarms.MuteRule, exists bool) map[string]string {
	if !exists {
		return map[string]string{"mute": "none"}
	}
	return map[string]string{"mute": r.Status + " until " + r.ExpiresAt.UTC().Format("2006-01-02 15:04Z")}
}

func (alarmUnmute) Apply(ctx context.Context, env *Env, inv Invocation, _ Plan) (Result, error) {
	src, err := env.source()
	if err != nil {
		return Result{}, err
	}
	if err := src.Unmute(ctx, inv.Str("alarm")); err != nil {
		return Result{}, err
	}
	return Result{Lines: []string{"unmuted " + inv.Str("alarm")}}, nil
}

func (alarmUnmute) Verify(ctx context.Context, env *Env, inv Invocation, _ Result) (Verification, error) {
	_, ok, err := muteRule(ctx, env, inv.Str("alarm"))
	if err != nil {
		return Verification{}, err
	}
	if ok {
		return Verification{Pass: false, Detail: "mute rule " + alarms.MuteRuleName(inv.Str("alarm")) + " is still present"}, nil
	}
	return Verification{Pass: true, Detail: "no mute rule left on " + inv.Str("alarm")}, nil
}

// Inverse: the old reason and expiry are not kept, so muting again is a new decision.
func (alarmUnmute) Inverse(Invocation, Plan) (Invocation, bool) { return Invocation{}, false }

// alarmActionsOn turns an alarm's actions back on (EnableAlarmActions): the
// other way an alarm goes quiet, with no expiry, so it must be ended by hand.
type alarmActionsOn struct{}

func (alarmActionsOn) Spec() Spec {
	return Spec{Name: "alarm.enable", Kind: Write, Summary: "turn an alarm's actions back on (they were disabled, with no expiry)",
		Params: []Param{{Name: "alarm", Type: TypeString, Required: true, Help: "alarm name (the console's or the full one)"}}}
}

func (alarmActionsOn) Plan(ctx context.Context, env *Env, inv Invocation) (Plan, error) {
	alarm, err := resolvedParam(ctx, env, &inv)
	if err != nil {
		return Plan{}, err
	}
	a, err := readAlarm(ctx, env, alarm)
	if err != nil {
		return Plan{}, err
	}
	before := map[string]string{"actions": fmt.Sprint(a.ActionsEnabled)}
	if a.ActionsEnabled {
		return Plan{Lines: []string{alarm + ": actions are already on: nothing to change"}, NoChange: true, Before: before}, nil
	}
	return Plan{Lines: []string{alarm + ": turn actions on (notifications resume at the next state change)"}, Before: before}, nil
}

func (alarmActionsOn) Apply(ctx context.Context, env *Env, inv Invocation, _ Plan) (Result, error) {
	if env.CloudWatch == nil {
		return Result{}, errors.New("environment " + env.Name + ": CloudWatch is not configured: " + ErrNoBackend.Error())
	}
	if _, err := env.CloudWatch.EnableAlarmActions(ctx, &cloudwatch.EnableAlarmActionsInput{AlarmNames: []string{inv.Str("alarm")}}); err != nil {
		return Result{}, fmt.Errorf("EnableAlarmActions %s: %w", inv.Str("alarm"), err)
	}
	return Result{Lines: []string{"actions on for " + inv.Str("alarm")}}, nil
}

func (alarmActionsOn) Verify(ctx context.Context, env *Env, inv Invocation, _ Result) (Verification, error) {
	a, err := readAlarm(ctx, env, inv.Str("alarm"))
	if err != nil {
		return Verification{}, err
	}
	if !a.ActionsEnabled {
		return Verification{Pass: false, Detail: inv.Str("alarm") + " still reports ActionsEnabled=false"}, nil
	}
	return Verification{Pass: true, Detail: inv.Str("alarm") + " reports ActionsEnabled=true"}, nil
}

// Inverse: disabling actions again is not a remedy the console offers.
func (alarmActionsOn) Inverse(Invocation, Plan) (Invocation, bool) { return Invocation{}, false }

func readAlarm(ctx context.Context, env *Env, name string) (alarms.Alarm, error) {
	src, err := env.source()
	if err != nil {
		return alarms.Alarm{}, err
	}
	found, err := src.AlarmsNamed(ctx, []string{name})
	if err != nil {
		return alarms.Alarm{}, err
	}
	if len(found) == 0 {
		return alarms.Alarm{}, fmt.Errorf("alarm %s not found", name)
	}
	return found[0], nil
}
