package cwlocal

import (
	"net/http/httptest"
	"testing"
)

// serve puts s behind a real HTTP server for the test's lifetime.
func serve(t *testing.T, s *Service) (*Service, string) {
	t.Helper()
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, srv.URL
}
