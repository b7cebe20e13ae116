package alarms

import (
	"reflect"
	"testing"
	"time"
)

// filled sets every leaf of v to a value that is not its zero, giving
// every slice one element and every pointer a target, so that each leaf
// can then be changed on its own.
func filled(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(1)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		filled(t, v.Index(0), path+"[0]")
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		filled(t, v.Elem(), path+"*")
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Unix(1_800_000_000, 0)))
			return
		}
		for i := range v.NumField() {
			filled(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	default:
		t.Fatalf("%s is a %s: teach sameAlarm and this test to compare it", path, v.Kind())
	}
}

// leaves calls change once per leaf of v (a path and a function that
// changes that leaf of a copy).
func leaves(v reflect.Value, path string, change func(path string, set func(reflect.Value))) {
	switch v.Kind() {
	case reflect.Slice:
		leaves(v.Index(0), path+"[0]", change)
	case reflect.Pointer:
		leaves(v.Elem(), path+"*", change)
	case reflect.Struct:
		if v.Type() != reflect.TypeFor[time.Time]() {
			for i := range v.NumField() {
				leaves(v.Field(i), path+"."+v.Type().Field(i).Name, change)
			}
			return
		}
		fallthrough
	default:
		change(path, func(c reflect.Value) {
			switch c.Kind() {
			case reflect.String:
				c.SetString(c.String() + "x")
			case reflect.Bool:
				c.SetBool(!c.Bool())
			case reflect.Int:
				c.SetInt(c.Int() + 1)
			case reflect.Float64:
				c.SetFloat(c.Float() + 1)
			default:
				c.Set(reflect.ValueOf(c.Interface().(time.Time).Add(time.Second)))
			}
		})
	}
}

// deepCopy copies a value with its slices and pointers.
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.MakeSlice(src.Type(), src.Len(), src.Len()))
		for i := range src.Len() {
			deepCopy(dst.Index(i), src.Index(i))
		}
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		dst.Set(reflect.New(src.Type().Elem()))
		deepCopy(dst.Elem(), src.Elem())
	case reflect.Struct:
		if src.Type() == reflect.TypeFor[time.Time]() {
			dst.Set(src)
			return
		}
		for i := range src.NumField() {
			deepCopy(dst.Field(i), src.Field(i))
		}
	default:
		dst.Set(src)
	}
}

// The copy-on-write list copies only when an edit differs (sameAlarm), so
// a difference sameAlarm misses would never reach the screen: every leaf of
// Alarm, inside its slices and pointers too, must count. An alarm added to
// the struct without sameAlarm fails here.
func TestSameAlarmSeesEveryField(t *testing.T) {
	var base Alarm
	filled(t, reflect.ValueOf(&base).Elem(), "Alarm")
	var twin Alarm
	deepCopy(reflect.ValueOf(&twin).Elem(), reflect.ValueOf(base))
	if !sameAlarm(&base, &twin) {
		t.Fatal("an alarm and its deep copy differ")
	}
	n := 0
	leaves(reflect.ValueOf(base), "Alarm", func(path string, set func(reflect.Value)) {
		var c Alarm
		deepCopy(reflect.ValueOf(&c).Elem(), reflect.ValueOf(base))
		i := 0
		setNth(reflect.ValueOf(&c).Elem(), n, &i, set) // the same leaf of the copy
		n++
		if sameAlarm(&base, &c) {
			t.Errorf("%s changed, sameAlarm still says the same", path)
		}
	})
	if n < 30 {
		t.Fatalf("only %d leaves walked", n)
	}
	var nilStat Alarm
	deepCopy(reflect.ValueOf(&nilStat).Elem(), reflect.ValueOf(base))
	nilStat.Metrics[0].Metric = nil
	if sameAlarm(&base, &nilStat) || sameAlarm(&nilStat, &base) {
		t.Error("a query without a metric is the same as one with")
	}
	longer := base
	longer.Series = append([]Point{}, base.Series[0], base.Series[0])
	if sameAlarm(&base, &longer) {
		t.Error("a longer series is the same")
	}
}

// setNth changes the nth leaf (in leaves' order) of v.
func setNth(v reflect.Value, n int, i *int, set func(reflect.Value)) bool {
	switch v.Kind() {
	case reflect.Slice:
		return setNth(v.Index(0), n, i, set)
	case reflect.Pointer:
		return setNth(v.Elem(), n, i, set)
	case reflect.Struct:
		if v.Type() != reflect.TypeFor[time.Time]() {
			for f := range v.NumField() {
				if setNth(v.Field(f), n, i, set) {
					return true
				}
			}
			return false
		}
	}
	if *i == n {
		set(v)
		return true
	}
	*i++
	return false
}
