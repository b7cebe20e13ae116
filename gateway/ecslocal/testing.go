package ecslocal

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
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
// credentials, us-east-1, and no retry of what the service answers (fault
// tests see each injected error, a throttle or a 500, exactly once). A
// connection the transport loses mid-reply is re-sent once at once, as the
// SDK's standard retryer does for every production client (it classifies
// "use of closed network connection" and "connection reset" as one
// transient transport error: aws-sdk-go-v2 #2737); with one attempt, a
// follow of 60 polls on loopback failed on it in one of this machine's
// make test runs (decisions.md 182).
func NewSDKClient(baseURL string) *ecs.Client {
	return ecs.New(ecs.Options{Region: "us-east-1", BaseEndpoint: aws.String(baseURL),
		Credentials: aws.AnonymousCredentials{}, Retryer: connectionRetryOnly()})
}

// connectionRetryOnly retries a lost connection once, immediately, and
// nothing else.
func connectionRetryOnly() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 2
		o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		o.RateLimiter = ratelimit.None
	})
}
