// Package gwz reads and writes compiled zone files (.gwz): one zone set,
// its geometry as flat little-endian arrays and its prebuilt cell index,
// versioned and checksummed, so that a national zone set loads in
// milliseconds. The layout is documented byte by byte in docs/gwz.md.
package gwz

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"unsafe"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/cell"
)

// Version is the format version this package writes and reads.
const Version = 1

// Magic is the first eight bytes of every .gwz file.
const Magic = "\x89GWZ\r\n\x1a\n"

// Limits on what a file may declare; larger files are refused.
const (
	MaxFileBytes = 4 << 30   // the whole file
	MaxStringLen = 1 << 16   // one id, name, class or set id
	maxSections  = 64        // section table entries
	headerSize   = 64        // bytes
	sectionSize  = 24        // bytes per section table entry
	zoneSize     = 48        // bytes per ZONES record
	maxCount     = 1<<31 - 1 // zones, parts, rings, vertices
)

// Section kinds.
const (
	secMeta     = 1
	secStrings  = 2
	secZones    = 3
	secParts    = 4
	secRings    = 5
	secVertices = 6
	secIndex    = 7
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// File is a loaded .gwz file.
type File struct {
	Set      *zone.Set
	Index    *cell.Index
	Version  int
	Size     int64  // bytes
	Checksum string // "crc32c:" and the body's CRC-32C in hex, as stored and verified
}

// IsGWZ reports whether head, the first bytes of a file, starts with the
// .gwz magic.
func IsGWZ(head []byte) bool {
	return len(head) >= len(Magic) && string(head[:len(Magic)]) == Magic
}

// Write compiles the zone set s, with a cell index built over it, to w.
// The set must be valid (see zone.Set.Validate); it is checked first.
func Write(w io.Writer, s *zone.Set) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("gwz: set %q: %w", s.ID, err)
	}
	if len(s.Zones) > maxCount {
		return fmt.Errorf("gwz: set %q has %d zones, more than %d", s.ID, len(s.Zones), maxCount)
	}
	ix := cell.Build(s)
	idx, err := ix.MarshalBinary()
	if err != nil {
		return fmt.Errorf("gwz: %w", err)
	}
	var (
		strs     bytes.Buffer
		strIndex = map[string][2]uint32{}
		zones    []byte
		parts    []byte
		rings    []byte
		verts    []byte
		nverts   uint64
		le       = binary.LittleEndian
	)
	str := func(b []byte, v string) ([]byte, error) {
		if len(v) > MaxStringLen {
			return nil, fmt.Errorf("gwz: string of %d bytes is longer than %d: %.40q…", len(v), MaxStringLen, v)
		}
		ref, ok := strIndex[v]
		if !ok {
			ref = [2]uint32{uint32(strs.Len()), uint32(len(v))}
			strs.WriteString(v)
			strIndex[v] = ref
		}
		b = le.AppendUint32(b, ref[0])
		return le.AppendUint32(b, ref[1]), nil
	}
	ring := func(r []geowarden.Point) {
		rings = le.AppendUint32(rings, uint32(len(r)))
		for _, p := range r {
			verts = le.AppendUint64(verts, math.Float64bits(p.Lon))
			verts = le.AppendUint64(verts, math.Float64bits(p.Lat))
		}
		nverts += uint64(len(r))
	}
	var meta []byte
	if meta, err = str(meta, s.ID); err != nil {
		return err
	}
	for _, z := range s.Zones {
		for _, v := range []string{z.ID, z.Name, z.Class, z.Set} {
			if zones, err = str(zones, v); err != nil {
				return fmt.Errorf("%w (zone %q)", err, z.ID)
			}
		}
		var np int
		switch z.Geometry {
		case zone.Area:
			np = len(z.Polygons)
			for _, poly := range z.Polygons {
				parts = le.AppendUint32(parts, uint32(len(poly)))
				for _, r := range poly {
					ring(r)
				}
			}
		case zone.Corridor:
			np = len(z.Lines)
			for _, l := range z.Lines {
				parts = le.AppendUint32(parts, 1)
				ring(l)
			}
		case zone.Circle:
			np = 1
			parts = le.AppendUint32(parts, 1)
			ring(z.Points)
		}
		zones = append(zones, byte(z.Geometry), 0, 0, 0)
		zones = le.AppendUint32(zones, uint32(np))
		zones = le.AppendUint64(zones, math.Float64bits(z.BufferM))
	}
	if nverts > maxCount || len(parts)/4 > maxCount || len(rings)/4 > maxCount {
		return fmt.Errorf("gwz: set %q has %d vertices, %d parts and %d rings; the most a file holds is %d of each",
			s.ID, nverts, len(parts)/4, len(rings)/4, maxCount)
	}
	secs := []struct {
		kind uint32
		data []byte
	}{
		{secMeta, meta},
		{secStrings, strs.Bytes()},
		{secZones, zones},
		{secParts, parts},
		{secRings, rings},
		{secVertices, verts},
		{secIndex, idx},
	}
	off := uint64(headerSize + sectionSize*len(secs))
	table := make([]byte, 0, sectionSize*len(secs))
	crc := crc32.New(castagnoli)
	var body [][]byte
	pad := func(n uint64) []byte { return make([]byte, (8-n%8)%8) }
	for _, sec := range secs {
		off += uint64(len(pad(off)))
		table = le.AppendUint32(table, sec.kind)
		table = le.AppendUint32(table, 0)
		table = le.AppendUint64(table, off)
		table = le.AppendUint64(table, uint64(len(sec.data)))
		off += uint64(len(sec.data))
	}
	if off > MaxFileBytes {
		return fmt.Errorf("gwz: set %q needs %d bytes, more than the %d a file may hold", s.ID, off, MaxFileBytes)
	}
	body = append(body, table)
	pos := uint64(headerSize + len(table))
	for _, sec := range secs {
		p := pad(pos)
		body = append(body, p, sec.data)
		pos += uint64(len(p) + len(sec.data))
	}
	for _, b := range body {
		crc.Write(b)
	}
	hdr := make([]byte, 0, headerSize)
	hdr = append(hdr, Magic...)
	hdr = le.AppendUint32(hdr, Version)
	hdr = le.AppendUint32(hdr, headerSize)
	hdr = le.AppendUint64(hdr, off)
	hdr = le.AppendUint32(hdr, crc.Sum32())
	hdr = le.AppendUint32(hdr, uint32(len(secs)))
	hdr = le.AppendUint64(hdr, uint64(len(s.Zones)))
	hdr = le.AppendUint64(hdr, nverts)
	hdr = append(hdr, make([]byte, headerSize-len(hdr))...)
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(hdr)
	for _, b := range body {
		bw.Write(b)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("gwz: %w", err)
	}
	return nil
}

// WriteFile compiles the zone set s to the file at path.
func WriteFile(path string, s *zone.Set) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gwz: %w", err)
	}
	if err := Write(f, s); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("gwz: %w", err)
	}
	return nil
}

// ReadFile loads the .gwz file at path: one read into memory, the checksum
// verified, and the zones and the index sliced from it without parsing
// vertices or rebuilding the index.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gwz: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("gwz: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("gwz: %s: not a regular file", path)
	}
	n := st.Size()
	if n > MaxFileBytes {
		return nil, fmt.Errorf("gwz: %s: %d bytes, larger than the %d a .gwz file may have", path, n, int64(MaxFileBytes))
	}
	// The header says how long the file is: check it against the file's
	// real size before memory is spent on what the file claims.
	var head [headerSize]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("gwz: %s: %w", path, formatErr(0, "%d bytes, shorter than the %d-byte header", n, headerSize))
		}
		return nil, fmt.Errorf("gwz: %s: %w", path, err)
	}
	if !IsGWZ(head[:]) {
		return nil, fmt.Errorf("gwz: %s: %w", path, formatErr(0, "not a .gwz file (bad magic %q)", head[:len(Magic)]))
	}
	if size := binary.LittleEndian.Uint64(head[16:]); size != uint64(n) {
		return nil, fmt.Errorf("gwz: %s: %w", path, formatErr(16, "header says %d bytes, the file has %d (truncated or padded)", size, n))
	}
	buf := alignedBytes(int(n))
	copy(buf, head[:])
	if _, err := io.ReadFull(f, buf[headerSize:]); err != nil {
		return nil, fmt.Errorf("gwz: %s: %w", path, err)
	}
	file, err := Decode(buf)
	if err != nil {
		return nil, fmt.Errorf("gwz: %s: %w", path, err)
	}
	return file, nil
}

// alignedBytes returns n bytes backed by 8-byte aligned memory, so that the
// arrays in it can be used in place.
func alignedBytes(n int) []byte {
	w := make([]uint64, (n+7)/8)
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&w[0])), n)
}

// Errors that Decode and ReadFile wrap, for errors.Is.
var (
	ErrFormat  = errors.New("malformed .gwz file")      // anything wrong in the file
	ErrVersion = errors.New("unsupported .gwz version") // a version this package does not read
)

func formatErr(off uint64, f string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrFormat, off, fmt.Sprintf(f, args...))
}

type section struct{ off, len uint64 }

// Decode parses a whole .gwz file held in data. The returned set and index
// use data's memory: data must not be changed afterwards. Errors name the
// byte offset and what is wrong, and wrap ErrFormat or ErrVersion.
func Decode(data []byte) (*File, error) {
	le := binary.LittleEndian
	if len(data) < headerSize || !IsGWZ(data) {
		if len(data) >= len(Magic) && !IsGWZ(data) {
			return nil, formatErr(0, "not a .gwz file (bad magic %q)", data[:len(Magic)])
		}
		return nil, formatErr(0, "%d bytes, shorter than the %d-byte header", len(data), headerSize)
	}
	if uintptr(unsafe.Pointer(&data[0]))%8 != 0 {
		b := alignedBytes(len(data))
		copy(b, data)
		data = b
	}
	if v := le.Uint32(data[8:]); v != Version {
		return nil, fmt.Errorf("%w %d (this geowarden reads version %d; compile the zones again with `geowarden zones import`)", ErrVersion, v, Version)
	}
	if h := le.Uint32(data[12:]); h != headerSize {
		return nil, formatErr(12, "header size %d, want %d", h, headerSize)
	}
	if size := le.Uint64(data[16:]); size != uint64(len(data)) {
		return nil, formatErr(16, "header says %d bytes, the file has %d (truncated or padded)", size, len(data))
	}
	// Check the sum while the rest is parsed; a mismatch is the error to
	// report, whatever else is wrong.
	want := le.Uint32(data[24:])
	sum := make(chan uint32, 1)
	go func() { sum <- crc32.Checksum(data[headerSize:], castagnoli) }()
	file, err := decode(data)
	if got := <-sum; got != want {
		return nil, formatErr(24, "checksum mismatch: body CRC-32C is %08x, header says %08x (corrupt file)", got, want)
	}
	return file, err
}

// decode parses a file whose header Decode checked.
func decode(data []byte) (*File, error) {
	le := binary.LittleEndian
	nsec := le.Uint32(data[28:])
	nzones := le.Uint64(data[32:])
	nverts := le.Uint64(data[40:])
	if nsec > maxSections || uint64(headerSize+sectionSize*nsec) > uint64(len(data)) {
		return nil, formatErr(28, "%d sections do not fit in the file", nsec)
	}
	if nzones > maxCount || nverts > maxCount {
		return nil, formatErr(32, "%d zones and %d vertices: more than %d", nzones, nverts, maxCount)
	}
	secs := map[uint32]section{}
	for i := uint32(0); i < nsec; i++ {
		at := uint64(headerSize + sectionSize*i)
		e := data[at:]
		kind, off, n := le.Uint32(e), le.Uint64(e[8:]), le.Uint64(e[16:])
		if off%8 != 0 || off < headerSize || off > uint64(len(data)) || n > uint64(len(data))-off {
			return nil, formatErr(at, "section %d (kind %d) at %d, %d bytes, lies outside the file or is not 8-byte aligned", i, kind, off, n)
		}
		if _, dup := secs[kind]; dup {
			return nil, formatErr(at, "section kind %d appears twice", kind)
		}
		secs[kind] = section{off, n}
	}
	get := func(kind uint32, name string, rec uint64) (section, []byte, error) {
		s, ok := secs[kind]
		if !ok {
			return s, nil, formatErr(headerSize, "no %s section (kind %d)", name, kind)
		}
		if rec > 0 && s.len%rec != 0 {
			return s, nil, formatErr(s.off, "%s section of %d bytes is not a whole number of %d-byte records", name, s.len, rec)
		}
		return s, data[s.off : s.off+s.len], nil
	}
	_, meta, err := get(secMeta, "META", 0)
	if err != nil {
		return nil, err
	}
	strSec, strBytes, err := get(secStrings, "STRINGS", 0)
	if err != nil {
		return nil, err
	}
	zoneSec, zoneBytes, err := get(secZones, "ZONES", zoneSize)
	if err != nil {
		return nil, err
	}
	partSec, partBytes, err := get(secParts, "PARTS", 4)
	if err != nil {
		return nil, err
	}
	ringSec, ringBytes, err := get(secRings, "RINGS", 4)
	if err != nil {
		return nil, err
	}
	vertSec, vertBytes, err := get(secVertices, "VERTICES", 16)
	if err != nil {
		return nil, err
	}
	_, idxBytes, err := get(secIndex, "INDEX", 0)
	if err != nil {
		return nil, err
	}
	if uint64(len(zoneBytes))/zoneSize != nzones {
		return nil, formatErr(zoneSec.off, "ZONES holds %d records, the header says %d zones", len(zoneBytes)/zoneSize, nzones)
	}
	if uint64(len(vertBytes))/16 != nverts {
		return nil, formatErr(vertSec.off, "VERTICES holds %d vertices, the header says %d", len(vertBytes)/16, nverts)
	}
	allStrings := string(strBytes) // one copy; every string below is a substring
	str := func(at uint64, b []byte) (string, error) {
		off, n := uint64(le.Uint32(b)), uint64(le.Uint32(b[4:]))
		if n > MaxStringLen || off > uint64(len(allStrings)) || n > uint64(len(allStrings))-off {
			return "", formatErr(at, "string at %d, %d bytes, lies outside STRINGS (%d bytes at %d)", off, n, len(allStrings), strSec.off)
		}
		return allStrings[off : off+n], nil
	}
	if len(meta) < 8 {
		return nil, formatErr(secs[secMeta].off, "META section of %d bytes, want at least 8", len(meta))
	}
	setID, err := str(secs[secMeta].off, meta)
	if err != nil {
		return nil, err
	}

	verts := pointsOf(vertBytes)
	for i, p := range verts {
		if !(p.Lon >= -180 && p.Lon <= 180 && p.Lat >= -90 && p.Lat <= 90) {
			return nil, formatErr(vertSec.off+uint64(i)*16, "vertex %d [%v, %v] is not a longitude/latitude", i, p.Lon, p.Lat)
		}
	}
	nparts, nrings := uint64(len(partBytes)/4), uint64(len(ringBytes)/4)
	set := &zone.Set{ID: setID, Zones: make([]*zone.Zone, nzones)}
	zs := make([]zone.Zone, nzones)
	ringSlices := make([][]geowarden.Point, nrings)
	polygons := make([][][]geowarden.Point, nparts) // the area zones' polygons, sliced per zone
	var part, rng, vert uint64
	// nextRing takes the next ring record and slices its vertices.
	// what names the ring in errors; it is only called on one.
	nextRing := func(min uint32, closed bool, what func() string) ([]geowarden.Point, error) {
		at := ringSec.off + 4*rng
		if rng >= nrings {
			return nil, formatErr(ringSec.off+4*nrings, "%s needs ring %d; RINGS holds %d", what(), rng, nrings)
		}
		n := uint64(le.Uint32(ringBytes[4*rng:]))
		if n < uint64(min) {
			return nil, formatErr(at, "%s has %d vertices; it needs at least %d", what(), n, min)
		}
		if n > nverts-vert {
			return nil, formatErr(at, "%s needs %d vertices from vertex %d; VERTICES holds %d", what(), n, vert, nverts)
		}
		r := verts[vert : vert+n]
		if closed && r[0] != r[n-1] {
			return nil, formatErr(at, "%s is not closed", what())
		}
		ringSlices[rng] = r
		rng++
		vert += n
		return r, nil
	}
	for i := range zs {
		at := zoneSec.off + uint64(i)*zoneSize
		rec := zoneBytes[uint64(i)*zoneSize:]
		z := &zs[i]
		var err error
		if z.ID, err = str(at, rec); err == nil {
			if z.Name, err = str(at+8, rec[8:]); err == nil {
				if z.Class, err = str(at+16, rec[16:]); err == nil {
					z.Set, err = str(at+24, rec[24:])
				}
			}
		}
		if err != nil {
			return nil, err
		}
		z.Geometry = zone.Geometry(rec[32])
		np := uint64(le.Uint32(rec[36:]))
		z.BufferM = math.Float64frombits(le.Uint64(rec[40:]))
		what := func() string { return fmt.Sprintf("zone %d (%q)", i, z.ID) }
		if !(z.BufferM >= 0 && z.BufferM <= 2e6) {
			return nil, formatErr(at+40, "%s: buffer_m %v is not between 0 and 2000 km", what(), z.BufferM)
		}
		if z.Geometry > zone.Circle || rec[33] != 0 || rec[34] != 0 || rec[35] != 0 {
			return nil, formatErr(at+32, "%s: unknown geometry %d", what(), rec[32])
		}
		if z.Geometry != zone.Area && z.BufferM <= 0 {
			return nil, formatErr(at+40, "%s: a %v needs a positive buffer_m", what(), z.Geometry)
		}
		if np == 0 || np > nparts-part || (z.Geometry == zone.Circle && np != 1) {
			return nil, formatErr(at+36, "%s: %d parts from part %d (PARTS holds %d)", what(), np, part, nparts)
		}
		p0, r0 := part, rng
		for k := uint64(0); k < np; k++ {
			pat := partSec.off + 4*part
			nr := uint64(le.Uint32(partBytes[4*part:]))
			part++
			if nr == 0 || nr > nrings-rng || (z.Geometry != zone.Area && nr != 1) {
				return nil, formatErr(pat, "%s part %d: %d rings from ring %d (RINGS holds %d)", what(), k, nr, rng, nrings)
			}
			switch z.Geometry {
			case zone.Area:
				first := rng
				for j := uint64(0); j < nr; j++ {
					if _, err := nextRing(4, true, func() string { return fmt.Sprintf("%s polygon %d ring %d", what(), k, j) }); err != nil {
						return nil, err
					}
				}
				polygons[part-1] = ringSlices[first:rng:rng]
			case zone.Corridor:
				if _, err := nextRing(2, false, func() string { return fmt.Sprintf("%s line %d", what(), k) }); err != nil {
					return nil, err
				}
			case zone.Circle:
				pts, err := nextRing(1, false, func() string { return what() + " points" })
				if err != nil {
					return nil, err
				}
				z.Points = pts
			}
		}
		switch z.Geometry {
		case zone.Area:
			z.Polygons = polygons[p0:part:part]
		case zone.Corridor:
			z.Lines = ringSlices[r0:rng:rng]
		}
		set.Zones[i] = z
	}
	if part != nparts || rng != nrings || vert != nverts {
		return nil, formatErr(partSec.off, "zones use %d parts, %d rings and %d vertices; the file holds %d, %d and %d",
			part, rng, vert, nparts, nrings, nverts)
	}
	ix, err := cell.Load(idxBytes, set)
	if err != nil {
		return nil, fmt.Errorf("%w: INDEX at offset %d: %v", ErrFormat, secs[secIndex].off, err)
	}
	return &File{
		Set:      set,
		Index:    ix,
		Version:  Version,
		Size:     int64(len(data)),
		Checksum: fmt.Sprintf("crc32c:%08x", le.Uint32(data[24:])),
	}, nil
}

// pointsOf returns the little-endian (lon, lat) pairs in b as points: in
// place when the machine is little-endian and b is aligned, else copied.
func pointsOf(b []byte) []geowarden.Point {
	n := len(b) / 16
	if n == 0 {
		return nil
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%8 == 0 {
		return unsafe.Slice((*geowarden.Point)(unsafe.Pointer(&b[0])), n)
	}
	pts := make([]geowarden.Point, n)
	for i := range pts {
		pts[i].Lon = math.Float64frombits(binary.LittleEndian.Uint64(b[16*i:]))
		pts[i].Lat = math.Float64frombits(binary.LittleEndian.Uint64(b[16*i+8:]))
	}
	return pts
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()
