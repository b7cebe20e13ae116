package awshint

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"
)

func TestClassifyAndExplain(t *testing.T) {
	denied := fmt.Errorf("operation error CloudWatch: DescribeAlarms: %w", &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized"})
	expired := fmt.Errorf("get credentials: %w", &ssocreds.InvalidTokenError{Err: errors.New("token expired")})
	tokenExpired := &smithy.GenericAPIError{Code: "ExpiredToken", Message: "The security token included in the request is expired"}
	other := errors.New("dial tcp: connection refused")
	cases := []struct {
		err  error
		kind Kind
		want string
	}{
		{denied, AccessDenied, "lack the IAM permission cloudwatch:DescribeAlarms"},
		{expired, Expired, "credentials expired: run `aws sso login --profile oncall`"},
		{tokenExpired, Expired, "credentials expired"},
		{other, Other, "connection refused"},
	}
	for _, c := range cases {
		if k := Classify(c.err); k != c.kind {
			t.Errorf("Classify(%v) = %d, want %d", c.err, k, c.kind)
		}
		if got := Explain(c.err, "cloudwatch:DescribeAlarms", "oncall"); !strings.Contains(got, c.want) {
			t.Errorf("Explain(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	if !ExpiredText(tokenExpired.Error()) || ExpiredText(other.Error()) {
		t.Error("ExpiredText misreads")
	}
}
