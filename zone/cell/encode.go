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
	numArrays    = 11
	tableBytes   = 16 * numArrays
)

// Array numbers, in the table's order.
const (
	arrPolys = iota
	arrPts
	arrPinfo
	arrDir
	arrNodes
	arrLeaves
	arrCover
	arrPitems
	arrEdges
	arrTogs
	arrQitems
)

// layouts gives each array's record: the sizes of its little-endian fields.
var layouts = [numArrays][]int{
	arrPolys:  {4, 4, 8, 8, 8, 8},
	arrPts:    {8, 8, 8, 8, 8, 8, 8, 8},
	arrPinfo:  {4},
	arrDir:    {4},
	arrNodes:  {4},
	arrLeaves: {4, 4, 4, 4, 4},
	arrCover:  {4},
	arrPitems: {4, 4, 4, 4},
	arrEdges:  {4},
	arrTogs:   {8},
	arrQitems: {4},
}

var arrayNames = [numArrays]string{"polygons", "piece points", "piece info", "directory", "nodes", "leaves", "cover", "polygon items", "edges", "toggles", "piece items"}

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
		arrLeaves: bytesOf(ix.leaves),
		arrCover:  bytesOf(ix.cover),
		arrPitems: bytesOf(ix.pitems),
		arrEdges:  bytesOf(ix.edges),
		arrTogs:   bytesOf(ix.togs),
		arrQitems: bytesOf(ix.qitems),
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
	ix.leaves = castArray[leaf](arrays[arrLeaves], counts[arrLeaves], arrLeaves)
	ix.cover = castArray[int32](arrays[arrCover], counts[arrCover], arrCover)
	ix.pitems = castArray[polyItem](arrays[arrPitems], counts[arrPitems], arrPitems)
	ix.edges = castArray[uint32](arrays[arrEdges], counts[arrEdges], arrEdges)
	ix.togs = castArray[float64](arrays[arrTogs], counts[arrTogs], arrTogs)
	ix.qitems = castArray[uint32](arrays[arrQitems], counts[arrQitems], arrQitems)
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
	if ix.dirLevel > maxLevel || ix.dirW == 0 || ix.dirH == 0 || uint64(ix.dirW)*uint64(ix.dirH) != uint64(len(ix.dir)) ||
		uint64(ix.dirX0)+uint64(ix.dirW) > 1<<ix.dirLevel || uint64(ix.dirY0)+uint64(ix.dirH) > 1<<ix.dirLevel {
		return indexErr("directory of %d×%d cells at (%d, %d), level %d, has %d entries", ix.dirW, ix.dirH, ix.dirX0, ix.dirY0, ix.dirLevel, len(ix.dir))
	}
	nl := len(ix.leaves) - 1
	if nl < 0 || len(ix.pitems) == 0 {
		return indexErr("no leaf or polygon item sentinel")
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
			if int(w&^leafBit) >= nl {
				return indexErr("node word %#x: leaf %d of %d", w, w&^leafBit, nl)
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
	for i := 0; i < nl; i++ {
		l, n := ix.leaves[i], ix.leaves[i+1]
		if l.cover > n.cover || l.poly > l.polySplit || l.polySplit > n.poly || l.piece > l.pieceSplit || l.pieceSplit > n.piece {
			return indexErr("leaf %d: runs out of order", i)
		}
	}
	last := ix.leaves[nl]
	if int(last.cover) != len(ix.cover) || int(last.poly) != len(ix.pitems)-1 || int(last.piece) != len(ix.qitems) ||
		ix.leaves[0].cover != 0 || ix.leaves[0].poly != 0 || ix.leaves[0].piece != 0 {
		return indexErr("leaf runs do not cover the arrays")
	}
	for i, z := range ix.cover {
		if uint32(z) >= nz {
			return indexErr("cover %d: zone %d of %d", i, z, nz)
		}
	}
	np := uint32(len(ix.polys))
	for i := 0; i+1 < len(ix.pitems); i++ {
		it, n := ix.pitems[i], ix.pitems[i+1]
		if it.poly >= np || it.edge0 > n.edge0 || it.tog0 > n.tog0 {
			return indexErr("polygon item %d: polygon %d of %d, runs out of order", i, it.poly, np)
		}
	}
	if l := ix.pitems[len(ix.pitems)-1]; int(l.edge0) != len(ix.edges) || int(l.tog0) != len(ix.togs) || ix.pitems[0].edge0 != 0 || ix.pitems[0].tog0 != 0 {
		return indexErr("polygon item runs do not cover the arrays")
	}
	maxEdge := uint32(0)
	for _, e := range ix.edges {
		maxEdge = max(maxEdge, e)
	}
	if len(ix.edges) > 0 && uint64(maxEdge)+1 >= uint64(len(ix.verts)) {
		return indexErr("edge %d of %d vertices", maxEdge, len(ix.verts))
	}
	maxPiece := uint32(0)
	for _, q := range ix.qitems {
		maxPiece = max(maxPiece, q&pieceRef)
	}
	if len(ix.qitems) > 0 && int(maxPiece) >= len(ix.pts) {
		return indexErr("piece %d of %d points", maxPiece, len(ix.pts))
	}
	return nil
}
