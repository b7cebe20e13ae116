package cwlocal

import (
	"reflect"
	"strings"
	"sync"

	"github.com/aws/smithy-go/encoding/cbor"
)

// cborEncoder turns response structs into CBOR values by their json member
// names (Timestamp becomes tag 1, epoch seconds; nil pointers and omitempty
// zero values are left out). It reads each struct type's fields once: the
// reflection and tag parse of every field of every value was a quarter of
// cwlocal's CPU answering a 1,000-alarm FastStart read (ten DescribeAlarms
// by AlarmNames). Safe for concurrent use; one per Service.
type cborEncoder struct {
	plans sync.Map // reflect.Type -> []member
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

// value encodes v.
func (e *cborEncoder) value(v reflect.Value) cbor.Value {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return &cbor.Nil{}
		}
		v = v.Elem()
	}
	if v.Type() == timestampType {
		return &cbor.Tag{ID: 1, Value: cbor.Float64(epochSeconds(v.Interface().(Timestamp).Time))}
	}
	switch v.Kind() {
	case reflect.Struct:
		plan := e.plan(v.Type())
		m := make(cbor.Map, len(plan))
		for _, f := range plan {
			fv := v.Field(f.index)
			if (fv.Kind() == reflect.Pointer && fv.IsNil()) || (f.omitEmpty && fv.IsZero()) {
				continue
			}
			m[f.name] = e.value(fv)
		}
		return m
	case reflect.Map:
		m := make(cbor.Map, v.Len())
		for _, k := range v.MapKeys() {
			m[k.String()] = e.value(v.MapIndex(k))
		}
		return m
	case reflect.Slice:
		l := make(cbor.List, v.Len())
		for i := range l {
			l[i] = e.value(v.Index(i))
		}
		return l
	}
	return scalarCBOR(v)
}
