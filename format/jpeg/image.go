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
	copyEXIF = iota
	copyXMP
)

// posCopy is one place in a file that holds a position.
type posCopy struct {
	kind  int
	depth int
	pos   geowarden.Point
	off   int64
	what  string
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

// primary returns the copy that stands for the photo's position: the first
// EXIF GPS IFD of the image itself, else its first XMP position, else the
// first copy anywhere.
func (img *image) primary() (posCopy, bool) {
	for _, k := range []int{copyEXIF, copyXMP} {
		for _, c := range img.copies {
			if c.kind == k && c.depth == img.depth {
				return c, true
			}
		}
	}
	if len(img.copies) > 0 {
		return img.copies[0], true
	}
	return posCopy{}, false
}

// agree checks that every copy lies within MaxDisagreementM of the
// record's position, and that there is none when the record has none.
func (img *image) agree(hasPos bool, p geowarden.Point) *problem {
	if img.bad != nil {
		return img.bad
	}
	for _, c := range img.copies {
		if !hasPos {
			return &problem{off: c.off, err: errorf(ErrMismatch, "%s holds a position (%.7f, %.7f) but the photo's record has none", c.what, c.pos.Lat, c.pos.Lon)}
		}
		if d := distance(p, c.pos); d > MaxDisagreementM {
			return &problem{off: c.off, err: errorf(ErrMismatch, "%s holds (%.7f, %.7f), %.0f m from the photo's position (%.7f, %.7f)", c.what, c.pos.Lat, c.pos.Lon, d, p.Lat, p.Lon)}
		}
	}
	return nil
}

// record builds the photo's record, or returns the problem that makes it a
// bad record.
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
	p, ok := img.primary()
	if ok {
		if bad := img.agree(true, p.pos); bad != nil {
			return nil, bad
		}
		rec.Shape, rec.Pos = geowarden.ShapePoint, p.pos
	}
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

// apply edits the image's metadata in memory. Drop removes every copy of
// the position; Move and Retime rewrite them; Strip and Set edit EXIF
// attributes.
func (img *image) apply(ed *geowarden.Edit) *problem {
	for _, x := range img.exifs {
		switch {
		case ed.Drop:
			x.drop()
			continue
		case ed.Move:
			x.move(ed.Pos)
			for _, th := range x.thumbs {
				th.apply(&geowarden.Edit{Move: true, Pos: ed.Pos})
			}
		}
		if ed.Retime {
			x.retime(ed.Time)
			for _, th := range x.thumbs {
				th.apply(&geowarden.Edit{Retime: true, Time: ed.Time})
			}
		}
		if len(ed.Strip) > 0 {
			x.strip(ed.Strip)
		}
		if len(ed.Set) > 0 {
			x.set(ed.Set)
		}
	}
	xe := xmpEdit{drop: ed.Drop, move: ed.Move && !ed.Drop, pos: ed.Pos, retime: ed.Retime && !ed.Drop, tm: ed.Time}
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
