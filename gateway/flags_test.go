package gateway

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestFlagsDefaultsThenRuntime(t *testing.T) {
	f := newFixture(t)
	store := NewStore(f.rdb, StoreOptions{FlagDefaults: map[string]bool{"agent_enabled": true}})
	got, err := store.Flags(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Flags{
		Values: map[string]bool{"agent_enabled": true, "ensemble_enabled": false, "byok_enabled": false},
		Source: map[string]string{"agent_enabled": "default", "ensemble_enabled": "default", "byok_enabled": "default"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("defaults %+v", got)
	}
	ch, err := store.SetFlag(f.ctx, "agent_enabled", false)
	if err != nil || ch != (FlagChange{Name: "agent_enabled", Before: true, After: false, Changed: true}) {
		t.Fatalf("set %+v %v", ch, err)
	}
	ch, _ = store.SetFlag(f.ctx, "agent_enabled", false)
	if ch.Changed {
		t.Fatalf("same value reported a change: %+v", ch)
	}
	if raw := f.rdb.HGet(f.ctx, "agent:runtime:flags", "agent_enabled").Val(); raw != "false" {
		t.Fatalf("stored %q", raw)
	}
	got, _ = store.Flags(f.ctx)
	if got.Values["agent_enabled"] || got.Source["agent_enabled"] != "runtime" || got.Source["byok_enabled"] != "default" {
		t.Fatalf("after set %+v", got)
	}
	// A value the gateway would not parse ("yes") falls back to the default.
	f.rdb.HSet(f.ctx, "agent:runtime:flags", "byok_enabled", "yes")
	got, _ = store.Flags(f.ctx)
	if got.Values["byok_enabled"] || got.Source["byok_enabled"] != "default" {
		t.Fatalf("unparseable value %+v", got)
	}
}

func TestEnforcement(t *testing.T) {
	f := newFixture(t)
	e, err := f.store.Enforcement(f.ctx)
	if err != nil || e != (Enforcement{Mode: "reject", Source: "default"}) {
		t.Fatalf("default %+v %v", e, err)
	}
	ch, err := f.store.SetEnforcement(f.ctx, "warn")
	if err != nil || ch != (EnforcementChange{Before: "reject", After: "warn", Changed: true}) {
		t.Fatalf("set %+v %v", ch, err)
	}
	if raw := f.rdb.Get(f.ctx, "agent:runtime:pool_claim_enforcement").Val(); raw != "warn" {
		t.Fatalf("stored %q", raw)
	}
	e, _ = f.store.Enforcement(f.ctx)
	if e != (Enforcement{Mode: "warn", Source: "runtime"}) {
		t.Fatalf("runtime %+v", e)
	}
}

func TestFlagAndEnforcementValidation(t *testing.T) {
	f := newFixture(t)
	var ve *ValidationError
	_, err := f.store.SetFlag(f.ctx, "turbo", true)
	if !errors.As(err, &ve) || ve.Field != "name" || !strings.Contains(ve.Message, "agent_enabled, ensemble_enabled, byok_enabled") {
		t.Fatalf("unknown flag: %v", err)
	}
	_, err = f.store.SetEnforcement(f.ctx, "block")
	if !errors.As(err, &ve) || ve.Field != "mode" || !strings.Contains(ve.Message, "warn, reject") {
		t.Fatalf("unknown mode: %v", err)
	}
	if ve.Error() != "mode: "+ve.Message {
		t.Fatalf("Error() = %q", ve.Error())
	}
	if n := f.rdb.DBSize(f.ctx).Val(); n != 0 {
		t.Fatalf("rejected writes stored %d keys", n)
	}
}

func TestPing(t *testing.T) {
	f := newFixture(t)
	if h := f.store.Ping(f.ctx); !h.OK || h.Error != "" {
		t.Fatalf("ping %+v", h)
	}
	f.srv.Kill()
	if h := f.store.Ping(f.ctx); h.OK || h.Error == "" {
		t.Fatalf("ping of a dead server %+v", h)
	}
}
