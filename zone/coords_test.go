package zone

import (
	"encoding/json"
	"reflect"
	"testing"
)

// sameAsUnmarshal checks decodeCoords against json.Unmarshal for raw at
// every depth: the same value, or an error from both.
func sameAsUnmarshal(t *testing.T, raw []byte) {
	t.Helper()
	if !json.Valid(raw) {
		return // decodeCoords is only given what a json.Decoder took as a value
	}
	check := func(got, want any) {
		t.Helper()
		gerr := decodeCoords(raw, got)
		werr := json.Unmarshal(raw, want)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%s into %T: error %v, json.Unmarshal says %v", raw, got, gerr, werr)
		}
		if gerr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%s into %T: %v, json.Unmarshal gives %v", raw, got, reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem())
		}
	}
	check(new([]float64), new([]float64))
	check(new([][]float64), new([][]float64))
	check(new([][][]float64), new([][][]float64))
	check(new([][][][]float64), new([][][][]float64))
}

var coordSeeds = []string{
	`[14.45, 35.85]`, `[[14.45,35.85],[14.46,35.86]]`, ` [ [ [1,2] , [3,4],[5,6],[1,2] ] ] `,
	`[[[[1,2],[3,4],[5,6],[1,2]]],[[[7,8],[9,10],[11,12],[7,8]]]]`, `[]`, `[[]]`, `[[[]]]`,
	`[1e400, 2]`, `[null, 2]`, `["1", 2]`, `[-0, 1.5e-3, 2E+2]`, `[[1,2],[3,4,5]]`, `{"a":1}`,
	`null`, `1`, `[[1,2],null]`, `[0.1, 123456789012345678901234567890]`, `[1,2]]`,
}

func TestDecodeCoords(t *testing.T) {
	for _, s := range coordSeeds {
		sameAsUnmarshal(t, []byte(s))
	}
}

func FuzzDecodeCoords(f *testing.F) {
	for _, s := range coordSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { sameAsUnmarshal(t, raw) })
}
