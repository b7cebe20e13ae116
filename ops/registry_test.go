package ops

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCatalogueHasExactlyTheDesignedActions(t *testing.T) {
	want := []string{"alarm.enable", "alarm.history", "alarm.mute", "alarm.unmute", "breaker.list", "breaker.reset", "budget.show",
		"flags.set", "flags.show", "gateway.status", "poolclaims.enforce", "poolclaims.show", "preflight.poolclaims",
		"redis.diagnose", "reservations.drain", "reservations.inspect", "service.restart", "service.rollback", "service.status"}
	if got := DefaultRegistry().Names(); !slices.Equal(got, want) {
		t.Fatalf("actions = %v\nwant      %v", got, want)
	}
	kinds := map[string]Kind{"breaker.reset": Write, "reservations.drain": Write, "flags.set": Write,
		"poolclaims.enforce": Write, "alarm.mute": Write, "alarm.unmute": Write, "alarm.enable": Write, "service.restart": Write, "service.rollback": Write}
	r := DefaultRegistry()
	for _, n := range r.Names() {
		a, _ := r.Action(n)
		want := kinds[n]
		if want == "" {
			want = Read
		}
		if a.Spec().Kind != want {
			t.Errorf("%s is %s, want %s", n, a.Spec().Kind, want)
		}
	}
}

func TestValidateAppliesDefaultsAndTypes(t *testing.T) {
	r := DefaultRegistry()
	inv, err := r.Parse("reservations.drain")
	if err != nil {
		t.Fatal(err)
	}
	if inv.Duration("older") != 5*time.Minute || inv.Str("mode") != "reap" || inv.Int("batch") != 500 || inv.Has("community") {
		t.Errorf("defaults: %+v", inv.Values)
	}
	inv, err = r.Parse("reservations.drain older=1h30m mode=reconcile community=c1 batch=1000")
	if err != nil {
		t.Fatal(err)
	}
	if inv.Duration("older") != 90*time.Minute || inv.Str("mode") != "reconcile" || inv.Str("community") != "c1" || inv.Int("batch") != 1000 {
		t.Errorf("typed values: %+v", inv.Values)
	}
	if got := inv.String(); got != "reservations.drain batch=1000 community=c1 mode=reconcile older=1h30m" {
		t.Errorf("String() = %q", got)
	}
	back, err := r.Parse(inv.String())
	if err != nil || back.String() != inv.String() {
		t.Errorf("String() does not parse back: %v", err)
	}
	inv, err = r.Parse(`alarm.mute alarm=arrakis-staging-agent-kms reason="kms outage, AWS case 123"`)
	if err != nil || inv.Duration("for") != time.Hour || inv.Str("reason") != "kms outage, AWS case 123" {
		t.Errorf("alarm.mute: %+v %v", inv.Values, err)
	}
	inv, err = r.Parse("flags.set byok_enabled=true")
	if v, ok := inv.Bool("byok_enabled"); err != nil || !ok || !v {
		t.Errorf("flags.set: %+v %v", inv.Values, err)
	}
}

// Every bad input gets ONE clear error naming the problem and what is accepted.
func TestValidateErrorsNameTheAcceptedValues(t *testing.T) {
	r := DefaultRegistry()
	cases := []struct{ line, want string }{
		{"breaker.rest component=kms", `unknown action "breaker.rest" (did you mean breaker.reset?); known actions: alarm.enable, alarm.history,`},
		{"nonsense", `unknown action "nonsense"; known actions: alarm.enable, alarm.history, alarm.mute,`},
		{"breaker.reset comp=kms", `breaker.reset: unknown parameter "comp"; accepted: component`},
		{"gateway.status verbose=true", `unknown parameter "verbose": this action takes no parameters`},
		{"reservations.drain mode=purge", "reservations.drain: mode=purge: accepted values are reap, reconcile"},
		{"poolclaims.enforce mode=off", "mode=off: accepted values are warn, reject"},
		{"reservations.drain older=-5m", "older=-5m: durations are never negative"},
		{"reservations.drain older=1m", "older=1m is below the minimum 5m"},
		{"reservations.drain older=soon", "older=soon: want a duration like 90s, 5m or 1h30m"},
		{"alarm.mute alarm=a reason=r for=48h", "for=48h is above the maximum 24h"},
		{"reservations.inspect limit=0", "limit=0 is out of range: want 1..500"},
		{"reservations.drain batch=1001", "batch=1001 is out of range: want 1..1000"},
		{"preflight.poolclaims hours=many", "hours=many: want a whole number in 1..720"},
		{"breaker.reset", "breaker.reset: missing required parameter component (breaker component, e.g. kms): write component=VALUE"},
		{"poolclaims.enforce", "missing required parameter mode (enforcement mode): write mode=warn|reject"},
		{"alarm.mute alarm=a", "missing required parameter reason"},
		{"flags.set", "flags.set: give exactly one of agent_enabled, ensemble_enabled, byok_enabled (got 0: )"},
		{"flags.set agent_enabled=true byok_enabled=false", "give exactly one of agent_enabled, ensemble_enabled, byok_enabled (got 2: agent_enabled, byok_enabled)"},
		{"flags.set agent_enabled=yes", "agent_enabled=yes: want true or false"},
		{"budget.show month=2026-13", "month=2026-13: want a month written YYYY-MM"},
		{"breaker.reset component=", "column 25: parameter \"component\" has an empty value"},
	}
	for _, c := range cases {
		_, err := r.Parse(c.line)
		if err == nil {
			t.Errorf("%q: accepted", c.line)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %s", c.line, err, c.want)
		}
		if strings.Count(err.Error(), "\n") > 0 {
			t.Errorf("%q: error spans lines: %v", c.line, err)
		}
	}
}

func TestCompleteOffersActionsThenKeysThenValues(t *testing.T) {
	r := DefaultRegistry()
	cases := []struct {
		prefix string
		want   []string
	}{
		{"bre", []string{"breaker.list", "breaker.reset"}},
		{"alarm.m", []string{"alarm.mute"}},
		{"reservations.drain ", []string{"reservations.drain older=", "reservations.drain mode=", "reservations.drain community=", "reservations.drain batch="}},
		{"reservations.drain mode=reap o", []string{"reservations.drain mode=reap older="}},
		{"reservations.drain mode=re", []string{"reservations.drain mode=reap", "reservations.drain mode=reconcile"}},
		{"flags.set ensemble_enabled=", []string{"flags.set ensemble_enabled=true", "flags.set ensemble_enabled=false"}},
		{"nosuch.action ", nil},
		{"breaker.reset component=kms ", nil},
	}
	for _, c := range cases {
		if got := r.Complete(c.prefix); !slices.Equal(got, c.want) {
			t.Errorf("Complete(%q) = %q, want %q", c.prefix, got, c.want)
		}
	}
}

func TestHelpIsGeneratedFromSchemas(t *testing.T) {
	r := DefaultRegistry()
	h, err := r.Help("reservations.drain")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"reservations.drain (write):", "older=duration >= 5m", "(default 5m)", "mode=reap|reconcile", "batch=int 1..1000"} {
		if !strings.Contains(h, want) {
			t.Errorf("help lacks %q:\n%s", want, h)
		}
	}
	h, _ = r.Help("flags.set")
	if !strings.Contains(h, "give exactly one of: agent_enabled, ensemble_enabled, byok_enabled") || !strings.Contains(h, "undo: flags.set") {
		t.Errorf("flags.set help:\n%s", h)
	}
	if _, err := r.Help("nope"); err == nil {
		t.Error("help for an unknown action succeeded")
	}
	all := r.HelpAll()
	for _, n := range r.Names() {
		if !strings.Contains(all, n+" (") {
			t.Errorf("HelpAll lacks %s", n)
		}
	}
}
