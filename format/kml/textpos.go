package kml

import (
	"bytes"
	"slices"
	"unicode/utf8"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/geotext"
)

// featureTexts scans the free text of feature root for positions: its
// name, description, Snippet and address, its ExtendedData Data values
// and SimpleData, and the text of every BalloonStyle in it.
func (rw *rewriter) featureTexts(root int32) {
	f := &rw.f
	rs := &rw.rec
	for i := 0; i < rs.attrs.nBase; i++ {
		e := &rs.attrs.entries[i]
		if e.val < 0 || e.kind == eDirect && f.nodes[e.elem].code == cPhoneNumber {
			continue
		}
		rw.scanText(e.val, e.name)
	}
	rw.balloonTexts(root)
}

// balloonTexts scans the text of the BalloonStyles inside element root.
func (rw *rewriter) balloonTexts(root int32) {
	f := &rw.f
	end := f.nodes[root].end
	for k := root; int(k) < len(f.nodes) && f.nodes[k].start < end; k++ {
		if f.nodes[k].code == cBalloonStyle {
			if t := f.child(k, cText); t >= 0 {
				rw.scanText(t, balloonField)
			}
		}
	}
}

var balloonField = []byte("BalloonStyle/text")

// scanText appends the positions written in the content of element k to
// recState.texts, with field as their Field. Offsets are those of the
// decoded content as written (references resolved, CDATA sections
// unwrapped, comments and the tags of child elements left out), not
// trimmed. An ambiguous match (a pair that reads as a position in both
// orders) is given twice, once in each order, with the same offsets.
func (rw *rewriter) scanText(k int32, field []byte) {
	rs := &rw.rec
	raw := rw.f.content(k)
	if !hasDigit(raw) {
		return
	}
	b := raw
	elems := false
	if !plain(raw) || rw.latin1 {
		rs.tbuf, elems = text(rs.tbuf[:0], raw, rw.latin1)
		b = rs.tbuf
	}
	// Text with child elements (HTML written as elements, not KML): read
	// with a blank for each tag, so that the text of two elements does
	// not run together; eat and eend map back to the offsets of b.
	var eat, eend []int32
	if elems {
		rs.eview, rs.eat, rs.eend = elemView(rs.eview[:0], rs.eat[:0], rs.eend[:0], raw, rw.latin1)
		b, eat, eend = rs.eview, rs.eat, rs.eend
	}
	back := func(start, end int) (int, int) {
		if eat == nil {
			return start, end
		}
		return int(eat[start]), int(eend[end-1])
	}
	first := len(rs.texts)
	name := ""
	add := func(p geowarden.Point, start, end int) {
		if name == "" {
			name = string(field)
		}
		rs.texts = append(rs.texts, geowarden.TextPos{Pos: p, Field: name, Start: start, End: end})
		rs.tnodes = append(rs.tnodes, k)
	}
	for m := range geotext.All(b) {
		start, end := back(m.Start, m.End)
		add(m.Point, start, end)
		if m.Ambiguous {
			add(m.Swapped(), start, end)
		}
	}
	if bytes.IndexByte(b, '<') < 0 && bytes.IndexByte(b, '&') < 0 {
		return
	}
	// The text is HTML (a balloon's description): read it as shown too,
	// tags as blanks and HTML references resolved, so that
	// "35.8506<br>14.4506" or "35&deg;51'02&quot;N ..." is found. The
	// offsets are those of the text as written: a position's range there
	// may hold the tags between its parts. A position found in the text
	// as written too (the same position, in a range that holds this one)
	// is given once. Both runs of matches are in order of their start.
	last := len(rs.texts)
	j := first
	rs.hview, rs.hat, rs.hend = htmlView(rs.hview[:0], rs.hat[:0], rs.hend[:0], b)
	for m := range geotext.All(rs.hview) {
		start, end := back(int(rs.hat[m.Start]), int(rs.hend[m.End-1]))
		for j < last && rs.texts[j].End <= start {
			j++
		}
		for i, p := range [2]geowarden.Point{m.Point, m.Swapped()} {
			if i == 1 && !m.Ambiguous {
				break
			}
			dup := false
			for q := j; q < last && rs.texts[q].Start < end && !dup; q++ {
				dup = rs.texts[q].Pos == p && rs.texts[q].Start <= start && end <= rs.texts[q].End
			}
			if !dup {
				add(p, start, end)
			}
		}
	}
}

// elemView appends to view the text of raw content as text decodes it,
// but with a blank for each tag of a child element. For each byte of
// view, at and end give its offset in the text as text decodes it (a
// tag's blank is at the offset where the tag stands, and ends there).
func elemView(view []byte, at, end []int32, raw []byte, latin1 bool) ([]byte, []int32, []int32) {
	d := int32(0)
	emit := func(s []byte) {
		for _, c := range s {
			view, at, end = append(view, c), append(at, d), append(end, d+1)
			d++
		}
	}
	var tmp []byte
	for i := 0; i < len(raw); {
		j := i + 1
		switch c := raw[i]; {
		case c == '&':
			j = i + bytes.IndexByte(raw[i:], ';') + 1
			tmp, _ = text(tmp[:0], raw[i:j], latin1)
			emit(tmp)
		case c == '<':
			rest := raw[i:]
			switch {
			case bytes.HasPrefix(rest, cdataOpen):
				j = i + bytes.Index(rest, cdataEnd) + len(cdataEnd)
				tmp, _ = text(tmp[:0], raw[i:j], latin1)
				emit(tmp)
			case bytes.HasPrefix(rest, commentOpen):
				j = i + bytes.Index(rest, commentEnd) + len(commentEnd)
			case bytes.HasPrefix(rest, []byte("<?")):
				j = i + bytes.Index(rest, piEnd) + len(piEnd)
			default:
				j = i + tagEnd(rest)
				view, at, end = append(view, ' '), append(at, d), append(end, d)
			}
		default:
			for j < len(raw) && raw[j] != '&' && raw[j] != '<' {
				j++
			}
			tmp = appendChars(tmp[:0], raw[i:j], latin1)
			emit(tmp)
		}
		i = j
	}
	return view, at, end
}

// htmlView appends to view the text of HTML b as a browser shows it, near
// enough to read positions: each tag a blank, character references and
// the HTML entities that write blanks, quotes, signs and degree, minute
// and second marks resolved (others left as written). For each byte of
// view, at and end give where its source lies in b.
func htmlView(view []byte, at, end []int32, b []byte) ([]byte, []int32, []int32) {
	emit := func(s []byte, from, to int) {
		for _, c := range s {
			view = append(view, c)
			at = append(at, int32(from))
			end = append(end, int32(to))
		}
	}
	var buf [utf8.UTFMax]byte
	for i := 0; i < len(b); {
		switch b[i] {
		case '<':
			if j := bytes.IndexByte(b[i:], '>'); j > 0 {
				emit([]byte{' '}, i, i+j+1)
				i += j + 1
				continue
			}
		case '&':
			if j := bytes.IndexByte(b[i:min(len(b), i+12)], ';'); j > 1 {
				if r, ok := htmlEntity(b[i+1 : i+j]); ok {
					emit(buf[:utf8.EncodeRune(buf[:], r)], i, i+j+1)
					i += j + 1
					continue
				}
			}
		}
		emit(b[i:i+1], i, i+1)
		i++
	}
	return view, at, end
}

// htmlEntity resolves the name of an HTML reference (without & and ;).
func htmlEntity(name []byte) (rune, bool) {
	if len(name) > 1 && name[0] == '#' {
		d := name[1:]
		if d[0] == 'X' {
			d = append([]byte{'x'}, d[1:]...)
		}
		return charRef(d)
	}
	switch string(name) {
	case "nbsp", "ensp", "emsp", "thinsp":
		return ' ', true
	case "deg":
		return '°', true
	case "ordm":
		return 'º', true
	case "prime":
		return '′', true
	case "Prime":
		return '″', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "minus":
		return '-', true
	}
	return 0, false
}

func hasDigit(b []byte) bool {
	for _, c := range b {
		if c-'0' < 10 {
			return true
		}
	}
	return false
}

// redact carries out an edit's Redact: the text of each listed position
// (an index in recState.texts[base:]) is replaced with
// geowarden.RedactedText in its element, everything else of the element
// kept as written.
func (rw *rewriter) redact(base int, idx []int) {
	rs := &rw.rec
	if len(idx) == 0 {
		return
	}
	// The ranges to redact, by element then start.
	rs.ranges = rs.ranges[:0]
	for _, i := range idx {
		if i += base; i >= base && i < len(rs.texts) {
			rs.ranges = append(rs.ranges, [3]int{int(rs.tnodes[i]), rs.texts[i].Start, rs.texts[i].End})
		}
	}
	slices.SortFunc(rs.ranges, func(a, b [3]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	for i := 0; i < len(rs.ranges); {
		k := rs.ranges[i][0]
		j := i
		merged := rs.merged[:0]
		for ; j < len(rs.ranges) && rs.ranges[j][0] == k; j++ {
			r := [2]int{rs.ranges[j][1], rs.ranges[j][2]}
			if n := len(merged); n > 0 && r[0] < merged[n-1][1] {
				merged[n-1][1] = max(merged[n-1][1], r[1])
				continue
			}
			merged = append(merged, r)
		}
		rs.merged = merged
		rs.out = redactContent(rs.out[:0], rw.f.content(int32(k)), merged, rw.latin1)
		rw.setAct(int32(k), aContent, rs.out)
		i = j
	}
}

// redactContent appends raw element content to dst with the characters
// at the decoded offsets of ranges (sorted, not overlapping) replaced by
// geowarden.RedactedText, once per range. It decodes as text does, so
// that offsets agree with it; markup inside a range (tags, comments,
// the delimiters of CDATA sections) is kept, so that the content stays
// well formed, and the replacement is written inside a CDATA section when
// the range starts in one.
func redactContent(dst, raw []byte, ranges [][2]int, latin1 bool) []byte {
	d := 0      // decoded offset
	r := 0      // current range
	wrote := -1 // the range whose replacement is written
	after := false
	// char handles one character unit: the bytes u, decoding to n bytes;
	// next is the raw byte after it (0 at the end), cdata whether it is
	// inside a CDATA section.
	char := func(u []byte, n int, next byte, cdata bool) {
		for r < len(ranges) && d >= ranges[r][1] {
			r++
		}
		if r < len(ranges) && d >= ranges[r][0] {
			if wrote != r {
				dst = append(dst, geowarden.RedactedText...)
				wrote, after = r, true
			}
			d += n
			return
		}
		if after && u[0] == ']' && next == '>' {
			// "]" after the replacement's "]" and before ">" would end
			// a CDATA section, or be "]]>" in character data.
			if cdata {
				dst = append(dst, "]]><![CDATA["...)
			} else {
				u = []byte("&#93;")
			}
		}
		after = false
		dst = append(dst, u...)
		d += n
	}
	width := func(c byte) int {
		if latin1 && c >= utf8.RuneSelf {
			return 2
		}
		return 1
	}
	at := func(i int) byte {
		if i < len(raw) {
			return raw[i]
		}
		return 0
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '&':
			e := bytes.IndexByte(raw[i:], ';')
			ref := raw[i+1 : i+e]
			n := 1
			if len(ref) > 0 && ref[0] == '#' {
				cr, _ := charRef(ref[1:])
				n = utf8.RuneLen(cr)
			}
			char(raw[i:i+e+1], n, at(i+e+1), false)
			i += e + 1
		case c == '<':
			rest := raw[i:]
			var e int
			switch {
			case bytes.HasPrefix(rest, cdataOpen):
				e = bytes.Index(rest, cdataEnd)
				dst = append(dst, cdataOpen...)
				after = false
				inner := rest[len(cdataOpen):e]
				for j := range inner {
					next := byte(']') // the section's end follows
					if j+1 < len(inner) {
						next = inner[j+1]
					}
					char(inner[j:j+1], width(inner[j]), next, true)
				}
				dst = append(dst, cdataEnd...)
				e += len(cdataEnd)
			case bytes.HasPrefix(rest, commentOpen):
				e = bytes.Index(rest, commentEnd) + len(commentEnd)
				dst = append(dst, rest[:e]...)
			case bytes.HasPrefix(rest, []byte("<?")):
				e = bytes.Index(rest, piEnd) + len(piEnd)
				dst = append(dst, rest[:e]...)
			default:
				e = tagEnd(rest)
				dst = append(dst, rest[:e]...)
			}
			after = false
			i += e
		default:
			char(raw[i:i+1], width(c), at(i+1), false)
			i++
		}
	}
	return dst
}
