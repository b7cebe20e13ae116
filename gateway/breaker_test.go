package gateway

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func (f *fixture) fail(t *testing.T, component string, want string) {
	t.Helper()
	f.clock.Advance(time.Millisecond) // failures are keyed by their ms timestamp
	got, err := f.store.BreakerFailure(f.ctx, component)
	if err != nil || got != want {
		t.Fatalf("failure -> %q %v, want %q", got, err, want)
	}
}

func (f *fixture) check(t *testing.T, component string, allowed bool, state string) {
	t.Helper()
	a, s, err := f.store.BreakerCheck(f.ctx, component)
	if err != nil || a != allowed || s != state {
		t.Fatalf("check -> %v %q %v, want %v %q", a, s, err, allowed, state)
	}
}

func TestBreakerTransitions(t *testing.T) {
	f := newFixture(t)
	f.check(t, "kms", true, BreakerClosed)
	f.fail(t, "kms", BreakerClosed)
	f.fail(t, "kms", BreakerClosed)
	f.fail(t, "kms", BreakerOpen)
	h := f.rdb.HGetAll(f.ctx, "circuit:kms").Val()
	if h["state"] != "open" || h["openedAt"] == "" || len(strings.Split(h["failures"], ",")) != 3 {
		t.Fatalf("open hash %v", h)
	}
	if n := f.rdb.ZCard(f.ctx, "circuit:kms:failures").Val(); n != 3 {
		t.Fatalf("failure zset has %d members", n)
	}
	f.check(t, "kms", false, BreakerOpen)
	f.clock.Advance(60 * time.Second)
	f.check(t, "kms", true, BreakerHalfOpen)
	f.check(t, "kms", true, BreakerHalfOpen) // every caller probes
	f.fail(t, "kms", BreakerOpen)            // a failed probe re-opens
	f.clock.Advance(60 * time.Second)
	f.check(t, "kms", true, BreakerHalfOpen)
	if err := f.store.BreakerSuccess(f.ctx, "kms"); err != nil {
		t.Fatal(err)
	}
	f.check(t, "kms", true, BreakerClosed)
}

func TestBreakerWindowForgetsOldFailures(t *testing.T) {
	f := newFixture(t)
	f.fail(t, "kms", BreakerClosed)
	f.fail(t, "kms", BreakerClosed)
	f.clock.Advance(31 * time.Second)
	f.fail(t, "kms", BreakerClosed) // the first two fell out of the 30 s window
	b, _ := f.store.Breaker(f.ctx, "kms")
	if b.RecentFailures != 1 || b.State != BreakerClosed {
		t.Fatalf("breaker %+v", b)
	}
}

func TestBreakerMigratesLegacyCSV(t *testing.T) {
	f := newFixture(t)
	now := base.UnixMilli()
	legacy := strconv.FormatInt(now-2000, 10) + "," + strconv.FormatInt(now-1000, 10)
	f.rdb.HSet(f.ctx, "circuit:kms", "state", "closed", "failures", legacy)
	f.fail(t, "kms", BreakerOpen) // two legacy failures + this one reach the threshold
	if n := f.rdb.ZCard(f.ctx, "circuit:kms:failures").Val(); n != 3 {
		t.Fatalf("zset has %d members after migration", n)
	}
}

func TestBreakersListsRedisBreakersAndLoaFinn(t *testing.T) {
	f := newFixture(t)
	f.fail(t, "byok-kms", BreakerClosed)
	f.rdb.Set(f.ctx, "circuit:not-a-hash", "x", 0) // SCAN TYPE hash skips it
	list, err := f.store.Breakers(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range list {
		names = append(names, b.Component+"/"+b.Store)
	}
	want := []string{"byok-kms/redis", "kms/redis", "loa-finn/process"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("breakers %v, want %v", names, want)
	}
	lf := list[2]
	if lf.Resettable || !strings.Contains(lf.Note, "no remote handle") || !strings.Contains(lf.Note, "30 s") ||
		!strings.Contains(lf.Note, "restart the tasks") {
		t.Fatalf("loa-finn %+v", lf)
	}
	if kms := list[1]; kms.State != BreakerClosed || !kms.Resettable || kms.RecentFailures != 0 {
		t.Fatalf("untripped kms %+v", kms)
	}
	if b := list[0]; b.RecentFailures != 1 {
		t.Fatalf("byok-kms %+v", b)
	}
}

// TestResetBreakerEqualsTheSuccessPathFromHalfOpen compares every key and
// field after ResetBreaker with what the gateway's own success path leaves.
func TestResetBreakerEqualsTheSuccessPathFromHalfOpen(t *testing.T) {
	viaSuccess := newFixture(t)
	viaReset := newFixture(t)
	for _, f := range []*fixture{viaSuccess, viaReset} {
		f.fail(t, "kms", BreakerClosed)
		f.fail(t, "kms", BreakerClosed)
		f.fail(t, "kms", BreakerOpen)
	}
	viaSuccess.clock.Advance(61 * time.Second)
	viaSuccess.check(t, "kms", true, BreakerHalfOpen)
	if err := viaSuccess.store.BreakerSuccess(viaSuccess.ctx, "kms"); err != nil {
		t.Fatal(err)
	}
	res, err := viaReset.store.ResetBreaker(viaReset.ctx, "kms") // straight from open
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.Before.State != BreakerOpen || res.Before.OpenedAt == nil || res.Before.RecentFailures != 3 ||
		res.After.State != BreakerClosed || res.After.OpenedAt != nil || res.After.RecentFailures != 0 {
		t.Fatalf("reset %+v", res)
	}
	keys := []string{"circuit:kms", "circuit:kms:failures"}
	want, got := viaSuccess.keyState(t, keys...), viaReset.keyState(t, keys...)
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("after reset %v\nafter success from half-open %v", got, want)
	}
	if !reflect.DeepEqual(got["circuit:kms"], map[string]string{"state": "closed"}) || got["circuit:kms:failures"] != nil {
		t.Fatalf("closed state %v", got)
	}
	again, _ := viaReset.store.ResetBreaker(viaReset.ctx, "kms")
	if again.Changed {
		t.Fatalf("second reset reported a change: %+v", again)
	}
}

func TestResetBreakerRefusals(t *testing.T) {
	f := newFixture(t)
	if _, err := f.store.ResetBreaker(f.ctx, "loa-finn"); !errors.Is(err, ErrBreakerNotResettable) ||
		!strings.Contains(err.Error(), "restart the tasks") {
		t.Fatalf("loa-finn: %v", err)
	}
	if _, err := f.store.ResetBreaker(f.ctx, "nosuch"); !errors.Is(err, ErrUnknownBreaker) {
		t.Fatalf("unknown: %v", err)
	}
	var ve *ValidationError
	if _, err := f.store.ResetBreaker(f.ctx, "kms*"); !errors.As(err, &ve) || ve.Field != "component" {
		t.Fatalf("bad name: %v", err)
	}
	if _, err := f.store.BreakerFailure(f.ctx, ""); !errors.As(err, &ve) {
		t.Fatalf("empty name: %v", err)
	}
	if n := f.rdb.DBSize(f.ctx).Val(); n != 0 {
		t.Fatalf("refused resets wrote %d keys", n)
	}
	// Resetting a kms breaker that never tripped changes nothing and creates nothing.
	res, err := f.store.ResetBreaker(f.ctx, "kms")
	if err != nil || res.Changed || f.rdb.DBSize(f.ctx).Val() != 0 {
		t.Fatalf("no-op reset %+v %v", res, err)
	}
}
