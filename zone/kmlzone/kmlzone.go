// Package kmlzone reads protected zones from KML and KMZ files, with the
// KML codec of geowarden/format/kml.
//
// Each Placemark (and GroundOverlay, PhotoOverlay) is one zone; its
// geometry maps as a GeoJSON zone's does (see zone.ReadGeoJSON):
//
//   - Polygon, and MultiGeometry of polygons: an area (a ring that is not
//     closed is closed), grown by buffer_m when it is given; a
//     GroundOverlay's box is an area too.
//   - LineString, LinearRing, and MultiGeometry of lines: a corridor of
//     half-width buffer_m; a gx:Track (or gx:MultiTrack) is one line
//     through its points.
//   - Point (and Model, PhotoOverlay), and MultiGeometry of points: a
//     circle of radius buffer_m.
//   - A MultiGeometry that mixes these kinds, and a Placemark with no
//     geometry, are refused: a zone has one kind of geometry.
//
// The zone's id, name, class and buffer come from the Placemark's
// ExtendedData values "id" (default: the set's id, '#', the feature's
// index), "name" (default: the <name>, else the id), "class" or
// "zone_class" (default "custom") and "buffer_m" (metres). Zones are
// checked as zone.Zone.Validate says: a ring that crosses itself, a line
// or point without a positive buffer_m is refused with an error naming
// the file, the line and the feature.
//
// A NetworkLink is refused: the zones of the file it links would not be
// loaded. Malformed KML (and KMZ archives that are broken, nested,
// zip-slip or zip bombs) is refused as format/kml says.
package kmlzone

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/kml"
	"github.com/geowarden/geowarden/zone"
)

// Limits.
const (
	// MaxFileBytes caps the size of a KML zone file (as for GeoJSON).
	MaxFileBytes = zone.MaxZoneFileBytes
	// MaxZones caps the zones of one file.
	MaxZones = 1_000_000
	// MaxVertices caps the vertices of all zones of one file.
	MaxVertices = 100_000_000
)

// sniffBytes is how much of a file Detect looks at.
const sniffBytes = 8 << 10

// Detect reports whether an input with this name and first bytes is KML
// or KMZ (or gzip-compressed KML).
func Detect(name string, head []byte) bool {
	if bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return false
		}
		inner, _ := io.ReadAll(io.LimitReader(zr, sniffBytes))
		return kml.Codec{}.Detect(strings.TrimSuffix(name, ".gz"), inner)
	}
	return kml.KMZCodec{}.Detect(name, head) || kml.Codec{}.Detect(name, head)
}

// LoadFile reads a zone set from a KML or KMZ file (or gzip-compressed
// KML). The set's id is the file's base name without its extension.
func LoadFile(path string) (*zone.Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("kmlzone: %w", err)
	}
	defer f.Close()
	base := filepath.Base(path)
	id := strings.TrimSuffix(base, filepath.Ext(base))
	if strings.HasSuffix(strings.ToLower(base), ".kml.gz") {
		id = base[:len(base)-len(".kml.gz")]
	}
	return Read(context.Background(), path, id, f)
}

// Read reads a zone set named id from r, KML or KMZ (or gzip-compressed
// KML) by its content. name is used in errors.
func Read(ctx context.Context, name, id string, r io.Reader) (*zone.Set, error) {
	br := bufio.NewReaderSize(io.LimitReader(r, MaxFileBytes+1), 64<<10)
	head, _ := br.Peek(sniffBytes)
	var src io.Reader = br
	var codec format.Codec
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("kmlzone: %s: %w", name, err)
		}
		defer zr.Close()
		gbr := bufio.NewReaderSize(io.LimitReader(zr, MaxFileBytes+1), 64<<10)
		inner, _ := gbr.Peek(sniffBytes)
		if !(kml.Codec{}).Detect(strings.TrimSuffix(name, ".gz"), inner) {
			return nil, fmt.Errorf("kmlzone: %s: compressed data is not KML", name)
		}
		src, codec = gbr, kml.Codec{}
	case kml.KMZCodec{}.Detect(name, head):
		codec = kml.KMZCodec{}
	case kml.Codec{}.Detect(name, head):
		codec = kml.Codec{}
	default:
		return nil, fmt.Errorf("kmlzone: %s: not KML or KMZ (no <kml> root element, no zip archive)", name)
	}
	c := &collector{name: name, set: &zone.Set{ID: id}, cur: -1}
	cr := &countReader{r: src}
	err := codec.Rewrite(ctx, cr, nil, c, &format.Options{Name: name})
	if err == nil {
		err = c.err
	}
	if err == nil {
		err = c.flush()
	}
	if err == nil && cr.n > MaxFileBytes {
		err = fmt.Errorf("larger than %d bytes", int64(MaxFileBytes))
	}
	if err != nil {
		var pe *format.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("kmlzone: %w", err)
		}
		return nil, fmt.Errorf("kmlzone: %s: %w", name, err)
	}
	if len(c.set.Zones) == 0 {
		return nil, fmt.Errorf("kmlzone: %s: no Placemark with a geometry", name)
	}
	if err := c.set.Validate(); err != nil {
		return nil, fmt.Errorf("kmlzone: %s: %w", name, err)
	}
	return c.set, nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// collector is the format.Handler that gathers each feature's records.
type collector struct {
	name     string
	set      *zone.Set
	err      error
	vertices int

	cur   int // feature index of the records gathered
	line  int
	attrs map[string]string
	recs  []rec
}

// rec is a copy of one record's geometry.
type rec struct {
	shape geowarden.Shape
	pos   geowarden.Point
	lines [][]geowarden.Point
	areas [][][]geowarden.Point
}

var _ format.Handler = (*collector)(nil)
var _ format.Noticer = (*collector)(nil)

// attrNames are the attributes a zone reads.
var attrNames = []string{"id", "name", "class", "zone_class", "buffer_m"}

func (c *collector) Record(r *geowarden.Record) geowarden.Edit {
	if c.err != nil {
		return geowarden.Keep
	}
	if r.Ref.Feature != c.cur || c.recs == nil {
		if err := c.flush(); err != nil {
			c.err = err
			return geowarden.Keep
		}
		c.cur, c.line = r.Ref.Feature, r.Ref.Line
		c.attrs = map[string]string{}
		for _, a := range attrNames {
			if v, ok := r.Attrs.Attr(a); ok {
				c.attrs[a] = v
			}
		}
	}
	x := rec{shape: r.Shape, pos: r.Pos}
	n := 1
	for _, l := range r.Lines {
		x.lines = append(x.lines, append([]geowarden.Point(nil), l...))
		n += len(l)
	}
	for _, a := range r.Areas {
		var poly [][]geowarden.Point
		for _, ring := range a {
			poly = append(poly, append([]geowarden.Point(nil), ring...))
			n += len(ring)
		}
		x.areas = append(x.areas, poly)
	}
	c.vertices += n
	if c.vertices > MaxVertices {
		c.err = fmt.Errorf("more than %d vertices", MaxVertices)
		return geowarden.Keep
	}
	c.recs = append(c.recs, x)
	return geowarden.Keep
}

func (c *collector) Bad(err *format.ParseError) error { return err }

func (c *collector) Notice(n *format.Notice) {
	if n.Kind == "network-link" && c.err == nil {
		c.err = &format.ParseError{File: n.Ref.File, Line: n.Ref.Line, Offset: n.Ref.Offset,
			Err: fmt.Errorf("%s: the zones it links to would not be loaded; put them in the file", n.Message)}
	}
}

// flush makes a zone of the gathered feature.
func (c *collector) flush() error {
	if c.recs == nil {
		return nil
	}
	recs := c.recs
	c.recs = nil
	index := c.cur
	z := &zone.Zone{Set: c.set.ID, Class: "custom"}
	z.ID = c.attrs["id"]
	if z.ID == "" {
		z.ID = c.set.ID + "#" + strconv.Itoa(index)
	}
	fail := func(msg string, args ...any) error {
		return &format.ParseError{File: c.name, Line: c.line, Offset: -1,
			Err: fmt.Errorf("feature %d (id %q): %s", index, z.ID, fmt.Sprintf(msg, args...))}
	}
	z.Name = c.attrs["name"]
	if z.Name == "" {
		z.Name = z.ID
	}
	if v := c.attrs["class"]; v != "" {
		z.Class = v
	} else if v := c.attrs["zone_class"]; v != "" {
		z.Class = v
	}
	if v, ok := c.attrs["buffer_m"]; ok && strings.TrimSpace(v) != "" {
		b, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(b) || math.IsInf(b, 0) {
			return fail("buffer_m %q is not a number of metres", v)
		}
		z.BufferM = b
	}
	if err := setGeometry(z, recs); err != nil {
		return fail("%v", err)
	}
	if err := z.Validate(); err != nil {
		return fail("%v", err)
	}
	if len(c.set.Zones) >= MaxZones {
		return fmt.Errorf("more than %d zones", MaxZones)
	}
	c.set.Zones = append(c.set.Zones, z)
	return nil
}

// setGeometry maps a feature's records to the zone's geometry.
func setGeometry(z *zone.Zone, recs []rec) error {
	pointRecs := 0
	var polys [][][]geowarden.Point
	var pts []geowarden.Point
	var ls [][]geowarden.Point
	for _, r := range recs {
		switch r.shape {
		case geowarden.ShapePoint:
			pts = append(pts, r.pos)
			pointRecs++
		case geowarden.ShapeLine:
			ls = append(ls, r.lines...)
		case geowarden.ShapeArea:
			polys = append(polys, r.areas...)
			// A combined MultiGeometry: points are one-position lines.
			for _, l := range r.lines {
				if len(l) == 1 {
					pts = append(pts, l[0])
				} else {
					ls = append(ls, l)
				}
			}
		}
	}
	kinds := 0
	for _, n := range []int{len(polys), len(ls), len(pts)} {
		if n > 0 {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		return errors.New("no geometry")
	case kinds > 1:
		return fmt.Errorf("geometry mixes %d polygons, %d lines and %d points; a zone has one kind of geometry (split it into several Placemarks)", len(polys), len(ls), len(pts))
	case len(polys) > 0:
		z.Geometry, z.Polygons = zone.Area, polys
	case len(ls) > 0:
		z.Geometry, z.Lines = zone.Corridor, ls
	case pointRecs > 1:
		// Several point records in one feature: the points of a
		// gx:Track, one line through them.
		if len(pts) < 2 {
			z.Geometry, z.Points = zone.Circle, pts
		} else {
			z.Geometry, z.Lines = zone.Corridor, [][]geowarden.Point{pts}
		}
	default:
		z.Geometry, z.Points = zone.Circle, pts
	}
	return nil
}
