package jpeg

import (
	"encoding/binary"
	"fmt"
	"math"
)

// TIFF field types and their sizes.
const (
	tByte      = 1
	tASCII     = 2
	tShort     = 3
	tLong      = 4
	tRational  = 5
	tUndefined = 7
	tSRational = 10
	tIFD       = 13
)

var typeSizes = [...]int{0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4}

func typeSize(t uint16) int {
	if int(t) < len(typeSizes) {
		return typeSizes[t]
	}
	return 0
}

// tiffData is a TIFF structure (the body of an EXIF segment), edited in
// place.
type tiffData struct {
	b    []byte
	bo   binary.ByteOrder
	base int64 // offset of b[0] in the input
}

// newTIFF checks the TIFF header and returns the offset of IFD0.
func newTIFF(b []byte, base int64) (*tiffData, uint32, error) {
	t := &tiffData{b: b, base: base}
	if len(b) < 8 {
		return nil, 0, fmt.Errorf("TIFF header is %d bytes long (8 needed)", len(b))
	}
	switch string(b[:4]) {
	case "II*\x00":
		t.bo = binary.LittleEndian
	case "MM\x00*":
		t.bo = binary.BigEndian
	default:
		return nil, 0, fmt.Errorf("no TIFF header (II*\\0 or MM\\0*): found % X", b[:4])
	}
	return t, t.bo.Uint32(b[4:]), nil
}

func (t *tiffData) u16(off int) uint16 { return t.bo.Uint16(t.b[off:]) }
func (t *tiffData) u32(off int) uint32 { return t.bo.Uint32(t.b[off:]) }

// ifd checks the directory at off: its entry count must fit in the data.
// The next-IFD offset is 0 when the data ends right after the entries.
func (t *tiffData) ifd(off uint32) (n int, next uint32, err error) {
	if off < 8 || uint64(off)+2 > uint64(len(t.b)) {
		return 0, 0, fmt.Errorf("IFD offset %d outside the %d bytes of TIFF data", off, len(t.b))
	}
	n = int(t.u16(int(off)))
	end := int(off) + 2 + 12*n
	if end > len(t.b) {
		return 0, 0, fmt.Errorf("IFD at TIFF offset %d: %d entries run past the end of the data", off, n)
	}
	if end+4 <= len(t.b) {
		next = t.u32(end)
	}
	return n, next, nil
}

// entry is one IFD entry.
type entry struct {
	pos   int // offset of the entry in the TIFF data
	tag   uint16
	typ   uint16
	count uint32
	raw   uint32 // the value/offset field
}

// entry returns entry i of the (checked) directory at off.
func (t *tiffData) entry(off uint32, i int) entry {
	p := int(off) + 2 + 12*i
	return entry{pos: p, tag: t.u16(p), typ: t.u16(p + 2), count: t.u32(p + 4), raw: t.u32(p + 8)}
}

// find returns the first entry with the tag in the directory at off.
func (t *tiffData) find(off uint32, tag uint16) (entry, int, bool) {
	n, _, err := t.ifd(off)
	if err != nil {
		return entry{}, -1, false
	}
	for i := range n {
		if e := t.entry(off, i); e.tag == tag {
			return e, i, true
		}
	}
	return entry{}, -1, false
}

// span returns where an entry's value lies in the data.
func (t *tiffData) span(e entry) (start, size int, err error) {
	ts := typeSize(e.typ)
	if ts == 0 {
		return 0, 0, fmt.Errorf("tag 0x%04X has unknown type %d", e.tag, e.typ)
	}
	sz := uint64(ts) * uint64(e.count)
	if sz <= 4 {
		return e.pos + 8, int(sz), nil
	}
	if uint64(e.raw)+sz > uint64(len(t.b)) {
		return 0, 0, fmt.Errorf("tag 0x%04X: %d bytes at TIFF offset %d run past the %d bytes of data", e.tag, sz, e.raw, len(t.b))
	}
	return int(e.raw), int(sz), nil
}

// value returns an entry's value bytes.
func (t *tiffData) value(e entry) ([]byte, error) {
	s, n, err := t.span(e)
	if err != nil {
		return nil, err
	}
	return t.b[s : s+n], nil
}

// ascii returns an ASCII value up to its first NUL, blanks trimmed.
func (t *tiffData) ascii(e entry) (string, bool) {
	if e.typ != tASCII && e.typ != tUndefined && e.typ != tByte {
		return "", false
	}
	v, err := t.value(e)
	if err != nil {
		return "", false
	}
	for i, c := range v {
		if c == 0 {
			v = v[:i]
			break
		}
	}
	if len(v) > 1024 {
		v = v[:1024]
	}
	i, j := 0, len(v)
	for i < j && v[i] == ' ' {
		i++
	}
	for j > i && v[j-1] == ' ' {
		j--
	}
	return string(v[i:j]), true
}

// uint returns a SHORT, LONG or IFD value with count 1.
func (t *tiffData) uint(e entry) (uint32, bool) {
	if e.count != 1 {
		return 0, false
	}
	switch e.typ {
	case tShort:
		return uint32(t.u16(e.pos + 8)), true
	case tLong, tIFD:
		return e.raw, true
	}
	return 0, false
}

// rational is one (S)RATIONAL value.
type rational struct {
	num, den int64
}

// rationals returns the values of a RATIONAL or SRATIONAL entry.
func (t *tiffData) rationals(e entry, max int) ([]rational, error) {
	if e.typ != tRational && e.typ != tSRational {
		return nil, fmt.Errorf("has type %d, not RATIONAL", e.typ)
	}
	if e.count > uint32(max) {
		return nil, fmt.Errorf("has %d values (at most %d)", e.count, max)
	}
	v, err := t.value(e)
	if err != nil {
		return nil, err
	}
	rs := make([]rational, e.count)
	for i := range rs {
		a, b := t.bo.Uint32(v[8*i:]), t.bo.Uint32(v[8*i+4:])
		if e.typ == tSRational {
			rs[i] = rational{int64(int32(a)), int64(int32(b))}
		} else {
			rs[i] = rational{int64(a), int64(b)}
		}
	}
	return rs, nil
}

func (r rational) float() float64 { return float64(r.num) / float64(r.den) }

// putRational writes r as value i of the (S)RATIONAL entry e.
func (t *tiffData) putRational(e entry, i int, num, den uint32) {
	s, _, err := t.span(e)
	if err != nil {
		return
	}
	t.bo.PutUint32(t.b[s+8*i:], num)
	t.bo.PutUint32(t.b[s+8*i+4:], den)
}

// removeEntry deletes entry i of the directory at off: the entries after
// it and the next-IFD offset move up by 12 bytes, the count drops by one
// and the 12 bytes freed at the end are zeroed.
func (t *tiffData) removeEntry(off uint32, i int) {
	n, _, err := t.ifd(off)
	if err != nil || i < 0 || i >= n {
		return
	}
	start := int(off) + 2
	end := start + 12*n // end of the entries
	tail := end
	if end+4 <= len(t.b) {
		tail = end + 4 // the next-IFD offset moves with the entries
	}
	copy(t.b[start+12*i:], t.b[start+12*(i+1):tail])
	clear(t.b[tail-12 : tail])
	t.bo.PutUint16(t.b[off:], uint16(n-1))
}

// zeroValue overwrites an entry's out-of-line value with zeros.
func (t *tiffData) zeroValue(e entry) {
	if s, n, err := t.span(e); err == nil && n > 4 {
		clear(t.b[s : s+n])
	}
}

// zeroIFD overwrites a directory, its out-of-line values and its next-IFD
// offset with zeros, as far as they lie inside the data.
func (t *tiffData) zeroIFD(off uint32) {
	if off < 8 || uint64(off)+2 > uint64(len(t.b)) {
		return
	}
	n := int(t.u16(int(off)))
	end := min(int(off)+2+12*n+4, len(t.b))
	for i := range n {
		if int(off)+2+12*(i+1) > len(t.b) {
			break
		}
		t.zeroValue(t.entry(off, i))
	}
	clear(t.b[off:end])
}

// degrees turns up to three (degrees, minutes, seconds) rationals into
// degrees. defined is false when every value is 0/0 or there is none (a
// common "no fix" placeholder); a value n/0 with n != 0, or a mix of 0/0
// and real values, is an error.
func degrees(rs []rational) (v float64, defined bool, err error) {
	undef := 0
	for i, r := range rs {
		if r.den == 0 {
			if r.num != 0 {
				return 0, false, fmt.Errorf("value %d is %d/0", i+1, r.num)
			}
			undef++
			continue
		}
		v += r.float() / math.Pow(60, float64(i))
	}
	if undef == len(rs) {
		return 0, false, nil
	}
	if undef > 0 {
		return 0, false, fmt.Errorf("%d of %d values are 0/0", undef, len(rs))
	}
	return v, true, nil
}
