package kmlzone

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// FuzzRead reads arbitrary bytes as a KML or KMZ zone file: Read returns
// a valid zone set or an error naming the file; it never panics.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"features.kml", "malta_protected_zones.kmz"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(kmlDoc(`<Placemark><ExtendedData><Data name="buffer_m"><value>5</value></Data></ExtendedData><MultiGeometry><Point><coordinates>1,2</coordinates></Point></MultiGeometry></Placemark>`)))
	f.Add([]byte(kmlDoc(`<Placemark><ExtendedData><Data name="buffer_m"><value>5</value></Data></ExtendedData><gx:Track><gx:coord>1 2</gx:coord></gx:Track></Placemark>`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := Read(context.Background(), "f.kml", "f", bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "kmlzone: f.kml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if err := set.Validate(); err != nil {
			t.Fatalf("invalid set: %v", err)
		}
		if len(set.Zones) == 0 {
			t.Fatal("a set with no zone and no error")
		}
	})
}
