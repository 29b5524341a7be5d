package geojson

import (
	"fmt"
	"strconv"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// itemAct is what happens to one member of an object or element of an
// array when it is written again: kept as written, dropped, or its value
// replaced by val.
type itemAct struct {
	drop bool
	val  []byte
}

// splice appends the object or array b[open:close+1] to dst with acts
// applied to its items. The bytes between items are kept; a dropped item
// goes with the separator before it, or, when it is the first one written,
// with the separator after it, so the result is valid JSON in the same
// layout.
//
// Kept items get the replacements rp that lie inside them.
func splice(dst, b []byte, open, close int, items []member, acts []itemAct, rp []repl) []byte {
	dst = append(dst, b[open])
	if len(items) == 0 {
		dst = append(dst, b[open+1:close]...)
		return append(dst, b[close])
	}
	kept := 0
	for i, it := range items {
		a := acts[i]
		if a.drop {
			continue
		}
		if kept == 0 {
			dst = append(dst, b[open+1:items[0].key.s]...)
		} else {
			dst = append(dst, b[items[i-1].val.e:it.key.s]...)
		}
		kept++
		if a.val != nil {
			dst = append(dst, b[it.key.s:it.val.s]...)
			dst = append(dst, a.val...)
		} else {
			dst = appendRepl(dst, b, span{it.key.s, it.val.e}, rp)
		}
	}
	dst = append(dst, b[items[len(items)-1].val.e:close]...)
	return append(dst, b[close])
}

// editBufs are the buffers an edit is built in, reused between records.
type editBufs struct {
	out, geom, props, coords, arena []byte
	acts                            []itemAct
	items                           []member
}

// apply writes the current record with its edits (one per record the
// handler saw). It returns drop when the record goes away.
func (s *state) apply(edits []geowarden.Edit, idx int) (out []byte, drop bool, err error) {
	d := &s.d
	keep := true
	for i := range edits {
		if !edits[i].IsKeep() {
			keep = false
			break
		}
	}
	if keep {
		s.ext.addAll(d.pts)
		return d.raw, false, nil
	}
	eb := &s.eb
	if err := s.extraRepls(edits, idx); err != nil {
		return nil, false, err
	}

	// Geometry.
	var geom []byte
	switch d.gt {
	case gPoint:
		e := &edits[0]
		if e.Drop {
			return nil, true, nil
		}
		if e.Move && e.Pos != d.pts[0] {
			if err := checkMove(idx, e.Pos); err != nil {
				return nil, false, err
			}
			eb.coords = d.movedPos(eb.coords[:0], d.pinfo[0], e.Pos)
			geom = s.rewriteGeom(nil, eb.coords)
			s.ext.add(e.Pos)
			s.touched = true
		} else {
			s.ext.add(d.pts[0])
		}
	case gMultiPoint:
		geom, drop, err = s.multiPoint(edits, idx)
		if drop || err != nil {
			return nil, drop, err
		}
	case gLineString, gMultiLineString:
		e := &edits[0]
		if e.Drop {
			return nil, true, nil
		}
		if e.Move {
			n := 0
			for _, l := range e.Lines {
				if len(l) >= 2 {
					n++
				}
				for _, p := range l {
					if err := checkMove(idx, p); err != nil {
						return nil, false, err
					}
				}
			}
			if n == 0 {
				return nil, true, nil
			}
			typ := `"LineString"`
			if n > 1 {
				typ = `"MultiLineString"`
			}
			eb.coords = appendLines(eb.coords[:0], e.Lines, n > 1)
			geom = s.rewriteGeom([]byte(typ), eb.coords)
			for _, l := range e.Lines {
				if len(l) >= 2 {
					s.ext.addAll(l)
				}
			}
			s.touched = true
		} else {
			s.ext.addAll(d.pts)
		}
	default: // areas, collections, null geometry
		e := &edits[0]
		if e.Drop {
			return nil, true, nil
		}
		if e.Move && d.gt != gNone && len(e.More) == 0 {
			// A move of an area, which this codec cannot apply, would
			// leave the original coordinates in the output: fail
			// closed. (A move with More moves the other positions.)
			return nil, true, nil
		}
		s.ext.addAll(d.pts)
	}

	if geom == nil && (d.kind == kGeometry || s.noPropEdits(edits)) {
		if len(s.repls) == 0 {
			return d.raw, false, nil
		}
		eb.out = appendRepl(eb.out[:0], d.raw, span{0, len(d.raw)}, s.repls)
		return eb.out, false, nil
	}
	if d.kind == kGeometry {
		return geom, false, nil
	}

	// Properties.
	props := s.rewriteProps(edits)
	// The feature: new geometry and properties; a moved feature's "bbox"
	// would still tell where it was, so it goes.
	eb.items, _ = members(d.raw, 0, eb.items[:0])
	eb.acts = eb.acts[:0]
	for _, m := range eb.items {
		var a itemAct
		switch string(d.name(m.key)) {
		case "geometry":
			a.val = geom
		case "properties":
			a.val = props
		case "bbox":
			a.drop = geom != nil
		}
		eb.acts = append(eb.acts, a)
	}
	eb.out = splice(eb.out[:0], d.raw, 0, len(d.raw)-1, eb.items, eb.acts, s.repls)
	return eb.out, false, nil
}

// noPropEdits reports whether the edits leave the properties as they are
// (but for the replacements of s.repls).
func (s *state) noPropEdits(edits []geowarden.Edit) bool {
	for i := range edits {
		if e := &edits[i]; e.Retime || len(e.Strip) > 0 || len(e.Set) > 0 {
			return false
		}
	}
	return true
}

func checkMove(idx int, p geowarden.Point) error {
	if err := format.CheckPoint(p.Lon, p.Lat); err != nil {
		return fmt.Errorf("geojson: feature %d: edit moves it to an invalid position: %w", idx, err)
	}
	return nil
}

// movedPos appends the position pi with its first two numbers replaced.
func (d *decoder) movedPos(dst []byte, pi ptInfo, p geowarden.Point) []byte {
	raw := d.raw
	dst = append(dst, raw[pi.arr.s:pi.n0.s]...)
	dst = format.AppendCoord(dst, p.Lon)
	dst = append(dst, raw[pi.n0.e:pi.n1.s]...)
	dst = format.AppendCoord(dst, p.Lat)
	return append(dst, raw[pi.n1.e:pi.arr.e]...)
}

func appendLines(dst []byte, lines [][]geowarden.Point, multi bool) []byte {
	if multi {
		dst = append(dst, '[')
	}
	n := 0
	for _, l := range lines {
		if len(l) < 2 {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = append(dst, '[')
		for i, p := range l {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '[')
			dst = format.AppendCoord(dst, p.Lon)
			dst = append(dst, ',')
			dst = format.AppendCoord(dst, p.Lat)
			dst = append(dst, ']')
		}
		dst = append(dst, ']')
	}
	if multi {
		dst = append(dst, ']')
	}
	return dst
}

// multiPoint applies per-point edits to a MultiPoint: dropped points leave
// the coordinates, moved ones are replaced. All points dropped drops the
// feature.
func (s *state) multiPoint(edits []geowarden.Edit, idx int) ([]byte, bool, error) {
	d := &s.d
	eb := &s.eb
	type rng struct{ s, e int }
	var spans [64]rng
	moved := spans[:0]
	eb.arena = eb.arena[:0]
	kept, changed := 0, false
	for i := range edits {
		e := &edits[i]
		r := rng{-1, -1}
		switch {
		case e.Drop:
			changed = true
		case e.Move:
			if err := checkMove(idx, e.Pos); err != nil {
				return nil, false, err
			}
			r.s = len(eb.arena)
			eb.arena = d.movedPos(eb.arena, d.pinfo[i], e.Pos)
			r.e = len(eb.arena)
			changed = true
			kept++
		default:
			kept++
		}
		moved = append(moved, r)
	}
	if kept == 0 {
		return nil, true, nil
	}
	for i := range edits {
		switch e := &edits[i]; {
		case e.Drop:
		case e.Move:
			s.ext.add(e.Pos)
		default:
			s.ext.add(d.pts[i])
		}
	}
	if !changed {
		return nil, false, nil
	}
	s.touched = true
	eb.items = eb.items[:0]
	eb.acts = eb.acts[:0]
	for i, pi := range d.pinfo {
		eb.items = append(eb.items, member{span{pi.arr.s, pi.arr.s}, pi.arr})
		a := itemAct{drop: edits[i].Drop}
		if r := moved[i]; r.s >= 0 {
			a.val = eb.arena[r.s:r.e]
		}
		eb.acts = append(eb.acts, a)
	}
	c := d.gobj.val[iCoordinates]
	eb.coords = splice(eb.coords[:0], d.raw, c.s, c.e-1, eb.items, eb.acts, nil)
	return s.rewriteGeom(nil, eb.coords), false, nil
}

// rewriteGeom writes the geometry object with a new "type" (when typ is not
// nil) and "coordinates", and without its "bbox".
func (s *state) rewriteGeom(typ, coords []byte) []byte {
	d := &s.d
	eb := &s.eb
	var ms []member
	ms, _ = members(d.raw, d.gval.s, d.tmp[:0])
	d.tmp = ms
	acts := eb.acts[:0]
	for _, m := range ms {
		var a itemAct
		switch string(d.name(m.key)) {
		case "type":
			a.val = typ
		case "coordinates":
			a.val = coords
		case "bbox":
			a.drop = true
		}
		acts = append(acts, a)
	}
	eb.acts = acts
	eb.geom = splice(eb.geom[:0], d.raw, d.gval.s, d.gval.e-1, ms, acts, s.repls)
	return eb.geom
}

// rewriteProps applies the Strip, Set and Retime of the edits to the
// properties; nil when nothing changes.
func (s *state) rewriteProps(edits []geowarden.Edit) []byte {
	d := &s.d
	eb := &s.eb
	if d.props.e == 0 {
		return nil
	}
	var retime *time.Time
	touched := false
	for i := range edits {
		e := &edits[i]
		if e.Retime {
			retime = &e.Time
		}
		if e.Retime || len(e.Strip) > 0 || len(e.Set) > 0 {
			touched = true
		}
	}
	if !touched {
		return nil
	}
	eb.arena = eb.arena[:0]
	type rng struct{ s, e int }
	vals := make([]rng, len(d.pm))
	drops := make([]bool, len(d.pm))
	changed := false
	for k := range d.pm {
		vals[k] = rng{-1, -1}
		for i := range edits {
			e := &edits[i]
			for _, n := range e.Strip {
				if s.propIs(k, n) {
					drops[k] = true
				}
			}
			for _, a := range e.Set {
				if s.propIs(k, a.Name) {
					vals[k].s = len(eb.arena)
					eb.arena = appendQuote(eb.arena, a.Value)
					vals[k].e = len(eb.arena)
				}
			}
		}
		if retime != nil && k == d.timeProp && vals[k].s < 0 {
			vals[k].s = len(eb.arena)
			eb.arena = d.timeValue(eb.arena, k, *retime)
			vals[k].e = len(eb.arena)
		}
		if drops[k] || vals[k].s >= 0 {
			changed = true
		}
	}
	if !changed {
		return nil
	}
	eb.items = eb.items[:0]
	acts := make([]itemAct, len(d.pm))
	for k := range d.pm {
		eb.items = append(eb.items, d.pm[k].member)
		acts[k].drop = drops[k]
		if r := vals[k]; r.s >= 0 && !drops[k] {
			acts[k].val = eb.arena[r.s:r.e]
		}
	}
	eb.props = splice(eb.props[:0], d.raw, d.props.s, d.props.e-1, eb.items, acts, s.repls)
	return eb.props
}

// propIs reports whether property k is the attribute an edit names: a
// role name matches every property that may hold the role, any other name
// the property of that name, ignoring case.
func (s *state) propIs(k int, name string) bool {
	d := &s.d
	pn := d.propName(k)
	if r := roleByName(name); r != format.RoleNone && s.rt.edit.lookup(pn, &d.lower) == r {
		return true
	}
	return equalFold(pn, name)
}

// timeValue writes t as the new value of time property k, in the JSON type
// and style it had: a number or a numeric string as unix seconds, any other
// string as RFC 3339.
func (d *decoder) timeValue(dst []byte, k int, t time.Time) []byte {
	text, isStr := d.propText(k)
	_, numeric := parseFloat(text)
	var sec []byte
	if numeric {
		if t.Nanosecond() == 0 {
			sec = strconv.AppendInt(nil, t.Unix(), 10)
		} else {
			sec = strconv.AppendFloat(nil, float64(t.Unix())+float64(t.Nanosecond())/1e9, 'f', -1, 64)
		}
		if !isStr {
			return append(dst, sec...)
		}
		return appendQuote(dst, string(sec))
	}
	return appendQuote(dst, t.Format(time.RFC3339Nano))
}
