package cwlocal

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

type queryErr struct {
	Error struct{ Type, Code, Message string }
}

func queryCall(t *testing.T, base string, form url.Values, get bool) (int, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if get {
		resp, err = http.Get(base + "/?" + form.Encode())
	} else {
		resp, err = http.PostForm(base+"/", form)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "text/xml" {
		t.Fatalf("Content-Type %q", ct)
	}
	return resp.StatusCode, string(b)
}

// The Query protocol's envelope: GET and POST, <ErrorResponse> with the
// codes and Sender/Receiver of every protocol, XML escaping of names.
func TestQueryProtocolEnvelope(t *testing.T) {
	s, base := serve(t, newTestService())
	if err := s.PutMetricAlarm(maxAlarm(`a<&>"b`, 1, 1, "")); err != nil {
		t.Fatal(err)
	}
	status, body := queryCall(t, base, url.Values{"Action": {"DescribeAlarms"}, "Version": {queryVersion}, "AlarmNames.member.1": {`a<&>"b`}}, true)
	var ok struct {
		Result struct {
			MetricAlarms []struct{ AlarmName, StateValue string } `xml:"MetricAlarms>member"`
		} `xml:"DescribeAlarmsResult"`
		RequestID string `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &ok); status != 200 || err != nil || len(ok.Result.MetricAlarms) != 1 ||
		ok.Result.MetricAlarms[0].AlarmName != `a<&>"b` || ok.RequestID == "" || !strings.HasPrefix(body, `<DescribeAlarmsResponse xmlns="`+queryXMLNS+`">`) {
		t.Fatalf("%d %v %+v\n%s", status, err, ok, body)
	}
	cases := []struct {
		form         url.Values
		status       int
		code, inText string
	}{
		{url.Values{"Version": {queryVersion}}, 400, "MissingAction", "names no Action"},
		{url.Values{"Action": {"DescribeAlarms"}}, 400, "InvalidParameterValue", `Version "" is not served`},
		{url.Values{"Action": {"DeleteDashboards"}, "Version": {queryVersion}}, 400, "InvalidAction", "supported: DeleteAlarmMuteRule"},
		{url.Values{"Action": {"DescribeAlarms"}, "Version": {queryVersion}, "MaxRecords": {"ten"}}, 400, "InvalidParameterValue", `member MaxRecords: expected a number, got "ten"`},
		{url.Values{"Action": {"DeleteAlarms"}, "Version": {queryVersion}, "AlarmNames.member.2": {"x"}}, 400, "InvalidParameterValue", "numbered 1, 2, ... without gaps"},
		{url.Values{"Action": {"SetAlarmState"}, "Version": {queryVersion}, "AlarmName": {"none"}, "StateValue": {"OK"}, "StateReason": {"r"}}, 404, "ResourceNotFound", "Alarm none not found"},
	}
	for _, c := range cases {
		status, body := queryCall(t, base, c.form, false)
		var e queryErr
		if err := xml.Unmarshal([]byte(body), &e); status != c.status || err != nil || e.Error.Code != c.code || e.Error.Type != "Sender" || !strings.Contains(e.Error.Message, c.inText) {
			t.Errorf("%v: %d %+v\n%s", c.form, status, e, body)
		}
	}
	s.SetFailures(1)
	status, body = queryCall(t, base, url.Values{"Action": {"ListMetrics"}, "Version": {queryVersion}}, false)
	var e queryErr
	if xml.Unmarshal([]byte(body), &e); status != 500 || e.Error.Type != "Receiver" || e.Error.Code != "InternalServiceError" {
		t.Fatalf("injected fault: %d %+v", status, e)
	}
}
