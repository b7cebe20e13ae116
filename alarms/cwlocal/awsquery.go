package cwlocal

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The AWS Query protocol, server side: the reverse of smithy-go's awsquery
// client serializer. A request is a form (Action=...&Version=2010-08-01,
// dotted member names, lists as Name.member.N, maps as Name.entry.N.key /
// .value), decoded with net/url into the same JSON form the other two
// protocols produce; the answer is XML written with encoding/xml.

const (
	queryVersion = "2010-08-01"
	queryXMLNS   = "http://monitoring.amazonaws.com/doc/2010-08-01/"
)

func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded"
}

// serveQuery answers one Query request (POST form body, or GET query string).
func (s *Service) serveQuery(w http.ResponseWriter, r *http.Request, ops map[string]operation, id int64) {
	form := r.URL.Query()
	if r.Method == http.MethodPost {
		body, err := s.readBody(w, r)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				writeQueryError(w, errTooLarge(s.cfg.MaxBodyBytes), id)
				return
			}
			writeQueryError(w, errMalformed("cannot read the request body: %v", err), id)
			return
		}
		if form, err = url.ParseQuery(string(body)); err != nil {
			writeQueryError(w, queryError("MalformedQueryString", "the form body does not decode: %v", err), id)
			return
		}
	}
	action := form.Get("Action")
	switch v := form.Get("Version"); {
	case action == "":
		writeQueryError(w, queryError("MissingAction", "the request names no Action"), id)
		return
	case v != queryVersion:
		writeQueryError(w, queryError("InvalidParameterValue", "Version %q is not served (accepted: %s)", v, queryVersion), id)
		return
	}
	o, ok := ops[action]
	if !ok {
		writeQueryError(w, queryError("InvalidAction", "unknown Action %q (supported: %s)", action, supportedOps()), id)
		return
	}
	var raw []byte
	tree, derr := formToTree(parseForm(form), o.in, "")
	if derr == nil {
		raw, _ = json.Marshal(tree) // a tree of strings, numbers, bools, lists and maps
	}
	out, apiErr := s.invoke(action, o.run, raw, derr)
	if apiErr != nil {
		writeQueryError(w, apiErr, id)
		return
	}
	writeQueryResult(w, action, out, id)
}

func queryError(code, format string, args ...any) *APIError {
	return newAPIError(code, code, http.StatusBadRequest, true, format, args...)
}

// formNode is one dotted name segment of a form: its value and its children.
type formNode struct {
	val  string
	set  bool
	kids map[string]*formNode
}

func parseForm(form url.Values) *formNode {
	root := &formNode{}
	for k, vs := range form {
		if k == "Action" || k == "Version" {
			continue
		}
		n := root
		for _, seg := range strings.Split(k, ".") {
			if n.kids == nil {
				n.kids = map[string]*formNode{}
			}
			c := n.kids[seg]
			if c == nil {
				c = &formNode{}
				n.kids[seg] = c
			}
			n = c
		}
		n.val, n.set = vs[0], true
	}
	return root
}

// formToTree builds the JSON form of the members of t found under n;
// path names the member in error messages.
func formToTree(n *formNode, t reflect.Type, path string) (map[string]any, *APIError) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	out := map[string]any{}
	for _, m := range members(t) {
		c := n.kids[m.name]
		if c == nil {
			continue
		}
		v, err := formValue(c, t.Field(m.index).Type, path+m.name)
		if err != nil {
			return nil, err
		}
		out[m.name] = v
	}
	return out, nil
}

func formValue(n *formNode, t reflect.Type, path string) (any, *APIError) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timestampType {
		return queryTimestamp(n.val, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		return formToTree(n, t, path+".")
	case reflect.Slice:
		return formList(n, t.Elem(), path)
	case reflect.Map:
		return formMap(n, t.Elem(), path)
	case reflect.String:
		return n.val, nil
	case reflect.Bool:
		b, err := strconv.ParseBool(n.val)
		if err != nil {
			return nil, errInvalidValue("member %s: expected true or false, got %q", path, n.val)
		}
		return b, nil
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float64:
		if _, err := strconv.ParseFloat(n.val, 64); err != nil {
			return nil, errInvalidValue("member %s: expected a number, got %q", path, n.val)
		}
		return json.Number(n.val), nil
	}
	return nil, errInvalidValue("member %s cannot be given in a form", path)
}

// formList reads Name.member.1, Name.member.2, ... up to the first gap.
// A bare "Name=" is the empty list.
func formList(n *formNode, elem reflect.Type, path string) (any, *APIError) {
	out := []any{}
	members := n.kids["member"]
	if members == nil {
		return out, nil
	}
	for i := 1; ; i++ {
		c := members.kids[strconv.Itoa(i)]
		if c == nil {
			break
		}
		v, err := formValue(c, elem, fmt.Sprintf("%s.member.%d", path, i))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if len(out) != len(members.kids) {
		return nil, errInvalidValue("member %s: list members must be numbered 1, 2, ... without gaps", path)
	}
	return out, nil
}

// formMap reads Name.entry.N.key / Name.entry.N.value.
func formMap(n *formNode, elem reflect.Type, path string) (any, *APIError) {
	out := map[string]any{}
	entries := n.kids["entry"]
	if entries == nil {
		return out, nil
	}
	for k, e := range entries.kids {
		key, val := e.kids["key"], e.kids["value"]
		if key == nil || val == nil {
			return nil, errInvalidValue("member %s.entry.%s needs a key and a value", path, k)
		}
		v, err := formValue(val, elem, path+".entry."+k+".value")
		if err != nil {
			return nil, err
		}
		out[key.val] = v
	}
	return out, nil
}

// queryTimestamp reads an ISO 8601 timestamp (what botocore and the CLI
// send) or epoch seconds, as epoch seconds.
func queryTimestamp(v, path string) (any, *APIError) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return f, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return float64(t.UnixMilli()) / 1e3, nil
		}
	}
	return nil, errInvalidValue("member %s: %q is not an ISO 8601 timestamp (e.g. 2026-12-01T10:00:00Z)", path, v)
}

const queryTimeLayout = "2006-01-02T15:04:05.000Z"

func writeQueryResult(w http.ResponseWriter, action string, out any, id int64) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	root := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: queryXMLNS}}}
	enc.EncodeToken(root)
	v := reflect.ValueOf(out)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.NumField() > 0 {
		encodeXMLValue(enc, action+"Result", v)
	}
	encodeMetadata(enc, id)
	enc.EncodeToken(root.End())
	enc.Flush()
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("X-Amzn-RequestId", strconv.FormatInt(id, 10))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

func encodeMetadata(enc *xml.Encoder, id int64) {
	md := xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}
	enc.EncodeToken(md)
	textElement(enc, "RequestId", strconv.FormatInt(id, 10))
	enc.EncodeToken(md.End())
}

func textElement(enc *xml.Encoder, name, text string) {
	el := xml.StartElement{Name: xml.Name{Local: name}}
	enc.EncodeToken(el)
	enc.EncodeToken(xml.CharData(text))
	enc.EncodeToken(el.End())
}

// encodeXMLValue writes v as element name: structs by their json member
// names (nil pointers and omitempty zero values left out), lists as
// <member> items, maps as <entry><key/><value/></entry>, timestamps in ISO 8601.
func encodeXMLValue(enc *xml.Encoder, name string, v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Type() == timestampType {
		textElement(enc, name, v.Interface().(Timestamp).UTC().Format(queryTimeLayout))
		return
	}
	el := xml.StartElement{Name: xml.Name{Local: name}}
	switch v.Kind() {
	case reflect.Struct:
		enc.EncodeToken(el)
		encodeXMLFields(enc, v)
		enc.EncodeToken(el.End())
	case reflect.Slice:
		enc.EncodeToken(el)
		for i := range v.Len() {
			encodeXMLValue(enc, "member", v.Index(i))
		}
		enc.EncodeToken(el.End())
	case reflect.Map:
		enc.EncodeToken(el)
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			entry := xml.StartElement{Name: xml.Name{Local: "entry"}}
			enc.EncodeToken(entry)
			textElement(enc, "key", k.String())
			encodeXMLValue(enc, "value", v.MapIndex(k))
			enc.EncodeToken(entry.End())
		}
		enc.EncodeToken(el.End())
	default:
		textElement(enc, name, scalarText(v))
	}
}

func encodeXMLFields(enc *xml.Encoder, v reflect.Value) {
	for _, m := range members(v.Type()) {
		fv := v.Field(m.index)
		if (fv.Kind() == reflect.Pointer && fv.IsNil()) || (m.omitEmpty && fv.IsZero()) {
			continue
		}
		encodeXMLValue(enc, m.name, fv)
	}
}

func scalarText(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float64, reflect.Float32:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return ""
}

// writeQueryError is the Query protocol's <ErrorResponse>, with the code
// cwlocal computes for every protocol.
func writeQueryError(w http.ResponseWriter, e *APIError, id int64) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	root := xml.StartElement{Name: xml.Name{Local: "ErrorResponse"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: queryXMLNS}}}
	enc.EncodeToken(root)
	el := xml.StartElement{Name: xml.Name{Local: "Error"}}
	enc.EncodeToken(el)
	kind := "Sender"
	if !e.sender {
		kind = "Receiver"
	}
	textElement(enc, "Type", kind)
	textElement(enc, "Code", e.Code)
	textElement(enc, "Message", e.Message)
	enc.EncodeToken(el.End())
	textElement(enc, "RequestId", strconv.FormatInt(id, 10))
	enc.EncodeToken(root.End())
	enc.Flush()
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("X-Amzn-RequestId", strconv.FormatInt(id, 10))
	w.WriteHeader(e.status)
	w.Write(buf.Bytes())
}
