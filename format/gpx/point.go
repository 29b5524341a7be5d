package gpx

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// elem is an element inside a point element (the point itself is elems[0]).
// Offsets are into point.buf.
type elem struct {
	qs, qe  int // qualified name
	ls      int // local name: buf[ls:qe]
	parent  int32
	ws      int // start of the white space before it (== start when none)
	start   int // its '<'
	cs, ce  int // content, between the start and end tags (cs == ce for <x/>)
	end     int // after its end tag
	at      pos
	lat     [2]int // value of the lat attribute; lat[0] < 0 when none
	lon     [2]int
	href    [2]int
	hrefQ   byte
	empty   bool
	leaf    bool // no child elements
	latlon  bool // has both lat and lon attributes
	descEnd int  // index after its last descendant in elems
}

// splice replaces buf[s:e] with rep[rs:re] when a point is written.
type splice struct {
	s, e   int
	rs, re int
}

// point is the point element being read, held whole.
type point struct {
	active     bool
	structural bool // a wpt, rtept or trkpt in its GPX place
	inCont     bool // a rtept or trkpt in the open container
	buf        []byte
	elems      []elem
	open       []int32
	wsStart    int // last white-space text: buf[wsStart:wsEnd] in wsParent
	wsEnd      int
	wsParent   int32
	txt        []byte
	spl        []splice
	rep        []byte
	outb       []byte
	attrs      []pattr // attribute values that are free text
}

// pattr is an attribute value of an element of the point that may hold
// free text: buf[v0:v1], named buf[n0:n1].
type pattr struct{ n0, n1, v0, v1 int }

func (p *point) name(i int) []byte  { e := &p.elems[i]; return p.buf[e.qs:e.qe] }
func (p *point) local(i int) []byte { e := &p.elems[i]; return p.buf[e.ls:e.qe] }

// addStart adds the start tag t to the point.
func (p *point) addStart(t *token, parent int32, ws int) {
	start := len(p.buf)
	p.buf = append(p.buf, t.raw...)
	e := elem{
		parent: parent, ws: ws, start: start, at: t.at,
		qs: start + 1, qe: start + 1 + len(t.name),
		empty: t.empty, leaf: true,
		lat: [2]int{-1, -1}, lon: [2]int{-1, -1}, href: [2]int{-1, -1},
	}
	e.ls = e.qe - len(localName(t.name))
	for _, a := range t.attrs {
		r := [2]int{start + a.valAt, start + a.valAt + len(a.val)}
		switch string(a.name) {
		case "lat":
			e.lat = r
		case "lon":
			e.lon = r
		case "href":
			e.href, e.hrefQ = r, a.quote
		}
		if !skipAttr(a.name) {
			p.attrs = append(p.attrs, pattr{n0: start + a.nameAt, n1: start + a.nameAt + len(a.name), v0: r[0], v1: r[1]})
		}
	}
	e.latlon = e.lat[0] >= 0 && e.lon[0] >= 0
	e.cs = len(p.buf)
	if t.empty {
		e.ce, e.end = e.cs, e.cs
	}
	if parent >= 0 {
		p.elems[parent].leaf = false
	}
	p.elems = append(p.elems, e)
	if !t.empty {
		p.open = append(p.open, int32(len(p.elems)-1))
	} else {
		p.elems[len(p.elems)-1].descEnd = len(p.elems)
	}
}

// beginPoint starts holding a point element.
func (s *state) beginPoint(structural bool, parent role) error {
	t := &s.sc.tok
	p := &s.p
	p.buf = p.buf[:0]
	p.elems = p.elems[:0]
	p.open = p.open[:0]
	p.attrs = p.attrs[:0]
	p.wsEnd = -1
	if s.hold {
		p.buf = append(p.buf, s.ws...)
		s.hold = false
		s.ws = s.ws[:0]
	}
	p.structural = structural
	p.inCont = structural && (parent == rSeg || parent == rRte)
	p.addStart(t, -1, 0)
	if t.empty {
		return s.endPoint()
	}
	p.active = true
	return nil
}

// pointToken adds a token to the point being held.
func (s *state) pointToken() error {
	t := &s.sc.tok
	p := &s.p
	top := p.open[len(p.open)-1]
	switch t.kind {
	case tStart:
		if len(s.stack)+len(p.open) >= MaxDepth {
			return s.fatal(t.at, ErrDepth, "elements nest deeper than %d", MaxDepth)
		}
		if len(p.elems) >= MaxPointElements {
			return s.fatal(p.elems[0].at, format.ErrTooLong, "more than %d elements in one <%s>", MaxPointElements, p.name(0))
		}
		ws := len(p.buf)
		if p.wsEnd == len(p.buf) && p.wsParent == top {
			ws = p.wsStart
		}
		p.addStart(t, top, ws)
	case tEnd:
		e := &p.elems[top]
		if !bytes.Equal(p.buf[e.qs:e.qe], t.name) {
			return s.fatal(t.at, ErrSyntax, "end tag </%s> does not match <%s> at %s", t.name, p.buf[e.qs:e.qe], e.at)
		}
		e.ce = len(p.buf)
		p.buf = append(p.buf, t.raw...)
		e.end = len(p.buf)
		e.descEnd = len(p.elems)
		p.open = p.open[:len(p.open)-1]
	case tText:
		if t.ws && t.whole {
			p.wsStart = len(p.buf)
			p.buf = append(p.buf, t.raw...)
			p.wsEnd = len(p.buf)
			p.wsParent = top
		} else {
			p.buf = append(p.buf, t.raw...)
		}
	case tDoctype:
		return s.fatal(t.at, ErrSyntax, "a DOCTYPE declaration may only stand once, before the root element")
	default:
		p.buf = append(p.buf, t.raw...)
	}
	if len(p.buf) > s.max {
		return s.fatal(p.elems[0].at, format.ErrTooLong, "<%s> element longer than %d bytes", p.name(0), s.max)
	}
	if len(p.open) == 0 {
		p.active = false
		return s.endPoint()
	}
	return nil
}

// endPoint reads the held point, asks the handler, and writes it.
func (s *state) endPoint() error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	p := &s.p
	p.spl = p.spl[:0]
	p.rep = p.rep[:0]
	lon, lat, perr := s.position(0)
	if perr != nil {
		if err := s.h.Bad(perr); err != nil {
			return err
		}
		s.changed = true
		s.placed(nil, p.inCont)
		return nil
	}
	s.fill(0, lon, lat)
	s.rec.Text = s.pointTexts()
	s.rec.More = s.pointMore()
	ed := s.h.Record(&s.rec)
	s.attrs.i = -1
	if ed.Drop || badMove(&ed) || ed.Move && len(ed.More) > 0 && len(ed.More) != len(s.more) {
		s.changed = true
		s.placed(nil, p.inCont)
		return nil
	}
	if !ed.IsKeep() {
		s.plan(0, &ed)
	}
	if ed.Move && len(ed.More) == len(s.more) {
		for k, m := range s.moreAt {
			lat, lon := ed.More[k].Lat, ed.More[k].Lon
			if s.moreE7[k] {
				s.setContent(m[0], strconv.AppendInt(p.rep, int64(math.Round(lat*1e7)), 10))
				s.setContent(m[1], strconv.AppendInt(p.rep, int64(math.Round(lon*1e7)), 10))
				continue
			}
			s.setContent(m[0], format.AppendCoord(p.rep, lat))
			s.setContent(m[1], format.AppendCoord(p.rep, lon))
		}
	}
	s.wrote(lon, lat, &ed)
	for _, r := range s.tx.redact(p.buf, ed.Redact, &s.cs) {
		rep := p.rep
		if r.first {
			rep = s.cs.redacted(rep)
		}
		s.replace(r.r0, r.r1, rep)
	}
	// Elements inside the point with their own position.
	skip := 0
	for i := 1; i < len(p.elems); i++ {
		e := &p.elems[i]
		if !e.latlon || e.start < skip {
			continue
		}
		lon, lat, perr := s.position(i)
		if perr != nil {
			if err := s.h.Bad(perr); err != nil {
				return err
			}
			s.changed = true
			s.remove(i)
			skip = e.end
			continue
		}
		s.fill(i, lon, lat)
		ed := s.h.Record(&s.rec)
		s.attrs.i = -1
		switch {
		case ed.Drop || badMove(&ed):
			s.changed = true
			s.remove(i)
			skip = e.end
		case !ed.IsKeep():
			s.plan(i, &ed)
			s.changed = s.changed || ed.Move
		}
	}
	if s.w == nil {
		return nil
	}
	s.placed(s.apply(), p.inCont)
	return nil
}

// wrote adds the position a kept point is written with to the extent,
// when it is a waypoint, route point or track point in its GPX place: the
// points GPX readers read, whose extent <bounds> gives.
func (s *state) wrote(lon, lat float64, ed *geowarden.Edit) {
	if s.w == nil {
		return
	}
	if !s.p.structural {
		s.changed = s.changed || ed.Move
		return
	}
	if ed.Move {
		s.changed = true
		lon, lat = written(ed.Pos.Lon), written(ed.Pos.Lat)
	}
	s.ext.add(lon, lat)
}

// pointMore reads the point's other positions: pairs of child elements
// of one element inside it whose names say they are a latitude and a
// longitude (format.ParseCoordName, the rules of CSV columns and GeoJSON
// properties: lat, latitude, lon, lng, long, longitude, with the same
// words around them, as in <x:destLat> and <x:destLon>; E7 values in
// units of 1e-7 degrees), holding decimal numbers, any prefix. x and y
// are not read: in GPX extensions they are as often screen or grid
// coordinates. It returns the positions in document order, with their
// elements in s.moreAt.
func (s *state) pointMore() []geowarden.Point {
	p := &s.p
	s.more, s.moreAt = s.more[:0], s.moreAt[:0]
	for j := range p.elems {
		e := &p.elems[j]
		if e.leaf {
			continue
		}
		s.coords = s.coords[:0]
		for k := j + 1; k < e.descEnd; k = p.elems[k].descEnd {
			if !p.elems[k].leaf {
				continue
			}
			cn, ok := format.ParseCoordName(string(p.local(k)))
			if !ok || cn.Key == "xy" {
				continue
			}
			i := slices.IndexFunc(s.coords, func(c coordElems) bool { return c.key == cn.Key })
			if i < 0 {
				s.coords = append(s.coords, coordElems{key: cn.Key, e7: cn.E7, at: [2]int{-1, -1}})
				i = len(s.coords) - 1
			}
			ax := 1
			if cn.Axis == format.RoleLat {
				ax = 0
			}
			if s.coords[i].at[ax] < 0 {
				s.coords[i].at[ax] = k
			}
		}
		for _, c := range s.coords {
			if c.at[0] < 0 || c.at[1] < 0 {
				continue
			}
			lat, ok1 := format.ParseDecimal(p.textBytes(c.at[0], &s.cs))
			lon, ok2 := format.ParseDecimal(p.textBytes(c.at[1], &s.cs))
			if c.e7 {
				lat, lon = lat/1e7, lon/1e7
			}
			if !ok1 || !ok2 || format.CheckPoint(lon, lat) != nil {
				continue
			}
			s.more = append(s.more, geowarden.Point{Lon: lon, Lat: lat})
			s.moreAt = append(s.moreAt, c.at)
			s.moreE7 = append(s.moreE7[:len(s.more)-1], c.e7)
		}
	}
	if len(s.more) == 0 {
		return nil
	}
	return s.more
}

// coordElems is a latitude and a longitude element of one parent with
// the same key (format.CoordName).
type coordElems struct {
	key string
	e7  bool
	at  [2]int // the latitude's and the longitude's element, -1 when none
}

// pointTexts reads the free text of the held point: the direct text of
// every element in it, comments, and attribute values other than lat and
// lon. It returns the positions found.
func (s *state) pointTexts() []geowarden.TextPos {
	p := &s.p
	t := &s.tx
	t.reset()
	for j := range p.elems {
		e := &p.elems[j]
		if e.empty {
			continue
		}
		s.skip = s.skip[:0]
		for k := j + 1; k < e.descEnd; k = p.elems[k].descEnd {
			s.skip = append(s.skip, span{p.elems[k].start, p.elems[k].end})
		}
		t.content(p.buf, e.cs, e.ce, s.skip, e.ls, e.qe, &s.cs)
	}
	for _, a := range p.attrs {
		t.attr(p.buf, a.v0, a.v1, a.n0, a.n1, &s.cs)
	}
	return t.find(p.buf)
}

// badMove reports whether an edit moves a point, or one of its other
// positions, to a position that is not a WGS-84 coordinate: the point is
// dropped rather than written unreadable.
func badMove(ed *geowarden.Edit) bool {
	if !ed.Move {
		return false
	}
	for _, m := range ed.More {
		if format.CheckPoint(m.Lon, m.Lat) != nil {
			return true
		}
	}
	return format.CheckPoint(ed.Pos.Lon, ed.Pos.Lat) != nil
}

// position reads the lat and lon attributes of elems[i].
func (s *state) position(i int) (lon, lat float64, perr *format.ParseError) {
	p := &s.p
	e := &p.elems[i]
	if e.lat[0] < 0 || e.lon[0] < 0 {
		miss := "lat"
		if e.lat[0] >= 0 {
			miss = "lon"
		}
		return 0, 0, parseErr(s.file, e.at, newErr(ErrPoint, "<%s> has no %s attribute", p.name(i), miss))
	}
	var err *format.ParseError
	lat, err = s.coord(i, e.lat, "lat")
	if err != nil {
		return 0, 0, err
	}
	lon, err = s.coord(i, e.lon, "lon")
	if err != nil {
		return 0, 0, err
	}
	if cerr := format.CheckPoint(lon, lat); cerr != nil {
		return 0, 0, parseErr(s.file, e.at, &gpxError{kind: ErrPoint, msg: "<" + string(p.name(i)) + ">", cause: cerr})
	}
	return lon, lat, nil
}

// coord parses the attribute value buf[r[0]:r[1]] of elems[i] as a decimal
// number.
func (s *state) coord(i int, r [2]int, name string) (float64, *format.ParseError) {
	p := &s.p
	e := &p.elems[i]
	raw := p.buf[r[0]:r[1]]
	p.txt = resolve(p.txt[:0], raw, &s.cs, true)
	v := bytes.Trim(p.txt, " \t\r\n")
	f, ok := format.ParseDecimal(v)
	if !ok {
		at := e.at.advance(p.buf[e.start:], r[0]-e.start)
		return 0, parseErr(s.file, at, newErr(ErrPoint, "%s=%q in <%s> is not a decimal number", name, raw, p.name(i)))
	}
	return f, nil
}

// fill sets s.rec from elems[i].
func (s *state) fill(i int, lon, lat float64) {
	p := &s.p
	e := &p.elems[i]
	s.rec = geowarden.Record{
		Shape: geowarden.ShapePoint,
		Pos:   geowarden.Point{Lon: lon, Lat: lat},
		Kind:  geowarden.KindFix,
		Attrs: &s.attrs,
		Ref:   geowarden.Ref{File: s.file, Line: e.at.line, Offset: e.at.off, Feature: -1},
	}
	s.attrs.i = i
	if c := p.child(i, "ele"); c >= 0 {
		if f, ok := format.ParseDecimal(p.textBytes(c, &s.cs)); ok && !math.IsInf(f, 0) {
			s.rec.Alt, s.rec.HasAlt = f, true
		}
	}
	if c := p.child(i, "time"); c >= 0 {
		if t, ok := parseTime(p.text(c, &s.cs)); ok {
			s.rec.Time = t
		}
	}
	if c := p.child(i, "src"); c >= 0 {
		s.rec.Source = p.text(c, &s.cs)
	}
}

// child returns the first child of elems[i] with the local name, or -1.
func (p *point) child(i int, local string) int {
	e := &p.elems[i]
	for j := i + 1; j < e.descEnd; j++ {
		if int(p.elems[j].parent) == i && string(p.local(j)) == local {
			return j
		}
		j = p.elems[j].descEnd - 1
	}
	return -1
}

// targets calls f for the elements of elems[i] that an attribute name
// designates: its children with that local name (ignoring case) or, when
// it has none, the deeper elements with that name.
func (p *point) targets(i int, name string, f func(j int) bool) {
	e := &p.elems[i]
	found := false
	for j := i + 1; j < e.descEnd; j = p.elems[j].descEnd {
		if strings.EqualFold(string(p.local(j)), name) {
			found = true
			if !f(j) {
				return
			}
		}
	}
	if found {
		return
	}
	for j := i + 1; j < e.descEnd; j++ {
		if int(p.elems[j].parent) != i && strings.EqualFold(string(p.local(j)), name) {
			if !f(j) {
				return
			}
			j = p.elems[j].descEnd - 1
		}
	}
}

// elemNames returns the local names of the elements that hold an
// attribute: "source" is <src>, "link" is <link>, or in GPX 1.0 <url> and
// <urlname>; any other name is itself.
func elemNames(name string) []string {
	switch strings.ToLower(name) {
	case "source":
		return []string{"src"}
	case "link":
		return []string{"link", "url", "urlname"}
	}
	return []string{name}
}

// text returns the character data of elems[j], references resolved,
// markup left out, decoded to UTF-8, white space trimmed.
func (p *point) text(j int, cs *charset) string {
	return string(p.textBytes(j, cs))
}

// textBytes is text, in a buffer valid until the next call.
func (p *point) textBytes(j int, cs *charset) []byte {
	e := &p.elems[j]
	p.txt = resolve(p.txt[:0], p.buf[e.cs:e.ce], cs, false)
	return bytes.Trim(p.txt, " \t\r\n")
}

// resolve appends the UTF-8 character data of well-formed content b to
// dst: tags, comments and processing instructions left out, CDATA
// sections unwrapped, references resolved, line ends normalised. In an
// attribute value (attr), white-space characters become spaces.
func resolve(dst, b []byte, cs *charset, attr bool) []byte {
	run := 0 // start of the raw run not yet appended
	flush := func(i int) {
		if i > run {
			dst = cs.decode(dst, b[run:i])
		}
	}
	for i := 0; i < len(b); {
		switch b[i] {
		case '&':
			flush(i)
			n, r, _ := parseRef(b[i:])
			if n == 0 {
				n = 1
				r = '&'
			}
			dst = appendRune(dst, r)
			i += n
			run = i
		case '<':
			flush(i)
			rest := b[i:]
			var n int
			switch {
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				k := bytes.Index(rest, []byte("]]>"))
				if k < 0 {
					k = len(rest) - 3
				}
				dst = cs.decode(dst, rest[9:k])
				n = k + 3
			case bytes.HasPrefix(rest, []byte("<!--")):
				n = indexAfter(rest, "-->")
			case bytes.HasPrefix(rest, []byte("<?")):
				n = indexAfter(rest, "?>")
			default:
				n = tagLen(rest)
			}
			i += n
			run = i
		case '\r':
			flush(i)
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			dst = append(dst, '\n')
			i++
			run = i
		default:
			i++
		}
	}
	flush(len(b))
	if attr {
		for k, c := range dst {
			if c == '\t' || c == '\n' || c == '\r' {
				dst[k] = ' '
			}
		}
	}
	return dst
}

func appendRune(dst []byte, r rune) []byte {
	if r < 0x80 {
		return append(dst, byte(r))
	}
	return append(dst, string(r)...)
}

func indexAfter(b []byte, pat string) int {
	k := bytes.Index(b, []byte(pat))
	if k < 0 {
		return len(b)
	}
	return k + len(pat)
}

// tagLen returns the length of the tag at b[0], skipping quoted values.
func tagLen(b []byte) int {
	var q byte
	for i := 1; i < len(b); i++ {
		c := b[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '>':
			return i + 1
		}
	}
	return len(b)
}

// parseTime parses an xsd:dateTime: RFC 3339, or without a zone (taken as
// UTC, as GPX readers do).
func parseTime(v string) (time.Time, bool) {
	if len(v) < 19 || len(v) > 64 {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// pointAttrs gives a record's child elements by local name.
type pointAttrs struct {
	s *state
	i int // the record's element; -1 outside a Handler call
}

// Attr returns the text of the record's first child element with that
// local name (ignoring case; "source" is <src>, "link" is <link> or in
// GPX 1.0 <url>), or of the first deeper element with it when no child
// has it; for <link>, its href.
func (a *pointAttrs) Attr(name string) (string, bool) {
	if a.i < 0 {
		return "", false
	}
	p := &a.s.p
	v, ok := "", false
	for _, n := range elemNames(name) {
		p.targets(a.i, n, func(j int) bool {
			e := &p.elems[j]
			if e.href[0] >= 0 && strings.EqualFold(string(p.local(j)), "link") {
				p.txt = resolve(p.txt[:0], p.buf[e.href[0]:e.href[1]], &a.s.cs, true)
				v = string(p.txt)
			} else {
				v = p.text(j, &a.s.cs)
			}
			ok = true
			return false
		})
		if ok {
			break
		}
	}
	return v, ok
}
