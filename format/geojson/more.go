package geojson

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/geotext"
)

// This file reads the positions a record holds outside its geometry
// (Record.More) and the positions written in its text (Record.Text), and
// writes them back edited.

// spot is a position held outside the geometry: two numbers, or strings
// that hold numbers, in the raw record.
type spot struct {
	lon, lat span // the values as written
	e7       bool // in units of 1e-7 degrees
}

// coordCand is a member whose name says it holds a latitude or longitude.
type coordCand struct {
	name format.CoordName
	val  span
	used bool
}

// extras reads the positions outside the geometry of the record: every
// member of the object at raw[open] but those in skip (a bitmask of known
// members), at any depth. The geometry's extent must be known (d.pts).
func (d *decoder) extras(open int, skip uint16, path string, o *objInfo) {
	d.path = append(d.path[:0], path...)
	d.known = o
	d.walkObject(open, skip)
	d.known = nil
}

// Members of a Feature and of a geometry that hold no free positions, or
// whose positions are read elsewhere.
const (
	skipFeature  = 1<<iType | 1<<iGeometry | 1<<iBBox | 1<<iCRS
	skipGeometry = 1<<iType | 1<<iCoordinates | 1<<iGeometries | 1<<iBBox | 1<<iCRS
)

// walk reads the value at raw[i] and returns the index just past it.
// coords: it is inside a "coordinates" member, where every array of
// numbers is a position. Each byte is walked once, whatever the nesting.
func (d *decoder) walk(i int, coords bool) int {
	switch d.raw[i] {
	case '"':
		e := stringEnd(d.raw, i)
		d.textIn(span{i, e})
		return e
	case '[':
		return d.walkArray(i, coords)
	case '{':
		return d.walkObject(i, 0)
	}
	return valueEnd(d.raw, i)
}

func (d *decoder) walkArray(open int, coords bool) int {
	raw := d.raw
	if e, ok := d.listSpot(open, coords); ok {
		return e
	}
	n := len(d.path)
	d.path = append(d.path, "[]"...)
	i := skipWS(raw, open+1)
	for raw[i] != ']' {
		i = skipWS(raw, d.walk(i, coords))
		if raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
	}
	d.path = d.path[:n]
	return i + 1
}

// walkObject reads the members of the object at raw[open], but those of
// the known members in skip (whose ends d.known gives, when set, for the
// object extras began with), pairs the members whose names say they hold
// a latitude and a longitude, and returns the index just past the object.
func (d *decoder) walkObject(open int, skip uint16) int {
	raw := d.raw
	var buf [8]coordCand
	cands := buf[:0]
	n := len(d.path)
	i := skipWS(raw, open+1)
	for raw[i] != '}' {
		ke := stringEnd(raw, i)
		vs := skipWS(raw, skipWS(raw, ke)+1)
		name := d.name(span{i, ke})
		k := knownIndex(name)
		var ve int
		switch c := raw[vs]; {
		case k >= 0 && skip&(1<<k) != 0:
			if o := d.known; o != nil && o.ok(k) && o.key[k] == i {
				ve = o.val[k].e // read already
			} else {
				ve = valueEnd(raw, vs)
			}
		case c == '[' || c == '{':
			d.pushPath(n, name)
			if k == iBBox && c == '[' && d.bboxSpots(vs) {
				ve = valueEnd(raw, vs) // an array of numbers
			} else {
				ve = d.walk(vs, k == iCoordinates)
			}
			d.path = d.path[:n]
		default:
			ve = valueEnd(raw, vs)
			pn := d.pushPath(n, name)
			if (c == '"' || isNumberStart(c)) && mayCoordName(pn) {
				if cn, ok := format.ParseCoordName(string(pn)); ok {
					cands = append(cands, coordCand{name: cn, val: span{vs, ve}})
				}
			}
			if c == '"' {
				d.textIn(span{vs, ve})
			}
			d.path = d.path[:n]
		}
		i = skipWS(raw, ve)
		if raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
	}
	d.pairs(cands)
	return i + 1
}

// pushPath appends name to the member path (of length n) and returns it
// as appended.
func (d *decoder) pushPath(n int, name []byte) []byte {
	if n > 0 {
		d.path = append(d.path, '.')
	}
	ns := len(d.path)
	d.path = append(d.path, name...)
	return d.path[ns:]
}

// mayCoordName is a quick test that name may be one ParseCoordName
// accepts: x, y, or a name that holds lat, lon or lng, ignoring case.
func mayCoordName(name []byte) bool {
	if len(name) == 1 {
		c := name[0] | 0x20
		return c == 'x' || c == 'y'
	}
	for i := 0; i+2 < len(name); i++ {
		if name[i]|0x20 != 'l' {
			continue
		}
		switch a, b := name[i+1]|0x20, name[i+2]|0x20; {
		case a == 'a' && b == 't', a == 'o' && b == 'n', a == 'n' && b == 'g':
			return true
		}
	}
	return false
}

// pairs makes positions of the latitude and longitude members of one
// object: the i-th latitude with a key pairs with the i-th longitude with
// the same key, in the order they are written. A pair whose values are
// not numbers (or strings holding one), or not a WGS-84 position, is not
// a position.
func (d *decoder) pairs(cands []coordCand) {
	for i := range cands {
		a := &cands[i]
		if a.name.Axis != format.RoleLat {
			continue
		}
		for j := range cands {
			o := &cands[j]
			if o.used || o.name.Axis != format.RoleLon || o.name.Key != a.name.Key {
				continue
			}
			o.used = true
			lat, ok1 := d.number(a.val, a.name.E7)
			lon, ok2 := d.number(o.val, o.name.E7)
			if !(ok1 && ok2) && !a.name.E7 {
				lat, lon, ok1 = d.textPair(a.val, o.val)
				ok2 = ok1
			}
			if ok1 && ok2 && format.CheckPoint(lon, lat) == nil {
				d.spots = append(d.spots, spot{lon: o.val, lat: a.val, e7: a.name.E7})
				d.more = append(d.more, geowarden.Point{Lon: lon, Lat: lat})
			}
			break
		}
	}
}

// number reads the number, or the string holding a number, at sp.
func (d *decoder) number(sp span, e7 bool) (float64, bool) {
	v := d.raw[sp.s:sp.e]
	if v[0] == '"' {
		v = v[1 : len(v)-1]
		if hasEscape(v) {
			d.val = unquote(d.val[:0], d.raw[sp.s:sp.e])
			v = d.val
		}
	}
	f, ok := format.ParseDecimal(v)
	if e7 {
		f /= 1e7
	}
	return f, ok
}

// textPair reads a latitude and a longitude written as text in the
// strings at la and lo, such as 35°51'02"N and 14°27'02"E, or 35 deg 51'
// 2.04" N as exiftool writes them: the two texts, joined by a comma, must
// read as one position by geotext, the latitude first unless hemisphere
// letters say otherwise.
func (d *decoder) textPair(la, lo span) (lat, lon float64, ok bool) {
	raw := d.raw
	if raw[la.s] != '"' || raw[lo.s] != '"' {
		return 0, 0, false
	}
	b := unquote(d.pair[:0], raw[la.s:la.e])
	b = append(b, ", "...)
	b = unquote(b, raw[lo.s:lo.e])
	d.pair = b
	m, found := geotext.Find(b, 0)
	if !found || m.Start != 0 || m.End != len(b) {
		return 0, 0, false
	}
	return m.Point.Lat, m.Point.Lon, true
}

// listSpot reads the array at raw[open] as a position when it holds only
// numbers, at least two: longitude and latitude, as GeoJSON writes them.
// Outside "coordinates" it must hold two or three numbers, the first two
// with a fraction ([14.4506, 35.8506]), as the verifier reads lists: [1, 2]
// is a pair of counts more often than a position, and a long array of
// measurements is not one. It reports whether the array holds only
// numbers (or nothing), and where it ends.
func (d *decoder) listSpot(open int, coords bool) (end int, ok bool) {
	raw := d.raw
	var n0, n1 span
	n := 0
	frac := true
	i := skipWS(raw, open+1)
	for raw[i] != ']' {
		if !isNumberStart(raw[i]) {
			return 0, false
		}
		e := valueEnd(raw, i)
		switch n {
		case 0:
			n0 = span{i, e}
		case 1:
			n1 = span{i, e}
		}
		if n < 2 && !hasDot(raw[i:e]) {
			frac = false
		}
		n++
		i = skipWS(raw, e)
		if raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
	}
	if n >= 2 && (coords || frac && n <= 3) {
		d.addSpot(n0, n1)
	}
	return i + 1, true
}

func hasDot(b []byte) bool {
	return slices.Contains(b, '.')
}

// addSpot adds the position whose longitude and latitude are the numbers
// at lon and lat, when it is a WGS-84 position.
func (d *decoder) addSpot(lon, lat span) {
	p := geowarden.Point{Lon: parseNumber(d.raw[lon.s:lon.e]), Lat: parseNumber(d.raw[lat.s:lat.e])}
	if format.CheckPoint(p.Lon, p.Lat) == nil {
		d.spots = append(d.spots, spot{lon: lon, lat: lat})
		d.more = append(d.more, p)
	}
}

// bboxNumbers reads the numbers of the array at raw[open] into nums (at
// most 6) and returns how many there are, or -1 when it holds anything
// else or more than 6.
func (d *decoder) bboxNumbers(open int, nums *[6]span) int {
	raw := d.raw
	n := 0
	for i := skipWS(raw, open+1); raw[i] != ']'; {
		if !isNumberStart(raw[i]) || n == 6 {
			return -1
		}
		e := valueEnd(raw, i)
		nums[n] = span{i, e}
		n++
		i = skipWS(raw, e)
		if raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
	}
	return n
}

// bboxSpots reads the corners of the "bbox" at raw[open] as positions, and
// reports whether it is a bbox (4 or 6 numbers).
func (d *decoder) bboxSpots(open int) bool {
	var nums [6]span
	switch d.bboxNumbers(open, &nums) {
	case 4:
		d.addSpot(nums[0], nums[1])
		d.addSpot(nums[2], nums[3])
	case 6:
		d.addSpot(nums[0], nums[1])
		d.addSpot(nums[3], nums[4])
	default:
		return false
	}
	return true
}

// bboxTolerance is how far, in degrees, a "bbox" side may lie from the
// extent of its geometry and still be that extent (rounded as written).
const bboxTolerance = 1e-6

// staleBBox reads the corners of the "bbox" of o as positions when it is
// not the extent of the record's geometry: such a bbox tells of positions
// the geometry does not hold. A bbox that is the extent goes with the
// geometry (it is removed when the geometry is rewritten).
func (d *decoder) staleBBox(o *objInfo) {
	if !o.ok(iBBox) {
		return
	}
	v := o.val[iBBox]
	var nums [6]span
	n := d.bboxNumbers(v.s, &nums)
	if n != 4 && n != 6 {
		return
	}
	var x extent
	x.addAll(d.pts)
	if !d.isExtent(&nums, n, &x) {
		d.bboxSpots(v.s)
	}
}

// isExtent reports whether the n (4 or 6) bbox numbers nums are x, within
// bboxTolerance.
func (d *decoder) isExtent(nums *[6]span, n int, x *extent) bool {
	h := n / 2
	num := func(k int) float64 { return parseNumber(d.raw[nums[k].s:nums[k].e]) }
	return x.ok && math.Abs(num(0)-x.minLon) <= bboxTolerance && math.Abs(num(1)-x.minLat) <= bboxTolerance &&
		math.Abs(num(h)-x.maxLon) <= bboxTolerance && math.Abs(num(h+1)-x.maxLat) <= bboxTolerance
}

// textIn reads the positions written in the string at sp.
func (d *decoder) textIn(sp span) {
	c := d.raw[sp.s+1 : sp.e-1]
	if len(c) < 3 {
		return
	}
	text := c
	if hasEscape(c) {
		d.val = unquote(d.val[:0], d.raw[sp.s:sp.e])
		text = d.val
	}
	for i := 0; ; {
		m, ok := geotext.Find(text, i)
		if !ok {
			return
		}
		i = m.Next
		field := string(d.path)
		d.text = append(d.text, geowarden.TextPos{Pos: m.Point, Field: field, Start: m.Start, End: m.End})
		d.tspan = append(d.tspan, sp)
		if m.Ambiguous {
			d.text = append(d.text, geowarden.TextPos{Pos: m.Swapped(), Field: field, Start: m.Start, End: m.End})
			d.tspan = append(d.tspan, sp)
		}
	}
}

// rawSpan maps the bytes ds..de of the decoded content of the JSON string
// q (with its quotes) to the bytes of q's content that write them,
// widened to whole escapes: it decodes as unquote does.
func rawSpan(q []byte, ds, de int) (rs, re int) {
	s := q[1 : len(q)-1]
	rs, re = -1, len(s)
	dec := 0
	for i := 0; i < len(s); {
		n, w := 1, 1 // raw bytes, decoded bytes
		if s[i] == '\\' {
			n = 2
			if s[i+1] == 'u' {
				var r rune
				r, n = format.JSONEscapeU(s[i:])
				w = utf8.RuneLen(r)
			}
		}
		if rs < 0 && ds < dec+w {
			rs = i
		}
		if de <= dec+w && de > dec {
			return rs, i + n
		}
		dec += w
		i += n
	}
	if rs < 0 {
		rs = len(s)
	}
	return rs, re
}

// repl replaces raw[s:e] of the record with val.
type repl struct {
	s, e int
	val  []byte
}

// extraRepls sets s.repls to the replacements that the edits make to the
// positions outside the geometry (Edit.More) and in text (Edit.Redact),
// sorted and not overlapping. A dropped record's edit says nothing of
// them.
func (s *state) extraRepls(edits []geowarden.Edit, idx int) error {
	d := &s.d
	s.repls = s.repls[:0]
	var more []geowarden.Point
	for i := range edits {
		e := &edits[i]
		if !e.Drop && e.Move && len(e.More) > 0 {
			if len(e.More) != len(d.more) {
				return fmt.Errorf("geojson: feature %d: edit has %d other positions, the record %d", idx, len(e.More), len(d.more))
			}
			more = e.More
			break
		}
	}
	for k, sp := range d.spots {
		if more == nil || more[k] == d.more[k] {
			continue
		}
		if err := checkMove(idx, more[k]); err != nil {
			return err
		}
		s.repls = append(s.repls,
			repl{sp.lon.s, sp.lon.e, d.coordValue(sp.lon, more[k].Lon, sp.e7)},
			repl{sp.lat.s, sp.lat.e, d.coordValue(sp.lat, more[k].Lat, sp.e7)})
	}
	for i := range edits {
		e := &edits[i]
		if e.Drop {
			continue
		}
		for _, k := range e.Redact {
			if k < 0 || k >= len(d.text) {
				continue
			}
			tp, q := d.text[k], d.tspan[k]
			rs, re := rawSpan(d.raw[q.s:q.e], tp.Start, tp.End)
			s.repls = append(s.repls, repl{q.s + 1 + rs, q.s + 1 + re, redacted})
		}
	}
	if len(s.repls) < 2 {
		return nil
	}
	slices.SortFunc(s.repls, func(a, b repl) int { return a.s - b.s })
	// Overlapping text positions (a,b and b,c of "a,b,c") are redacted as
	// one; repeats (the two readings of an ambiguous pair) go.
	out := s.repls[:1]
	for _, r := range s.repls[1:] {
		last := &out[len(out)-1]
		if r.s < last.e {
			if r.e > last.e {
				last.e = r.e
			}
			continue
		}
		out = append(out, r)
	}
	s.repls = out
	return nil
}

var redacted = []byte(geowarden.RedactedText)

// coordValue writes v as the new value of the coordinate at sp, in the
// JSON type it had: a number, or a string holding one; E7 as an integer.
func (d *decoder) coordValue(sp span, v float64, e7 bool) []byte {
	var num []byte
	if e7 {
		num = strconv.AppendInt(nil, int64(math.Round(v*1e7)), 10)
	} else {
		num = format.AppendCoord(nil, v)
	}
	if d.raw[sp.s] == '"' {
		return appendQuote(nil, string(num))
	}
	return num
}

// appendRepl appends raw[sp] with the replacements inside it applied.
func appendRepl(dst, raw []byte, sp span, rp []repl) []byte {
	i := sp.s
	k, _ := slices.BinarySearchFunc(rp, sp.s, func(r repl, s int) int { return r.s - s })
	for _, r := range rp[k:] {
		if r.s >= sp.e {
			break
		}
		if r.s < i || r.e > sp.e {
			continue
		}
		dst = append(dst, raw[i:r.s]...)
		dst = append(dst, r.val...)
		i = r.e
	}
	return append(dst, raw[i:sp.e]...)
}

// extent is the bounding box of positions.
type extent struct {
	minLon, minLat, maxLon, maxLat float64
	ok                             bool
}

func (x *extent) add(p geowarden.Point) {
	if !x.ok {
		*x = extent{p.Lon, p.Lat, p.Lon, p.Lat, true}
		return
	}
	x.minLon, x.maxLon = min(x.minLon, p.Lon), max(x.maxLon, p.Lon)
	x.minLat, x.maxLat = min(x.minLat, p.Lat), max(x.maxLat, p.Lat)
}

func (x *extent) addAll(ps []geowarden.Point) {
	for _, p := range ps {
		x.add(p)
	}
}

// appendBBox appends x as a GeoJSON bbox.
func (x *extent) appendBBox(dst []byte) []byte {
	dst = append(dst, '[')
	// Rounded outward to the 7 decimals AppendCoord writes, so that the
	// box still holds every position.
	for i, v := range [4]float64{x.minLon, x.minLat, x.maxLon, x.maxLat} {
		if i > 0 {
			dst = append(dst, ',', ' ')
		}
		r := math.Round(v * 1e7)
		switch {
		case i < 2 && r/1e7 > v:
			r--
		case i >= 2 && r/1e7 < v:
			r++
		}
		dst = format.AppendCoord(dst, r/1e7)
	}
	return append(dst, ']')
}

// fcBBox locates the "bbox" member of a FeatureCollection in the bytes
// captured with it.
type fcBBox struct {
	ok   bool
	val  span // its value
	next int  // in the head: where the member after it begins; -1 until known
	n    int  // how many elements its array has (0 when not an array)

	raw   []byte // its value (a copy)
	at    pos    // where its value begins
	drop  bool   // its record (staleRecord) was dropped
	moved []byte // its value as its record's edit moved it; nil when not moved
}

// staleRecord hands the corners of a FeatureCollection bbox that is not
// the extent of the features read to the handler, as a record of their
// own (Kind feature, ShapeNone, More the corners, Ref.Feature -1): such a
// bbox tells of positions no feature holds. Its edit is kept in b: a drop
// removes the bbox, a Move with More moves its corners (when no feature
// was dropped or moved; otherwise the bbox is recomputed anyway). A bbox
// that is the extent, or not 4 or 6 numbers, gives no record.
func (s *state) staleRecord(b *fcBBox) error {
	d := &s.d
	if len(b.raw) == 0 || b.raw[0] != '[' {
		return nil
	}
	d.reset(b.raw)
	var nums [6]span
	n := d.bboxNumbers(0, &nums)
	if n != 4 && n != 6 || d.isExtent(&nums, n, &s.inExt) {
		return nil
	}
	d.bboxSpots(0)
	if len(d.more) == 0 {
		return nil
	}
	e, writing := s.fileRecord(b.at)
	if !writing {
		return nil
	}
	if e.Drop {
		b.drop = true
		return nil
	}
	s.edits = append(s.edits[:0], e)
	if err := s.extraRepls(s.edits, -1); err != nil {
		return err
	}
	if len(s.repls) > 0 {
		b.moved = appendRepl(nil, d.raw, span{0, len(d.raw)}, s.repls)
	}
	return nil
}

// holdOut is the output held back after the head of a FeatureCollection
// whose "bbox" comes before its "features": what the bbox must say is
// known only once every feature is written.
type holdOut struct {
	head []byte // the collection up to "features": [
	bbox fcBBox // in head
	body []byte // everything written since
}

// bboxValue returns the value a FeatureCollection bbox gets now that the
// features are written. When a feature was dropped or had its geometry
// changed: the extent of the features written, when there is one and the
// bbox has 4 numbers, else removed (a 6-number bbox: geowarden does not
// recompute heights). Otherwise as its own record (staleRecord) says:
// removed when dropped, its corners moved, or kept as written.
func (s *state) bboxValue(b *fcBBox) (val []byte, keep, remove bool) {
	switch {
	case s.touched && s.ext.ok && b.n == 4:
		return s.ext.appendBBox(nil), false, false
	case s.touched || b.drop:
		return nil, false, true
	case b.moved != nil:
		return b.moved, false, false
	}
	return nil, true, false
}

// release writes the held output: the head with its bbox as bboxValue
// says, then the body. Once released, writes go straight out.
func (s *state) release() {
	h := s.hold
	if h == nil {
		return
	}
	s.hold = nil
	val, keep, remove := s.bboxValue(&h.bbox)
	switch {
	case keep:
		s.write(h.head)
	case remove:
		// The member goes with the separator after it: "features"
		// follows it.
		s.write(h.head[:h.bbox.val.s-bboxKeyLen(h.head[:h.bbox.val.s])])
		s.write(h.head[h.bbox.next:])
	default:
		s.write(h.head[:h.bbox.val.s])
		s.write(val)
		s.write(h.head[h.bbox.val.e:])
	}
	s.write(h.body)
}

// bboxKeyLen returns how many bytes at the end of b are the "bbox" key,
// the ':' and the white space around them.
func bboxKeyLen(b []byte) int {
	i := len(b)
	for i > 0 && isWS(b[i-1]) {
		i--
	}
	i-- // ':'
	for i > 0 && isWS(b[i-1]) {
		i--
	}
	i = lastQuoteStart(b[:i])
	return len(b) - i
}

// lastQuoteStart returns where the string that ends b begins.
func lastQuoteStart(b []byte) int {
	for i := len(b) - 2; i >= 0; i-- {
		if b[i] == '"' {
			n := 0
			for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
				n++
			}
			if n%2 == 0 {
				return i
			}
		}
	}
	return 0
}

// region writes the bytes after "features" up to the next ',' or the
// closing '}': one member, or white space. A "bbox" member among them
// (tb) is kept, recomputed or removed as bboxValue says; another member
// (ta) as its record's edit says. A removed member goes with the ','
// before it.
func (s *state) region(b []byte, tb *fcBBox, ta *memberAct) {
	if ta.ok {
		switch {
		case ta.drop:
			s.write(b[ta.val.e:])
			return
		case ta.newVal != nil:
			if s.pendComma {
				s.write([]byte{','})
			}
			s.write(b[:ta.val.s])
			s.write(ta.newVal)
			s.write(b[ta.val.e:])
			return
		}
	}
	if tb.ok {
		val, keep, remove := s.bboxValue(tb)
		switch {
		case remove:
			s.write(b[tb.val.e:])
			return
		case !keep:
			if s.pendComma {
				s.write([]byte{','})
			}
			s.write(b[:tb.val.s])
			s.write(val)
			s.write(b[tb.val.e:])
			return
		}
	}
	if s.pendComma {
		s.write([]byte{','})
	}
	s.write(b)
}

// countElements returns how many elements the JSON array v has, or 0 when
// v is not an array.
func countElements(v []byte) int {
	if len(v) == 0 || v[0] != '[' {
		return 0
	}
	els, _ := elements(v, 0, nil)
	return len(els)
}

// memberAct is what becomes of a member of a FeatureCollection (not
// "type", "features", "bbox" or "crs") that holds positions: dropped, or
// its value replaced by newVal (nil: kept as written). val locates its
// value in the bytes captured with it.
type memberAct struct {
	ok     bool
	val    span
	drop   bool
	newVal []byte
}

// headMember is a member of a FeatureCollection before "features", located
// in the head.
type headMember struct {
	name string
	key  int
	val  span
	at   pos
	next int // where the member after it begins
}

// collectionMember reads the positions a member of a FeatureCollection
// holds (as for a feature's foreign members, at any depth) and, when it
// holds some, hands them to the handler as a record of their own: Kind
// feature, ShapeNone, More and Text, Ref.Feature -1. A drop removes the
// member; a Move with More and a Redact rewrite it as for a feature.
func (s *state) collectionMember(name string, val []byte, at pos) (drop bool, newVal []byte, err error) {
	d := &s.d
	d.reset(val)
	d.path = append(d.path[:0], name...)
	d.walk(0, false)
	if len(d.more) == 0 && len(d.text) == 0 {
		return false, nil, nil
	}
	e, writing := s.fileRecord(at)
	if !writing {
		return false, nil, nil
	}
	if e.Drop {
		s.touched = true // what a bbox says may come from it
		return true, nil, nil
	}
	s.edits = append(s.edits[:0], e)
	if err := s.extraRepls(s.edits, -1); err != nil {
		return false, nil, err
	}
	if len(s.repls) == 0 {
		return false, nil, nil
	}
	return false, appendRepl(nil, d.raw, span{0, len(d.raw)}, s.repls), nil
}

// collectionHead applies to the head of a FeatureCollection (up to
// "features": [) what the records of its members (hms) ask, and moves the
// bbox's offsets with them.
func (s *state) collectionHead(head []byte, hms []headMember, hb fcBBox) ([]byte, fcBBox, error) {
	type change struct{ oldEnd, delta int }
	var changes []change
	var out []byte
	last := 0
	pdrop, pvals, err := s.headPairs(head, hms)
	if err != nil {
		return nil, hb, err
	}
	for i, hm := range hms {
		var drop bool
		var nv []byte
		switch {
		case pdrop != nil && pdrop[i]:
			drop = true
		case pvals != nil && pvals[i] != nil:
			nv = pvals[i]
		default:
			drop, nv, err = s.collectionMember(hm.name, head[hm.val.s:hm.val.e], hm.at)
			if err != nil {
				return nil, hb, err
			}
		}
		switch {
		case drop:
			// The member goes with the separator after it: "features"
			// follows it.
			out = append(out, head[last:hm.key]...)
			last = hm.next
			changes = append(changes, change{hm.next, hm.key - hm.next})
		case nv != nil:
			out = append(out, head[last:hm.val.s]...)
			out = append(out, nv...)
			last = hm.val.e
			changes = append(changes, change{hm.val.e, len(nv) - (hm.val.e - hm.val.s)})
		}
	}
	if changes == nil {
		return head, hb, nil
	}
	out = append(out, head[last:]...)
	move := func(off int) int {
		n := off
		for _, c := range changes {
			if c.oldEnd <= off {
				n += c.delta
			}
		}
		return n
	}
	if hb.ok {
		hb.val = span{move(hb.val.s), move(hb.val.e)}
		hb.next = move(hb.next)
	}
	return out, hb, nil
}

// headPairs reads the latitude and longitude members of a
// FeatureCollection's head (home_lat and home_lon beside "features") as
// positions, by the rules of an object's members, and hands them to the
// handler as one record (Kind feature, ShapeNone, More, Ref.Feature -1).
// It returns, per member, whether its edit drops it and its new value.
func (s *state) headPairs(head []byte, hms []headMember) (drop []bool, vals [][]byte, err error) {
	d := &s.d
	d.reset(head)
	var cands []coordCand
	for _, hm := range hms {
		c := head[hm.val.s]
		if (c == '"' || isNumberStart(c)) && mayCoordName([]byte(hm.name)) {
			if cn, ok := format.ParseCoordName(hm.name); ok {
				cands = append(cands, coordCand{name: cn, val: hm.val})
			}
		}
	}
	if len(cands) < 2 {
		return nil, nil, nil
	}
	d.pairs(cands)
	if len(d.more) == 0 {
		return nil, nil, nil
	}
	owner := func(v span) int {
		for i, hm := range hms {
			if hm.val == v {
				return i
			}
		}
		return -1
	}
	at := hms[owner(d.spots[0].lat)].at
	e, writing := s.fileRecord(at)
	if !writing {
		return nil, nil, nil
	}
	drop = make([]bool, len(hms))
	vals = make([][]byte, len(hms))
	if e.Drop {
		for _, sp := range d.spots {
			drop[owner(sp.lat)], drop[owner(sp.lon)] = true, true
		}
		s.touched = true // what a bbox says may come from them
		return drop, vals, nil
	}
	s.edits = append(s.edits[:0], e)
	if err := s.extraRepls(s.edits, -1); err != nil {
		return nil, nil, err
	}
	for _, r := range s.repls {
		if i := owner(span{r.s, r.e}); i >= 0 {
			vals[i] = r.val
		}
	}
	return drop, vals, nil
}

// fileRecord hands the positions the decoder holds (More and Text), which
// belong to the FeatureCollection rather than a feature, to the handler as
// a record of their own: Kind feature, ShapeNone, Ref.Feature -1, Ref.Line
// where they are written. writing reports whether the edit is to be
// applied.
func (s *state) fileRecord(at pos) (e geowarden.Edit, writing bool) {
	d := &s.d
	rec := &s.rec
	*rec = geowarden.Record{
		Kind:  geowarden.KindFeature,
		More:  d.more,
		Text:  d.text,
		Attrs: d,
		Ref:   geowarden.Ref{File: s.name, Line: at.line, Offset: at.off, Feature: -1},
	}
	e = s.h.Record(rec)
	return e, s.w != nil
}
