package ops

import (
	"strings"
	"testing"
	"time"

	"gatewayops/internal/testclock"
)

var writeSpec = Spec{Name: "breaker.reset", Kind: Write}
var readSpec = Spec{Name: "breaker.list", Kind: Read}

func TestProtectedIsReadOnlyUntilArmedAndNeedsTheNameTyped(t *testing.T) {
	clk := testclock.New(time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC))
	p, err := NewPolicy("production", Protected, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(readSpec, Confirmation{}); err != nil {
		t.Errorf("a read was refused: %v", err)
	}
	err = p.Check(writeSpec, Confirmation{Typed: "production"})
	if !IsRefused(err) || !strings.Contains(err.Error(), "read-only: arm it first") {
		t.Fatalf("unarmed write: %v", err)
	}
	for _, bad := range []struct {
		reason string
		d      time.Duration
		want   string
	}{
		{"", time.Minute, "a reason is required"},
		{"INC-1", 2 * time.Hour, "at most 1h"},
		{"INC-1", 0, "more than 0"},
	} {
		if err := p.Arm(bad.reason, bad.d); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Arm(%q, %s) = %v, want %q", bad.reason, bad.d, err, bad.want)
		}
	}
	if armed, _, _ := p.Armed(); armed {
		t.Fatal("a refused Arm armed the policy")
	}
	if err := p.Arm("INC-42 kms breaker stuck", 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{"", "Production", "staging", "production "} {
		if err := p.Check(writeSpec, Confirmation{Typed: typed, ConfirmKey: "y", StartKey: "enter"}); !IsRefused(err) {
			t.Errorf("typed %q was accepted: %v", typed, err)
		}
	}
	if err := p.Check(writeSpec, Confirmation{Typed: "production"}); err != nil {
		t.Errorf("armed + typed name refused: %v", err)
	}
	if p.ConfirmHeader() != "production" {
		t.Errorf("ConfirmHeader = %q", p.ConfirmHeader())
	}
	clk.Advance(30 * time.Minute)
	if armed, _, _ := p.Armed(); armed {
		t.Error("arming did not expire on its own")
	}
	if err := p.Check(writeSpec, Confirmation{Typed: "production"}); !IsRefused(err) {
		t.Errorf("write after expiry: %v", err)
	}
	_ = p.Arm("again", time.Minute)
	p.Disarm()
	if err := p.Check(writeSpec, Confirmation{Typed: "production"}); !IsRefused(err) {
		t.Errorf("write after Disarm: %v", err)
	}
}

func TestStandardNeedsAConfirmingKeyThatDiffersFromTheStartingKey(t *testing.T) {
	p, err := NewPolicy("staging", Standard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(writeSpec, Confirmation{StartKey: "enter"}); !IsRefused(err) {
		t.Errorf("no confirmation: %v", err)
	}
	err = p.Check(writeSpec, Confirmation{StartKey: "enter", ConfirmKey: "enter"})
	if !IsRefused(err) || !strings.Contains(err.Error(), `must differ from the key "enter"`) {
		t.Errorf("same key: %v", err)
	}
	if err := p.Check(writeSpec, Confirmation{StartKey: "enter", ConfirmKey: "y"}); err != nil {
		t.Errorf("proper confirmation: %v", err)
	}
	if p.ConfirmHeader() != "" {
		t.Errorf("standard environments send no confirm header, got %q", p.ConfirmHeader())
	}
	if err := p.Arm("x", time.Minute); err == nil {
		t.Error("arming a standard environment succeeded")
	}
	if _, err := NewPolicy("x", "lax", nil); err == nil || !strings.Contains(err.Error(), "accepted values are protected, standard") {
		t.Errorf("bad profile: %v", err)
	}
}
