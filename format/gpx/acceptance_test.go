package gpx

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/zone"
)

// engineFor builds the engine of the acceptance check: the case's zones and
// one rule, drop what is in a zone.
func engineFor(t *testing.T, zonesPath string) *pipeline.Engine {
	t.Helper()
	f, err := os.Open(zonesPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set, err := zone.ReadGeoJSON("z", "z", f)
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

// TestAcceptance runs the acceptance cases: sanitize with a drop rule for
// the case's circle, re-scan, and read the output back with geowarden,
// gpsbabel and ogrinfo. No point inside the circle may survive, and every
// point outside must (points within 0.3 % of the radius of its edge may go
// either way, as in check_format.py).
func TestAcceptance(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "acceptance", "gpx-*"))
	if err != nil || len(dirs) < 6 {
		t.Fatalf("found %d acceptance cases: %v", len(dirs), err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			tr := formattest.ReadCase(t, dir)
			in := tr.In
			e := engineFor(t, filepath.Join(dir, "zones.geojson"))
			ctx := context.Background()
			var out bytes.Buffer
			st, err := e.Run(ctx, Codec{}, bytes.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "x"}})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if err := e.Verify(ctx, Codec{}, bytes.NewReader(out.Bytes()), format.Options{Name: "x"}); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if st.Records != int64(tr.Points) || st.Dropped < int64(tr.Inside) || st.Dropped > int64(tr.Points-tr.Outside) {
				t.Errorf("stats %+v, want %d records, %d to %d dropped", st, tr.Points, tr.Inside, tr.Points-tr.Outside)
			}
			// geowarden itself.
			back := &recorder{}
			if err := (Codec{}).Rewrite(ctx, bytes.NewReader(out.Bytes()), nil, back, nil); err != nil {
				t.Fatalf("output does not read again: %v", err)
			}
			var pts []geowarden.Point
			for _, r := range back.recs {
				pts = append(pts, r.Pos)
			}
			if ins, outs := tr.Count(pts); ins != 0 || outs != tr.Outside {
				t.Errorf("geowarden reads %d points inside (want 0), %d outside (want %d)", ins, outs, tr.Outside)
			}
			// gpsbabel and ogrinfo.
			ogr := formattest.Tool(t, "ogrinfo")
			path := filepath.Join(t.TempDir(), tr.Input)
			if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			ins, outs := tr.Count(formattest.GPSBabelPoints(t, "gpx", path))
			if ins != 0 || outs != tr.Outside {
				t.Errorf("gpsbabel reads %d points inside (want 0), %d outside (want %d)", ins, outs, tr.Outside)
			}
			t.Logf("%d points, after sanitize %d inside (want 0), %d outside (want %d); %d dropped", tr.Points, ins, outs, tr.Outside, st.Dropped)
			counts, err := ogrCounts(ogr, path)
			if err != nil {
				t.Fatalf("ogrinfo cannot read the sanitized output: %v", err)
			}
			if n := counts["track_points"] + counts["route_points"] + counts["waypoints"]; n != len(pts) {
				t.Errorf("ogrinfo reads %d points, gpsbabel %d", n, len(pts))
			}
		})
	}
}
