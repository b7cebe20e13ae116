// Package ecsdeploy changes the real gateway's configuration the only way it
// can change: a new ECS task-definition revision of service
// arrakis-{env}-api with one variable of container api changed, a service
// update, and the rollout followed to COMPLETED or FAILED; and forced new
// deployments (restarts). It reaches ECS through the AWS SDK's standard
// config chain (profiles, SSO, env, AWS_ENDPOINT_URL_ECS), exactly as the
// CloudWatch source does, and never reads or prints any other variable's
// value: task environments hold secrets.
package ecsdeploy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gatewayops/internal/awsload"
	"gatewayops/internal/sdkhttp"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// Target names the gateway's service and container.
type Target struct {
	Cluster, Service, Container string
}

// DefaultTarget is what Terraform names in environment env (gateway-domain.md 2.5).
func DefaultTarget(env string) Target {
	return Target{Cluster: "arrakis-" + env + "-cluster", Service: "arrakis-" + env + "-api", Container: "api"}
}

// Options build the SDK client.
type Options struct {
	Region, Profile string
	// Endpoint overrides the base endpoint ("" = the chain's, which honours AWS_ENDPOINT_URL_ECS).
	Endpoint string
	// Anonymous sends unsigned requests (the local stand-in needs no credentials).
	Anonymous bool
	// RetryMaxAttempts bounds the SDK's retries of throttling and 5xx (0 = SDK default, 3).
	RetryMaxAttempts int
	// Logger receives the SDK's own log lines (nil: the SDK's default,
	// stderr); the console passes its log sink.
	Logger logging.Logger
}

// NewSDKClient builds an ECS client from the standard config chain.
func NewSDKClient(ctx context.Context, o Options) (*ecs.Client, error) {
	cfg, err := awsload.Config(ctx, awsload.Options{Region: o.Region, Profile: o.Profile,
		RetryMaxAttempts: o.RetryMaxAttempts, Anonymous: o.Anonymous, Logger: o.Logger})
	if err != nil {
		return nil, fmt.Errorf("loading AWS config for ECS: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("ECS: no AWS region: set region in the environment's config or AWS_REGION")
	}
	return ecs.NewFromConfig(cfg, func(eo *ecs.Options) {
		eo.HTTPClient = sdkhttp.Wrap(eo.HTTPClient) // docs/decisions.md 34
		if o.Endpoint != "" {
			eo.BaseEndpoint = aws.String(o.Endpoint)
		}
	}), nil
}

// Client acts on one Target.
type Client struct {
	api *ecs.Client
	t   Target
}

// New wraps an SDK client for one target.
func New(api *ecs.Client, t Target) *Client { return &Client{api: api, t: t} }

// Target is the service this client acts on.
func (c *Client) Target() Target { return c.t }

// explain turns an SDK error into one an operator can act on: an
// AccessDenied names the IAM action to add, a throttle says so.
func explain(err error) error {
	if err == nil {
		return nil
	}
	var oe *smithy.OperationError
	op := "ECS"
	if errors.As(err, &oe) {
		op = oe.OperationName
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("ECS %s: %w", op, err)
	}
	switch code := ae.ErrorCode(); {
	case strings.Contains(code, "AccessDenied"):
		action := "ecs:" + op
		if strings.Contains(ae.ErrorMessage(), "iam:PassRole") {
			action = "iam:PassRole on the task and execution roles"
		}
		return &AccessDeniedError{Operation: op, Action: action, err: err}
	case code == "ThrottlingException" || code == "Throttling":
		return fmt.Errorf("ECS %s was throttled (ThrottlingException) after the SDK's retries: try again in a minute: %w", op, err)
	default:
		return fmt.Errorf("ECS %s: %s: %s", op, code, ae.ErrorMessage())
	}
}

// AccessDeniedError says which IAM action the credentials lack.
type AccessDeniedError struct {
	Operation, Action string
	err               error
}

func (e *AccessDeniedError) Error() string {
	return fmt.Sprintf("ECS %s: access denied: the credentials lack %s (docs/operations.md, section \"IAM for ECS\", lists the policy)", e.Operation, e.Action)
}

func (e *AccessDeniedError) Unwrap() error { return e.err }
