package geojson

import (
	"fmt"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// gtype is a geometry type.
type gtype uint8

const (
	gNone gtype = iota // null geometry, or empty "coordinates"
	gPoint
	gMultiPoint
	gLineString
	gMultiLineString
	gPolygon
	gMultiPolygon
	gCollection
)

var gtypeNames = [...]string{"null", "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"}

func geomType(name []byte) (gtype, bool) {
	switch string(name) {
	case "Point":
		return gPoint, true
	case "MultiPoint":
		return gMultiPoint, true
	case "LineString":
		return gLineString, true
	case "MultiLineString":
		return gMultiLineString, true
	case "Polygon":
		return gPolygon, true
	case "MultiPolygon":
		return gMultiPolygon, true
	case "GeometryCollection":
		return gCollection, true
	}
	return gNone, false
}

// maxCollectionNesting caps how deeply GeometryCollections may nest.
const maxCollectionNesting = 8

// objKind is what a record's top object is.
type objKind uint8

const (
	kFeature objKind = iota + 1
	kGeometry
	kCollection
)

// Members that GeoJSON gives a meaning to.
const (
	iType = iota
	iID
	iGeometry
	iProperties
	iBBox
	iCRS
	iCoordinates
	iGeometries
	iFeatures
	nKnown
)

var knownNames = [nKnown]string{"type", "id", "geometry", "properties", "bbox", "crs", "coordinates", "geometries", "features"}

func knownIndex(name []byte) int {
	switch string(name) {
	case "type":
		return iType
	case "id":
		return iID
	case "geometry":
		return iGeometry
	case "properties":
		return iProperties
	case "bbox":
		return iBBox
	case "crs":
		return iCRS
	case "coordinates":
		return iCoordinates
	case "geometries":
		return iGeometries
	case "features":
		return iFeatures
	}
	return -1
}

// foldedKnown returns the index of the known member name that name equals
// but for case, or -1. A "Geometry" member is read as the geometry by some
// case-insensitive decoders and ignored by others; geowarden refuses it.
func foldedKnown(name []byte) int {
	if len(name) < 2 || len(name) > 11 {
		return -1
	}
	for k, n := range knownNames {
		if equalFold(name, n) {
			return k
		}
	}
	return -1
}

// objInfo locates the known members of an object.
type objInfo struct {
	has uint16
	key [nKnown]int  // index of the member's key
	val [nKnown]span // its value
}

func (o *objInfo) ok(k int) bool { return o.has&(1<<k) != 0 }

// badErr is a problem in one record, at raw[at].
type badErr struct {
	at    int
	kind  error
	msg   string
	cause error
	top   bool // the record's own type is wrong or missing
}

// ptInfo locates one position in the raw record.
type ptInfo struct {
	arr    span // the position array
	n0, n1 span // its first two numbers
	n      int  // how many numbers it has
	alt    float64
}

// decoder reads one record (a Feature or a bare geometry) from its raw
// bytes, which the reader has checked to be valid JSON. Its buffers are
// reused from record to record.
type decoder struct {
	raw   []byte
	key   []byte // scratch for unescaped member names
	pkeys []byte // unescaped property names
	val   []byte // scratch for unescaped property values
	lower []byte // scratch for lower-cased names

	kind  objKind
	root  objInfo
	gt    gtype
	gval  span    // the geometry object; for a bare geometry, all of raw
	gobj  objInfo // its members
	props span    // the properties object; s == e when absent or null

	pts   []geowarden.Point
	pinfo []ptInfo // positions of a Point or MultiPoint
	lines []span   // into pts
	rings []span   // into pts
	polys []span   // into rings

	pm   []prop // properties members
	tmp  []member
	tmp2 []member

	// What the properties say.
	set      uint32 // roles found, 1<<role
	time     time.Time
	timeProp int // index in pm of the time property, -1 when none
	timeStr  bool
	source   string
	sig      geowarden.Signal
	acc, alt float64

	// Positions outside the geometry (Record.More) and where they are
	// written, and positions in text (Record.Text) with their strings.
	spots []spot
	more  []geowarden.Point
	text  []geowarden.TextPos
	tspan []span
	path  []byte   // the member path being walked, for TextPos.Field
	pair  []byte   // scratch for a pair written as text
	known *objInfo // the known members of the object extras walks
}

// prop is a properties member with where its decoded name lies: in raw,
// or (esc) in names.
type prop struct {
	member
	name span
	esc  bool
}

func (d *decoder) reset(raw []byte) {
	d.raw = raw
	d.kind = 0
	d.gt = gNone
	d.gval = span{}
	d.props = span{}
	d.pts = d.pts[:0]
	d.pinfo = d.pinfo[:0]
	d.lines = d.lines[:0]
	d.rings = d.rings[:0]
	d.polys = d.polys[:0]
	d.pm = d.pm[:0]
	d.key = d.key[:0]
	d.pkeys = d.pkeys[:0]
	d.set = 0
	d.time = time.Time{}
	d.timeProp = -1
	d.timeStr = false
	d.source = ""
	d.sig = geowarden.Signal{}
	d.acc, d.alt = 0, 0
	d.spots = d.spots[:0]
	d.more = d.more[:0]
	d.text = d.text[:0]
	d.tspan = d.tspan[:0]
}

func (d *decoder) bad(at int, format string, args ...any) *badErr {
	return &badErr{at: at, kind: ErrInvalid, msg: fmt.Sprintf(format, args...)}
}

// name returns the decoded content of the string at s (valid until the
// next call).
func (d *decoder) name(s span) []byte {
	c := d.raw[s.s+1 : s.e-1]
	if !hasEscape(c) {
		return c
	}
	d.key = unquote(d.key[:0], d.raw[s.s:s.e])
	return d.key
}

// objInfo fills o with the known members of the object at raw[open]. A
// known member given twice, or spelled in another case, is an error.
func (d *decoder) objInfo(open int, o *objInfo) *badErr {
	*o = objInfo{}
	b := d.raw
	i := skipWS(b, open+1)
	if b[i] == '}' {
		return nil
	}
	for {
		ke := stringEnd(b, i)
		vs := skipWS(b, skipWS(b, ke)+1)
		ve := valueEnd(b, vs)
		name := d.name(span{i, ke})
		if k := knownIndex(name); k >= 0 {
			if o.ok(k) {
				return d.bad(i, "duplicate member %q", knownNames[k])
			}
			o.has |= 1 << k
			o.key[k] = i
			o.val[k] = span{vs, ve}
		} else if k := foldedKnown(name); k >= 0 {
			return d.bad(i, "member %q differs from %q only in case", name, knownNames[k])
		}
		i = skipWS(b, ve)
		if b[i] == '}' {
			return nil
		}
		i = skipWS(b, i+1)
	}
}

// decode reads the record in raw. inFC: it is an element of a
// FeatureCollection's "features", so it must be a Feature.
func (d *decoder) decode(raw []byte, inFC bool, rt *roleTable) (objKind, *badErr) {
	d.reset(raw)
	if raw[0] != '{' {
		b := d.bad(0, "expected a Feature object, found %s", valueKind(raw[0]))
		b.top = true
		return 0, b
	}
	if b := d.objInfo(0, &d.root); b != nil {
		return 0, b
	}
	o := &d.root
	if !o.ok(iType) {
		return 0, &badErr{at: 0, kind: ErrInvalid, msg: `object has no "type" member`, top: true}
	}
	tv := o.val[iType]
	if raw[tv.s] != '"' {
		return 0, &badErr{at: tv.s, kind: ErrInvalid, msg: `"type" must be a string, found ` + valueKind(raw[tv.s]), top: true}
	}
	t := d.name(tv)
	if string(t) == "Feature" {
		d.kind = kFeature
		if b := d.feature(rt); b != nil {
			return kFeature, b
		}
		d.staleBBox(&d.root)
		if d.gval.e > d.gval.s {
			d.staleBBox(&d.gobj)
			d.extras(d.gval.s, skipGeometry, "geometry", &d.gobj)
		}
		d.extras(0, skipFeature, "", &d.root)
		return kFeature, nil
	}
	if inFC {
		return 0, d.bad(tv.s, "\"features\" must hold Feature objects, found type %q", t)
	}
	if string(t) == "FeatureCollection" {
		return kCollection, nil
	}
	gt, ok := geomType(t)
	if !ok {
		return 0, &badErr{at: tv.s, kind: ErrInvalid, msg: fmt.Sprintf("unknown type %q (types are case-sensitive)", t), top: true}
	}
	d.kind = kGeometry
	d.gval, d.gobj = span{0, len(raw)}, *o
	if b := d.geometry(0, o, gt, 0); b != nil {
		return kGeometry, b
	}
	d.staleBBox(o)
	d.extras(0, skipGeometry, "", o)
	return kGeometry, nil
}

func (d *decoder) feature(rt *roleTable) *badErr {
	o := &d.root
	raw := d.raw
	for _, k := range [...]int{iCoordinates, iGeometries, iFeatures} {
		if o.ok(k) {
			return d.bad(o.key[k], "a Feature must not have a %q member", knownNames[k])
		}
	}
	if o.ok(iID) {
		if c := raw[o.val[iID].s]; c != '"' && !isNumberStart(c) {
			return d.bad(o.val[iID].s, `feature "id" must be a string or a number, found %s`, valueKind(c))
		}
	}
	if b := d.checkBBox(o); b != nil {
		return b
	}
	if b := d.checkCRS(o); b != nil {
		return b
	}
	if o.ok(iGeometry) {
		v := o.val[iGeometry]
		switch raw[v.s] {
		case 'n':
		case '{':
			var g objInfo
			if b := d.objInfo(v.s, &g); b != nil {
				return b
			}
			t, b := d.geomTypeOf(v.s, &g)
			if b != nil {
				return b
			}
			d.gval, d.gobj = v, g
			if b := d.geometry(v.s, &g, t, 0); b != nil {
				return b
			}
		default:
			return d.bad(v.s, `"geometry" must be an object or null, found %s`, valueKind(raw[v.s]))
		}
	}
	if o.ok(iProperties) {
		v := o.val[iProperties]
		switch raw[v.s] {
		case 'n':
		case '{':
			d.props = v
			d.properties(rt)
		default:
			return d.bad(v.s, `"properties" must be an object or null, found %s`, valueKind(raw[v.s]))
		}
	}
	return nil
}

// geomTypeOf reads the type of the geometry object at raw[open].
func (d *decoder) geomTypeOf(open int, g *objInfo) (gtype, *badErr) {
	if !g.ok(iType) {
		return gNone, d.bad(open, `geometry has no "type" member`)
	}
	tv := g.val[iType]
	if d.raw[tv.s] != '"' {
		return gNone, d.bad(tv.s, `geometry "type" must be a string, found %s`, valueKind(d.raw[tv.s]))
	}
	t := d.name(tv)
	gt, ok := geomType(t)
	if !ok {
		return gNone, d.bad(tv.s, "unknown geometry type %q (types are case-sensitive)", t)
	}
	return gt, nil
}

// geometry reads the geometry object at raw[open], whose members are g. main:
// it is the record's geometry rather than a member of a GeometryCollection.
// Vertices go into pts and lines, rings and polys; the positions of a main
// Point or MultiPoint also into pinfo.
func (d *decoder) geometry(open int, g *objInfo, gt gtype, level int) *badErr {
	main := level == 0
	raw := d.raw
	for _, k := range [...]int{iFeatures, iGeometry, iProperties} {
		if g.ok(k) {
			return d.bad(g.key[k], "a geometry must not have a %q member", knownNames[k])
		}
	}
	if b := d.checkBBox(g); b != nil {
		return b
	}
	if b := d.checkCRS(g); b != nil {
		return b
	}
	name := gtypeNames[gt]
	if gt == gCollection {
		if g.ok(iCoordinates) {
			return d.bad(g.key[iCoordinates], `a GeometryCollection must not have a "coordinates" member`)
		}
		if !g.ok(iGeometries) {
			return d.bad(open, `GeometryCollection has no "geometries" member`)
		}
		if level >= maxCollectionNesting {
			// Each level walks its members again: cap the cost.
			return d.bad(open, "GeometryCollections nested more than %d deep", maxCollectionNesting)
		}
		v := g.val[iGeometries]
		if raw[v.s] != '[' {
			return d.bad(v.s, `"geometries" must be an array, found %s`, valueKind(raw[v.s]))
		}
		for i := skipWS(raw, v.s+1); raw[i] != ']'; {
			if raw[i] != '{' {
				return d.bad(i, `"geometries" must hold geometry objects, found %s`, valueKind(raw[i]))
			}
			var c objInfo
			if b := d.objInfo(i, &c); b != nil {
				return b
			}
			ct, b := d.geomTypeOf(i, &c)
			if b != nil {
				return b
			}
			if b := d.geometry(i, &c, ct, level+1); b != nil {
				return b
			}
			i = skipWS(raw, valueEnd(raw, i))
			if raw[i] == ',' {
				i = skipWS(raw, i+1)
			}
		}
		if main && len(d.pts) > 0 {
			d.gt = gCollection
		}
		return nil
	}
	if g.ok(iGeometries) {
		return d.bad(g.key[iGeometries], `a %s must not have a "geometries" member`, name)
	}
	if !g.ok(iCoordinates) {
		return d.bad(open, `%s has no "coordinates" member`, name)
	}
	v := g.val[iCoordinates]
	if raw[v.s] != '[' {
		return d.bad(v.s, `"coordinates" must be an array, found %s`, valueKind(raw[v.s]))
	}
	if raw[skipWS(raw, v.s+1)] == ']' {
		return nil // empty geometry (RFC 7946 3.1): no position
	}
	var b *badErr
	switch gt {
	case gPoint:
		_, b = d.point(v.s, main)
	case gMultiPoint:
		b = d.each(v.s, "positions", func(i int) (int, *badErr) { return d.point(i, main) })
	case gLineString:
		_, b = d.line(v.s)
	case gMultiLineString:
		b = d.each(v.s, "lines", d.line)
	case gPolygon:
		_, b = d.polygon(v.s)
	case gMultiPolygon:
		b = d.each(v.s, "polygons", d.polygon)
	}
	if b == nil && main {
		d.gt = gt
	}
	return b
}

// each calls f for every element of the array at raw[open]; f returns the
// index just past the element.
func (d *decoder) each(open int, what string, f func(int) (int, *badErr)) *badErr {
	raw := d.raw
	if raw[open] != '[' {
		return d.bad(open, "expected an array of %s, found %s", what, valueKind(raw[open]))
	}
	for i := skipWS(raw, open+1); raw[i] != ']'; {
		e, b := f(i)
		if b != nil {
			return b
		}
		i = skipWS(raw, e)
		if raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
	}
	return nil
}

// point reads a position. A main one is kept in pinfo; one inside a
// GeometryCollection becomes a one-point line.
func (d *decoder) point(i int, main bool) (int, *badErr) {
	p, pi, b := d.position(i)
	if b != nil {
		return 0, b
	}
	d.pts = append(d.pts, p)
	if main {
		d.pinfo = append(d.pinfo, pi)
	} else {
		d.lines = append(d.lines, span{len(d.pts) - 1, len(d.pts)})
	}
	return pi.arr.e, nil
}

func (d *decoder) position(i int) (geowarden.Point, ptInfo, *badErr) {
	raw := d.raw
	var pi ptInfo
	if raw[i] != '[' {
		return geowarden.Point{}, pi, d.bad(i, "expected a position (an array of numbers), found %s", valueKind(raw[i]))
	}
	var v [3]float64
	n := 0
	j := skipWS(raw, i+1)
	for raw[j] != ']' {
		if !isNumberStart(raw[j]) {
			return geowarden.Point{}, pi, d.bad(j, "position element must be a number, found %s", valueKind(raw[j]))
		}
		e := valueEnd(raw, j)
		switch n {
		case 0:
			pi.n0 = span{j, e}
		case 1:
			pi.n1 = span{j, e}
		}
		if n < 3 {
			v[n] = parseNumber(raw[j:e])
		}
		n++
		j = skipWS(raw, e)
		if raw[j] == ',' {
			j = skipWS(raw, j+1)
		}
	}
	pi.arr = span{i, j + 1}
	pi.n = n
	if n < 2 {
		return geowarden.Point{}, pi, d.bad(i, "position must have at least 2 numbers, found %d", n)
	}
	p := geowarden.Point{Lon: v[0], Lat: v[1]}
	if err := format.CheckPoint(p.Lon, p.Lat); err != nil {
		return p, pi, &badErr{at: i, kind: ErrInvalid, cause: err}
	}
	if n >= 3 {
		pi.alt = v[2]
		if pi.alt > 1e308 || pi.alt < -1e308 {
			return p, pi, &badErr{at: i, kind: ErrInvalid, cause: fmt.Errorf("%w: altitude %v", format.ErrNaN, pi.alt)}
		}
	}
	return p, pi, nil
}

// positions reads an array of positions into pts, keeping the first and
// last for the ring test; it returns the index just past the array.
func (d *decoder) positions(open int, what string) (span, ptInfo, ptInfo, int, *badErr) {
	raw := d.raw
	start := len(d.pts)
	var first, last ptInfo
	if raw[open] != '[' {
		return span{}, first, last, 0, d.bad(open, "expected %s (an array of positions), found %s", what, valueKind(raw[open]))
	}
	i := skipWS(raw, open+1)
	for raw[i] != ']' {
		p, pi, b := d.position(i)
		if b != nil {
			return span{}, first, last, 0, b
		}
		if len(d.pts) == start {
			first = pi
		}
		last = pi
		d.pts = append(d.pts, p)
		i = skipWS(raw, pi.arr.e)
		if raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
	}
	return span{start, len(d.pts)}, first, last, i + 1, nil
}

func (d *decoder) line(i int) (int, *badErr) {
	s, _, _, e, b := d.positions(i, "a line")
	if b != nil {
		return 0, b
	}
	if n := s.e - s.s; n < 2 {
		return 0, d.bad(i, "a line must have at least 2 positions, found %d", n)
	}
	d.lines = append(d.lines, s)
	return e, nil
}

func (d *decoder) polygon(open int) (int, *badErr) {
	raw := d.raw
	if raw[open] != '[' {
		return 0, d.bad(open, "expected a polygon (an array of linear rings), found %s", valueKind(raw[open]))
	}
	start := len(d.rings)
	i := skipWS(raw, open+1)
	for raw[i] != ']' {
		s, first, last, e, b := d.positions(i, "a linear ring")
		if b != nil {
			return 0, b
		}
		if n := s.e - s.s; n < 4 {
			return 0, d.bad(i, "a linear ring must have at least 4 positions, found %d", n)
		}
		if d.pts[s.s] != d.pts[s.e-1] || first.n != last.n || first.alt != last.alt {
			return 0, d.bad(i, "linear ring is not closed: its first and last positions differ")
		}
		d.rings = append(d.rings, s)
		i = skipWS(raw, e)
		if raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
	}
	if len(d.rings) == start {
		return 0, d.bad(open, "a polygon must have at least one linear ring")
	}
	d.polys = append(d.polys, span{start, len(d.rings)})
	return i + 1, nil
}

func (d *decoder) checkBBox(o *objInfo) *badErr {
	if !o.ok(iBBox) {
		return nil
	}
	raw := d.raw
	v := o.val[iBBox]
	if raw[v.s] != '[' {
		return d.bad(v.s, `"bbox" must be an array of numbers, found %s`, valueKind(raw[v.s]))
	}
	n := 0
	for i := skipWS(raw, v.s+1); raw[i] != ']'; {
		if !isNumberStart(raw[i]) {
			return d.bad(i, `"bbox" must hold only numbers, found %s`, valueKind(raw[i]))
		}
		n++
		i = skipWS(raw, valueEnd(raw, i))
		if raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
	}
	if n < 4 || n%2 != 0 {
		return d.bad(v.s, `"bbox" must have 4 or 6 numbers, found %d`, n)
	}
	return nil
}

// wgs84Names are the "crs" names that mean WGS-84 longitude, latitude.
var wgs84Names = []string{
	"urn:ogc:def:crs:OGC:1.3:CRS84",
	"urn:ogc:def:crs:OGC::CRS84",
	"http://www.opengis.net/def/crs/OGC/1.3/CRS84",
	"OGC:CRS84",
	"urn:ogc:def:crs:EPSG::4326",
	"EPSG:4326",
}

// checkCRS refuses a "crs" member (GeoJSON 2008) unless it names WGS-84.
func (d *decoder) checkCRS(o *objInfo) *badErr {
	if !o.ok(iCRS) {
		return nil
	}
	v := o.val[iCRS]
	if msg := crsProblem(d.raw[v.s:v.e], &d.tmp); msg != "" {
		return &badErr{at: v.s, kind: ErrCRS, msg: msg}
	}
	return nil
}

// crsProblem returns why a "crs" value is refused, or "" when it names
// WGS-84 longitude/latitude.
func crsProblem(b []byte, scratch *[]member) string {
	var name []byte
	if b[0] == '{' {
		ms, _ := members(b, 0, (*scratch)[:0])
		*scratch = ms
		var typ, props []byte
		for _, m := range ms {
			switch string(b[m.key.s+1 : m.key.e-1]) {
			case "type":
				typ = b[m.val.s:m.val.e]
			case "properties":
				props = b[m.val.s:m.val.e]
			}
		}
		if string(typ) == `"name"` && len(props) > 0 && props[0] == '{' {
			ps, _ := members(props, 0, (*scratch)[:0])
			*scratch = ps
			for _, m := range ps {
				if string(props[m.key.s+1:m.key.e-1]) == "name" && props[m.val.s] == '"' {
					name = unquote(nil, props[m.val.s:m.val.e])
				}
			}
		}
	}
	for _, n := range wgs84Names {
		if name != nil && strings.EqualFold(string(name), n) {
			return ""
		}
	}
	shown := string(b)
	if len(shown) > 120 {
		shown = shown[:120] + "..."
	}
	return fmt.Sprintf("\"crs\" %s is not WGS-84 longitude/latitude (%s); reproject the input first", shown, wgs84Names[0])
}

// equalFold reports whether b and s are equal under Unicode case folding.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		// Non-ASCII folding can change lengths.
		for _, c := range b {
			if c >= 0x80 {
				return strings.EqualFold(string(b), s)
			}
		}
		for i := range len(s) {
			if s[i] >= 0x80 {
				return strings.EqualFold(string(b), s)
			}
		}
		return false
	}
	for i, c := range b {
		t := s[i]
		if c|t >= 0x80 {
			return strings.EqualFold(string(b), s)
		}
		if c == t {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= t && t <= 'Z' {
			t += 'a' - 'A'
		}
		if c != t {
			return false
		}
	}
	return true
}
