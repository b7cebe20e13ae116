package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client defaults.
const (
	DefaultClientTimeout = 30 * time.Second
	DefaultMaxRetries    = 3
	// DefaultPendingWindow is how long a write keeps being retried while the
	// server answers 409 IDEMPOTENCY_KEY_IN_PROGRESS: longer than the
	// server's pending-claim lease (adminserver.PendingLease, 15 s), so a
	// claim left by a request that died expires inside the window and the
	// retry then applies the write.
	DefaultPendingWindow = 25 * time.Second
	maxErrorBody         = 64 << 10
	maxResponseBody      = 32 << 20
)

// ClientOptions configures a Client.
type ClientOptions struct {
	APIKey   string
	Operator string // X-Operator on writes
	// ConfirmEnvironment is sent as X-Confirm-Environment on writes; a
	// protected server refuses writes without it.
	ConfirmEnvironment string
	// HTTPClient defaults to one with a 30 s timeout per attempt.
	HTTPClient         *http.Client
	InsecureSkipVerify bool // only for a self-signed test certificate
	// MaxRetries is how many times a failed attempt is retried (default 3;
	// negative: never).
	MaxRetries int
	// Backoff is the wait before retry attempt n (1-based); default
	// 200ms doubling up to 5 s.
	Backoff func(attempt int) time.Duration
	// PendingWindow is how long 409 IDEMPOTENCY_KEY_IN_PROGRESS is retried,
	// beyond MaxRetries (default DefaultPendingWindow).
	PendingWindow time.Duration
	// Now is the clock the PendingWindow is measured on (default time.Now).
	Now func() time.Time
}

// Client is the typed client of the Gateway Admin API v1.
//
// Reads and writes are retried on 5xx, timeouts and connections that close
// mid-response. Writes carry an explicit Idempotency-Key that stays the
// same across retries, so the server applies each write once.
type Client struct {
	base *url.URL
	opts ClientOptions
	hc   *http.Client
}

// APIError is a non-2xx answer of the admin API.
type APIError struct {
	Status    int
	Code      string // ErrorBody.Error, e.g. INVALID_REQUEST
	Message   string
	RequestID string
	// RetryAfter is the server's Retry-After on 429, else 0.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("gateway admin API: %d %s: %s", e.Status, e.Code, e.Message)
	if e.RequestID != "" {
		s += " (request " + e.RequestID + ")"
	}
	return s
}

// NewClient returns a client for the API at baseURL (scheme and host, e.g.
// https://admin.gateway.internal:8089; the /admin/gateway/v1 prefix is added).
func NewClient(baseURL string, opts ClientOptions) *Client {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || u.Scheme == "" || u.Host == "" {
		// Keep the error for the first call rather than panicking here.
		u = nil
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultMaxRetries
	}
	if opts.MaxRetries < 0 {
		opts.MaxRetries = 0
	}
	if opts.Backoff == nil {
		opts.Backoff = defaultBackoff
	}
	if opts.PendingWindow <= 0 {
		opts.PendingWindow = DefaultPendingWindow
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	hc := opts.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if opts.InsecureSkipVerify {
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // explicit opt-in for self-signed test certs
		}
		hc = &http.Client{Timeout: DefaultClientTimeout, Transport: tr}
	}
	return &Client{base: u, opts: opts, hc: hc}
}

func defaultBackoff(attempt int) time.Duration {
	d := 200 * time.Millisecond << min(attempt-1, 5)
	return min(d, 5*time.Second)
}

// NewIdempotencyKey returns a fresh random key for one intended write.
func NewIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "gwo-" + hex.EncodeToString(b[:])
}

// Status is GET /status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var out Status
	return out, c.do(ctx, http.MethodGet, "/status", nil, nil, "", &out)
}

// Breakers is GET /breakers.
func (c *Client) Breakers(ctx context.Context) (BreakerList, error) {
	var out BreakerList
	return out, c.do(ctx, http.MethodGet, "/breakers", nil, nil, "", &out)
}

// ResetBreaker is POST /breakers/{component}/reset.
func (c *Client) ResetBreaker(ctx context.Context, component, idemKey string) (BreakerReset, error) {
	var out BreakerReset
	p := "/breakers/" + url.PathEscape(component) + "/reset"
	return out, c.do(ctx, http.MethodPost, p, nil, nil, idemKey, &out)
}

// ReservationSummary is GET /reservations/summary; community "" means all.
func (c *Client) ReservationSummary(ctx context.Context, community string) (ReservationSummary, error) {
	var out ReservationSummary
	return out, c.do(ctx, http.MethodGet, "/reservations/summary", query("community", community), nil, "", &out)
}

// Reservations is GET /reservations, one page; limit 0 means the server default.
func (c *Client) Reservations(ctx context.Context, community, cursor string, limit int) (ReservationPage, error) {
	var out ReservationPage
	q := query("community", community, "cursor", cursor, "limit", intOrEmpty(limit))
	return out, c.do(ctx, http.MethodGet, "/reservations", q, nil, "", &out)
}

// Drain is POST /reservations/drain.
func (c *Client) Drain(ctx context.Context, req DrainRequest, idemKey string) (DrainResult, error) {
	var out DrainResult
	return out, c.do(ctx, http.MethodPost, "/reservations/drain", nil, req, idemKey, &out)
}

// Budget is GET /budget; community "" means all, month "" the current month.
func (c *Client) Budget(ctx context.Context, community, month string) (BudgetList, error) {
	var out BudgetList
	return out, c.do(ctx, http.MethodGet, "/budget", query("community", community, "month", month), nil, "", &out)
}

// Flags is GET /flags.
func (c *Client) Flags(ctx context.Context) (Flags, error) {
	var out Flags
	return out, c.do(ctx, http.MethodGet, "/flags", nil, nil, "", &out)
}

// SetFlag is PUT /flags/{name}.
func (c *Client) SetFlag(ctx context.Context, name string, enabled bool, idemKey string) (FlagChange, error) {
	var out FlagChange
	body := FlagSetRequest{Enabled: &enabled}
	return out, c.do(ctx, http.MethodPut, "/flags/"+url.PathEscape(name), nil, body, idemKey, &out)
}

// Enforcement is GET /enforcement/pool-claims.
func (c *Client) Enforcement(ctx context.Context) (Enforcement, error) {
	var out Enforcement
	return out, c.do(ctx, http.MethodGet, "/enforcement/pool-claims", nil, nil, "", &out)
}

// SetEnforcement is PUT /enforcement/pool-claims.
func (c *Client) SetEnforcement(ctx context.Context, mode, idemKey string) (EnforcementChange, error) {
	var out EnforcementChange
	return out, c.do(ctx, http.MethodPut, "/enforcement/pool-claims", nil, EnforcementSetRequest{Mode: mode}, idemKey, &out)
}

// Audit is GET /audit, newest first; limit 0 means the server default.
func (c *Client) Audit(ctx context.Context, limit int, cursor string) (AuditList, error) {
	var out AuditList
	return out, c.do(ctx, http.MethodGet, "/audit", query("limit", intOrEmpty(limit), "cursor", cursor), nil, "", &out)
}

// query builds url.Values from name/value pairs, skipping empty values.
func query(pairs ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			q.Set(pairs[i], pairs[i+1])
		}
	}
	return q
}

func intOrEmpty(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// do sends one operation, retrying as the Client doc says, and decodes the
// 2xx body into out.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body any, idemKey string, out any) error {
	if c.base == nil {
		return errors.New("gateway admin API: base URL must be absolute, e.g. http://127.0.0.1:8089")
	}
	write := method != http.MethodGet
	if write && idemKey == "" {
		return errors.New("gateway admin API: writes need an idempotency key (gateway.NewIdempotencyKey)")
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("gateway admin API: encode %s body: %w", path, err)
		}
	}
	// path is already escaped (url.PathEscape), so join strings rather than url.URL.Path.
	target := c.base.String() + APIPrefix + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	var lastErr error
	var pendingSince time.Time
	retries := 0
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, c.opts.Backoff(attempt)); err != nil {
				return fmt.Errorf("%w (last attempt: %v)", err, lastErr)
			}
		}
		retry, err := c.attempt(ctx, method, target, payload, idemKey, out)
		if err == nil || !retry || c.opts.MaxRetries == 0 {
			return err
		}
		lastErr = err
		if isPending(err) {
			// Another request holds the key; its lease ends within the window.
			now := c.opts.Now()
			if pendingSince.IsZero() {
				pendingSince = now
			}
			if now.Sub(pendingSince) < c.opts.PendingWindow {
				continue
			}
			return err
		}
		if retries++; retries > c.opts.MaxRetries {
			return lastErr
		}
	}
}

func isPending(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Code == CodeIdempotencyPending
}

// attempt makes one HTTP request; retry says whether a failure is worth
// another attempt with the same idempotency key.
func (c *Client) attempt(ctx context.Context, method, target string, payload []byte, idemKey string, out any) (retry bool, err error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return false, fmt.Errorf("gateway admin API: %w", err)
	}
	c.setHeaders(req, payload != nil, idemKey)
	resp, err := c.hc.Do(req)
	if err != nil {
		// Transport failures (refused, reset, timeout) are retried unless the
		// caller's own context ended; a certificate that fails verification
		// will fail the same way again.
		return ctx.Err() == nil && !isCertificateError(err), fmt.Errorf("gateway admin API %s %s: %w", method, req.URL.Path, scrubURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		dec := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBody))
		if err := dec.Decode(out); err != nil {
			// A body cut off mid-response is a connection failure: retry.
			return ctx.Err() == nil, fmt.Errorf("gateway admin API %s %s: read response: %w", method, req.URL.Path, err)
		}
		return false, nil
	}
	apiErr := readAPIError(resp)
	return retryable(apiErr), apiErr
}

func (c *Client) setHeaders(req *http.Request, hasBody bool, idemKey string) {
	req.Header.Set(HeaderAPIKey, c.opts.APIKey)
	req.Header.Set("Accept", "application/json")
	if hasBody {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Method != http.MethodGet {
		req.Header.Set(HeaderIdempotencyKey, idemKey)
		req.Header.Set(HeaderOperator, c.opts.Operator)
		if c.opts.ConfirmEnvironment != "" {
			req.Header.Set(HeaderConfirmEnv, c.opts.ConfirmEnvironment)
		}
	}
}

// isCertificateError is true when TLS verification of the server failed.
func isCertificateError(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid)
}

// retryable: server-side failures and a write still in progress under the
// same key; every other 4xx means the request itself must change.
func retryable(e *APIError) bool {
	return e.Status >= 500 || e.Code == CodeIdempotencyPending
}

func readAPIError(resp *http.Response) *APIError {
	e := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get(HeaderRequestID)}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body ErrorBody
	if err := json.Unmarshal(raw, &body); err == nil && body.Error != "" {
		e.Code, e.Message = body.Error, body.Message
		if body.RequestID != "" {
			e.RequestID = body.RequestID
		}
		return e
	}
	// Not our error shape (a proxy or load balancer answered).
	e.Code = http.StatusText(resp.StatusCode)
	e.Message = strings.TrimSpace(string(raw))
	if len(e.Message) > 200 {
		e.Message = e.Message[:200] + "..."
	}
	if e.Message == "" {
		e.Message = "no body"
	}
	return e
}

// scrubURLError drops the URL's userinfo from transport errors, should a
// caller have put credentials there.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.User != nil {
			u.User = nil
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
