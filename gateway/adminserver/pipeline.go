package adminserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gatewayops/gateway"
)

// operation is one route of the API.
type operation struct {
	method  string
	path    string // below gateway.APIPrefix, in ServeMux/OpenAPI syntax
	action  string // audit action, e.g. breaker.reset
	write   bool
	newBody func() any // nil: the operation takes no body
	handle  func(ctx context.Context, rq *request) (outcome, error)
}

// request is what the pipeline learned about one call.
type request struct {
	http     *http.Request
	id       string
	keyName  string
	operator string
	idemKey  string
	body     any // decoded body, a pointer from operation.newBody
}

// outcome is an operation's result plus what the audit record shows of it.
type outcome struct {
	result        any
	before, after any
}

// maxOperatorLen bounds X-Operator.
const maxOperatorLen = 128

// serve wraps op in the request pipeline described in the package comment.
func (s *Server) serve(op operation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rq := &request{http: r, id: newRequestID()}
		w.Header().Set(gateway.HeaderRequestID, rq.id)
		start := s.cfg.Now()
		status, replayed := s.pipeline(w, op, rq)
		s.log.LogAttrs(r.Context(), logLevel(status), "admin request",
			slog.String("requestId", rq.id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.String("action", op.action),
			slog.Int("status", status), slog.String("keyName", rq.keyName),
			slog.String("operator", rq.operator), slog.String("idempotencyKey", rq.idemKey),
			slog.Bool("replayed", replayed),
			slog.Float64("durationMs", float64(s.cfg.Now().Sub(start).Microseconds())/1000))
	}
}

func logLevel(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// pipeline runs every step and writes the response; it returns the status.
func (s *Server) pipeline(w http.ResponseWriter, op operation, rq *request) (status int, replayed bool) {
	fail := func(e *apiError) (int, bool) {
		writeBody(w, e.status, errorBody(e, rq.id))
		return e.status, false
	}
	if ok, wait := s.limit.allow(callerID(rq.http)); !ok {
		secs := int(wait / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return fail(errorf(http.StatusTooManyRequests, gateway.CodeRateLimited,
			fmt.Sprintf("rate limit of %d requests per minute exceeded; retry after %d seconds", s.cfg.RateLimitPerMinute, secs)))
	}
	// Failed authentications are also counted per client IP: otherwise a
	// caller could try unlimited keys, each with a fresh per-key bucket.
	failKey := "authfail:" + clientIP(rq.http)
	if s.limit.exhausted(failKey) {
		w.Header().Set("Retry-After", "60")
		return fail(errorf(http.StatusTooManyRequests, gateway.CodeRateLimited,
			fmt.Sprintf("more than %d failed authentications per minute from this address; retry after 60 seconds", s.cfg.RateLimitPerMinute)))
	}
	if e := s.authenticate(rq); e != nil {
		s.limit.allow(failKey)
		return fail(e)
	}
	if !op.write {
		out, err := op.handle(rq.http.Context(), rq)
		if err != nil {
			return fail(s.failure(rq, err))
		}
		writeBody(w, http.StatusOK, encodeJSON(out.result))
		return http.StatusOK, false
	}
	if e := s.checkWriteHeaders(rq); e != nil {
		return fail(e)
	}
	raw, e := s.readBody(w, op, rq)
	if e != nil {
		return fail(e)
	}
	return s.applyWrite(w, op, rq, raw)
}

// callerID keys the limiter: a hash of the presented key (so a caller cannot
// dodge the limit by changing IP), else the client IP.
func callerID(r *http.Request) string {
	if k := r.Header.Get(gateway.HeaderAPIKey); k != "" {
		sum := sha256.Sum256([]byte(k))
		return "key:" + hex.EncodeToString(sum[:])
	}
	return "ip:" + clientIP(r)
}

// clientIP is the peer address. X-Forwarded-For is ignored on purpose: the
// server is deployed beside the gateway, and a client could forge it.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authenticate sets rq.keyName or answers 401/403; failures are audited
// without the presented key.
func (s *Server) authenticate(rq *request) *apiError {
	presented := rq.http.Header.Get(gateway.HeaderAPIKey)
	var e *apiError
	if presented == "" {
		e = errorf(http.StatusUnauthorized, gateway.CodeUnauthorized, "API key required: send it in the X-API-Key header")
	} else if name, ok := s.auth.lookup(presented); ok {
		rq.keyName = name
		return nil
	} else {
		e = errorf(http.StatusForbidden, gateway.CodeForbidden, "invalid API key")
	}
	s.record(rq, gateway.AuditRecord{
		Action: "auth.failed", KeyName: "unknown", Status: e.status,
		Detail: fmt.Sprintf("%s %s: %s", rq.http.Method, rq.http.URL.Path, e.message),
	})
	return e
}

// checkWriteHeaders enforces the headers every write needs.
func (s *Server) checkWriteHeaders(rq *request) *apiError {
	h := rq.http.Header
	if s.cfg.Protected {
		want := s.cfg.Environment
		switch got := h.Get(gateway.HeaderConfirmEnv); {
		case got == "":
			return errorf(http.StatusPreconditionFailed, gateway.CodeConfirmRequired, fmt.Sprintf(
				"environment %q is protected: writes need header %s: %s", want, gateway.HeaderConfirmEnv, want))
		case got != want:
			return errorf(http.StatusForbidden, gateway.CodeConfirmRequired, fmt.Sprintf(
				"header %s names %q but this is environment %q: send %s: %s", gateway.HeaderConfirmEnv, got, want, gateway.HeaderConfirmEnv, want))
		}
	}
	rq.operator = strings.TrimSpace(h.Get(gateway.HeaderOperator))
	if !validOperator(rq.operator) {
		rq.operator = ""
		return invalid(fmt.Sprintf("header %s is required on writes: who is acting (1-%d printable characters)", gateway.HeaderOperator, maxOperatorLen))
	}
	rq.idemKey = h.Get(gateway.HeaderIdempotencyKey)
	if !validIdemKey(rq.idemKey) {
		rq.idemKey = ""
		return invalid(fmt.Sprintf("header %s is required on writes: 1-%d printable ASCII characters, one new key per intended action", gateway.HeaderIdempotencyKey, MaxIdemKeyLen))
	}
	return nil
}

func validOperator(op string) bool {
	if op == "" || len(op) > maxOperatorLen {
		return false
	}
	for _, r := range op {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// readBody reads at most MaxBodyBytes and decodes it strictly into
// op.newBody(); it returns the raw bytes for the idempotency fingerprint.
func (s *Server) readBody(w http.ResponseWriter, op operation, rq *request) ([]byte, *apiError) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, rq.http.Body, s.cfg.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, errorf(http.StatusRequestEntityTooLarge, gateway.CodeBodyTooLarge,
			fmt.Sprintf("request body exceeds %d bytes", s.cfg.MaxBodyBytes))
	case err != nil:
		return nil, invalid("could not read the request body: " + err.Error())
	}
	trimmed := bytes.TrimSpace(raw)
	if op.newBody == nil {
		if len(trimmed) > 0 && !bytes.Equal(trimmed, []byte("{}")) {
			return nil, invalid(fmt.Sprintf("%s %s takes no request body", op.method, gateway.APIPrefix+op.path))
		}
		return trimmed, nil
	}
	if len(trimmed) == 0 {
		return nil, invalid("request body is required: a JSON object (see openapi.yaml)")
	}
	body := op.newBody()
	if e := decodeStrict(trimmed, body); e != nil {
		return nil, e
	}
	rq.body = body
	return trimmed, nil
}

// decodeStrict decodes one JSON object, refusing unknown fields and trailing data.
func decodeStrict(raw []byte, into any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		return invalid(describeJSONError(err))
	}
	if dec.More() {
		return invalid("malformed JSON: unexpected data after the JSON object")
	}
	return nil
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be a JSON %s, got %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: the body ends in the middle of a value"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + " (see openapi.yaml for the accepted fields)"
	}
	return "malformed JSON: " + err.Error()
}

func jsonKind(goKind string) string {
	switch goKind {
	case "bool", "ptr":
		return "boolean"
	case "int", "int64", "int32":
		return "integer"
	case "string":
		return "string"
	}
	return goKind
}
