package jpeg

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/geowarden/geowarden"
)

// Limits on what HEICCodec reads to find the EXIF position it reports.
const (
	maxMetaBox  = 4 << 20 // the "meta" box
	maxExifItem = 1 << 20 // the EXIF item
	maxBoxes    = 1024    // top-level boxes before the EXIF item
)

// heifPosition looks for the EXIF item of a HEIF file and returns the
// position in its GPS IFD. It reads the top-level boxes in order, holds
// only the meta box (at most maxMetaBox bytes) and the EXIF item in memory,
// and gives up (ok false) on anything unexpected.
func heifPosition(r io.Reader) (p geowarden.Point, ok bool, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var off int64
	skip := func(n int64) error {
		k, err := io.CopyN(io.Discard, br, n)
		off += k
		return err
	}
	for range maxBoxes {
		var h [8]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return p, false, ignoreEOF(err)
		}
		start := off
		off += 8
		size := int64(binary.BigEndian.Uint32(h[:]))
		hdr := int64(8)
		if size == 1 {
			var l [8]byte
			if _, err := io.ReadFull(br, l[:]); err != nil {
				return p, false, ignoreEOF(err)
			}
			off += 8
			size, hdr = int64(binary.BigEndian.Uint64(l[:])), 16
		}
		if size < hdr {
			return p, false, nil // a box to the end of the file, or a broken one
		}
		if string(h[4:8]) != "meta" {
			if err := skip(start + size - off); err != nil {
				return p, false, ignoreEOF(err)
			}
			continue
		}
		if size-hdr > maxMetaBox {
			return p, false, nil
		}
		meta := make([]byte, size-hdr)
		if _, err := io.ReadFull(br, meta); err != nil {
			return p, false, ignoreEOF(err)
		}
		off += size - hdr
		e, err := exifExtent(meta)
		if err != nil || e.length == 0 || e.length > maxExifItem || e.offset < off {
			return p, false, nil // (an item before the end of meta is not read)
		}
		if err := skip(e.offset - off); err != nil {
			return p, false, ignoreEOF(err)
		}
		data := make([]byte, e.length)
		if _, err := io.ReadFull(br, data); err != nil {
			return p, false, ignoreEOF(err)
		}
		return exifItemPosition(data)
	}
	return p, false, nil
}

func ignoreEOF(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil
	}
	return err
}

// extent is where an item's data lies in the file.
type extent struct {
	offset, length int64
}

// heifReader reads big-endian fields from a box, failing softly.
type heifReader struct {
	b   []byte
	i   int
	bad bool
}

func (r *heifReader) n(size int) uint64 {
	if size == 0 {
		return 0
	}
	if size > 8 || r.i+size > len(r.b) {
		r.bad = true
		return 0
	}
	var v uint64
	for _, c := range r.b[r.i : r.i+size] {
		v = v<<8 | uint64(c)
	}
	r.i += size
	return v
}

// children returns the boxes in b.
func children(b []byte) map[string][]byte {
	m := map[string][]byte{}
	for i := 0; i+8 <= len(b) && len(m) < 64; {
		size := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if size == 0 {
			size = len(b) - i
		}
		if size < 8 || i+size > len(b) {
			break
		}
		if _, dup := m[typ]; !dup {
			m[typ] = b[i+8 : i+size]
		}
		i += size
	}
	return m
}

// exifExtent finds the EXIF item in a meta box's body (after its box
// header): its ID in iinf, its single extent in iloc.
func exifExtent(meta []byte) (extent, error) {
	if len(meta) < 4 {
		return extent{}, fmt.Errorf("short meta box")
	}
	boxes := children(meta[4:]) // meta is a full box
	id, ok := exifItemID(boxes["iinf"])
	if !ok {
		return extent{}, fmt.Errorf("no EXIF item")
	}
	r := &heifReader{b: boxes["iloc"]}
	v := r.n(1)
	r.n(3)
	sizes := r.n(2)
	offSize, lenSize, baseSize, idxSize := int(sizes>>12), int(sizes>>8&15), int(sizes>>4&15), int(sizes&15)
	if v == 0 {
		idxSize = 0
	}
	for _, sz := range []int{offSize, lenSize, baseSize, idxSize} {
		if sz != 0 && sz != 4 && sz != 8 {
			return extent{}, fmt.Errorf("iloc field size %d", sz)
		}
	}
	count := r.n(2)
	if v == 2 {
		count = r.n(4)
	}
	budget := 1 << 16 // items and extents read, whatever the counts say
	for range count {
		if budget--; budget < 0 || r.bad {
			break
		}
		var item uint64
		if v < 2 {
			item = r.n(2)
		} else {
			item = r.n(4)
		}
		method := uint64(0)
		if v == 1 || v == 2 {
			method = r.n(2) & 15
		}
		r.n(2) // data_reference_index
		base := r.n(baseSize)
		n := r.n(2)
		var e extent
		for k := range n {
			if budget--; budget < 0 {
				break
			}
			r.n(idxSize)
			o, l := r.n(offSize), r.n(lenSize)
			if k == 0 {
				e = extent{offset: int64(base + o), length: int64(l)}
			}
			if r.bad {
				break
			}
		}
		if r.bad {
			break
		}
		if item == id {
			if method != 0 || n != 1 || e.offset < 0 || e.length < 0 {
				return extent{}, fmt.Errorf("EXIF item is not one extent in the file")
			}
			return e, nil
		}
	}
	return extent{}, fmt.Errorf("EXIF item has no location")
}

// exifItemID returns the ID of the item of type "Exif" in an iinf box.
func exifItemID(iinf []byte) (uint64, bool) {
	if len(iinf) < 6 {
		return 0, false
	}
	hdr := 6
	if iinf[0] != 0 {
		hdr = 8
	}
	if len(iinf) < hdr {
		return 0, false
	}
	for i, n := hdr, 0; i+8 <= len(iinf) && n < 4096; n++ {
		size := int(binary.BigEndian.Uint32(iinf[i:]))
		if size < 8 || i+size > len(iinf) {
			break
		}
		if string(iinf[i+4:i+8]) == "infe" {
			r := &heifReader{b: iinf[i+8 : i+size]}
			v := r.n(1)
			r.n(3)
			var id uint64
			switch v {
			case 2:
				id = r.n(2)
			case 3:
				id = r.n(4)
			default:
				i += size
				continue
			}
			r.n(2) // item_protection_index
			if typ := r.n(4); !r.bad && typ == uint64(binary.BigEndian.Uint32([]byte("Exif"))) {
				return id, true
			}
		}
		i += size
	}
	return 0, false
}

// exifItemPosition reads the position from an EXIF item: a 4-byte offset
// to the TIFF header, then the TIFF structure.
func exifItemPosition(d []byte) (geowarden.Point, bool, error) {
	if len(d) < 4 {
		return geowarden.Point{}, false, nil
	}
	o := uint64(binary.BigEndian.Uint32(d)) + 4
	if o > uint64(len(d)) {
		return geowarden.Point{}, false, nil
	}
	t, ifd0, err := newTIFF(d[o:], 0)
	if err != nil {
		return geowarden.Point{}, false, nil
	}
	e, _, found := t.find(ifd0, tagGPSIFD)
	if !found {
		return geowarden.Point{}, false, nil
	}
	off, ok := t.uint(e)
	if !ok {
		return geowarden.Point{}, false, nil
	}
	gi, err := t.readGPS(off)
	if err != nil || !gi.hasPos {
		return geowarden.Point{}, false, nil
	}
	return gi.pos, true, nil
}
