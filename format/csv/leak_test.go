package csv

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/geotext"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/zone"
)

// circle is a protected zone as the oracle sees it.
type circle struct {
	c geowarden.Point
	r float64 // metres
}

// readCircles reads the point-and-buffer zones of a test zone file.
func readCircles(t *testing.T, data []byte) []circle {
	t.Helper()
	var fc struct {
		Features []struct {
			Properties struct {
				BufferM float64 `json:"buffer_m"`
			} `json:"properties"`
			Geometry struct {
				Coordinates [2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		t.Fatal(err)
	}
	var cs []circle
	for _, f := range fc.Features {
		cs = append(cs, circle{geowarden.Point{Lon: f.Geometry.Coordinates[0], Lat: f.Geometry.Coordinates[1]}, f.Properties.BufferM})
	}
	return cs
}

func inside(cs []circle, p geowarden.Point) bool {
	for _, c := range cs {
		if formattest.Haversine(c.c, p) <= c.r {
			return true
		}
	}
	return false
}

var (
	numberRE = regexp.MustCompile(`[-+]?[0-9]+(?:\.[0-9]+)?`)
	hexRE    = regexp.MustCompile(`[0-9A-Fa-f]{32,}`)
)

// leaks is the oracle, written without the codec: it lists every
// representation of a position inside the zones in data. It looks for
// (1) whatever geotext recognises (decimal pairs, DMS, DM, NMEA, named
// keys, WKT, lists), on each line and in each quoted or unquoted piece
// between delimiters; (2) any two numbers on one line that, as latitude
// and longitude in either order, plain or scaled by 1e-7 (E7), lie inside
// a zone, however many columns apart; (3) any run of hex digits that,
// decoded, holds two IEEE doubles in either byte order (a WKB vertex) that
// lie inside a zone.
func leaks(cs []circle, data []byte) []string {
	var out []string
	for _, line := range bytes.Split(data, []byte("\n")) {
		for m := range geotext.All(line) {
			if inside(cs, m.Point) || m.Ambiguous && inside(cs, m.Swapped()) {
				out = append(out, "text "+string(line[m.Start:m.End]))
			}
		}
		var nums []float64
		for _, n := range numberRE.FindAll(line, -1) {
			if v, err := strconv.ParseFloat(string(n), 64); err == nil {
				nums = append(nums, v)
			}
		}
		for i, a := range nums {
			for j, b := range nums {
				if i == j {
					continue
				}
				for _, s := range []float64{1, 1e-7} {
					if p := (geowarden.Point{Lon: b * s, Lat: a * s}); math.Abs(p.Lat) <= 90 && math.Abs(p.Lon) <= 180 && inside(cs, p) {
						out = append(out, "numbers "+strconv.FormatFloat(a, 'f', -1, 64)+" "+strconv.FormatFloat(b, 'f', -1, 64))
					}
				}
			}
		}
		for _, h := range hexRE.FindAll(line, -1) {
			for k := range 2 {
				if (len(h)-k)%2 != 0 {
					h = h[:len(h)-1]
				}
				b, err := hex.DecodeString(string(h[k:]))
				if err != nil {
					continue
				}
				for i := 0; i+16 <= len(b); i++ {
					for _, o := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
						x := math.Float64frombits(o.Uint64(b[i:]))
						y := math.Float64frombits(o.Uint64(b[i+8:]))
						if math.Abs(y) <= 90 && math.Abs(x) <= 180 && inside(cs, geowarden.Point{Lon: x, Lat: y}) {
							out = append(out, "wkb "+string(h))
						}
					}
				}
			}
		}
	}
	return out
}

// leakEngine builds a sanitize engine whose policy takes action on every
// record inside the zones of a GeoJSON zone file.
func leakEngine(t *testing.T, zones []byte, action string) *pipeline.Engine {
	t.Helper()
	return leakEngineText(t, zones, action, "")
}

// leakEngineText is leakEngine with the policy's text setting.
func leakEngineText(t *testing.T, zones []byte, action, text string) *pipeline.Engine {
	t.Helper()
	set, err := zone.ReadGeoJSON("z", "z", bytes.NewReader(zones))
	if err != nil {
		t.Fatal(err)
	}
	if text != "" {
		text = "text: " + text + "\n"
	}
	p, err := policy.Parse("p.yml", []byte(text+"zones: [{file: z.geojson}]\nrules:\n  - id: protect\n    when: {in_zone: true}\n    action: "+action+"\n    severity: high\n"))
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline.Engine{Classifier: classify.New(zone.NewIndex(set), nil), Policy: p, Text: p.Text}
}

// TestNoPositionLeaks sanitizes files with positions hidden in every place
// the codec reads (further pairs, E7 pairs, WKT and EWKT, hex WKB, free
// text) with a zone over them, and checks with the oracle that none
// survives in the output bytes, and that the records outside are kept.
func TestNoPositionLeaks(t *testing.T) {
	tests := []struct {
		file, zones, action string
		// what must survive: lines of the input kept as they were, and
		// lines kept with their text redacted.
		kept, redacted []int
	}{
		{file: "pairs.csv", zones: "zones.geojson", action: "drop", kept: []int{1, 2, 4, 6, 8, 10, 12, 14, 16}},
		{file: "geometry.csv", zones: "zones.geojson", action: "drop", kept: []int{1, 2, 15}},
		// A header that repeats lat and lon (issue 12): the second pair.
		{file: "repeated.csv", zones: "zones.geojson", action: "drop", kept: []int{1, 3}},
		{file: "free.csv", zones: "zones.geojson", action: "drop", kept: []int{1, 9}, redacted: []int{2, 3, 4, 5, 6, 10}},
		{file: "pairs.csv", zones: "zones.geojson", action: "{coarsen: 2km}", kept: []int{1, 2, 4, 6, 8, 10, 12, 14, 16}},
		{file: "geometry.csv", zones: "zones.geojson", action: "{coarsen: 2km}", kept: []int{1, 2, 15}},
		// Real GTFS files (Moroccan railways, OSM-derived): stops and
		// shape points in stop_lat/stop_lon and shape_pt_lat/shape_pt_lon,
		// with no lat and lon columns.
		{file: "oncf-stops.txt", zones: "oncf-zones.geojson", action: "drop"},
		{file: "oncf-shapes.txt", zones: "oncf-zones.geojson", action: "drop"},
		{file: "oncf-stops.txt", zones: "oncf-zones.geojson", action: "{coarsen: 1km}", kept: []int{1, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.action, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", "leak", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			zones, err := os.ReadFile(filepath.Join("testdata", "leak", tt.zones))
			if err != nil {
				t.Fatal(err)
			}
			formattest.KeepsBytes(t, Codec{}, tt.file, in, nil)
			cs := readCircles(t, zones)
			if l := leaks(cs, in); len(l) == 0 {
				t.Fatal("the oracle finds nothing in the input")
			}
			e := leakEngine(t, zones, tt.action)
			ctx := context.Background()
			var out bytes.Buffer
			opts := format.Options{Name: tt.file}
			st, err := e.Run(ctx, Codec{}, bytes.NewReader(in), &out, pipeline.Options{Format: opts})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if st.Dropped+st.Modified == 0 {
				t.Errorf("nothing dropped or changed: %+v", st)
			}
			if err := e.Verify(ctx, Codec{}, bytes.NewReader(out.Bytes()), opts); err != nil {
				t.Errorf("Verify: %v", err)
			}
			for _, l := range leaks(cs, out.Bytes()) {
				t.Errorf("position inside the zone left in the output: %s", l)
			}
			inLines := strings.Split(string(in), "\n")
			outLines := strings.Split(out.String(), "\n")
			for _, n := range tt.kept {
				if !slices.Contains(outLines, inLines[n-1]) {
					t.Errorf("line %d is not kept as it was: %q", n, inLines[n-1])
				}
			}
			for _, n := range tt.redacted {
				id := strings.SplitN(inLines[n-1], ",", 2)[0] + ","
				found := false
				for _, o := range outLines {
					if strings.HasPrefix(o, id) && strings.Contains(o, geowarden.RedactedText) {
						found = true
					}
				}
				if !found {
					t.Errorf("line %d is not kept with its text redacted", n)
				}
			}
			if testing.Verbose() {
				t.Logf("%+v\n%s", st, out.String())
			}
		})
	}
}

// TestTextModes checks the policy's text setting on positions written in
// free text: keep leaves them (and still drops the rows whose geometry
// values are inside), refuse refuses the input.
func TestTextModes(t *testing.T) {
	in, err := os.ReadFile("testdata/leak/free.csv")
	if err != nil {
		t.Fatal(err)
	}
	zones, err := os.ReadFile("testdata/leak/zones.geojson")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := pipeline.Options{Format: format.Options{Name: "free.csv"}}

	var out bytes.Buffer
	if _, err := leakEngineText(t, zones, "drop", "keep").Run(ctx, Codec{}, bytes.NewReader(in), &out, opts); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i, l := range strings.SplitAfter(string(in), "\n") {
		if i != 6 && i != 7 { // the rows with a WKT and a WKB value
			want = append(want, l)
		}
	}
	if got := out.String(); got != strings.Join(want, "") {
		t.Errorf("text: keep:\n%s\nwant\n%s", got, strings.Join(want, ""))
	}

	out.Reset()
	_, err = leakEngineText(t, zones, "drop", "refuse").Run(ctx, Codec{}, bytes.NewReader(in), &out, opts)
	var be *pipeline.BlockedError
	if !errors.As(err, &be) || !be.Text || be.Ref.Line != 2 {
		t.Errorf("text: refuse: error %v, want a refusal at line 2", err)
	}
}
