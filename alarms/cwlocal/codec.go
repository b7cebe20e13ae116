package cwlocal

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"
)

// decodeCBORRequest turns an RPC v2 CBOR request body into the JSON form of
// the same members (timestamps as epoch seconds), so both protocols share
// one decoder into the input structs.
func decodeCBORRequest(body []byte) ([]byte, error) {
	if len(body) == 0 {
		return []byte("{}"), nil
	}
	v, err := cbor.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("body is not valid CBOR: %v", err)
	}
	if _, ok := v.(cbor.Map); !ok {
		return nil, errors.New("body must be a CBOR map of request members")
	}
	tree, err := cborToTree(v, 0)
	if err != nil {
		return nil, err
	}
	return json.Marshal(tree)
}

func cborToTree(v cbor.Value, depth int) (any, error) {
	if depth > 64 {
		return nil, errors.New("request nests too deeply")
	}
	switch x := v.(type) {
	case cbor.Uint:
		return json.Number(strconv.FormatUint(uint64(x), 10)), nil
	case cbor.NegInt:
		if x == 0 {
			return nil, errors.New("integer out of range")
		}
		return json.Number("-" + strconv.FormatUint(uint64(x), 10)), nil
	case cbor.Float32:
		return finite(float64(x))
	case cbor.Float64:
		return finite(float64(x))
	case cbor.String:
		return string(x), nil
	case cbor.Bool:
		return bool(x), nil
	case *cbor.Nil, *cbor.Undefined:
		return nil, nil
	case cbor.List:
		out := make([]any, len(x))
		for i, e := range x {
			t, err := cborToTree(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = t
		}
		return out, nil
	case cbor.Map:
		out := make(map[string]any, len(x))
		for k, e := range x {
			t, err := cborToTree(e, depth+1)
			if err != nil {
				return nil, fmt.Errorf("member %s: %w", k, err)
			}
			out[k] = t
		}
		return out, nil
	case *cbor.Tag:
		if x.ID != 1 {
			return nil, fmt.Errorf("unsupported CBOR tag %d (only tag 1, epoch time, is used)", x.ID)
		}
		secs, err := cbor.AsFloat64(x.Value)
		if err != nil {
			return nil, fmt.Errorf("timestamp tag holds no number: %v", err)
		}
		return finite(secs)
	}
	return nil, fmt.Errorf("unsupported CBOR value %T", v)
}

func finite(f float64) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, errors.New("numbers must be finite")
	}
	return f, nil
}

// decodeInput fills an input struct from the JSON form of a request and
// turns type mismatches into a message that names the member.
func decodeInput(raw []byte, into any) *APIError {
	if len(strings.TrimSpace(string(raw))) == 0 {
		raw = []byte("{}")
	}
	err := json.Unmarshal(raw, into)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return errInvalidValue("member %s: expected %s, got a JSON %s", te.Field, kindWord(te.Type), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return errMalformed("body is not valid JSON: %v", err)
	}
	return errInvalidValue("%v", err)
}

func kindWord(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice:
		return "a list"
	}
	return "an object"
}

var timestampType = reflect.TypeOf(Timestamp{})
