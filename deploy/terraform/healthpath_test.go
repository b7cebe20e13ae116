package terraform_test

import (
	"net/http"
	"testing"

	"gatewayops/gateway/admintest"
)

// The path --probe asks for is one the real server answers, without a key:
// ECS's health check has none to send.
func TestServerAnswersTheProbedPathWithoutAKey(t *testing.T) {
	src := readServerContract(t)
	srv := admintest.Start(t, admintest.Options{})
	resp, err := http.Get(srv.URL + src.healthPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s without a key: %s, want 200", src.healthPath, resp.Status)
	}
}
