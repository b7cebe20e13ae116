package ecslocal

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
)

// TargetPrefix is the X-Amz-Target prefix of ECS's AWS JSON 1.1 protocol.
const TargetPrefix = "AmazonEC2ContainerServiceV20141113."

const maxBody = 1 << 20

type opFunc func(s *Service, raw []byte) (any, *apiError)

func op[In any](fn func(*Service, *In) (any, *apiError)) opFunc {
	return func(s *Service, raw []byte) (any, *apiError) {
		in := new(In)
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(in); err != nil {
			return nil, errInvalid("request body: %v", err)
		}
		return fn(s, in)
	}
}

func operations() map[string]opFunc {
	return map[string]opFunc{
		"DescribeServices":       op((*Service).describeServices),
		"DescribeTaskDefinition": op((*Service).describeTaskDefinition),
		"RegisterTaskDefinition": op((*Service).registerTaskDefinition),
		"UpdateService":          op((*Service).updateService),
		"ListTasks":              op((*Service).listTasks),
		"DescribeTasks":          op((*Service).describeTasks),
	}
}

// Handler serves the operations over AWS JSON 1.1: POST / with
// X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>.
func (s *Service) Handler() http.Handler {
	ops := operations()
	var reqID atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strconv.FormatInt(reqID.Add(1), 10)
		if r.Method != http.MethodPost || r.URL.Path != "/" {
			writeError(w, id, &apiError{"UnknownOperationException", "POST / only", http.StatusNotFound})
			return
		}
		name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
		fn, known := ops[name]
		if !ok || !known {
			writeError(w, id, &apiError{"UnknownOperationException",
				"unknown operation " + strconv.Quote(r.Header.Get("X-Amz-Target")) + "; supported: " + supported(ops), http.StatusBadRequest})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			writeError(w, id, errInvalid("cannot read the request body: %v", err))
			return
		}
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("{}")
		}
		out, apiErr := s.serve(name, fn, body)
		if apiErr != nil {
			writeError(w, id, apiErr)
			return
		}
		writeJSON(w, id, http.StatusOK, out)
	})
}

// serve counts the call, applies injected faults, advances the simulation
// and runs the operation, all under the lock.
func (s *Service) serve(name string, fn opFunc, body []byte) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[name]++
	if e := s.injected(name); e != nil {
		return nil, e
	}
	s.advance()
	return fn(s, body)
}

func supported(ops map[string]opFunc) string {
	names := make([]string, 0, len(ops))
	for n := range ops {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func writeJSON(w http.ResponseWriter, id string, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"__type":"ServerException","message":"encode failed"}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", id)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, id string, e *apiError) {
	writeJSON(w, id, e.status, map[string]string{"__type": e.shape, "message": e.message})
}
