package kml

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// geomKind is how a feature's geometry becomes records.
type geomKind uint8

const (
	gNone   geomKind = iota // no geometry: one ShapeNone record
	gPoint                  // Point, Model, PhotoOverlay's Point: one point record
	gLine                   // LineString, LinearRing, a MultiGeometry of lines: one line record
	gArea                   // Polygon, GroundOverlay box, MultiGeometry: one area record
	gTracks                 // gx:Track, gx:MultiTrack: one point record per gx:coord
)

// track is a gx:Track (or KML 2.3 Track) of a feature.
type track struct {
	node, multi      int32 // the Track; its MultiTrack or -1
	whens, coords    span  // into recState.idx
	angles           span
	tuples           span // into recState.tup
	arrFrom, arrTo   int  // its array values: attrs.entries[arrFrom:arrTo]
	ordFrom, ordTo   int  // the same, longest first: recState.aord[ordFrom:ordTo]
	firstRec, nRecs  int  // its records in recState.pts
	kept, moved, any bool
}

type span struct{ at, n int32 }

// ptEdit is the edit of one track point.
type ptEdit struct {
	drop, move, retime bool
	empty              bool  // an empty gx:coord: no record
	timeNode           int32 // retime: the element the time was read from
	pos                geowarden.Point
	t                  time.Time
}

// recState is the scratch state of reading one feature.
type recState struct {
	rec   geowarden.Record
	attrs attrs

	kind      geomKind
	geom      int32 // the geometry element (Point, Model, LineString, MultiGeometry, ...)
	coordNode int32 // gPoint: <coordinates> of a Point; -1 for a Model
	tmpl      int32 // gLine: the first LineString/LinearRing, the pattern of written lines
	pointTup  tuple
	lineTups  []tuple // gLine: the positions as read
	aord      []int32 // gTracks: array entries per track, longest first
	geoms     []int32 // scratch: the geometry elements of a feature
	tup       []tuple // gTracks: the gx:coord positions
	idx       []int32 // gTracks: node lists
	tracks    []track
	pts       []ptEdit
	times     []time.Time
	timeNode  int32 // where the record's time was read from; -1 when none
	timeSpan  int32 // the TimeSpan whose begin gave the time, -1 when none

	text []byte
	pidx []int32 // scratch of zones: point index + 1 of each element
	acts []action
	out  []byte
	repl []byte // arena of replacement bytes

	strip []string
	set   []geowarden.Attr

	more   []geowarden.Point   // the record's other positions: those of views
	views  []view              // LookAt, Camera, Region, ...
	texts  []geowarden.TextPos // positions written in text
	tnodes []int32             // the element of each of texts
	tbuf   []byte              // scratch: decoded text
	ranges [][3]int            // scratch: element, start, end to redact
	merged [][2]int            // scratch: the ranges of one element
	hview  []byte              // scratch: text read as HTML
	hat    []int32             // where each byte of hview comes from
	hend   []int32
	eview  []byte  // scratch: text with child elements, tags as blanks
	eat    []int32 // where each byte of eview comes from
	eend   []int32
}

// actKind is what the writer does to an element of an edited feature.
type actKind uint8

const (
	aNone    actKind = iota
	aRemove          // left out, with the white space before it
	aContent         // its content replaced by repl
	aElement         // the whole element replaced by repl
)

type action struct {
	kind      actKind
	replAt, n int32 // into recState.repl
}

// badFeature is a feature whose geometry cannot be read.
type badFeature struct {
	node int32
	at   int // offset in the node's content when plain, else -1
	err  *coordError
}

func (rw *rewriter) parseErr(b *badFeature, idx int) *format.ParseError {
	f := &rw.f
	n := &f.nodes[b.node]
	a := f.base + int64(n.start)
	if b.at >= 0 {
		a = f.base + int64(n.open) + int64(b.at)
	}
	line, col := rw.s.where(a)
	return &format.ParseError{File: rw.name, Line: line, Column: col, Offset: a,
		Err: &kmlError{kind: b.err.kind, msg: fmt.Sprintf("feature %d: %s", idx, b.err.msg)}}
}

// feature reads the captured feature in rw.f, calls the handler for its
// records and writes it back with their edits.
func (rw *rewriter) feature() error {
	f := &rw.f
	rs := &rw.rec
	root := int32(0)
	if c := f.nodes[root].code; c == cNetworkLink || isFileElement(c) {
		if c == cNetworkLink {
			rw.networkLink()
		}
		return rw.fileElements()
	}
	idx := rw.nFeat
	rw.nFeat++
	if err := rw.ctx.Err(); err != nil {
		return err
	}
	rs.attrs.collect(f, root, rw.latin1)
	rs.more, rs.views, rs.texts, rs.tnodes = rs.more[:0], rs.views[:0], rs.texts[:0], rs.tnodes[:0]
	bad := rw.geometry(root)
	if bad == nil {
		bad = rw.featureViews(root)
	}
	if bad != nil {
		if err := rw.h.Bad(rw.parseErr(bad, idx)); err != nil {
			return err
		}
		rw.reportHrefs(true)
		return nil
	}
	rw.featureTexts(root)
	drop, err := rw.records(idx)
	if err != nil {
		return err
	}
	rw.reportHrefs(drop)
	if !drop {
		rw.writeFeature()
	}
	return nil
}

// writeFeature writes the captured element with its actions: as it was
// when none changes it.
func (rw *rewriter) writeFeature() {
	f := &rw.f
	rs := &rw.rec
	if rw.w == nil {
		return
	}
	if !rw.edited() {
		rw.write(f.buf)
		return
	}
	rs.out = rs.render(rs.out[:0], f, 0, int32(len(f.buf)), 0)
	rw.write(rs.out)
}

// reportHrefs tells the KMZ codec the links of the feature.
func (rw *rewriter) reportHrefs(dropped bool) {
	if rw.hrefs == nil {
		return
	}
	f := &rw.f
	for i := range f.nodes {
		if f.nodes[i].code == cHref {
			rw.hrefs(decodeHref(f.content(int32(i)), rw.latin1), dropped)
		}
	}
}

// networkLink reports a NetworkLink, which is passed through unread.
func (rw *rewriter) networkLink() {
	f := &rw.f
	href := ""
	for _, l := range []code{cLink, cURL} {
		if k := f.child(0, l); k >= 0 {
			if h := f.child(k, cHref); h >= 0 {
				href = decodeHref(f.content(h), rw.latin1)
				break
			}
		}
	}
	name := ""
	if k := f.child(0, cName); k >= 0 {
		b, _ := text(nil, f.content(k), rw.latin1)
		name = string(trimSpaceBytes(b))
	}
	a := f.base + int64(f.lead)
	line, _ := rw.s.where(a)
	msg := fmt.Sprintf("NetworkLink %q loads %q, which geowarden does not follow or check", name, href)
	if href == "" {
		msg = fmt.Sprintf("NetworkLink %q has no link; it is passed through unchecked", name)
	}
	format.Notify(rw.h, &format.Notice{
		Ref:     geowarden.Ref{File: rw.name, Line: line, Offset: a, Feature: -1},
		Kind:    "network-link",
		Message: msg,
	})
}

func trimSpaceBytes(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && isSpace(b[i]) {
		i++
	}
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}

// geometry finds the geometry of feature root and reads its positions.
func (rw *rewriter) geometry(root int32) *badFeature {
	f := &rw.f
	rs := &rw.rec
	rs.kind, rs.geom, rs.coordNode, rs.tmpl = gNone, -1, -1, -1
	rs.lineTups, rs.tup, rs.idx, rs.tracks, rs.aord = rs.lineTups[:0], rs.tup[:0], rs.idx[:0], rs.tracks[:0], rs.aord[:0]
	rec := &rs.rec
	*rec = geowarden.Record{Lines: rec.Lines[:0], Areas: rec.Areas[:0]}
	for i := 1; i < len(f.nodes); i++ {
		n := &f.nodes[i]
		switch n.code {
		case cPlacemark, cGroundOverlay, cPhotoOverlay, cNetworkLink, cDocument, cFolder:
			return &badFeature{node: int32(i), at: -1, err: &coordError{kind: ErrInvalid, msg: "a feature inside a feature is not KML"}}
		case cLookAt, cCamera, cRegion, cLatLonBox, cLatLonQuad, cLatLonAltBox:
			// Views are read where KML puts them; one elsewhere (in a
			// description, in ExtendedData) would not be read.
			p := f.nodes[n.parent].code
			if n.parent != root && !(n.code == cLatLonAltBox && p == cRegion) {
				return &badFeature{node: int32(i), at: -1, err: &coordError{kind: ErrInvalid, msg: fmt.Sprintf("<%s> inside <%s> is not KML", truncate(f.qname(int32(i)), 40), truncate(f.qname(n.parent), 40))}}
			}
		}
	}
	geoms := rs.geoms[:0]
	defer func() { rs.geoms = geoms[:0] }()
	switch f.nodes[root].code {
	case cGroundOverlay:
		// Every LatLonBox and gx:LatLonQuad (one is valid KML), so that
		// none escapes.
		for k := f.nodes[root].first; k >= 0; k = f.nodes[k].next {
			var bad *badFeature
			switch f.nodes[k].code {
			case cLatLonBox:
				bad = rw.box(k)
			case cLatLonQuad:
				bad = rw.quad(k)
			}
			if bad != nil {
				return bad
			}
		}
		return nil
	case cPhotoOverlay:
		for k := f.nodes[root].first; k >= 0; k = f.nodes[k].next {
			if f.nodes[k].code == cPoint {
				geoms = append(geoms, k)
			}
		}
	case cPlacemark:
		for k := f.nodes[root].first; k >= 0; k = f.nodes[k].next {
			if isGeometry(f.nodes[k].code) {
				geoms = append(geoms, k)
			}
		}
	default: // a geometry outside any feature
		geoms = append(geoms, root)
	}
	if len(geoms) == 0 {
		return nil
	}
	if len(geoms) > 1 {
		// Not valid KML (one geometry per Placemark); read them all as one
		// combined record, so that none of them escapes.
		return rw.combined(geoms)
	}
	g := geoms[0]
	rs.geom = g
	switch f.nodes[g].code {
	case cPoint:
		return rw.point(g)
	case cModel:
		return rw.model(g)
	case cLineString, cLinearRing:
		return rw.line([]int32{g})
	case cPolygon:
		if bad := rw.polygon(g); bad != nil {
			return bad
		}
		if len(rs.rec.Areas) > 0 {
			rs.kind = gArea
		}
		return nil
	case cTrack:
		return rw.tracksOf(g, -1)
	case cMultiTrack:
		for k := f.nodes[g].first; k >= 0; k = f.nodes[k].next {
			if f.nodes[k].code == cTrack {
				if bad := rw.tracksOf(k, g); bad != nil {
					return bad
				}
			}
		}
		if len(rs.tracks) == 0 {
			rs.kind = gNone
		}
		return nil
	default: // MultiGeometry and GDAL's MultiPolygon, MultiLineString, MultiPoint
		var lines []int32
		if rw.onlyLines(g, &lines) && len(lines) > 0 {
			return rw.line(lines)
		}
		return rw.combined(geoms[:1])
	}
}

// onlyLines reports whether a multi-geometry holds only lines (at any
// nesting), appending them to lines.
func (rw *rewriter) onlyLines(g int32, lines *[]int32) bool {
	f := &rw.f
	for k := f.nodes[g].first; k >= 0; k = f.nodes[k].next {
		switch f.nodes[k].code {
		case cLineString, cLinearRing:
			*lines = append(*lines, k)
		case cMultiGeometry, cMultiPolygon, cMultiLineString, cMultiPoint:
			if !rw.onlyLines(k, lines) {
				return false
			}
		case cPoint, cPolygon, cTrack, cMultiTrack, cModel:
			return false
		}
	}
	return true
}

// coordsOf parses the <coordinates> of element g into dst.
func (rw *rewriter) coordsOf(dst []tuple, g int32) ([]tuple, int32, *badFeature) {
	f := &rw.f
	c := f.child(g, cCoordinates)
	if c < 0 {
		return dst, -1, nil
	}
	b := f.content(c)
	at := 0
	if !plain(b) || rw.latin1 {
		var elems bool
		rw.rec.text, elems = text(rw.rec.text[:0], b, false)
		if elems {
			return dst, c, &badFeature{node: c, at: -1, err: &coordError{kind: ErrInvalid, msg: "<coordinates> holds elements"}}
		}
		b, at = rw.rec.text, -1
	}
	from := len(dst)
	dst, err := parseCoords(dst, b)
	if at < 0 {
		for i := from; i < len(dst); i++ {
			if dst[i].alt != nil {
				dst[i].alt = append([]byte(nil), dst[i].alt...)
			}
		}
	}
	if err != nil {
		if at == 0 {
			at = err.at
		}
		return dst, c, &badFeature{node: c, at: at, err: err}
	}
	return dst, c, nil
}

// point reads a Point.
func (rw *rewriter) point(g int32) *badFeature {
	rs := &rw.rec
	tups, c, bad := rw.coordsOf(rs.lineTups[:0], g)
	rs.lineTups = tups
	if bad != nil {
		return bad
	}
	switch {
	case len(tups) == 0:
		return nil // no position: a ShapeNone record
	case len(tups) > 1:
		return &badFeature{node: c, at: -1, err: &coordError{kind: ErrInvalid, msg: fmt.Sprintf("a Point has %d positions (want 1)", len(tups))}}
	}
	rs.kind, rs.coordNode, rs.pointTup = gPoint, c, tups[0]
	rw.setPoint(&rs.rec, tups[0])
	return nil
}

func (rw *rewriter) setPoint(rec *geowarden.Record, t tuple) {
	rec.Shape, rec.Pos = geowarden.ShapePoint, t.p
	if t.alt != nil {
		if v, err := parseNumber(t.alt); err == nil {
			rec.Alt, rec.HasAlt = v, true
		}
	}
}

// model reads a Model's Location.
func (rw *rewriter) model(g int32) *badFeature {
	f := &rw.f
	rs := &rw.rec
	loc := f.child(g, cLocation)
	if loc < 0 {
		return nil
	}
	lon, lat := f.child(loc, cLongitude), f.child(loc, cLatitude)
	if lon < 0 || lat < 0 {
		return nil
	}
	var v [2]float64
	for i, k := range []int32{lon, lat} {
		x, bad := rw.number(k)
		if bad != nil {
			return bad
		}
		v[i] = x
	}
	if err := format.CheckPoint(v[0], v[1]); err != nil {
		return &badFeature{node: loc, at: -1, err: &coordError{kind: err, msg: err.Error()}}
	}
	rs.kind, rs.coordNode = gPoint, -1
	rs.pointTup = tuple{p: geowarden.Point{Lon: v[0], Lat: v[1]}}
	rw.setPoint(&rs.rec, rs.pointTup)
	return nil
}

// number reads the number in element k.
func (rw *rewriter) number(k int32) (float64, *badFeature) {
	raw := rw.f.content(k)
	b, elems := text(rw.rec.text[:0], raw, false)
	rw.rec.text = b
	if elems {
		return 0, &badFeature{node: k, at: -1, err: &coordError{kind: ErrInvalid, msg: "a number element holds elements"}}
	}
	x, err := parseNumber(b)
	if err != nil {
		at := -1
		if plain(raw) {
			at = err.at
		}
		return 0, &badFeature{node: k, at: at, err: err}
	}
	return x, nil
}

// line reads one or more LineStrings and LinearRings as one line record.
func (rw *rewriter) line(ls []int32) *badFeature {
	rs := &rw.rec
	rec := &rs.rec
	rs.lineTups = rs.lineTups[:0]
	for _, g := range ls {
		from := len(rs.lineTups)
		tups, _, bad := rw.coordsOf(rs.lineTups, g)
		rs.lineTups = tups
		if bad != nil {
			return bad
		}
		if len(tups) == from {
			continue
		}
		if rs.tmpl < 0 {
			rs.tmpl = g
		}
		l := make([]geowarden.Point, 0, max(2, len(tups)-from))
		for _, t := range tups[from:] {
			l = append(l, t.p)
		}
		if len(l) == 1 {
			l = append(l, l[0])
		}
		rec.Lines = append(rec.Lines, l)
	}
	if len(rec.Lines) == 0 {
		return nil
	}
	rs.kind = gLine
	rec.Shape, rec.Pos = geowarden.ShapeLine, rec.Lines[0][0]
	return nil
}

// polygon reads a Polygon into the record's Areas.
func (rw *rewriter) polygon(g int32) *badFeature {
	f := &rw.f
	rs := &rw.rec
	rec := &rs.rec
	var poly [][]geowarden.Point
	for k := f.nodes[g].first; k >= 0; k = f.nodes[k].next {
		c := f.nodes[k].code
		if c != cOuterBoundaryIs && c != cInnerBoundaryIs {
			continue
		}
		for r := f.nodes[k].first; r >= 0; r = f.nodes[r].next {
			if f.nodes[r].code != cLinearRing {
				continue
			}
			tups, cn, bad := rw.coordsOf(rs.tup[:0], r)
			rs.tup = tups
			if bad != nil {
				return bad
			}
			if len(tups) == 0 {
				continue
			}
			_ = cn
			ring := make([]geowarden.Point, 0, len(tups)+1)
			for _, t := range tups {
				ring = append(ring, t.p)
			}
			if ring[0] != ring[len(ring)-1] || len(ring) == 1 {
				ring = append(ring, ring[0])
			}
			if c == cOuterBoundaryIs && len(poly) > 0 {
				// A second outer ring: another polygon.
				rec.Areas = append(rec.Areas, poly)
				poly = nil
			}
			poly = append(poly, ring)
		}
	}
	rs.tup = rs.tup[:0]
	if len(poly) > 0 {
		rec.Areas = append(rec.Areas, poly)
	}
	if len(rec.Areas) > 0 {
		rec.Shape, rec.Pos = geowarden.ShapeArea, rec.Areas[0][0][0]
	}
	return nil
}

// combined reads geometries into one area record: polygons as Areas,
// lines, tracks and points (as one-point lines) as Lines.
func (rw *rewriter) combined(gs []int32) *badFeature {
	rs := &rw.rec
	rec := &rs.rec
	rs.kind = gArea
	for _, g := range gs {
		if bad := rw.collect(g, 0); bad != nil {
			return bad
		}
	}
	switch {
	case len(rec.Areas) > 0:
		rec.Pos = rec.Areas[0][0][0]
	case len(rec.Lines) > 0:
		rec.Pos = rec.Lines[0][0]
	default:
		rs.kind = gNone
		rec.Shape = geowarden.ShapeNone
		return nil
	}
	rec.Shape = geowarden.ShapeArea
	return nil
}

func (rw *rewriter) collect(g int32, depth int) *badFeature {
	f := &rw.f
	rs := &rw.rec
	rec := &rs.rec
	switch f.nodes[g].code {
	case cPoint, cLineString, cLinearRing:
		tups, _, bad := rw.coordsOf(rs.tup[:0], g)
		rs.tup = tups
		if bad != nil {
			return bad
		}
		if len(tups) > 0 {
			l := make([]geowarden.Point, 0, len(tups))
			for _, t := range tups {
				l = append(l, t.p)
			}
			rec.Lines = append(rec.Lines, l)
		}
	case cModel:
		save := *rec
		if bad := rw.model(g); bad != nil {
			return bad
		}
		p := rec.Pos
		ok := rs.kind == gPoint
		*rec = save
		rs.kind = gArea
		if ok {
			rec.Lines = append(rec.Lines, []geowarden.Point{p})
		}
	case cPolygon:
		bad := rw.polygon(g)
		rec.Shape = geowarden.ShapeNone
		return bad
	case cTrack:
		var l []geowarden.Point
		for k := f.nodes[g].first; k >= 0; k = f.nodes[k].next {
			if f.nodes[k].code != cCoord {
				continue
			}
			t, bad := rw.gxCoord(k)
			if bad != nil {
				return bad
			}
			if !t.empty {
				l = append(l, t.p)
			}
		}
		if len(l) > 0 {
			rec.Lines = append(rec.Lines, l)
		}
	case cMultiGeometry, cMultiPolygon, cMultiLineString, cMultiPoint, cMultiTrack:
		for k := f.nodes[g].first; k >= 0; k = f.nodes[k].next {
			if bad := rw.collect(k, depth+1); bad != nil {
				return bad
			}
		}
	}
	return nil
}

// gxCoord reads a gx:coord element.
func (rw *rewriter) gxCoord(k int32) (tuple, *badFeature) {
	b := rw.f.content(k)
	at := 0
	if !plain(b) || rw.latin1 {
		var elems bool
		rw.rec.text, elems = text(rw.rec.text[:0], b, false)
		if elems {
			return tuple{}, &badFeature{node: k, at: -1, err: &coordError{kind: ErrInvalid, msg: "gx:coord holds elements"}}
		}
		b, at = rw.rec.text, -1
	}
	t, err := parseGxCoord(b)
	if err != nil {
		if at == 0 {
			at = err.at
		}
		return t, &badFeature{node: k, at: at, err: err}
	}
	if at < 0 && t.alt != nil {
		t.alt = append([]byte(nil), t.alt...)
	}
	return t, nil
}

// tracksOf reads a gx:Track.
func (rw *rewriter) tracksOf(g, multi int32) *badFeature {
	f := &rw.f
	rs := &rw.rec
	tr := track{node: g, multi: multi}
	arrFrom := len(rs.attrs.entries)
	var whens, coords, angles []int32
	for k := f.nodes[g].first; k >= 0; k = f.nodes[k].next {
		switch f.nodes[k].code {
		case cWhen:
			whens = append(whens, k)
		case cCoord:
			coords = append(coords, k)
		case cAngles:
			angles = append(angles, k)
		case cExtendedData:
			rs.attrs.extended(k, g)
		}
	}
	tr.arrFrom, tr.arrTo = arrFrom, len(rs.attrs.entries)
	tr.ordFrom = len(rs.aord)
	for k := tr.arrFrom; k < tr.arrTo; k++ {
		rs.aord = append(rs.aord, int32(k))
	}
	tr.ordTo = len(rs.aord)
	ents := rs.attrs.entries
	slices.SortStableFunc(rs.aord[tr.ordFrom:tr.ordTo], func(a, b int32) int { return int(ents[b].valsN - ents[a].valsN) })
	put := func(l []int32) span {
		s := span{at: int32(len(rs.idx)), n: int32(len(l))}
		rs.idx = append(rs.idx, l...)
		return s
	}
	tr.whens, tr.coords, tr.angles = put(whens), put(coords), put(angles)
	tr.tuples.at = int32(len(rs.tup))
	for _, k := range coords {
		t, bad := rw.gxCoord(k)
		if bad != nil {
			return bad
		}
		rs.tup = append(rs.tup, t)
	}
	tr.tuples.n = int32(len(coords))
	rs.tracks = append(rs.tracks, tr)
	rs.kind = gTracks
	return nil
}

// box reads a GroundOverlay's LatLonBox as an area: the box, grown to hold
// it whole when it is rotated, split in two across the antimeridian.
func (rw *rewriter) box(k int32) *badFeature {
	f := &rw.f
	rs := &rw.rec
	var v [4]float64
	for i, c := range []code{cNorth, cSouth, cEast, cWest} {
		e := f.child(k, c)
		if e < 0 {
			return &badFeature{node: k, at: -1, err: &coordError{kind: ErrInvalid, msg: "a LatLonBox without north, south, east and west"}}
		}
		x, bad := rw.number(e)
		if bad != nil {
			return bad
		}
		v[i] = x
	}
	n, s, e, w := v[0], v[1], v[2], v[3]
	for _, p := range [][2]float64{{w, n}, {e, s}} {
		if err := format.CheckPoint(p[0], p[1]); err != nil {
			return &badFeature{node: k, at: -1, err: &coordError{kind: err, msg: err.Error()}}
		}
	}
	if n < s {
		n, s = s, n
	}
	if r := f.child(k, cRotation); r >= 0 {
		rot, bad := rw.number(r)
		if bad != nil {
			return bad
		}
		if rot != 0 {
			width := e - w
			if width < 0 {
				width += 360
			}
			hw, hh := width/2, (n-s)/2
			cx, cy := w+hw, s+hh
			sin, cos := math.Abs(math.Sin(rot*math.Pi/180)), math.Abs(math.Cos(rot*math.Pi/180))
			rw2, rh := hw*cos+hh*sin, hw*sin+hh*cos
			n, s = math.Min(90, cy+rh), math.Max(-90, cy-rh)
			if 2*rw2 >= 360 {
				w, e = -180, 180
			} else {
				w, e = cx-rw2, cx+rw2
				if w < -180 {
					w += 360
				}
				if e > 180 {
					e -= 360
				}
			}
		}
	}
	rec := &rs.rec
	if e < w {
		rec.Areas = append(rec.Areas, [][]geowarden.Point{boxRing(w, s, 180, n)}, [][]geowarden.Point{boxRing(-180, s, e, n)})
	} else {
		rec.Areas = append(rec.Areas, [][]geowarden.Point{boxRing(w, s, e, n)})
	}
	rs.kind = gArea
	rec.Shape, rec.Pos = geowarden.ShapeArea, rec.Areas[0][0][0]
	return nil
}

func boxRing(w, s, e, n float64) []geowarden.Point {
	return []geowarden.Point{{Lon: w, Lat: s}, {Lon: e, Lat: s}, {Lon: e, Lat: n}, {Lon: w, Lat: n}, {Lon: w, Lat: s}}
}

// quad reads a gx:LatLonQuad as an area.
func (rw *rewriter) quad(k int32) *badFeature {
	rs := &rw.rec
	tups, c, bad := rw.coordsOf(rs.tup[:0], k)
	rs.tup = tups
	if bad != nil {
		return bad
	}
	if len(tups) != 4 {
		n := k
		if c >= 0 {
			n = c
		}
		return &badFeature{node: n, at: -1, err: &coordError{kind: ErrInvalid, msg: fmt.Sprintf("gx:LatLonQuad has %d positions (want 4)", len(tups))}}
	}
	ring := make([]geowarden.Point, 0, 5)
	for _, t := range tups {
		ring = append(ring, t.p)
	}
	ring = append(ring, ring[0])
	rec := &rs.rec
	rec.Areas = append(rec.Areas, [][]geowarden.Point{ring})
	rs.kind = gArea
	rec.Shape, rec.Pos = geowarden.ShapeArea, rec.Areas[0][0][0]
	rs.tup = rs.tup[:0]
	return nil
}
