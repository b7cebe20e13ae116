package cwlocal

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
)

// fuzzOp runs one request through the whole server path (decode, validate,
// operate, encode) without a network, so a fuzzer can hunt for panics.
func fuzzOp(t *testing.T, s *Service, p protocol, opIndex uint8, body []byte) {
	names := make([]string, 0)
	for n := range operations() {
		names = append(names, n)
	}
	sort.Strings(names)
	name := names[int(opIndex)%len(names)]
	var req *http.Request
	if p == protoCBOR {
		req = httptest.NewRequest(http.MethodPost, cborPrefix+name, bytes.NewReader(body))
	} else {
		req = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", serviceID+"."+name)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 && rec.Header().Get("X-Amzn-Query-Error") == "" {
		t.Fatalf("%s: status %d without an error code", name, rec.Code)
	}
	if rec.Code >= 500 {
		t.Fatalf("%s: server error %d for a client body: %s", name, rec.Code, rec.Body.String())
	}
}

func FuzzDecodeCBORRequest(f *testing.F) {
	f.Add(uint8(0), []byte{0xa0})
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		fuzzOp(t, newTestService(), protoCBOR, op, body)
	})
}

func FuzzDecodeJSONRequest(f *testing.F) {
	f.Add(uint8(0), []byte(`{}`))
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		fuzzOp(t, newTestService(), protoJSON, op, body)
	})
}
