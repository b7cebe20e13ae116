package logsink

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/logging"
	"github.com/redis/go-redis/v9"
)

func TestSinkIsBoundedRedactedAndSanitised(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "console.log")
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	s, err := Open(Options{Path: path, Capacity: 3, Now: func() time.Time { return at },
		Redact: func(l string) string { return strings.ReplaceAll(l, "hunter2-secret", "[redacted]") }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		s.Add("log", fmt.Sprintf("line %d", i))
	}
	s.Add("redis", "dial redis://:hunter2-secret@host failed\x1b[2J\r")
	got := s.Lines()
	if len(got) != 3 || got[0].Text != "line 3" || got[2].Source != "redis" || s.Total() != 6 {
		t.Fatalf("lines = %+v total %d; want the 3 newest of 6", got, s.Total())
	}
	if want := `dial redis://:[redacted]@host failed\x1b[2J\r`; got[2].Text != want {
		t.Fatalf("kept %q, want %q", got[2].Text, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), "\n"); n != 6 || strings.Contains(string(raw), "hunter2") || strings.ContainsRune(string(raw), 0x1b) {
		t.Fatalf("file (%d lines) holds a secret or an escape:\n%s", n, raw)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, want 0600", fi.Mode().Perm())
	}
}

// The three loggers of the process land in the sink: go-redis (dialing a
// port nothing listens on), the standard log package and the AWS SDK.
func TestLibrariesLogIntoTheSink(t *testing.T) {
	s, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	redis.SetLogger(s.Redis())
	prev := log.Writer()
	log.SetOutput(s)
	t.Cleanup(func() { log.SetOutput(prev) })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	defer rdb.Close()
	if err := rdb.Ping(context.Background()).Err(); err == nil {
		t.Fatal("PING to a closed port succeeded")
	}
	log.Printf("std log line")
	s.AWS().Logf(logging.Warn, "Response has no supported checksum")
	var text []string
	for _, l := range s.Lines() {
		text = append(text, l.Source+": "+l.Text)
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{"redis: redis: connection pool: failed to dial", "std log line", "aws: WARN Response has no supported checksum"} {
		if !strings.Contains(all, want) {
			t.Errorf("sink lacks %q:\n%s", want, all)
		}
	}
}
