package kml

import (
	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// view is an element that says where to look rather than what is there:
// a LookAt, a Camera, a Region (its LatLonAltBox), and, outside a
// GroundOverlay, a LatLonBox or gx:LatLonQuad. Its positions are
// recState.more[at:at+n].
type view struct {
	node  int32 // the element
	code  code
	at, n int
	// LookAt, Camera: longitude, latitude. Boxes: north, south, east,
	// west. gx:LatLonQuad: coordinates. -1 when absent.
	parts [4]int32
}

// isView reports whether elements of code c are views.
func isView(c code) bool {
	return c == cLookAt || c == cCamera || c == cRegion
}

// isFeatureView reports whether a child of code c of a feature of code
// fc is one of its views: a LookAt, Camera or Region, and a box that is
// not a GroundOverlay's (whose boxes are its geometry).
func isFeatureView(c, fc code) bool {
	return isView(c) || fc != cGroundOverlay && (c == cLatLonBox || c == cLatLonQuad || c == cLatLonAltBox)
}

// featureViews reads the LookAt, Camera and Region of feature root into
// the record's other positions.
func (rw *rewriter) featureViews(root int32) *badFeature {
	f := &rw.f
	for k := f.nodes[root].first; k >= 0; k = f.nodes[k].next {
		if isFeatureView(f.nodes[k].code, f.nodes[root].code) {
			if bad := rw.readView(k); bad != nil {
				return bad
			}
		}
	}
	return nil
}

// readView appends the positions of view element k to recState.more and
// the view to recState.views. A LookAt or Camera is one position (its
// longitude and latitude; a missing one is 0, as KML says); a box (a
// Region's LatLonAltBox, a LatLonBox) is five: its south-west, south-east,
// north-east and north-west corners and its centre; a gx:LatLonQuad is its
// corners. An element without any of these adds nothing. A number that
// cannot be read, a position out of range, or a box without one of its
// four edges makes the feature bad.
func (rw *rewriter) readView(k int32) *badFeature {
	f := &rw.f
	rs := &rw.rec
	v := view{node: k, code: f.nodes[k].code, at: len(rs.more), parts: [4]int32{-1, -1, -1, -1}}
	switch v.code {
	case cLookAt, cCamera:
		var p [2]float64
		has := false
		for i, c := range []code{cLongitude, cLatitude} {
			e := f.child(k, c)
			x, ok, bad := rw.optNumber(e)
			if bad != nil {
				return bad
			}
			if ok {
				p[i], has, v.parts[i] = x, true, e
			}
		}
		if !has {
			return nil
		}
		if err := format.CheckPoint(p[0], p[1]); err != nil {
			return &badFeature{node: k, at: -1, err: &coordError{kind: err, msg: err.Error()}}
		}
		rs.more = append(rs.more, geowarden.Point{Lon: p[0], Lat: p[1]})
	case cRegion:
		b := f.child(k, cLatLonAltBox)
		if b < 0 {
			return nil
		}
		if bad := rw.readBox(&v, b); bad != nil {
			return bad
		}
	case cLatLonAltBox, cLatLonBox:
		if bad := rw.readBox(&v, k); bad != nil {
			return bad
		}
	case cLatLonQuad:
		tups, c, bad := rw.coordsOf(rs.tup[:0], k)
		rs.tup = tups
		if bad != nil {
			return bad
		}
		v.parts[0] = c
		for _, t := range tups {
			rs.more = append(rs.more, t.p)
		}
		rs.tup = rs.tup[:0]
	}
	v.n = len(rs.more) - v.at
	if v.n > 0 {
		rs.views = append(rs.views, v)
	}
	return nil
}

// readBox reads the edges of box element b (a LatLonAltBox or LatLonBox)
// into view v.
func (rw *rewriter) readBox(v *view, b int32) *badFeature {
	f := &rw.f
	rs := &rw.rec
	var e [4]float64 // north, south, east, west
	n := 0
	for i, c := range []code{cNorth, cSouth, cEast, cWest} {
		x, ok, bad := rw.optNumber(f.child(b, c))
		if bad != nil {
			return bad
		}
		if ok {
			e[i], v.parts[i] = x, f.child(b, c)
			n++
		}
	}
	switch n {
	case 0:
		return nil
	case 4:
	default:
		return &badFeature{node: b, at: -1, err: &coordError{kind: ErrInvalid, msg: "a box without north, south, east and west"}}
	}
	north, south, east, west := e[0], e[1], e[2], e[3]
	for _, p := range [][2]float64{{west, north}, {east, south}} {
		if err := format.CheckPoint(p[0], p[1]); err != nil {
			return &badFeature{node: b, at: -1, err: &coordError{kind: err, msg: err.Error()}}
		}
	}
	width := east - west
	if width < 0 {
		width += 360 // across the antimeridian
	}
	cx := west + width/2
	if cx > 180 {
		cx -= 360
	}
	rs.more = append(rs.more,
		geowarden.Point{Lon: west, Lat: south}, geowarden.Point{Lon: east, Lat: south},
		geowarden.Point{Lon: east, Lat: north}, geowarden.Point{Lon: west, Lat: north},
		geowarden.Point{Lon: cx, Lat: (north + south) / 2})
	return nil
}

// optNumber reads the number in element k: ok is false when k is -1 or
// holds only white space.
func (rw *rewriter) optNumber(k int32) (x float64, ok bool, bad *badFeature) {
	if k < 0 {
		return 0, false, nil
	}
	if b, _ := text(rw.rec.text[:0], rw.f.content(k), false); len(trimSpaceBytes(b)) == 0 {
		rw.rec.text = b
		return 0, false, nil
	}
	x, bad = rw.number(k)
	return x, bad == nil, bad
}

// moveView writes new positions into view v: pts holds as many as were
// read. A LookAt or Camera missing its longitude or latitude, where the
// new position cannot be written, is removed.
func (rw *rewriter) moveView(v *view, pts []geowarden.Point) {
	rs := &rw.rec
	switch v.code {
	case cLookAt, cCamera:
		if v.parts[0] < 0 || v.parts[1] < 0 {
			rw.remove(v.node)
			return
		}
		rs.out = appendNum(rs.out[:0], pts[0].Lon)
		rw.setAct(v.parts[0], aContent, rs.out)
		rs.out = appendNum(rs.out[:0], pts[0].Lat)
		rw.setAct(v.parts[1], aContent, rs.out)
	case cLatLonQuad:
		if v.parts[0] < 0 {
			rw.remove(v.node)
			return
		}
		lead, sep, trail := layout(rw.f.content(v.parts[0]))
		b := append(rs.out[:0], lead...)
		for i, p := range pts {
			if i > 0 {
				b = append(b, sep...)
			}
			b = appendTuple(b, p, nil)
		}
		b = append(b, trail...)
		rw.setAct(v.parts[0], aContent, b)
		rs.out = b
	default: // a box: its edges from the south-west and north-east corners
		sw, ne := pts[0], pts[2]
		for i, x := range []float64{ne.Lat, sw.Lat, ne.Lon, sw.Lon} {
			rs.out = appendNum(rs.out[:0], x)
			rw.setAct(v.parts[i], aContent, rs.out)
		}
	}
}

// viewHints deals with a feature's LookAt, Camera and Region when its
// geometry is edited: with the new positions of all of them (more, as
// many as were read), they are rewritten; else they are removed, as they
// would still show where the geometry was.
func (rw *rewriter) viewHints(more []geowarden.Point) {
	rs := &rw.rec
	if len(more) > 0 && len(more) == len(rs.more) {
		for i := range rs.views {
			v := &rs.views[i]
			rw.moveView(v, more[v.at:v.at+v.n])
		}
		return
	}
	f := &rw.f
	for k := f.nodes[0].first; k >= 0; k = f.nodes[k].next {
		if isFeatureView(f.nodes[k].code, f.nodes[0].code) {
			rw.remove(k)
		}
	}
}
