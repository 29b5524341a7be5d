package cell

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// The serialized index (see docs/gwz.md, section INDEX): a header, a table
// of arrays, and the arrays, each 8-byte aligned, little-endian.
const (
	indexMagic   = "GWCELL\x00\x01"
	indexVersion = 1
	headerBytes  = 48
	numArrays    = 6
	tableBytes   = 16 * numArrays
)

// Array numbers, in the table's order.
const (
	arrPolys = iota
	arrPts
	arrPinfo
	arrDir
	arrNodes
	arrStream
)

// layouts gives each array's record: the sizes of its little-endian fields.
var layouts = [numArrays][]int{
	arrPolys:  {4, 4, 8, 8, 8, 8},
	arrPts:    {8, 8, 8, 8, 8, 8, 8, 8},
	arrPinfo:  {4},
	arrDir:    {4},
	arrNodes:  {4},
	arrStream: {4},
}

var arrayNames = [numArrays]string{"polygons", "piece points", "piece info", "directory", "nodes", "leaf records"}

func recSize(a int) int {
	n := 0
	for _, f := range layouts[a] {
		n += f
	}
	return n
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// bytesOf returns the memory of s.
func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}

// swapFields reverses the bytes of every field of every record in b.
func swapFields(b []byte, layout []int) {
	for i := 0; i < len(b); {
		for _, f := range layout {
			for j, k := i, i+f-1; j < k; j, k = j+1, k-1 {
				b[j], b[k] = b[k], b[j]
			}
			i += f
		}
	}
}

// MarshalBinary returns the index, for embedding in a .gwz file. The zones
// themselves are not in it: Load takes them from the sets.
func (ix *Index) MarshalBinary() ([]byte, error) {
	arrays := [numArrays][]byte{
		arrPolys:  bytesOf(ix.polys),
		arrPts:    bytesOf(ix.pts),
		arrPinfo:  bytesOf(ix.pinfo),
		arrDir:    bytesOf(ix.dir),
		arrNodes:  bytesOf(ix.nodes),
		arrStream: bytesOf(ix.stream),
	}
	size := headerBytes + tableBytes
	for _, a := range arrays {
		size = (size+7)&^7 + len(a)
	}
	out := make([]byte, headerBytes+tableBytes, size)
	le := binary.LittleEndian
	copy(out, indexMagic)
	le.PutUint32(out[8:], indexVersion)
	le.PutUint32(out[12:], uint32(len(ix.zones)))
	le.PutUint64(out[16:], uint64(len(ix.verts)))
	le.PutUint32(out[24:], ix.dirLevel)
	le.PutUint32(out[28:], ix.dirX0)
	le.PutUint32(out[32:], ix.dirY0)
	le.PutUint32(out[36:], ix.dirW)
	le.PutUint32(out[40:], ix.dirH)
	for i, a := range arrays {
		for len(out)%8 != 0 {
			out = append(out, 0)
		}
		le.PutUint64(out[headerBytes+16*i:], uint64(len(out)))
		le.PutUint64(out[headerBytes+16*i+8:], uint64(len(a)/recSize(i)))
		at := len(out)
		out = append(out, a...)
		if !littleEndian {
			swapFields(out[at:], layouts[i])
		}
	}
	return out, nil
}

// castArray returns the n records of array a at b as a []T: in place when
// the machine is little-endian and b is aligned, else decoded into a copy.
func castArray[T any](b []byte, n int, a int) []T {
	if n == 0 {
		return nil
	}
	var zero T
	if int(unsafe.Sizeof(zero)) != recSize(a) {
		panic("cell: record layout mismatch") // a bug in this package, caught by its tests
	}
	if littleEndian && uintptr(unsafe.Pointer(&b[0]))%8 == 0 {
		return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
	}
	s := make([]T, n)
	dst := bytesOf(s)
	copy(dst, b)
	if !littleEndian {
		swapFields(dst, layouts[a])
	}
	return s
}

// errIndex is wrapped by every error about malformed index data.
var errIndex = errors.New("cell: malformed index")

func indexErr(f string, args ...any) error {
	return fmt.Errorf("%w: %s", errIndex, fmt.Sprintf(f, args...))
}

// Load rebuilds an Index from MarshalBinary's output over the same sets,
// without recomputing it: the arrays are used in place (data must then not
// change) and checked, so that hostile data gives an error, never a panic
// or a huge allocation. The sets' vertices are used in place too when they
// lie in one array in zone order (as gwz.ReadFile makes them), and copied
// otherwise.
func Load(data []byte, sets ...*zone.Set) (*Index, error) {
	le := binary.LittleEndian
	if len(data) < headerBytes+tableBytes {
		return nil, indexErr("%d bytes, shorter than the %d-byte header", len(data), headerBytes+tableBytes)
	}
	if string(data[:8]) != indexMagic {
		return nil, indexErr("bad magic %q", data[:8])
	}
	if v := le.Uint32(data[8:]); v != indexVersion {
		return nil, indexErr("version %d, this geowarden reads version %d", v, indexVersion)
	}
	ix := &Index{}
	ix.setZones(sets)
	nverts := ix.countVerts()
	if n := le.Uint32(data[12:]); int(n) != len(ix.zones) {
		return nil, indexErr("index of %d zones, the sets have %d", n, len(ix.zones))
	}
	if n := le.Uint64(data[16:]); n != uint64(nverts) {
		return nil, indexErr("index of %d vertices, the zones have %d", n, nverts)
	}
	ix.dirLevel = le.Uint32(data[24:])
	ix.dirX0, ix.dirY0 = le.Uint32(data[28:]), le.Uint32(data[32:])
	ix.dirW, ix.dirH = le.Uint32(data[36:]), le.Uint32(data[40:])
	var arrays [numArrays][]byte
	var counts [numArrays]int
	for i := range arrays {
		off, n := le.Uint64(data[headerBytes+16*i:]), le.Uint64(data[headerBytes+16*i+8:])
		rs := uint64(recSize(i))
		if off%8 != 0 || off > uint64(len(data)) || n > (uint64(len(data))-off)/rs || n > math.MaxInt32 {
			return nil, indexErr("%s: %d records at offset %d do not fit in %d bytes", arrayNames[i], n, off, len(data))
		}
		arrays[i], counts[i] = data[off:off+n*rs], int(n)
	}
	// Copy the whole index once if it is not aligned, rather than each
	// array.
	if len(data) > 0 && uintptr(unsafe.Pointer(&data[0]))%8 != 0 && littleEndian {
		w := make([]uint64, (len(data)+7)/8)
		c := unsafe.Slice((*byte)(unsafe.Pointer(&w[0])), len(data))
		copy(c, data)
		return Load(c, sets...)
	}
	ix.polys = castArray[polyInfo](arrays[arrPolys], counts[arrPolys], arrPolys)
	ix.pts = castArray[piecePt](arrays[arrPts], counts[arrPts], arrPts)
	ix.pinfo = castArray[uint32](arrays[arrPinfo], counts[arrPinfo], arrPinfo)
	ix.dir = castArray[uint32](arrays[arrDir], counts[arrDir], arrDir)
	ix.nodes = castArray[uint32](arrays[arrNodes], counts[arrNodes], arrNodes)
	ix.stream = castArray[uint32](arrays[arrStream], counts[arrStream], arrStream)
	ix.verts = sharedVerts(ix.zones, nverts)
	if err := ix.check(); err != nil {
		return nil, err
	}
	return ix, nil
}

// sharedVerts returns the zones' vertices as one slice, in zone order: the
// zones' own array when their rings lie in it one after the other, else a
// copy.
func sharedVerts(zones []*zone.Zone, n int) []geowarden.Point {
	var all []geowarden.Point
	off := 0
	ok := true
	check := func(r []geowarden.Point) {
		if !ok || len(r) == 0 {
			return
		}
		if all == nil {
			if off != 0 || cap(r) < n {
				ok = false
				return
			}
			all = r[:n]
		}
		if off+len(r) > n || &all[off] != &r[0] {
			ok = false
		}
		off += len(r)
	}
	for _, z := range zones {
		switch z.Geometry {
		case zone.Area:
			for _, p := range z.Polygons {
				for _, r := range p {
					check(r)
				}
			}
		case zone.Corridor:
			for _, l := range z.Lines {
				check(l)
			}
		case zone.Circle:
			check(z.Points)
		}
	}
	if ok && all != nil && off == n {
		return all
	}
	verts := make([]geowarden.Point, 0, n)
	for _, z := range zones {
		verts = appendVerts(verts, z)
	}
	return verts
}

// check validates every reference in the index, so that no lookup can go
// out of bounds or loop.
func (ix *Index) check() error {
	nz := uint32(len(ix.zones))
	for i, p := range ix.polys {
		if p.zone >= nz || ix.geom[p.zone] != uint8(zone.Area) {
			return indexErr("polygon %d: zone %d is not an area of the %d zones", i, p.zone, nz)
		}
	}
	for i, info := range ix.pinfo {
		if info>>1 >= nz || ix.geom[info>>1] == uint8(zone.Area) && ix.bufM[info>>1] <= 0 {
			return indexErr("piece point %d: zone %d is not a buffered zone", i, info>>1)
		}
	}
	if n := len(ix.pinfo); n != len(ix.pts) || n > 0 && ix.pinfo[n-1]&1 == 0 {
		return indexErr("%d piece points, %d piece infos, last run not ended", len(ix.pts), n)
	}
	for i, info := range ix.pinfo {
		if info&1 != 0 && ix.pts[i].n != (vec3{}) {
			return indexErr("piece point %d ends its run but has an arc to the next", i)
		}
	}
	if ix.dirLevel > maxLevel || ix.dirW == 0 || ix.dirH == 0 || uint64(ix.dirW)*uint64(ix.dirH) != uint64(len(ix.dir)) ||
		uint64(ix.dirX0)+uint64(ix.dirW) > 1<<ix.dirLevel || uint64(ix.dirY0)+uint64(ix.dirH) > 1<<ix.dirLevel {
		return indexErr("directory of %d×%d cells at (%d, %d), level %d, has %d entries", ix.dirW, ix.dirH, ix.dirX0, ix.dirY0, ix.dirLevel, len(ix.dir))
	}
	isLeaf, err := ix.checkStream()
	if err != nil {
		return err
	}
	// Every block of four nodes is referenced once, by the directory or
	// by a node before it: the nodes form a forest.
	if len(ix.nodes)%4 != 0 {
		return indexErr("%d nodes, not a multiple of 4", len(ix.nodes))
	}
	seen := make([]bool, len(ix.nodes)/4)
	ref := func(w uint32, from int) error {
		switch {
		case w == emptyNode:
		case w&leafBit != 0:
			if at := w &^ leafBit; int(at) >= len(ix.stream) || isLeaf[at/64]&(1<<(at%64)) == 0 {
				return indexErr("node word %#x: no leaf record at %d", w, at)
			}
		default:
			if w%4 != 0 || int(w) >= len(ix.nodes) || int(w) <= from || seen[w/4] {
				return indexErr("node word %#x: not a fresh block of the %d nodes after %d", w, len(ix.nodes), from)
			}
			seen[w/4] = true
		}
		return nil
	}
	for _, w := range ix.dir {
		if err := ref(w, -1); err != nil {
			return err
		}
	}
	for i, w := range ix.nodes {
		if err := ref(w, i); err != nil {
			return err
		}
	}
	for i, p := range ix.polys {
		if int(p.part) >= len(ix.zones[p.zone].Polygons) {
			return indexErr("polygon %d: part %d of zone %d's %d polygons", i, p.part, p.zone, len(ix.zones[p.zone].Polygons))
		}
	}
	return nil
}

// checkStream walks the leaf records: every count within the stream and
// every zone, polygon, edge and piece within its table. It returns the
// records' starts, as a bit set.
func (ix *Index) checkStream() ([]uint64, error) {
	st := ix.stream
	n := uint64(len(st))
	isLeaf := make([]uint64, (n+63)/64)
	nz, np, npts := uint64(len(ix.zones)), uint64(len(ix.polys)), uint64(len(ix.pts))
	nv := uint64(len(ix.verts))
	var i uint64
	items := func(count uint64) error {
		for ; count > 0; count-- {
			if n-i < 4 {
				return indexErr("leaf record item at %d: truncated", i)
			}
			z, pf, ne, nt := uint64(st[i]), uint64(st[i+1]), uint64(st[i+2]), uint64(st[i+3])
			if p := pf & polyMask; p >= np || z >= nz {
				return indexErr("leaf record item at %d: polygon %d of %d, zone %d of %d", i, p, np, z, nz)
			}
			if ne+2*nt > n-i-4 {
				return indexErr("leaf record item at %d: %d edges and %d latitudes run past the end", i, ne, nt)
			}
			for _, e := range st[i+4 : i+4+ne] {
				if uint64(e)+1 >= nv {
					return indexErr("leaf record item at %d: edge %d of %d vertices", i, e, nv)
				}
			}
			i += 4 + ne + 2*nt
		}
		return nil
	}
	for i < n {
		if n-i < 4 {
			return nil, indexErr("leaf record at %d: truncated", i)
		}
		isLeaf[i/64] |= 1 << (i % 64)
		at := i
		nc, ni, npc, ns := uint64(st[i]), uint64(st[i+1]), uint64(st[i+2]), uint64(st[i+3])
		i += 4
		if nc > n-i {
			return nil, indexErr("leaf record at %d: %d covering zones run past the end", at, nc)
		}
		for _, z := range st[i : i+nc] {
			if uint64(z) >= nz {
				return nil, indexErr("leaf record at %d: zone %d of %d", at, z, nz)
			}
		}
		i += nc
		if err := items(ni); err != nil {
			return nil, err
		}
		if npc > n-i {
			return nil, indexErr("leaf record at %d: %d pieces run past the end", at, npc)
		}
		for _, q := range st[i : i+npc] {
			if uint64(q&pieceRef) >= npts {
				return nil, indexErr("leaf record at %d: piece %d of %d points", at, q&pieceRef, npts)
			}
		}
		i += npc
		if nc > n-i {
			return nil, indexErr("leaf record at %d: %d cover entries run past the end", at, nc)
		}
		for _, e := range st[i : i+nc] {
			if e&pieceEnt != 0 && uint64(e&^pieceEnt) >= npts || e&pieceEnt == 0 && uint64(e) >= np {
				return nil, indexErr("leaf record at %d: cover entry %#x is not a polygon or a piece", at, e)
			}
		}
		i += nc
		if err := items(ns); err != nil {
			return nil, err
		}
	}
	return isLeaf, nil
}
