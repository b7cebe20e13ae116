package ops

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"gatewayops/alarms"
	"gatewayops/gateway"
	"gatewayops/gateway/ecsdeploy"
)

// Action is one thing an operator can do. Reads implement Plan as a no-op
// description and Verify as a pass; writes state exactly what will change.
type Action interface {
	Spec() Spec
	// Plan is a dry run: what will change, in numbers a human reads at 3 a.m.
	Plan(ctx context.Context, env *Env, inv Invocation) (Plan, error)
	// Apply does it, using plan.IdempotencyKey for every write it sends.
	Apply(ctx context.Context, env *Env, inv Invocation, plan Plan) (Result, error)
	// Verify reads the post-condition back.
	Verify(ctx context.Context, env *Env, inv Invocation, res Result) (Verification, error)
	// Inverse is the invocation that undoes this one, where one exists.
	Inverse(inv Invocation, plan Plan) (Invocation, bool)
}

// Plan is the dry-run description of one intended action.
type Plan struct {
	// Lines state what will change, one per line.
	Lines []string `json:"lines"`
	// NoChange is true when the action would change nothing (already done).
	NoChange bool `json:"noChange,omitempty"`
	// IdempotencyKey is generated once per intended write and carried to Apply,
	// so a retried apply changes nothing.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
	// Before holds the state read while planning (the inverse restores it).
	Before map[string]string `json:"before,omitempty"`
	// Data is the structured dry-run answer (e.g. the dry-run DrainResult).
	Data any `json:"data,omitempty"`
}

// Text joins the plan lines.
func (p Plan) Text() string { return joinLines(p.Lines) }

// Result is what an action did or read.
type Result struct {
	Lines []string `json:"lines"`
	// Data is the structured answer for the UI and --json.
	Data any `json:"data,omitempty"`
	// Status is the HTTP status of the write, when there was one.
	Status int `json:"status,omitempty"`
	// RequestID is the admin API's X-Request-Id for that write.
	RequestID string `json:"requestId,omitempty"`
	// Failed marks a read whose answer is a failure (a preflight that fails).
	Failed bool `json:"failed,omitempty"`
}

// Text joins the result lines.
func (r Result) Text() string { return joinLines(r.Lines) }

// Verification is the post-condition read back after Apply.
type Verification struct {
	Pass   bool   `json:"pass"`
	Detail string `json:"detail"`
}

func joinLines(lines []string) string {
	out := ""
	for i, l := range lines {
		if i > 0 {
			out += "\n"
		}
		out += l
	}
	return out
}

// Env holds the backends of one environment.
type Env struct {
	Name   string
	Config Environment
	// AdminURL and AdminOptions reach the admin API. AdminOptions never carries
	// ConfirmEnvironment: the runner adds it only after the typed confirmation.
	AdminURL     string
	AdminOptions gateway.ClientOptions
	// CloudWatch and Alarms reach CloudWatch (or cwlocal) through the SDK.
	CloudWatch *cloudwatch.Client
	Alarms     *alarms.Source
	// Inspector reads the gateway's Redis directly; optional.
	Inspector *gateway.Inspector
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// ECS reaches the gateway's ECS service when flags_backend = "ecs";
	// ECSFollow paces following its rollouts (tests inject clock and sleep).
	ECS       *ecsdeploy.Client
	ECSFollow ecsdeploy.FollowOptions

	confirmed string
	adminErr  error           // why the admin API cannot be used, found while building
	writes    *statusRecorder // set on the runner's copy for one execution
}

// ErrNoBackend says an environment lacks what an action needs.
var ErrNoBackend = errors.New("backend not configured")

// Admin returns a client of the admin API. X-Confirm-Environment is set only
// on the copy of Env the runner hands to Apply after confirmation passed.
func (e *Env) Admin() (*gateway.Client, error) {
	if e.adminErr != nil {
		return nil, e.adminErr
	}
	if e.AdminURL == "" {
		return nil, errors.New("environment " + e.Name + ": admin_url is not set: " + ErrNoBackend.Error())
	}
	opts := e.AdminOptions
	opts.ConfirmEnvironment = e.confirmed
	opts.HTTPClient = e.httpClient()
	return gateway.NewClient(e.AdminURL, opts), nil
}

// httpClient shares the default transport's connection pool across calls
// and, inside the runner, records the status of every write response.
func (e *Env) httpClient() *http.Client {
	base := http.DefaultTransport
	timeout := gateway.DefaultClientTimeout
	if hc := e.AdminOptions.HTTPClient; hc != nil {
		timeout = hc.Timeout
		if hc.Transport != nil {
			base = hc.Transport
		}
	}
	if e.AdminOptions.InsecureSkipVerify {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // opt-in per environment, warned on every run
		base = tr
	}
	if e.writes != nil {
		base = recordingTransport{base: base, rec: e.writes}
	}
	return &http.Client{Timeout: timeout, Transport: base}
}

// statusRecorder keeps the HTTP status and X-Request-Id of the last write
// response, so the journal states what the server actually answered and
// which request of the server's own log and audit it was.
type statusRecorder struct {
	mu        sync.Mutex
	status    int
	requestID string
}

func (r *statusRecorder) last() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

func (r *statusRecorder) lastRequestID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requestID
}

type recordingTransport struct {
	base http.RoundTripper
	rec  *statusRecorder
}

func (t recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err == nil && req.Method != http.MethodGet {
		t.rec.mu.Lock()
		t.rec.status, t.rec.requestID = resp.StatusCode, resp.Header.Get(gateway.HeaderRequestID)
		t.rec.mu.Unlock()
	}
	return resp, err
}

// forExecution returns the copy one execution uses: it sends
// X-Confirm-Environment (when name is set) and records write statuses.
func (e *Env) forExecution(name string) *Env {
	c := *e
	c.confirmed = name
	c.writes = &statusRecorder{}
	return &c
}

// ConfirmedEnvironment is the X-Confirm-Environment value this Env sends ("" = none).
func (e *Env) ConfirmedEnvironment() string { return e.confirmed }

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Env) source() (*alarms.Source, error) {
	if e.Alarms == nil {
		return nil, errors.New("environment " + e.Name + ": CloudWatch is not configured: " + ErrNoBackend.Error())
	}
	return e.Alarms, nil
}
