package cell

import (
	"math"
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// Build parameters.
const (
	// margin: what a leaf stores holds for every point within margin/2 of
	// the leaf (points are placed in leaves with errors below 1e-13°).
	margin = 1e-9 // degrees
	// maxLevel is the deepest level of the tree: cells of about 0.6 m.
	maxLevel = 26
	// leafCost is the most work a leaf may ask of a lookup before it is
	// split: one per polygon edge, per polygon and per piece. A cell
	// whose cost is mostly pieces is not split below minRadFrac of the
	// smallest of their buffers: along a densely drawn line, pieces stop
	// falling away only in cells much smaller than the buffer.
	leafCost   = 8
	minRadFrac = 1.0 / 4
	// maxDir is the most entries of the directory.
	maxDir = 1 << 16
	// distTol is the tolerance of the distance bounds, in radians (6 µm).
	distTol = 1e-12
)

// builder holds what building needs beyond the index itself.
type builder struct {
	ix *Index

	// per polygon: its edges' band index, for parity tests
	bands    []bandIndex
	bandOff  []uint32
	bandEdge []uint32
	polyEdge [][2]uint32 // per polygon: range of its ring records in rings
	rings    [][2]uint32 // first vertex and vertex count of every ring

	// per piece (point number of its first point): boxes
	pboxes [][2]box // indexed by point number
	pnbox  []uint8
	pieces []uint32 // every piece, by first point

	scratch []float64
	cands   []pieceDist
	best    map[uint32]float64
}

type bandIndex struct {
	minLat, h float64
	nb        uint32
	off       uint32 // into bandOff
}

// polyCand is a polygon whose edges reach a cell.
type polyCand struct {
	poly  uint32
	edges []uint32
}

// cellState is what reaches a cell: the candidates its children are
// chosen from.
type cellState struct {
	polys   []polyCand // polygons with edges reaching the cell
	inside  []uint32   // polygons covering the cell
	partial []uint32   // polygons inside whose bounding box the cell only partly lies, no edges
	pieces  []uint32   // pieces reaching into the cell
	covers  []uint32   // pieces whose buffer covers the cell, one per zone
}

func build(ix *Index) {
	b := &builder{ix: ix, best: map[uint32]float64{}}
	b.collect()
	root := cellState{}
	for p := range ix.polys {
		var es []uint32
		for _, r := range b.rings[b.polyEdge[p][0]:b.polyEdge[p][1]] {
			for e := r[0]; e+1 < r[0]+r[1]; e++ {
				es = append(es, e)
			}
		}
		root.polys = append(root.polys, polyCand{uint32(p), es})
	}
	root.pieces = b.pieces
	ix.pitems = ix.pitems[:0]
	rootWord := b.cell(0, 0, 0, &root)
	ix.leaves = append(ix.leaves, leaf{uint32(len(ix.cover)), uint32(len(ix.pitems)), uint32(len(ix.pitems)), uint32(len(ix.qitems)), uint32(len(ix.qitems))})
	ix.pitems = append(ix.pitems, polyItem{edge0: uint32(len(ix.edges)), tog0: uint32(len(ix.togs))})
	b.directory(rootWord)
}

// collect fills the polygon and piece tables.
func (b *builder) collect() {
	ix := b.ix
	var off uint32
	for zi, z := range ix.zones {
		switch z.Geometry {
		case zone.Area:
			for _, rings := range z.Polygons {
				pi := uint32(len(ix.polys))
				bb := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
				for _, p := range rings[0] {
					bb.minLon = math.Min(bb.minLon, p.Lon)
					bb.maxLon = math.Max(bb.maxLon, p.Lon)
					bb.minLat = math.Min(bb.minLat, p.Lat)
					bb.maxLat = math.Max(bb.maxLat, p.Lat)
				}
				ix.polys = append(ix.polys, polyInfo{zone: uint32(zi), bb: bb})
				first := uint32(len(b.rings))
				for _, r := range rings {
					b.rings = append(b.rings, [2]uint32{off, uint32(len(r))})
					if z.BufferM > 0 {
						for i := 0; i+1 < len(r); i++ {
							densify(r[i], r[i+1], func(p, q geowarden.Point) { b.addPiece(zi, p, q) })
						}
					}
					off += uint32(len(r))
				}
				b.polyEdge = append(b.polyEdge, [2]uint32{first, uint32(len(b.rings))})
				b.bandPolygon(pi)
			}
		case zone.Corridor:
			for _, l := range z.Lines {
				for i := 0; i+1 < len(l); i++ {
					densify(l[i], unwrap(l[i], l[i+1]), func(p, q geowarden.Point) { b.addPiece(zi, p, q) })
				}
				off += uint32(len(l))
			}
		case zone.Circle:
			for _, c := range z.Points {
				b.endRun()
				b.addPoint(zi, c)
				k := uint32(len(ix.pts) - 1)
				b.pieces = append(b.pieces, k)
				bs, nb := pieceBoxes(c, c, ix.bufM[zi])
				b.pboxes[k], b.pnbox[k] = bs, uint8(nb)
			}
			off += uint32(len(z.Points))
		}
		b.endRun()
	}
	b.endRun()
}

// addPiece adds the piece p→q of zone zi, continuing the current run when
// it starts where the run ends.
func (b *builder) addPiece(zi int, p, q geowarden.Point) {
	ix := b.ix
	n := len(ix.pts)
	if n == 0 || ix.pinfo[n-1]&1 != 0 || ix.pts[n-1].ll != p || int(ix.pinfo[n-1]>>1) != zi {
		b.endRun()
		b.addPoint(zi, p)
		n++
	}
	k := uint32(n - 1)
	b.addPoint(zi, q)
	ix.pts[k].n = newArc(ix.pts[k].v, ix.pts[k+1].v).n
	b.pieces = append(b.pieces, k)
	bs, nb := pieceBoxes(p, q, ix.bufM[zi])
	b.pboxes[k], b.pnbox[k] = bs, uint8(nb)
}

func (b *builder) addPoint(zi int, p geowarden.Point) {
	ix := b.ix
	ix.pts = append(ix.pts, piecePt{ll: p, v: toVec(p)})
	ix.pinfo = append(ix.pinfo, uint32(zi)<<1)
	b.pboxes = append(b.pboxes, [2]box{})
	b.pnbox = append(b.pnbox, 0)
}

// endRun marks the last point as the end of its run.
func (b *builder) endRun() {
	ix := b.ix
	if n := len(ix.pinfo); n > 0 {
		ix.pinfo[n-1] |= 1
	}
}

// bandPolygon builds the band index of polygon pi's edges.
func (b *builder) bandPolygon(pi uint32) {
	bb := b.ix.polys[pi].bb
	ne := 0
	rs := b.rings[b.polyEdge[pi][0]:b.polyEdge[pi][1]]
	for _, r := range rs {
		ne += int(r[1]) - 1
	}
	nb := max(1, min(ne/4, 4096))
	h := bb.maxLat - bb.minLat
	if !(h > 0) {
		nb, h = 1, 1
	}
	bi := bandIndex{minLat: bb.minLat, h: h / float64(nb), nb: uint32(nb), off: uint32(len(b.bandOff))}
	counts := make([]uint32, nb+1)
	verts := b.ix.verts
	for _, r := range rs {
		for e := r[0]; e+1 < r[0]+r[1]; e++ {
			lo, hi := bi.band(math.Min(verts[e].Lat, verts[e+1].Lat)), bi.band(math.Max(verts[e].Lat, verts[e+1].Lat))
			for k := lo; k <= hi; k++ {
				counts[k+1]++
			}
		}
	}
	base := uint32(len(b.bandEdge))
	for k := 0; k < nb; k++ {
		counts[k+1] += counts[k]
	}
	for k := 0; k <= nb; k++ {
		b.bandOff = append(b.bandOff, base+counts[k])
	}
	b.bandEdge = append(b.bandEdge, make([]uint32, counts[nb])...)
	fill := slices.Clone(counts[:nb])
	for _, r := range rs {
		for e := r[0]; e+1 < r[0]+r[1]; e++ {
			lo, hi := bi.band(math.Min(verts[e].Lat, verts[e+1].Lat)), bi.band(math.Max(verts[e].Lat, verts[e+1].Lat))
			for k := lo; k <= hi; k++ {
				b.bandEdge[base+fill[k]] = e
				fill[k]++
			}
		}
	}
	b.bands = append(b.bands, bi)
}

func (bi *bandIndex) band(lat float64) int {
	k := int((lat - bi.minLat) / bi.h)
	return max(0, min(k, int(bi.nb)-1))
}

// crossRight is zone's half-open crossing rule: the edge a→b crosses the
// ray from q towards +longitude.
func crossRight(a, b, q geowarden.Point) bool {
	if (a.Lat > q.Lat) != (b.Lat > q.Lat) {
		x := a.Lon + (q.Lat-a.Lat)*(b.Lon-a.Lon)/(b.Lat-a.Lat)
		return q.Lon < x
	}
	return false
}

// parity returns the parity of the crossings of all of polygon pi's edges
// with the ray from q towards +longitude.
func (b *builder) parity(pi uint32, q geowarden.Point) bool {
	bi := &b.bands[pi]
	k := uint32(bi.band(q.Lat))
	verts := b.ix.verts
	in := false
	for _, e := range b.bandEdge[b.bandOff[bi.off+k]:b.bandOff[bi.off+k+1]] {
		if crossRight(verts[e], verts[e+1], q) {
			in = !in
		}
	}
	return in
}

// parityOf is parity over the given edges only.
func (b *builder) parityOf(edges []uint32, q geowarden.Point) bool {
	verts := b.ix.verts
	in := false
	for _, e := range edges {
		if crossRight(verts[e], verts[e+1], q) {
			in = !in
		}
	}
	return in
}

// cellBox returns the rectangle of cell (x, y) of the given level.
func cellBox(level, x, y uint32) box {
	w := 360 / float64(uint64(1)<<level)
	h := 180 / float64(uint64(1)<<level)
	return box{-180 + float64(x)*w, -90 + float64(y)*h, -180 + float64(x+1)*w, -90 + float64(y+1)*h}
}

func (r box) grown(m float64) box { return box{r.minLon - m, r.minLat - m, r.maxLon + m, r.maxLat + m} }

// edgeTouches reports whether the segment a-b may meet the rectangle r: it
// errs towards yes.
func edgeTouches(a, b geowarden.Point, r box) bool {
	if math.Max(a.Lon, b.Lon) < r.minLon || math.Min(a.Lon, b.Lon) > r.maxLon ||
		math.Max(a.Lat, b.Lat) < r.minLat || math.Min(a.Lat, b.Lat) > r.maxLat {
		return false
	}
	dx, dy := b.Lon-a.Lon, b.Lat-a.Lat
	tol := 1e-12 * (math.Abs(dx) + math.Abs(dy))
	side := func(x, y float64) int {
		s := dx*(y-a.Lat) - dy*(x-a.Lon)
		switch {
		case s > tol:
			return 1
		case s < -tol:
			return -1
		}
		return 0
	}
	s1 := side(r.minLon, r.minLat)
	if s1 == 0 {
		return true
	}
	return side(r.maxLon, r.minLat) != s1 || side(r.minLon, r.maxLat) != s1 || side(r.maxLon, r.maxLat) != s1
}

// capRadius returns an upper bound, in radians, of the distance from the
// centre of r to any point of r.
func capRadius(r box) float64 {
	dlat := (r.maxLat - r.minLat) / 2 * degToRad
	dlon := math.Min(math.Pi, (r.maxLon-r.minLon)/2*degToRad)
	minAbs := 0.0
	if r.minLat > 0 {
		minAbs = r.minLat
	} else if r.maxLat < 0 {
		minAbs = -r.maxLat
	}
	c := math.Cos(math.Min(minAbs, 90) * degToRad)
	hav := func(x float64) float64 { s := math.Sin(x / 2); return s * s }
	h := hav(dlat) + c*c*hav(dlon)
	return 2*math.Asin(math.Min(1, math.Sqrt(h)))*(1+1e-12) + 1e-15
}

// pieceArc returns piece k's arc, as zone's newArc makes it.
func (ix *Index) pieceArc(k uint32) arc {
	a := &ix.pts[k]
	if a.n == (vec3{}) {
		return arc{a: a.v, b: a.v}
	}
	return arc{a: a.v, b: ix.pts[k+1].v, n: a.n}
}

const (
	pieceOut = iota
	pieceBoundary
	pieceCovers
)

// classifyPiece says how piece k meets the rectangle g (a grown cell) with
// the given centre and cap radius.
func (b *builder) classifyPiece(k uint32, g box, cv vec3, rho float64) (int, float64, bool) {
	bs, nb := b.pboxes[k], b.pnbox[k]
	meets, within := false, false
	for _, bx := range bs[:nb] {
		if bx.intersects(g) {
			meets = true
			if g.inside(bx) {
				within = true
			}
		}
	}
	if !meets {
		return pieceOut, 0, false
	}
	s := b.ix.pieceArc(k)
	d := s.dist(cv)
	rad := b.ix.rad[b.ix.pinfo[k]>>1]
	switch {
	case d-rho > rad+distTol:
		return pieceOut, d, within
	case within && d+rho < rad-distTol:
		return pieceCovers, d, within
	}
	return pieceBoundary, d, within
}

// cell builds the subtree of cell (x, y) at the given level from what
// reaches it, and returns its node word.
func (b *builder) cell(level, x, y uint32, st *cellState) uint32 {
	if len(st.polys) == 0 && len(st.inside) == 0 && len(st.partial) == 0 && len(st.pieces) == 0 && len(st.covers) == 0 {
		return emptyNode
	}
	ix := b.ix
	r := cellBox(level, x, y)
	cover := b.coverZones(st)
	cost := 0
	for _, pc := range st.polys {
		if !hasU(cover, ix.polys[pc.poly].zone) {
			cost += len(pc.edges) + 1
		}
	}
	for _, p := range st.partial {
		if !hasU(cover, ix.polys[p].zone) {
			cost++
		}
	}
	pieceOnly := cost <= leafCost
	minRad := math.Inf(1)
	for _, k := range st.pieces {
		if z := ix.pinfo[k] >> 1; !hasU(cover, z) {
			cost++
			minRad = math.Min(minRad, ix.rad[z])
		}
	}
	if cost <= leafCost || level >= maxLevel || pieceOnly && capRadius(r) < minRad*minRadFrac {
		return b.leaf(r, cover, st)
	}
	// Split: reserve the four children's words, then build each.
	base := uint32(len(ix.nodes))
	ix.nodes = append(ix.nodes, emptyNode, emptyNode, emptyNode, emptyNode)
	for c := uint32(0); c < 4; c++ {
		cx, cy := 2*x+c&1, 2*y+c>>1
		child := b.childState(cellBox(level+1, cx, cy), st)
		w := b.cell(level+1, cx, cy, &child)
		ix.nodes[base+c] = w
	}
	return base
}

func hasU(s []uint32, z uint32) bool {
	for _, x := range s {
		if x == z {
			return true
		}
	}
	return false
}

// coverZones returns the sorted zones that cover the cell.
func (b *builder) coverZones(st *cellState) []uint32 {
	var zs []uint32
	for _, p := range st.inside {
		zs = append(zs, b.ix.polys[p].zone)
	}
	for _, k := range st.covers {
		zs = append(zs, b.ix.pinfo[k]>>1)
	}
	slices.Sort(zs)
	return slices.Compact(zs)
}

// childState filters the parent's candidates for the cell r.
func (b *builder) childState(r box, st *cellState) cellState {
	ix := b.ix
	g := r.grown(margin)
	centre := geowarden.Point{Lon: (r.minLon + r.maxLon) / 2, Lat: (r.minLat + r.maxLat) / 2}
	var out cellState
	out.inside = st.inside
	out.covers = st.covers
	inBox := func(p uint32) {
		bb := ix.polys[p].bb
		switch {
		case g.inside(bb):
			out.inside = append(slices.Clip(out.inside), p)
		case g.intersects(bb):
			out.partial = append(out.partial, p)
		}
	}
	for _, pc := range st.polys {
		var es []uint32
		for _, e := range pc.edges {
			if edgeTouches(ix.verts[e], ix.verts[e+1], g) {
				es = append(es, e)
			}
		}
		if len(es) > 0 {
			out.polys = append(out.polys, polyCand{pc.poly, es})
			continue
		}
		if b.parity(pc.poly, centre) {
			inBox(pc.poly)
		}
	}
	for _, p := range st.partial {
		inBox(p)
	}
	if len(st.pieces) > 0 {
		cv := toVec(centre)
		rho := capRadius(g)
		// Classify, and note per zone the nearest bound of a piece whose
		// box holds the cell: a piece that is farther from every point of
		// the cell than that one is from some point is never needed.
		cands := b.cands[:0]
		best := b.best
		for _, k := range st.pieces {
			z := ix.pinfo[k] >> 1
			switch c, d, within := b.classifyPiece(k, g, cv, rho); c {
			case pieceBoundary:
				cands = append(cands, pieceDist{k, d, z})
				if within {
					if v, ok := best[z]; !ok || d < v {
						best[z] = d
					}
				}
			case pieceCovers:
				if !b.zoneIn(out.covers, z) {
					out.covers = append(slices.Clip(out.covers), k)
				}
			}
		}
		covered := b.coverZones(&out)
		for _, c := range cands {
			if v, ok := best[c.zone]; ok && c.d-rho > v+rho+distTol || hasU(covered, c.zone) {
				continue
			}
			out.pieces = append(out.pieces, c.k)
		}
		clear(best)
		b.cands = cands
	}
	return out
}

// pieceDist is a piece and its distance from a cell's centre.
type pieceDist struct {
	k    uint32
	d    float64
	zone uint32
}

func (b *builder) zoneIn(pieces []uint32, z uint32) bool {
	for _, k := range pieces {
		if b.ix.pinfo[k]>>1 == z {
			return true
		}
	}
	return false
}

// leaf writes a leaf for cell r and returns its node word.
func (b *builder) leaf(r box, cover []uint32, st *cellState) uint32 {
	ix := b.ix
	g := r.grown(margin)
	li := uint32(len(ix.leaves))
	lf := leaf{cover: uint32(len(ix.cover)), poly: uint32(len(ix.pitems)), piece: uint32(len(ix.qitems))}
	for _, z := range cover {
		ix.cover = append(ix.cover, int32(z))
	}
	// Polygon items: those of zones that do not cover the leaf first.
	for pass := 0; pass < 2; pass++ {
		covered := pass == 1
		if covered {
			lf.polySplit = uint32(len(ix.pitems))
		}
		var items []uint32
		for _, pc := range st.polys {
			if hasU(cover, ix.polys[pc.poly].zone) == covered {
				items = append(items, pc.poly)
			}
		}
		for _, p := range st.partial {
			if hasU(cover, ix.polys[p].zone) == covered {
				items = append(items, p)
			}
		}
		if covered {
			items = append(items, st.inside...)
		}
		slices.Sort(items)
		items = slices.Compact(items)
		for _, p := range items {
			b.polyItem(p, r, g, st)
		}
	}
	for pass := 0; pass < 2; pass++ {
		covered := pass == 1
		if covered {
			lf.pieceSplit = uint32(len(ix.qitems))
		}
		var items []uint32
		if covered {
			items = append(items, st.covers...)
		} else {
			for _, k := range st.pieces {
				if !hasU(cover, ix.pinfo[k]>>1) {
					items = append(items, k)
				}
			}
		}
		slices.Sort(items)
		items = slices.Compact(items)
		for _, k := range items {
			q := k
			if !b.insidePieceBox(k, g) {
				q |= needBox
			}
			ix.qitems = append(ix.qitems, q)
		}
	}
	ix.leaves = append(ix.leaves, lf)
	return leafBit | li
}

func (b *builder) insidePieceBox(k uint32, g box) bool {
	bs, nb := b.pboxes[k], b.pnbox[k]
	for _, bx := range bs[:nb] {
		if g.inside(bx) {
			return true
		}
	}
	return false
}

// polyItem writes polygon p's item for the leaf r (grown: g).
func (b *builder) polyItem(p uint32, r, g box, st *cellState) {
	ix := b.ix
	var es []uint32
	for _, pc := range st.polys {
		if pc.poly == p {
			es = pc.edges
			break
		}
	}
	it := polyItem{poly: p, edge0: uint32(len(ix.edges)), tog0: uint32(len(ix.togs))}
	if !g.inside(ix.polys[p].bb) {
		it.flags |= flagBBox
	}
	ix.edges = append(ix.edges, es...)
	// The parity of the edges not in the leaf, along the ray from a point
	// of the leaf, depends only on the latitude: compute it at the bottom
	// of the leaf and where it may change, at the ends of the leaf's edges
	// that lie to its right.
	y0, y1 := r.minLat-margin/2, r.maxLat+margin/2
	lon := (r.minLon + r.maxLon) / 2
	outside := func(lat float64) bool {
		q := geowarden.Point{Lon: lon, Lat: lat}
		return b.parity(p, q) != b.parityOf(es, q)
	}
	n0 := outside(y0)
	if n0 {
		it.flags |= flagParity
	}
	lats := b.scratch[:0]
	for _, e := range es {
		for _, v := range [2]geowarden.Point{ix.verts[e], ix.verts[e+1]} {
			if v.Lat > y0 && v.Lat <= y1 && v.Lon > r.maxLon {
				lats = append(lats, v.Lat)
			}
		}
	}
	slices.Sort(lats)
	lats = slices.Compact(lats)
	prev := n0
	for _, lat := range lats {
		if n := outside(lat); n != prev {
			ix.togs = append(ix.togs, lat)
			prev = n
		}
	}
	b.scratch = lats
	ix.pitems = append(ix.pitems, it)
}

// directory flattens the top of the tree into a grid of cells over the
// zones' extent, and keeps only the nodes below it.
func (b *builder) directory(root uint32) {
	ix := b.ix
	ext := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	add := func(bx box) {
		ext.minLon, ext.minLat = math.Min(ext.minLon, bx.minLon), math.Min(ext.minLat, bx.minLat)
		ext.maxLon, ext.maxLat = math.Max(ext.maxLon, bx.maxLon), math.Max(ext.maxLat, bx.maxLat)
	}
	for _, p := range ix.polys {
		add(p.bb)
	}
	for _, k := range b.pieces {
		bs, n := b.pboxes[k], b.pnbox[k]
		for _, bx := range bs[:n] {
			add(bx)
		}
	}
	if root == emptyNode || ext.minLon > ext.maxLon {
		ix.dirLevel, ix.dirW, ix.dirH = 0, 1, 1
		ix.dir = []uint32{emptyNode}
		ix.nodes = nil
		return
	}
	ext = box{math.Max(-180, ext.minLon-margin), math.Max(-90, ext.minLat-margin), math.Min(180, ext.maxLon+margin), math.Min(90, ext.maxLat+margin)}
	x0, y0 := cellCoords(geowarden.Point{Lon: ext.minLon, Lat: ext.minLat})
	x1, y1 := cellCoords(geowarden.Point{Lon: ext.maxLon, Lat: ext.maxLat})
	level := uint32(0)
	for l := uint32(1); l <= maxLevel; l++ {
		s := coordBits - l
		if uint64(x1>>s-x0>>s+1)*uint64(y1>>s-y0>>s+1) > maxDir {
			break
		}
		level = l
	}
	s := coordBits - level
	ix.dirLevel = level
	ix.dirX0, ix.dirY0 = x0>>s, y0>>s
	ix.dirW, ix.dirH = x1>>s-x0>>s+1, y1>>s-y0>>s+1
	ix.dir = make([]uint32, ix.dirW*ix.dirH)
	old := ix.nodes
	var nodes []uint32
	var copyNode func(w uint32) uint32
	// Copy the blocks below the directory breadth first, so that children
	// come after their parents.
	type job struct{ from, to uint32 }
	var queue []job
	copyNode = func(w uint32) uint32 {
		if w == emptyNode || w&leafBit != 0 {
			return w
		}
		to := uint32(len(nodes))
		nodes = append(nodes, old[w:w+4]...)
		queue = append(queue, job{w, to})
		return to
	}
	for dy := uint32(0); dy < ix.dirH; dy++ {
		for dx := uint32(0); dx < ix.dirW; dx++ {
			x, y := (ix.dirX0+dx)<<s, (ix.dirY0+dy)<<s
			w := root
			for l := uint32(1); l <= level && w != emptyNode && w&leafBit == 0; l++ {
				sh := coordBits - l
				w = old[w+(y>>sh&1)<<1|x>>sh&1]
			}
			ix.dir[dy*ix.dirW+dx] = copyNode(w)
		}
	}
	for len(queue) > 0 {
		j := queue[0]
		queue = queue[1:]
		for c := uint32(0); c < 4; c++ {
			nodes[j.to+c] = copyNode(old[j.from+c])
		}
	}
	ix.nodes = nodes
}
