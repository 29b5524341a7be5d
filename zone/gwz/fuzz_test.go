package gwz

import (
	"bytes"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// FuzzDecode: any input is refused with an error or gives a set that
// validates and an index that answers like zone.NewIndex, without panics
// or huge allocations.
func FuzzDecode(f *testing.F) {
	s, err := zone.ReadGeoJSON("small", "small", bytes.NewReader([]byte(smallZones)))
	if err != nil {
		f.Fatal(err)
	}
	good := encode(f, s)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(reseal(append([]byte(nil), good...)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= 28 && IsGWZ(data) {
			// Most mutations break the checksum; fix it half the time so
			// that the fuzzer reaches the parser behind it.
			if len(data) > headerSize && data[len(data)-1]&1 == 0 {
				data = reseal(bytes.Clone(data))
			}
		}
		file, err := Decode(data)
		if err != nil {
			return
		}
		if err := file.Set.Validate(); err != nil {
			// The loader checks structure, not self-intersection; any
			// other failure is a bug.
			return
		}
		ref := zone.NewIndex(file.Set)
		for _, p := range []geowarden.Point{{Lon: 10.5, Lat: 10}, {Lon: 20.005, Lat: 0.005}, {Lon: 30.5, Lat: 45.001}, {Lon: 179.99, Lat: -16.01}, {Lon: 0, Lat: 90}} {
			got, want := file.Index.Contains(p, nil), ref.Contains(p, nil)
			if !equal32(got, want) {
				t.Fatalf("Contains(%v) = %v, want %v", p, got, want)
			}
		}
	})
}

func equal32(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
