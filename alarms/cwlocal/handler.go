package cwlocal

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/aws/smithy-go/encoding/cbor"
)

const (
	serviceID  = "GraniteServiceVersion20100801"
	cborPrefix = "/service/" + serviceID + "/operation/"
)

// opFunc runs one operation on the JSON form of its input. Caller holds the lock.
type opFunc func(s *Service, raw []byte) (any, *APIError)

// operation is an opFunc and its input type, which the Query protocol's
// decoder walks to turn dotted form names into the same JSON form.
type operation struct {
	run opFunc
	in  reflect.Type
}

func op[In any](fn func(*Service, *In) (any, *APIError)) operation {
	return operation{in: reflect.TypeFor[In](), run: func(s *Service, raw []byte) (any, *APIError) {
		in := new(In)
		if err := decodeInput(raw, in); err != nil {
			return nil, err
		}
		return fn(s, in)
	}}
}

func operations() map[string]operation {
	return map[string]operation{
		"DescribeAlarms":          op((*Service).describeAlarms),
		"DescribeAlarmHistory":    op((*Service).describeAlarmHistory),
		"GetMetricData":           op((*Service).getMetricData),
		"ListMetrics":             op((*Service).listMetrics),
		"PutMetricData":           op((*Service).putMetricData),
		"PutMetricAlarm":          op((*Service).putMetricAlarm),
		"SetAlarmState":           op((*Service).setAlarmState),
		"PutAlarmMuteRule":        op((*Service).putAlarmMuteRule),
		"GetAlarmMuteRule":        op((*Service).getAlarmMuteRule),
		"ListAlarmMuteRules":      op((*Service).listAlarmMuteRules),
		"DeleteAlarmMuteRule":     op((*Service).deleteAlarmMuteRule),
		"GetMetricStatistics":     op((*Service).getMetricStatistics),
		"DescribeAlarmsForMetric": op((*Service).describeAlarmsForMetric),
		"DeleteAlarms":            op((*Service).deleteAlarms),
		"EnableAlarmActions":      op((*Service).enableAlarmActions),
		"DisableAlarmActions":     op((*Service).disableAlarmActions),
		"PutCompositeAlarm":       op((*Service).putCompositeAlarm),
		"ListTagsForResource":     op((*Service).listTagsForResource),
		"TagResource":             op((*Service).tagResource),
		"UntagResource":           op((*Service).untagResource),
	}
}

func supportedOps() string {
	var names []string
	for n := range operations() {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// protocol is one of the two wire protocols.
type protocol int

const (
	protoCBOR protocol = iota
	protoJSON
)

// Handler serves CloudWatch over RPC v2 CBOR (POST /service/.../operation/Op),
// AWS JSON 1.0 (POST / with X-Amz-Target), the AWS Query protocol (POST /
// with a form body, or GET /?Action=...), EMF ingest (POST /emf) and the
// store's figures (GET /stats).
func (s *Service) Handler() http.Handler {
	ops := operations()
	var reqID atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /emf", s.serveEMF)
	mux.HandleFunc("GET /stats", s.serveStats)
	mux.HandleFunc("POST "+cborPrefix+"{op}", func(w http.ResponseWriter, r *http.Request) {
		s.serveOp(w, r, protoCBOR, r.PathValue("op"), ops, reqID.Add(1))
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s.serveQuery(w, r, ops, reqID.Add(1))
	})
	mux.HandleFunc("POST /{$}", func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		if target == "" && isForm(r) {
			s.serveQuery(w, r, ops, reqID.Add(1))
			return
		}
		name, ok := strings.CutPrefix(target, serviceID+".")
		if !ok {
			writeError(w, protoJSON, errMalformed("X-Amz-Target %q must be %s.<Operation>", target, serviceID), reqID.Add(1))
			return
		}
		s.serveOp(w, r, protoJSON, name, ops, reqID.Add(1))
	})
	return mux
}

func (s *Service) serveOp(w http.ResponseWriter, r *http.Request, p protocol, name string, ops map[string]operation, id int64) {
	body, err := s.readBody(w, r)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, p, errTooLarge(s.cfg.MaxBodyBytes), id)
			return
		}
		writeError(w, p, errMalformed("cannot read the request body: %v", err), id)
		return
	}
	o, ok := ops[name]
	if !ok {
		writeError(w, p, errUnknownOperation(name), id)
		return
	}
	raw, derr := decodeRequest(p, body)
	var apiErr *APIError
	if derr != nil {
		apiErr = errMalformed("%v", derr)
	}
	out, apiErr := s.invoke(name, o.run, raw, apiErr)
	if apiErr != nil {
		writeError(w, p, apiErr, id)
		return
	}
	writeResult(w, p, out, id, &s.enc)
}

// invoke counts the call, applies a queued fault, then runs the operation
// unless decoding already failed (decodeErr).
func (s *Service) invoke(name string, fn opFunc, raw []byte, decodeErr *APIError) (any, *APIError) {
	out, apiErr := s.locked(name, fn, raw, decodeErr)
	if apiErr != nil {
		s.cfg.Logger.Info("request failed", "op", name, "code", apiErr.Code, "message", apiErr.Message)
	}
	return out, apiErr
}

// locked runs one operation under the lock. A panic (a bug) answers 500 and
// releases the lock: recovered by net/http alone it left every later call
// waiting on the mutex, a frozen service instead of one failed request.
func (s *Service) locked(name string, fn opFunc, raw []byte, decodeErr *APIError) (out any, apiErr *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			out, apiErr = nil, newAPIError("InternalServiceError", "InternalServiceFault", 500, false, "%s failed: %v", name, r)
		}
	}()
	s.calls[name]++
	if apiErr = s.injectedFault(); apiErr == nil {
		apiErr = decodeErr
	}
	if apiErr == nil {
		out, apiErr = fn(s, raw)
	}
	return out, apiErr
}

// readBody reads a request body up to the limit, gunzipping it when the SDK
// compressed it (PutMetricData carries Content-Encoding: gzip); the limit
// applies to the decompressed bytes too.
func (s *Service) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var rd io.Reader = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		defer zr.Close()
		rd = io.LimitReader(zr, s.cfg.MaxBodyBytes+1)
	default:
		return nil, fmt.Errorf("Content-Encoding %q is not supported (accepted: gzip, identity)", enc)
	}
	b, err := io.ReadAll(rd)
	if err == nil && int64(len(b)) > s.cfg.MaxBodyBytes {
		return nil, &http.MaxBytesError{Limit: s.cfg.MaxBodyBytes}
	}
	return b, err
}

func decodeRequest(p protocol, body []byte) ([]byte, error) {
	if p == protoCBOR {
		return decodeCBORRequest(body)
	}
	return decodeJSONRequest(body)
}

// decodeJSONRequest checks that an AWS JSON 1.0 body is one JSON object.
func decodeJSONRequest(body []byte) ([]byte, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return []byte("{}"), nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return nil, errors.New("body must be a JSON object of request members")
	}
	return body, nil
}

func writeResult(w http.ResponseWriter, p protocol, out any, id int64, enc *cborEncoder) {
	w.Header().Set("X-Amzn-RequestId", strconv.FormatInt(id, 10))
	if p == protoCBOR {
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("Content-Type", "application/cbor")
		w.WriteHeader(http.StatusOK)
		enc.write(w, out)
		return
	}
	b, err := json.Marshal(out)
	if err != nil { // only non-finite floats can fail, and we never store them
		writeError(w, p, newAPIError("InternalServiceError", "InternalServiceFault", 500, false, "encode: %v", err), id)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func writeError(w http.ResponseWriter, p protocol, e *APIError, id int64) {
	h := w.Header()
	h.Set("X-Amzn-RequestId", strconv.FormatInt(id, 10))
	h.Set("X-Amzn-Query-Error", e.queryHeader())
	if p == protoCBOR {
		h.Set("Smithy-Protocol", "rpc-v2-cbor")
		h.Set("Content-Type", "application/cbor")
		w.WriteHeader(e.status)
		w.Write(cbor.Encode(cbor.Map{"__type": cbor.String(e.typeName()), "message": cbor.String(e.Message)}))
		return
	}
	h.Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(e.status)
	b, _ := json.Marshal(map[string]string{"__type": e.typeName(), "message": e.Message})
	w.Write(b)
}

// emfResult is the answer of POST /emf.
type emfResult struct {
	Accepted int      `json:"accepted"`
	Rejected int      `json:"rejected"`
	Errors   []string `json:"errors"`
}

// serveEMF ingests newline-delimited EMF lines; bad lines are counted and the
// first few reasons returned, good lines are stored.
func (s *Service) serveEMF(w http.ResponseWriter, r *http.Request) {
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes*8)
	acc, rej, reasons, err := s.ingestLines(body, 5)
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		reasons = append(reasons, fmt.Sprintf("reading the body stopped: %v", err))
	}
	if reasons == nil {
		reasons = []string{}
	}
	json.NewEncoder(w).Encode(emfResult{Accepted: acc, Rejected: rej, Errors: reasons})
}
