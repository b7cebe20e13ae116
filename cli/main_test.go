package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestUnknownCommandFails(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), []string{"frobnicate"}, &out, &errb); code != 2 {
		t.Fatalf("exit = %d, want 2", code)
	}
	if !strings.Contains(errb.String(), `unknown command "frobnicate"`) {
		t.Fatalf("stderr = %q", errb.String())
	}
}

func TestVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), []string{"version"}, &out, &errb); code != 0 {
		t.Fatalf("exit = %d", code)
	}
	if !strings.HasPrefix(out.String(), "gatewayops ") {
		t.Fatalf("stdout = %q", out.String())
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	var out, errb bytes.Buffer
	dispatch(context.Background(), []string{"help"}, &out, &errb)
	for name := range commands() {
		if !strings.Contains(out.String(), name) {
			t.Errorf("help does not list %q", name)
		}
	}
}
