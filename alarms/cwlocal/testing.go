package cwlocal

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"gatewayops/internal/sdkhttp"
)

// StartForTest serves a fresh Service on an httptest server that closes with
// the test, and returns the service and its base URL.
func StartForTest(t testing.TB) (*Service, string) {
	t.Helper()
	s := New(Config{})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// NewSDKClient returns a real AWS SDK CloudWatch client aimed at baseURL:
// anonymous credentials, us-east-1, one attempt (no retries), so fault tests
// see each injected error exactly once, and the HTTP client of package
// sdkhttp, without which a fast answer rarely lost its connection mid-body.
func NewSDKClient(_ context.Context, baseURL string) (*cloudwatch.Client, error) {
	return cloudwatch.New(cloudwatch.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(baseURL),
		Credentials:      aws.AnonymousCredentials{},
		RetryMaxAttempts: 1,
		HTTPClient:       sdkhttp.NewClient(),
	}), nil
}
