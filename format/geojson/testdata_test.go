package geojson

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// refused lists the real files that must fail with a keep-all handler whose
// Bad returns the error, with the error they must give. Every other file
// must be read and written back byte for byte.
var refused = map[string]string{
	// Valid GeoJSON syntax, but coordinates outside WGS-84 (latitude
	// -107): geojsonhint does not check ranges, geowarden does.
	"geojsonhint/good/issue82.geojson": "6:9: geojson: feature 0: coordinate out of range: latitude -107.20901451037372 outside -90..90",

	"geojsonhint/bad/bad-duplicate-properties.geojson":            `3:3: geojson: duplicate member "type"`,
	"geojsonhint/bad/bad-featurelist.geojson":                     "3:21: geojson: feature 0: expected a linear ring (an array of positions), found a number",
	"geojsonhint/bad/bad-json.geojson":                            "3:5: geojson: expected ',' or '}' after object member, found '\"'",
	"geojsonhint/bad/bad-object-type.geojson":                     `2:11: geojson: "type" must be a string, found an object`,
	"geojsonhint/bad/bad-polygonloop.geojson":                     "6:17: geojson: feature 0: expected a position (an array of numbers), found a number",
	"geojsonhint/bad/bad-properties-as-array.geojson":             `3:17: geojson: feature 0: "properties" must be an object or null, found an array`,
	"geojsonhint/bad/badcoord.geojson":                            "3:26: geojson: feature 0: position element must be a number, found a string",
	"geojsonhint/bad/badcoordtype.geojson":                        "9:27: geojson: feature 0: expected a position (an array of numbers), found a number",
	"geojsonhint/bad/badfeature.geojson":                          "1:45: geojson: feature 0: expected a Feature object, found null",
	"geojsonhint/bad/badfeatureid.geojson":                        `6:13: geojson: feature 0: feature "id" must be a string or a number, found an object`,
	"geojsonhint/bad/bbox-4or6elements.geojson":                   `4:13: geojson: feature 0: "bbox" must have 4 or 6 numbers, found 3`,
	"geojsonhint/bad/bbox-contains-string.geojson":                `4:23: geojson: feature 0: "bbox" must hold only numbers, found a string`,
	"geojsonhint/bad/bbox-string.geojson":                         `4:13: geojson: feature 0: "bbox" must be an array of numbers, found a string`,
	"geojsonhint/bad/different-first-last.geojson":                "3:5: geojson: feature 0: linear ring is not closed: its first and last positions differ",
	"geojsonhint/bad/different-first-size.geojson":                "4:6: geojson: feature 0: linear ring is not closed: its first and last positions differ",
	"geojsonhint/bad/expected_object.geojson":                     `1:35: geojson: feature 0: "properties" must be an object or null, found a number`,
	"geojsonhint/bad/false.geojson":                               `3:18: geojson: feature 0: "geometries" must hold geometry objects, found a boolean`,
	"geojsonhint/bad/feature_changed_semantics.geojson":           `2:7: geojson: a Feature must not have a "features" member`,
	"geojsonhint/bad/featurecollection-obj.geojson":               `1:44: geojson: "features" must be an array, found an object`,
	"geojsonhint/bad/featurecollection-type-case.geojson":         `1:11: geojson: unknown type "featurecollection" (types are case-sensitive)`,
	"geojsonhint/bad/featurecollection.geojson":                   `1:1: geojson: FeatureCollection has no "features" member`,
	"geojsonhint/bad/featurecollection_changed_semantics.geojson": `3:3: geojson: a FeatureCollection must not have a "coordinates" member`,
	"geojsonhint/bad/geometry_changed_semantics.geojson":          `2:3: geojson: a Point must not have a "features" member`,
	"geojsonhint/bad/multiple_problems.geojson":                   `7:13: geojson: feature 0: feature "id" must be a string or a number, found an object`,
	"geojsonhint/bad/multipoint-multidimension.geojson":           "1:42: geojson: feature 0: position element must be a number, found an array",
	"geojsonhint/bad/multipoint-nondimension.geojson":             "1:41: geojson: feature 0: expected a position (an array of numbers), found a number",
	"geojsonhint/bad/nofeaturetype.geojson":                       `5:15: geojson: feature 0: "features" must hold Feature objects, found type "Featre"`,
	"geojsonhint/bad/notype.geojson":                              `1:1: geojson: object has no "type" member`,
	"geojsonhint/bad/point-labeled-as-a-multipolygon.geojson":     "7:7: geojson: feature 0: expected a polygon (an array of linear rings), found a number",
	"geojsonhint/bad/point-string.geojson":                        "3:21: geojson: feature 0: position element must be a number, found a string",
	"geojsonhint/bad/point-toofew.geojson":                        "3:20: geojson: feature 0: position must have at least 2 numbers, found 1",
	"geojsonhint/bad/point.geojson":                               `1:1: geojson: feature 0: Point has no "coordinates" member`,
	"geojsonhint/bad/rootstring.geojson":                          "1:1: geojson: expected '{' or a record separator (0x1E) to begin GeoJSON, found 'n'",
	"geojsonhint/bad/short-line.geojson":                          "2:18: geojson: feature 0: a line must have at least 2 positions, found 1",
	"geojsonhint/bad/short-linearring.geojson":                    "3:5: geojson: feature 0: a linear ring must have at least 4 positions, found 3",
	"geojsonhint/bad/short-multilinestring.geojson":               "4:7: geojson: feature 0: a line must have at least 2 positions, found 1",
	"geojsonhint/bad/stringcoord.geojson":                         "11:11: geojson: feature 0: position element must be a number, found a string",
	"geojsonhint/bad/unknowntype.geojson":                         `2:13: geojson: unknown type "FooBar" (types are case-sensitive)`,
}

// acceptedBad lists the geojsonhint "bad" files that geowarden reads on
// purpose, with why.
var acceptedBad = map[string]string{
	"geojsonhint/bad/bad-polygon-interiorring-rhr.geojson":  "winding order: RFC 7946 3.1.6 says parsers should not reject polygons against the right-hand rule",
	"geojsonhint/bad/polygon_winding_order.geojson":         "winding order, as above",
	"geojsonhint/bad/excessive_precision_truncated.geojson": "geojsonhint itself reports nothing for it",
	"geojsonhint/bad/geometrycollection_nested.geojson":     "a style warning; nested collections are flattened",
	"geojsonhint/bad/geometrycollection_single.geojson":     "a style warning",
	"geojsonhint/bad/point-toomany.geojson":                 "a fourth number in a position is a warning; it passes through",
}

// inputs returns the real GeoJSON files under testdata, as slash paths
// relative to it.
func inputs(t testing.TB) []string {
	return formattest.Inputs(t, "testdata", 70, []string{".geojson", ".json", ".geojsonl", ".geojsons"})
}

func TestTestdata(t *testing.T) {
	seen := map[string]bool{}
	for _, name := range inputs(t) {
		t.Run(name, func(t *testing.T) {
			seen[name] = true
			in, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			n, ok := formattest.KeepsBytes(t, Codec{}, name, in, refused)
			if !ok {
				return
			}
			if n == 0 {
				t.Errorf("no records")
			}
			if !(Codec{}).Detect(name, in[:min(len(in), format.HeadSize)]) {
				t.Errorf("Detect = false")
			}
			if strings.HasPrefix(name, "geojsonhint/bad/") && acceptedBad[name] == "" {
				t.Errorf("a geojsonhint bad file is accepted without a reason in acceptedBad")
			}
		})
	}
	for name := range refused {
		if !seen[name] {
			t.Errorf("%s is listed in refused but not in testdata", name)
		}
	}
}

// goldenHandler drops, moves and edits some records, by record number.
type goldenHandler struct{ n int }

func (g *goldenHandler) Record(r *geowarden.Record) geowarden.Edit {
	i := g.n
	g.n++
	switch i % 4 {
	case 1:
		return geowarden.Edit{Drop: true}
	case 2:
		var more []geowarden.Point
		for _, p := range r.More {
			more = append(more, shift(p))
		}
		switch r.Shape {
		case geowarden.ShapePoint:
			return geowarden.Edit{Move: true, Pos: shift(r.Pos), More: more}
		case geowarden.ShapeLine:
			var ls [][]geowarden.Point
			for _, l := range r.Lines {
				var nl []geowarden.Point
				for _, p := range l {
					nl = append(nl, shift(p))
				}
				ls = append(ls, nl)
			}
			return geowarden.Edit{Move: true, Lines: ls, More: more}
		}
		return geowarden.Edit{Strip: []string{"name"}, Move: more != nil, More: more}
	case 3:
		var redact []int
		for k := range r.Text {
			redact = append(redact, k)
		}
		return geowarden.Edit{Strip: []string{"name", "other_tags"}, Set: []geowarden.Attr{{Name: "osm_id", Value: "x"}},
			Retime: true, Time: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), Redact: redact}
	}
	return geowarden.Keep
}

func (g *goldenHandler) Bad(err *format.ParseError) error { return err }

func shift(p geowarden.Point) geowarden.Point {
	p.Lon += 0.01
	if p.Lon > 180 {
		p.Lon -= 0.02
	}
	p.Lat -= 0.01
	if p.Lat < -90 {
		p.Lat += 0.02
	}
	return p
}

func TestGolden(t *testing.T) {
	for _, name := range inputs(t) {
		if _, bad := refused[name]; bad {
			continue
		}
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), &out, &goldenHandler{}, &format.Options{Name: name}); err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			golden := filepath.Join("testdata", "golden", filepath.FromSlash(name)+".golden")
			formattest.Golden(t, golden, out.Bytes(), *update)
			// The output reads again, and is valid JSON unless it is a
			// sequence.
			if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(out.Bytes()), nil, &formattest.KeepAll{}, nil); err != nil {
				t.Errorf("output does not read again: %v", err)
			}
			if !strings.HasSuffix(name, ".geojsonl") && !strings.HasSuffix(name, ".geojsons") && !json.Valid(out.Bytes()) {
				t.Errorf("output is not valid JSON")
			}
		})
	}
}
