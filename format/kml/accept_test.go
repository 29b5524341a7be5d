package kml

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/zone"
)

// engineFor builds a sanitize engine that drops every record inside the
// zones of a GeoJSON zone file, as sanitize's own tests do.
func engineFor(t testing.TB, zonesJSON []byte) *pipeline.Engine {
	t.Helper()
	set, err := zone.ReadGeoJSON("z", "z", bytes.NewReader(zonesJSON))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse("p.yml", []byte("zones: [{file: z.geojson}]\nrules:\n  - id: drop\n    when: {in_zone: true}\n    action: drop\n    severity: high\n"))
	if err != nil {
		t.Fatal(err)
	}
	set.ID = "z"
	return &pipeline.Engine{Classifier: classify.New(zone.NewIndex(set), nil), Policy: p}
}

// ogrRead checks that ogrinfo reads a file and returns its output.
func ogrRead(t testing.TB, path string) string {
	t.Helper()
	bin := formattest.Tool(t, "ogrinfo")
	out, err := exec.Command(bin, "-ro", "-al", path).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("ERROR")) || bytes.Contains(out, []byte("FAILURE")) {
		t.Fatalf("ogrinfo cannot read %s: %v\n%s", path, err, out)
	}
	return string(out)
}

// TestAcceptance runs the acceptance cases (copied from the shared
// acceptance corpus): the sanitized output re-scans clean, and gpsbabel
// reading it finds no point inside the zone and every point outside it.
func TestAcceptance(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/acceptance/kml-*")
	if len(dirs) < 3 {
		t.Fatalf("found %d acceptance cases", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			tr := formattest.ReadCase(t, dir)
			in := tr.In
			e := engineFor(t, tr.Zones)
			ctx := context.Background()
			var out bytes.Buffer
			st, err := e.Run(ctx, Codec{}, bytes.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "x"}})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if st.Dropped+st.Modified == 0 {
				t.Errorf("nothing dropped or cut: %+v", st)
			}
			if err := e.Verify(ctx, Codec{}, bytes.NewReader(out.Bytes()), format.Options{Name: "x"}); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			path := filepath.Join(t.TempDir(), tr.Input)
			if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			ogrRead(t, path)
			inside, outside := tr.Count(formattest.GPSBabelPoints(t, "kml", path))
			if inside != 0 || outside != tr.Outside {
				t.Errorf("gpsbabel reads %d points inside (want 0) and %d outside (want %d)", inside, outside, tr.Outside)
			}
		})
	}
}
