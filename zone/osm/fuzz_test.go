package osm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/osm"
)

func FuzzParseSelection(f *testing.F) {
	for _, s := range []string{"railway=rail,light_rail,subway", "military=*", "landuse=military", "military", " a = b , c ", "k=a=b", "=", "k=,", "k=*,x", "disused:railway=*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := ParseSelection(expr)
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("ParseSelection(%q) = %+v, which Validate refuses: %v", expr, s, err)
		}
		again, err := ParseSelection(s.String())
		if err != nil {
			t.Fatalf("ParseSelection(%q).String() = %q, which does not parse: %v", expr, s.String(), err)
		}
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("ParseSelection(%q) = %+v; parsing its String %q gives %+v", expr, s, s.String(), again)
		}
	})
}

func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzPBF feeds the PBF decoder arbitrary bytes: it returns elements or
// an error, never panics, and every element it returns is complete.
func FuzzPBF(f *testing.F) {
	addSeeds(f, "tiny.osm.pbf", "tiny-plain.osm.pbf", "tiny-locations.osm.pbf")
	f.Fuzz(func(t *testing.T, data []byte) {
		p := pass{nodes: true, ways: true, relations: true}
		err := scanPBF(context.Background(), bytes.NewReader(data), p, 2, func(o osm.Object) error {
			switch e := o.(type) {
			case *osm.Way:
				if len(e.Nodes) > MaxWayNodes {
					t.Fatalf("way %d with %d nodes", e.ID, len(e.Nodes))
				}
			case *osm.Relation:
				if len(e.Members) > MaxRelationMembers {
					t.Fatalf("relation %d with %d members", e.ID, len(e.Members))
				}
			}
			return nil
		})
		var pe *pbfError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("error %v is not a *pbfError", err)
		}
	})
}

// FuzzRead reads arbitrary bytes as an OSM file, PBF or XML: Read
// returns a valid zone set, or an error naming the file; it never panics
// and never builds an invalid zone.
func FuzzRead(f *testing.F) {
	addSeeds(f, "tiny.osm", "tiny.osm.pbf", "tiny-plain.osm.pbf", "tiny-locations.osm.pbf")
	sels := mustSelect(f, append(tinySelections, "type=multipolygon")...)
	f.Fuzz(func(t *testing.T, data []byte) {
		const path = "f.osm"
		open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		rd := &Reader{Selections: sels, Procs: 2, Warn: func(p *Problem) {
			if p.File != path {
				t.Fatalf("problem %v does not name the file", p)
			}
		}}
		set, err := rd.read(context.Background(), path, "f", open)
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatal(err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if err := set.Validate(); err != nil {
			t.Fatalf("invalid set: %v", err)
		}
	})
}
