package jpeg

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// maxXMLDepth caps element nesting in an XMP packet.
const maxXMLDepth = 256

// xprop is an XMP property the codec cares about: an element or attribute
// whose local name starts with "GPS" (any case), or xmpNote:HasExtendedXMP.
type xprop struct {
	local      string // local name, lower case
	attr       bool
	start, end int  // span to remove, with the blanks before it
	vs, ve     int  // raw value (attribute value, element text)
	simple     bool // the element has no child elements
}

func (p *xprop) isGPS() bool { return strings.HasPrefix(p.local, "gps") }

func isLatName(l string) bool { return l == "gpslatitude" }
func isLonName(l string) bool { return l == "gpslongitude" || l == "gpslongtitude" } // DJI spells it so
func isDestName(l string) bool {
	return l == "gpsdestlatitude" || l == "gpsdestlongitude"
}

func interesting(name string) (string, bool) {
	if name == "xmlns" || strings.HasPrefix(name, "xmlns:") {
		return "", false
	}
	local := name
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		local = name[i+1:]
	}
	local = strings.ToLower(local)
	return local, strings.HasPrefix(local, "gps") || local == "hasextendedxmp"
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// readName reads an XML name at i.
func readName(b []byte, i int) (string, int) {
	j := i
	for j < len(b) && !isSpace(b[j]) && b[j] != '/' && b[j] != '>' && b[j] != '=' && b[j] != '<' && b[j] != '"' && b[j] != '\'' {
		j++
	}
	return string(b[i:j]), j
}

// lineStart widens an element's span to the blanks and line break before
// it, when nothing else stands on its line.
func lineStart(b []byte, pos int) int {
	k := pos
	for k > 0 && (b[k-1] == ' ' || b[k-1] == '\t') {
		k--
	}
	if k > 0 && b[k-1] == '\n' {
		k--
		if k > 0 && b[k-1] == '\r' {
			k--
		}
		return k
	}
	return pos
}

// scanXMP lexes an XMP packet (XML without DTDs) and returns the GPS
// properties and HasExtendedXMP, elements and attributes, in document
// order. It fails on anything it cannot lex for certain: an unterminated
// tag, comment or quote, a mismatched end tag, a DOCTYPE, nesting deeper
// than maxXMLDepth.
func scanXMP(b []byte) ([]xprop, error) {
	type open struct {
		name       string
		local      string
		start, cst int
		want       bool
		child      bool
	}
	var stack []open
	var props []xprop
	i := 0
	for i < len(b) {
		lt := bytes.IndexByte(b[i:], '<')
		if lt < 0 {
			break
		}
		i += lt
		rest := b[i:]
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			e := bytes.Index(rest[4:], []byte("-->"))
			if e < 0 {
				return nil, fmt.Errorf("comment at byte %d is not closed", i)
			}
			i += 4 + e + 3
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			e := bytes.Index(rest[9:], []byte("]]>"))
			if e < 0 {
				return nil, fmt.Errorf("CDATA section at byte %d is not closed", i)
			}
			if len(stack) > 0 {
				stack[len(stack)-1].child = true // not a plain value
			}
			i += 9 + e + 3
		case bytes.HasPrefix(rest, []byte("<?")):
			e := bytes.Index(rest[2:], []byte("?>"))
			if e < 0 {
				return nil, fmt.Errorf("processing instruction at byte %d is not closed", i)
			}
			i += 2 + e + 2
		case bytes.HasPrefix(rest, []byte("<!")):
			return nil, fmt.Errorf("declaration at byte %d: DTDs are not allowed in XMP", i)
		case bytes.HasPrefix(rest, []byte("</")):
			name, j := readName(b, i+2)
			j = skipSpace(b, j)
			if j >= len(b) || b[j] != '>' {
				return nil, fmt.Errorf("end tag at byte %d is not closed", i)
			}
			if len(stack) == 0 || stack[len(stack)-1].name != name {
				return nil, fmt.Errorf("end tag </%s> at byte %d does not match", name, i)
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if top.want {
				props = append(props, xprop{local: top.local, start: lineStart(b, top.start), end: j + 1, vs: top.cst, ve: i, simple: !top.child})
			}
			i = j + 1
		default:
			name, j := readName(b, i+1)
			if name == "" {
				return nil, fmt.Errorf("tag at byte %d has no name", i)
			}
			if len(stack) > 0 {
				stack[len(stack)-1].child = true
			}
			self := false
			for {
				k := skipSpace(b, j)
				if k >= len(b) {
					return nil, fmt.Errorf("tag <%s> at byte %d is not closed", name, i)
				}
				if b[k] == '>' {
					j = k + 1
					break
				}
				if b[k] == '/' {
					if k+1 >= len(b) || b[k+1] != '>' {
						return nil, fmt.Errorf("tag <%s> at byte %d: '/' not followed by '>'", name, i)
					}
					j, self = k+2, true
					break
				}
				if k == j {
					return nil, fmt.Errorf("tag <%s> at byte %d: no blank before an attribute", name, i)
				}
				an, k2 := readName(b, k)
				if an == "" {
					return nil, fmt.Errorf("tag <%s> at byte %d: bad attribute", name, i)
				}
				k2 = skipSpace(b, k2)
				if k2 >= len(b) || b[k2] != '=' {
					return nil, fmt.Errorf("attribute %s at byte %d has no value", an, k)
				}
				k2 = skipSpace(b, k2+1)
				if k2 >= len(b) || b[k2] != '"' && b[k2] != '\'' {
					return nil, fmt.Errorf("attribute %s at byte %d: value not quoted", an, k)
				}
				e := bytes.IndexByte(b[k2+1:], b[k2])
				if e < 0 {
					return nil, fmt.Errorf("attribute %s at byte %d: quote not closed", an, k)
				}
				if l, ok := interesting(an); ok {
					props = append(props, xprop{local: l, attr: true, start: j, end: k2 + 1 + e + 1, vs: k2 + 1, ve: k2 + 1 + e, simple: true})
				}
				j = k2 + 1 + e + 1
			}
			l, want := interesting(name)
			if self {
				if want {
					props = append(props, xprop{local: l, start: lineStart(b, i), end: j, vs: j, ve: j, simple: true})
				}
			} else {
				if len(stack) >= maxXMLDepth {
					return nil, fmt.Errorf("elements nest deeper than %d at byte %d", maxXMLDepth, i)
				}
				stack = append(stack, open{name: name, local: l, start: i, cst: j, want: want})
			}
			i = j
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("element <%s> at byte %d is not closed", stack[len(stack)-1].name, stack[len(stack)-1].start)
	}
	return props, nil
}

// unescape decodes the predefined XML entities and character references.
func unescape(b []byte) (string, error) {
	if bytes.IndexByte(b, '&') < 0 {
		return string(b), nil
	}
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		if b[i] != '&' {
			sb.WriteByte(b[i])
			continue
		}
		e := bytes.IndexByte(b[i:], ';')
		if e < 0 || e > 12 {
			return "", fmt.Errorf("bad entity reference")
		}
		ent := string(b[i+1 : i+e])
		switch ent {
		case "lt":
			sb.WriteByte('<')
		case "gt":
			sb.WriteByte('>')
		case "amp":
			sb.WriteByte('&')
		case "quot":
			sb.WriteByte('"')
		case "apos":
			sb.WriteByte('\'')
		default:
			var n uint64
			var err error
			switch {
			case strings.HasPrefix(ent, "#x"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				return "", fmt.Errorf("unknown entity &%s;", ent)
			}
			if err != nil || n > 0x10FFFF {
				return "", fmt.Errorf("bad character reference &%s;", ent)
			}
			sb.WriteRune(rune(n))
		}
		i += e
	}
	return sb.String(), nil
}

// parseXMPCoord reads an XMP GPS coordinate: "DDD,MM.mmmmk" or
// "DDD,MM,SSk" (k one of NSEW), or signed decimal degrees (DJI).
func parseXMPCoord(s string, lat bool) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	pos, neg := byte('E'), byte('W')
	if lat {
		pos, neg = 'N', 'S'
	}
	last := s[len(s)-1] &^ 0x20
	if last >= 'A' && last <= 'Z' {
		sign := 1.0
		switch last {
		case pos:
		case neg:
			sign = -1
		default:
			return 0, fmt.Errorf("%q: direction %c (want %c or %c)", s, s[len(s)-1], pos, neg)
		}
		parts := strings.Split(s[:len(s)-1], ",")
		if len(parts) < 2 || len(parts) > 3 {
			return 0, fmt.Errorf("%q: want DDD,MM.mmmm%c or DDD,MM,SS%c", s, pos, pos)
		}
		v := 0.0
		for i, p := range parts {
			f, err := strictFloat(strings.TrimSpace(p))
			if err != nil || f < 0 {
				return 0, fmt.Errorf("%q: bad number %q", s, p)
			}
			v += f / math.Pow(60, float64(i))
		}
		return sign * v, nil
	}
	f, err := strictFloat(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a coordinate", s)
	}
	return f, nil
}

// strictFloat parses a plain decimal number (no hex, no infinities).
func strictFloat(s string) (float64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || (c == '+' || c == '-') && i == 0) {
			return 0, fmt.Errorf("not a number")
		}
	}
	return strconv.ParseFloat(s, 64)
}

// formatXMPCoord writes v in the style of old (degrees and decimal minutes
// with a direction letter, or signed decimal degrees), with as many
// decimals as make it width bytes long, when that keeps at least 0.2 m of
// precision.
func formatXMPCoord(old string, v float64, lat bool, width int) []byte {
	old = strings.TrimSpace(old)
	dm := len(old) > 0 && (old[len(old)-1]&^0x20) >= 'A' && (old[len(old)-1]&^0x20) <= 'Z'
	neg := v < 0
	a := math.Abs(v)
	mk := func(d int) []byte {
		var b []byte
		if dm {
			unit := int64(math.Pow10(d))
			total := int64(math.Round(a * 60 * float64(unit)))
			deg, rem := total/(60*unit), total%(60*unit)
			b = strconv.AppendInt(b, deg, 10)
			b = append(b, ',')
			b = appendFixed(b, rem, unit, d)
			hemi := byte('E')
			switch {
			case lat && neg:
				hemi = 'S'
			case lat:
				hemi = 'N'
			case neg:
				hemi = 'W'
			}
			return append(b, hemi)
		}
		if neg {
			b = append(b, '-')
		} else if strings.HasPrefix(old, "+") {
			b = append(b, '+')
		}
		unit := int64(math.Pow10(d))
		return appendFixed(b, int64(math.Round(a*float64(unit))), unit, d)
	}
	lo, hi := 4, 8
	if !dm {
		lo, hi = 6, 10
	}
	for d := lo; d <= hi; d++ {
		if b := mk(d); len(b) == width {
			return b
		}
	}
	b := mk(hi)
	if len(b) < width && !dm || len(b) < width && dm {
		// Zeros after the last decimal keep the value.
		pad := width - len(b)
		if dm {
			b = append(append(b[:len(b)-1:len(b)-1], bytes.Repeat([]byte{'0'}, pad)...), b[len(b)-1])
		} else {
			b = append(b, bytes.Repeat([]byte{'0'}, pad)...)
		}
		return b
	}
	return mk(lo)
}

// appendFixed writes n/unit with d decimals.
func appendFixed(b []byte, n, unit int64, d int) []byte {
	b = strconv.AppendInt(b, n/unit, 10)
	if d == 0 {
		return b
	}
	frac := strconv.FormatInt(n%unit, 10)
	b = append(b, '.')
	for range d - len(frac) {
		b = append(b, '0')
	}
	return append(b, frac...)
}

// formatXMPTime writes tm in UTC, with fraction digits to fill width when
// it is longer than the plain form.
func formatXMPTime(tm time.Time, width int) []byte {
	u := tm.UTC()
	s := u.Format("2006-01-02T15:04:05")
	if f := width - len(s) - 2; f >= 1 {
		frac := fmt.Sprintf("%09d", u.Nanosecond())
		if f > len(frac) {
			frac += strings.Repeat("0", f-len(frac))
		}
		s += "." + frac[:f]
	}
	return []byte(s + "Z")
}

// xmpBlock is one standard XMP packet.
type xmpBlock struct {
	g       *segment
	start   int // packet offset in the payload
	sameLen bool
	props   []xprop
	err     error // the packet does not lex
	gpsText bool  // it mentions "gps"
	tm      time.Time
}

func containsFold(p []byte, w string) bool {
	for i := 0; i+len(w) <= len(p); i++ {
		if p[i]|0x20 == w[0] && bytes.EqualFold(p[i:i+len(w)], []byte(w)) {
			return true
		}
	}
	return false
}

func (img *image) parseXMP(g *segment, start int, sameLen bool) {
	x := &xmpBlock{g: g, start: start, sameLen: sameLen}
	img.xmps = append(img.xmps, x)
	pkt := g.data[start:]
	x.gpsText = containsFold(pkt, "gps")
	props, err := scanXMP(pkt)
	if err != nil {
		x.err = err
		if x.gpsText {
			img.fail(img.base+g.dataOff()+int64(start), ErrXMP, "%sXMP packet at byte %d mentions GPS but does not parse: %v", img.where, img.base+g.off, err)
		}
		return
	}
	x.props = props
	x.tm = img.xmpPositions(pkt, props, img.base+g.dataOff()+int64(start), "XMP packet")
}

// xmpPositions records the positions an XMP packet holds (latitudes and
// longitudes paired in document order) and returns its GPS time stamp.
func (img *image) xmpPositions(pkt []byte, props []xprop, base int64, what string) time.Time {
	type val struct {
		s   string
		off int
	}
	var lats, lons []val
	var tm time.Time
	for _, p := range props {
		if !isLatName(p.local) && !isLonName(p.local) && p.local != "gpstimestamp" {
			continue
		}
		if !p.simple {
			img.fail(base+int64(p.start), ErrXMP, "%s%s at byte %d: a GPS property with structure, not a value", img.where, what, base+int64(p.start))
			return tm
		}
		s, err := unescape(pkt[p.vs:p.ve])
		if err != nil {
			img.fail(base+int64(p.vs), ErrXMP, "%s%s at byte %d: %v", img.where, what, base+int64(p.vs), err)
			return tm
		}
		switch {
		case isLatName(p.local):
			lats = append(lats, val{s, p.vs})
		case isLonName(p.local):
			lons = append(lons, val{s, p.vs})
		case tm.IsZero():
			tm = parseXMPTime(strings.TrimSpace(s))
		}
	}
	if len(lats) != len(lons) {
		img.fail(base, ErrXMP, "%s%s at byte %d has %d GPS latitudes and %d longitudes", img.where, what, base, len(lats), len(lons))
		return tm
	}
	for i := range lats {
		la, lo := strings.TrimSpace(lats[i].s), strings.TrimSpace(lons[i].s)
		if la == "" && lo == "" {
			continue
		}
		lat, err := parseXMPCoord(la, true)
		if err != nil {
			img.fail(base+int64(lats[i].off), ErrXMP, "%s%s: GPSLatitude %v", img.where, what, err)
			return tm
		}
		lon, err := parseXMPCoord(lo, false)
		if err != nil {
			img.fail(base+int64(lons[i].off), ErrXMP, "%s%s: GPSLongitude %v", img.where, what, err)
			return tm
		}
		if err := format.CheckPoint(lon, lat); err != nil {
			img.failErr(base+int64(lats[i].off), ErrXMP, err, "%s%s", img.where, what)
			return tm
		}
		img.copies = append(img.copies, posCopy{kind: copyXMP, depth: img.depth, pos: geowarden.Point{Lon: lon, Lat: lat}, off: base + int64(lats[i].off), what: img.where + what})
	}
	return tm
}

// xmpEdit is what an Edit asks of XMP.
type xmpEdit struct {
	drop   bool
	move   bool
	pos    geowarden.Point
	retime bool
	tm     time.Time
}

// edit applies an edit to a standard packet.
func (x *xmpBlock) edit(xe *xmpEdit) error {
	pkt := x.g.data[x.start:]
	if x.err != nil {
		if xe.drop && x.gpsText {
			if x.sameLen {
				blank(pkt)
			} else {
				x.g.out = [][]byte{}
			}
		}
		return nil
	}
	np, changed, err := rewritePacket(pkt, x.props, xe, x.sameLen, true)
	if err != nil || !changed {
		return err
	}
	if x.sameLen {
		copy(pkt, np)
		return nil
	}
	x.g.data = append(x.g.data[:x.start:x.start], np...)
	return nil
}

// blank overwrites b with spaces, keeping line breaks.
func blank(b []byte) {
	for i, c := range b {
		if c != '\n' && c != '\r' {
			b[i] = ' '
		}
	}
}

// rewritePacket applies an edit to an XMP packet: Drop removes every GPS
// property, Move rewrites GPS latitudes and longitudes, Retime the GPS time
// stamp. The packet keeps its size where it can: removed bytes go to the
// padding before <?xpacket end ...?>, and new values take the width of
// the old ones. Where sizes must not change and there is no such padding,
// removed properties are overwritten with blanks.
func rewritePacket(pkt []byte, props []xprop, xe *xmpEdit, sameLen, padded bool) ([]byte, bool, error) {
	type repl struct {
		s, e int
		with []byte
		del  bool
	}
	var rs []repl
	for _, p := range props {
		switch {
		case xe.drop && p.isGPS():
			rs = append(rs, repl{s: p.start, e: p.end, del: true})
		case xe.move && p.simple && (isLatName(p.local) || isLonName(p.local) || isDestName(p.local)):
			old, err := unescape(pkt[p.vs:p.ve])
			if err != nil || strings.TrimSpace(old) == "" {
				continue
			}
			lat := isLatName(p.local) || p.local == "gpsdestlatitude"
			v := xe.pos.Lon
			if lat {
				v = xe.pos.Lat
			}
			rs = append(rs, repl{s: p.vs, e: p.ve, with: formatXMPCoord(old, v, lat, p.ve-p.vs)})
		case xe.retime && p.simple && p.local == "gpstimestamp":
			if xe.tm.IsZero() {
				rs = append(rs, repl{s: p.start, e: p.end, del: true})
			} else {
				rs = append(rs, repl{s: p.vs, e: p.ve, with: formatXMPTime(xe.tm, p.ve-p.vs)})
			}
		}
	}
	if len(rs) == 0 {
		return pkt, false, nil
	}
	slices.SortFunc(rs, func(a, b repl) int { return a.s - b.s })
	pe := -1
	if padded {
		pe = bytes.LastIndex(pkt, []byte("<?xpacket end"))
	}
	compact := !sameLen || pe >= 0
	np := make([]byte, 0, len(pkt)+64)
	at := 0
	for _, r := range rs {
		if r.s < at {
			continue // inside a span already removed
		}
		np = append(np, pkt[at:r.s]...)
		switch {
		case !r.del:
			np = append(np, r.with...)
		case compact:
		default:
			k := len(np)
			np = append(np, pkt[r.s:r.e]...)
			blank(np[k:])
		}
		at = r.e
	}
	np = append(np, pkt[at:]...)
	if d := len(np) - len(pkt); d != 0 && padded {
		if pe := bytes.LastIndex(np, []byte("<?xpacket end")); pe >= 0 {
			ps := pe
			for ps > 0 && isSpace(np[ps-1]) {
				ps--
			}
			if d < 0 {
				np = slices.Insert(np, pe, bytes.Repeat([]byte{' '}, -d)...)
			} else {
				k := min(d, pe-ps)
				np = slices.Delete(np, pe-k, pe)
			}
		}
	}
	if sameLen && len(np) != len(pkt) {
		return nil, false, errorf(ErrEdit, "the edited XMP packet would be %d bytes, not %d, in an image whose sizes must not change", len(np), len(pkt))
	}
	if xe.drop {
		ps, err := scanXMP(np)
		if err != nil {
			return nil, false, wrapf(ErrEdit, err, "the edited XMP packet does not parse")
		}
		for _, p := range ps {
			if p.isGPS() {
				return nil, false, errorf(ErrEdit, "the edited XMP packet still holds a GPS property")
			}
		}
	}
	return np, true, nil
}

// extGroup is one extended XMP (the chunks with one GUID).
type extGroup struct {
	guid    string
	full    uint32
	chunks  []extChunk
	sameLen bool
	pkt     []byte // the assembled packet; nil when incomplete
	props   []xprop
	err     error
	gpsText bool
}

type extChunk struct {
	g   *segment
	off uint32
}

// extHeaderLen is the size of an extended XMP chunk's header: the
// identifier, the GUID, the full length and the chunk's offset.
var extHeaderLen = len(extXMPHeader) + 32 + 8

func (img *image) extChunk(g *segment, sameLen bool) {
	if len(g.data) < extHeaderLen {
		if containsFold(g.data, "gps") {
			img.fail(img.base+g.off, ErrXMP, "%sextended XMP segment at byte %d is too short", img.where, img.base+g.off)
		}
		return
	}
	h := len(extXMPHeader)
	guid := string(g.data[h : h+32])
	full := binary.BigEndian.Uint32(g.data[h+32:])
	off := binary.BigEndian.Uint32(g.data[h+36:])
	var e *extGroup
	for _, x := range img.exts {
		if x.guid == guid {
			e = x
		}
	}
	if e == nil {
		e = &extGroup{guid: guid, full: full}
		img.exts = append(img.exts, e)
	}
	if full != e.full {
		e.err = fmt.Errorf("chunks disagree on the full length")
	}
	e.sameLen = e.sameLen || sameLen
	e.chunks = append(e.chunks, extChunk{g: g, off: off})
	if containsFold(g.data[extHeaderLen:], "gps") {
		e.gpsText = true
	}
}

// parseExt assembles and reads every extended XMP.
func (img *image) parseExt() {
	for _, e := range img.exts {
		c0 := e.chunks[0].g
		slices.SortStableFunc(e.chunks, func(a, b extChunk) int { return int(int64(a.off) - int64(b.off)) })
		if e.err == nil {
			var at uint64
			for _, c := range e.chunks {
				if uint64(c.off) != at {
					e.err = fmt.Errorf("chunks do not cover the packet (a gap or overlap at byte %d)", at)
					break
				}
				at += uint64(len(c.g.data) - extHeaderLen)
			}
			if e.err == nil && at != uint64(e.full) {
				e.err = fmt.Errorf("chunks hold %d bytes of %d", at, e.full)
			}
		}
		if e.err == nil {
			pkt := make([]byte, 0, e.full)
			for _, c := range e.chunks {
				pkt = append(pkt, c.g.data[extHeaderLen:]...)
			}
			e.pkt = pkt
			e.props, e.err = scanXMP(pkt)
		}
		if e.err != nil {
			if e.gpsText {
				img.fail(img.base+c0.off, ErrXMP, "%sextended XMP %s mentions GPS but cannot be read: %v", img.where, e.guid, e.err)
			}
			continue
		}
		// Offsets inside the assembled packet are not input offsets; the
		// first chunk's offset locates problems.
		img.xmpPositions(e.pkt, e.props, img.base+c0.off, "extended XMP")
	}
}

// maxExtChunk is the most packet bytes one extended XMP segment holds.
var maxExtChunk = 0xFFFF - 2 - extHeaderLen

// edit applies an edit to an extended XMP; a changed packet gets a new
// GUID (its MD5), written into its chunks and the standard packet's
// xmpNote:HasExtendedXMP.
func (e *extGroup) edit(img *image, xe *xmpEdit) error {
	if e.pkt == nil || e.err != nil {
		if xe.drop && e.gpsText {
			for _, c := range e.chunks {
				if e.sameLen {
					clear(c.g.data[extHeaderLen:])
				} else {
					c.g.out = [][]byte{}
				}
			}
		}
		return nil
	}
	np, changed, err := rewritePacket(e.pkt, e.props, xe, e.sameLen, false)
	if err != nil || !changed {
		return err
	}
	sum := md5.Sum(np)
	guid := strings.ToUpper(hex.EncodeToString(sum[:]))
	h := len(extXMPHeader)
	if e.sameLen {
		at := 0
		for _, c := range e.chunks {
			copy(c.g.data[h:], guid)
			at += copy(c.g.data[extHeaderLen:], np[at:])
		}
	} else {
		var outs [][]byte
		for at := 0; at < len(np) || at == 0; at += maxExtChunk {
			part := np[at:min(at+maxExtChunk, len(np))]
			p := make([]byte, 0, extHeaderLen+len(part))
			p = append(p, extXMPHeader...)
			p = append(p, guid...)
			p = binary.BigEndian.AppendUint32(p, uint32(len(np)))
			p = binary.BigEndian.AppendUint32(p, uint32(at))
			outs = append(outs, append(p, part...))
			if len(np) == 0 {
				break
			}
		}
		for i, c := range e.chunks {
			if i == 0 {
				c.g.out = outs
			} else {
				c.g.out = [][]byte{}
			}
		}
	}
	for _, x := range img.xmps {
		p := x.g.data[x.start:]
		for {
			i := bytes.Index(p, []byte(e.guid))
			if i < 0 {
				break
			}
			copy(p[i:], guid)
			p = p[i+len(guid):]
		}
	}
	e.guid = guid
	return nil
}
