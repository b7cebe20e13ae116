package adminserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"

	"gatewayops/gateway"
)

// apiError is an error with the HTTP status and code it answers with.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errorf(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

func invalid(message string) *apiError {
	return errorf(http.StatusBadRequest, gateway.CodeInvalidRequest, message)
}

// newRequestID returns a random id for X-Request-Id and error bodies.
func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "req_" + hex.EncodeToString(b[:])
}

// encodeJSON marshals v followed by a newline, as every response body is.
func encodeJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own types are encoded; failing here is a programming error
		// that must still produce a well-formed answer.
		b, _ = json.Marshal(gateway.ErrorBody{Error: gateway.CodeInternal, Message: "response encoding failed"})
	}
	return append(b, '\n')
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func errorBody(e *apiError, requestID string) []byte {
	return encodeJSON(gateway.ErrorBody{Error: e.code, Message: e.message, RequestID: requestID})
}

// classify turns an error from the store, Redis or a handler into the
// status and body the API answers with.
func classify(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if ve, ok := asValidation(err); ok {
		return invalid(ve)
	}
	if redisDown(err) {
		return errorf(http.StatusServiceUnavailable, gateway.CodeRedisUnavailable,
			"the gateway's Redis is unavailable; retry later (a write with the same Idempotency-Key)")
	}
	return errorf(http.StatusInternalServerError, gateway.CodeInternal, "internal error; see the server log for this request id")
}

// redisDown reports whether err means Redis could not be reached or did not
// answer in time, as opposed to Redis answering with an error.
func redisDown(err error) bool {
	var ne net.Error
	switch {
	case errors.As(err, &ne),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ENOENT),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, redis.ErrClosed),
		errors.Is(err, redis.ErrPoolTimeout):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "LOADING") || strings.Contains(msg, "connection refused")
}
