package gpx

import (
	"bytes"
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/geotext"
)

// Free text. Every piece of character data in a GPX file is a field that
// may hold a position written as text (geotext): the direct text of each
// element (its content without its child elements, CDATA sections
// unwrapped, references resolved), the body of each comment, and the value
// of each attribute that is not a point's lat or lon or a namespace
// declaration. A field is decoded to UTF-8 with, for every decoded byte,
// the raw bytes it comes from, so that a position is redacted by replacing
// exactly its own raw bytes and nothing else of the file changes.

// unit is the raw bytes buf[r0:r1] that one decoded byte of a field comes
// from, in piece run: raw bytes of one piece are contiguous, and a piece
// ends at markup (a CDATA boundary, a comment, a child element).
type unit struct{ r0, r1, run int32 }

// fieldKind is where a field's text stands.
type fieldKind uint8

const (
	fText    fieldKind = iota // character data of an element
	fComment                  // the body of a comment
	fAttr                     // an attribute value
)

// field is one piece of free text: d[d0:d1] decoded from the raw bytes
// buf[r0:r1] (without the child elements skips[k0:k1]).
type field struct {
	kind   fieldKind
	n0, n1 int // its name: an element's or attribute's local name
	r0, r1 int
	k0, k1 int
	d0, d1 int
}

// hit is a position found in a field: decoded bytes d[s:e].
type hit struct{ f, s, e int }

// texts holds the fields of one record (a point with everything inside
// it, a run of text outside points, a start tag) and the positions found
// in them. Its slices are reused.
//
// Fields are decoded without their units, which only a redaction needs:
// it decodes the field again with them (units).
type texts struct {
	d      []byte
	u      []unit // with on: the units of d
	on     bool
	skips  []span
	fields []field
	hits   []hit // parallel to pos
	pos    []geowarden.TextPos
	run    int32
	cmts   [][2]int // comments found by content, added after its text
	iv     []hit    // scratch of redact
	rs     []rng
	rd     []byte // scratch of units
	ru     []unit
}

func (t *texts) reset() {
	t.d, t.u, t.fields, t.hits, t.pos, t.cmts = t.d[:0], t.u[:0], t.fields[:0], t.hits[:0], t.pos[:0], t.cmts[:0]
	t.skips = t.skips[:0]
}

// span is a part of the raw buffer skipped by content: a child element.
type span struct{ s, e int }

// emit appends the decoded form of raw bytes buf[a:b] (character data
// without markup or references), in the current piece.
func (t *texts) emit(buf []byte, a, b int, cs *charset) {
	if a >= b {
		return
	}
	if cs.utf8() {
		t.d = append(t.d, buf[a:b]...)
		if t.on {
			for k := a; k < b; k++ {
				t.u = append(t.u, unit{int32(k), int32(k + 1), t.run})
			}
		}
		return
	}
	// Another encoding: the decoded bytes of a chunk are not mapped one
	// by one; each stands for the whole chunk, so a redaction replaces
	// the whole chunk.
	n := len(t.d)
	t.d = cs.decode(t.d, buf[a:b])
	if t.on {
		for range len(t.d) - n {
			t.u = append(t.u, unit{int32(a), int32(b), t.run})
		}
	}
}

// emitOne appends decoded bytes v that stand for the raw bytes buf[a:b]
// (a reference, a line end).
func (t *texts) emitOne(v []byte, a, b int) {
	t.d = append(t.d, v...)
	if t.on {
		for range v {
			t.u = append(t.u, unit{int32(a), int32(b), t.run})
		}
	}
}

// ref appends the character of the reference at buf[i] (before end) and
// returns the offset after it.
func (t *texts) ref(buf []byte, i, end int) int {
	n, r, _ := parseRef(buf[i:end])
	if n == 0 {
		n, r = 1, '&'
	}
	var tmp [4]byte
	t.emitOne(appendRune(tmp[:0], r), i, i+n)
	return i + n
}

// content adds the direct text of well-formed content buf[from:to] as a
// field named buf[n0:n1], leaving out the child elements in skip (sorted),
// and the body of each comment in it as a field of its own.
func (t *texts) content(buf []byte, from, to int, skip []span, n0, n1 int, cs *charset) {
	k0 := len(t.skips)
	t.skips = append(t.skips, skip...)
	f := field{kind: fText, n0: n0, n1: n1, r0: from, r1: to, k0: k0, k1: len(t.skips), d0: len(t.d)}
	cmt := len(t.cmts)
	t.decodeContent(buf, from, to, skip, cs)
	f.d1 = len(t.d)
	t.add(f)
	for _, c := range t.cmts[cmt:] {
		t.run++
		g := field{kind: fComment, r0: c[0], r1: c[1], d0: len(t.d)}
		t.emit(buf, c[0], c[1], cs)
		g.d1 = len(t.d)
		t.add(g)
	}
	t.cmts = t.cmts[:cmt]
}

// decodeContent appends the direct text of buf[from:to] without the child
// elements in skip, and notes the comments in it in t.cmts.
func (t *texts) decodeContent(buf []byte, from, to int, skip []span, cs *charset) {
	t.run++
	k := 0
	for i := from; i < to; {
		if k < len(skip) && i >= skip[k].s {
			i = max(i, skip[k].e)
			k++
			t.run++
			continue
		}
		end := to
		if k < len(skip) {
			end = min(end, skip[k].s)
		}
		switch buf[i] {
		case '&':
			i = t.ref(buf, i, end)
		case '<':
			rest := buf[i:end]
			t.run++
			switch {
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				e := bytes.Index(rest, []byte("]]>"))
				if e < 0 {
					e = len(rest) - 3
				}
				t.emit(buf, i+9, i+e, cs)
				i += e + 3
			case bytes.HasPrefix(rest, []byte("<!--")):
				n := indexAfter(rest, "-->")
				if n >= 7 {
					t.cmts = append(t.cmts, [2]int{i + 4, i + n - 3})
				}
				i += n
			case bytes.HasPrefix(rest, []byte("<?")):
				i += indexAfter(rest, "?>")
			default:
				i += tagLen(rest)
			}
			t.run++
		case '\r':
			n := 1
			if i+1 < end && buf[i+1] == '\n' {
				n = 2
			}
			t.emitOne([]byte{'\n'}, i, i+n)
			i += n
		default:
			j := i + 1
			for j < end && buf[j] != '&' && buf[j] != '<' && buf[j] != '\r' {
				j++
			}
			t.emit(buf, i, j, cs)
			i = j
		}
	}
}

// attr adds the raw attribute value buf[v0:v1], named buf[n0:n1], as a
// field.
func (t *texts) attr(buf []byte, v0, v1, n0, n1 int, cs *charset) {
	f := field{kind: fAttr, n0: n0, n1: n1, r0: v0, r1: v1, d0: len(t.d)}
	t.decodeAttr(buf, v0, v1, cs)
	f.d1 = len(t.d)
	t.add(f)
}

// decodeAttr appends the decoded attribute value buf[v0:v1].
func (t *texts) decodeAttr(buf []byte, v0, v1 int, cs *charset) {
	t.run++
	for i := v0; i < v1; {
		switch buf[i] {
		case '&':
			i = t.ref(buf, i, v1)
		case '\r', '\n', '\t':
			n := 1
			if buf[i] == '\r' && i+1 < v1 && buf[i+1] == '\n' {
				n = 2
			}
			t.emitOne([]byte{' '}, i, i+n)
			i += n
		default:
			j := i + 1
			for j < v1 && buf[j] != '&' && buf[j] != '\r' && buf[j] != '\n' && buf[j] != '\t' {
				j++
			}
			t.emit(buf, i, j, cs)
			i = j
		}
	}
}

// units decodes field f of buf again, with the units of its bytes.
func (t *texts) units(buf []byte, f *field, cs *charset) []unit {
	d, u, cmts := t.d, t.u, len(t.cmts)
	t.d, t.u, t.on = t.rd[:0], t.ru[:0], true
	switch f.kind {
	case fText:
		t.decodeContent(buf, f.r0, f.r1, t.skips[f.k0:f.k1], cs)
	case fComment:
		t.emit(buf, f.r0, f.r1, cs)
	case fAttr:
		t.decodeAttr(buf, f.r0, f.r1, cs)
	}
	t.rd, t.ru = t.d, t.u
	t.d, t.u, t.on, t.cmts = d, u, false, t.cmts[:cmts]
	return t.ru
}

// add keeps a field that is not only white space.
func (t *texts) add(f field) {
	if allSpace(t.d[f.d0:f.d1]) {
		t.d = t.d[:f.d0]
		return
	}
	t.fields = append(t.fields, f)
}

// find looks for positions in every field; buf is the raw buffer the
// fields' names are in. It returns the positions found (t.pos).
func (t *texts) find(buf []byte) []geowarden.TextPos {
	for fi := range t.fields {
		f := &t.fields[fi]
		v := t.d[f.d0:f.d1]
		trim := len(v) - len(bytes.TrimLeft(v, " \t\r\n"))
		name := ""
		for m := range geotext.All(v) {
			if name == "" {
				name = t.name(buf, f)
			}
			t.hits = append(t.hits, hit{fi, f.d0 + m.Start, f.d0 + m.End})
			t.pos = append(t.pos, geowarden.TextPos{Pos: m.Point, Field: name, Start: m.Start - trim, End: m.End - trim})
			if m.Ambiguous {
				t.hits = append(t.hits, hit{fi, f.d0 + m.Start, f.d0 + m.End})
				t.pos = append(t.pos, geowarden.TextPos{Pos: m.Swapped(), Field: name, Start: m.Start - trim, End: m.End - trim})
			}
		}
	}
	return t.pos
}

// name is the field's name in Record.Text: an element's or an attribute's
// local name, or "comment".
func (t *texts) name(buf []byte, f *field) string {
	if f.kind == fComment {
		return "comment"
	}
	return string(localName(buf[f.n0:f.n1]))
}

// rng is a raw range of a redacted position: the first range of each
// position is replaced with RedactedText, the others (pieces of the same
// position behind markup) are emptied.
type rng struct {
	r0, r1 int
	first  bool
}

// redact returns the raw ranges in buf of the positions idx (indexes in
// t.pos), overlapping positions merged, sorted. The slice is reused.
func (t *texts) redact(buf []byte, idx []int, cs *charset) []rng {
	t.rs = t.rs[:0]
	f := func(r0, r1 int, first bool) { t.rs = append(t.rs, rng{r0, r1, first}) }
	t.iv = t.iv[:0]
	for _, i := range idx {
		if i >= 0 && i < len(t.hits) {
			t.iv = append(t.iv, t.hits[i])
		}
	}
	slices.SortFunc(t.iv, func(a, b hit) int { return a.s - b.s })
	// Merge positions that overlap or touch in the same field.
	m := t.iv[:0]
	for _, h := range t.iv {
		if n := len(m); n > 0 && m[n-1].f == h.f && h.s <= m[n-1].e {
			m[n-1].e = max(m[n-1].e, h.e)
			continue
		}
		m = append(m, h)
	}
	last := -1
	var us []unit
	for _, h := range m {
		fd := &t.fields[h.f]
		if h.f != last {
			us, last = t.units(buf, fd, cs), h.f
			if len(us) != fd.d1-fd.d0 {
				// Cannot happen: decoding is deterministic.
				panic("gpx: a field decodes to other bytes the second time")
			}
		}
		cur := us[h.s-fd.d0]
		first := true
		for k := h.s + 1; k < h.e; k++ {
			u := us[k-fd.d0]
			if u.run == cur.run && (u.r0 == cur.r1 || u.r0 == cur.r0 && u.r1 == cur.r1) {
				cur.r1 = max(cur.r1, u.r1)
				continue
			}
			f(int(cur.r0), int(cur.r1), first)
			first = false
			cur = u
		}
		f(int(cur.r0), int(cur.r1), first)
	}
	slices.SortFunc(t.rs, func(a, b rng) int { return a.r0 - b.r0 })
	return t.rs
}

// skipAttr reports whether an attribute is left out of the free text: a
// position's own lat and lon, and namespace declarations.
func skipAttr(name []byte) bool {
	switch string(name) {
	case "lat", "lon", "xmlns":
		return true
	}
	return bytes.HasPrefix(name, []byte("xmlns:"))
}

// held is a run of text, CDATA sections and comments outside points, held
// until the markup after it, so that positions in it can be redacted.
type held struct {
	active bool
	buf    []byte
	at     pos
	name   []byte // the local name of the element it is in
}

// addRun adds the current token to the run of text outside points.
func (s *state) addRun() error {
	t := &s.sc.tok
	r := &s.trun
	if !r.active {
		s.flushWS()
		if t.ws {
			// A piece of a long run of white space: no position.
			s.out(t.raw)
			return nil
		}
		r.active = true
		r.buf = r.buf[:0]
		r.at = t.at
		r.name = r.name[:0]
		if n := len(s.stack); n > 0 {
			r.name = append(r.name, localName(s.stack[n-1].name)...)
		}
	}
	r.buf = append(r.buf, t.raw...)
	if len(r.buf) > s.max {
		return s.fatal(r.at, format.ErrTooLong, "text longer than %d bytes outside points: positions in it could not be checked", s.max)
	}
	return nil
}

// endRun reads the held run of text for positions, asks the handler about
// them, and writes the run, redacted as the handler says.
func (s *state) endRun() error {
	r := &s.trun
	if !r.active {
		return nil
	}
	r.active = false
	tx := &s.tx
	tx.reset()
	tx.content(r.buf, 0, len(r.buf), nil, 0, len(r.name), &s.cs)
	if len(tx.find(r.name)) == 0 {
		s.out(r.buf)
		return nil
	}
	if err := s.ctx.Err(); err != nil {
		return err
	}
	s.tag = s.redactInto(s.tag[:0], r.buf, s.fileText(r.at))
	s.out(s.tag)
	return nil
}

// tagTexts returns the current start tag (outside points), with the
// positions in its attribute values redacted as the handler says.
func (s *state) tagTexts() []byte {
	t := &s.sc.tok
	if len(t.attrs) == 0 {
		return t.raw
	}
	tx := &s.tx
	tx.reset()
	for _, a := range t.attrs {
		if !skipAttr(a.name) {
			tx.attr(t.raw, a.valAt, a.valAt+len(a.val), a.nameAt, a.nameAt+len(a.name), &s.cs)
		}
	}
	if len(tx.find(t.raw)) == 0 {
		return t.raw
	}
	s.tag = s.redactInto(s.tag[:0], t.raw, s.fileText(t.at))
	return s.tag
}

// fileText asks the handler about the positions in s.tx, free text that
// belongs to no point: a record of kind feature without a position of its
// own. It returns the indexes of the positions to redact: those of
// Edit.Redact, or all of them when the record is dropped.
func (s *state) fileText(at pos) []int {
	s.rec = geowarden.Record{
		Shape: geowarden.ShapeNone,
		Kind:  geowarden.KindFeature,
		Text:  s.tx.pos,
		Attrs: &s.attrs,
		Ref:   geowarden.Ref{File: s.file, Line: at.line, Offset: at.off, Feature: -1},
	}
	ed := s.h.Record(&s.rec)
	if !ed.Drop {
		return ed.Redact
	}
	s.all = s.all[:0]
	for i := range s.tx.pos {
		s.all = append(s.all, i)
	}
	return s.all
}

// redactInto appends buf to dst with the positions idx of s.tx redacted.
func (s *state) redactInto(dst, buf []byte, idx []int) []byte {
	last := 0
	for _, r := range s.tx.redact(buf, idx, &s.cs) {
		dst = append(dst, buf[last:r.r0]...)
		if r.first {
			dst = s.cs.redacted(dst)
		}
		last = r.r1
	}
	return append(dst, buf[last:]...)
}

// redacted is RedactedText as character data in the document's encoding.
func (cs *charset) redacted(dst []byte) []byte {
	return cs.appendEscaped(dst, geowarden.RedactedText, true)
}
