package adminserver

import (
	"bytes"
	"context"
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

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

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
	if e := s.admit(w, rq); e != nil {
		return fail(e)
	}
	if e := checkQuery(rq.http); e != nil {
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

// checkQuery refuses a query parameter given twice, or in two spellings
// that differ only by case: which one would win is not for the caller to
// guess (the same rule as for JSON bodies).
func checkQuery(r *http.Request) *apiError {
	seen := map[string]string{}
	for k, vs := range r.URL.Query() {
		if len(vs) > 1 {
			return invalid(fmt.Sprintf("query parameter %s is given %d times: give it once", quoteValue(k), len(vs)))
		}
		if other, dup := seen[strings.ToLower(k)]; dup {
			return invalid(fmt.Sprintf("query parameters %s and %s differ only by case: give one, spelled as in openapi.yaml",
				quoteValue(other), quoteValue(k)))
		}
		seen[strings.ToLower(k)] = k
	}
	return nil
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

// admit authenticates and rate-limits. A valid key is recognised first,
// cheaply, and is then limited only by its own per-key budget: it is never
// refused because other callers on the same address failed. Everything
// else (no key, an unknown key, a bcrypt key not yet verified by this
// process) is unauthenticated traffic, limited per client address in
// process before any bcrypt work, and each failure is counted for the
// aggregated auth audit (never one Redis write per request).
func (s *Server) admit(w http.ResponseWriter, rq *request) *apiError {
	presented := rq.http.Header.Get(gateway.HeaderAPIKey)
	name, ok := "", false
	if presented != "" {
		name, ok = s.auth.quick(presented)
	}
	if !ok {
		if allowed, wait := s.limit.allow(unauthBucket(rq.http)); !allowed {
			return s.tooMany(w, wait, fmt.Sprintf("more than %d unauthenticated requests per minute from this address", s.cfg.RateLimitPerMinute))
		}
		if presented != "" {
			name, ok = s.auth.slow(presented)
		}
	}
	if !ok {
		return s.authFailed(rq, presented == "")
	}
	rq.keyName = name
	if allowed, wait := s.keyLimit(rq.http.Context(), name); !allowed {
		return s.tooMany(w, wait, fmt.Sprintf("rate limit of %d requests per minute exceeded for key %s", s.cfg.RateLimitPerMinute, name))
	}
	return nil
}

// unauthBucket is the in-process limiter bucket of key-less traffic.
func unauthBucket(r *http.Request) string { return "unauth:" + clientIP(r) }

func (s *Server) tooMany(w http.ResponseWriter, wait time.Duration, what string) *apiError {
	secs := max(1, int((wait+time.Second-1)/time.Second))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return errorf(http.StatusTooManyRequests, gateway.CodeRateLimited, fmt.Sprintf("%s; retry after %d seconds", what, secs))
}

// authFailed answers 401/403 and counts the failure for the auth audit.
func (s *Server) authFailed(rq *request, missing bool) *apiError {
	e := errorf(http.StatusForbidden, gateway.CodeForbidden, "invalid API key")
	if missing {
		e = errorf(http.StatusUnauthorized, gateway.CodeUnauthorized, "API key required: send it in the X-API-Key header")
	}
	done := s.authFails.add(clientIP(rq.http), e.status, rq.http.Method+" "+rq.http.URL.Path)
	if len(done) > 0 {
		s.flushAuth(rq, done)
	}
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
	case isTimeout(err):
		// The net error names the server's and client's addresses: not for the client.
		return nil, errorf(http.StatusRequestTimeout, gateway.CodeRequestTimeout,
			fmt.Sprintf("the request body did not arrive within the server's read timeout (%s)", readTimeout))
	case err != nil:
		return nil, invalid("could not read the request body (the connection failed mid-body)")
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

// decodeStrict decodes one JSON object with github.com/go-json-experiment/json
// (encoding/json/v2 without GOEXPERIMENT): member names match exactly (a
// case variant such as "DryRun" beside "dryRun" is an unknown member, not a
// second spelling of it), duplicate names, unknown members, invalid UTF-8
// and trailing data are refused (docs/decisions.md 23).
func decodeStrict(raw []byte, into any) *apiError {
	if err := jsonv2.Unmarshal(raw, into, jsonv2.RejectUnknownMembers(true)); err != nil {
		return invalid(describeJSONError(err))
	}
	return nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// describeJSONError names the member and the problem, never a Go type.
func describeJSONError(err error) string {
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	switch {
	case errors.As(err, &syn) && errors.Is(syn.Err, jsontext.ErrDuplicateName):
		return fmt.Sprintf("duplicate field %s: each field may appear once", quoteValue(syn.JSONPointer.LastToken()))
	case errors.As(err, &syn) && errors.Is(syn.Err, io.ErrUnexpectedEOF):
		return "malformed JSON: the body ends in the middle of a value"
	case errors.As(err, &syn) && strings.Contains(syn.Err.Error(), "after top-level value"):
		return "malformed JSON: unexpected data after the JSON object"
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d: %v", syn.ByteOffset, syn.Err)
	case errors.As(err, &sem) && errors.Is(sem.Err, jsonv2.ErrUnknownName):
		return fmt.Sprintf("unknown field %s (field names are case-sensitive; see openapi.yaml for the accepted fields)",
			quoteValue(sem.JSONPointer.LastToken()))
	case errors.As(err, &sem) && sem.JSONPointer == "":
		return "the request body must be a JSON object"
	case errors.As(err, &sem) && sem.GoType != nil:
		return fmt.Sprintf("field %s must be a JSON %s, got %s", quoteValue(strings.TrimPrefix(string(sem.JSONPointer), "/")),
			jsonKind(sem.GoType.Kind().String()), truncate(string(sem.JSONValue))+kindWord(sem))
	}
	return "malformed JSON"
}

// maxQuoted bounds how much of a refused value an error message repeats.
const maxQuoted = 64

// truncate cuts s to maxQuoted characters, marking the cut.
func truncate(s string) string {
	if r := []rune(s); len(r) > maxQuoted {
		return string(r[:maxQuoted]) + "…"
	}
	return s
}

// quoteValue quotes a refused value (Go syntax: control characters escaped),
// at most maxQuoted characters of it.
func quoteValue(s string) string {
	if r := []rune(s); len(r) > maxQuoted {
		return strconv.Quote(string(r[:maxQuoted])) + "…"
	}
	return strconv.Quote(s)
}

// kindWord names the JSON kind when no literal value was kept (objects, arrays).
func kindWord(sem *jsonv2.SemanticError) string {
	if len(sem.JSONValue) > 0 {
		return ""
	}
	switch sem.JSONKind {
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "another kind"
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
