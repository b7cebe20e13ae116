package adminserver

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"gatewayops/gateway"
)

// status composes breakers, flags, enforcement, Redis health and
// reservation totals into one answer.
func (s *Server) status(ctx context.Context, _ *request) (outcome, error) {
	st := gateway.Status{Environment: s.cfg.Environment, Protected: s.cfg.Protected, ServerTime: s.cfg.Now().UTC()}
	st.Redis = s.cfg.Store.Ping(ctx)
	if !st.Redis.OK {
		return outcome{}, errorf(http.StatusServiceUnavailable, gateway.CodeRedisUnavailable, "the gateway's Redis did not answer PING: "+st.Redis.Error)
	}
	// Breakers and reservations are read by name through the background
	// index: O(communities), never O(reservations); the figures that read
	// every hash come from the background summary, with its age.
	v, err := s.summary.current(ctx)
	if err != nil {
		return outcome{}, err
	}
	if st.Breakers, err = s.cfg.Store.BreakersNamed(ctx, v.breakers); err != nil {
		return outcome{}, err
	}
	if st.Flags, err = s.cfg.Store.Flags(ctx); err != nil {
		return outcome{}, err
	}
	if st.Enforcement, err = s.cfg.Store.Enforcement(ctx); err != nil {
		return outcome{}, err
	}
	if st.Reservations, err = s.cfg.Store.ReservationCounts(ctx, v.idx); err != nil {
		return outcome{}, err
	}
	st.Reservations.Summary = v.summary
	return outcome{result: st}, nil
}

// RefreshSummary runs one background round (key discovery and reservation
// summary) now and waits for it, so that the next status serves it.
func (s *Server) RefreshSummary(ctx context.Context) error { return s.summary.refresh(ctx) }

func (s *Server) breakers(ctx context.Context, _ *request) (outcome, error) {
	list, err := s.cfg.Store.Breakers(ctx)
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: gateway.BreakerList{Breakers: list}}, nil
}

func (s *Server) resetBreaker(ctx context.Context, rq *request) (outcome, error) {
	res, err := s.cfg.Store.ResetBreaker(ctx, rq.http.PathValue("component"))
	if err != nil {
		return outcome{}, storeError(err)
	}
	return outcome{result: res, before: res.Before, after: res.After}, nil
}

func (s *Server) reservationSummary(ctx context.Context, rq *request) (outcome, error) {
	community := rq.http.URL.Query().Get("community")
	var sum gateway.ReservationSummary
	var err error
	// Every community: through the background key index while it is at most
	// summaryMaxAge old, as a drain does (decision 140), and the summary
	// cache (decision 160); an older one costs a walk of the keyspace and a
	// cold read, as it did before.
	if idx, ok := s.summary.index(summaryMaxAge); community == "" && ok {
		sum, err = s.summary.summaryOf(ctx, idx, maxSummaryCommunities)
	} else {
		sum, err = s.cfg.Store.ReservationSummary(ctx, community, maxSummaryCommunities)
	}
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: sum}, nil
}

func (s *Server) reservations(ctx context.Context, rq *request) (outcome, error) {
	limit, err := intParam(rq.http, "limit", gateway.DefaultListLimit, 1, gateway.MaxListLimit)
	if err != nil {
		return outcome{}, err
	}
	q := rq.http.URL.Query()
	page, err := s.cfg.Store.ListReservations(ctx, q.Get("community"), q.Get("cursor"), limit)
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: page}, nil
}

func (s *Server) drain(ctx context.Context, rq *request) (outcome, error) {
	// The store validates mode, olderThan, batchSize and community.
	req := *rq.body.(*gateway.DrainRequest)
	// Every community: through the background key index (at most
	// summaryMaxAge old), not a walk of the keyspace per call, so plan,
	// apply and verify share one discovery.
	v, err := s.summary.fresh(ctx, summaryMaxAge)
	if err != nil {
		return outcome{}, err
	}
	res, err := s.cfg.Store.DrainWith(ctx, req, v.idx)
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: res, before: req, after: res}, nil
}

func (s *Server) budget(ctx context.Context, rq *request) (outcome, error) {
	q := rq.http.URL.Query()
	list, err := s.cfg.Store.Budget(ctx, q.Get("community"), q.Get("month"), maxSummaryCommunities)
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: list}, nil
}

func (s *Server) flags(ctx context.Context, _ *request) (outcome, error) {
	f, err := s.cfg.Store.Flags(ctx)
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: f}, nil
}

func (s *Server) setFlag(ctx context.Context, rq *request) (outcome, error) {
	name := rq.http.PathValue("name")
	if !slices.Contains(gateway.FlagNames(), name) {
		return outcome{}, errorf(http.StatusNotFound, gateway.CodeNotFound, fmt.Sprintf("unknown flag %q; known flags: %s", name, strings.Join(gateway.FlagNames(), ", ")))
	}
	body := rq.body.(*gateway.FlagSetRequest)
	if body.Enabled == nil {
		return outcome{}, invalid(`field "enabled" is required: true or false`)
	}
	ch, err := s.cfg.Store.SetFlag(ctx, name, *body.Enabled)
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: ch, before: map[string]bool{name: ch.Before}, after: map[string]bool{name: ch.After}}, nil
}

func (s *Server) enforcement(ctx context.Context, _ *request) (outcome, error) {
	e, err := s.cfg.Store.Enforcement(ctx)
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: e}, nil
}

func (s *Server) setEnforcement(ctx context.Context, rq *request) (outcome, error) {
	mode := rq.body.(*gateway.EnforcementSetRequest).Mode
	if mode != gateway.EnforcementWarn && mode != gateway.EnforcementReject {
		return outcome{}, invalid(fmt.Sprintf("field \"mode\" is %q; accepted values: %s, %s", mode, gateway.EnforcementWarn, gateway.EnforcementReject))
	}
	ch, err := s.cfg.Store.SetEnforcement(ctx, mode)
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: ch, before: ch.Before, after: ch.After}, nil
}

func (s *Server) auditList(ctx context.Context, rq *request) (outcome, error) {
	limit, err := intParam(rq.http, "limit", defaultPageLimit, 1, maxPageLimit)
	if err != nil {
		return outcome{}, err
	}
	log := s.audit
	switch kind := rq.http.URL.Query().Get("kind"); kind {
	case "", "write":
	case "auth":
		// This process's current minute is written first, so the list is
		// complete up to now for the failures this replica saw.
		if recs := s.authFails.take(); len(recs) > 0 {
			s.flushAuth(rq, recs)
		}
		log = s.authAudit
	default:
		return outcome{}, invalid(fmt.Sprintf("query parameter kind=%s: use write (default) or auth", quoteValue(kind)))
	}
	list, err := log.list(ctx, rq.http.URL.Query().Get("cursor"), limit)
	if err != nil {
		return outcome{}, err
	}
	return outcome{result: list}, nil
}
