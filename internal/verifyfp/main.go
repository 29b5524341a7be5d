// Command verifyfp measures how often the release verifier refuses a
// position that is not one: it reads real files with the codecs, draws a
// small square zone over every Nth position a codec reads, scans the raw
// bytes with the verifier, and checks each position found inside a zone
// against the positions the codec read. A position found in a zone that
// the codec did not read is unconfirmed: either a false positive, or a
// position the codec misses (KML LookAt, a description's text); the
// command lists them so that they can be told apart.
//
//	go run ./internal/verifyfp [-every 5] [-half 0.0005] [-v] dir...
package main

import (
	"bytes"
	"cmp"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/all"
	"github.com/geowarden/geowarden/geotext"
	"github.com/geowarden/geowarden/verify"
	"github.com/geowarden/geowarden/zone"
)

func main() {
	every := flag.Int("every", 5, "draw a zone over every `n`th position a codec reads")
	half := flag.Float64("half", 0.0005, "half the side of a zone's square, in `degrees`")
	maxZones := flag.Int("zones", 2000, "at most `n` zones per file")
	verbose := flag.Bool("v", false, "list every unconfirmed position")
	flag.BoolVar(&listAll, "all", false, "list every position found that no codec read, in a zone or not")
	flag.Parse()
	var t totals
	for _, dir := range flag.Args() {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			t.file(path, *every, *half, *maxZones, *verbose)
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "verifyfp:", err)
			os.Exit(2)
		}
	}
	t.print()
}

var listAll bool

type totals struct {
	unread                    int // positions found that no codec read
	files, read, zoned        int // files seen, read by a codec, with zones
	refused                   int // zoned files the verifier would refuse with no true position inside a zone
	matches, hits, unconfirmd int
	byKind                    map[geotext.Kind][2]int // hits and unconfirmed hits per kind
}

// positions read by a codec, sorted by latitude
type truth []geowarden.Point

func (tr truth) has(p geowarden.Point, tol float64) bool {
	i := sort.Search(len(tr), func(i int) bool { return tr[i].Lat >= p.Lat-tol })
	for ; i < len(tr) && tr[i].Lat <= p.Lat+tol; i++ {
		if math.Abs(tr[i].Lon-p.Lon) <= tol {
			return true
		}
	}
	return false
}

type collect struct{ pts truth }

func (c *collect) Record(rec *geowarden.Record) geowarden.Edit {
	switch rec.Shape {
	case geowarden.ShapePoint:
		c.pts = append(c.pts, rec.Pos)
	case geowarden.ShapeLine:
		for _, l := range rec.Lines {
			c.pts = append(c.pts, l...)
		}
	case geowarden.ShapeArea:
		for _, a := range rec.Areas {
			for _, r := range a {
				c.pts = append(c.pts, r...)
			}
		}
	}
	return geowarden.Edit{}
}

func (c *collect) Bad(*format.ParseError) error { return nil }

func (t *totals) file(path string, every int, half float64, maxZones int, verbose bool) {
	t.files++
	data, err := os.ReadFile(path)
	if err != nil || len(data) > 256<<20 {
		return
	}
	head := data[:min(len(data), format.HeadSize)]
	codec := all.Registry().Detect(path, head)
	if codec == nil {
		return
	}
	var c collect
	if err := codec.Rewrite(context.Background(), bytes.NewReader(data), nil, &c, &format.Options{Name: path}); err != nil {
		return
	}
	t.read++
	// zones over every Nth position, spread over the file
	step := max(every, len(c.pts)/maxZones)
	set := &zone.Set{ID: "fp"}
	for i := 0; i < len(c.pts); i += step {
		p := c.pts[i]
		if math.Abs(p.Lat) > 89 || math.Abs(p.Lon) > 179 {
			continue
		}
		lo, la := p.Lon-half, p.Lat-half
		hi, ha := p.Lon+half, p.Lat+half
		set.Zones = append(set.Zones, &zone.Zone{ID: fmt.Sprint(i), Geometry: zone.Area,
			Polygons: [][][]geowarden.Point{{{{Lon: lo, Lat: la}, {Lon: hi, Lat: la}, {Lon: hi, Lat: ha}, {Lon: lo, Lat: ha}, {Lon: lo, Lat: la}}}}})
	}
	slices.SortFunc(c.pts, func(a, b geowarden.Point) int { return cmp.Compare(a.Lat, b.Lat) })
	for m := range geotext.All(data) {
		t.matches++
		tol := max(m.Res, 1e-7)*1.5 + 1e-9
		if !c.pts.has(m.Point, tol) && !(m.Ambiguous && c.pts.has(m.Swapped(), tol)) {
			t.unread++
			if listAll {
				end := min(len(data), m.End)
				fmt.Printf("unread %s@%d: %s %q\n", path, m.Start, m.Kind, data[m.Start:end])
			}
		}
	}
	if len(set.Zones) == 0 {
		return
	}
	if err := set.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, "verifyfp:", path, err)
		return
	}
	t.zoned++
	if t.byKind == nil {
		t.byKind = map[geotext.Kind][2]int{}
	}
	v := verify.New(zone.NewIndex(set))
	bad := 0
	last := -1
	v.Filter = func(m geotext.Match, p geowarden.Point, _ int32) bool {
		if m.Start == last {
			return false // one hit per match
		}
		last = m.Start
		t.hits++
		k := t.byKind[m.Kind]
		k[0]++
		tol := max(m.Res, 1e-7)*1.5 + 1e-9
		if !c.pts.has(p, tol) && !(m.Ambiguous && c.pts.has(m.Swapped(), tol)) {
			t.unconfirmd++
			k[1]++
			bad++
			if verbose {
				end := min(len(data), m.End)
				fmt.Printf("%s@%d: %s %q (lat %.6f lon %.6f)\n", path, m.Start, m.Kind, data[m.Start:end], p.Lat, p.Lon)
			}
		}
		t.byKind[m.Kind] = k
		return false
	}
	_ = v.Check(data, 0)
	if bad > 0 {
		t.refused++
		fmt.Printf("%s: %d unconfirmed of the positions in zones\n", path, bad)
	}
}

func (t *totals) print() {
	fmt.Printf("files %d, read by a codec %d, with zones %d\n", t.files, t.read, t.zoned)
	fmt.Printf("positions found by geotext %d, of which no codec read %d (%.2f%%)\n", t.matches, t.unread, 100*float64(t.unread)/math.Max(1, float64(t.matches)))
	fmt.Printf("positions found by geotext %d; in zones %d, of which unconfirmed %d (%.3f%%)\n",
		t.matches, t.hits, t.unconfirmd, 100*float64(t.unconfirmd)/math.Max(1, float64(t.hits)))
	fmt.Printf("files the verifier would refuse with no codec position in a zone: %d of %d (%.1f%%)\n",
		t.refused, t.zoned, 100*float64(t.refused)/math.Max(1, float64(t.zoned)))
	for k := geotext.Decimal; k <= geotext.List; k++ {
		if n := t.byKind[k]; n[0] > 0 {
			fmt.Printf("  %-8s in zones %d, unconfirmed %d\n", k, n[0], n[1])
		}
	}
}
