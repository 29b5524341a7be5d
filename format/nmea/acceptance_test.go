package nmea

import (
	"bytes"
	"context"
	"os"
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
// zones of a GeoJSON zone file.
func engineFor(t *testing.T, zonesJSON []byte) *pipeline.Engine {
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

// TestAcceptance sanitizes each acceptance case (testdata/fcases, from
// /work/shared/acceptance/fcases) with a policy that drops what is inside
// its zone, re-scans the output, and has gpsbabel read it: no point may be
// inside the zone and every point outside must survive.
func TestAcceptance(t *testing.T) {
	cases, err := filepath.Glob("testdata/fcases/nmea-*")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no acceptance cases: %v", err)
	}
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			tr := formattest.ReadCase(t, dir)
			in := tr.In
			if !(Codec{}).Detect(tr.Input, in[:min(len(in), format.HeadSize)]) {
				t.Errorf("Detect(%q) = false, want true", tr.Input)
			}
			e := engineFor(t, tr.Zones)
			ctx := context.Background()
			var out bytes.Buffer
			st, err := e.Run(ctx, Codec{}, bytes.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "x"}})
			if err != nil {
				t.Fatalf("sanitize: %v", err)
			}
			if err := e.Verify(ctx, Codec{}, bytes.NewReader(out.Bytes()), format.Options{Name: "x"}); err != nil {
				t.Fatalf("re-scan: %v", err)
			}
			path := filepath.Join(t.TempDir(), tr.Input)
			if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			pts := formattest.GPSBabelPoints(t, "nmea", path)
			inside, outside := tr.Count(pts)
			t.Logf("%d records, %d kept, %d dropped; gpsbabel reads %d points: %d inside, %d outside", st.Records, st.Kept, st.Dropped, len(pts), inside, outside)
			if inside != 0 || outside != tr.Outside {
				t.Errorf("gpsbabel reads %d points inside the zone (want 0) and %d outside (want %d)", inside, outside, tr.Outside)
			}
		})
	}
}
