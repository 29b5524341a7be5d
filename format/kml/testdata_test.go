package kml

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// refused lists the real files that must fail with a keep-all handler
// whose Bad returns the error, with the error they must give. Every other
// file must be read and written back byte for byte.
var refused = map[string]string{
	"gdal/truncated.kml": "35:1: kml: unexpected end of input: <coordinates> opened at line 33, column 17 is not closed",
}

// inputs returns the real KML files under testdata (the acceptance cases
// aside), as slash paths relative to it.
func inputs(t testing.TB) []string {
	return formattest.Inputs(t, "testdata", 15, []string{".kml"}, "acceptance")
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
			if !(Codec{}).Detect(name, in[:min(len(in), format.HeadSize)]) {
				t.Errorf("Detect = false")
			}
			if (Codec{}).Detect("x", in[:min(len(in), format.HeadSize)]) != true {
				t.Errorf("Detect without the .kml name = false")
			}
			if n, ok := formattest.KeepsBytes(t, Codec{}, name, in, refused); ok && n == 0 {
				t.Errorf("no records")
			}
		})
	}
	for name := range refused {
		if !seen[name] {
			t.Errorf("%s is listed in refused but not in testdata", name)
		}
	}
}

// goldenHandler drops, moves and edits records by record number: it
// drops every fourth from the second, moves every fourth from the third
// (and cuts lines in two), strips and pseudonymises every fourth from the
// fourth.
type goldenHandler struct{ n int }

func (g *goldenHandler) Record(r *geowarden.Record) geowarden.Edit {
	if r.Ref.Feature < 0 {
		// A view or text of the file, not a feature: kept, and not
		// counted, so that the edits fall on the same features as
		// before such records were read.
		return geowarden.Keep
	}
	i := g.n
	g.n++
	switch i % 4 {
	case 1:
		return geowarden.Edit{Drop: true}
	case 2:
		switch r.Shape {
		case geowarden.ShapePoint:
			return geowarden.Edit{Move: true, Pos: shift(r.Pos)}
		case geowarden.ShapeLine:
			var ls [][]geowarden.Point
			for _, l := range r.Lines {
				if len(l) >= 4 {
					// Cut out the middle: two parts.
					h := len(l) / 2
					ls = append(ls, shiftAll(l[:h-1]), shiftAll(l[h:]))
					continue
				}
				ls = append(ls, shiftAll(l))
			}
			return geowarden.Edit{Move: true, Lines: ls}
		}
		return geowarden.Edit{Strip: []string{"name"}}
	case 3:
		return geowarden.Edit{Strip: []string{"description", "time"}, Set: []geowarden.Attr{{Name: "name", Value: "x<&>é"}},
			Retime: true, Time: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)}
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

func shiftAll(l []geowarden.Point) []geowarden.Point {
	out := make([]geowarden.Point, len(l))
	for i, p := range l {
		out[i] = shift(p)
	}
	if len(out) == 1 {
		out = append(out, out[0])
	}
	return out
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
			// The output reads again.
			if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(out.Bytes()), nil, &formattest.KeepAll{}, nil); err != nil {
				t.Errorf("output does not read again: %v", err)
			}
		})
	}
}
