package jpeg

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/geotext"
)

// EXIF tags.
const (
	tagExifIFD     = 0x8769
	tagGPSIFD      = 0x8825
	tagThumbOffset = 0x0201
	tagThumbLength = 0x0202
	tagModifyDate  = 0x0132
	tagDTOriginal  = 0x9003
	tagDTDigitized = 0x9004
	tagOffsetTime  = 0x9010 // for ModifyDate; +1 for DateTimeOriginal, +2 for DateTimeDigitized

	gpsLatRef     = 1
	gpsLat        = 2
	gpsLonRef     = 3
	gpsLon        = 4
	gpsAltRef     = 5
	gpsAlt        = 6
	gpsTimeStamp  = 7
	gpsDestLatRef = 19
	gpsDestLat    = 20
	gpsDestLonRef = 21
	gpsDestLon    = 22
	gpsDateStamp  = 29
)

// maxIFDChain caps how many directories the IFD0 -> IFD1 -> ... chain is
// followed.
const maxIFDChain = 8

// exifHeader returns where the TIFF data starts in an APP1 payload that
// holds EXIF, as ExifTool recognises it: up to 4 bytes of garbage, then
// "Exif\0" (any case) and one more byte.
func exifHeader(p []byte) (int, bool) {
	for i := 0; i <= 4 && i+6 <= len(p); i++ {
		if strings.EqualFold(string(p[i:i+4]), "exif") && p[i+4] == 0 {
			return i + 6, true
		}
	}
	return 0, false
}

// exifBlock is one EXIF structure: an APP1 segment's body.
type exifBlock struct {
	g       *segment
	hdr     int // offset of the TIFF data in the payload
	t       *tiffData
	sameLen bool
	depth   int      // of the image it belongs to
	broken  error    // IFD0 cannot be read: nothing in the block can be trusted
	dirs    []uint32 // IFD0, IFD1, ... and the Exif IFD: where pointers to GPS IFDs may sit
	exifIFD uint32
	gps     []*gpsInfo
	thumbs  []*image
	texts   []*exifText
	copies  []posCopy // the positions read from the block, its thumbnail's included
}

// gpsInfo is what one GPS IFD holds.
type gpsInfo struct {
	off     uint32 // TIFF offset of the GPS IFD
	hasPos  bool
	pos     geowarden.Point
	hasDest bool // GPSDestLatitude/GPSDestLongitude, a second position
	dest    geowarden.Point
	hasAlt  bool
	alt     float64
	tm      time.Time
	// Where a Move puts the position and the destination.
	to, destTo target
}

// target is where a Move puts one copy of a position; a copy without one
// stays where it is.
type target struct {
	ok bool
	p  geowarden.Point
}

// parseExif reads an EXIF block. Problems with a position are recorded in
// img.bad; problems elsewhere (the Exif IFD, the thumbnail) are ignored, as
// they do not hide a position from any reader.
func (img *image) parseExif(g *segment, hdr int, sameLen bool) *exifBlock {
	x := &exifBlock{g: g, hdr: hdr, sameLen: sameLen, depth: img.depth}
	img.exifs = append(img.exifs, x)
	first := len(img.copies)
	defer func() { x.copies = slices.Clone(img.copies[first:]) }()
	base := img.base + g.dataOff() + int64(hdr)
	t, ifd0, err := newTIFF(g.data[hdr:], base)
	if err != nil {
		x.broken = err
		img.fail(base, ErrEXIF, "%sEXIF segment at byte %d: %v", img.where, g.off+img.base, err)
		return x
	}
	x.t = t
	// IFD0 and the chain after it.
	seen := map[uint32]bool{}
	for off, i := ifd0, 0; off != 0 && i < maxIFDChain && !seen[off]; i++ {
		seen[off] = true
		_, next, err := t.ifd(off)
		if err != nil {
			if i == 0 {
				x.broken = err
				at := base + 4 // the IFD0 offset in the header
				if int64(off) < int64(len(t.b)) {
					at = base + int64(off)
				}
				img.failErr(at, ErrEXIF, err, "%sEXIF segment at byte %d: IFD0", img.where, g.off+img.base)
				return x
			}
			break // a broken IFD1 hides nothing from readers
		}
		x.dirs = append(x.dirs, off)
		if i > 0 {
			x.thumb(img, off, seen)
		}
		off = next
	}
	if e, _, ok := t.find(ifd0, tagExifIFD); ok {
		if off, ok := t.uint(e); ok && !seen[off] {
			if _, _, err := t.ifd(off); err == nil {
				seen[off] = true
				x.exifIFD = off
				x.dirs = append(x.dirs, off)
			}
		}
	}
	x.readTexts(img)
	// GPS IFDs, wherever a pointer to one sits.
	for _, d := range x.dirs {
		n, _, _ := t.ifd(d)
		for i := range n {
			e := t.entry(d, i)
			if e.tag != tagGPSIFD || e.count == 0 {
				continue // (an empty pointer leads nowhere, for ExifTool too)
			}
			off, ok := t.uint(e)
			if !ok {
				img.fail(base+int64(e.pos), ErrEXIF, "%sEXIF segment at byte %d: GPS IFD pointer has type %d and count %d", img.where, g.off+img.base, e.typ, e.count)
				continue
			}
			if seen[off] {
				img.fail(base+int64(e.pos), ErrEXIF, "%sEXIF segment at byte %d: GPS IFD pointer leads back to another IFD (TIFF offset %d)", img.where, g.off+img.base, off)
				continue
			}
			gi, err := t.readGPS(off)
			if err != nil {
				at := base + int64(e.pos) // the pointer
				if int64(off) < int64(len(t.b)) {
					at = base + int64(off)
				}
				img.failErr(at, ErrEXIF, err, "%sEXIF segment at byte %d: GPS IFD", img.where, g.off+img.base)
				continue
			}
			x.gps = append(x.gps, gi)
			if gi.hasPos {
				img.copies = append(img.copies, posCopy{kind: copyEXIF, depth: img.depth, pos: gi.pos, off: base + int64(off), what: img.where + "EXIF GPS IFD", to: &gi.to})
			}
			if gi.hasDest {
				img.copies = append(img.copies, posCopy{kind: copyOther, depth: img.depth, pos: gi.dest, off: base + int64(off), what: img.where + "EXIF GPSDestLatitude/GPSDestLongitude", to: &gi.destTo})
			}
		}
	}
	return x
}

// exifText is a position written in an EXIF text value: bytes off to
// off+n of the TIFF data.
type exifText struct {
	off, n int
	redact bool
}

// EXIF text tags that may hold a position written as text.
const (
	tagImageDescription = 0x010E
	tagUserComment      = 0x9286
)

// readTexts finds the positions written in ImageDescription (IFD0) and
// UserComment (Exif IFD, ASCII or undefined character code).
func (x *exifBlock) readTexts(img *image) {
	t := x.t
	for _, tt := range []struct {
		dir  uint32
		tag  uint16
		name string
	}{{x.ifd0(), tagImageDescription, "EXIF ImageDescription"}, {x.exifIFD, tagUserComment, "EXIF UserComment"}} {
		if tt.dir == 0 {
			continue
		}
		e, _, ok := t.find(tt.dir, tt.tag)
		if !ok || e.typ != tASCII && e.typ != tUndefined {
			continue
		}
		st, n, err := t.span(e)
		if err != nil {
			continue
		}
		v := t.b[st : st+n]
		if tt.tag == tagUserComment {
			if len(v) < 8 || string(v[:8]) != "ASCII\x00\x00\x00" && string(v[:8]) != "\x00\x00\x00\x00\x00\x00\x00\x00" {
				continue // Unicode or JIS: not read
			}
			st, v = st+8, v[8:]
		}
		if i := bytes.IndexByte(v, 0); i >= 0 {
			v = v[:i]
		}
		for m := range geotext.All(v) {
			et := &exifText{off: st + m.Start, n: m.End - m.Start}
			x.texts = append(x.texts, et)
			img.texts = append(img.texts, textRef{ex: et})
			img.textPos = append(img.textPos, geowarden.TextPos{Pos: m.Point, Field: tt.name, Start: m.Start, End: m.End})
			if m.Ambiguous {
				img.texts = append(img.texts, textRef{ex: et})
				img.textPos = append(img.textPos, geowarden.TextPos{Pos: m.Swapped(), Field: tt.name, Start: m.Start, End: m.End})
			}
		}
	}
}

// redactTexts overwrites the marked text positions in place: with
// RedactedText padded with blanks when it fits, else with blanks.
func (x *exifBlock) redactTexts() {
	if x.t == nil || x.broken != nil {
		return
	}
	for _, et := range x.texts {
		if !et.redact || et.off+et.n > len(x.t.b) {
			continue
		}
		b := x.t.b[et.off : et.off+et.n]
		for i := range b {
			b[i] = ' '
		}
		if len(b) >= len(geowarden.RedactedText) {
			copy(b, geowarden.RedactedText)
		}
	}
}

// thumb reads the JPEG thumbnail an IFD points to, when there is one.
func (x *exifBlock) thumb(img *image, dir uint32, seen map[uint32]bool) {
	t := x.t
	eo, _, ok1 := t.find(dir, tagThumbOffset)
	el, _, ok2 := t.find(dir, tagThumbLength)
	if !ok1 || !ok2 || img.depth >= maxDepth {
		return
	}
	o, ok1 := t.uint(eo)
	l, ok2 := t.uint(el)
	if !ok1 || !ok2 || uint64(o)+uint64(l) > uint64(len(t.b)) || l < 4 {
		return
	}
	b := t.b[o : o+l]
	if b[0] != 0xFF || b[1] != mSOI {
		return
	}
	child := &image{
		sameLen: true,
		depth:   img.depth + 1,
		base:    t.base + int64(o),
		where:   img.where + "EXIF thumbnail: ",
		name:    img.name,
		segs:    embeddedSegments(b),
	}
	child.analyze()
	x.thumbs = append(x.thumbs, child)
	img.adopt(child)
}

// readGPS reads a GPS IFD. Errors are about the position: the IFD cannot
// be read, or its latitude and longitude cannot.
func (t *tiffData) readGPS(off uint32) (*gpsInfo, error) {
	gi := &gpsInfo{off: off}
	n, _, err := t.ifd(off)
	if err != nil {
		return gi, err
	}
	var es [gpsDateStamp + 1]*entry
	for i := range n {
		e := t.entry(off, i)
		if int(e.tag) >= len(es) {
			continue
		}
		if es[e.tag] != nil && (e.tag >= gpsLatRef && e.tag <= gpsLon || e.tag >= gpsDestLatRef && e.tag <= gpsDestLon) {
			return gi, fmt.Errorf("two entries for tag %d", e.tag)
		}
		es[e.tag] = &e
	}
	lat, latOK, err := t.coord(es[gpsLat], es[gpsLatRef], "GPSLatitude", 'N', 'S')
	if err != nil {
		return gi, err
	}
	lon, lonOK, err := t.coord(es[gpsLon], es[gpsLonRef], "GPSLongitude", 'E', 'W')
	if err != nil {
		return gi, err
	}
	switch {
	case latOK && lonOK:
		if err := format.CheckPoint(lon, lat); err != nil {
			return gi, err // wraps format.ErrRange or ErrNaN
		}
		gi.hasPos, gi.pos = true, geowarden.Point{Lon: lon, Lat: lat}
	case latOK:
		return gi, fmt.Errorf("GPSLatitude without GPSLongitude")
	case lonOK:
		return gi, fmt.Errorf("GPSLongitude without GPSLatitude")
	}
	// The destination: a second position. All zeros (as some cameras
	// write when there is none) is none.
	dlat, dlatOK, err := t.coord(es[gpsDestLat], es[gpsDestLatRef], "GPSDestLatitude", 'N', 'S')
	if err != nil && !t.zero(es[gpsDestLat]) {
		return gi, err
	}
	dlon, dlonOK, err2 := t.coord(es[gpsDestLon], es[gpsDestLonRef], "GPSDestLongitude", 'E', 'W')
	if err2 != nil && !t.zero(es[gpsDestLon]) {
		return gi, err2
	}
	switch {
	case err != nil || err2 != nil:
		// a zero value without its reference: none
	case dlatOK && dlonOK && (dlat != 0 || dlon != 0):
		if err := format.CheckPoint(dlon, dlat); err != nil {
			return gi, fmt.Errorf("GPSDestLatitude/GPSDestLongitude: %w", err)
		}
		gi.hasDest, gi.dest = true, geowarden.Point{Lon: dlon, Lat: dlat}
	case dlatOK && dlat != 0:
		return gi, fmt.Errorf("GPSDestLatitude without GPSDestLongitude")
	case dlonOK && dlon != 0:
		return gi, fmt.Errorf("GPSDestLongitude without GPSDestLatitude")
	}
	if e := es[gpsAlt]; e != nil {
		if rs, err := t.rationals(*e, 1); err == nil && len(rs) == 1 && rs[0].den != 0 {
			gi.hasAlt, gi.alt = true, rs[0].float()
			if r := es[gpsAltRef]; r != nil && r.count == 1 && (r.typ == tByte || r.typ == tUndefined) && t.b[r.pos+8] == 1 {
				gi.alt = -gi.alt
			}
			if math.IsInf(gi.alt, 0) || math.IsNaN(gi.alt) {
				gi.hasAlt = false
			}
		}
	}
	gi.tm = t.gpsTime(es[gpsTimeStamp], es[gpsDateStamp])
	return gi, nil
}

// zero reports whether a coordinate entry holds only zeros (0/1 or 0/0).
func (t *tiffData) zero(e *entry) bool {
	if e == nil {
		return true
	}
	rs, err := t.rationals(*e, 3)
	if err != nil {
		return false
	}
	for _, r := range rs {
		if r.num != 0 {
			return false
		}
	}
	return true
}

// coord reads a latitude or longitude and its reference.
func (t *tiffData) coord(e, ref *entry, name string, pos, neg byte) (float64, bool, error) {
	if e == nil {
		return 0, false, nil
	}
	rs, err := t.rationals(*e, 3)
	if err != nil {
		return 0, false, fmt.Errorf("%s %v", name, err)
	}
	v, ok, err := degrees(rs)
	if err != nil {
		return 0, false, fmt.Errorf("%s: %v", name, err)
	}
	if !ok {
		return 0, false, nil
	}
	if ref == nil {
		return 0, false, fmt.Errorf("%s without %sRef: the hemisphere is unknown", name, name)
	}
	rv, err := t.value(*ref)
	if err != nil || len(rv) == 0 {
		return 0, false, fmt.Errorf("%sRef cannot be read", name)
	}
	switch c := rv[0] &^ 0x20; c {
	case pos:
	case neg:
		v = -v
	default:
		return 0, false, fmt.Errorf("%sRef is %q (want %c or %c)", name, rv[0], pos, neg)
	}
	return v, true, nil
}

// gpsTime combines GPSDateStamp and GPSTimeStamp (UTC); zero when either
// is missing or invalid.
func (t *tiffData) gpsTime(ts, ds *entry) time.Time {
	if ts == nil || ds == nil {
		return time.Time{}
	}
	rs, err := t.rationals(*ts, 3)
	if err != nil || len(rs) != 3 {
		return time.Time{}
	}
	var hms [3]float64
	for i, r := range rs {
		if r.den == 0 || r.num < 0 || r.den < 0 {
			return time.Time{}
		}
		hms[i] = r.float()
	}
	if hms[0] >= 24 || hms[1] >= 60 || hms[2] >= 61 {
		return time.Time{}
	}
	d, ok := t.ascii(*ds)
	if !ok {
		return time.Time{}
	}
	day, err := time.Parse("2006:01:02", strings.ReplaceAll(d, "-", ":"))
	if err != nil {
		return time.Time{}
	}
	secs := hms[0]*3600 + hms[1]*60 + hms[2]
	return day.Add(time.Duration(secs * float64(time.Second))).Round(time.Millisecond)
}

// exifTime reads an EXIF date ("2006:01:02 15:04:05") with the offset tag
// that goes with it; without one the time is taken as UTC.
func (x *exifBlock) exifTime(dir uint32, tag, offTag uint16) (time.Time, string) {
	t := x.t
	e, _, ok := t.find(dir, tag)
	if !ok {
		return time.Time{}, ""
	}
	s, ok := t.ascii(e)
	if !ok {
		return time.Time{}, ""
	}
	loc := time.UTC
	if oe, _, ok := t.find(x.exifIFD, offTag); ok && x.exifIFD != 0 {
		if o, ok := t.ascii(oe); ok {
			if z, err := time.Parse("-07:00", o); err == nil {
				_, sec := z.Zone()
				loc = time.FixedZone(o, sec)
			}
		}
	}
	tm, err := time.ParseInLocation("2006:01:02 15:04:05", s, loc)
	if err != nil {
		return time.Time{}, s
	}
	return tm.UTC(), s
}

// ifd0 is the first directory.
func (x *exifBlock) ifd0() uint32 {
	if len(x.dirs) == 0 {
		return 0
	}
	return x.dirs[0]
}

// attrDir says which directory an attribute's tag lives in.
const (
	inIFD0 = iota
	inExif
)

// exifAttrs are the tags given as Record attributes, and that Strip and Set
// address.
var exifAttrs = []struct {
	name string
	dir  int
	tag  uint16
}{
	{"make", inIFD0, 0x010F},
	{"model", inIFD0, 0x0110},
	{"software", inIFD0, 0x0131},
	{"artist", inIFD0, 0x013B},
	{"copyright", inIFD0, 0x8298},
	{"imagedescription", inIFD0, 0x010E},
	{"modifydate", inIFD0, tagModifyDate},
	{"datetimeoriginal", inExif, tagDTOriginal},
	{"createdate", inExif, tagDTDigitized},
	{"serialnumber", inExif, 0xA431},
	{"cameraownername", inExif, 0xA430},
	{"imageuniqueid", inExif, 0xA420},
	{"lensmake", inExif, 0xA433},
	{"lensmodel", inExif, 0xA434},
	{"lensserialnumber", inExif, 0xA435},
}

// attrAliases maps other names, role names included, to exifAttrs names.
var attrAliases = map[string]string{
	"source":            "serialnumber",
	"bodyserialnumber":  "serialnumber",
	"owner":             "cameraownername",
	"description":       "imagedescription",
	"datetime":          "modifydate",
	"datetimedigitized": "createdate",
	"lens":              "lensmodel",
}

func (x *exifBlock) dirOf(d int) uint32 {
	if d == inIFD0 {
		return x.ifd0()
	}
	return x.exifIFD
}

// attrs appends the block's attributes.
func (x *exifBlock) attrs(a *attrs) {
	if x.t == nil {
		return
	}
	for _, ea := range exifAttrs {
		dir := x.dirOf(ea.dir)
		if dir == 0 {
			continue
		}
		if e, _, ok := x.t.find(dir, ea.tag); ok {
			if v, ok := x.t.ascii(e); ok && v != "" {
				a.kv = append(a.kv, geowarden.Attr{Name: ea.name, Value: v})
			}
		}
	}
}

// --- edits ---

// drop removes every GPS IFD pointer and overwrites the GPS IFDs with
// zeros. A block whose IFD0 cannot be read is removed whole (or, inside an
// embedded image, overwritten with zeros).
func (x *exifBlock) drop() {
	if x.broken != nil || x.t == nil {
		x.wipe()
		return
	}
	t := x.t
	for _, d := range x.dirs {
		for {
			e, i, ok := t.find(d, tagGPSIFD)
			if !ok {
				break
			}
			off, ok := t.uint(e)
			if ok && e.count > 0 && !slices.ContainsFunc(x.gps, func(g *gpsInfo) bool { return g.off == off }) {
				// A GPS IFD that could not be read: where its values
				// are is not known for sure, so nothing of the block is
				// kept.
				x.wipe()
				return
			}
			t.removeEntry(d, i)
			if ok && e.count > 0 && !slices.Contains(x.dirs, off) {
				t.zeroIFD(off)
			}
		}
	}
	for _, th := range x.thumbs {
		th.apply(&geowarden.Edit{Drop: true})
	}
	// A GPS IFD's values may overlap the header, the other IFDs or the
	// thumbnail (in hostile input): when the block no longer reads
	// cleanly, or still holds a position, nothing of it is kept.
	if x.check(true) != nil {
		x.wipe()
	}
}

// check reads the edited block again: it must read cleanly and hold no
// position (dropped), or each of its positions where the edit put it (or
// left it).
func (x *exifBlock) check(dropped bool) error {
	chk := &image{sameLen: true, depth: x.depth}
	chk.parseExif(x.g, x.hdr, true)
	switch {
	case chk.bad != nil:
		return chk.bad.err
	case dropped && len(chk.copies) > 0:
		return fmt.Errorf("%s still holds a position", chk.copies[0].what)
	case dropped:
		return nil
	case len(chk.copies) != len(x.copies):
		return fmt.Errorf("it holds %d positions, not %d", len(chk.copies), len(x.copies))
	}
	for i, c := range x.copies {
		want := c.pos
		if c.to != nil && c.to.ok {
			want = c.to.p
		}
		if d := distance(chk.copies[i].pos, want); d > 1 {
			return fmt.Errorf("%s is %.0f m from where the edit puts it", c.what, d)
		}
	}
	return nil
}

// wipe removes the whole segment, or zeros its TIFF data where sizes must
// not change.
func (x *exifBlock) wipe() {
	if x.sameLen {
		clear(x.g.data[x.hdr:])
		return
	}
	x.g.out = [][]byte{}
}

// move writes each GPS IFD's position and destination where their
// targets say.
func (x *exifBlock) move() {
	if x.t == nil || x.broken != nil {
		return
	}
	t := x.t
	for _, gi := range x.gps {
		if gi.hasPos && gi.to.ok {
			t.putCoord(gi.off, gpsLat, gpsLatRef, gi.to.p.Lat, 'N', 'S')
			t.putCoord(gi.off, gpsLon, gpsLonRef, gi.to.p.Lon, 'E', 'W')
		}
		if gi.hasDest && gi.destTo.ok {
			t.putCoord(gi.off, gpsDestLat, gpsDestLatRef, gi.destTo.p.Lat, 'N', 'S')
			t.putCoord(gi.off, gpsDestLon, gpsDestLonRef, gi.destTo.p.Lon, 'E', 'W')
		}
	}
}

// putCoord writes v as degrees, minutes and seconds, in the entry's own
// type and count: d/1 m/1 s*10000/10000 for three values, d/1
// m*1000000/1000000 for two, d*10000000/10000000 for one.
func (t *tiffData) putCoord(gps uint32, tag, refTag uint16, v float64, pos, neg byte) {
	e, _, ok := t.find(gps, tag)
	if !ok || (e.typ != tRational && e.typ != tSRational) || e.count == 0 {
		return
	}
	if _, _, err := t.span(e); err != nil {
		return
	}
	hemi := pos
	if v < 0 {
		hemi, v = neg, -v
	}
	switch e.count {
	case 1:
		t.putRational(e, 0, uint32(math.Round(v*1e7)), 1e7)
	case 2:
		d := math.Floor(v)
		m := math.Round((v - d) * 60 * 1e6)
		if m >= 60e6 {
			d, m = d+1, 0
		}
		t.putRational(e, 0, uint32(d), 1)
		t.putRational(e, 1, uint32(m), 1e6)
	default:
		d := math.Floor(v)
		rest := (v - d) * 60
		m := math.Floor(rest)
		s := math.Round((rest - m) * 60 * 1e4)
		if s >= 60e4 {
			m, s = m+1, 0
		}
		if m >= 60 {
			d, m = d+1, 0
		}
		t.putRational(e, 0, uint32(d), 1)
		t.putRational(e, 1, uint32(m), 1)
		t.putRational(e, 2, uint32(s), 1e4)
		for i := 3; i < int(e.count); i++ {
			t.putRational(e, i, 0, 1)
		}
	}
	if r, _, ok := t.find(gps, refTag); ok {
		if s, n, err := t.span(r); err == nil && n > 0 {
			t.b[s] = hemi
		}
	}
}

// retime rewrites the GPS time and date stamps and the EXIF capture dates
// with tm; a zero tm removes them.
func (x *exifBlock) retime(tm time.Time) {
	if x.t == nil || x.broken != nil {
		return
	}
	t := x.t
	for _, gi := range x.gps {
		if tm.IsZero() {
			t.remove(gi.off, gpsTimeStamp)
			t.remove(gi.off, gpsDateStamp)
			continue
		}
		u := tm.UTC()
		if e, _, ok := t.find(gi.off, gpsTimeStamp); ok && (e.typ == tRational || e.typ == tSRational) && e.count == 3 {
			if _, _, err := t.span(e); err == nil {
				t.putRational(e, 0, uint32(u.Hour()), 1)
				t.putRational(e, 1, uint32(u.Minute()), 1)
				t.putRational(e, 2, uint32(u.Second()*1000+u.Nanosecond()/1e6), 1000)
			}
		}
		if e, _, ok := t.find(gi.off, gpsDateStamp); ok {
			t.putASCII(e, u.Format("2006:01:02"))
		}
	}
	if x.exifIFD == 0 {
		return
	}
	_, orig := x.exifTime(x.exifIFD, tagDTOriginal, tagOffsetTime+1)
	for _, d := range []struct {
		dir    uint32
		tag    uint16
		offTag uint16
	}{
		{x.exifIFD, tagDTOriginal, tagOffsetTime + 1},
		{x.exifIFD, tagDTDigitized, tagOffsetTime + 2},
		{x.ifd0(), tagModifyDate, tagOffsetTime},
	} {
		e, _, ok := t.find(d.dir, d.tag)
		if !ok {
			continue
		}
		if d.tag == tagModifyDate {
			// The modification date is the capture time only when it
			// says so.
			if s, _ := t.ascii(e); s != orig || orig == "" {
				continue
			}
		}
		if tm.IsZero() {
			t.remove(d.dir, d.tag)
			continue
		}
		loc := time.UTC
		if oe, _, ok := t.find(x.exifIFD, d.offTag); ok {
			if o, ok := t.ascii(oe); ok {
				if z, err := time.Parse("-07:00", o); err == nil {
					_, sec := z.Zone()
					loc = time.FixedZone(o, sec)
				}
			}
		}
		t.putASCII(e, tm.In(loc).Format("2006:01:02 15:04:05"))
	}
}

// putASCII writes s, NUL-padded, over an ASCII value; a value too short
// for s is overwritten with NULs.
func (t *tiffData) putASCII(e entry, s string) {
	st, n, err := t.span(e)
	if err != nil || e.typ != tASCII {
		return
	}
	clear(t.b[st : st+n])
	if len(s) < n {
		copy(t.b[st:], s)
	}
}

// remove deletes every entry with the tag from a directory and zeros their
// values.
func (t *tiffData) remove(dir uint32, tag uint16) bool {
	done := false
	for {
		e, i, ok := t.find(dir, tag)
		if !ok {
			return done
		}
		t.zeroValue(e)
		t.removeEntry(dir, i)
		done = true
	}
}

// lookupAttr resolves an attribute name to an exifAttrs entry.
func lookupAttr(name string) (int, bool) {
	n := strings.ToLower(name)
	if a, ok := attrAliases[n]; ok {
		n = a
	}
	for i, ea := range exifAttrs {
		if ea.name == n {
			return i, true
		}
	}
	return 0, false
}

// strip removes the named attributes. "time" names the GPS time and date
// stamps and the capture dates.
func (x *exifBlock) strip(names []string) {
	if x.t == nil || x.broken != nil {
		return
	}
	for _, n := range names {
		if strings.EqualFold(n, "time") {
			x.retime(time.Time{})
			continue
		}
		if i, ok := lookupAttr(n); ok {
			if dir := x.dirOf(exifAttrs[i].dir); dir != 0 {
				x.t.remove(dir, exifAttrs[i].tag)
			}
		}
	}
}

// set replaces the named ASCII attributes' values. A value that does not
// fit where the old one was is appended to the TIFF data (the segment
// grows); where sizes must not change, the attribute is removed instead.
func (x *exifBlock) set(kv []geowarden.Attr) {
	if x.t == nil || x.broken != nil {
		return
	}
	t := x.t
	for _, a := range kv {
		i, ok := lookupAttr(a.Name)
		if !ok {
			continue
		}
		dir := x.dirOf(exifAttrs[i].dir)
		if dir == 0 {
			continue
		}
		e, _, ok := t.find(dir, exifAttrs[i].tag)
		if !ok || e.typ != tASCII {
			continue
		}
		v := strings.ReplaceAll(a.Value, "\x00", "")
		if _, n, err := t.span(e); err == nil && len(v) < n {
			t.putASCII(e, v)
			continue
		}
		if x.sameLen || len(x.g.data)+len(v)+2 > 0xFFFF-2 {
			t.remove(dir, e.tag)
			continue
		}
		// Append the value (word-aligned) at the end of the TIFF data.
		t.zeroValue(e)
		nb := bytes.Clone(t.b)
		if len(nb)%2 == 1 {
			nb = append(nb, 0)
		}
		off := len(nb)
		nb = append(nb, v...)
		nb = append(nb, 0)
		t.b = nb
		t.bo.PutUint32(t.b[e.pos+4:], uint32(len(v)+1))
		t.bo.PutUint32(t.b[e.pos+8:], uint32(off))
		x.g.data = append(x.g.data[:x.hdr:x.hdr], t.b...)
		t.b = x.g.data[x.hdr:]
	}
}
