package osm

import (
	"context"
	"os"
	"testing"
)

func benchRead(b *testing.B, file string) {
	sels := mustSelect(b, broadSelections...)
	b.ReportAllocs()
	for b.Loop() {
		rd := &Reader{Selections: sels, Warn: func(*Problem) {}}
		if _, err := rd.Read(context.Background(), file, "b"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadMonacoPBF(b *testing.B)     { benchRead(b, "testdata/monaco-latest.osm.pbf") }
func BenchmarkReadAndorraXMLBz2(b *testing.B) { benchRead(b, "testdata/andorra-latest.osm.bz2") }

// TestMeasure reads the file named by GEOWARDEN_OSM_MEASURE once, for
// measuring peak memory from outside (e.g. /usr/bin/time -v).
func TestMeasure(t *testing.T) {
	file := os.Getenv("GEOWARDEN_OSM_MEASURE")
	if file == "" {
		t.Skip("GEOWARDEN_OSM_MEASURE not set")
	}
	rd := &Reader{Selections: mustSelect(t, broadSelections...), Warn: func(*Problem) {}}
	set, err := rd.Read(context.Background(), file, "m")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d zones", file, len(set.Zones))
}
