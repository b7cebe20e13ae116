package cwlocal

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

type cborProbe struct {
	Name    string            `json:"Name"`
	Skipped string            `json:"Skipped,omitempty"`
	Nil     *string           `json:"Nil"`
	Count   int               `json:"Count"`
	Neg     int64             `json:"Neg"`
	NegOne  int32             `json:"NegOne"`
	Big     int64             `json:"Big"`
	Ratio   float64           `json:"Ratio"`
	On      bool              `json:"On"`
	Off     bool              `json:"Off"`
	At      Timestamp         `json:"At"`
	Dims    []Dimension       `json:"Dims"`
	Tags    map[string]string `json:"Tags"`
	Long    string            `json:"Long"`
	Hidden  string            `json:"-"`
}

// TestCBOREncoderWritesWhatSmithyDecodes: every kind the wire structs use,
// written straight to bytes, decodes with the SDK's own CBOR decoder into
// the values meant (heads of every length, negative integers, tag 1
// timestamps, absent members left out).
func TestCBOREncoderWritesWhatSmithyDecodes(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 5, 250e6, time.UTC)
	long := strings.Repeat("x", 300) // a two-byte length head
	in := cborProbe{Name: "a", Count: 70000, Neg: -300, NegOne: -1, Big: 5_000_000_000, Ratio: 1.5, On: true,
		At: Timestamp{at}, Dims: []Dimension{{Name: "poolId", Value: "p1"}}, Tags: map[string]string{"k": "v"}, Long: long, Hidden: "h"}
	var buf bytes.Buffer
	(&cborEncoder{}).write(&buf, in)
	got, err := cbor.Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := cbor.Map{
		"Name": cbor.String("a"), "Count": cbor.Uint(70000), "Neg": cbor.NegInt(300), "NegOne": cbor.NegInt(1),
		"Big": cbor.Uint(5_000_000_000), "Ratio": cbor.Float64(1.5), "On": cbor.Bool(true), "Off": cbor.Bool(false),
		"At":   &cbor.Tag{ID: 1, Value: cbor.Float64(epochSeconds(at))},
		"Dims": cbor.List{cbor.Map{"Name": cbor.String("poolId"), "Value": cbor.String("p1")}},
		"Tags": cbor.Map{"k": cbor.String("v")}, "Long": cbor.String(long),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %#v\nwant %#v", got, want)
	}
}
