package ops

import (
	"context"
	"fmt"
	"time"

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
	alarm := inv.Str("alarm")
	until := env.now().Add(d)
	line := fmt.Sprintf("mute notifications of %s for %s (until %s UTC): %q; the alarm keeps evaluating", alarm, formatDuration(d), clock(until), inv.Str("reason"))
	r, exists, err := muteRule(ctx, env, alarm)
	if err != nil {
		return Plan{}, err
	}
	if exists {
		line += fmt.Sprintf("; replaces the current mute (%s, expires %s UTC)", r.Status, clock(r.ExpiresAt))
	}
	return Plan{Lines: []string{line}}, nil
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
	return Verification{Pass: true, Detail: fmt.Sprintf("mute rule %s present (%s, expires %s UTC)", r.Name, r.Status, clock(r.ExpiresAt))}, nil
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
	alarm := inv.Str("alarm")
	r, ok, err := muteRule(ctx, env, alarm)
	if err != nil {
		return Plan{}, err
	}
	if !ok {
		return Plan{Lines: []string{alarm + " has no gatewayops mute: nothing to unmute"}, NoChange: true}, nil
	}
	return Plan{Lines: []string{fmt.Sprintf("unmute %s: delete mute rule %s (%s, expires %s UTC)", alarm, r.Name, r.Status, clock(r.ExpiresAt))}}, nil
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
