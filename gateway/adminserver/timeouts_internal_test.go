package adminserver

import (
	"log/slog"
	"testing"
	"time"
)

// TestHTTPServerHasTimeouts guards against a refactor dropping the limits
// that keep slow clients from holding connections forever.
func TestHTTPServerHasTimeouts(t *testing.T) {
	hs := (&Server{log: slog.New(slog.DiscardHandler)}).httpServer()
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": hs.ReadHeaderTimeout, "ReadTimeout": hs.ReadTimeout,
		"WriteTimeout": hs.WriteTimeout, "IdleTimeout": hs.IdleTimeout,
	} {
		if d <= 0 {
			t.Errorf("%s is unset", name)
		}
	}
	if hs.WriteTimeout <= writeApplyTimeout {
		t.Errorf("WriteTimeout %s must exceed the time a write may take (%s)", hs.WriteTimeout, writeApplyTimeout)
	}
}
