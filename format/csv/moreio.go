package csv

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// moreSrc is where a run of a row's other positions (Record.More) is
// written: a further pair (one position) or a geometry value (n
// vertices, rw.verts[v:v+n]).
type moreSrc struct {
	pair int // index in rw.pairs; -1 for a geometry value
	col  int
	kind geomKind
	lead int  // blanks before the geometry in the field's value
	up   bool // hex WKB written in upper case
	v, n int
}

// readMoreHeader finds the header's further pairs, geometry columns and
// free-text columns, after resolve found the roles' columns.
func (rw *rewriter) readMoreHeader() error {
	lat, lon := rw.col[format.RoleLat], rw.col[format.RoleLon]
	if (lat < 0) != (lon < 0) {
		return errNoPosition(rw.names, rw.col)
	}
	n := len(rw.names)
	used := make([]bool, n)
	if lat >= 0 {
		used[lat], used[lon] = true, true
	}
	pairs, err := findPairs(rw.names, lat, lon, used)
	if err != nil {
		return err
	}
	rw.pairs, rw.mainPair = pairs, -1
	role := make([]bool, n)
	for _, c := range rw.col {
		if c >= 0 {
			role[c] = true
		}
	}
	for i, name := range rw.names {
		if !used[i] && !role[i] && isGeometryName(name) {
			rw.geomCols = append(rw.geomCols, i)
			used[i] = true
		}
	}
	if lat < 0 {
		if len(pairs) == 0 && len(rw.geomCols) == 0 {
			return errNoPosition(rw.names, rw.col)
		}
		if len(pairs) > 0 {
			rw.mainPair = 0
		}
	}
	for i := range n {
		if !used[i] && i != rw.col[format.RoleTime] {
			rw.freeCols = append(rw.freeCols, i)
		}
	}
	return nil
}

// readMore reads the row's further pairs (the main pair into Pos when
// there are no lat and lon columns), its geometry values and the
// positions written in its other columns. bad is set when the row went
// to Handler.Bad; err is what Bad returned.
func (rw *rewriter) readMore(r *geowarden.Record) (bad bool, err error) {
	rw.more, rw.srcs, rw.verts = rw.more[:0], rw.srcs[:0], rw.verts[:0]
	rw.text, rw.textCol = rw.text[:0], rw.textCol[:0]
	for i, p := range rw.pairs {
		pt, ok, bad, err := rw.readPair(p)
		if bad {
			return true, err
		}
		if !ok {
			continue
		}
		if i == rw.mainPair {
			r.Shape, r.Pos = geowarden.ShapePoint, pt
			continue
		}
		rw.srcs = append(rw.srcs, moreSrc{pair: i, col: p.lat})
		rw.more = append(rw.more, pt)
	}
	for _, c := range rw.geomCols {
		v := rw.field(c)
		t := trimBlank(v)
		if len(t) == 0 {
			continue
		}
		k := sniffGeom(t)
		if k == geomNone {
			return true, rw.bad(c, fmt.Errorf("csv: column %q: value %q is not WKT, EWKT or hex WKB", rw.names[c], clip(t)))
		}
		if err := rw.readGeom(c, k, v, t); err != nil {
			return true, rw.bad(c, fmt.Errorf("csv: column %q: %w", rw.names[c], err))
		}
	}
	for _, c := range rw.freeCols {
		v := rw.field(c)
		if !mayHoldPosition(v) {
			continue
		}
		t := trimBlank(v)
		if k := sniffGeom(t); k != geomNone {
			err := rw.readGeom(c, k, v, t)
			if err == nil {
				continue
			}
			if errors.Is(err, errSRID) {
				return true, rw.bad(c, fmt.Errorf("csv: column %q: %w", rw.names[c], err))
			}
		}
		rw.scanText(c, v)
	}
	if len(rw.more) > 0 {
		r.More = rw.more
	}
	if len(rw.text) > 0 {
		r.Text = rw.text
	}
	return false, nil
}

// readGeom reads the geometry value t, trimmed from the field value v, of
// column c into rw.verts and rw.more. On error nothing is added.
func (rw *rewriter) readGeom(c int, k geomKind, v, t []byte) error {
	start := len(rw.verts)
	var err error
	if k == geomWKB {
		rw.verts, rw.wkb, err = parseHexWKB(t, rw.verts, rw.wkb)
	} else {
		rw.verts, err = parseWKT(t, rw.verts)
	}
	if err != nil {
		rw.verts = rw.verts[:start]
		return err
	}
	n := len(rw.verts) - start
	if n == 0 {
		return nil // EMPTY
	}
	lead := len(v) - len(bytes.TrimLeft(v, " \t"))
	rw.srcs = append(rw.srcs, moreSrc{pair: -1, col: c, kind: k, lead: lead, up: bytes.ContainsAny(t, "ABCDEF"), v: start, n: n})
	for _, vx := range rw.verts[start:] {
		rw.more = append(rw.more, vx.p)
	}
	return nil
}

// readPair reads one further pair. ok is false when both fields are
// empty; bad is set when the row went to Handler.Bad (err is what it
// returned).
func (rw *rewriter) readPair(p pair) (pt geowarden.Point, ok, bad bool, err error) {
	lat, lon := trimBlank(rw.field(p.lat)), trimBlank(rw.field(p.lon))
	switch {
	case len(lat) == 0 && len(lon) == 0:
		return pt, false, false, nil
	case len(lat) == 0:
		return pt, false, true, rw.bad(p.lat, fmt.Errorf("%w: column %q is empty, column %q is %q",
			ErrHalfPosition, rw.names[p.lat], rw.names[p.lon], lon))
	case len(lon) == 0:
		return pt, false, true, rw.bad(p.lon, fmt.Errorf("%w: column %q is empty, column %q is %q",
			ErrHalfPosition, rw.names[p.lon], rw.names[p.lat], lat))
	}
	y, _, yok := parseFloat(lat, rw.comma && !p.e7)
	x, _, xok := parseFloat(lon, rw.comma && !p.e7)
	switch {
	case !yok:
		return pt, false, true, rw.bad(p.lat, fmt.Errorf("csv: column %q: value %q is not a number: %w", rw.names[p.lat], lat, format.ErrNaN))
	case !xok:
		return pt, false, true, rw.bad(p.lon, fmt.Errorf("csv: column %q: value %q is not a number: %w", rw.names[p.lon], lon, format.ErrNaN))
	}
	if p.e7 {
		x, y = x*1e-7, y*1e-7
	}
	if err := format.CheckPoint(x, y); err != nil {
		c := p.lon
		if y != y || y < -90 || y > 90 {
			c = p.lat
		}
		return pt, false, true, rw.bad(c, fmt.Errorf("csv: column %q: %w", rw.names[c], err))
	}
	return geowarden.Point{Lon: x, Lat: y}, true, false, nil
}

// movePair writes pt into pair i's fields in the style of their values.
func (rw *rewriter) movePair(i int, pt geowarden.Point) error {
	if err := format.CheckPoint(pt.Lon, pt.Lat); err != nil {
		return fmt.Errorf("csv: %s:%d: edit moves a position to an invalid place: %w", rw.name, rw.sp.recLine, err)
	}
	p := rw.pairs[i]
	rw.tmp = appendStyled(rw.tmp[:0], pt.Lat, rw.field(p.lat), p.e7, false)
	rw.replace(p.lat, rw.tmp)
	rw.tmp = appendStyled(rw.tmp[:0], pt.Lon, rw.field(p.lon), p.e7, false)
	rw.replace(p.lon, rw.tmp)
	return nil
}

// moveMore writes an edit's More (as many as the record's, in order) into
// the fields they were read from.
func (rw *rewriter) moveMore(more []geowarden.Point) error {
	if len(more) != len(rw.rec.More) {
		return fmt.Errorf("csv: %s:%d: edit gives %d other positions, the record has %d", rw.name, rw.sp.recLine, len(more), len(rw.rec.More))
	}
	k := 0
	for _, s := range rw.srcs {
		if s.pair >= 0 {
			if more[k] != rw.rec.More[k] {
				if err := rw.movePair(s.pair, more[k]); err != nil {
					return err
				}
			}
			k++
			continue
		}
		if err := rw.moveGeom(s, more[k:k+s.n]); err != nil {
			return err
		}
		k += s.n
	}
	return nil
}

// moveGeom rewrites the vertices of a geometry value in place: WKT numbers
// in the style of the ones they replace, WKB doubles in their byte order.
func (rw *rewriter) moveGeom(s moreSrc, pts []geowarden.Point) error {
	v := rw.field(s.col)
	out := rw.gbuf[:0]
	at := 0
	for j, vx := range rw.verts[s.v : s.v+s.n] {
		np := pts[j]
		if np == vx.p {
			continue
		}
		if err := format.CheckPoint(np.Lon, np.Lat); err != nil {
			return fmt.Errorf("csv: %s:%d: edit moves a vertex of column %q to an invalid place: %w", rw.name, rw.sp.recLine, rw.names[s.col], err)
		}
		for _, f := range [2]struct {
			s, e int
			v    float64
		}{{vx.xs, vx.xe, np.Lon}, {vx.ys, vx.ye, np.Lat}} {
			a, b := s.lead+f.s, s.lead+f.e
			out = append(out, v[at:a]...)
			if s.kind == geomWKB {
				out = appendHexDouble(out, f.v, vx.be, s.up)
			} else {
				out = appendStyled(out, f.v, v[a:b], false, false)
			}
			at = b
		}
	}
	if at == 0 {
		return nil
	}
	out = append(out, v[at:]...)
	rw.gbuf = out
	rw.replace(s.col, out)
	return nil
}
