package csv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// This file reads the geometry values of a row: WKT, EWKT and hex WKB
// (ISO and PostGIS EWKB). It keeps, for every vertex, where its numbers
// are in the field's text, so that an edit rewrites them in place.

// maxGeomDepth caps the nesting of geometry collections.
const maxGeomDepth = 8

// wgs84 is the one SRID a geometry value may name.
const wgs84 = 4326

// errSRID: a geometry names a spatial reference other than WGS 84.
var errSRID = errors.New("csv: geometry is not in WGS 84 (SRID 4326)")

// vertex is one position of a geometry value and where its longitude (x)
// and latitude (y) are written in the field: for WKT the spans of the two
// numbers, for hex WKB the offsets of the two 16-digit doubles.
type vertex struct {
	p              geowarden.Point
	xs, xe, ys, ye int
	be             bool // WKB: big endian
}

// geomKind says how a geometry value is written.
type geomKind uint8

const (
	geomNone geomKind = iota
	geomWKT           // WKT or EWKT
	geomWKB           // hex WKB or EWKB
)

// sniffGeom says whether v (a field's decoded value) is written as WKT or
// hex WKB, by its first bytes; it does not parse it.
func sniffGeom(v []byte) geomKind {
	v = trimBlank(v)
	if len(v) == 0 {
		return geomNone
	}
	if isHex(v) {
		if len(v) >= 42 && len(v)%2 == 0 && (v[0] == '0') && (v[1] == '0' || v[1] == '1') {
			return geomWKB
		}
		return geomNone
	}
	kw := v
	if n := srid(v); n > 0 {
		kw = trimBlank(v[n:])
	}
	i := 0
	for i < len(kw) && isLetter(kw[i]) {
		i++
	}
	if _, _, ok := wktType(kw[:i]); !ok {
		return geomNone
	}
	// Then '(' or EMPTY, perhaps after Z, M or ZM.
	rest := bytes.TrimLeft(kw[i:], " \t")
	j := 0
	for j < len(rest) && isLetter(rest[j]) {
		j++
	}
	switch string(upper(rest[:j])) {
	case "EMPTY":
		return geomWKT
	case "Z", "M", "ZM":
		rest = bytes.TrimLeft(rest[j:], " \t")
	case "":
	default:
		return geomNone
	}
	if len(rest) > 0 && rest[0] == '(' || bytes.HasPrefix(upper(rest), []byte("EMPTY")) {
		return geomWKT
	}
	return geomNone
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isHex(v []byte) bool {
	for _, c := range v {
		if !(c-'0' < 10 || c|0x20 >= 'a' && c|0x20 <= 'f') {
			return false
		}
	}
	return true
}

// srid returns the length of a leading "SRID=n;" (any case), or 0.
func srid(v []byte) int {
	if len(v) < 6 || string(upper(v[:5])) != "SRID=" {
		return 0
	}
	i := 5
	for i < len(v) && v[i] != ';' {
		i++
	}
	if i == len(v) {
		return 0
	}
	return i + 1
}

func upper(b []byte) []byte {
	var u [16]byte
	n := copy(u[:], b)
	for i := range n {
		if u[i] >= 'a' && u[i] <= 'z' {
			u[i] -= 32
		}
	}
	return u[:n]
}

// WKT geometry types and how deep their coordinate lists nest.
const (
	wktCollection = -1
)

// wktType returns the depth of a WKT type's lists of coordinates (POINT
// and LINESTRING 1, POLYGON 2, MULTIPOLYGON 3; MULTIPOINT 1 or 2, flex)
// and wktCollection for GEOMETRYCOLLECTION. A Z, M or ZM suffix written
// against the keyword (POINTZ) is allowed.
func wktType(kw []byte) (depth int, flex, ok bool) {
	if len(kw) == 0 || len(kw) > 24 {
		return 0, false, false
	}
	var u [24]byte
	n := copy(u[:], kw)
	for i := range n {
		u[i] &^= 0x20
	}
	s := string(u[:n])
	for _, suf := range []string{"", "ZM", "Z", "M"} {
		if len(s) <= len(suf) || s[len(s)-len(suf):] != suf {
			continue
		}
		switch s[:len(s)-len(suf)] {
		case "POINT", "LINESTRING":
			return 1, false, true
		case "POLYGON", "MULTILINESTRING", "TRIANGLE":
			return 2, false, true
		case "MULTIPOINT":
			return 1, true, true
		case "MULTIPOLYGON", "POLYHEDRALSURFACE", "TIN":
			return 3, false, true
		case "GEOMETRYCOLLECTION":
			return wktCollection, false, true
		}
	}
	return 0, false, false
}

// wktParser reads one WKT or EWKT value.
type wktParser struct {
	b     []byte
	i     int
	verts []vertex
}

func (p *wktParser) errf(format string, a ...any) error {
	return fmt.Errorf("csv: WKT at byte %d: %s", p.i, fmt.Sprintf(format, a...))
}

func (p *wktParser) blanks() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\r' || p.b[p.i] == '\n') {
		p.i++
	}
}

func (p *wktParser) word() []byte {
	p.blanks()
	s := p.i
	for p.i < len(p.b) && isLetter(p.b[p.i]) {
		p.i++
	}
	return p.b[s:p.i]
}

// parseWKT appends the vertices of the WKT or EWKT value v to dst.
func parseWKT(v []byte, dst []vertex) ([]vertex, error) {
	p := &wktParser{b: v, verts: dst}
	p.blanks()
	if n := srid(v[p.i:]); n > 0 {
		s, err := strconv.Atoi(string(trimBlank(v[p.i+5 : p.i+n-1])))
		if err != nil {
			return dst, p.errf("SRID %q is not a number", v[p.i+5:p.i+n-1])
		}
		if s != wgs84 {
			return dst, fmt.Errorf("%w: SRID=%d", errSRID, s)
		}
		p.i += n
	}
	if err := p.geometry(0); err != nil {
		return dst, err
	}
	p.blanks()
	if p.i != len(p.b) {
		return dst, p.errf("unexpected %q after the geometry", clip(p.b[p.i:]))
	}
	return p.verts, nil
}

func clip(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}

// geometry reads a tagged geometry: type, optional Z/M/ZM, EMPTY or its
// lists.
func (p *wktParser) geometry(level int) error {
	if level > maxGeomDepth {
		return p.errf("geometry collections nest deeper than %d", maxGeomDepth)
	}
	kw := p.word()
	depth, flex, ok := wktType(kw)
	if !ok {
		if len(kw) == 0 {
			return p.errf("no geometry type")
		}
		return p.errf("unknown geometry type %q", kw)
	}
	save := p.i
	switch d := string(upper(p.word())); d {
	case "Z", "M", "ZM":
	case "EMPTY":
		return nil
	default:
		p.i = save
	}
	save = p.i
	if string(upper(p.word())) == "EMPTY" {
		return nil
	}
	p.i = save
	p.blanks()
	if p.i >= len(p.b) || p.b[p.i] != '(' {
		return p.errf("want '(' after %s", kw)
	}
	if depth == wktCollection {
		p.i++
		for {
			if err := p.geometry(level + 1); err != nil {
				return err
			}
			p.blanks()
			if p.i < len(p.b) && p.b[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.b) && p.b[p.i] == ')' {
				p.i++
				return nil
			}
			return p.errf("want ',' or ')' in GEOMETRYCOLLECTION")
		}
	}
	if flex {
		// MULTIPOINT((1 2),(3 4)) or MULTIPOINT(1 2, 3 4).
		j := p.i + 1
		for j < len(p.b) && (p.b[j] == ' ' || p.b[j] == '\t') {
			j++
		}
		if j < len(p.b) && (p.b[j] == '(' || isLetter(p.b[j])) {
			depth = 2
		}
	}
	single := depth == 1 && string(upper(kw[:min(len(kw), 5)])) == "POINT" && !flex
	return p.list(depth, single)
}

// list reads '(' items ')' where items are tuples (depth 1) or lists of
// depth-1, separated by commas; a nested item may be EMPTY.
func (p *wktParser) list(depth int, single bool) error {
	p.blanks()
	if p.i >= len(p.b) || p.b[p.i] != '(' {
		return p.errf("want '('")
	}
	p.i++
	for n := 0; ; n++ {
		if depth == 1 {
			if err := p.tuple(); err != nil {
				return err
			}
		} else {
			save := p.i
			if string(upper(p.word())) != "EMPTY" {
				p.i = save
				if err := p.list(depth-1, false); err != nil {
					return err
				}
			}
		}
		p.blanks()
		if p.i < len(p.b) && p.b[p.i] == ',' && !single {
			p.i++
			continue
		}
		if p.i < len(p.b) && p.b[p.i] == ')' {
			p.i++
			return nil
		}
		return p.errf("want ',' or ')'")
	}
}

// tuple reads 2 to 4 numbers separated by blanks: x y [z [m]].
func (p *wktParser) tuple() error {
	var vx vertex
	var x, y float64
	for k := 0; k < 4; k++ {
		p.blanks()
		s := p.i
		for p.i < len(p.b) && (p.b[p.i]-'0' < 10 || p.b[p.i] == '.' || p.b[p.i] == '-' || p.b[p.i] == '+' || p.b[p.i]|0x20 == 'e') {
			p.i++
		}
		if s == p.i {
			if k < 2 {
				return p.errf("want a number")
			}
			break
		}
		f, err := strconv.ParseFloat(string(p.b[s:p.i]), 64)
		if err != nil {
			p.i = s
			return p.errf("%q is not a number", clip(p.b[s:min(len(p.b), s+24)]))
		}
		switch k {
		case 0:
			x, vx.xs, vx.xe = f, s, p.i
		case 1:
			y, vx.ys, vx.ye = f, s, p.i
		}
		if p.i < len(p.b) && p.b[p.i] != ' ' && p.b[p.i] != '\t' {
			break
		}
	}
	if vx.ye == 0 {
		return p.errf("want two numbers")
	}
	if err := format.CheckPoint(x, y); err != nil {
		return fmt.Errorf("csv: WKT vertex %s %s: %w", p.b[vx.xs:vx.xe], p.b[vx.ys:vx.ye], err)
	}
	vx.p = geowarden.Point{Lon: x, Lat: y}
	p.verts = append(p.verts, vx)
	return nil
}

// parseHexWKB appends the vertices of the hex WKB or EWKB value v (hex
// digits of either case) to dst; buf is scratch for the decoded bytes.
func parseHexWKB(v []byte, dst []vertex, buf []byte) ([]vertex, []byte, error) {
	if len(v)%2 != 0 {
		return dst, buf, errors.New("csv: WKB: odd number of hex digits")
	}
	buf = buf[:0]
	for i := 0; i < len(v); i += 2 {
		buf = append(buf, unhex(v[i])<<4|unhex(v[i+1]))
	}
	w := &wkbParser{b: buf, verts: dst}
	if err := w.geometry(0, 0); err != nil {
		return dst, buf, err
	}
	if w.i != len(buf) {
		return dst, buf, fmt.Errorf("csv: WKB: %d bytes after the geometry", len(buf)-w.i)
	}
	return w.verts, buf, nil
}

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

type wkbParser struct {
	b     []byte
	i     int
	verts []vertex
}

func (w *wkbParser) errf(format string, a ...any) error {
	return fmt.Errorf("csv: WKB at byte %d: %s", w.i, fmt.Sprintf(format, a...))
}

func (w *wkbParser) u32(be bool) (uint32, bool) {
	if len(w.b)-w.i < 4 {
		return 0, false
	}
	b := w.b[w.i : w.i+4]
	w.i += 4
	if be {
		return binary.BigEndian.Uint32(b), true
	}
	return binary.LittleEndian.Uint32(b), true
}

// geometry reads one WKB geometry; want is the base type a collection's
// member must have (0 for any).
func (w *wkbParser) geometry(level int, want uint32) error {
	if level > maxGeomDepth {
		return w.errf("collections nest deeper than %d", maxGeomDepth)
	}
	if w.i >= len(w.b) || w.b[w.i] > 1 {
		return w.errf("byte order is not 0 or 1")
	}
	be := w.b[w.i] == 0
	w.i++
	t, ok := w.u32(be)
	if !ok {
		return w.errf("truncated type")
	}
	dims := 2
	if t&0x80000000 != 0 { // EWKB Z
		dims++
	}
	if t&0x40000000 != 0 { // EWKB M
		dims++
	}
	hasSRID := t&0x20000000 != 0
	t &= 0x0FFFFFFF
	switch t / 1000 {
	case 1, 2:
		dims++
	case 3:
		dims += 2
	case 0:
	default:
		return w.errf("unknown geometry type %d", t)
	}
	base := t % 1000
	if base < 1 || base > 7 || dims > 4 || want != 0 && base != want {
		return w.errf("unknown or unexpected geometry type %d", t)
	}
	if hasSRID {
		if level > 0 {
			return w.errf("SRID inside a collection")
		}
		s, ok := w.u32(be)
		if !ok {
			return w.errf("truncated SRID")
		}
		if s != wgs84 && s != 0 {
			return fmt.Errorf("%w: SRID=%d", errSRID, s)
		}
	}
	size := 8 * dims
	switch base {
	case 1: // point
		return w.points(1, size, be, true)
	case 2: // linestring
		n, ok := w.u32(be)
		if !ok {
			return w.errf("truncated count")
		}
		return w.points(n, size, be, false)
	case 3: // polygon
		rings, ok := w.u32(be)
		if !ok {
			return w.errf("truncated count")
		}
		if uint64(rings)*4 > uint64(len(w.b)-w.i) {
			return w.errf("%d rings do not fit", rings)
		}
		for range rings {
			n, ok := w.u32(be)
			if !ok {
				return w.errf("truncated count")
			}
			if err := w.points(n, size, be, false); err != nil {
				return err
			}
		}
		return nil
	}
	n, ok := w.u32(be)
	if !ok {
		return w.errf("truncated count")
	}
	if uint64(n)*9 > uint64(len(w.b)-w.i) {
		return w.errf("%d members do not fit", n)
	}
	member := uint32(0) // any, for a collection
	if base <= 6 {
		member = base - 3 // multipoint 4 -> 1, multilinestring 5 -> 2, multipolygon 6 -> 3
	}
	for range n {
		if err := w.geometry(level+1, member); err != nil {
			return err
		}
	}
	return nil
}

// points reads n points of size bytes each; an empty point (NaN
// coordinates) is allowed where one is alone.
func (w *wkbParser) points(n uint32, size int, be, alone bool) error {
	if uint64(n)*uint64(size) > uint64(len(w.b)-w.i) {
		return w.errf("%d points do not fit", n)
	}
	for range n {
		var x, y uint64
		if be {
			x, y = binary.BigEndian.Uint64(w.b[w.i:]), binary.BigEndian.Uint64(w.b[w.i+8:])
		} else {
			x, y = binary.LittleEndian.Uint64(w.b[w.i:]), binary.LittleEndian.Uint64(w.b[w.i+8:])
		}
		fx, fy := math.Float64frombits(x), math.Float64frombits(y)
		vx := vertex{p: geowarden.Point{Lon: fx, Lat: fy}, xs: 2 * w.i, xe: 2*w.i + 16, ys: 2*w.i + 16, ye: 2*w.i + 32, be: be}
		w.i += size
		if alone && math.IsNaN(fx) && math.IsNaN(fy) {
			continue // POINT EMPTY
		}
		if err := format.CheckPoint(fx, fy); err != nil {
			return fmt.Errorf("csv: WKB vertex %v %v: %w", fx, fy, err)
		}
		w.verts = append(w.verts, vx)
	}
	return nil
}

// appendHexDouble appends v as 16 hex digits in the byte order be, upper
// case when up.
func appendHexDouble(dst []byte, v float64, be, up bool) []byte {
	var b [8]byte
	if be {
		binary.BigEndian.PutUint64(b[:], math.Float64bits(v))
	} else {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
	}
	digits := "0123456789abcdef"
	if up {
		digits = "0123456789ABCDEF"
	}
	for _, c := range b {
		dst = append(dst, digits[c>>4], digits[c&15])
	}
	return dst
}
