package cwlocal

import (
	"fmt"
	"net/http"
)

// APIError is an error in CloudWatch's terms: the query-compatible code the
// SDKs surface (InvalidParameterValue, ...), the modelled shape name sent as
// __type, the HTTP status and whether the caller (Sender) or we (Receiver) failed.
type APIError struct {
	Code    string
	Message string
	shape   string
	status  int
	sender  bool
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func newAPIError(code, shape string, status int, sender bool, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...), shape: shape, status: status, sender: sender}
}

func errInvalidValue(format string, args ...any) *APIError {
	return newAPIError("InvalidParameterValue", "InvalidParameterValueException", http.StatusBadRequest, true, format, args...)
}

func errCombination(format string, args ...any) *APIError {
	return newAPIError("InvalidParameterCombination", "InvalidParameterCombinationException", http.StatusBadRequest, true, format, args...)
}

func errMissing(member string) *APIError {
	return newAPIError("MissingParameter", "MissingRequiredParameterException", http.StatusBadRequest, true,
		"The parameter %s is required.", member)
}

func errNotFound(format string, args ...any) *APIError {
	return newAPIError("ResourceNotFound", "ResourceNotFound", http.StatusNotFound, true, format, args...)
}

func errNextToken(token string) *APIError {
	return newAPIError("InvalidNextToken", "InvalidNextToken", http.StatusBadRequest, true,
		"The NextToken %q is not one this service issued for this request.", token)
}

func errThrottling() *APIError {
	return newAPIError("Throttling", "Throttling", http.StatusBadRequest, true, "Rate exceeded")
}

func errInternal() *APIError {
	return newAPIError("InternalServiceError", "InternalServiceFault", http.StatusInternalServerError, false,
		"Internal service error (injected fault)")
}

func errUnknownOperation(op string) *APIError {
	return newAPIError("UnknownOperationException", "UnknownOperationException", http.StatusBadRequest, true,
		"Unknown operation %q (supported: %s)", op, supportedOps())
}

func errTooLarge(limit int64) *APIError {
	return newAPIError("RequestEntityTooLarge", "RequestEntityTooLarge", http.StatusRequestEntityTooLarge, true,
		"The request body is larger than %d bytes.", limit)
}

func errMalformed(format string, args ...any) *APIError {
	return newAPIError("SerializationException", "SerializationException", http.StatusBadRequest, true, format, args...)
}

// typeName is the __type member: the shape's Smithy ID for modelled errors.
func (e *APIError) typeName() string {
	switch e.shape {
	case "Throttling", "UnknownOperationException", "RequestEntityTooLarge", "SerializationException":
		return e.shape
	}
	return "com.amazonaws.cloudwatch#" + e.shape
}

// queryHeader is the X-Amzn-Query-Error value that carries the awsQuery code.
func (e *APIError) queryHeader() string {
	if e.sender {
		return e.Code + ";Sender"
	}
	return e.Code + ";Receiver"
}
