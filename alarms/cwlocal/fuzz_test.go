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

// FuzzDecodeQueryRequest sends a form body (the AWS Query protocol) to POST /:
// any body is an XML answer, 200 or an <ErrorResponse> under 500.
func FuzzDecodeQueryRequest(f *testing.F) {
	f.Add([]byte("Action=DescribeAlarms&Version=2010-08-01&AlarmNames.member.1=a&MaxRecords=5"))
	f.Add([]byte("Action=PutMetricData&Version=2010-08-01&Namespace=N&MetricData.member.1.MetricName=M&MetricData.member.1.Values.member.1=1&MetricData.member.1.Counts.member.1=3"))
	f.Add([]byte("Action=GetMetricStatistics&Version=2010-08-01&Namespace=N&MetricName=M&StartTime=2026-11-27T02:00:00Z&EndTime=2026-11-27T03:00:00Z&Period=60&Statistics.member.1=Sum"))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		newTestService().Handler().ServeHTTP(rec, req)
		if rec.Code >= 500 || !bytes.HasPrefix(rec.Body.Bytes(), []byte("<")) {
			t.Fatalf("status %d, body %q", rec.Code, rec.Body.String())
		}
	})
}
