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
	"github.com/geowarden/geowarden/geotext"
)

// maxXMLDepth caps element nesting in an XMP packet.
const maxXMLDepth = 256

// xprop is an XMP property the codec cares about: an element or attribute
// whose local name starts with "GPS" (any case) or ends with "Latitude" or
// "Longitude" (or DJI's "Longtitude"), xmpNote:HasExtendedXMP, and (text)
// any other value with a digit in it, for the positions written as text.
type xprop struct {
	local      string // local name, lower case
	name       string // qualified name, as written
	ctx        string // the top-level property it belongs to (itself when top-level)
	nested     bool   // inside a structure or an array item (LocationShown, ...)
	attr       bool
	text       bool // a free-text value, not a GPS property
	start, end int  // span to remove, with the blanks before it
	vs, ve     int  // raw value (attribute value, element text)
	simple     bool // the element has no child elements
}

func (p *xprop) isGPS() bool {
	if p.text {
		return false
	}
	_, _, ok := axis(p.local)
	return ok || strings.HasPrefix(p.local, "gps")
}

// axis reports whether a local name (lower case) names a latitude or a
// longitude, and the prefix before "latitude"/"longitude" that pairs them:
// exif:GPSLatitude with exif:GPSLongitude ("gps"), GPSDestLatitude with
// GPSDestLongitude ("gpsdest"), drone-dji:Latitude with Longitude ("").
// DJI spells GpsLongtitude so in some firmware.
func axis(l string) (prefix string, lat, ok bool) {
	switch {
	case strings.HasSuffix(l, "latitude"):
		return l[:len(l)-len("latitude")], true, true
	case strings.HasSuffix(l, "longitude"):
		return l[:len(l)-len("longitude")], false, true
	case strings.HasSuffix(l, "longtitude"):
		return l[:len(l)-len("longtitude")], false, true
	}
	return "", false, false
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
	_, _, pos := axis(local)
	return local, pos || strings.HasPrefix(local, "gps") || local == "hasextendedxmp"
}

// hasDigit reports whether b holds an ASCII digit: text without one holds
// no position.
func hasDigit(b []byte) bool {
	for _, c := range b {
		if c-'0' < 10 {
			return true
		}
	}
	return false
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
	// where returns the top-level property that an element at stack
	// depth d (or an attribute of the element at depth d-1) belongs to:
	// the element after the outermost rdf:Description, and whether it is
	// nested below it.
	// cur names the element at depth len(stack), not yet on the stack.
	where := func(d int, cur, self string) (string, bool) {
		at := func(k int) string {
			if k < len(stack) {
				return stack[k].name
			}
			return cur
		}
		for k := 0; k < d; k++ {
			if at(k) == "rdf:Description" {
				if k+1 < d {
					return at(k + 1), true
				}
				return self, false
			}
		}
		return self, false
	}
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
			ctx, nested := where(len(stack)-1, "", top.name)
			stack = stack[:len(stack)-1]
			if top.want || !top.child && hasDigit(b[top.cst:i]) {
				props = append(props, xprop{local: top.local, name: top.name, ctx: ctx, nested: nested, text: !top.want,
					start: lineStart(b, top.start), end: j + 1, vs: top.cst, ve: i, simple: !top.child})
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
				if l, ok := interesting(an); ok || l != "" && hasDigit(b[k2+1:k2+1+e]) {
					ctx, nested := where(len(stack)+1, name, an)
					props = append(props, xprop{local: l, name: an, ctx: ctx, nested: nested, attr: true, text: !ok,
						start: j, end: k2 + 1 + e + 1, vs: k2 + 1, ve: k2 + 1 + e, simple: true})
				}
				j = k2 + 1 + e + 1
			}
			l, want := interesting(name)
			if self {
				if want {
					ctx, nested := where(len(stack), "", name)
					props = append(props, xprop{local: l, name: name, ctx: ctx, nested: nested, start: lineStart(b, i), end: j, vs: j, ve: j, simple: true})
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
	xmpData
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
	x.tm = img.xmpPositions(pkt, &x.xmpData, img.base+g.dataOff()+int64(start), "XMP packet")
}

// xmpData is what the codec found in one XMP packet (standard or
// extended): its properties, the positions they hold and the positions
// written in its free text.
type xmpData struct {
	props []xprop
	pairs []xpair
	texts []xtext
}

// xpair is one position: a latitude and a longitude property (indexes in
// props).
type xpair struct {
	lat, lon int
	to       target
}

// xtext is one position written in a free-text value: prop's decoded
// value from s to e.
type xtext struct {
	prop   int
	s, e   int
	redact bool
}

// textRef locates a Record.Text entry: in an XMP packet, or in EXIF.
type textRef struct {
	d  *xmpData
	k  int // in d.texts
	ex *exifText
}

// mark marks the text position for redaction.
func (r textRef) mark() {
	if r.ex != nil {
		r.ex.redact = true
		return
	}
	r.d.texts[r.k].redact = true
}

// xmpPositions records the positions an XMP packet holds and the ones
// written in its text, and returns its GPS time stamp. Latitudes and
// longitudes pair in document order by the prefix of their names
// (GPSLatitude with GPSLongitude, GPSDestLatitude with GPSDestLongitude)
// and, inside structures and arrays, by the top-level property
// (Iptc4xmpExt:LocationShown, LocationCreated).
func (img *image) xmpPositions(pkt []byte, d *xmpData, base int64, what string) time.Time {
	type val struct {
		s    string
		prop int
	}
	type group struct {
		key        string
		main       bool
		name       string
		lats, lons []val
	}
	var groups []*group
	var tm time.Time
	for k, p := range d.props {
		if p.text {
			img.xmpText(pkt, d, k)
			continue
		}
		prefix, lat, isAxis := axis(p.local)
		if !isAxis && p.local != "gpstimestamp" {
			continue
		}
		if !p.simple {
			img.fail(base+int64(p.start), ErrXMP, "%s%s at byte %d: %s is a structure, not a value", img.where, what, base+int64(p.start), p.name)
			return tm
		}
		s, err := unescape(pkt[p.vs:p.ve])
		if err != nil {
			img.fail(base+int64(p.vs), ErrXMP, "%s%s at byte %d: %v", img.where, what, base+int64(p.vs), err)
			return tm
		}
		if !isAxis {
			if tm.IsZero() {
				tm = parseXMPTime(strings.TrimSpace(s))
			}
			continue
		}
		key, name := prefix, p.name
		if p.nested {
			key, name = prefix+" "+p.ctx, p.ctx
		}
		var g *group
		for _, x := range groups {
			if x.key == key {
				g = x
			}
		}
		if g == nil {
			g = &group{key: key, main: prefix == "gps" && !p.nested, name: name}
			groups = append(groups, g)
		}
		if lat {
			g.lats = append(g.lats, val{s, k})
		} else {
			g.lons = append(g.lons, val{s, k})
		}
	}
	for _, g := range groups {
		if len(g.lats) != len(g.lons) {
			img.fail(base, ErrXMP, "%s%s at byte %d has %d latitudes and %d longitudes (%s)", img.where, what, base, len(g.lats), len(g.lons), g.name)
			return tm
		}
	}
	n := 0
	for _, g := range groups {
		n += len(g.lats)
	}
	d.pairs = make([]xpair, 0, n) // stable: copies point into it
	for _, g := range groups {
		for i := range g.lats {
			la, lo := strings.TrimSpace(g.lats[i].s), strings.TrimSpace(g.lons[i].s)
			if la == "" && lo == "" {
				continue
			}
			lp, op := &d.props[g.lats[i].prop], &d.props[g.lons[i].prop]
			lat, err := parseXMPCoord(la, true)
			if err != nil {
				img.fail(base+int64(lp.vs), ErrXMP, "%s%s: %s %v", img.where, what, lp.name, err)
				return tm
			}
			lon, err := parseXMPCoord(lo, false)
			if err != nil {
				img.fail(base+int64(op.vs), ErrXMP, "%s%s: %s %v", img.where, what, op.name, err)
				return tm
			}
			if err := format.CheckPoint(lon, lat); err != nil {
				img.failErr(base+int64(lp.vs), ErrXMP, err, "%s%s: %s", img.where, what, g.name)
				return tm
			}
			d.pairs = append(d.pairs, xpair{lat: g.lats[i].prop, lon: g.lons[i].prop})
			kind := copyOther
			if g.main {
				kind = copyXMP
			}
			img.copies = append(img.copies, posCopy{kind: kind, depth: img.depth, pos: geowarden.Point{Lon: lon, Lat: lat},
				off: base + int64(lp.vs), what: img.where + what + " " + g.name, to: &d.pairs[len(d.pairs)-1].to})
		}
	}
	return tm
}

// xmpText records the positions written in the free-text value of
// property k.
func (img *image) xmpText(pkt []byte, d *xmpData, k int) {
	p := &d.props[k]
	if !p.simple {
		return
	}
	v, err := unescape(pkt[p.vs:p.ve])
	if err != nil {
		return // not text geowarden can read; the verifier still sees its bytes
	}
	field := p.ctx
	if p.ctx != p.name && !strings.HasPrefix(p.name, "rdf:") {
		field = p.ctx + "/" + p.name
	}
	for m := range geotext.All([]byte(v)) {
		d.texts = append(d.texts, xtext{prop: k, s: m.Start, e: m.End})
		ref := textRef{d: d, k: len(d.texts) - 1}
		img.texts = append(img.texts, ref)
		img.textPos = append(img.textPos, geowarden.TextPos{Pos: m.Point, Field: "XMP " + field, Start: m.Start, End: m.End})
		if m.Ambiguous {
			img.texts = append(img.texts, ref)
			img.textPos = append(img.textPos, geowarden.TextPos{Pos: m.Swapped(), Field: "XMP " + field, Start: m.Start, End: m.End})
		}
	}
}

// xmpEdit is what an Edit asks of XMP; where positions move is in the
// targets of xmpData.pairs, and which texts go in xtext.redact.
type xmpEdit struct {
	drop   bool
	move   bool
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
	np, changed, err := rewritePacket(pkt, &x.xmpData, xe, x.sameLen, true)
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
// property (and every property named as a latitude or longitude), Move
// rewrites each position that has a target, Retime the GPS time stamp, and
// the texts marked for redaction get RedactedText in place of their
// position. The packet keeps its size where it can: removed bytes go to
// the padding before <?xpacket end ...?>, and new coordinates take the
// width of the old ones. Where sizes must not change and there is no such
// padding, removed properties are overwritten with blanks, and each
// redacted position's own bytes with RedactedText padded with blanks (or
// with blanks alone when the position is shorter).
func rewritePacket(pkt []byte, d *xmpData, xe *xmpEdit, sameLen, padded bool) ([]byte, bool, error) {
	np, changed, err := rewritePacketText(pkt, d, xe, sameLen, padded, false)
	if err != nil && sameLen && len(d.texts) > 0 {
		return rewritePacketText(pkt, d, xe, sameLen, padded, true)
	}
	return np, changed, err
}

// repl replaces pkt[s:e].
type repl struct {
	s, e int
	with []byte
	del  bool
}

func rewritePacketText(pkt []byte, d *xmpData, xe *xmpEdit, sameLen, padded, inPlace bool) ([]byte, bool, error) {
	var rs []repl
	for _, p := range d.props {
		switch {
		case p.text:
		case xe.drop && p.isGPS():
			rs = append(rs, repl{s: p.start, e: p.end, del: true})
		case xe.retime && p.simple && p.local == "gpstimestamp":
			if xe.tm.IsZero() {
				rs = append(rs, repl{s: p.start, e: p.end, del: true})
			} else {
				rs = append(rs, repl{s: p.vs, e: p.ve, with: formatXMPTime(xe.tm, p.ve-p.vs)})
			}
		}
	}
	if xe.move && !xe.drop {
		for _, pr := range d.pairs {
			if !pr.to.ok {
				continue
			}
			for _, k := range []int{pr.lat, pr.lon} {
				p := &d.props[k]
				old, err := unescape(pkt[p.vs:p.ve])
				if err != nil || strings.TrimSpace(old) == "" {
					continue
				}
				_, lat, _ := axis(p.local)
				v := pr.to.p.Lon
				if lat {
					v = pr.to.p.Lat
				}
				rs = append(rs, repl{s: p.vs, e: p.ve, with: formatXMPCoord(old, v, lat, p.ve-p.vs)})
			}
		}
	}
	rs = redactTexts(pkt, d, rs, inPlace)
	if len(rs) == 0 {
		return pkt, false, nil
	}
	slices.SortStableFunc(rs, func(a, b repl) int { return a.s - b.s })
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
	if inPlace && len(np) != len(pkt) {
		return nil, false, errorf(ErrEdit, "the edited XMP packet would be %d bytes, not %d", len(np), len(pkt))
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

// redactTexts appends the replacements that redact the marked text
// positions: each value with a marked position is written anew, with
// RedactedText for each position (overlapping ones merged) and escaped
// for XML; inPlace overwrites the position's own bytes instead, with
// RedactedText padded with blanks, or blanks alone when it does not fit.
func redactTexts(pkt []byte, d *xmpData, rs []repl, inPlace bool) []repl {
	for i := 0; i < len(d.texts); {
		k := d.texts[i].prop
		j := i
		var spans [][2]int
		for ; j < len(d.texts) && d.texts[j].prop == k; j++ {
			t := d.texts[j]
			if !t.redact {
				continue
			}
			if n := len(spans); n > 0 && t.s < spans[n-1][1] {
				spans[n-1][1] = max(spans[n-1][1], t.e)
				continue
			}
			spans = append(spans, [2]int{t.s, t.e})
		}
		i = j
		if len(spans) == 0 {
			continue
		}
		p := &d.props[k]
		raw := pkt[p.vs:p.ve]
		v, err := unescape(raw)
		if err != nil {
			continue
		}
		if inPlace {
			m := rawOffsets(raw, v)
			for _, sp := range spans {
				rs0, re0 := m[sp[0]], m[sp[1]]
				w := bytes.Repeat([]byte{' '}, re0-rs0)
				if len(w) >= len(geowarden.RedactedText) {
					copy(w, geowarden.RedactedText)
				}
				rs = append(rs, repl{s: p.vs + rs0, e: p.vs + re0, with: w})
			}
			continue
		}
		var nv strings.Builder
		at := 0
		for _, sp := range spans {
			nv.WriteString(v[at:sp[0]])
			nv.WriteString(geowarden.RedactedText)
			at = sp[1]
		}
		nv.WriteString(v[at:])
		quote := byte(0)
		if p.attr && p.vs > 0 {
			quote = pkt[p.vs-1]
		}
		rs = append(rs, repl{s: p.vs, e: p.ve, with: escapeXML(nv.String(), quote)})
	}
	return rs
}

// rawOffsets maps each byte offset of v, the unescaped raw, to the offset
// in raw where the character holding it starts (len(v) to len(raw)).
func rawOffsets(raw []byte, v string) []int {
	m := make([]int, 0, len(v)+1)
	for i := 0; i < len(raw); {
		if raw[i] != '&' {
			m = append(m, i)
			i++
			continue
		}
		e := bytes.IndexByte(raw[i:], ';')
		r, _ := unescape(raw[i : i+e+1])
		for range len(r) {
			m = append(m, i)
		}
		i += e + 1
	}
	return append(m, len(raw))
}

// escapeXML escapes s for XML text, or for an attribute value in quote.
func escapeXML(s string, quote byte) []byte {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '&':
			b = append(b, "&amp;"...)
		case c == '<':
			b = append(b, "&lt;"...)
		case c == '>':
			b = append(b, "&gt;"...)
		case c == '"' && quote == '"':
			b = append(b, "&quot;"...)
		case c == '\'' && quote == '\'':
			b = append(b, "&apos;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// extGroup is one extended XMP (the chunks with one GUID).
type extGroup struct {
	guid    string
	full    uint32
	chunks  []extChunk
	sameLen bool
	pkt     []byte // the assembled packet; nil when incomplete
	xmpData
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
		img.xmpPositions(e.pkt, &e.xmpData, img.base+c0.off, "extended XMP")
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
	np, changed, err := rewritePacket(e.pkt, &e.xmpData, xe, e.sameLen, false)
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
