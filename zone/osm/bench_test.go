package osm

import (
	"context"
	"os"
	"path/filepath"
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

// TestMeasure reads the extract of testdata named by GEOWARDEN_OSM_MEASURE
// (GEOWARDEN_OSM_MEASURE=andorra-latest.osm.bz2) once, with the broad
// selections, for measuring peak memory from outside: GNU time -v of the
// test binary (go test -c), as in doc.go. Files outside the repository are
// measured with the command that reads them the same way:
// /usr/bin/time -v geowarden zones import --select ... FILE -o out.gwz.
func TestMeasure(t *testing.T) {
	name := os.Getenv("GEOWARDEN_OSM_MEASURE")
	if name == "" {
		t.Skip("GEOWARDEN_OSM_MEASURE not set")
	}
	if !filepath.IsLocal(name) {
		t.Fatalf("GEOWARDEN_OSM_MEASURE=%q: name a file of testdata/", name)
	}
	file := filepath.Join("testdata", name)
	rd := &Reader{Selections: mustSelect(t, broadSelections...), Warn: func(*Problem) {}}
	set, err := rd.Read(context.Background(), file, "m")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d zones", file, len(set.Zones))
}
