package cwlocal

import (
	"fmt"
	"slices"
	"time"
)

// The hooks of replay (package alarms/replay): a recording is loaded
// through the same batch as PutMetricData and EMF (stored whole or refused
// whole), and alarm states are set at the times they were recorded.

// StatSetAt is one period's statistic set, as GetMetricData reported it.
type StatSetAt struct {
	T                                  time.Time
	SampleCount, Sum, Minimum, Maximum float64
}

// LoadStatisticSets stores statistic sets of one metric identity, all or
// none. Unlike PutMetricData it accepts the AWS/ namespaces (a recording
// holds ElastiCache metrics too). highRes stores them at 1 s resolution,
// for periods under a minute. Such buckets answer no percentile, as in
// CloudWatch: their samples are unknown.
func (s *Service) LoadStatisticSets(ns, name string, dims []Dimension, unit string, highRes bool, sets []StatSetAt) error {
	if unit == "" {
		unit = "None"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.newBatch()
	id := newMetricID(ns, name, dims)
	for i, st := range sets {
		if st.SampleCount <= 0 || st.Minimum > st.Maximum {
			return fmt.Errorf("%s/%s set %d (%s): needs SampleCount > 0 and Minimum <= Maximum", ns, name, i, st.T.UTC().Format(time.RFC3339))
		}
		smp := sample{t: st.T.Unix(), cnt: st.SampleCount, sum: st.Sum, min: st.Minimum, max: st.Maximum, statOnly: true, highRes: highRes}
		if r := b.put(id, unit, smp); r != nil {
			s.refuseLocked(r.reason, "replay load refused", r)
			return r
		}
	}
	if r := b.commit(); r != nil {
		s.refuseLocked(r.reason, "replay load refused", r)
		return r
	}
	s.counts.datums += len(sets)
	return nil
}

// SeedAlarmState sets the state an alarm already had when a recording
// began, since a given time, without a history item (it is not a change
// the recording saw).
func (s *Service) SeedAlarmState(name, state, reason string, since time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.replayAlarm(name, state)
	if err != nil {
		return err
	}
	s.setState(a, state, reason, "", since)
	return nil
}

// SetAlarmStateAt moves an alarm to a state at a given time and writes its
// StateUpdate history item there, as SetAlarmState does at the clock's now.
func (s *Service) SetAlarmStateAt(name, state, reason, reasonData string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.replayAlarm(name, state)
	if err != nil {
		return err
	}
	s.transition(a, state, reason, reasonData, at)
	s.evaluateComposites(at)
	return nil
}

func (s *Service) replayAlarm(name, state string) (*alarm, error) {
	if !oneOf(state, stateValues) {
		return nil, fmt.Errorf("alarm %s: state %q is not one of %v", name, state, stateValues)
	}
	a := s.alarms[name]
	if a == nil {
		return nil, fmt.Errorf("alarm %s does not exist", name)
	}
	return a, nil
}

// ClearAlarms deletes every alarm and its history (a replay brings its
// own), keeping every index as DeleteAlarms does.
func (s *Service) ClearAlarms() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range slices.Clone(s.names) {
		s.forgetAlarm(n)
	}
}
