package gateway

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Inspector is the console's read-only view of a Redis: it only issues
// read commands (SCAN, PING, INFO, SLOWLOG GET, LATENCY LATEST), never KEYS,
// and every result is bounded.
type Inspector struct {
	rdb redis.UniversalClient
}

// NewInspector returns an Inspector over rdb.
func NewInspector(rdb redis.UniversalClient) *Inspector { return &Inspector{rdb: rdb} }

// MaxScanKeys bounds ScanKeys.
const MaxScanKeys = 10000

// scanCount is where every SCAN's COUNT starts (and the most a dense page
// may ask for); adaptiveScan then scales it per call (scan.go). A pattern
// few keys match makes SCAN walk the whole keyspace in keyspace/COUNT calls:
// with 100 that was 10,000 round trips (2.3 s) for 1M keys in make bench.
const scanCount = 1000

// ScanKeys returns up to max keys matching pattern, found with SCAN MATCH
// pattern and an adaptive COUNT. truncated says more keys may match.
func (i *Inspector) ScanKeys(ctx context.Context, pattern string, max int) (keys []string, truncated bool, err error) {
	if pattern == "" {
		return nil, false, invalid("pattern", "is required (a SCAN MATCH glob such as agent:budget:*)")
	}
	if max < 1 || max > MaxScanKeys {
		return nil, false, invalid("max", "%d is out of range: use 1..%d", max, MaxScanKeys)
	}
	seen := map[string]bool{}
	keys = []string{}
	for sc := newAdaptiveScan(pattern); !sc.done(); {
		page, err := sc.next(ctx, i.rdb)
		if err != nil {
			return nil, false, err
		}
		for _, k := range page {
			if seen[k] { // SCAN may return a key more than once
				continue
			}
			if len(keys) == max {
				return keys, true, nil
			}
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys, false, nil
}

// Diagnosis is one read-only health picture of a Redis. Each part carries
// its own error, so one unsupported command (LATENCY on a managed Redis, say)
// does not lose the rest.
type Diagnosis struct {
	At   time.Time `json:"at"`
	Ping PingStats `json:"ping"`
	// Info holds the parsed INFO sections (server, clients, memory, stats,
	// persistence, keyspace): section -> field -> value.
	Info       map[string]map[string]string `json:"info"`
	InfoErrors map[string]string            `json:"infoErrors,omitempty"`
	Server     ServerInfo                   `json:"server"`
	Memory     MemoryInfo                   `json:"memory"`
	Clients    ClientInfo                   `json:"clients"`
	Keyspace   []KeyspaceDB                 `json:"keyspace"`
	Slowlog    []SlowlogEntry               `json:"slowlog"`
	SlowlogErr string                       `json:"slowlogError,omitempty"`
	Latency    []LatencyEvent               `json:"latency"`
	LatencyErr string                       `json:"latencyError,omitempty"`
}

// PingStats are a few PING round trips.
type PingStats struct {
	SamplesMs []float64 `json:"samplesMs"`
	MinMs     float64   `json:"minMs"`
	MaxMs     float64   `json:"maxMs"`
	AvgMs     float64   `json:"avgMs"`
	Error     string    `json:"error,omitempty"`
}

// ServerInfo is the INFO server summary.
type ServerInfo struct {
	Version       string `json:"version"`
	Mode          string `json:"mode"`
	UptimeSeconds int64  `json:"uptimeSeconds"`
}

// MemoryInfo is used memory against maxmemory, and evictions.
type MemoryInfo struct {
	UsedBytes int64 `json:"usedBytes"`
	// MaxBytes 0 means no maxmemory is set.
	MaxBytes int64 `json:"maxBytes"`
	// UsedPercent of MaxBytes; 0 when MaxBytes is 0.
	UsedPercent float64 `json:"usedPercent"`
	Policy      string  `json:"policy"`
	EvictedKeys int64   `json:"evictedKeys"`
}

// ClientInfo counts connections.
type ClientInfo struct {
	Connected int64 `json:"connected"`
	Blocked   int64 `json:"blocked"`
}

// KeyspaceDB is one "dbN:keys=...,expires=..." line of INFO keyspace.
type KeyspaceDB struct {
	DB      string `json:"db"`
	Keys    int64  `json:"keys"`
	Expires int64  `json:"expires"`
}

// SlowlogEntry is one SLOWLOG GET entry; arguments of commands that can
// carry secrets are redacted.
type SlowlogEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	DurationUs int64     `json:"durationUs"`
	Command    string    `json:"command"`
	Client     string    `json:"client,omitempty"`
}

// LatencyEvent is one LATENCY LATEST row.
type LatencyEvent struct {
	Event    string    `json:"event"`
	At       time.Time `json:"at"`
	LatestMs int64     `json:"latestMs"`
	MaxMs    int64     `json:"maxMs"`
}

// diagnoseSections are the INFO sections Diagnose reads, one call each so
// a server that refuses one still answers the others.
var diagnoseSections = []string{"server", "clients", "memory", "stats", "persistence", "keyspace"}

const pingSamples = 3

// Diagnose gathers PING latency, INFO, SLOWLOG GET 10 and LATENCY LATEST.
// Only an unusable context is returned as an error; Redis failures are kept
// per part.
func (i *Inspector) Diagnose(ctx context.Context) (Diagnosis, error) {
	if err := ctx.Err(); err != nil {
		return Diagnosis{}, err
	}
	d := Diagnosis{At: time.Now().UTC(), Info: map[string]map[string]string{}, InfoErrors: map[string]string{},
		Keyspace: []KeyspaceDB{}, Slowlog: []SlowlogEntry{}, Latency: []LatencyEvent{}}
	d.Ping = i.pingStats(ctx)
	if d.Ping.Error != "" {
		// Unreachable or refusing us: every further command would only wait
		// out the same dial retries and say the same thing.
		return d, nil
	}
	for _, sec := range diagnoseSections {
		raw, err := i.rdb.Info(ctx, sec).Result()
		if err != nil {
			d.InfoErrors[sec] = err.Error()
			continue
		}
		d.Info[sec] = parseInfo(raw)
	}
	d.summarizeInfo()
	d.Slowlog, d.SlowlogErr = i.slowlog(ctx)
	d.Latency, d.LatencyErr = i.latency(ctx)
	return d, nil
}

func (i *Inspector) pingStats(ctx context.Context) PingStats {
	p := PingStats{SamplesMs: []float64{}}
	for n := 0; n < pingSamples; n++ {
		start := time.Now()
		if err := i.rdb.Ping(ctx).Err(); err != nil {
			p.Error = err.Error()
			return p
		}
		p.SamplesMs = append(p.SamplesMs, msSince(start))
	}
	p.MinMs, p.MaxMs = p.SamplesMs[0], p.SamplesMs[0]
	var sum float64
	for _, v := range p.SamplesMs {
		p.MinMs, p.MaxMs, sum = min(p.MinMs, v), max(p.MaxMs, v), sum+v
	}
	p.AvgMs = sum / float64(len(p.SamplesMs))
	return p
}

// parseInfo reads "field:value" lines, skipping "# Section" headers.
func parseInfo(raw string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(raw, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = v
		}
	}
	return out
}

func (i *Inspector) slowlog(ctx context.Context) ([]SlowlogEntry, string) {
	logs, err := i.rdb.SlowLogGet(ctx, 10).Result()
	if err != nil {
		return []SlowlogEntry{}, err.Error()
	}
	out := make([]SlowlogEntry, 0, len(logs))
	for _, l := range logs {
		out = append(out, SlowlogEntry{ID: l.ID, At: l.Time.UTC(), DurationUs: l.Duration.Microseconds(),
			Command: redactCommand(l.Args), Client: l.ClientAddr})
	}
	return out, ""
}

func (i *Inspector) latency(ctx context.Context) ([]LatencyEvent, string) {
	rows, err := i.rdb.Do(ctx, "LATENCY", "LATEST").Slice()
	if err != nil {
		return []LatencyEvent{}, err.Error()
	}
	out := make([]LatencyEvent, 0, len(rows))
	for _, r := range rows {
		f, ok := r.([]any)
		if !ok || len(f) < 4 {
			continue
		}
		out = append(out, LatencyEvent{Event: asString(f[0]), At: time.Unix(asInt(f[1]), 0).UTC(),
			LatestMs: asInt(f[2]), MaxMs: asInt(f[3])})
	}
	return out, ""
}
