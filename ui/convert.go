package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"gatewayops/alarms"
	"gatewayops/gateway"
	"gatewayops/internal/numfmt"
	"gatewayops/internal/termsafe"
	"gatewayops/runbooks"
)

// fromAlarmSnapshot turns the poller's snapshot into what the console draws.
func fromAlarmSnapshot(s alarms.Snapshot) Snapshot {
	out := Snapshot{TakenAt: s.TakenAt, Alarms: s.Alarms, Lint: map[string][]alarms.Finding{}}
	for _, f := range s.Lint {
		out.Lint[f.Alarm] = append(out.Lint[f.Alarm], f)
	}
	for _, p := range s.Panels {
		out.Panels = append(out.Panels, fromPanel(p))
	}
	names := make([]string, 0, len(s.Health))
	for n := range s.Health {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		h := s.Health[n]
		out.Health = append(out.Health, Health{Name: n, LastSuccess: h.LastSuccess, LastError: staleError(h), StaleSince: staleSince(h), Calls: h.Calls})
		out.APICalls += h.Calls
		out.CostUSD += h.CostUSD
		out.CostPerDay += alarms.CostPerDayText(h.CostPerDayUSD)
	}
	return out
}

func staleError(h alarms.Health) string {
	if h.Stale {
		return h.LastError
	}
	return ""
}

// staleSince is when the data started to age: the last success, or the
// first error when there never was one.
func staleSince(h alarms.Health) time.Time {
	if !h.Stale {
		return time.Time{}
	}
	if !h.StaleSince.IsZero() {
		return h.StaleSince
	}
	return h.ErrorAt
}

func fromPanel(p alarms.PanelSeries) Panel {
	out := Panel{Title: p.Panel.Title, Unit: p.Panel.Unit, Thresholds: p.Panel.Annotations}
	for _, l := range p.Lines {
		label := l.Label
		if label == "" {
			label = l.ID
		}
		out.Lines = append(out.Lines, PanelLine{Label: label, Series: l.Points})
	}
	return out
}

// fromRunbook keeps what the runbook panel shows.
func fromRunbook(r runbooks.Runbook) Runbook {
	out := Runbook{ID: r.Name, Title: r.Title, Source: string(r.Source)}
	for _, s := range r.Steps {
		out.Steps = append(out.Steps, Step{Command: s.Command, Title: s.Title, Section: s.Section, Line: s.Line})
	}
	return out
}

// firstSummaryPending is the Redis view's drift line until the admin
// server's first background summary is in.
const firstSummaryPending = "drift: the first background summary is still running"

// reservationsText is the reservations part of the Redis view: status's
// counts by expiry time, then the background summary's drift with its age.
func reservationsText(t gateway.ReservationCounts) string {
	// Three short lines, not one long one: at 10^6 members the counts alone
	// are 60 columns, and an 80-column pane cut the single line mid-word.
	n := numfmt.Thousands
	out := fmt.Sprintf("reservations by expiry time, %s:\n"+
		"  %s live, %s expired (claimable), %s orphaned\n"+
		"reserved %s; %s from earlier months; oldest expired %s",
		numfmt.Count(int64(t.Communities), "community", "communities"),
		n(int64(t.Live)), n(int64(t.Expired)), n(int64(t.Orphaned)),
		cents(t.ReservedCents), n(int64(t.PreviousMonth)), age(time.Duration(t.OldestExpiredAgeMs)*time.Millisecond))
	s := t.Summary
	if s == nil {
		return out + "\n" + firstSummaryPending
	}
	out += fmt.Sprintf("\nlive estimates %s: drift %s (summary %s old)", cents(s.Totals.LiveEstimateCents),
		cents(s.Totals.DriftCents), age(time.Duration(s.AgeMs)*time.Millisecond))
	if s.Error != "" {
		out += "; the latest summary failed: " + s.Error
	}
	return out
}

// redisText is the Redis view's text: the diagnosis head, the
// reservations, then the slowlog, so that a short pane cuts the slowlog,
// not the counts; the parts that are empty are left out. All of it comes
// from outside (Redis's answers, the admin server's errors): escaped.
func redisText(diagnosis, reservations, slowlog string) string {
	var kept []string
	for _, p := range []string{diagnosis, reservations, slowlog} {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return termsafe.Text(strings.Join(kept, "\n\n"))
}

func cents(c int64) string { return numfmt.Dollars(c) }

// diagnosisText is the head of the redis.diagnose part of the Redis view:
// latency, server, memory, keyspace.
func diagnosisText(d gateway.Diagnosis) string {
	var b strings.Builder
	if d.Ping.Error != "" {
		fmt.Fprintf(&b, "PING failed: %s\n", d.Ping.Error)
	} else {
		fmt.Fprintf(&b, "PING min/avg/max %.2f/%.2f/%.2f ms\n", d.Ping.MinMs, d.Ping.AvgMs, d.Ping.MaxMs)
	}
	fmt.Fprintf(&b, "server %s (%s), up %s; clients %d connected, %d blocked\n",
		d.Server.Version, d.Server.Mode, age(time.Duration(d.Server.UptimeSeconds)*time.Second), d.Clients.Connected, d.Clients.Blocked)
	mem := fmt.Sprintf("memory %s bytes used", numfmt.Thousands(d.Memory.UsedBytes))
	if d.Memory.MaxBytes > 0 {
		mem += fmt.Sprintf(" of %s (%.1f%%)", numfmt.Thousands(d.Memory.MaxBytes), d.Memory.UsedPercent)
	}
	fmt.Fprintf(&b, "%s, policy %s, evicted %d\n", mem, d.Memory.Policy, d.Memory.EvictedKeys)
	for _, k := range d.Keyspace {
		fmt.Fprintf(&b, "%s: %s keys, %s with expiry\n", k.DB, numfmt.Thousands(k.Keys), numfmt.Thousands(k.Expires))
	}
	return strings.TrimRight(b.String(), "\n")
}

// slowlogText is the slowlog and latency part of the Redis view.
func slowlogText(d gateway.Diagnosis) string {
	var b strings.Builder
	if d.SlowlogErr != "" {
		fmt.Fprintf(&b, "slowlog unavailable: %s\n", d.SlowlogErr)
	}
	for i, s := range d.Slowlog {
		if i == 5 {
			break
		}
		// A slowlog entry holds the arguments as sent, and anyone who can
		// reach Redis chooses them: a newline would break the row, an
		// escape sequence would reach the terminal.
		fmt.Fprintf(&b, "slow: %s %d µs %s\n", s.At.UTC().Format("15:04:05Z"), s.DurationUs, termsafe.String(s.Command))
	}
	for _, l := range d.Latency {
		fmt.Fprintf(&b, "latency event %s: latest %d ms, max %d ms\n", l.Event, l.LatestMs, l.MaxMs)
	}
	return strings.TrimRight(b.String(), "\n")
}
