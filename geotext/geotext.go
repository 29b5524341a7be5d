package geotext

import (
	"fmt"
	"iter"

	"github.com/geowarden/geowarden"
)

// Kind is the representation a position was written in.
type Kind uint8

// Representations.
const (
	Decimal Kind = iota + 1 // 35.8506, 14.4506; 35.8506N 14.4506E; 35.85°N 14.45°E
	DM                      // 35°51.034'N 14°27.017'E
	DMS                     // 35°51'02"N 14°27'01"E
	NMEA                    // 3551.0340,N,01427.0170,E
	Named                   // lat="35.8506" lon="14.4506"; "lat":35.85,"lng":14.45
	E7                      // "latitudeE7":358506000,"longitudeE7":144506000
	WKT                     // POINT(14.4506 35.8506) and WKT vertices
	List                    // [14.4506,35.8506]
)

var kindNames = [...]string{"", "decimal", "dm", "dms", "nmea", "named", "e7", "wkt", "list"}

func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Limits of the recogniser; see the package documentation.
const (
	MinDecimals      = 3   // fraction digits each number of a bare decimal pair needs
	MinShapeDecimals = 1   // fraction digits of List, WKT and hemisphere-lettered decimals
	MaxLen           = 320 // no match is longer
	Context          = 80  // bytes before Start and after End that decide a match
	maxFrac          = 20  // fraction digits a number may have
	maxBlank         = 64  // blanks between parts
	nameGap          = 64  // bytes between a named latitude's value and the longitude key
)

// Match is one position found in text.
type Match struct {
	Start, End int // the position is the text b[Start:End]
	// Next is where the search for the next position resumes, after
	// Start and at most End: the start of a pair's second coordinate when
	// it may start another pair (see Matches in the package
	// documentation), else End.
	Next  int
	Kind  Kind
	Point geowarden.Point
	// Ambiguous is set when the text does not say which number is the
	// latitude and both orders are valid positions: Point reads the text
	// in the kind's usual order (latitude first for Decimal, DM and DMS,
	// longitude first for List and WKT) and Swapped gives the other.
	Ambiguous bool
	// Res is the resolution of the text in degrees: the last digit's
	// weight in the coarser coordinate (0.0001 for 35.8506, 1/3600 for
	// whole seconds).
	Res float64
}

// Swapped returns the position read in the other order.
func (m Match) Swapped() geowarden.Point {
	return geowarden.Point{Lon: m.Point.Lat, Lat: m.Point.Lon}
}

// All returns an iterator over the positions in b, in order.
func All(b []byte) iter.Seq[Match] {
	return func(yield func(Match) bool) {
		for i := 0; ; {
			m, ok := Find(b, i)
			if !ok || !yield(m) {
				return
			}
			i = m.Next
		}
	}
}

// byte classes of the scan loop
const (
	cNone  = 0
	cNum   = 1 // digit, sign
	cHemi  = 2 // N S E W
	cKey   = 3 // l L
	cAlnum = 8 // flag: letters, digits, '_'
)

var class = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = cNum | cAlnum
	}
	t['-'], t['+'] = cNum, cNum
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cAlnum
		t[c-32] |= cAlnum
	}
	t['_'] |= cAlnum
	for _, c := range "NSEW" {
		t[c] |= cHemi
	}
	t['l'] |= cKey
	t['L'] |= cKey
	return t
}()

// mayFollowInt holds the bytes after the integer part of a number that
// may start a coordinate: a fraction, a degree mark (°, º, d, " deg") or a
// hemisphere letter after a blank.
var mayFollowInt = func() (t [256]bool) {
	for _, c := range []byte(".\xc2\xb0\xbad NSEW&\\%") {
		t[c] = true
	}
	return t
}()

func isDigit(c byte) bool { return c-'0' < 10 }

// word reports whether c continues a word or a number.
func word(c byte) bool { return class[c]&cAlnum != 0 || c == '.' }

// wordAt reports whether the byte at j continues a word or a number that
// ends before it: a letter, a digit, '_', or '.' before a digit (a full
// stop ends a sentence, 1.2.3 is a version).
func wordAt(b []byte, j int) bool {
	if j >= len(b) {
		return false
	}
	if b[j] == '.' {
		return j+1 < len(b) && isDigit(b[j+1])
	}
	return class[b[j]]&cAlnum != 0
}

// Find returns the first position that starts at or after from in b. The
// bytes before from are only looked at to decide where a coordinate may
// start.
func Find(b []byte, from int) (Match, bool) {
	var m Match // filled by fast only when it finds a pair
	for i := max(from, 0); i < len(b); i++ {
		c := b[i]
		switch class[c] &^ cAlnum {
		case cNone:
			continue
		case cNum:
			if i > 0 && (word(b[i-1]) || b[i-1] == '-' || b[i-1] == '+') {
				// Inside a word or number: the digits after this one
				// are no more a start than it is.
				for i+1 < len(b) && isDigit(b[i+1]) {
					i++
				}
				continue
			}
			if c == '-' || c == '+' {
				if i+1 >= len(b) || !isDigit(b[i+1]) {
					continue
				}
			}
			if i > 1 && b[i-1] == ':' && isDigit(b[i-2]) {
				continue // a time: 12:30:45.123
			}
			if i > 1 && b[i-1] == ' ' && hemi(b[i-2]) && (i == 2 || !word(b[i-3])) {
				continue // the number of "W 075° 56.410" belongs to its letter
			}
			if isDigit(c) {
				// Fast path: an integer with no mark after it starts
				// nothing (see the package documentation); skip it.
				j := i + 1
				for j < len(b) && isDigit(b[j]) {
					j++
				}
				if j < len(b) && !mayFollowInt[b[j]] {
					i = j - 1
					continue
				}
			}
			if ok, decided, skip := fast(b, i, &m); decided {
				if ok {
					return m, true
				}
				i = max(i, skip-1)
				continue
			}
		case cHemi:
			if i > 0 && word(b[i-1]) {
				continue
			}
		case cKey:
			if m, ok := named(b, i); ok {
				return m, true
			}
			continue
		}
		if m, ok := pair(b, i); ok {
			return m, true
		}
	}
	return Match{}, false
}

// num is a number as written: digits, optionally '.' and digits.
type num struct {
	val        float64
	ip         uint64 // integer part
	intDigits  int
	fracDigits int
	end        int
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14}

// number reads a number at b[i:] with at most maxInt integer digits.
func number(b []byte, i, maxInt int) (n num, ok bool) {
	j := i
	for j < len(b) && isDigit(b[j]) {
		if j-i == maxInt {
			return n, false
		}
		n.ip = n.ip*10 + uint64(b[j]-'0')
		j++
	}
	n.intDigits = j - i
	if n.intDigits == 0 {
		return n, false
	}
	n.val = float64(n.ip)
	if j+1 < len(b) && b[j] == '.' && isDigit(b[j+1]) {
		j++
		var f uint64
		k := j
		for j < len(b) && isDigit(b[j]) {
			if j-k == maxFrac {
				return n, false
			}
			if j-k < len(pow10)-1 {
				f = f*10 + uint64(b[j]-'0')
			}
			j++
		}
		n.fracDigits = j - k
		n.val += float64(f) / pow10[min(n.fracDigits, len(pow10)-1)]
	}
	n.end = j
	return n, true
}

// coord is one coordinate as written.
type coord struct {
	val   float64 // degrees, signed when a sign was written
	hemi  byte    // N, S, E, W or 0
	kind  Kind    // Decimal, DM or DMS
	mark  bool    // a degree mark was written
	dec   int     // fraction digits of the last number
	start int
	end   int
	// blankMin is where the minutes of "48 29.0005 N" start, 0 for other
	// forms: "at 5 35.8506 N" may also be 35.8506 N after a 5.
	blankMin int
}

func blanks(b []byte, j, limit int) int {
	for k := 0; j < len(b) && (b[j] == ' ' || b[j] == '\t'); k++ {
		if k == limit {
			return -1
		}
		j++
	}
	return j
}

func hemi(c byte) bool { return c == 'N' || c == 'S' || c == 'E' || c == 'W' }

// degMark returns the end of a degree mark at b[j:], or j.
func degMark(b []byte, j int) int {
	if j+1 < len(b) && b[j] == 0xc2 && (b[j+1] == 0xb0 || b[j+1] == 0xba) { // ° º
		return j + 2
	}
	if j < len(b) && (b[j] == 0xb0 || b[j] == 0xba) {
		// ° º in ISO-8859-1 and windows-1252 (the codecs pass such
		// inputs through); in UTF-8 a digit is never followed by these
		return j + 1
	}
	if j < len(b) && b[j] == 'd' {
		if k := blanks(b, j+1, 1); k >= 0 && k < len(b) && isDigit(b[k]) {
			return j + 1
		}
	}
	if j+4 < len(b) && b[j] == ' ' && b[j+1] == 'd' && b[j+2] == 'e' && b[j+3] == 'g' && b[j+4] == ' ' {
		return j + 4
	}
	return escaped(b, j, degEscapes)
}

// Marks written as HTML or XML character references (KML descriptions,
// balloon text; escaped once more when the HTML is itself escaped in XML)
// or as JSON escapes.
var (
	degEscapes = []string{"&deg;", "&#176;", "&#xb0;", "&#xB0;", "&#186;", "&ordm;", "&amp;deg;", "&amp;#176;", "\\u00b0", "\\u00B0", "\\u00ba", "\\u00BA"}
	minEscapes = []string{"&#39;", "&apos;", "&#x27;", "&#8242;", "&prime;", "&amp;#39;", "&amp;apos;", "\\u2032"}
	secEscapes = []string{"&quot;", "&#34;", "&#x22;", "&#8243;", "&Prime;", "&amp;quot;", "&amp;#34;", "\\u2033"}
)

// escaped returns the end of the escape in escapes at b[j:], or j.
func escaped(b []byte, j int, escapes []string) int {
	if j >= len(b) || b[j] != '&' && b[j] != '\\' {
		return j
	}
	for _, e := range escapes {
		if len(b)-j >= len(e) && string(b[j:j+len(e)]) == e {
			return j + len(e)
		}
	}
	return j
}

// minMark returns the end of a minute mark at b[j:], or j.
func minMark(b []byte, j int) int {
	if j < len(b) && b[j] == '\'' && !(j+1 < len(b) && b[j+1] == '\'') {
		return j + 1
	}
	if j+2 < len(b) && b[j] == 0xe2 && b[j+1] == 0x80 && b[j+2] == 0xb2 { // ′
		return j + 3
	}
	return escaped(b, j, minEscapes)
}

// secMark returns the end of a second mark at b[j:], or j.
func secMark(b []byte, j int) int {
	switch {
	case j < len(b) && b[j] == '"':
		return j + 1
	case j+1 < len(b) && (b[j] == '\'' && b[j+1] == '\'' || b[j] == '\\' && b[j+1] == '"'):
		return j + 2
	case j+2 < len(b) && b[j] == 0xe2 && b[j+1] == 0x80 && b[j+2] == 0xb3: // ″
		return j + 3
	}
	return escaped(b, j, secEscapes)
}

// parseCoord reads one coordinate at b[i:].
func parseCoord(b []byte, i int) (c coord, ok bool) {
	c.start = i
	j := i
	if j < len(b) && hemi(b[j]) {
		c.hemi = b[j]
		j++
		if j < len(b) && b[j] == ' ' {
			j++
		}
		if j >= len(b) || !isDigit(b[j]) {
			return c, false
		}
	}
	neg := false
	if j < len(b) && (b[j] == '-' || b[j] == '+') {
		if c.hemi != 0 {
			return c, false
		}
		neg = b[j] == '-'
		j++
	}
	d, ok := number(b, j, 3)
	if !ok {
		return c, false
	}
	j = d.end
	c.kind, c.val, c.dec = Decimal, d.val, d.fracDigits
	if k := degMark(b, j); k > j {
		c.mark = true
		j = k
		k = blanks(b, j, 1)
		if k >= 0 && k < len(b) && isDigit(b[k]) {
			if d.fracDigits > 0 {
				return c, false
			}
			m, ok := number(b, k, 2)
			if !ok || m.val >= 60 {
				return c, false
			}
			j = m.end
			c.kind, c.val, c.dec = DM, d.val+m.val/60, m.fracDigits
			if k := minMark(b, j); k > j {
				j = k
				k = blanks(b, j, 1)
				if k >= 0 && k < len(b) && isDigit(b[k]) {
					if m.fracDigits > 0 {
						return c, false
					}
					s, ok := number(b, k, 2)
					if !ok || s.val >= 60 {
						return c, false
					}
					j = secMark(b, s.end)
					c.kind, c.val, c.dec = DMS, c.val+s.val/3600, s.fracDigits
				}
			}
		}
	} else if k, m, ok := blankMinutes(b, j, d, c.hemi != 0); ok {
		c.blankMin = j + 1
		j = k
		c.kind, c.val, c.dec = DM, d.val+m.val/60, m.fracDigits
	}
	if c.hemi == 0 {
		k := j
		if k < len(b) && b[k] == ' ' {
			k++
		}
		if k < len(b) && hemi(b[k]) && !wordAt(b, k+1) {
			if neg {
				return c, false
			}
			c.hemi = b[k]
			j = k + 1
		}
	}
	if wordAt(b, j) {
		return c, false
	}
	if neg || c.hemi == 'S' || c.hemi == 'W' {
		c.val = -c.val
	}
	c.end = j
	return c, true
}

// res returns the weight of the coordinate's last digit in degrees.
func (c *coord) res() float64 {
	r := 1 / pow10[min(c.dec, len(pow10)-1)]
	switch c.kind {
	case DM:
		r /= 60
	case DMS:
		r /= 3600
	}
	return r
}

// blankMinutes reads the minutes of "48 29.0005 N" after the integer
// degrees d that end at j: a blank, minutes with a fraction, and a
// hemisphere letter after them unless one came before the degrees. It
// returns the end of the minutes.
func blankMinutes(b []byte, j int, d num, hemiBefore bool) (int, num, bool) {
	if d.fracDigits > 0 || j+1 >= len(b) || b[j] != ' ' || !isDigit(b[j+1]) {
		return 0, num{}, false
	}
	m, ok := number(b, j+1, 2)
	if !ok || m.fracDigits == 0 || m.val >= 60 {
		return 0, num{}, false
	}
	if !hemiBefore {
		k := m.end
		if k < len(b) && b[k] == ' ' {
			k++
		}
		if k >= len(b) || !hemi(b[k]) || wordAt(b, k+1) {
			return 0, num{}, false
		}
	}
	return m.end, m, true
}

func validLat(v float64) bool { return v >= -90 && v <= 90 }
func validLon(v float64) bool { return v >= -180 && v <= 180 }

func latHemi(h byte) bool { return h == 'N' || h == 'S' }

// before returns the byte before i, skipping blanks and line breaks, or 0.
func before(b []byte, i int) byte {
	for k := 0; k <= maxBlank && i > 0; k++ {
		i--
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return b[i]
	}
	return 0
}

// after returns the first byte at or after j that is not a blank or line
// break, and its offset, or 0.
func after(b []byte, j int) (byte, int) {
	for k := 0; k <= maxBlank && j < len(b); k++ {
		switch b[j] {
		case ' ', '\t', '\n', '\r':
			j++
			continue
		}
		return b[j], j
	}
	return 0, j
}

// pair reads a position made of two coordinates at b[i:].
func pair(b []byte, i int) (Match, bool) {
	if mayNMEA(b, i) {
		if m, ok := nmea(b, i); ok {
			return m, true
		}
	}
	c1, ok := parseCoord(b, i)
	if !ok || c1.kind == Decimal && c1.hemi == 0 && !c1.mark && c1.dec < MinShapeDecimals {
		return Match{}, false
	}
	j := c1.end
	var comma, nl bool
sep:
	for k := 0; j < len(b); k++ {
		if k > maxBlank {
			return Match{}, false
		}
		switch b[j] {
		case ' ', '\t':
		case '\n', '\r':
			nl = true
		case ',', ';':
			if comma {
				break sep
			}
			comma = true
		case '%':
			// %2C, a comma in a URL: ?q=35.8506%2C14.4506
			if comma || j+2 >= len(b) || b[j+1] != '2' || b[j+2] != 'C' && b[j+2] != 'c' {
				break sep
			}
			comma = true
			j += 2
		default:
			break sep
		}
		j++
	}
	if j == c1.end || j >= len(b) {
		return Match{}, false
	}
	c2, ok := parseCoord(b, j)
	if !ok {
		return Match{}, false
	}
	m := Match{Start: i, End: c2.end, Next: c2.start, Res: max(c1.res(), c2.res())}
	if c1.blankMin > 0 {
		m.Next = c1.blankMin // read the minutes as degrees too
	}
	if c1.hemi != 0 || c2.hemi != 0 {
		if c1.hemi == 0 || c2.hemi == 0 || latHemi(c1.hemi) == latHemi(c2.hemi) || nl {
			return Match{}, false
		}
		if c1.kind == Decimal && min(c1.dec, c2.dec) < MinShapeDecimals {
			return Match{}, false
		}
		m.Kind = max(c1.kind, c2.kind)
		if latHemi(c1.hemi) {
			m.Point = geowarden.Point{Lat: c1.val, Lon: c2.val}
		} else {
			m.Point = geowarden.Point{Lat: c2.val, Lon: c1.val}
		}
		if !validLat(m.Point.Lat) || !validLon(m.Point.Lon) {
			return Match{}, false
		}
		return m, true
	}
	lonFirst := false
	switch {
	case c1.kind != Decimal || c2.kind != Decimal || c1.mark || c2.mark:
		if nl || !c1.mark || !c2.mark {
			return Match{}, false // without letters, both need marks: not 7d0,8
		}
		m.Kind = max(c1.kind, c2.kind)
		if m.Kind == Decimal && min(c1.dec, c2.dec) < MinShapeDecimals {
			return Match{}, false
		}
	case min(c1.dec, c2.dec) < MinShapeDecimals:
		return Match{}, false
	case comma && isList(b, i, c2.end):
		m.Kind, lonFirst, m.Next = List, true, c2.end
	case !comma && !nl:
		if end, ok := wktVertex(b, i, c2.end); ok {
			m.Kind, lonFirst, m.End = WKT, true, end
			break
		}
		fallthrough
	default:
		if nl || min(c1.dec, c2.dec) < MinDecimals {
			return Match{}, false
		}
		m.Kind = Decimal
		if comma {
			m.Next = next(b, c2.start, c2.end)
		}
	}
	p := geowarden.Point{Lat: c1.val, Lon: c2.val}
	if lonFirst {
		p = geowarden.Point{Lat: c2.val, Lon: c1.val}
	}
	if m.Point, m.Ambiguous, ok = reading(p); !ok {
		return Match{}, false
	}
	return m, true
}

// reading returns p, or p swapped when only that is a valid position,
// and whether both are.
func reading(p geowarden.Point) (r geowarden.Point, ambiguous, ok bool) {
	ok1 := validLat(p.Lat) && validLon(p.Lon)
	ok2 := validLat(p.Lon) && validLon(p.Lat)
	switch {
	case ok1:
		return p, ok2, true
	case ok2:
		return geowarden.Point{Lat: p.Lon, Lon: p.Lat}, false, true
	}
	return geowarden.Point{}, false, false
}

// isList reports whether the pair b[i:end] is the start of a JSON array.
func isList(b []byte, i, end int) bool {
	if before(b, i) != '[' {
		return false
	}
	nb, _ := after(b, end)
	return nb == ',' || nb == ']'
}

// wktVertex reports whether the pair b[i:end] is a WKT vertex, and
// returns its end after up to two more numbers (Z, M).
func wktVertex(b []byte, i, end int) (int, bool) {
	if pb := before(b, i); pb != '(' && pb != ',' {
		return 0, false
	}
	for range 2 {
		k := blanks(b, end, maxBlank)
		if k <= end || k >= len(b) {
			break
		}
		z, ok := parseCoord(b, k)
		if !ok || z.kind != Decimal || z.hemi != 0 || z.mark {
			break
		}
		end = z.end
	}
	nb, _ := after(b, end)
	return end, nb == ')' || nb == ','
}

// nmeaCoord reads ddmm.mmmm,H at b[i:] with 3 to maxInt integer digits.
func nmeaCoord(b []byte, i, maxInt int, lat bool) (v, res float64, end int, ok bool) {
	n, ok := number(b, i, maxInt)
	if !ok || n.intDigits < 3 || n.fracDigits == 0 || n.end+1 >= len(b) || b[n.end] != ',' {
		return 0, 0, 0, false
	}
	h := b[n.end+1]
	if !hemi(h) || latHemi(h) != lat {
		return 0, 0, 0, false
	}
	deg := float64(n.ip / 100)
	mins := n.val - deg*100
	if mins >= 60 {
		return 0, 0, 0, false
	}
	v = deg + mins/60
	if h == 'S' || h == 'W' {
		v = -v
	}
	return v, 1 / pow10[min(n.fracDigits, len(pow10)-1)] / 60, n.end + 2, true
}

// mayNMEA reports quickly whether b[i:] may start NMEA coordinates: 3 or
// 4 digits, a fraction, a comma and N or S.
func mayNMEA(b []byte, i int) bool {
	j := i
	for j < len(b) && isDigit(b[j]) {
		j++
	}
	if n := j - i; n < 3 || n > 4 || j >= len(b) || b[j] != '.' {
		return false
	}
	for j++; j < len(b) && isDigit(b[j]); j++ {
	}
	return j+1 < len(b) && b[j] == ',' && (b[j+1] == 'N' || b[j+1] == 'S')
}

// nmea reads ddmm.mmmm,N,dddmm.mmmm,E at b[i:].
func nmea(b []byte, i int) (Match, bool) {
	lat, r1, j, ok := nmeaCoord(b, i, 4, true)
	if !ok || j >= len(b) || b[j] != ',' {
		return Match{}, false
	}
	lon, r2, end, ok := nmeaCoord(b, j+1, 5, false)
	if !ok || wordAt(b, end) || !validLat(lat) || !validLon(lon) {
		return Match{}, false
	}
	return Match{Start: i, End: end, Next: end, Kind: NMEA, Point: geowarden.Point{Lat: lat, Lon: lon}, Res: max(r1, r2)}, true
}

// key reads a latitude or longitude key at b[i:]: it returns the axis
// ('a' for latitude, 'o' for longitude), whether it ends in E7, and the
// key's end.
func key(b []byte, i int) (axis byte, e7 bool, end int) {
	if i > 0 {
		p := b[i-1]
		camel := b[i] == 'L' && i+1 < len(b) && b[i+1]-'a' < 26
		if isDigit(p) || (p|0x20)-'a' < 26 && !camel {
			return 0, false, 0
		}
	}
	j := i + 1
	lower := func(k int) byte {
		if k < len(b) {
			return b[k] | 0x20
		}
		return 0
	}
	has := func(s string) bool {
		for k := range len(s) {
			if lower(j+k) != s[k] {
				return false
			}
		}
		j += len(s)
		return true
	}
	switch {
	case has("atitude"), has("at"):
		axis = 'a'
	case has("ongitude"), has("ong"), has("on"), has("ng"):
		axis = 'o'
	default:
		return 0, false, 0
	}
	if lower(j) == 'e' && j+1 < len(b) && b[j+1] == '7' {
		e7 = true
		j += 2
	}
	if j < len(b) && class[b[j]]&cAlnum != 0 {
		return 0, false, 0
	}
	return axis, e7, j
}

// value reads the separator and value after a key ending at j.
func value(b []byte, j int, lat, e7 bool) (v, res float64, start, end int, ok bool) {
	if j < len(b) && (b[j] == '"' || b[j] == '\'') {
		j++
	}
	if j = blanks(b, j, 32); j < 0 || j >= len(b) {
		return
	}
	switch b[j] {
	case ':', '=', '>':
		j++
	default:
		return
	}
	if j = blanks(b, j, 4); j < 0 || j >= len(b) {
		return
	}
	if b[j] == '"' || b[j] == '\'' {
		j++
	}
	if e7 {
		k := j
		if k < len(b) && b[k] == '-' {
			k++
		}
		n, ok := number(b, k, 10)
		if !ok || n.fracDigits > 0 || wordAt(b, n.end) {
			return 0, 0, 0, 0, false
		}
		v = n.val / 1e7
		if k > j {
			v = -v
		}
		return v, 1e-7, j, n.end, (lat && validLat(v)) || (!lat && validLon(v))
	}
	if n, isNum := number(b, j, 3); isNum && n.fracDigits == 0 && n.end+1 < len(b) && b[n.end] == ',' && isDigit(b[n.end+1]) {
		// XMP: DDD,MM.mmmmH
		m, ok2 := number(b, n.end+1, 2)
		if !ok2 || m.val >= 60 || m.end >= len(b) || !hemi(b[m.end]) || latHemi(b[m.end]) != lat || wordAt(b, m.end+1) {
			return
		}
		v = n.val + m.val/60
		if b[m.end] == 'S' || b[m.end] == 'W' {
			v = -v
		}
		if (lat && !validLat(v)) || (!lat && !validLon(v)) {
			return 0, 0, 0, 0, false
		}
		return v, 1 / pow10[min(m.fracDigits, len(pow10)-1)] / 60, j, m.end + 1, true
	}
	c, isCoord := parseCoord(b, j)
	if !isCoord || c.hemi != 0 && latHemi(c.hemi) != lat {
		return 0, 0, 0, 0, false
	}
	if (lat && !validLat(c.val)) || (!lat && !validLon(c.val)) {
		return 0, 0, 0, 0, false
	}
	return c.val, c.res(), j, c.end, true
}

// named reads a latitude/longitude key pair at b[i:].
func named(b []byte, i int) (Match, bool) {
	axis, e7, j := key(b, i)
	if axis == 0 {
		return Match{}, false
	}
	v1, r1, _, end, ok := value(b, j, axis == 'a', e7)
	if !ok {
		return Match{}, false
	}
	for k := end; k < len(b) && k <= end+nameGap; k++ {
		if class[b[k]]&^cAlnum != cKey {
			continue
		}
		a2, e72, j2 := key(b, k)
		if a2 == 0 {
			continue
		}
		if a2 == axis {
			if k > 0 && b[k-1] == '/' {
				k = j2 - 1 // a closing tag: </lat>
				continue
			}
			return Match{}, false
		}
		if e72 != e7 {
			return Match{}, false
		}
		v2, r2, _, end2, ok := value(b, j2, a2 == 'a', e72)
		if !ok {
			k = j2 - 1 // a label without its value: Longitude Ref
			continue
		}
		m := Match{Start: i, End: end2, Next: end2, Kind: Named, Res: max(r1, r2)}
		if e7 {
			m.Kind = E7
		}
		if axis == 'a' {
			m.Point = geowarden.Point{Lat: v1, Lon: v2}
		} else {
			m.Point = geowarden.Point{Lat: v2, Lon: v1}
		}
		return m, true
	}
	return Match{}, false
}
