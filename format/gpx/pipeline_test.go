package gpx

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/zone"
)

// TestPipelineGzip runs a real .gpx.gz through the pipeline (recognised by
// content, decompressed, sanitized, compressed again, re-scanned): the
// route is split around the zone and nothing inside it survives.
func TestPipelineGzip(t *testing.T) {
	dir := t.TempDir()
	zones := filepath.Join(dir, "zones.geojson")
	// A 300 m circle around a route point in the middle of the route.
	centre := geowarden.Point{Lon: 11.008341, Lat: 49.471899}
	err := os.WriteFile(zones, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"c","class":"military","buffer_m":300},"geometry":{"type":"Point","coordinates":[11.008341,49.471899]}}]}`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	r := &pipeline.Runner{Engine: engineFor(t, zones), Formats: format.NewRegistry(format.Entry{Codec: Codec{}}), PieceWorkers: 1}
	in := filepath.Join("testdata", "gpxgo", "graphhopper.gpx.gz")
	out := filepath.Join(dir, "out.gpx.gz")
	st, err := r.SanitizeFile(context.Background(), in, out)
	if err != nil {
		t.Fatalf("SanitizeFile: %v", err)
	}
	if st.Records != 193 || st.Dropped == 0 || st.Dropped == st.Records {
		t.Fatalf("stats %+v", st)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("the output is not gzip: %v", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	back := &recorder{}
	if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(plain), nil, back, nil); err != nil {
		t.Fatal(err)
	}
	if int64(len(back.recs)) != st.Records-st.Dropped {
		t.Errorf("read back %d records, want %d", len(back.recs), st.Records-st.Dropped)
	}
	for _, rec := range back.recs {
		if d := zone.Distance(centre, rec.Pos); d <= 300 {
			t.Errorf("a point %v m from the centre survived", d)
		}
	}
	if n := strings.Count(string(plain), "<rte>"); n != 2 {
		t.Errorf("%d routes, want the one route split in 2", n)
	}
	if n := strings.Count(string(plain), "<trkseg>"); n != 2 {
		t.Errorf("%d track segments, want the one segment split in 2", n)
	}
	path := filepath.Join(dir, "out.gpx")
	if err := os.WriteFile(path, plain, 0o644); err != nil {
		t.Fatal(err)
	}
	n := len(formattest.GPSBabelPoints(t, "gpx", path))
	if int64(n) != st.Records-st.Dropped {
		t.Errorf("gpsbabel reads %d points, want %d", n, st.Records-st.Dropped)
	}
}
