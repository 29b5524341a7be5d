package jpeg

import (
	"bytes"
	"context"
	"encoding/json"
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
func engineFor(t *testing.T, zonesFile string) *pipeline.Engine {
	t.Helper()
	f, err := os.Open(zonesFile)
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

// TestAcceptance runs the jpeg-set case the way check_format.py checks it:
// after a sanitize, ExifTool finds no GPS tag in a photo inside the zone,
// the unchanged position in a photo outside, and the image data from the
// top-level SOS marker on is identical; the engine's re-scan passes.
func TestAcceptance(t *testing.T) {
	formattest.Tool(t, "exiftool")
	dir := filepath.Join("testdata", "acceptance", "jpeg-set")
	var truth struct {
		Format string
		Photos map[string]string
	}
	if err := json.Unmarshal(read(t, filepath.Join(dir, "truth.json")), &truth); err != nil {
		t.Fatal(err)
	}
	if truth.Format != "jpeg" || len(truth.Photos) == 0 {
		t.Fatalf("truth.json: %+v", truth)
	}
	e := engineFor(t, filepath.Join(dir, "zones.geojson"))
	ctx := context.Background()
	for photo, where := range truth.Photos {
		t.Run(photo, func(t *testing.T) {
			in := read(t, filepath.Join(dir, "photos", photo))
			var out bytes.Buffer
			st, err := e.Run(ctx, Codec{}, bytes.NewReader(in), &out, pipeline.Options{Format: format.Options{Name: "x"}})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Verify(ctx, Codec{}, bytes.NewReader(out.Bytes()), format.Options{Name: "x"}); err != nil {
				t.Fatalf("re-scan: %v", err)
			}
			if st.Records != 1 || (where == "inside") != (st.Dropped == 1) {
				t.Errorf("stats %+v for a photo %s the zone", st, where)
			}
			if !bytes.Equal(afterSOS(out.Bytes()), afterSOS(in)) || afterSOS(in) == nil {
				t.Error("image data changed")
			}
			orig := exifTool(t, filepath.Join(dir, "photos", photo))
			got := exifTool(t, writeTemp(t, photo, out.Bytes()), "-GPS*", "-XMP:GPS*")
			switch where {
			case "inside":
				if g := gpsTags(got); len(g) > 0 {
					t.Errorf("GPS survives inside the zone: %v", g)
				}
			case "outside":
				if got["GPS:GPSLatitude"] == nil || got["GPS:GPSLatitude"] != orig["GPS:GPSLatitude"] || got["GPS:GPSLongitude"] != orig["GPS:GPSLongitude"] {
					t.Errorf("GPS changed outside the zone: %v, was %v %v", got, orig["GPS:GPSLatitude"], orig["GPS:GPSLongitude"])
				}
				if !bytes.Equal(out.Bytes(), in) {
					t.Error("a photo outside the zone is not kept byte for byte")
				}
			default:
				t.Fatalf("truth says %q", where)
			}
		})
	}
}
