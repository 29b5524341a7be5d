package gpx

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
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

// refused lists the real files that must fail with a keep-all handler, with
// the error they must give. Every other file must be read and written back
// byte for byte.
var refused = map[string]string{
	// A mismatched closing tag </ggpx> (the furkot fixture for invalid
	// input).
	"furkot/invalid.gpx": "13:1: gpx: end tag </ggpx> does not match <gpx> at 2:1",
	// U+2202 is not an XML name character (the georust fixture for a bad
	// character).
	"georust-gpx/badcharacter.xml": "1:5: gpx: character '∂' (U+2202) is not allowed in a name (in <xml)",
}

// noPoints lists the real files that hold no point at all.
var noPoints = map[string]bool{
	"furkot/empty.gpx":               true,
	"gpsbabel/empty.gpx":             true,
	"georust-gpx/empty_name_tag.gpx": true,
	"gpxpy/unicode2.gpx":             true,
}

// inputs returns the real GPX files under testdata, as slash paths
// relative to it.
func inputs(t testing.TB) []string {
	return formattest.Inputs(t, "testdata", 150, []string{".gpx", ".xml"})
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
			if n, ok := formattest.KeepsBytes(t, Codec{}, name, in, refused); ok && (n == 0) != noPoints[name] {
				t.Errorf("%d records", n)
			}
			if _, bad := refused[name]; !bad && !(Codec{}).Detect(name, in[:min(len(in), format.HeadSize)]) {
				t.Errorf("Detect = false")
			}
		})
	}
	for name := range refused {
		if !seen[name] {
			t.Errorf("%s is listed in refused but not in testdata", name)
		}
	}
}

// goldenHandler drops, moves, retimes and edits records by number, and
// remembers what it expects to read back and what it dropped.
type goldenHandler struct {
	n       int
	want    []geowarden.Point // positions of the records that stay, in order
	dropped map[string]int    // dropped GPX points by element name
	recs    []string
}

func (g *goldenHandler) Record(r *geowarden.Record) geowarden.Edit {
	g.recs = append(g.recs, copyRecord(r).String())
	if r.Shape == geowarden.ShapeNone {
		// Free text outside points: every position in it is redacted.
		return geowarden.Edit{Redact: allText(r)}
	}
	ed := g.edit(r)
	if !ed.Drop {
		ed.Redact = allText(r)
	}
	return ed
}

// allText returns the indexes of every text position of r.
func allText(r *geowarden.Record) []int {
	var idx []int
	for i := range r.Text {
		idx = append(idx, i)
	}
	return idx
}

func (g *goldenHandler) edit(r *geowarden.Record) geowarden.Edit {
	i := g.n
	g.n++
	a := r.Attrs.(*pointAttrs)
	p := &a.s.p
	kind := ""
	if a.i == 0 && p.structural {
		kind = string(p.local(0))
	}
	switch i % 5 {
	case 1, 2:
		if g.dropped == nil {
			g.dropped = map[string]int{}
		}
		g.dropped[kind]++
		return geowarden.Edit{Drop: true}
	case 3:
		q := shift(r.Pos)
		g.want = append(g.want, geowarden.Point{Lon: round7(q.Lon), Lat: round7(q.Lat)})
		ed := geowarden.Edit{Move: true, Pos: q, Strip: []string{"name"}, Set: []geowarden.Attr{{Name: "desc", Value: "pseudo <" + fmt.Sprint(i) + ">"}}}
		if !r.Time.IsZero() {
			ed.Retime, ed.Time = true, r.Time.Truncate(time.Hour)
		}
		return ed
	}
	g.want = append(g.want, r.Pos)
	return geowarden.Keep
}

func (g *goldenHandler) Bad(err *format.ParseError) error { return err }

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

func shift(p geowarden.Point) geowarden.Point {
	p.Lon += 0.001234567891
	if p.Lon > 180 {
		p.Lon -= 0.002469135782
	}
	p.Lat -= 0.001
	if p.Lat < -90 {
		p.Lat += 0.002
	}
	return p
}

// goldenOutput rewrites a testdata file with the golden handler.
func goldenOutput(t *testing.T, name string) ([]byte, *goldenHandler) {
	t.Helper()
	in, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	g := &goldenHandler{}
	if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), &out, g, &format.Options{Name: name}); err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	return out.Bytes(), g
}

func goldenInputs(t *testing.T) []string {
	var names []string
	for _, name := range inputs(t) {
		if _, bad := refused[name]; bad || strings.HasPrefix(name, "acceptance/") {
			continue
		}
		names = append(names, name)
	}
	return names
}

func TestGolden(t *testing.T) {
	for _, name := range goldenInputs(t) {
		t.Run(name, func(t *testing.T) {
			out, g := goldenOutput(t, name)
			recs := []byte(strings.Join(g.recs, "\n") + "\n")
			base := filepath.Join("testdata", "golden", filepath.FromSlash(name))
			for _, f := range []struct {
				path string
				data []byte
			}{{base + ".golden", out}, {base + ".records.txt", recs}} {
				formattest.Golden(t, f.path, f.data, *update)
			}
			// The output reads again, with exactly the kept and moved
			// records, in order.
			back := &recorder{}
			if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(out), nil, back, &format.Options{Name: name}); err != nil {
				t.Fatalf("output does not read again: %v", err)
			}
			if len(back.recs) != len(g.want) {
				t.Fatalf("read back %d records, want %d", len(back.recs), len(g.want))
			}
			for i, r := range back.recs {
				if r.Pos != g.want[i] {
					t.Errorf("record %d at %v, want %v", i, r.Pos, g.want[i])
				}
			}
		})
	}
}
