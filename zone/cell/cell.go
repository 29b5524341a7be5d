// Package cell is the classifier engine: an index of longitude/latitude
// cells over protected zones that answers the same point and segment
// queries as zone.Index, with the same results, in a fraction of the time
// and memory at national scale.
//
// # How it works
//
// The world, [-180, 180] × [-90, 90], is cut into a quadtree of cells,
// deeper where zone boundaries are dense. A leaf cell records
//
//   - the zones that cover it entirely: a point in it is inside them with
//     no test at all;
//   - for each polygon whose boundary passes through it, only the edges
//     that reach the cell, and the state of the polygon's other edges: the
//     parity of their crossings with a ray from the cell towards +longitude,
//     precomputed at the bottom of the cell, with the latitudes at which it
//     changes. A point is then answered by zone's own edge test (the same
//     half-open crossing rule, the same 1e-11° boundary tolerance) on the
//     few edges in the cell. This is S2ShapeIndex's idea (a reference point
//     whose inside/outside state is stored, and a crossing count from it)
//     with the reference ray chosen so that every comparison is the one
//     zone.Index makes, bit for bit;
//   - for buffered zones (corridors, circles, grown areas), the pieces of
//     centre line (great-circle arcs, cut exactly as zone cuts them) that
//     reach into the cell, tested by great-circle distance.
//
// Cells are chosen with a margin (1e-9°) so that what is precomputed for a
// cell holds for every point in it despite rounding. The results of
// Contains are those of zone.Index for every point (but for a NaN
// coordinate, which is in no zone here); those of Segment come from zone's
// own procedure run on the polygons and pieces the cells along the segment
// hold, and equal zone.Index's. (Pieces that cannot be the nearest of
// their zone anywhere in a cell are left out of it; along a buffer's edge
// Segment's ends could then differ from zone.Index's within the tolerance
// of its bisection, 1e-9 of a 2 km chunk. The differential tests and the
// fuzz target have found no such case.)
//
// Cells are split while a lookup in them would test more than eight edges
// and pieces, down to about 0.6 m; a cell that only pieces crowd is not
// split below a quarter of their buffer, nor near the poles, where cells
// are slivers and a buffer's edge runs along every longitude.
//
// The top levels of the tree over the zones' extent are flattened into a
// directory, so that a lookup starts a few levels above the leaves. The
// arrays are flat and position-independent: MarshalBinary writes them, and
// Load uses them in place.
package cell

import (
	"math"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// Index answers point and segment queries over a fixed list of zones. It is
// built once and is safe for concurrent use by many goroutines.
type Index struct {
	zones []*zone.Zone
	geom  []uint8   // per zone: its zone.Geometry
	rad   []float64 // per zone: BufferM / EarthRadius
	bufM  []float64 // per zone: BufferM
	cosR  []float64 // per zone: cos(rad)
	sinLo []float64 // per zone: sin(rad), a little less
	sinHi []float64 // per zone: sin(rad), a little more

	// verts holds every zone's vertices in zone order (rings of the
	// polygons, centre lines, centres): an edge is named by the position
	// of its first vertex.
	verts []geowarden.Point
	polys []polyInfo

	// Pieces of buffered geometry: runs of densified points; piece k is
	// the arc from point k to point k+1, or the point k alone when k ends
	// its run.
	pts   []piecePt
	pinfo []uint32 // per point: zone<<1 | 1 when the point ends its run

	// The tree: a directory of level-dirLevel cells over the zones' extent,
	// then nodes of four children. A node word is emptyNode, leafBit and
	// the position of a leaf's record in stream, or the position in nodes
	// of its four children.
	dirLevel     uint32
	dirX0, dirY0 uint32
	dirW, dirH   uint32
	dir          []uint32
	nodes        []uint32

	// stream holds the leaves' records, one after the other:
	//
	//	ncover, nitems, npieces, nseg
	//	ncover × zone that covers the leaf
	//	nitems × polygon item, of zones that do not cover the leaf
	//	npieces × piece | needBox
	//	ncover × the polygon, or the piece | pieceEnt, that covers it
	//	nseg × polygon item, of zones that cover the leaf (for Segment)
	//
	// A polygon item is
	//
	//	zone, polygon | flags, nedges, ntogs
	//	nedges × edge (the position of its first vertex in verts)
	//	ntogs × latitude (float64 bits, low word first) where the parity
	//	         of the polygon's other edges changes
	stream []uint32
}

// polyInfo is one polygon of an area zone.
type polyInfo struct {
	zone uint32
	part uint32 // its position in the zone's Polygons
	bb   box    // of the outer ring, as zone computes it
}

// piecePt is a densified point of a buffered geometry: its position, its
// unit vector, and the normal of the arc from it to the next point (zero
// when the piece from it is a point: it ends its run, or the arc is too
// short for a normal, as zone's newArc decides).
type piecePt struct {
	ll geowarden.Point
	v  vec3
	n  vec3
}

// Item flags, in the word holding the polygon number.
const (
	flagParity = 1 << 30 // parity of the outside edges at the bottom of the leaf
	flagBBox   = 1 << 31 // the leaf is not wholly inside the polygon's bounding box
	polyMask   = 1<<30 - 1
)

const (
	needBox  = 1 << 31 // in a leaf's pieces: the leaf is not wholly inside the piece's box
	pieceRef = needBox - 1
	pieceEnt = 1 << 31 // in a leaf's cover entries: a piece, not a polygon
)

// Node words.
const (
	emptyNode = 0xFFFFFFFF
	leafBit   = 1 << 31
)

// The finest level of the tree: cells of 360/2^30 degrees of longitude.
const coordBits = 30

// Build indexes the zones of the sets, in order: a zone's number in
// queries is its position in Zones(). The zones must be valid (see
// zone.Set.Validate).
func Build(sets ...*zone.Set) *Index {
	ix := &Index{}
	ix.setZones(sets)
	ix.verts = make([]geowarden.Point, 0, ix.countVerts())
	for _, z := range ix.zones {
		ix.verts = appendVerts(ix.verts, z)
	}
	build(ix)
	return ix
}

func (ix *Index) setZones(sets []*zone.Set) {
	for _, s := range sets {
		ix.zones = append(ix.zones, s.Zones...)
	}
	ix.geom = make([]uint8, len(ix.zones))
	ix.rad = make([]float64, len(ix.zones))
	ix.bufM = make([]float64, len(ix.zones))
	ix.cosR = make([]float64, len(ix.zones))
	ix.sinLo = make([]float64, len(ix.zones))
	ix.sinHi = make([]float64, len(ix.zones))
	for i, z := range ix.zones {
		ix.geom[i] = uint8(z.Geometry)
		ix.rad[i] = z.BufferM / zone.EarthRadius
		ix.bufM[i] = z.BufferM
		ix.cosR[i] = math.Cos(ix.rad[i])
		ix.sinLo[i] = math.Sin(ix.rad[i]) * (1 - 1e-12)
		ix.sinHi[i] = math.Sin(ix.rad[i]) * (1 + 1e-12)
	}
}

func (ix *Index) countVerts() int {
	n := 0
	for _, z := range ix.zones {
		n += geomVerts(z)
	}
	return n
}

// geomVerts counts the vertices of the part of z its geometry uses.
func geomVerts(z *zone.Zone) int {
	n := 0
	switch z.Geometry {
	case zone.Area:
		for _, p := range z.Polygons {
			for _, r := range p {
				n += len(r)
			}
		}
	case zone.Corridor:
		for _, l := range z.Lines {
			n += len(l)
		}
	case zone.Circle:
		n = len(z.Points)
	}
	return n
}

func appendVerts(dst []geowarden.Point, z *zone.Zone) []geowarden.Point {
	switch z.Geometry {
	case zone.Area:
		for _, p := range z.Polygons {
			for _, r := range p {
				dst = append(dst, r...)
			}
		}
	case zone.Corridor:
		for _, l := range z.Lines {
			dst = append(dst, l...)
		}
	case zone.Circle:
		dst = append(dst, z.Points...)
	}
	return dst
}

// Zones returns the indexed zones; a zone's number in queries is its
// position in this slice.
func (ix *Index) Zones() []*zone.Zone { return ix.zones }

// Len returns the number of zones.
func (ix *Index) Len() int { return len(ix.zones) }

// inWorld reports whether p is a longitude/latitude; zone.Index finds no
// zone at other points (NaN included).
func inWorld(p geowarden.Point) bool {
	return p.Lon >= -180 && p.Lon <= 180 && p.Lat >= -90 && p.Lat <= 90
}

// cellCoords returns the level-30 cell coordinates of p, clamped to the
// world.
func cellCoords(p geowarden.Point) (uint32, uint32) {
	const scale = 1 << coordBits
	x := (p.Lon + 180) * (scale / 360.0)
	y := (p.Lat + 90) * (scale / 180.0)
	var ix, iy uint32
	if x >= scale {
		ix = scale - 1
	} else if x > 0 {
		ix = uint32(x)
	}
	if y >= scale {
		iy = scale - 1
	} else if y > 0 {
		iy = uint32(y)
	}
	return ix, iy
}

// find returns the node word of the leaf holding level-30 cell (x, y):
// emptyNode or leafBit|leaf.
func (ix *Index) find(x, y uint32) uint32 {
	level := ix.dirLevel
	dx := x>>(coordBits-level) - ix.dirX0
	dy := y>>(coordBits-level) - ix.dirY0
	if dx >= ix.dirW || dy >= ix.dirH {
		return emptyNode
	}
	w := ix.dir[dy*ix.dirW+dx]
	nodes := ix.nodes
	for w&leafBit == 0 {
		level++
		if level > coordBits {
			return emptyNode // only a corrupt tree is this deep
		}
		s := coordBits - level
		w = nodes[w+(y>>s&1)<<1|x>>s&1]
	}
	return w
}

// Contains appends to dst the numbers of the zones that contain p, in
// ascending order without repeats, and returns the extended slice: the
// zones zone.Index.Contains gives.
func (ix *Index) Contains(p geowarden.Point, dst []int32) []int32 {
	if !inWorld(p) {
		return dst
	}
	w := ix.find(cellCoords(p))
	if w == emptyNode {
		return dst
	}
	st := ix.stream
	i := w &^ leafBit
	nc, ni, np := st[i], st[i+1], st[i+2]
	i += 4
	start := len(dst)
	for _, z := range st[i : i+nc] {
		dst = append(dst, int32(z))
	}
	i += nc
	for ; ni > 0; ni-- {
		z := int32(st[i])
		if !has(dst[start:], z) && ix.itemContains(i, p) {
			dst = append(dst, z)
		}
		i += itemSize(st, i)
	}
	if np > 0 {
		v := toVec(p)
		for _, q := range st[i : i+np] {
			k := q & pieceRef
			z := int32(ix.pinfo[k] >> 1)
			if has(dst[start:], z) {
				continue
			}
			if ix.pieceContains(k, q&needBox != 0, p, v) {
				dst = append(dst, z)
			}
		}
	}
	// Few zones: insertion sort.
	out := dst[start:]
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return dst
}

func has(s []int32, z int32) bool {
	for _, x := range s {
		if x == z {
			return true
		}
	}
	return false
}

// itemSize returns the number of words of the polygon item at i.
func itemSize(st []uint32, i uint32) uint32 { return 4 + st[i+2] + 2*st[i+3] }

// itemContains answers zone's polygon test for a point of the item's leaf.
func (ix *Index) itemContains(i uint32, p geowarden.Point) bool {
	st := ix.stream
	pf, ne, nt := st[i+1], st[i+2], st[i+3]
	if pf&flagBBox != 0 {
		bb := &ix.polys[pf&polyMask].bb
		if p.Lat < bb.minLat || p.Lat > bb.maxLat || p.Lon < bb.minLon || p.Lon > bb.maxLon {
			return false
		}
	}
	in := pf&flagParity != 0
	edges := st[i+4 : i+4+ne]
	for j := i + 4 + ne; nt > 0; nt-- {
		if math.Float64frombits(uint64(st[j])|uint64(st[j+1])<<32) <= p.Lat {
			in = !in
		}
		j += 2
	}
	verts := ix.verts
	for _, e := range edges {
		a, b := verts[e], verts[e+1]
		lo, hi := a.Lat, b.Lat
		if lo > hi {
			lo, hi = hi, lo
		}
		if p.Lat < lo || p.Lat > hi {
			continue
		}
		if lo == hi {
			if p.Lon >= min(a.Lon, b.Lon)-polyEps && p.Lon <= max(a.Lon, b.Lon)+polyEps {
				return true
			}
			continue
		}
		x := a.Lon + (p.Lat-a.Lat)*(b.Lon-a.Lon)/(b.Lat-a.Lat)
		if d := p.Lon - x; d <= polyEps && d >= -polyEps {
			return true
		}
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) && p.Lon < x {
			in = !in
		}
	}
	return in
}

// pieceContains answers zone's test for a piece: p inside the piece's box
// (when the leaf is not wholly inside it) and within the buffer.
func (ix *Index) pieceContains(k uint32, boxTest bool, p geowarden.Point, v vec3) bool {
	info := ix.pinfo[k]
	z := info >> 1
	if boxTest {
		a := &ix.pts[k]
		b := a
		if info&1 == 0 {
			b = &ix.pts[k+1]
		}
		if !pieceBoxContains(a.ll, b.ll, ix.bufM[z], p) {
			return false
		}
	}
	return ix.pieceNear(k, z, v)
}

// dotTol bounds the rounding of the dot and triple products of unit
// vectors below; within it, the exact test decides.
const dotTol = 1e-13

// pieceNear reports whether v is within the buffer of zone z from piece k,
// as zone's arc.dist(v) <= rad decides: by dot products when they leave no
// doubt, else by zone's own computation.
func (ix *Index) pieceNear(k, z uint32, v vec3) bool {
	pa := &ix.pts[k]
	if pa.n == (vec3{}) {
		d := v.dot(pa.v)
		switch c := ix.cosR[z]; {
		case d > c+dotTol:
			return true
		case d < c-dotTol:
			return false
		}
		return angle(v, pa.v) <= ix.rad[z]
	}
	pb := &ix.pts[k+1]
	n := pa.n
	s1 := v.dot(n.cross(pa.v)) // (a × v) · n
	s2 := v.dot(pb.v.cross(n)) // (v × b) · n
	switch {
	case s1 > dotTol && s2 > dotTol:
		// v projects inside the arc: distance |asin(v · n)|.
		pn := math.Abs(v.dot(n))
		if pn < ix.sinLo[z] {
			return true
		}
		if pn > ix.sinHi[z] {
			return false
		}
	case s1 < -dotTol || s2 < -dotTol:
		// Outside: the nearer end.
		da, db, c := v.dot(pa.v), v.dot(pb.v), ix.cosR[z]
		if da > c+dotTol || db > c+dotTol {
			return true
		}
		if da < c-dotTol && db < c-dotTol {
			return false
		}
	}
	s := ix.pieceArc(k)
	return s.dist(v) <= ix.rad[z]
}

// pieceBoxes returns the boxes zone.Index files a piece under.
func pieceBoxes(a, b geowarden.Point, bufM float64) ([2]box, int) {
	return boxOf2(a, b).grow(bufM + 1).split()
}

func pieceBoxContains(a, b geowarden.Point, bufM float64, p geowarden.Point) bool {
	bs, n := pieceBoxes(a, b, bufM)
	for _, bx := range bs[:n] {
		if bx.containsPt(p) {
			return true
		}
	}
	return false
}

// CorridorLength returns the length in metres of the part of a→b that lies
// inside at least one Corridor zone: the union of the corridors' parts of
// the segment, as Segment finds them, times the segment's great-circle
// length. (The parts are fractions of the segment straight in
// longitude/latitude; for a track's segments, short, the two lengths agree
// to well under 0.1 %.) Overlapping corridors count once.
func (ix *Index) CorridorLength(a, b geowarden.Point) float64 {
	return ix.corridorLength(a, b)
}

// Distance returns the distance in metres from p to the boundary of zone
// z, whether p is inside the zone or not, or NaN when there is no zone z.
//
// For an area, d is the great-circle distance from p to the nearest edge of
// its polygons (holes included; edges straight in longitude/latitude,
// followed to within about 5 cm), and the result is d for an area without
// buffer; for an area grown by a buffer B it is d + B when p lies inside a
// polygon and |d − B| when it lies outside. For a corridor or a circle it
// is |d − B|, d being the distance to the nearest centre line or centre.
// Distances are exact for the zone's own boundary and, for grown areas,
// the distance to the grown boundary along the nearest edge's normal.
func (ix *Index) Distance(p geowarden.Point, z int32) float64 {
	if z < 0 || int(z) >= len(ix.zones) {
		return math.NaN()
	}
	return ZoneDistance(ix.zones[z], p)
}

// SizeBytes returns the memory the index's own arrays take, in bytes: the
// tree, the cells' lists and the pieces of buffered geometry, not the
// zones' vertices (which it shares with the sets when loaded from a .gwz
// file).
func (ix *Index) SizeBytes() int64 {
	return int64(len(bytesOf(ix.polys)) + len(bytesOf(ix.pts)) + len(bytesOf(ix.pinfo)) + len(bytesOf(ix.dir)) +
		len(bytesOf(ix.nodes)) + len(bytesOf(ix.stream)))
}
