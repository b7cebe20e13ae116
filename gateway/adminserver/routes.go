package adminserver

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"gatewayops/gateway"
)

// Bounds of the list operations.
const (
	maxSummaryCommunities = 500
	defaultPageLimit      = 50
	maxPageLimit          = 500
)

// Route is one served operation: method and path as openapi.yaml writes them.
type Route struct {
	Method string
	Path   string // full path, e.g. /admin/gateway/v1/breakers/{component}/reset
}

// Routes lists every operation the server serves.
func (s *Server) Routes() []Route {
	var out []Route
	for _, op := range s.operations() {
		out = append(out, Route{Method: op.method, Path: gateway.APIPrefix + op.path})
	}
	out = append(out, Route{Method: http.MethodGet, Path: gateway.HealthzPath}, Route{Method: http.MethodGet, Path: gateway.ReadyzPath})
	return out
}

func (s *Server) operations() []operation {
	return []operation{
		{method: http.MethodGet, path: "/status", action: "status.read", handle: s.status},
		{method: http.MethodGet, path: "/breakers", action: "breakers.list", handle: s.breakers},
		{method: http.MethodPost, path: "/breakers/{component}/reset", action: "breaker.reset", write: true, handle: s.resetBreaker},
		{method: http.MethodGet, path: "/reservations/summary", action: "reservations.summary", handle: s.reservationSummary},
		{method: http.MethodGet, path: "/reservations", action: "reservations.list", handle: s.reservations},
		{method: http.MethodPost, path: "/reservations/drain", action: "reservations.drain", write: true,
			newBody: func() any { return &gateway.DrainRequest{} }, handle: s.drain},
		{method: http.MethodGet, path: "/budget", action: "budget.read", handle: s.budget},
		{method: http.MethodGet, path: "/flags", action: "flags.read", handle: s.flags},
		{method: http.MethodPut, path: "/flags/{name}", action: "flags.set", write: true,
			newBody: func() any { return &gateway.FlagSetRequest{} }, handle: s.setFlag},
		{method: http.MethodGet, path: "/enforcement/pool-claims", action: "enforcement.read", handle: s.enforcement},
		{method: http.MethodPut, path: "/enforcement/pool-claims", action: "enforcement.set", write: true,
			newBody: func() any { return &gateway.EnforcementSetRequest{} }, handle: s.setEnforcement},
		{method: http.MethodGet, path: "/audit", action: "audit.list", handle: s.auditList},
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	ops := s.operations()
	for _, op := range ops {
		mux.Handle(op.method+" "+gateway.APIPrefix+op.path, s.serve(op))
	}
	mux.Handle("GET "+gateway.HealthzPath, s.health(false))
	mux.Handle("GET "+gateway.ReadyzPath, s.health(true))
	// Anything else answers in the API's error shape, not the mux's plain text.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		id := newRequestID()
		w.Header().Set(gateway.HeaderRequestID, id)
		e := errorf(http.StatusNotFound, gateway.CodeNotFound,
			fmt.Sprintf("no operation %s %s; the operations are listed in gateway/openapi.yaml", r.Method, r.URL.Path))
		if allowed := allowedMethods(mux, r); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			e = errorf(http.StatusMethodNotAllowed, gateway.CodeMethodNotAllowed,
				fmt.Sprintf("%s does not accept %s; allowed: %s", r.URL.Path, r.Method, strings.Join(allowed, ", ")))
		}
		writeBody(w, e.status, errorBody(e, id))
	})
	return withRedirectShape(mux)
}

// withRedirectShape gives the mux's own redirects (a path with a trailing
// slash or // in it is redirected to its clean form) the API's answer shape:
// X-Request-Id and {error, message, requestId}, not the mux's HTML.
func withRedirectShape(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&redirectShaper{ResponseWriter: w}, r)
	})
}

type redirectShaper struct {
	http.ResponseWriter
	shaped bool
}

func (rs *redirectShaper) WriteHeader(code int) {
	h := rs.Header()
	if code < 300 || code > 399 || h.Get(gateway.HeaderRequestID) != "" {
		rs.ResponseWriter.WriteHeader(code)
		return
	}
	id := newRequestID()
	h.Set(gateway.HeaderRequestID, id)
	h.Del("Content-Length")
	e := errorf(code, gateway.CodeRedirect, fmt.Sprintf("this path is served at %s", quoteValue(h.Get("Location"))))
	rs.shaped = true
	writeBody(rs.ResponseWriter, code, errorBody(e, id))
}

func (rs *redirectShaper) Write(b []byte) (int, error) {
	if rs.shaped {
		return len(b), nil // the mux's HTML body is replaced by the shaped one
	}
	return rs.ResponseWriter.Write(b)
}

// allowedMethods lists the methods mux serves on r's path, for a 405 answer.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "/" && pattern != "" {
			out = append(out, m)
		}
	}
	return out
}

// intParam reads an optional integer query parameter within [lo, hi].
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, invalid(fmt.Sprintf("query parameter %s=%q: must be an integer from %d to %d", name, v, lo, hi))
	}
	return n, nil
}
