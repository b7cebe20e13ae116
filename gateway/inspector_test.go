package gateway

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestScanKeysIsBoundedAndUsesScan(t *testing.T) {
	f := newFixture(t)
	pipe := f.rdb.Pipeline()
	for i := range 1000 {
		pipe.Set(f.ctx, fmt.Sprint("agent:budget:limit:c", i), 1, 0)
	}
	pipe.Set(f.ctx, "other", 1, 0)
	if _, err := pipe.Exec(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.rdb.ConfigResetStat(f.ctx)
	in := NewInspector(f.rdb)
	keys, truncated, err := in.ScanKeys(f.ctx, "agent:budget:limit:*", 50)
	if err != nil || len(keys) != 50 || !truncated {
		t.Fatalf("bounded scan: %d keys truncated=%v err=%v", len(keys), truncated, err)
	}
	all, truncated, err := in.ScanKeys(f.ctx, "agent:budget:limit:*", 5000)
	if err != nil || len(all) != 1000 || truncated {
		t.Fatalf("full scan: %d keys truncated=%v err=%v", len(all), truncated, err)
	}
	stats := f.rdb.Info(f.ctx, "commandstats").Val()
	if strings.Contains(stats, "cmdstat_keys:") || !strings.Contains(stats, "cmdstat_scan:") {
		t.Fatalf("want SCAN only:\n%s", stats)
	}
	var ve *ValidationError
	if _, _, err := in.ScanKeys(f.ctx, "", 10); !errors.As(err, &ve) || ve.Field != "pattern" {
		t.Fatalf("empty pattern: %v", err)
	}
	if _, _, err := in.ScanKeys(f.ctx, "*", 0); !errors.As(err, &ve) || ve.Field != "max" {
		t.Fatalf("max 0: %v", err)
	}
}

func TestDiagnoseReadsEveryPart(t *testing.T) {
	_, rdb := newFixtureWithArgs(t, "--maxmemory", "64mb", "--latency-monitor-threshold", "1", "--slowlog-log-slower-than", "0")
	f := &fixture{rdb: rdb}
	ctx := t.Context()
	rdb.Set(ctx, "a", 1, 0)
	rdb.Set(ctx, "b", 1, 0)
	// a real slow command (a busy Lua loop of a few ms): a latency event and a slowlog entry
	if err := rdb.Eval(ctx, "local i = 0 while i < 5000000 do i = i + 1 end return i", nil).Err(); err != nil {
		t.Fatal(err)
	}
	d, err := NewInspector(f.rdb).Diagnose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Ping.SamplesMs) != 3 || d.Ping.Error != "" || d.Ping.MaxMs < d.Ping.MinMs {
		t.Fatalf("ping %+v", d.Ping)
	}
	for _, sec := range diagnoseSections {
		if len(d.Info[sec]) == 0 && sec != "keyspace" {
			t.Errorf("INFO %s empty", sec)
		}
	}
	if d.Server.Version == "" || d.Server.Mode != "standalone" || d.Memory.MaxBytes != 64<<20 ||
		d.Memory.UsedBytes == 0 || d.Memory.UsedPercent <= 0 || d.Clients.Connected < 1 || d.Memory.Policy == "" {
		t.Fatalf("summary %+v %+v %+v", d.Server, d.Memory, d.Clients)
	}
	if len(d.Keyspace) != 1 || d.Keyspace[0].DB != "db0" || d.Keyspace[0].Keys != 2 {
		t.Fatalf("keyspace %+v", d.Keyspace)
	}
	if d.SlowlogErr != "" || len(d.Slowlog) == 0 || d.LatencyErr != "" || len(d.Latency) == 0 {
		t.Fatalf("slowlog %+v (%s) latency %+v (%s)", d.Slowlog, d.SlowlogErr, d.Latency, d.LatencyErr)
	}
}

func TestDiagnoseKeepsPartsWhenACommandIsRefused(t *testing.T) {
	// A managed Redis that renames LATENCY and SLOWLOG away, as some providers do.
	_, rdb := newFixtureWithArgs(t, "--rename-command", "LATENCY", "", "--rename-command", "SLOWLOG", "")
	d, err := NewInspector(rdb).Diagnose(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if d.LatencyErr == "" || d.SlowlogErr == "" {
		t.Fatalf("refused commands not reported: %+v", d)
	}
	if d.Server.Version == "" || len(d.Ping.SamplesMs) != 3 {
		t.Fatalf("the other parts were lost: %+v", d)
	}
}

func TestRedactCommandHidesSecrets(t *testing.T) {
	if got := redactCommand([]string{"auth", "s3cret"}); strings.Contains(got, "s3cret") {
		t.Fatalf("auth shown: %q", got)
	}
	if got := redactCommand([]string{"CONFIG", "SET", "requirepass", "s3cret"}); strings.Contains(got, "s3cret") {
		t.Fatalf("config shown: %q", got)
	}
	if got := redactCommand([]string{"GET", "k"}); got != "GET k" {
		t.Fatalf("plain command %q", got)
	}
}
