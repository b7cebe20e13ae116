// Package logsink is where library log lines go while the console owns the
// terminal: go-redis's logger, the AWS SDK's logger and the standard log
// package write here instead of to stderr, where they would land over the
// full-screen UI. A Sink keeps the newest lines in memory (bounded, for the
// console's log view) and appends every line to a file in the state dir.
// Each line is redacted (the journal's redactor) and sanitised before it is
// kept, so the file and the view hold no secret and no control character.
package logsink

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go/logging"

	"gatewayops/internal/termsafe"
)

// DefaultCapacity is how many lines the in-memory log keeps.
const DefaultCapacity = 500

// maxFileBytes is the size at which the file is rotated to FILE.1 on open.
const maxFileBytes = 4 << 20

// Line is one log line.
type Line struct {
	At     time.Time
	Source string // redis, aws, log
	Text   string
}

func (l Line) String() string {
	return l.At.UTC().Format("2006-01-02T15:04:05Z") + " " + l.Source + ": " + l.Text
}

// Options configure a Sink.
type Options struct {
	// Path is the file appended to ("" = memory only).
	Path string
	// Capacity bounds the in-memory lines (default DefaultCapacity).
	Capacity int
	// Redact removes secrets from a line (the journal's Redactor.String).
	Redact func(string) string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Sink is safe for concurrent use.
type Sink struct {
	opts Options

	mu    sync.Mutex
	ring  []Line
	next  int
	total int
	file  *os.File
	err   error // the first file write error, reported once in the view
}

// Open creates the sink and its file (mode 0600, directory 0700).
func Open(o Options) (*Sink, error) {
	if o.Capacity <= 0 {
		o.Capacity = DefaultCapacity
	}
	if o.Redact == nil {
		o.Redact = func(s string) string { return s }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Sink{opts: o, ring: make([]Line, 0, o.Capacity)}
	if o.Path == "" {
		return s, nil
	}
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o700); err != nil {
		return nil, fmt.Errorf("log: %w", err)
	}
	if fi, err := os.Stat(o.Path); err == nil && fi.Size() > maxFileBytes {
		_ = os.Rename(o.Path, o.Path+".1")
	}
	f, err := os.OpenFile(o.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("log: %w", err)
	}
	s.file = f
	return s, nil
}

// Add records one line (several when text holds newlines).
func (s *Sink) Add(source, text string) {
	at := s.opts.Now()
	for _, t := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		l := Line{At: at, Source: source, Text: termsafe.String(s.opts.Redact(t))}
		s.mu.Lock()
		s.keep(l)
		if s.file != nil && s.err == nil {
			if _, err := s.file.WriteString(l.String() + "\n"); err != nil {
				s.err = err
			}
		}
		s.mu.Unlock()
	}
}

func (s *Sink) keep(l Line) {
	s.total++
	if len(s.ring) < cap(s.ring) {
		s.ring = append(s.ring, l)
		return
	}
	s.ring[s.next] = l
	s.next = (s.next + 1) % len(s.ring)
}

// Lines returns the kept lines, oldest first.
func (s *Sink) Lines() []Line {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Line, 0, len(s.ring))
	out = append(out, s.ring[s.next:]...)
	return append(out, s.ring[:s.next]...)
}

// Total counts every line ever added (those dropped from memory included).
func (s *Sink) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// Path is the file, "" when memory only.
func (s *Sink) Path() string { return s.opts.Path }

// FileError is the first error writing the file, nil when none.
func (s *Sink) FileError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close closes the file.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	s.file = nil
	return err
}

// Write makes the sink an io.Writer for the standard log package (and
// slog's default handler, which writes through it).
func (s *Sink) Write(p []byte) (int, error) {
	s.Add("log", string(p))
	return len(p), nil
}

// Redis is the sink as go-redis's logger (redis.SetLogger).
func (s *Sink) Redis() RedisLogger { return RedisLogger{s} }

// RedisLogger implements go-redis's internal.Logging.
type RedisLogger struct{ s *Sink }

// Printf records one go-redis log line.
func (r RedisLogger) Printf(_ context.Context, format string, v ...any) {
	r.s.Add("redis", fmt.Sprintf(format, v...))
}

// AWS is the sink as the AWS SDK's logger (config.WithLogger).
func (s *Sink) AWS() logging.Logger { return awsLogger{s} }

type awsLogger struct{ s *Sink }

func (a awsLogger) Logf(c logging.Classification, format string, v ...any) {
	a.s.Add("aws", string(c)+" "+fmt.Sprintf(format, v...))
}
