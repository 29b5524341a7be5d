package kml

import (
	"bytes"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/geowarden/geowarden/format"
)

// code identifies the KML elements geowarden reads, by local name (any
// prefix: KML 2.2, KML 2.3 and gx: elements alike).
type code uint8

const (
	cOther code = iota
	cPlacemark
	cGroundOverlay
	cPhotoOverlay
	cNetworkLink
	cDocument
	cFolder
	cName
	cDescription
	cSnippet
	cAddress
	cPhoneNumber
	cTimeStamp
	cTimeSpan
	cWhen
	cBegin
	cEnd
	cExtendedData
	cData
	cValue
	cSchemaData
	cSimpleData
	cSimpleArrayData
	cPoint
	cLineString
	cLinearRing
	cPolygon
	cOuterBoundaryIs
	cInnerBoundaryIs
	cCoordinates
	cMultiGeometry
	cMultiPolygon
	cMultiLineString
	cMultiPoint
	cTrack
	cMultiTrack
	cCoord
	cAngles
	cInterpolate
	cModel
	cLocation
	cLongitude
	cLatitude
	cLookAt
	cCamera
	cRegion
	cLatLonBox
	cLatLonQuad
	cLatLonAltBox
	cBalloonStyle
	cText
	cNorth
	cSouth
	cEast
	cWest
	cRotation
	cLink
	cURL
	cHref
)

var codes = map[string]code{
	"Placemark": cPlacemark, "GroundOverlay": cGroundOverlay, "PhotoOverlay": cPhotoOverlay, "NetworkLink": cNetworkLink,
	"Document": cDocument, "Folder": cFolder,
	"name": cName, "description": cDescription, "Snippet": cSnippet, "snippet": cSnippet, "address": cAddress, "phoneNumber": cPhoneNumber,
	"TimeStamp": cTimeStamp, "TimeSpan": cTimeSpan, "when": cWhen, "begin": cBegin, "end": cEnd,
	"ExtendedData": cExtendedData, "Data": cData, "value": cValue, "SchemaData": cSchemaData, "SimpleData": cSimpleData, "SimpleArrayData": cSimpleArrayData,
	"Point": cPoint, "LineString": cLineString, "LinearRing": cLinearRing, "Polygon": cPolygon,
	"outerBoundaryIs": cOuterBoundaryIs, "innerBoundaryIs": cInnerBoundaryIs, "coordinates": cCoordinates,
	"MultiGeometry": cMultiGeometry, "MultiPolygon": cMultiPolygon, "MultiLineString": cMultiLineString, "MultiPoint": cMultiPoint,
	"Track": cTrack, "MultiTrack": cMultiTrack, "coord": cCoord, "angles": cAngles, "interpolate": cInterpolate,
	"Model": cModel, "Location": cLocation, "longitude": cLongitude, "latitude": cLatitude,
	"LookAt": cLookAt, "Camera": cCamera, "Region": cRegion, "LatLonAltBox": cLatLonAltBox,
	"BalloonStyle": cBalloonStyle, "text": cText,
	"LatLonBox": cLatLonBox, "LatLonQuad": cLatLonQuad, "north": cNorth, "south": cSouth, "east": cEast, "west": cWest, "rotation": cRotation,
	"Link": cLink, "Url": cURL, "href": cHref,
}

func codeOf(local []byte) code { return codes[string(local)] }

// node is an element of a captured feature. Offsets are relative to the
// feature's buffer: the start tag is [start, open), the content
// [open, close), the end tag [close, end); an empty element has
// open == close == end. Nodes are numbered in document order, so a
// node's descendants follow it directly.
type node struct {
	code                    code
	start, open, close, end int32
	parent, first, last     int32
	next                    int32
}

// feature is a captured Placemark, GroundOverlay, PhotoOverlay or
// NetworkLink: its bytes (with the white space before it) and elements.
type feature struct {
	buf   []byte
	nodes []node
	base  int64 // absolute offset of buf[0]
	lead  int32 // length of the white space before the element
}

// capture reads a feature whose start tag is t into rw.f, then handles it.
func (rw *rewriter) capture(t token, c code) error {
	s := rw.s
	lead := t.start
	if rw.pendStart >= 0 && rw.pendEnd == t.start {
		lead = rw.pendStart
	} else {
		rw.flushPending()
	}
	rw.pendStart = -1
	s.keep = lead
	f := &rw.f
	f.nodes = f.nodes[:0]
	f.base = lead
	f.lead = int32(t.start - lead)
	rel := func(a int64) int32 { return int32(a - lead) }
	f.nodes = append(f.nodes, node{code: c, start: rel(t.start), open: rel(t.end), close: rel(t.end), end: rel(t.end), parent: -1, first: -1, last: -1, next: -1})
	cur := int32(0)
	if t.kind == tkEmpty {
		cur = -1
	}
	for cur >= 0 {
		tok, err := s.next()
		if err == io.EOF {
			n := &f.nodes[cur]
			nb := s.bytesAt(lead+int64(n.start), lead+int64(n.open))
			return s.errAt(s.abs(s.end), ErrSyntax, "unexpected end of input: <%s> opened at %s is not closed", truncate(nb[1:1+nameLen(nb[1:])], 40), s.lineColString(lead+int64(n.start)))
		}
		if err != nil {
			return err
		}
		if tok.end-lead > int64(rw.maxRec) || len(f.nodes) >= MaxElements {
			return rw.tooBig(t, lead, cur, tok)
		}
		switch tok.kind {
		case tkStart, tkEmpty:
			if depth := len(rw.stack) + rw.depthOf(cur) + 1; depth > MaxDepth {
				return s.errAt(tok.start, ErrDepth, "elements nested more than %d deep", MaxDepth)
			}
			i := int32(len(f.nodes))
			f.nodes = append(f.nodes, node{code: codeOf(localName(tok.name)), start: rel(tok.start), open: rel(tok.end), close: rel(tok.end), end: rel(tok.end), parent: cur, first: -1, last: -1, next: -1})
			p := &f.nodes[cur]
			if p.last >= 0 {
				f.nodes[p.last].next = i
			} else {
				p.first = i
			}
			p.last = i
			if tok.kind == tkStart {
				cur = i
			}
		case tkEnd:
			n := &f.nodes[cur]
			nb := s.bytesAt(lead+int64(n.start), lead+int64(n.open))
			want := nb[1 : 1+nameLen(nb[1:])]
			if !bytes.Equal(want, tok.name) {
				line, _ := s.where(lead + int64(n.start))
				return s.errAt(tok.start, ErrSyntax, "expected </%s> to close the element opened at line %d, found </%s>", truncate(want, 40), line, truncate(tok.name, 40))
			}
			n.close, n.end = rel(tok.start), rel(tok.end)
			cur = n.parent
		case tkDoctype:
			return s.errAt(tok.start, ErrSyntax, "DOCTYPE inside an element")
		case tkPI:
			if string(tok.name) == "xml" {
				return s.errAt(tok.start, ErrSyntax, "the XML declaration must come first")
			}
		}
	}
	end := lead + int64(f.nodes[0].end)
	f.buf = s.bytesAt(lead, end)
	err := rw.feature()
	s.keep = -1
	return err
}

// depthOf returns how deep node i lies in the feature (the feature = 1).
func (rw *rewriter) depthOf(i int32) int {
	d := 0
	for ; i >= 0; i = rw.f.nodes[i].parent {
		d++
	}
	return d
}

// tooBig handles a feature over the size or element limit: Bad decides
// whether the rest of it is skipped (and left out) or the rewrite stops.
func (rw *rewriter) tooBig(t token, lead int64, cur int32, tok token) error {
	s := rw.s
	n0 := rw.f.nodes[0]
	tag := s.bytesAt(lead+int64(n0.start), lead+int64(n0.open))
	pe := s.errAt(t.start, format.ErrTooLong, "<%s> is larger than %d bytes or has more than %d elements", truncate(tag[1:1+nameLen(tag[1:])], 40), rw.maxRec, MaxElements)
	if c := rw.f.nodes[0].code; isFeature(c) && c != cNetworkLink || isGeometry(c) {
		rw.nFeat++
	}
	if err := rw.h.Bad(pe); err != nil {
		return err
	}
	// Skip the rest of the feature: re-open its elements on the stack,
	// which checks the end tags, and drop everything until it closes.
	f := &rw.f
	var chain []int32
	for i := cur; i >= 0; i = f.nodes[i].parent {
		chain = append(chain, i)
	}
	depth := len(rw.stack)
	for k := len(chain) - 1; k >= 0; k-- {
		n := f.nodes[chain[k]]
		nb := s.bytesAt(lead+int64(n.start), lead+int64(n.open))
		if err := rw.push(token{start: lead + int64(n.start), name: nb[1 : 1+nameLen(nb[1:])]}); err != nil {
			return err
		}
	}
	s.keep = -1
	switch tok.kind {
	case tkStart:
		if err := rw.push(tok); err != nil {
			return err
		}
	case tkEnd:
		if err := rw.pop(tok); err != nil {
			return err
		}
	}
	for len(rw.stack) > depth {
		tok, err := s.next()
		if err == io.EOF {
			top := rw.stack[len(rw.stack)-1]
			return s.errAt(s.abs(s.end), ErrSyntax, "unexpected end of input: <%s> opened at line %d is not closed", rw.names[top.nameAt:top.nameEnd], top.line)
		}
		if err != nil {
			return err
		}
		switch tok.kind {
		case tkStart:
			if err := rw.push(tok); err != nil {
				return err
			}
		case tkEnd:
			if err := rw.pop(tok); err != nil {
				return err
			}
		case tkDoctype:
			return s.errAt(tok.start, ErrSyntax, "DOCTYPE inside an element")
		}
		if rw.ntok++; rw.ntok&1023 == 0 {
			if err := rw.ctx.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// child returns the first child of i with code c, or -1.
func (f *feature) child(i int32, c code) int32 {
	for k := f.nodes[i].first; k >= 0; k = f.nodes[k].next {
		if f.nodes[k].code == c {
			return k
		}
	}
	return -1
}

// content returns the raw content of node i.
func (f *feature) content(i int32) []byte {
	n := &f.nodes[i]
	return f.buf[n.open:n.close]
}

// startTag returns the start tag of node i.
func (f *feature) startTag(i int32) []byte {
	n := &f.nodes[i]
	return f.buf[n.start:n.open]
}

// qname returns the qualified name of node i.
func (f *feature) qname(i int32) []byte {
	b := f.startTag(i)
	return b[1 : 1+nameLen(b[1:])]
}

// plain reports whether raw content holds only character data without
// references, CDATA sections, comments or elements.
func plain(b []byte) bool {
	return bytes.IndexByte(b, '<') < 0 && bytes.IndexByte(b, '&') < 0
}

// text appends the character data of raw content b to dst: references
// decoded, CDATA sections unwrapped, comments, processing instructions and
// the tags of child elements left out. elems reports whether b holds child
// elements. The content is known to be well formed.
func text(dst, b []byte, latin1 bool) (out []byte, elems bool) {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '&':
			e := bytes.IndexByte(b[i:], ';')
			ref := b[i+1 : i+e]
			if len(ref) > 0 && ref[0] == '#' {
				r, _ := charRef(ref[1:])
				dst = utf8.AppendRune(dst, r)
			} else {
				switch string(ref) {
				case "amp":
					dst = append(dst, '&')
				case "lt":
					dst = append(dst, '<')
				case "gt":
					dst = append(dst, '>')
				case "apos":
					dst = append(dst, '\'')
				case "quot":
					dst = append(dst, '"')
				}
			}
			i += e + 1
		case c == '<':
			rest := b[i:]
			switch {
			case bytes.HasPrefix(rest, cdataOpen):
				e := bytes.Index(rest, cdataEnd)
				dst = appendChars(dst, rest[len(cdataOpen):e], latin1)
				i += e + len(cdataEnd)
			case bytes.HasPrefix(rest, commentOpen):
				i += bytes.Index(rest, commentEnd) + len(commentEnd)
			case bytes.HasPrefix(rest, []byte("<?")):
				i += bytes.Index(rest, piEnd) + len(piEnd)
			default:
				elems = true
				i += tagEnd(rest)
			}
		default:
			j := i + 1
			for j < len(b) && b[j] != '&' && b[j] != '<' {
				j++
			}
			dst = appendChars(dst, b[i:j], latin1)
			i = j
		}
	}
	return dst, elems
}

// appendChars appends character data, converting ISO-8859-1 to UTF-8.
func appendChars(dst, b []byte, latin1 bool) []byte {
	if !latin1 {
		return append(dst, b...)
	}
	for _, c := range b {
		dst = utf8.AppendRune(dst, rune(c))
	}
	return dst
}

// tagEnd returns the length of the tag at the start of b.
func tagEnd(b []byte) int {
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

// attrValue returns the decoded value of attribute name of node i.
func (f *feature) attrValue(i int32, name string, latin1 bool) (string, bool) {
	v, ok := attr(f.startTag(i), name)
	if !ok {
		return "", false
	}
	if plain(v) && !latin1 {
		return string(v), true
	}
	out, _ := text(nil, v, latin1)
	return string(out), true
}

// appendEscaped appends s as XML character data: markup characters and
// every non-ASCII character escaped (so that the text is right whatever
// the document's encoding), characters XML does not allow left out.
func appendEscaped(dst []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r == '&':
			dst = append(dst, "&amp;"...)
		case r == '<':
			dst = append(dst, "&lt;"...)
		case r == '>':
			dst = append(dst, "&gt;"...)
		case r == '"':
			dst = append(dst, "&quot;"...)
		case r == '\'':
			dst = append(dst, "&apos;"...)
		case r >= utf8.RuneSelf:
			if r != utf8.RuneError && isXMLChar(r) {
				dst = append(dst, "&#x"...)
				dst = strconv.AppendInt(dst, int64(r), 16)
				dst = append(dst, ';')
			}
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r':
		default:
			dst = append(dst, byte(r))
		}
	}
	return dst
}

// decodeHref returns the text of an <href> element's raw content.
func decodeHref(b []byte, latin1 bool) string {
	out, _ := text(nil, b, latin1)
	return string(bytes.TrimSpace(out))
}
