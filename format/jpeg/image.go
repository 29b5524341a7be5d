package jpeg

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// maxDepth caps how deeply images nest: a photo's thumbnail is depth 1, and
// a thumbnail's own thumbnail is not read.
const maxDepth = 1

// Where a copy of the position comes from.
const (
	copyEXIF  = iota // an EXIF GPS IFD's GPSLatitude/GPSLongitude
	copyXMP          // a top-level XMP GPSLatitude/GPSLongitude (exif:, drone-dji:, ...)
	copyOther        // any other: GPSDest*, LocationShown/LocationCreated, drone tags
)

// posCopy is one place in a file that holds a position.
type posCopy struct {
	kind  int
	depth int
	pos   geowarden.Point
	off   int64
	what  string
	to    *target // where a Move puts it
}

// problem is a located error about a position.
type problem struct {
	off int64
	err error
}

// image is the metadata of one JPEG image: the file's own, a thumbnail's,
// or an embedded image's.
type image struct {
	name    string
	segs    []*segment
	sameLen bool   // sizes must not change (thumbnails, embedded images)
	depth   int    // 0 for the file's images, 1 for thumbnails
	base    int64  // added to segment offsets (thumbnails: where the thumbnail starts)
	where   string // prefix for messages
	mpf     int    // index of the MPF segment + 1; 0 when none

	exifs   []*exifBlock
	xmps    []*xmpBlock
	exts    []*extGroup
	copies  []posCopy
	texts   []textRef           // positions written in XMP and EXIF text, as Record.Text
	textPos []geowarden.TextPos // (the same)
	bad     *problem
	notices []format.Notice
}

// fail records the first problem with a position.
func (img *image) fail(off int64, kind error, f string, a ...any) {
	if img.bad == nil {
		img.bad = &problem{off: off, err: errorf(kind, f, a...)}
	}
}

// failErr records the first problem with a position, with its cause.
func (img *image) failErr(off int64, kind, cause error, f string, a ...any) {
	if img.bad == nil {
		img.bad = &problem{off: off, err: wrapf(kind, cause, f, a...)}
	}
}

// adopt takes over what a thumbnail found.
func (img *image) adopt(c *image) {
	img.copies = append(img.copies, c.copies...)
	img.texts = append(img.texts, c.texts...)
	img.textPos = append(img.textPos, c.textPos...)
	img.notices = append(img.notices, c.notices...)
	if img.bad == nil {
		img.bad = c.bad
	}
}

func (img *image) notice(off int64, msg string) {
	img.notices = append(img.notices, format.Notice{
		Ref:     geowarden.Ref{File: img.name, Offset: off, Feature: -1},
		Kind:    "unsupported",
		Message: msg,
	})
}

// embeddedSegments splits the header of a JPEG held in memory (a
// thumbnail) into segments whose payloads point into b, so that edits made
// in place land in b. It stops at SOS, EOI or anything it does not
// understand.
func embeddedSegments(b []byte) []*segment {
	segs := []*segment{{off: 0, marker: mSOI}}
	i := 2
	for i+2 <= len(b) && len(segs) < 1024 {
		if b[i] != 0xFF {
			break
		}
		g := &segment{off: int64(i)}
		j := i + 1
		for j < len(b) && b[j] == 0xFF {
			j++
			g.fill++
		}
		if j >= len(b) {
			break
		}
		g.marker = b[j]
		if standalone(g.marker) || g.marker == 0 {
			if g.marker != mSOI && g.marker != 0 {
				segs = append(segs, g)
			}
			if g.marker != mTEM && (g.marker < 0xD0 || g.marker > 0xD7) {
				break
			}
			i = j + 1
			continue
		}
		if j+3 > len(b) {
			break
		}
		n := int(b[j+1])<<8 | int(b[j+2])
		if n < 2 || j+1+n > len(b) {
			break
		}
		g.hasLen = true
		g.data = b[j+3 : j+1+n : j+1+n]
		segs = append(segs, g)
		if g.marker == mSOS {
			break
		}
		i = j + 1 + n
	}
	return segs
}

// Segment identifiers.
var (
	xmpHeader    = []byte("http://ns.adobe.com/xap/1.0/\x00")
	extXMPHeader = []byte("http://ns.adobe.com/xmp/extension/\x00")
)

// isXMP reports whether an APP1 payload that is not EXIF holds XMP, as
// ExifTool decides, and where the packet starts.
func isXMP(p []byte) (int, bool) {
	switch {
	case bytes.HasPrefix(p, xmpHeader):
		return len(xmpHeader), true
	case bytes.HasPrefix(p, extXMPHeader):
		return 0, false
	case bytes.HasPrefix(p, []byte("http")), bytes.HasPrefix(p, []byte("XMP\x00")),
		bytes.Contains(p, []byte("<exif:")), bytes.Contains(p, []byte("<?xpacket")):
		return 0, true
	}
	return 0, false
}

// gpsWords are texts that suggest a position in a segment geowarden does
// not read.
var gpsWords = [][]byte{[]byte("gpslatitude"), []byte("gpslongitude"), []byte("gpsposition")}

func mentionsGPS(p []byte) bool {
	// A bounded, allocation-free case-insensitive search.
	for _, w := range gpsWords {
		for i := 0; i+len(w) <= len(p); i++ {
			if p[i]|0x20 != w[0] {
				continue
			}
			if bytes.EqualFold(p[i:i+len(w)], w) {
				return true
			}
		}
	}
	return false
}

// analyze finds the EXIF and XMP blocks of the image and every copy of the
// position in them.
func (img *image) analyze() {
	flir := false
	for i, g := range img.segs {
		if !g.hasLen {
			continue
		}
		sameLen := img.sameLen || img.mpf > 0 // segments after MPF keep their size: its offsets count from it
		switch {
		case g.marker == mAPP1:
			if hdr, ok := exifHeader(g.data); ok {
				img.parseExif(g, hdr, sameLen)
				continue
			}
			if bytes.HasPrefix(g.data, extXMPHeader) {
				img.extChunk(g, sameLen)
				continue
			}
			if start, ok := isXMP(g.data); ok {
				img.parseXMP(g, start, sameLen)
				continue
			}
			if bytes.HasPrefix(g.data, []byte("FLIR\x00")) {
				if !flir {
					flir = true
					img.notice(img.base+g.off, img.where+"FLIR segments (which may hold a GPS record) are passed through unread")
				}
				continue
			}
		case g.marker == mAPP2 && bytes.HasPrefix(g.data, []byte("MPF\x00")):
			if img.mpf == 0 {
				img.mpf = i + 1
			}
			continue
		}
		if (g.marker >= mAPP0 && g.marker <= mAPP15 || g.marker == mCOM) && mentionsGPS(g.data) {
			what := fmt.Sprintf("APP%d segment", g.marker-mAPP0)
			if g.marker == mCOM {
				what = "comment (COM)"
			}
			img.notice(img.base+g.off, fmt.Sprintf("%s%s at byte %d mentions GPS coordinates in a form geowarden does not read; passed through unchanged", img.where, what, img.base+g.off))
		}
	}
	img.parseExt()
}

// primary returns the index of the copy that stands for the photo's
// position: the first EXIF GPS IFD of the image itself, else its first
// top-level XMP GPSLatitude/GPSLongitude, else the first of these in a
// thumbnail; -1 when there is none (a photo with only a GPSDest position
// or a LocationShown has no position of its own).
func (img *image) primary() int {
	for _, k := range []int{copyEXIF, copyXMP} {
		for i, c := range img.copies {
			if c.kind == k && c.depth == img.depth {
				return i
			}
		}
	}
	for i, c := range img.copies {
		if c.kind != copyOther {
			return i
		}
	}
	return -1
}

// recPositions is what the photo's record says: its positions (Pos, when it
// has one, then More) and the edit it was given.
type recPositions struct {
	hasPos   bool
	pos      []geowarden.Point
	edit     geowarden.Edit
	redacted []geowarden.Point // the text positions Edit.Redact lists
}

// redactNear returns the indexes of an embedded image's text positions
// that lie within MaxDisagreementM of a text position the record's edit
// redacts: the same text, in a copy of the metadata.
func (img *image) redactNear(r *recPositions) []int {
	var idx []int
	for i, tp := range img.textPos {
		for _, p := range r.redacted {
			if distance(tp.Pos, p) <= MaxDisagreementM {
				idx = append(idx, i)
				break
			}
		}
	}
	return idx
}

// target returns where a Move puts the record's position j (0 is Pos when
// the record has one): Edit.Pos, or the matching Edit.More; when the edit
// gives no More, the copies of Pos (within MaxDisagreementM of it) follow
// Pos and the other positions stay.
func (r *recPositions) target(j int) target {
	ed := &r.edit
	if !ed.Move || ed.Drop {
		return target{}
	}
	if r.hasPos && j == 0 {
		return target{ok: true, p: ed.Pos}
	}
	k := j
	if r.hasPos {
		k--
	}
	if len(ed.More) > 0 {
		return target{ok: true, p: ed.More[k]}
	}
	if r.hasPos && distance(r.pos[j], r.pos[0]) <= MaxDisagreementM {
		return target{ok: true, p: ed.Pos}
	}
	return target{}
}

// aim sets the targets of an embedded image's copies: each copy follows
// the record's position it lies within MaxDisagreementM of; a copy near
// none of them is a problem (ErrMismatch).
func (img *image) aim(r *recPositions) *problem {
	if img.bad != nil {
		return img.bad
	}
	for _, c := range img.copies {
		best, bd := -1, math.Inf(1)
		for j, p := range r.pos {
			if d := distance(p, c.pos); d <= MaxDisagreementM && d < bd {
				best, bd = j, d
			}
		}
		if best < 0 {
			return &problem{off: c.off, err: errorf(ErrMismatch, "%s holds (%.7f, %.7f), which is none of the photo's positions", c.what, c.pos.Lat, c.pos.Lon)}
		}
		*c.to = r.target(best)
	}
	return nil
}

// record builds the photo's record, or returns the problem that makes it a
// bad record. Every copy of a position but the primary one goes to More,
// in the order they are read; the positions written in text go to Text.
func (img *image) record() (*geowarden.Record, *problem) {
	if img.bad != nil {
		return nil, img.bad
	}
	rec := &geowarden.Record{
		Kind: geowarden.KindImage,
		Ref:  geowarden.Ref{File: img.name, Feature: -1},
	}
	a := &attrs{}
	rec.Attrs = a
	p := img.primary()
	if p >= 0 {
		rec.Shape, rec.Pos = geowarden.ShapePoint, img.copies[p].pos
	}
	for i, c := range img.copies {
		if i != p {
			rec.More = append(rec.More, c.pos)
		}
	}
	rec.Text = img.textPos
	// Altitude and time: the first EXIF block's GPS IFD, then its capture
	// date, then XMP.
	for _, x := range img.exifs {
		for _, g := range x.gps {
			if g.hasAlt && !rec.HasAlt && rec.Shape == geowarden.ShapePoint {
				rec.HasAlt, rec.Alt = true, g.alt
			}
			if rec.Time.IsZero() {
				rec.Time = g.tm
			}
		}
	}
	for _, x := range img.exifs {
		if x.t == nil || x.broken != nil {
			continue
		}
		if len(a.kv) == 0 {
			x.attrs(a)
		}
		if rec.Time.IsZero() && x.exifIFD != 0 {
			rec.Time, _ = x.exifTime(x.exifIFD, tagDTOriginal, tagOffsetTime+1)
		}
	}
	for _, x := range img.xmps {
		if rec.Time.IsZero() {
			rec.Time = x.tm
		}
	}
	if v, ok := a.Attr("serialnumber"); ok {
		rec.Source = v
	}
	return rec, nil
}

// aimRecord sets the targets of the first image's copies from its
// record's edit: the primary copy is the record's Pos, the others its More
// in order.
func (img *image) aimRecord(r *recPositions) {
	p := img.primary()
	j := 0
	if p >= 0 {
		*img.copies[p].to = r.target(0)
		j = 1
	}
	for i, c := range img.copies {
		if i != p {
			*c.to = r.target(j)
			j++
		}
	}
}

// redact marks the texts of Edit.Redact (every one on Drop) for
// redaction.
func (img *image) redact(ed *geowarden.Edit) {
	if ed.Drop {
		for _, t := range img.texts {
			t.mark()
		}
		return
	}
	for _, i := range ed.Redact {
		if i >= 0 && i < len(img.texts) {
			img.texts[i].mark()
		}
	}
}

// apply edits the image's metadata in memory. Drop removes every copy of
// the position and every position written in XMP text; Move rewrites each
// copy that has a target (set by aimRecord or aim); Redact the texts
// marked by redact; Retime rewrites the time stamps; Strip and Set edit
// EXIF attributes.
func (img *image) apply(ed *geowarden.Edit) *problem {
	for _, x := range img.exifs {
		switch {
		case ed.Drop:
			x.drop()
			x.redactTexts()
			continue
		case ed.Move:
			x.move()
		}
		if ed.Retime {
			x.retime(ed.Time)
		}
		if te := (geowarden.Edit{Move: ed.Move, Retime: ed.Retime, Time: ed.Time, Redact: ed.Redact}); !te.IsKeep() {
			for _, th := range x.thumbs {
				th.apply(&te)
			}
		}
		x.redactTexts()
		if len(ed.Strip) > 0 {
			x.strip(ed.Strip)
		}
		if len(ed.Set) > 0 {
			x.set(ed.Set)
		}
		// Values may overlap (in hostile input): an edit that leaves the
		// block unreadable is refused, not written.
		if x.t != nil && x.broken == nil {
			if err := x.check(false); err != nil {
				return &problem{off: img.base + x.g.off, err: wrapf(ErrEdit, err, "%sthe edited EXIF segment at byte %d does not read back", img.where, img.base+x.g.off)}
			}
		}
	}
	xe := xmpEdit{drop: ed.Drop, move: ed.Move && !ed.Drop, retime: ed.Retime && !ed.Drop, tm: ed.Time}
	for _, x := range img.xmps {
		if err := x.edit(&xe); err != nil {
			return &problem{off: img.base + x.g.off, err: err}
		}
	}
	for _, e := range img.exts {
		if err := e.edit(img, &xe); err != nil {
			return &problem{off: img.base + e.chunks[0].g.off, err: err}
		}
	}
	return nil
}

// attrs is a record's attribute list.
type attrs struct {
	kv []geowarden.Attr
}

// Attr implements geowarden.Attrs. Names match case-insensitively; the
// aliases of Strip and Set ("source", "bodyserialnumber", ...) work too.
func (a *attrs) Attr(name string) (string, bool) {
	n := strings.ToLower(name)
	if al, ok := attrAliases[n]; ok {
		n = al
	}
	for _, kv := range a.kv {
		if kv.Name == n {
			return kv.Value, true
		}
	}
	return "", false
}

// distance is the great-circle distance in metres on a sphere of mean
// Earth radius.
func distance(a, b geowarden.Point) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	p1, p2 := a.Lat*rad, b.Lat*rad
	dp, dl := p2-p1, (b.Lon-a.Lon)*rad
	h := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// parseXMPTime reads an XMP date ("2006-01-02T15:04:05Z" and shorter forms).
func parseXMPTime(s string) time.Time {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02T15:04"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
