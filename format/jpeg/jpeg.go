package jpeg

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// Limits and tolerances.
const (
	// DefaultMaxHeaderBytes caps the metadata of one image (every segment
	// before its first SOS marker, or the thumbnail and embedded images'
	// own) when format.Options.MaxRecordBytes is 0. Larger headers are a
	// fatal error wrapping format.ErrTooLong: the header is held in memory
	// while it is read, so that the photo's record can be decided before
	// any of it is written.
	DefaultMaxHeaderBytes = 64 << 20
	// MaxDisagreementM is how far apart, in metres, two copies of a
	// position may lie and still count as the same position: an embedded
	// image's copy and the record's, or a copy of Pos when a Move gives
	// no Edit.More.
	MaxDisagreementM = 30
	// minTrailer is the smallest trailer worth a notice: fewer bytes
	// cannot hold a position.
	minTrailer = 16
	// maxEmbedded caps how many embedded images (after the first image's
	// EOI marker) one input may hold.
	maxEmbedded = 64
)

// Markers.
const (
	mSOI   = 0xD8
	mEOI   = 0xD9
	mSOS   = 0xDA
	mAPP0  = 0xE0
	mAPP1  = 0xE1
	mAPP2  = 0xE2
	mAPP15 = 0xEF
	mCOM   = 0xFE
	mTEM   = 0x01
)

// standalone reports whether a marker has no length field.
func standalone(m byte) bool { return m == mTEM || m >= 0xD0 && m <= mEOI }

// Codec reads and rewrites JPEG photos. See the package documentation.
type Codec struct{}

// Interface guards.
var _ format.Codec = Codec{}

// Name returns "jpeg".
func (Codec) Name() string { return "jpeg" }

// Detect reports whether head starts with FF D8 FF (an SOI marker followed
// by another marker).
func (Codec) Detect(_ string, head []byte) bool {
	return len(head) >= 3 && head[0] == 0xFF && head[1] == mSOI && head[2] == 0xFF
}

// Rewrite reads one JPEG file: the photo is one record. See the package
// documentation for what is read, rewritten and passed through.
func (Codec) Rewrite(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, opts *format.Options) error {
	if opts == nil {
		opts = &format.Options{}
	}
	s := &stream{
		ctx:       ctx,
		br:        bufio.NewReaderSize(r, 64<<10),
		h:         h,
		name:      opts.Name,
		maxHeader: opts.MaxRecordBytes,
	}
	if s.maxHeader <= 0 {
		s.maxHeader = DefaultMaxHeaderBytes
	}
	if w != nil {
		s.bw = bufio.NewWriterSize(w, 64<<10)
	}
	if err := s.run(); err != nil {
		return err
	}
	if s.bw != nil {
		return s.bw.Flush()
	}
	return nil
}

// stream is one run of Rewrite.
type stream struct {
	ctx       context.Context
	br        *bufio.Reader
	bw        *bufio.Writer // nil when scanning
	off       int64         // bytes read so far
	h         format.Handler
	name      string
	maxHeader int
	rec       recPositions // what the first image decided, for the embedded images after it
}

func (s *stream) perr(off int64, err error) *format.ParseError {
	return &format.ParseError{File: s.name, Offset: off, Err: err}
}

func (s *stream) run() error {
	head, _ := s.br.Peek(3)
	if len(head) < 2 || head[0] != 0xFF || head[1] != mSOI {
		return s.perr(0, errorf(ErrNotJPEG, "no SOI marker (FF D8) at the start"))
	}
	if err := s.image(0); err != nil {
		return err
	}
	return s.trailer()
}

// image reads one JPEG image from its SOI marker: the header, its record
// (n == 0) or the check against the record (embedded images, n > 0), and
// the image data up to its EOI marker.
func (s *stream) image(n int) error {
	segs, err := s.readHeader()
	if err != nil {
		return err
	}
	img := &image{segs: segs, sameLen: n > 0, where: "", name: s.name}
	if n > 0 {
		img.where = fmt.Sprintf("embedded image %d: ", n)
	}
	img.analyze()
	for i := range img.notices {
		format.Notify(s.h, &img.notices[i])
	}
	var ed geowarden.Edit
	if n == 0 {
		rec, bad := img.record()
		if bad != nil {
			if err := s.h.Bad(s.perr(bad.off, bad.err)); err != nil {
				return err
			}
			ed = geowarden.Edit{Drop: true}
		} else {
			ed = s.h.Record(rec)
			if rec.Shape == geowarden.ShapeNone && len(rec.More) == 0 {
				ed.Move = false // nothing to move
			}
		}
		if err := s.checkMove(&ed, rec); err != nil {
			return err
		}
		s.rec = recPositions{edit: ed}
		if rec != nil {
			s.rec.hasPos = rec.Shape == geowarden.ShapePoint
			if s.rec.hasPos {
				s.rec.pos = append(s.rec.pos, rec.Pos)
			}
			s.rec.pos = append(s.rec.pos, rec.More...)
			for _, i := range ed.Redact {
				if i >= 0 && i < len(rec.Text) {
					s.rec.redacted = append(s.rec.redacted, rec.Text[i].Pos)
				}
			}
		}
		img.aimRecord(&s.rec)
		img.redact(&ed)
	} else if s.rec.edit.Drop {
		ed = s.rec.edit // every copy goes: nothing to check
		img.redact(&ed)
	} else {
		if bad := img.aim(&s.rec); bad != nil {
			if err := s.h.Bad(s.perr(bad.off, bad.err)); err != nil {
				return err
			}
			ed = geowarden.Edit{Drop: true}
		} else {
			// The embedded image's texts are redacted where they say
			// what the record's redacted texts say.
			ed = s.rec.edit
			ed.Redact = img.redactNear(&s.rec)
		}
		img.redact(&ed)
	}
	if s.bw != nil {
		if !ed.IsKeep() {
			if bad := img.apply(&ed); bad != nil {
				return s.perr(bad.off, bad.err)
			}
		}
		if err := s.writeSegments(segs); err != nil {
			return err
		}
	}
	if last := segs[len(segs)-1]; last.marker == mSOS {
		return s.copyScan()
	}
	return nil
}

// checkMove checks the positions a Move writes: valid coordinates, and as
// many replacements in More as the record has other positions.
func (s *stream) checkMove(ed *geowarden.Edit, rec *geowarden.Record) error {
	if !ed.Move || ed.Drop {
		return nil
	}
	if rec.Shape == geowarden.ShapePoint {
		if err := format.CheckPoint(ed.Pos.Lon, ed.Pos.Lat); err != nil {
			return s.perr(0, wrapf(ErrEdit, err, "cannot move the photo"))
		}
	}
	if len(ed.More) > 0 && len(ed.More) != len(rec.More) {
		return s.perr(0, errorf(ErrEdit, "the edit moves %d other positions; the photo has %d", len(ed.More), len(rec.More)))
	}
	for _, p := range ed.More {
		if err := format.CheckPoint(p.Lon, p.Lat); err != nil {
			return s.perr(0, wrapf(ErrEdit, err, "cannot move the photo's other positions"))
		}
	}
	return nil
}

// trailer handles what follows the first image's EOI marker: embedded
// JPEG images (MPF secondary images, previews) are read like the first, and
// anything else is passed through and reported.
func (s *stream) trailer() error {
	for n := 1; ; n++ {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		p, err := s.br.Peek(3)
		if len(p) == 0 {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if n <= maxEmbedded && len(p) == 3 && p[0] == 0xFF && p[1] == mSOI && p[2] == 0xFF {
			if err := s.image(n); err != nil {
				return err
			}
			continue
		}
		return s.copyRest()
	}
}

// copyRest copies everything left and reports it when it is not padding.
func (s *stream) copyRest() error {
	start := s.off
	var head [12]byte
	hn := 0
	zero, ff := true, true // padding with zeros or 0xFF is not worth a notice
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		buf, err := s.fill()
		if len(buf) == 0 {
			if err != nil && err != io.EOF {
				return err
			}
			break
		}
		if hn < len(head) {
			hn += copy(head[hn:], buf)
		}
		for _, c := range buf {
			if !zero && !ff {
				break
			}
			zero = zero && c == 0
			ff = ff && c == 0xFF
		}
		if err := s.pass(len(buf)); err != nil {
			return err
		}
	}
	if n := s.off - start; n >= minTrailer && !zero && !ff {
		what := "unknown data"
		if hn >= 8 && string(head[4:8]) == "ftyp" {
			what = "an ISO media file (MP4/MOV video or HEIF)"
		}
		format.Notify(s.h, &format.Notice{
			Ref:     geowarden.Ref{File: s.name, Offset: start, Feature: -1},
			Kind:    "unsupported",
			Message: fmt.Sprintf("%d bytes after the end of the image (%s) are passed through unread: they may hold metadata, an image or a video with its own position", n, what),
		})
	}
	return nil
}

// fill returns the buffered input, reading more when the buffer is empty.
func (s *stream) fill() ([]byte, error) {
	if s.br.Buffered() == 0 {
		if _, err := s.br.Peek(1); err != nil {
			return nil, err
		}
	}
	return s.br.Peek(s.br.Buffered())
}

// pass writes the next n buffered bytes (when writing) and consumes them.
func (s *stream) pass(n int) error {
	if s.bw != nil {
		buf, _ := s.br.Peek(n)
		if _, err := s.bw.Write(buf); err != nil {
			return err
		}
	}
	d, err := s.br.Discard(n)
	s.off += int64(d)
	return err
}

// copyScan copies the image data after an SOS segment verbatim, without
// decoding it: entropy-coded data, and the segments between the scans of
// a progressive image, up to and including the EOI marker.
func (s *stream) copyScan() error {
	const (
		stData = iota // entropy-coded data
		stFF          // after 0xFF
		stLen1        // first byte of a segment length
		stLen2        // second byte
		stSkip        // inside a segment
	)
	state, skip, segStart := stData, 0, int64(0)
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		buf, err := s.fill()
		if len(buf) == 0 {
			if err != nil && err != io.EOF {
				return err
			}
			switch state {
			case stLen1, stLen2:
				return s.perr(s.off, errorf(ErrTruncated, "the input ends inside the header of the segment at byte %d", segStart))
			case stSkip:
				return s.perr(s.off, errorf(ErrTruncated, "the input ends inside the segment at byte %d", segStart))
			}
			return s.perr(s.off, errorf(ErrTruncated, "the image data ends at byte %d without an EOI marker", s.off))
		}
		i, done := 0, false
		for i < len(buf) && !done {
			switch state {
			case stData:
				j := indexFF(buf[i:])
				if j < 0 {
					i = len(buf)
					break
				}
				i += j + 1
				state = stFF
			case stFF:
				c := buf[i]
				i++
				switch {
				case c == 0xFF:
				case c == 0x00 || c == mTEM || c >= 0xD0 && c <= 0xD8:
					state = stData
				case c == mEOI:
					done = true
				default:
					segStart = s.off + int64(i) - 2
					state = stLen1
				}
			case stLen1:
				skip = int(buf[i]) << 8
				i++
				state = stLen2
			case stLen2:
				skip |= int(buf[i])
				i++
				if skip < 2 {
					return s.perr(segStart, errorf(ErrStructure, "segment at byte %d has length %d (at least 2)", segStart, skip))
				}
				skip -= 2
				state = stSkip
				if skip == 0 {
					state = stData
				}
			case stSkip:
				k := min(skip, len(buf)-i)
				i += k
				skip -= k
				if skip == 0 {
					state = stData
				}
			}
		}
		if err := s.pass(i); err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

func indexFF(b []byte) int {
	for i, c := range b {
		if c == 0xFF {
			return i
		}
	}
	return -1
}

// segment is one marker segment of an image header.
type segment struct {
	off    int64 // offset of the marker's first 0xFF byte
	fill   int   // 0xFF fill bytes before the marker byte, beyond the first
	marker byte
	hasLen bool
	data   []byte // payload after the length field
	// out, when non-nil, replaces the segment: each element is the
	// payload of one segment with the same marker; an empty out removes it.
	out [][]byte
}

// dataOff is the offset of the payload's first byte in the input.
func (g *segment) dataOff() int64 { return g.off + int64(g.fill) + 4 }

func (s *stream) readByte() (byte, error) {
	c, err := s.br.ReadByte()
	if err == nil {
		s.off++
	}
	return c, err
}

// readHeader reads the segments from SOI to the first SOS segment, or to
// an EOI marker.
func (s *stream) readHeader() ([]*segment, error) {
	var segs []*segment
	total := 0
	for {
		if err := s.ctx.Err(); err != nil {
			return nil, err
		}
		start := s.off
		c, err := s.readByte()
		if err != nil {
			return nil, s.eof(err, errorf(ErrTruncated, "the input ends at byte %d, before the image data (no SOS marker)", start))
		}
		if c != 0xFF {
			return nil, s.perr(start, errorf(ErrStructure, "expected a marker at byte %d, found 0x%02X", start, c))
		}
		g := &segment{off: start}
		for {
			m, err := s.readByte()
			if err != nil {
				return nil, s.eof(err, errorf(ErrTruncated, "the input ends inside the marker at byte %d", start))
			}
			if m != 0xFF {
				g.marker = m
				break
			}
			g.fill++
			if total+g.fill > s.maxHeader {
				return nil, s.perr(start, wrapf(format.ErrTooLong, nil, "image header exceeds %d bytes", s.maxHeader))
			}
		}
		total += g.fill + 2
		switch m := g.marker; {
		case m == 0x00:
			return nil, s.perr(start, errorf(ErrStructure, "FF 00 at byte %d is not a marker", start))
		case len(segs) == 0 && m != mSOI:
			return nil, s.perr(start, errorf(ErrNotJPEG, "no SOI marker at byte %d", start))
		case standalone(m):
			segs = append(segs, g)
			if m == mEOI {
				return segs, nil
			}
			continue
		}
		var l [2]byte
		if err := s.readFull(l[:]); err != nil {
			return nil, s.eof(err, errorf(ErrTruncated, "the input ends inside the header of the segment at byte %d", start))
		}
		n := int(l[0])<<8 | int(l[1])
		if n < 2 {
			return nil, s.perr(start, errorf(ErrStructure, "segment at byte %d has length %d (at least 2)", start, n))
		}
		total += n
		if total > s.maxHeader {
			return nil, s.perr(start, wrapf(format.ErrTooLong, nil, "image header exceeds %d bytes", s.maxHeader))
		}
		g.hasLen = true
		g.data = make([]byte, n-2)
		if err := s.readFull(g.data); err != nil {
			return nil, s.eof(err, errorf(ErrTruncated, "the input ends at byte %d inside the segment at byte %d (%d bytes long)", s.off, start, n+2))
		}
		segs = append(segs, g)
		if g.marker == mSOS {
			return segs, nil
		}
	}
}

func (s *stream) readFull(b []byte) error {
	n, err := io.ReadFull(s.br, b)
	s.off += int64(n)
	return err
}

// eof turns an end of input into a ParseError at the current offset; other
// read errors are returned as they are.
func (s *stream) eof(err, msg error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return s.perr(s.off, msg)
	}
	return err
}

// writeSegments writes a header, with the segments edits replaced.
func (s *stream) writeSegments(segs []*segment) error {
	for _, g := range segs {
		if g.out != nil {
			for _, p := range g.out {
				if len(p)+2 > 0xFFFF {
					return s.perr(g.off, errorf(ErrEdit, "the edited segment at byte %d would be %d bytes long (at most 65535)", g.off, len(p)+2))
				}
				s.writeMarker(g)
				s.bw.Write([]byte{byte((len(p) + 2) >> 8), byte(len(p) + 2)})
				if _, err := s.bw.Write(p); err != nil {
					return err
				}
			}
			continue
		}
		s.writeMarker(g)
		if g.hasLen {
			n := len(g.data) + 2
			s.bw.Write([]byte{byte(n >> 8), byte(n)})
			if _, err := s.bw.Write(g.data); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeMarker writes a segment's marker with its fill bytes.
func (s *stream) writeMarker(g *segment) {
	for f := 1 + g.fill; f > 0; f -= len(ffs) {
		s.bw.Write(ffs[:min(f, len(ffs))])
	}
	s.bw.WriteByte(g.marker)
}

var ffs = [64]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
