package adminserver

import (
	"context"
	"net/http"

	"gatewayops/gateway"
)

// applyWrite runs a write at most once per Idempotency-Key: claim the key,
// apply, store the response, audit. A repeat replays the stored response.
func (s *Server) applyWrite(w http.ResponseWriter, op operation, rq *request, raw []byte) (int, bool) {
	// A write, once started, finishes and is recorded even if the client
	// hangs up: otherwise its retry could not learn what happened.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(rq.http.Context()), writeApplyTimeout)
	defer cancel()
	redisKey := IdemRedisKey(rq.keyName, rq.idemKey)
	fp := fingerprint(op.method, rq.http.URL.Path, raw)
	stored, cl, err := s.idem.begin(ctx, redisKey, fp, rq.id)
	if err != nil {
		e := s.failure(rq, err)
		writeBody(w, e.status, errorBody(e, rq.id))
		return e.status, false
	}
	if stored != nil {
		// A replay changes nothing, but who asked again (possibly another
		// operator) belongs in the record.
		s.record(rq, gateway.AuditRecord{Action: op.action, Status: stored.Status, Replayed: true,
			Detail: "replay of an earlier response for this Idempotency-Key; nothing applied"})
		w.Header().Set(gateway.HeaderReplayed, "true")
		writeBody(w, stored.Status, append([]byte(stored.Body), '\n'))
		return stored.Status, true
	}
	defer func() {
		// A panicking handler must not leave the key claimed.
		if p := recover(); p != nil {
			_ = s.idem.release(ctx, cl)
			panic(p)
		}
	}()
	stopHold := s.idem.hold(cl)
	defer stopHold()
	out, err := op.handle(ctx, rq)
	stopHold()
	if err != nil {
		// A refused write (4xx) applied nothing and a failed one (5xx) is not
		// known to have: forget the claim so a retry is judged afresh and bad
		// input leaves no trace.
		if rerr := s.idem.release(ctx, cl); rerr != nil {
			s.log.Warn("could not release idempotency key", "requestId", rq.id, "error", rerr)
		}
		e := s.failure(rq, err)
		writeBody(w, e.status, errorBody(e, rq.id))
		return e.status, false
	}
	body := encodeJSON(out.result)
	if err := s.idem.finish(ctx, cl, http.StatusOK, trimNewline(body)); err != nil {
		s.log.Error("could not store idempotent response; a retry with this key will apply again once the claim expires",
			"requestId", rq.id, "error", err)
	}
	s.record(rq, gateway.AuditRecord{Action: op.action, Status: http.StatusOK, Before: out.before, After: out.after,
		DryRun: isDryRun(rq.body)})
	writeBody(w, http.StatusOK, body)
	return http.StatusOK, false
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
}

// failure classifies err and logs the detail the client does not see.
func (s *Server) failure(rq *request, err error) *apiError {
	e := classify(err)
	if e.status >= 500 {
		s.log.Error("admin request failed", "requestId", rq.id, "code", e.code, "error", err)
	}
	return e
}

// record appends an audit record, filling in who, when and where; a failure
// to audit is logged, never hidden.
func (s *Server) record(rq *request, rec gateway.AuditRecord) {
	rec.At = s.cfg.Now().UTC()
	rec.Environment = s.cfg.Environment
	rec.RequestID = rq.id
	if rec.KeyName == "" {
		rec.KeyName = rq.keyName
	}
	rec.Operator = rq.operator
	rec.IdempotencyKey = rq.idemKey
	ctx, cancel := context.WithTimeout(context.WithoutCancel(rq.http.Context()), writeApplyTimeout)
	defer cancel()
	if _, err := s.audit.append(ctx, rec); err != nil {
		s.log.Error("audit record not written", "requestId", rq.id, "action", rec.Action, "error", err)
	}
}

// flushAuth writes aggregated auth.failed records to their own list.
func (s *Server) flushAuth(rq *request, recs []gateway.AuditRecord) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(rq.http.Context()), writeApplyTimeout)
	defer cancel()
	for _, rec := range recs {
		rec.Environment = s.cfg.Environment
		rec.RequestID = rq.id
		if _, err := s.authAudit.append(ctx, rec); err != nil {
			s.log.Error("auth audit record not written", "requestId", rq.id, "source", rec.Source, "count", rec.Count, "error", err)
		}
	}
}

// isDryRun is true for a write whose body asked for a dry run.
func isDryRun(body any) bool {
	d, ok := body.(*gateway.DrainRequest)
	return ok && d.DryRun
}
