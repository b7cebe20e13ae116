package cwlocal

import (
	"encoding/binary"
	"io"
	"math"
	"reflect"
	"strings"
	"sync"
)

// cborEncoder writes response structs as CBOR by their json member names
// (Timestamp becomes tag 1, epoch seconds; nil pointers and omitempty zero
// values are left out), straight into bytes. It reads each struct type's
// fields once: the reflection and tag parse of every field of every value
// was a quarter of cwlocal's CPU answering a 1,000-alarm FastStart read
// (ten DescribeAlarms by AlarmNames), and building a cbor.Value tree for
// smithy's encoder to walk twice (once for lengths, once for bytes, its maps
// iterated) was another quarter (decisions.md 171). Safe for concurrent
// use; one per Service.
type cborEncoder struct {
	plans sync.Map  // reflect.Type -> []member
	bufs  sync.Pool // *[]byte: answers are written from reused buffers
}

// member is one field of a wire struct under its JSON member name, which
// every protocol cwlocal speaks uses (JSON, CBOR, the Query protocol's
// form and XML).
type member struct {
	index     int
	name      string
	omitEmpty bool
}

// members lists t's exported fields by their json tags, in field order
// ("-" left out, an empty name is the field's).
func members(t reflect.Type) []member {
	var out []member
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, member{index: i, name: name, omitEmpty: strings.Contains(opts, "omitempty")})
	}
	return out
}

// plan is t's members, read once per type.
func (e *cborEncoder) plan(t reflect.Type) []member {
	if p, ok := e.plans.Load(t); ok {
		return p.([]member)
	}
	fields := members(t)
	e.plans.Store(t, fields)
	return fields
}

// write writes v in CBOR to w from a buffer the encoder reuses: an answer
// of 100 alarms is about 100 KB, which a fresh buffer reached by doubling
// seven times (8 % of a 1,000-alarm first refresh's CPU, both sides in one
// process).
func (e *cborEncoder) write(w io.Writer, v any) {
	bp, _ := e.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	*bp = e.append((*bp)[:0], reflect.ValueOf(v))
	_, _ = w.Write(*bp)
	e.bufs.Put(bp)
}

// CBOR major types (RFC 8949 section 3.1).
const (
	cborUint   = 0
	cborNegInt = 1
	cborText   = 3
	cborArray  = 4
	cborMap    = 5
	cborTag    = 6
)

// CBOR simple values and the 8-byte float's initial byte.
const (
	cborFalse   = 0xf4
	cborTrue    = 0xf5
	cborNull    = 0xf6
	cborFloat64 = 0xfb
)

// appendHead is a data item's head: its major type and argument, in the
// shortest form.
func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, m|27), n)
}

func appendText(b []byte, s string) []byte {
	return append(appendHead(b, cborText, uint64(len(s))), s...)
}

func appendFloat(b []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(append(b, cborFloat64), math.Float64bits(f))
}

// append writes v after b.
func (e *cborEncoder) append(b []byte, v reflect.Value) []byte {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return append(b, cborNull)
		}
		v = v.Elem()
	}
	if v.Type() == timestampType {
		return appendFloat(appendHead(b, cborTag, 1), epochSeconds(v.Interface().(Timestamp).Time))
	}
	switch v.Kind() {
	case reflect.Struct:
		return e.appendStruct(b, v)
	case reflect.Map:
		b = appendHead(b, cborMap, uint64(v.Len()))
		for it := v.MapRange(); it.Next(); {
			b = e.append(appendText(b, it.Key().String()), it.Value())
		}
		return b
	case reflect.Slice:
		b = appendHead(b, cborArray, uint64(v.Len()))
		for i := range v.Len() {
			b = e.append(b, v.Index(i))
		}
		return b
	}
	return appendScalar(b, v)
}

// appendStruct writes the struct's members that are present as a map.
func (e *cborEncoder) appendStruct(b []byte, v reflect.Value) []byte {
	plan := e.plan(v.Type())
	present := func(f member) bool {
		fv := v.Field(f.index)
		return !(fv.Kind() == reflect.Pointer && fv.IsNil()) && !(f.omitEmpty && fv.IsZero())
	}
	n := 0
	for _, f := range plan {
		if present(f) {
			n++
		}
	}
	b = appendHead(b, cborMap, uint64(n))
	for _, f := range plan {
		if present(f) {
			b = e.append(appendText(b, f.name), v.Field(f.index))
		}
	}
	return b
}

// appendScalar writes a string, bool or number (anything else is null).
func appendScalar(b []byte, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.String:
		return appendText(b, v.String())
	case reflect.Bool:
		if v.Bool() {
			return append(b, cborTrue)
		}
		return append(b, cborFalse)
	case reflect.Int, reflect.Int32, reflect.Int64:
		if n := v.Int(); n < 0 {
			return appendHead(b, cborNegInt, uint64(-(n + 1))) // major 1 carries -1-n
		}
		return appendHead(b, cborUint, uint64(v.Int()))
	case reflect.Float64, reflect.Float32:
		return appendFloat(b, v.Float())
	}
	return append(b, cborNull)
}
