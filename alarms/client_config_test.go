package alarms_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"gatewayops/alarms"
	"gatewayops/alarms/cwlocal"
)

// TestLocalPlainHTTPClientSkipsTheCABundle: a client for a loopback
// stand-in over plain HTTP does not load AWS_CA_BUNDLE (it never does TLS;
// parsing Debian's bundle cost the first frame 2.4 ms, decisions.md 169):
// with a bundle that is not PEM it still builds and reads the alarms. The
// same bundle still fails a client for an HTTPS endpoint, through the
// standard chain, with the SDK's error.
func TestLocalPlainHTTPClientSkipsTheCABundle(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "bundle.pem")
	if err := os.WriteFile(bundle, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CA_BUNDLE", bundle)
	svc, url := cwlocal.StartForTest(t)
	if err := svc.ProvisionCatalog(alarms.DefaultCatalog().ForEnv("test")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cw, err := alarms.NewClient(ctx, alarms.ClientOptions{Region: "us-east-1", Endpoint: url, Anonymous: true})
	if err != nil {
		t.Fatalf("a plain-HTTP loopback client read the CA bundle: %v", err)
	}
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil || len(out.MetricAlarms) == 0 {
		t.Fatalf("DescribeAlarms through the client: %d alarms, %v", len(out.MetricAlarms), err)
	}
	https := strings.Replace(url, "http://", "https://", 1)
	if _, err := alarms.NewClient(ctx, alarms.ClientOptions{Region: "us-east-1", Endpoint: https, Anonymous: true}); err == nil ||
		!strings.Contains(err.Error(), "CA bundle") {
		t.Fatalf("an HTTPS client with a bundle that is not PEM: err = %v, want the SDK's CA bundle error", err)
	}
}
