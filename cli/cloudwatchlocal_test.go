package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"gatewayops/alarms/cwlocal"
)

// startCloudWatchLocal runs the subcommand on a free port and returns its base URL.
func startCloudWatchLocal(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- runCloudWatchLocal(ctx, append([]string{"--listen", "127.0.0.1:0"}, args...), pw, &stderr)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit %d", code)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no banner: %v", err)
	}
	go io.Copy(io.Discard, pr)
	_, rest, ok := strings.Cut(line, "listening on ")
	if !ok {
		t.Fatalf("banner %q", line)
	}
	return strings.Fields(rest)[0]
}

func TestCloudWatchLocalServesTheCatalogToTheSDK(t *testing.T) {
	emf := filepath.Join(t.TempDir(), "emf.log")
	line := `{"feature":"byok","_aws":{"Timestamp":` + jsonInt(time.Now().UnixMilli()) + `,"CloudWatchMetrics":[{"Dimensions":[["feature"]],"Metrics":[{"Name":"RequestCount","Unit":"Count"}],"Namespace":"Arrakis/AgentGateway"}]},"RequestCount":1}`
	if err := os.WriteFile(emf, []byte(line+"\nbroken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url := startCloudWatchLocal(t, "--catalog", "terraform", "--env", "production", "--emf-file", emf)
	c, _ := cwlocal.NewSDKClient(context.Background(), url)
	out, err := c.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("arrakis-production-")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 10 {
		t.Fatalf("%d alarms, want the 10 Terraform alarms", len(out.MetricAlarms))
	}
	resp, err := http.Post(url+"/emf", "application/x-ndjson", strings.NewReader(strings.Replace(line, "byok", "baseline", 1)+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Accepted, Rejected int }
	json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if res.Accepted != 1 || res.Rejected != 0 {
		t.Fatalf("POST /emf %+v", res)
	}
	// Both the file's line and the posted line are listed (the file is read in the background).
	deadline := time.Now().Add(5 * time.Second)
	for {
		lm, err := c.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{MetricName: aws.String("RequestCount")})
		if err != nil {
			t.Fatal(err)
		}
		if len(lm.Metrics) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics %+v", lm.Metrics)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestCloudWatchLocalRejectsBadFlags(t *testing.T) {
	cases := map[string][]string{
		"--evaluate-every 0s: must be positive":     {"--evaluate-every", "0s"},
		"unexpected argument \"extra\"":             {"extra"},
		"--env must not be empty":                   {"--env", ""},
		"catalog /nonexistent/catalog.yaml":         {"--catalog", "/nonexistent/catalog.yaml"},
		"invalid value \"soon\" for flag -evaluate": {"--evaluate-every", "soon"},
		"want a positive size such as 2GiB":         {"--memory-budget", "lots"},
		"--max-series 0: must be at least 1":        {"--max-series", "0"},
	}
	for want, args := range cases {
		var stderr bytes.Buffer
		code := runCloudWatchLocal(context.Background(), append([]string{"--listen", "127.0.0.1:0"}, args...), io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", args, code, stderr.String(), want)
		}
	}
}

// The start-up lines give the retention the budget buys and, per client,
// how to reach the server: older CLIs ignore AWS_ENDPOINT_URL_CLOUDWATCH.
func TestCloudWatchLocalPrintsRetentionAndHowEachClientConnects(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- runCloudWatchLocal(ctx, []string{"--listen", "127.0.0.1:0", "--catalog", "none", "--memory-budget", "512MiB", "--max-series", "1000"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() && !strings.Contains(sc.Text(), "endpoint_url=") {
		out.WriteString(sc.Text() + "\n")
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := cwlocal.DeriveRetention(512<<20, 1000).String()
	if !strings.Contains(out.String(), "budget 512 MiB over 1000 series): "+want) || !strings.Contains(out.String(), "--endpoint-url http://127.0.0.1:") {
		t.Fatalf("start-up lines:\n%s", out.String())
	}
}
