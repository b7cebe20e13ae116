package ecslocal

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// StartForTest serves s on an httptest server that closes with the test and
// returns its base URL.
func StartForTest(t testing.TB, s *Service) string {
	t.Helper()
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// NewSDKClient is a real AWS SDK ECS client aimed at baseURL: anonymous
// credentials, us-east-1, one attempt (fault tests see each error once).
func NewSDKClient(baseURL string) *ecs.Client {
	return ecs.New(ecs.Options{Region: "us-east-1", BaseEndpoint: aws.String(baseURL),
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
}
