// Package awsload loads the AWS SDK configuration every gatewayops client
// (CloudWatch, ECS) shares: the standard chain (environment, profiles, SSO,
// AWS_ENDPOINT_URL_<SERVICE>) with the few settings an environment's config
// may override.
package awsload

import (
	"context"
	"os"

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
	// LocalPlainHTTP says the client will talk plain HTTP to a loopback
	// stand-in (cwlocal), anonymously, at an endpoint it sets itself: with a
	// Region and no Profile (a named profile must exist, so the chain checks
	// it), the standard chain is skipped (see Config).
	LocalPlainHTTP bool
}

// Config loads the configuration. The caller checks the region, since what
// to say when none is set depends on where it can be given.
//
// A client for a loopback stand-in over plain HTTP (LocalPlainHTTP, with a
// Region and no Profile) gets the few settings it uses without the standard chain: the
// chain's credentials and profile do not apply to an anonymous client, the
// endpoint is the caller's, and the chain parsed AWS_CA_BUNDLE's
// certificates (2.4 ms for the 144 of Debian's bundle, against 14 µs for
// the whole load without it) for a client that never does TLS: the first
// frame waited on it (decisions.md 169).
func Config(ctx context.Context, o Options) (aws.Config, error) {
	if o.LocalPlainHTTP && o.Region != "" && o.Profile == "" {
		logger := o.Logger
		if logger == nil {
			logger = logging.NewStandardLogger(os.Stderr) // the chain's default
		}
		return aws.Config{Region: o.Region, Credentials: aws.AnonymousCredentials{},
			RetryMaxAttempts: o.RetryMaxAttempts, Logger: logger}, nil
	}
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
