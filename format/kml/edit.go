package kml

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// records calls the handler for the records of the feature read by
// geometry and records their edits as actions. drop reports that the whole
// feature goes.
func (rw *rewriter) records(idx int) (drop bool, err error) {
	f := &rw.f
	rs := &rw.rec
	rec := &rs.rec
	rs.acts = slices.Grow(rs.acts[:0], len(f.nodes))[:len(f.nodes)]
	clear(rs.acts)
	rs.repl, rs.strip, rs.set, rs.pts = rs.repl[:0], rs.strip[:0], rs.set[:0], rs.pts[:0]
	rw.featureTime()
	a := f.base + int64(f.lead)
	line, _ := rw.s.where(a)
	rec.Ref = geowarden.Ref{File: rw.name, Line: line, Offset: a, Feature: idx}
	rec.Attrs = &rs.attrs
	rec.Kind = geowarden.KindFeature
	// The feature's own values, once for all its records.
	var seen [format.NumRoles]bool
	rs.attrs.timeVal = -1
	rs.attrs.fill(rec, rw.roles, 0, rs.attrs.nBase, &seen)
	base := *rec
	baseTimeVal := rs.attrs.timeVal
	if rs.kind != gTracks {
		setKind(rec)
		if rs.timeNode < 0 {
			rs.timeNode = rs.attrs.timeVal
		}
		if len(rs.more) > 0 {
			rec.More = rs.more
		}
		rec.Text = rs.texts
		ed := rw.h.Record(rec)
		switch {
		case ed.Drop:
			return true, nil
		case ed.Move && (rs.kind == gArea && len(ed.More) == 0 || rs.kind == gLine && len(ed.Lines) == 0):
			// A Move this codec cannot apply: drop rather than keep the
			// original coordinates.
			return true, nil
		}
		rw.union(&ed)
		if ed.Move {
			switch rs.kind {
			case gPoint:
				rw.movePoint(ed.Pos, ed.More)
			case gLine:
				rw.moveLine(ed.Lines, ed.More)
			default:
				if len(ed.More) > 0 {
					rw.viewHints(ed.More)
				}
			}
		}
		if ed.Retime {
			rw.retime(ed.Time)
		}
		rw.redact(0, ed.Redact)
		rw.attrEdits()
		return false, nil
	}
	fTime, fTimeNode := rec.Time, rs.timeNode
	ptFirst := len(rs.texts) // the placemark's text positions come first
	if len(rs.more) > 0 || len(rs.texts) > 0 {
		// The track's placemark: its LookAt, Camera and Region and the
		// positions in its text, as a record of its own before its
		// points.
		*rec = base
		rec.Shape, rec.Pos, rec.Lines, rec.Areas = geowarden.ShapeNone, geowarden.Point{}, rec.Lines[:0], rec.Areas[:0]
		rec.More, rec.Text = nil, rs.texts
		if len(rs.more) > 0 {
			rec.More = rs.more
		}
		setKind(rec)
		ed := rw.h.Record(rec)
		switch {
		case ed.Drop:
			rw.viewHints(nil)
		case ed.Move && len(ed.More) > 0:
			rw.viewHints(ed.More)
		}
		if !ed.Drop {
			rw.union(&ed)
			rw.redact(0, ed.Redact)
		}
	}
	for ti := range rs.tracks {
		tr := &rs.tracks[ti]
		tr.firstRec = len(rs.pts)
		whens := rs.idx[tr.whens.at : tr.whens.at+tr.whens.n]
		for i := 0; i < int(tr.coords.n); i++ {
			k := rs.idx[int(tr.coords.at)+i]
			t := rs.tup[int(tr.tuples.at)+i]
			if t.empty {
				rs.pts = append(rs.pts, ptEdit{empty: true})
				continue
			}
			*rec = geowarden.Record{Shape: geowarden.ShapePoint, Pos: t.p, Kind: geowarden.KindFix, Attrs: &rs.attrs, Lines: rec.Lines[:0], Areas: rec.Areas[:0],
				Source: base.Source, Signal: base.Signal, Accuracy: base.Accuracy, HasAccuracy: base.HasAccuracy}
			if t.alt != nil {
				if v, err := parseNumber(t.alt); err == nil {
					rec.Alt, rec.HasAlt = v, true
				}
			}
			timeNode := fTimeNode
			rec.Time = fTime
			if fTimeNode < 0 && baseTimeVal >= 0 {
				timeNode, rec.Time = baseTimeVal, base.Time
			}
			if i < len(whens) {
				timeNode = whens[i]
				rec.Time = time.Time{}
				if tm, ok := parseTime(rw.textOf(whens[i])); ok {
					rec.Time = tm
				}
			}
			ka := f.base + int64(f.nodes[k].start)
			kl, _ := rw.s.where(ka)
			rec.Ref = geowarden.Ref{File: rw.name, Line: kl, Offset: ka, Feature: idx}
			rs.attrs.track, rs.attrs.point = tr.node, i
			rs.attrs.arrs = rs.aord[tr.ordFrom:tr.ordTo]
			s := seen
			rs.attrs.fillPoint(rec, rw.roles, &s)
			setKind(rec)
			// The point's own text: its values of the track's arrays.
			rs.texts, rs.tnodes = rs.texts[:ptFirst], rs.tnodes[:ptFirst]
			rs.attrs.pointArrays(func(_ int32, e *entry) {
				rw.scanText(rs.attrs.vals[int(e.valsAt)+i], e.name)
			})
			if len(rs.texts) > ptFirst {
				rec.Text = rs.texts[ptFirst:]
			}
			ed := rw.h.Record(rec)
			pe := ptEdit{drop: ed.Drop}
			if !pe.drop {
				rw.redact(ptFirst, ed.Redact)
				if ed.Move {
					pe.move, pe.pos = true, ed.Pos
				}
				if ed.Retime && timeNode >= 0 {
					pe.retime, pe.t, pe.timeNode = true, ed.Time, timeNode
				}
				rw.union(&ed)
				rw.pointAttrEdits(&ed, tr, i)
				if slices.ContainsFunc(ed.Strip, func(n string) bool { return roleByName(n) == format.RoleTime }) {
					pe.retime = false // stripping wins
				}
			}
			rs.pts = append(rs.pts, pe)
		}
		tr.nRecs = len(rs.pts) - tr.firstRec
	}
	rw.attrEdits()
	return rw.trackEdits(), nil
}

// textOf returns the trimmed text of element k.
func (rw *rewriter) textOf(k int32) string {
	b, _ := text(rw.rec.text[:0], rw.f.content(k), rw.latin1)
	rw.rec.text = b
	return string(trimSpaceBytes(b))
}

// featureTime reads a feature's TimeStamp or TimeSpan.
func (rw *rewriter) featureTime() {
	f := &rw.f
	rs := &rw.rec
	rs.timeNode, rs.timeSpan = -1, -1
	if ts := f.child(0, cTimeStamp); ts >= 0 {
		if w := f.child(ts, cWhen); w >= 0 {
			rs.timeNode = w
		}
	} else if sp := f.child(0, cTimeSpan); sp >= 0 {
		w := f.child(sp, cBegin)
		if w < 0 {
			w = f.child(sp, cEnd)
		}
		if w >= 0 {
			rs.timeNode, rs.timeSpan = w, sp
		}
	}
	rs.rec.Time = time.Time{}
	if rs.timeNode >= 0 {
		if t, ok := parseTime(rw.textOf(rs.timeNode)); ok {
			rs.rec.Time = t
		}
	}
}

// union adds a record's Strip and Set to the feature's.
func (rw *rewriter) union(ed *geowarden.Edit) {
	rs := &rw.rec
	for _, n := range ed.Strip {
		if !slices.Contains(rs.strip, n) {
			rs.strip = append(rs.strip, n)
		}
	}
	for _, a := range ed.Set {
		if !slices.ContainsFunc(rs.set, func(b geowarden.Attr) bool { return b.Name == a.Name }) {
			rs.set = append(rs.set, a)
		}
	}
}

// edited reports whether any element of the feature is changed.
func (rw *rewriter) edited() bool {
	for _, a := range rw.rec.acts {
		if a.kind != aNone {
			return true
		}
	}
	return false
}

// setAct records what happens to element i; a removal is never undone.
func (rw *rewriter) setAct(i int32, k actKind, repl []byte) {
	rs := &rw.rec
	if rs.acts[i].kind == aRemove {
		return
	}
	f := &rw.f
	n := &f.nodes[i]
	if k == aContent && n.open == n.end {
		// An empty-element tag: write it as a start tag, content and end
		// tag.
		tag := f.startTag(i)
		q := f.qname(i)
		at := len(rs.repl)
		rs.repl = append(rs.repl, tag[:len(tag)-2]...)
		rs.repl = append(rs.repl, '>')
		rs.repl = append(rs.repl, repl...)
		rs.repl = append(rs.repl, "</"...)
		rs.repl = append(rs.repl, q...)
		rs.repl = append(rs.repl, '>')
		rs.acts[i] = action{kind: aElement, replAt: int32(at), n: int32(len(rs.repl) - at)}
		return
	}
	at := len(rs.repl)
	rs.repl = append(rs.repl, repl...)
	rs.acts[i] = action{kind: k, replAt: int32(at), n: int32(len(repl))}
}

func (rw *rewriter) remove(i int32) {
	if i >= 0 {
		rw.rec.acts[i] = action{kind: aRemove}
	}
}

// render appends the bytes [from, to) of the feature with the actions of
// nodes first... applied.
func (rs *recState) render(dst []byte, f *feature, from, to int32, first int32) []byte {
	cur := from
	for i := first; int(i) < len(f.nodes) && f.nodes[i].start < to; i++ {
		a := rs.acts[i]
		if a.kind == aNone {
			continue
		}
		n := &f.nodes[i]
		repl := rs.repl[a.replAt : a.replAt+a.n]
		switch a.kind {
		case aRemove:
			s := n.start
			for s > cur && isSpace(f.buf[s-1]) {
				s--
			}
			dst = append(dst, f.buf[cur:s]...)
			cur = n.end
		case aElement:
			dst = append(dst, f.buf[cur:n.start]...)
			dst = append(dst, repl...)
			cur = n.end
		case aContent:
			dst = append(dst, f.buf[cur:n.open]...)
			dst = append(dst, repl...)
			cur = n.close
		}
		j := i + 1
		for int(j) < len(f.nodes) && f.nodes[j].start < n.end {
			j++
		}
		i = j - 1
	}
	return append(dst, f.buf[cur:to]...)
}

// layout returns the white space around and between the tuples of raw
// coordinates text, to write new coordinates the same way.
func layout(raw []byte) (lead, sep, trail []byte) {
	sep = []byte{' '}
	if !plain(raw) {
		return nil, sep, nil
	}
	i := skipSpace(raw, 0)
	lead = raw[:i]
	j := len(raw)
	for j > i && isSpace(raw[j-1]) {
		j--
	}
	trail = raw[j:]
	for k := i; k < j; k++ {
		if !isSpace(raw[k]) {
			continue
		}
		e := skipSpace(raw, k)
		if raw[k-1] != ',' && e < j && raw[e] != ',' {
			if e-k <= 200 {
				sep = raw[k:e]
			}
			break
		}
		k = e
	}
	return lead, sep, trail
}

// movePoint writes a new position into a Point's coordinates (keeping the
// altitude as written) or a Model's Location.
func (rw *rewriter) movePoint(p geowarden.Point, more []geowarden.Point) {
	f := &rw.f
	rs := &rw.rec
	if rs.coordNode >= 0 {
		lead, _, trail := layout(f.content(rs.coordNode))
		b := append(rs.out[:0], lead...)
		b = appendTuple(b, p, rs.pointTup.alt)
		b = append(b, trail...)
		rw.setAct(rs.coordNode, aContent, b)
		rs.out = b
	} else if loc := f.child(rs.geom, cLocation); loc >= 0 {
		b := appendNum(rs.out[:0], p.Lon)
		rw.setAct(f.child(loc, cLongitude), aContent, b)
		b = appendNum(b[:0], p.Lat)
		rw.setAct(f.child(loc, cLatitude), aContent, b)
		rs.out = b
	}
	rw.viewHints(more)
}

// moveLine writes new lines: into the LineString's coordinates when one
// part remains, else as a MultiGeometry of LineStrings made after the
// first line of the geometry.
func (rw *rewriter) moveLine(lines [][]geowarden.Point, more []geowarden.Point) {
	f := &rw.f
	rs := &rw.rec
	alts := map[geowarden.Point][]byte{}
	for _, t := range rs.lineTups {
		if t.alt != nil {
			if _, ok := alts[t.p]; !ok {
				alts[t.p] = t.alt
			}
		}
	}
	tc := f.child(rs.tmpl, cCoordinates)
	lead, sep, trail := layout(f.content(tc))
	coords := func(dst []byte, l []geowarden.Point) []byte {
		dst = append(dst, lead...)
		for i, p := range l {
			if i > 0 {
				dst = append(dst, sep...)
			}
			dst = appendTuple(dst, p, alts[p])
		}
		return append(dst, trail...)
	}
	g := rs.geom
	gc := f.nodes[g].code
	if len(lines) == 1 && (gc == cLineString || gc == cLinearRing && lines[0][0] == lines[0][len(lines[0])-1] && len(lines[0]) >= 4) {
		b := coords(rs.out[:0], lines[0])
		rw.setAct(tc, aContent, b)
		rs.out = b
		rw.viewHints(more)
		return
	}
	q := f.qname(rs.tmpl)
	prefix := prefixOf(q)
	tag := f.startTag(rs.tmpl)
	tn := &f.nodes[rs.tmpl]
	cn := &f.nodes[tc]
	one := func(dst []byte, l []geowarden.Point) []byte {
		dst = append(dst, '<')
		dst = append(dst, prefix...)
		dst = append(dst, "LineString"...)
		dst = append(dst, tag[1+len(q):]...)
		dst = append(dst, f.buf[tn.open:cn.open]...)
		if cn.open == cn.end {
			// <coordinates/>: cannot be, a line was read from it.
			return dst
		}
		dst = coords(dst, l)
		dst = append(dst, f.buf[cn.close:tn.close]...)
		dst = append(dst, "</"...)
		dst = append(dst, prefix...)
		dst = append(dst, "LineString>"...)
		return dst
	}
	b := rs.out[:0]
	if len(lines) == 1 {
		b = one(b, lines[0])
	} else {
		b = append(b, '<')
		b = append(b, prefix...)
		b = append(b, "MultiGeometry>"...)
		for _, l := range lines {
			b = one(b, l)
		}
		b = append(b, "</"...)
		b = append(b, prefix...)
		b = append(b, "MultiGeometry>"...)
	}
	rw.setAct(g, aElement, b)
	rs.out = b
	rw.viewHints(more)
}

// retime writes a new time where the record's time was read from (both
// ends of a TimeSpan).
func (rw *rewriter) retime(t time.Time) {
	rs := &rw.rec
	if rs.timeNode < 0 {
		return
	}
	v := rw.timeText(rs.timeNode, t)
	rw.setAct(rs.timeNode, aContent, v)
	if rs.timeSpan >= 0 {
		f := &rw.f
		for _, c := range []code{cBegin, cEnd} {
			if k := f.child(rs.timeSpan, c); k >= 0 {
				rw.setAct(k, aContent, v)
			}
		}
	}
}

// timeText formats t for element k: unix seconds where k held a number,
// else RFC 3339 in UTC.
func (rw *rewriter) timeText(k int32, t time.Time) []byte {
	old := rw.textOf(k)
	if _, err := strconv.ParseFloat(old, 64); err == nil && len(old) > 4 {
		return strconv.AppendInt(nil, t.Unix(), 10)
	}
	return []byte(formatTime(t))
}

// attrEdits applies the feature's Strip and Set to its own attributes:
// child elements, ExtendedData, TimeStamp and TimeSpan.
func (rw *rewriter) attrEdits() {
	f := &rw.f
	rs := &rw.rec
	for _, name := range rs.strip {
		r := roleByName(name)
		if r == format.RoleTime {
			rw.remove(f.child(0, cTimeStamp))
			rw.remove(f.child(0, cTimeSpan))
		}
		for i := range rs.attrs.entries {
			e := &rs.attrs.entries[i]
			if e.kind != eArray && rw.matches(e, name, r) {
				rw.remove(e.elem)
			}
		}
	}
	for _, a := range rs.set {
		r := roleByName(a.Name)
		v := appendEscaped(nil, a.Value)
		if r == format.RoleTime {
			if ts := f.child(0, cTimeStamp); ts >= 0 {
				if w := f.child(ts, cWhen); w >= 0 {
					rw.setAct(w, aContent, v)
				}
			}
			if sp := f.child(0, cTimeSpan); sp >= 0 {
				for _, c := range []code{cBegin, cEnd} {
					if k := f.child(sp, c); k >= 0 {
						rw.setAct(k, aContent, v)
					}
				}
			}
		}
		for i := range rs.attrs.entries {
			e := &rs.attrs.entries[i]
			if e.kind != eArray && e.val >= 0 && rw.matches(e, a.Name, r) {
				rw.setAct(e.val, aContent, v)
			}
		}
	}
}

// matches reports whether an edit by name (role r when a role name)
// touches entry e.
func (rw *rewriter) matches(e *entry, name string, r role) bool {
	if equalFold(e.name, name) {
		return true
	}
	return r != format.RoleNone && e.kind != eDirect && lookup(rw.roles.edit, e.name) == r
}

// pointAttrEdits applies a track point's Strip and Set to its own values:
// its <when> for "time", its gx:SimpleArrayData values. A stripped value
// is emptied (the arrays stay parallel).
func (rw *rewriter) pointAttrEdits(ed *geowarden.Edit, tr *track, i int) {
	rs := &rw.rec
	whens := rs.idx[tr.whens.at : tr.whens.at+tr.whens.n]
	do := func(name string, v []byte) {
		r := roleByName(name)
		if r == format.RoleTime && i < len(whens) {
			rw.setAct(whens[i], aContent, v)
		}
		rs.attrs.pointArrays(func(_ int32, e *entry) {
			if rw.matches(e, name, r) {
				rw.setAct(rs.attrs.vals[int(e.valsAt)+i], aContent, v)
			}
		})
	}
	for _, n := range ed.Strip {
		do(n, nil)
	}
	for _, a := range ed.Set {
		do(a.Name, appendEscaped(nil, a.Value))
	}
}

// trackEdits turns the edits of track points into actions: dropped
// points lose their <when>, <gx:coord>, <gx:angles> and array values; a
// track whose middle points are dropped is split in two or more tracks
// (inside a gx:MultiTrack), so that no line joins the points on either
// side of the gap. It reports whether no point is left.
func (rw *rewriter) trackEdits() bool {
	f := &rw.f
	rs := &rw.rec
	left, total, geomEdited := 0, 0, false
	for ti := range rs.tracks {
		tr := &rs.tracks[ti]
		pts := rs.pts[tr.firstRec : tr.firstRec+tr.nRecs]
		coords := rs.idx[tr.coords.at : tr.coords.at+tr.coords.n]
		kept, real, dropped := 0, 0, false
		for _, pe := range pts {
			if pe.drop {
				total++
			}
		}
		for i, pe := range pts {
			if pe.drop {
				dropped = true
				rw.pairNodes(tr, i, rw.remove)
				continue
			}
			if pe.empty {
				continue
			}
			real++
			kept++
			if pe.move {
				geomEdited = true
				t := rs.tup[int(tr.tuples.at)+i]
				lead, _, trail := layout(f.content(coords[i]))
				b := append(rs.out[:0], lead...)
				b = appendNum(b, pe.pos.Lon)
				b = append(b, ' ')
				b = appendNum(b, pe.pos.Lat)
				if t.alt != nil {
					b = append(b, ' ')
					b = append(b, t.alt...)
				}
				b = append(b, trail...)
				rw.setAct(coords[i], aContent, b)
				rs.out = b
			}
			if pe.retime {
				rw.setAct(pe.timeNode, aContent, rw.timeText(pe.timeNode, pe.t))
			}
		}
		left += kept
		total += real
		if !dropped {
			continue
		}
		geomEdited = true
		if tr.multi >= 0 {
			if k := f.child(tr.multi, cInterpolate); k >= 0 {
				rw.setAct(k, aContent, []byte("0"))
			}
		}
		if kept == 0 {
			rw.remove(tr.node)
			continue
		}
		if !rw.split(tr, pts) {
			rw.remove(tr.node)
			left -= kept
			a := f.base + int64(f.nodes[tr.node].start)
			line, _ := rw.s.where(a)
			format.Notify(rw.h, &format.Notice{
				Ref:     geowarden.Ref{File: rw.name, Line: line, Offset: a, Feature: rw.nFeat - 1},
				Kind:    "track-dropped",
				Message: fmt.Sprintf("a track with %d points kept in too many parts in this layout is dropped whole", kept),
				Dropped: true,
			})
		}
	}
	if geomEdited {
		rw.viewHints(nil)
	}
	return left == 0 && total > 0
}

// pairNodes calls fn for the elements of point i of a track: its <when>,
// <gx:coord>, <gx:angles> and array values.
func (rw *rewriter) pairNodes(tr *track, i int, fn func(int32)) {
	rs := &rw.rec
	for _, s := range []span{tr.whens, tr.coords, tr.angles} {
		if i < int(s.n) {
			fn(rs.idx[int(s.at)+i])
		}
	}
	for _, k := range rs.aord[tr.ordFrom:tr.ordTo] {
		e := &rs.attrs.entries[k]
		if i >= int(e.valsN) {
			break
		}
		fn(rs.attrs.vals[int(e.valsAt)+i])
	}
}

// split writes a track with gaps as one track per run of kept points. It
// returns false when that would take too long (a hostile track with a
// great many gaps in an odd layout); the caller then drops the track.
func (rw *rewriter) split(tr *track, pts []ptEdit) bool {
	f := &rw.f
	rs := &rw.rec
	type run struct{ from, to int }
	var runs []run
	for i := 0; i < len(pts); {
		if pts[i].drop {
			i++
			continue
		}
		j, real := i, false
		for j < len(pts) && !pts[j].drop {
			real = real || !pts[j].empty
			j++
		}
		if real {
			runs = append(runs, run{i, j})
		} else {
			// Only gap markers between dropped points: leave them out.
			for k := i; k < j; k++ {
				rw.pairNodes(tr, k, rw.remove)
			}
		}
		i = j
	}
	if len(runs) < 2 {
		return true
	}
	// Points in no run (gap markers) are removed already.
	n := &f.nodes[tr.node]
	q := f.qname(tr.node)
	prefix := prefixOf(q)
	ws := n.start
	for ws > 0 && isSpace(f.buf[ws-1]) {
		ws--
	}
	var out []byte
	wrap := tr.multi < 0
	if wrap {
		out = append(out, '<')
		out = append(out, prefix...)
		out = append(out, "MultiTrack>"...)
	}
	zones, fast := rw.zones(tr, len(pts))
	if !fast && int64(len(runs))*int64(n.end-n.start) > splitBudget {
		return false
	}
	var saved []action
	var nodes []int32
	for r, ru := range runs {
		if r > 0 && !wrap {
			out = append(out, f.buf[ws:n.start]...)
		}
		if fast {
			out = rw.copyRun(out, tr, zones, int32(ru.from), int32(ru.to))
			continue
		}
		saved, nodes = saved[:0], nodes[:0]
		for i := range pts {
			if !pts[i].drop && (i < ru.from || i >= ru.to) {
				rw.pairNodes(tr, i, func(k int32) { nodes = append(nodes, k); saved = append(saved, rs.acts[k]) })
			}
		}
		for _, k := range nodes {
			rs.acts[k] = action{kind: aRemove}
		}
		out = rs.render(out, f, n.start, n.end, tr.node+1)
		for j, k := range nodes {
			rs.acts[k] = saved[j]
		}
	}
	if wrap {
		out = append(out, "</"...)
		out = append(out, prefix...)
		out = append(out, "MultiTrack>"...)
	}
	rw.setAct(tr.node, aElement, out)
	return true
}

// splitBudget bounds the bytes the slow way of splitting a track (one
// pass over the whole track per part) may go through.
const splitBudget = 256 << 20

// maxZones bounds the zones of the fast way of splitting a track.
const maxZones = 64

// pzone is a run of sibling elements of track points (<when>, <gx:coord>,
// <gx:angles>, array values) whose point indices do not decrease: all the
// <when>s, then all the <gx:coord>s, or <when>/<gx:coord> pairs
// interleaved.
type pzone struct {
	nodes []int32
	idx   []int32
}

// zones finds the zones of a track's point elements, in document order.
// fast is false when the layout has too many zones (or an element of two
// points), and splitting must go the slow way.
func (rw *rewriter) zones(tr *track, npts int) (zones []pzone, fast bool) {
	f := &rw.f
	rs := &rw.rec
	if cap(rs.pidx) < len(f.nodes) {
		rs.pidx = make([]int32, len(f.nodes))
	}
	pidx := rs.pidx[:len(f.nodes)]
	var marked []int32
	for i := 0; i < npts; i++ {
		rw.pairNodes(tr, i, func(k int32) {
			pidx[k] = int32(i) + 1 // 0: not a point element
			marked = append(marked, k)
		})
	}
	defer func() {
		for _, k := range marked {
			pidx[k] = 0
		}
	}()
	containers := []int32{tr.node}
	for k := tr.arrFrom; k < tr.arrTo; k++ {
		containers = append(containers, rs.attrs.entries[k].elem)
	}
	for _, c := range containers {
		var z pzone
		for k := f.nodes[c].first; ; k = f.nodes[k].next {
			if k >= 0 && pidx[k] > 0 && (len(z.idx) == 0 || pidx[k]-1 >= z.idx[len(z.idx)-1]) {
				z.nodes = append(z.nodes, k)
				z.idx = append(z.idx, pidx[k]-1)
				continue
			}
			if len(z.nodes) > 0 {
				zones = append(zones, z)
				if len(zones) > maxZones {
					return nil, false
				}
				z = pzone{}
			}
			if k < 0 {
				break
			}
			if pidx[k] > 0 {
				z.nodes = append(z.nodes, k)
				z.idx = append(z.idx, pidx[k]-1)
			}
		}
	}
	slices.SortFunc(zones, func(a, b pzone) int { return int(a.nodes[0] - b.nodes[0]) })
	return zones, true
}

// copyRun writes a copy of a track with only the points [from, to): the
// bytes around the zones as they are, and of each zone the elements of
// those points, with their edits.
func (rw *rewriter) copyRun(out []byte, tr *track, zones []pzone, from, to int32) []byte {
	f := &rw.f
	rs := &rw.rec
	n := &f.nodes[tr.node]
	cur := n.start
	wsStart := func(k int32) int32 {
		s := f.nodes[k].start
		for s > cur && isSpace(f.buf[s-1]) {
			s--
		}
		return s
	}
	for _, z := range zones {
		zs := wsStart(z.nodes[0])
		out = append(out, f.buf[cur:zs]...)
		cur = zs
		k0, _ := slices.BinarySearch(z.idx, from)
		k1, _ := slices.BinarySearch(z.idx, to)
		if k0 < k1 {
			s := wsStart(z.nodes[k0])
			out = rs.render(out, f, s, f.nodes[z.nodes[k1-1]].end, z.nodes[k0])
		}
		cur = f.nodes[z.nodes[len(z.nodes)-1]].end
	}
	return append(out, f.buf[cur:n.end]...)
}
