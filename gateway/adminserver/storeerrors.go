package adminserver

import (
	"errors"
	"net/http"

	"gatewayops/gateway"
)

// asValidation reports whether err is the store's ValidationError (bad
// input, nothing changed) and returns its text.
func asValidation(err error) (string, bool) {
	var ve *gateway.ValidationError
	if errors.As(err, &ve) {
		return ve.Error(), true
	}
	return "", false
}

// storeError maps the store's sentinel errors to their API answers; other
// errors pass through to classify.
func storeError(err error) error {
	switch {
	case errors.Is(err, gateway.ErrUnknownBreaker):
		return errorf(http.StatusNotFound, gateway.CodeNotFound, err.Error()+"; GET "+gateway.APIPrefix+"/breakers lists the known ones")
	case errors.Is(err, gateway.ErrBreakerNotResettable):
		return errorf(http.StatusConflict, gateway.CodeConflict, err.Error()+": it lives in process memory; see the breaker's note in GET "+gateway.APIPrefix+"/breakers")
	}
	return err
}
