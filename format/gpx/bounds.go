package gpx

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"sync"

	"github.com/geowarden/geowarden/format"
)

// Bounds. <bounds> stands in <metadata> (GPX 1.1) or in <gpx> (GPX 1.0),
// before the points whose extent it gives, so a one-pass rewrite cannot
// know what to write there when it reaches it. From the first <bounds>
// on, the output is held in a spool: in memory up to spoolMemory bytes,
// then in a temporary file that has no name (removed as soon as it is
// created, where the system allows). At the end of the document, when a
// point was dropped or moved, each <bounds> is rewritten with the extent
// of the positions written, or removed when none was; then the spool is
// copied to the output. When no point was dropped or moved, the spool is
// copied as it is, byte for byte. Memory stays bounded whatever the size
// of the file; the disk holds at most one copy of the output.

// spoolMemory is how much of the output from <bounds> on is held in
// memory before it goes to a temporary file.
var spoolMemory = 4 << 20

// MaxBounds caps the <bounds> elements of one document (a GPX file has one).
const MaxBounds = 64

// extent is the extent of the positions written.
type extent struct {
	n                              int
	minLat, minLon, maxLat, maxLon float64
}

func (x *extent) add(lon, lat float64) {
	if x.n == 0 {
		x.minLat, x.maxLat, x.minLon, x.maxLon = lat, lat, lon, lon
	} else {
		x.minLat, x.maxLat = min(x.minLat, lat), max(x.maxLat, lat)
		x.minLon, x.maxLon = min(x.minLon, lon), max(x.maxLon, lon)
	}
	x.n++
}

// written is the value a moved coordinate is written as (format.AppendCoord).
func written(v float64) float64 { return math.Round(v*1e7) / 1e7 }

// boundsSlot is one <bounds> in the spool: spool[from:to] is the element
// with the white space before it, spool[tagFrom:tagTo] its start tag.
type boundsSlot struct {
	from, tagFrom, tagTo, to int64
	tag                      []byte // the start tag
	qname                    []byte
	depth                    int // its index in the stack while open
	open                     bool
}

// spoolChunk is the size of the pieces of memory the spool is held in,
// reused across rewrites.
const spoolChunk = 64 << 10

var chunks = sync.Pool{New: func() any { b := make([]byte, 0, spoolChunk); return &b }}

// spool holds the output from the first <bounds> on.
type spool struct {
	mem   []*[]byte // chunks of spoolChunk bytes, while the spool is in memory
	nmem  int
	f     *os.File
	fw    *bufio.Writer
	n     int64
	named string // the temporary file's name while it could not be removed
	slots []boundsSlot
}

func (sp *spool) write(b []byte) error {
	sp.n += int64(len(b))
	if sp.f == nil {
		if sp.nmem+len(b) <= spoolMemory {
			sp.nmem += len(b)
			for len(b) > 0 {
				if n := len(sp.mem); n == 0 || len(*sp.mem[n-1]) == spoolChunk {
					sp.mem = append(sp.mem, chunks.Get().(*[]byte))
				}
				c := sp.mem[len(sp.mem)-1]
				k := min(len(b), spoolChunk-len(*c))
				*c = append(*c, b[:k]...)
				b = b[k:]
			}
			return nil
		}
		f, err := os.CreateTemp("", "geowarden-gpx-*")
		if err != nil {
			return fmt.Errorf("gpx: spooling the output after <bounds>: %w", err)
		}
		if os.Remove(f.Name()) != nil {
			sp.named = f.Name()
		}
		sp.f = f
		sp.fw = bufio.NewWriterSize(f, 64<<10)
		for _, c := range sp.mem {
			if _, err := sp.fw.Write(*c); err != nil {
				return fmt.Errorf("gpx: spooling the output after <bounds>: %w", err)
			}
		}
		sp.free()
	}
	if _, err := sp.fw.Write(b); err != nil {
		return fmt.Errorf("gpx: spooling the output after <bounds>: %w", err)
	}
	return nil
}

// free gives the memory chunks back.
func (sp *spool) free() {
	for _, c := range sp.mem {
		*c = (*c)[:0]
		chunks.Put(c)
	}
	sp.mem, sp.nmem = nil, 0
}

// close releases the memory and the temporary file.
func (sp *spool) close() {
	sp.free()
	if sp.f != nil {
		sp.f.Close()
		if sp.named != "" {
			os.Remove(sp.named)
		}
		sp.f = nil
	}
}

// copyTo writes the spool to w, each slot's replacement in place of its
// bytes (a nil replacement keeps them).
func (sp *spool) copyTo(w io.Writer, rep func(i int, sl *boundsSlot) (from, to int64, b []byte, ok bool)) error {
	var r io.Reader
	if sp.f != nil {
		if err := sp.fw.Flush(); err != nil {
			return fmt.Errorf("gpx: spooling the output after <bounds>: %w", err)
		}
		if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("gpx: spooling the output after <bounds>: %w", err)
		}
		r = bufio.NewReaderSize(sp.f, 64<<10)
	} else {
		bufs := make([]io.Reader, len(sp.mem))
		for i, c := range sp.mem {
			bufs[i] = bytes.NewReader(*c)
		}
		r = io.MultiReader(bufs...)
	}
	var at int64
	for i := range sp.slots {
		from, to, b, ok := rep(i, &sp.slots[i])
		if !ok {
			continue
		}
		if _, err := io.CopyN(w, r, from-at); err != nil {
			return fmt.Errorf("gpx: copying the spooled output: %w", err)
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("gpx: writing: %w", err)
		}
		if _, err := io.CopyN(io.Discard, r, to-from); err != nil {
			return fmt.Errorf("gpx: copying the spooled output: %w", err)
		}
		at = to
	}
	n, err := io.Copy(w, r)
	if err != nil {
		return fmt.Errorf("gpx: copying the spooled output: %w", err)
	}
	if at+n != sp.n {
		return fmt.Errorf("gpx: the spooled output is %d bytes, want %d", at+n, sp.n)
	}
	return nil
}

// beginBounds starts a <bounds> element (the current start tag): the
// output is spooled from here on.
func (s *state) beginBounds(raw []byte) error {
	t := &s.sc.tok
	if s.sp == nil {
		s.sp = &spool{}
	}
	if len(s.sp.slots) >= MaxBounds {
		return s.fatal(t.at, format.ErrTooLong, "more than %d <bounds> elements", MaxBounds)
	}
	sl := boundsSlot{from: s.sp.n, qname: append([]byte(nil), t.name...), tag: append([]byte(nil), raw...)}
	s.flushWS()
	sl.tagFrom = s.sp.n
	s.out(raw)
	sl.tagTo = s.sp.n
	sl.to = sl.tagTo
	if !t.empty {
		sl.open = true
		sl.depth = len(s.stack)
	}
	s.sp.slots = append(s.sp.slots, sl)
	return nil
}

// endBounds ends the open <bounds> whose end tag was just written.
func (s *state) endBounds(depth int) {
	if s.sp == nil || len(s.sp.slots) == 0 {
		return
	}
	sl := &s.sp.slots[len(s.sp.slots)-1]
	if sl.open && sl.depth == depth {
		sl.open = false
		sl.to = s.sp.n
	}
}

// finishBounds writes the spooled output, with every <bounds> recomputed
// when a point was dropped or moved.
func (s *state) finishBounds() error {
	sp := s.sp
	if sp == nil {
		return nil
	}
	s.sp = nil
	defer sp.close()
	if s.werr != nil {
		return s.werr
	}
	var tag []byte
	return sp.copyTo(s.w, func(i int, sl *boundsSlot) (int64, int64, []byte, bool) {
		switch {
		case !s.changed:
			return 0, 0, nil, false
		case s.ext.n == 0:
			return sl.from, sl.to, nil, true
		}
		tag = s.boundsTag(tag[:0], sl)
		return sl.tagFrom, sl.tagTo, tag, true
	})
}

// boundsTag appends the start tag of sl with the extent of the positions
// written: its minlat, minlon, maxlat and maxlon values replaced in place
// when it has all four (a value that does not change is kept as it was
// written), else a new tag with only those four.
func (s *state) boundsTag(dst []byte, sl *boundsSlot) []byte {
	x := &s.ext
	vals := [4]float64{x.minLat, x.minLon, x.maxLat, x.maxLon}
	names := [4]string{"minlat", "minlon", "maxlat", "maxlon"}
	var at [4][2]int
	found := 0
	// The tag was read by the scanner: attribute values are quoted and
	// hold no quote of their own kind.
	sc := scanner{buf: sl.tag, end: len(sl.tag), max: len(sl.tag), limit: len(sl.tag), utf: true}
	if err := sc.startTag(); err == nil {
		for _, a := range sc.tok.attrs {
			for k, n := range names {
				if string(a.name) == n && at[k] == [2]int{} {
					at[k] = [2]int{a.valAt, a.valAt + len(a.val)}
					found++
				}
			}
		}
	}
	empty := bytes.HasSuffix(sl.tag, []byte("/>"))
	if found != 4 {
		dst = append(dst, '<')
		dst = append(dst, sl.qname...)
		for k, n := range names {
			dst = append(dst, ' ')
			dst = append(dst, n...)
			dst = append(dst, `="`...)
			dst = strconv.AppendFloat(dst, vals[k], 'f', -1, 64)
			dst = append(dst, '"')
		}
		if empty {
			return append(dst, "/>"...)
		}
		return append(dst, '>')
	}
	order := [4]int{0, 1, 2, 3}
	slices.SortFunc(order[:], func(a, b int) int { return at[a][0] - at[b][0] })
	last := 0
	for _, k := range order {
		dst = append(dst, sl.tag[last:at[k][0]]...)
		old := sl.tag[at[k][0]:at[k][1]]
		if v, ok := format.ParseDecimal(bytes.TrimSpace(old)); ok && v == vals[k] {
			dst = append(dst, old...) // the same value, as it was written
		} else {
			dst = strconv.AppendFloat(dst, vals[k], 'f', -1, 64)
		}
		last = at[k][1]
	}
	return append(dst, sl.tag[last:]...)
}
