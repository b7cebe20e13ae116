// Package awsload loads the AWS SDK configuration every gatewayops client
// (CloudWatch, ECS) shares: the standard chain (environment, profiles, SSO,
// AWS_ENDPOINT_URL_<SERVICE>) with the few settings an environment's config
// may override.
package awsload

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
)

// Options override parts of the standard chain; the zero value changes nothing.
type Options struct {
	Region  string
	Profile string
	// RetryMaxAttempts overrides the SDK's retry attempts when > 0.
	RetryMaxAttempts int
	// Anonymous skips request signing (a local endpoint without credentials).
	Anonymous bool
	// Logger receives the SDK's own log lines (nil: the SDK's default, which
	// writes to stderr; the console passes its log sink).
	Logger logging.Logger
}

// Config loads the configuration. The caller checks the region, since what
// to say when none is set depends on where it can be given.
func Config(ctx context.Context, o Options) (aws.Config, error) {
	var loads []func(*config.LoadOptions) error
	if o.Region != "" {
		loads = append(loads, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		loads = append(loads, config.WithSharedConfigProfile(o.Profile))
	}
	if o.RetryMaxAttempts > 0 {
		loads = append(loads, config.WithRetryMaxAttempts(o.RetryMaxAttempts))
	}
	if o.Anonymous {
		loads = append(loads, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	}
	if o.Logger != nil {
		loads = append(loads, config.WithLogger(o.Logger))
	}
	return config.LoadDefaultConfig(ctx, loads...)
}
