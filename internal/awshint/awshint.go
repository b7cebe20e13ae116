// Package awshint turns AWS SDK errors into what an on-call engineer must
// do next: an AccessDenied names the IAM action that is missing, an expired
// session says which command renews it. `gatewayops doctor` and the
// console's header use the same words.
package awshint

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"
)

// Kind is what an AWS error means for the operator.
type Kind int

const (
	// Other is any other failure (network, throttling, a 5xx).
	Other Kind = iota
	// AccessDenied: the credentials work but lack an IAM permission.
	AccessDenied
	// Expired: the credentials (an SSO session, a session token) expired.
	Expired
)

// accessDeniedCodes are the error codes AWS services answer a missing
// permission with (CloudWatch uses AccessDenied; others the rest).
var accessDeniedCodes = map[string]bool{"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true}

var expiredCodes = map[string]bool{"ExpiredToken": true, "ExpiredTokenException": true, "RequestExpired": true, "TokenRefreshRequired": true}

// Classify says what err means.
func Classify(err error) Kind {
	if err == nil {
		return Other
	}
	var tokenErr *ssocreds.InvalidTokenError
	if errors.As(err, &tokenErr) {
		return Expired
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch code := apiErr.ErrorCode(); {
		case accessDeniedCodes[code]:
			return AccessDenied
		case expiredCodes[code]:
			return Expired
		}
	}
	msg := err.Error()
	if strings.Contains(msg, "SSO session has expired") || strings.Contains(msg, "cached SSO token is expired") {
		return Expired
	}
	return Other
}

// Explain is err in the operator's terms. action is the IAM action the call
// needs (cloudwatch:DescribeAlarms); profile the AWS profile in use ("" =
// the default chain).
func Explain(err error, action, profile string) string {
	switch Classify(err) {
	case AccessDenied:
		return fmt.Sprintf("AccessDenied: the credentials lack the IAM permission %s (see docs/operations.md: IAM policy per feature)", action)
	case Expired:
		return "credentials expired: " + Renew(profile)
	}
	return err.Error()
}

// Renew is the command that renews an expired session.
func Renew(profile string) string {
	if profile == "" {
		return "run `aws sso login` (or renew the session token in the environment)"
	}
	return fmt.Sprintf("run `aws sso login --profile %s`", profile)
}

// expiredTexts are how an expired session reads once the error is only
// text (the poller keeps the last error as a string).
var expiredTexts = []string{"ExpiredToken", "RequestExpired", "SSO session has expired", "cached SSO token is expired",
	"security token included in the request is expired"}

// ExpiredText reports whether an error message says the credentials expired.
func ExpiredText(msg string) bool {
	for _, t := range expiredTexts {
		if strings.Contains(msg, t) {
			return true
		}
	}
	return false
}
