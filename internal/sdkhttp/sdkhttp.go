// Package sdkhttp is the HTTP client AWS SDK clients here use, with one fix:
// it hides the request body's WriteTo from net/http.
//
// Why (docs/decisions.md 34): smithy-go wraps a request body in a "safe"
// reader whose WriteTo returns io.EOF once closed, and closes it as soon as
// the client has the response. net/http writes a body that is not a known
// in-memory reader straight to the socket after flushing the headers, then
// drains the rest with io.Copy(io.Discard, body), which calls WriteTo. When
// the server answers before that drain (it has every byte), the drain gets
// io.EOF as an error, the transport's write loop takes it for a failed write
// and closes the connection while the response body is being read: "200 ...
// use of closed network connection" (aws/aws-sdk-go-v2#2737). Through Read
// instead, a closed body is a clean end of the drain.
package sdkhttp

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// NewClient is the SDK's default HTTP client with the fix.
func NewClient() aws.HTTPClient { return Wrap(awshttp.NewBuildableClient()) }

// Wrap applies the fix to any SDK HTTP client.
func Wrap(c aws.HTTPClient) aws.HTTPClient { return client{c} }

type client struct{ inner aws.HTTPClient }

func (c client) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = readOnly{r.Body}
	}
	return c.inner.Do(r)
}

// readOnly exposes Read and Close only: no WriteTo.
type readOnly struct{ rc io.ReadCloser }

func (b readOnly) Read(p []byte) (int, error) { return b.rc.Read(p) }
func (b readOnly) Close() error               { return b.rc.Close() }
