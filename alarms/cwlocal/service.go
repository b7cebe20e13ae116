// Package cwlocal is a local CloudWatch-compatible service: it ingests EMF
// lines and PutMetricData, keeps bounded in-memory series, evaluates metric
// alarms with CloudWatch semantics, records their history, and serves the
// operations the console uses over the two wire protocols real SDKs speak:
// Smithy RPC v2 CBOR (Go SDK) and AWS JSON 1.0 (JS SDK).
package cwlocal

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"gatewayops/alarms/emf"
)

// Defaults for Config fields left zero.
const (
	DefaultMemoryBudget = 2 << 30 // bytes
	DefaultMaxSeries    = 10000
	DefaultMaxBodyBytes = 1 << 20
	maxHistoryPerAlarm  = 500
)

// Config tunes a Service. Zero values take the defaults.
type Config struct {
	// Now is the clock (time.Now when nil); tests pass a fixed one.
	Now func() time.Time
	// MemoryBudget is the memory the series store may use, in bytes;
	// retention is derived from it (see DeriveRetention).
	MemoryBudget int64
	// MaxSeries bounds the distinct metric identities that no alarm reads;
	// series an alarm reads are always admitted.
	MaxSeries int
	// MaxBodyBytes bounds one HTTP request body.
	MaxBodyBytes int64
	// Region and AccountID appear in ARNs.
	Region, AccountID string
	Logger            *slog.Logger
}

// Service is one local CloudWatch. All state sits behind one mutex.
type Service struct {
	cfg Config

	// parsers reuse EMF parsers across lines (parsing runs outside mu).
	parsers sync.Pool
	// enc encodes CBOR answers (its type plans are shared by all requests).
	enc cborEncoder

	mu       sync.Mutex
	store    *store
	counts   counters
	alarms   map[string]*alarm
	names    []string // every alarm name, sorted: DescribeAlarms pages it
	byState  stateIndex
	history  historyLog
	mutes    map[string]*muteRule
	throttle int
	failures int
	calls    map[string]int
}

// New builds a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MemoryBudget <= 0 {
		cfg.MemoryBudget = DefaultMemoryBudget
	}
	if cfg.MaxSeries <= 0 {
		cfg.MaxSeries = DefaultMaxSeries
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{
		cfg:     cfg,
		store:   newStore(cfg.MaxSeries, DeriveRetention(cfg.MemoryBudget, cfg.MaxSeries)),
		alarms:  map[string]*alarm{},
		byState: stateIndex{},
		mutes:   map[string]*muteRule{},
		calls:   map[string]int{},
	}
}

// SetThrottle makes the next n requests fail with Throttling (HTTP 400).
func (s *Service) SetThrottle(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = n
}

// SetFailures makes the next n requests fail with InternalServiceError (HTTP 500).
func (s *Service) SetFailures(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = n
}

// Calls returns how many requests each operation received (faults included).
func (s *Service) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// injectedFault consumes one queued fault, if any. Caller holds the lock.
func (s *Service) injectedFault() *APIError {
	if s.throttle > 0 {
		s.throttle--
		return errThrottling()
	}
	if s.failures > 0 {
		s.failures--
		return errInternal()
	}
	return nil
}

// IngestEMF stores the data points of one EMF line. The line is checked
// whole first: a malformed line, or one the store cannot take whole, is
// refused with the reason, counted, and nothing of it is stored.
func (s *Service) IngestEMF(line []byte) error {
	p, _ := s.parsers.Get().(*emf.Parser)
	if p == nil {
		p = new(emf.Parser)
	}
	data, err := p.Parse(line)
	s.parsers.Put(p)
	if err != nil {
		s.refuse(refusedInvalid, "EMF line refused", err)
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.newBatch()
	for _, d := range data {
		dims := make([]Dimension, len(d.Dimensions))
		for i, x := range d.Dimensions {
			dims[i] = Dimension{Name: x.Name, Value: x.Value}
		}
		smp := newSample(d.Timestamp.Unix(), d.Values, nil, d.StorageResolution == 1)
		if e := b.put(newMetricID(d.Namespace, d.MetricName, dims), d.Unit, smp); e != nil {
			s.refuseLocked(e.reason, "EMF line refused", e)
			return e
		}
	}
	if e := b.commit(); e != nil {
		s.refuseLocked(e.reason, "EMF line refused", e)
		return e
	}
	s.counts.emfLines++
	return nil
}

// IngestReader ingests newline-delimited EMF lines, skipping blank ones. It
// counts accepted and rejected lines and logs the first reasons; err is only
// a read error.
func (s *Service) IngestReader(r io.Reader) (accepted, rejected int, err error) {
	accepted, rejected, _, err = s.ingestLines(r, 0)
	return accepted, rejected, err
}

// ingestLines is IngestReader that also returns up to keep rejection reasons.
func (s *Service) ingestLines(r io.Reader, keep int) (accepted, rejected int, reasons []string, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if len(trimSpace(line)) == 0 {
			continue
		}
		if e := s.IngestEMF(line); e != nil {
			rejected++ // IngestEMF counted and logged it
			if len(reasons) < keep {
				reasons = append(reasons, fmt.Sprintf("line %d: %v", n, e))
			}
			continue
		}
		accepted++
	}
	return accepted, rejected, reasons, sc.Err()
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// Run evaluates every alarm each interval until ctx ends.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := s.cfg.Now()
			s.EvaluateAll(now)
			s.compact(now)
		}
	}
}

// insertName adds a new alarm name to the sorted index. Caller holds the lock.
func (s *Service) insertName(name string) {
	i, found := slices.BinarySearch(s.names, name)
	if !found {
		s.names = slices.Insert(s.names, i, name)
	}
}

// removeName drops a name from the sorted index. Caller holds the lock.
func (s *Service) removeName(name string) {
	if i, found := slices.BinarySearch(s.names, name); found {
		s.names = slices.Delete(s.names, i, i+1)
	}
}

func (s *Service) arn(kind, name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:%s:%s", s.cfg.Region, s.cfg.AccountID, kind, name)
}
