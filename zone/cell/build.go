package cell

import (
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

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
	minRadFrac = 1.0 / 4
	// distTol is the tolerance of the distance bounds, in radians (6 µm).
	distTol = 1e-12
	// chunks is the number of runs of directory cells built apart (in
	// parallel) and joined in order, so that the result does not depend
	// on the number of processors.
	chunks = 256
)

// leafCost and maxDir (the most entries of the directory) are variables so
// that tests can compare trees.
var (
	leafCost = 8
	maxDir   = uint64(1 << 20)
)

// builder holds what building needs beyond the index itself; it is read
// only once the workers start.
type builder struct {
	ix *Index

	// per polygon: its edges' band index, for parity tests
	bands    []bandIndex
	bandOff  []uint32
	bandEdge []uint32
	polyEdge [][2]uint32 // per polygon: range of its ring records in rings
	rings    [][2]uint32 // first vertex and vertex count of every ring

	pboxes [][2]box // per point number: the boxes of the piece from it
	pnbox  []uint8
	pieces []uint32 // every piece, by first point
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
	cands   []pieceDist
}

// pieceDist is a piece reaching a cell: its distance from the cell's
// centre, and whether the cell lies in its box.
type pieceDist struct {
	k      uint32
	d      float64
	zone   uint32
	within bool
}

// output is what a worker writes for a run of directory cells: node words
// and positions are its own, and are moved when the runs are joined.
type output struct {
	dir    []uint32 // words of the run's directory cells
	nodes  []uint32
	stream []uint32
}

// worker builds subtrees into its output.
type worker struct {
	b       *builder
	o       *output
	scratch []float64
	togs    []float64
	cands   []pieceDist
	best    map[uint32]float64
	arena   []uint32   // edge lists of the cells on the current path
	pcArena []polyCand // polygon candidates of the cells on the current path
}

func build(ix *Index) {
	b := &builder{ix: ix}
	b.collect()
	if !b.plan() {
		ix.dirLevel, ix.dirW, ix.dirH = 0, 1, 1
		ix.dir = []uint32{emptyNode}
		return
	}
	bk := b.bucket()
	n := int(ix.dirW * ix.dirH)
	outs := make([]*output, min(chunks, n))
	per := (n + len(outs) - 1) / len(outs)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(outs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{b: b, best: map[uint32]float64{}}
			for {
				c := int(next.Add(1) - 1)
				if c >= len(outs) {
					return
				}
				w.o = &output{}
				for i := c * per; i < min((c+1)*per, n); i++ {
					x, y := ix.dirX0+uint32(i)%ix.dirW, ix.dirY0+uint32(i)/ix.dirW
					st := w.dirState(bk, i, cellBox(ix.dirLevel, x, y))
					w.o.dir = append(w.o.dir, w.cell(ix.dirLevel, x, y, &st))
					w.arena, w.pcArena = w.arena[:0], w.pcArena[:0]
				}
				outs[c] = w.o
			}
		}()
	}
	wg.Wait()
	b.join(outs)
}

// join concatenates the workers' outputs in order, moving their node
// words.
func (b *builder) join(outs []*output) {
	ix := b.ix
	var nn, ns int
	for _, o := range outs {
		nn += len(o.nodes)
		ns += len(o.stream)
	}
	ix.dir = make([]uint32, 0, ix.dirW*ix.dirH)
	ix.nodes = make([]uint32, 0, nn)
	ix.stream = make([]uint32, 0, ns)
	for c, o := range outs {
		outs[c] = nil // free each output once copied
		nodeBase, streamBase := uint32(len(ix.nodes)), uint32(len(ix.stream))
		move := func(w uint32) uint32 {
			switch {
			case w == emptyNode:
				return w
			case w&leafBit != 0:
				return w + streamBase
			}
			return w + nodeBase
		}
		for _, w := range o.dir {
			ix.dir = append(ix.dir, move(w))
		}
		for _, w := range o.nodes {
			ix.nodes = append(ix.nodes, move(w))
		}
		ix.stream = append(ix.stream, o.stream...)
	}
}

// plan chooses the directory: the deepest level whose cells over the
// zones' extent number at most maxDir. It reports false when there is
// nothing to index.
func (b *builder) plan() bool {
	ix := b.ix
	ext := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	add := func(bx box) {
		if !(bx.minLon <= bx.maxLon && bx.minLat <= bx.maxLat) {
			return // NaN: an invalid zone, indexed nowhere
		}
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
	if !(ext.minLon <= ext.maxLon && ext.minLat <= ext.maxLat) {
		return false
	}
	ext = box{math.Max(-180, ext.minLon-margin), math.Max(-90, ext.minLat-margin), math.Min(180, ext.maxLon+margin), math.Min(90, ext.maxLat+margin)}
	x0, y0 := cellCoords(geowarden.Point{Lon: ext.minLon, Lat: ext.minLat})
	x1, y1 := cellCoords(geowarden.Point{Lon: ext.maxLon, Lat: ext.maxLat})
	// Small sets get a small directory: about four cells per edge or piece.
	limit := uint64(len(b.pieces))
	for _, r := range b.rings {
		limit += uint64(r[1])
	}
	limit = max(16, min(maxDir, 4*limit))
	level := uint32(0)
	for l := uint32(1); l <= maxLevel; l++ {
		s := coordBits - l
		if uint64(x1>>s-x0>>s+1)*uint64(y1>>s-y0>>s+1) > limit {
			break
		}
		level = l
	}
	s := coordBits - level
	ix.dirLevel = level
	ix.dirX0, ix.dirY0 = x0>>s, y0>>s
	ix.dirW, ix.dirH = x1>>s-x0>>s+1, y1>>s-y0>>s+1
	return true
}

// dirRange returns the directory cells that a box meets.
func (ix *Index) dirRange(bx box) (x0, y0, x1, y1 int, ok bool) {
	if !(bx.minLon <= bx.maxLon && bx.minLat <= bx.maxLat) || bx.maxLon < -180 || bx.minLon > 180 || bx.maxLat < -90 || bx.minLat > 90 {
		return 0, 0, 0, 0, false
	}
	s := coordBits - ix.dirLevel
	a, c := cellCoords(geowarden.Point{Lon: bx.minLon, Lat: bx.minLat})
	d, e := cellCoords(geowarden.Point{Lon: bx.maxLon, Lat: bx.maxLat})
	x0, y0 = int(a>>s)-int(ix.dirX0), int(c>>s)-int(ix.dirY0)
	x1, y1 = int(d>>s)-int(ix.dirX0), int(e>>s)-int(ix.dirY0)
	x0, y0 = max(x0, 0), max(y0, 0)
	x1, y1 = min(x1, int(ix.dirW)-1), min(y1, int(ix.dirH)-1)
	return x0, y0, x1, y1, x0 <= x1 && y0 <= y1
}

// buckets holds what reaches each directory cell, as runs in flat arrays:
// cell i's entries are [start[i], start[i+1]).
type buckets struct {
	edgeStart  []uint32
	edges      []polyEdge // by cell, then polygon, then edge
	polyStart  []uint32
	polys      []uint32 // polygons without edges in the cell: number | partialBit
	pieceStart []uint32
	pieces     []pieceDist // pieces reaching the cell, or covering it (d < 0)
}

type polyEdge struct{ poly, edge uint32 }

// partialBit marks, in buckets.polys, a polygon the cell lies partly
// outside the box of; the others cover it.
const partialBit = 1 << 31

// groupByCell sorts entries by cell, keeping their order within a cell
// (a counting sort), and returns the runs' starts.
func groupByCell[T any](n int, cells []uint32, ents []T) ([]uint32, []T) {
	start := make([]uint32, n+1)
	for _, c := range cells {
		start[c+1]++
	}
	for i := 0; i < n; i++ {
		start[i+1] += start[i]
	}
	out := make([]T, len(ents))
	fill := slices.Clone(start[:n])
	for i, c := range cells {
		out[fill[c]] = ents[i]
		fill[c]++
	}
	return start, out
}

// bucket finds what reaches every directory cell.
func (b *builder) bucket() *buckets {
	ix := b.ix
	n := int(ix.dirW * ix.dirH)
	cellAt := func(dx, dy int) (uint32, box) {
		return uint32(dy*int(ix.dirW) + dx), cellBox(ix.dirLevel, ix.dirX0+uint32(dx), ix.dirY0+uint32(dy))
	}
	var (
		edgeCells, polyCells []uint32
		edges                []polyEdge
		polys                []uint32
		touched              []uint32 // cells with edges of the current polygon
	)
	verts := ix.verts
	for p := range ix.polys {
		touched = touched[:0]
		for _, r := range b.rings[b.polyEdge[p][0]:b.polyEdge[p][1]] {
			for e := r[0]; e+1 < r[0]+r[1]; e++ {
				x0, y0, x1, y1, ok := ix.dirRange(boxOf2(verts[e], verts[e+1]).grown(margin))
				if !ok {
					continue
				}
				for dy := y0; dy <= y1; dy++ {
					for dx := x0; dx <= x1; dx++ {
						i, c := cellAt(dx, dy)
						if edgeTouches(verts[e], verts[e+1], c.grown(margin)) {
							edgeCells = append(edgeCells, i)
							edges = append(edges, polyEdge{uint32(p), e})
							touched = append(touched, i)
						}
					}
				}
			}
		}
		slices.Sort(touched)
		touched = slices.Compact(touched)
		// The cells of its box that no edge reaches are inside or outside.
		bb := ix.polys[p].bb
		x0, y0, x1, y1, ok := ix.dirRange(bb.grown(margin))
		if !ok {
			continue
		}
		for dy := y0; dy <= y1; dy++ {
			for dx := x0; dx <= x1; dx++ {
				i, c := cellAt(dx, dy)
				if _, found := slices.BinarySearch(touched, i); found {
					continue
				}
				centre := geowarden.Point{Lon: (c.minLon + c.maxLon) / 2, Lat: (c.minLat + c.maxLat) / 2}
				if !b.parity(uint32(p), centre) {
					continue
				}
				switch g := c.grown(margin); {
				case g.inside(bb):
					polyCells = append(polyCells, i)
					polys = append(polys, uint32(p))
				case g.intersects(bb):
					polyCells = append(polyCells, i)
					polys = append(polys, uint32(p)|partialBit)
				}
			}
		}
	}
	bk := &buckets{}
	bk.edgeStart, bk.edges = groupByCell(n, edgeCells, edges)
	edgeCells, edges = nil, nil
	bk.polyStart, bk.polys = groupByCell(n, polyCells, polys)
	// Pieces.
	var pieceCells []uint32
	var pieces []pieceDist
	var cells []uint32
	for _, k := range b.pieces {
		z := ix.pinfo[k] >> 1
		bs, nb := b.pboxes[k], b.pnbox[k]
		cells = cells[:0]
		for _, bx := range bs[:nb] {
			x0, y0, x1, y1, ok := ix.dirRange(bx)
			if !ok {
				continue
			}
			for dy := y0; dy <= y1; dy++ {
				for dx := x0; dx <= x1; dx++ {
					i, _ := cellAt(dx, dy)
					cells = append(cells, i)
				}
			}
		}
		slices.Sort(cells)
		for _, i := range slices.Compact(cells) {
			c := cellBox(ix.dirLevel, ix.dirX0+i%ix.dirW, ix.dirY0+i/ix.dirW)
			g := c.grown(margin)
			cv := toVec(geowarden.Point{Lon: (c.minLon + c.maxLon) / 2, Lat: (c.minLat + c.maxLat) / 2})
			switch cl, d, within := b.classifyPiece(k, g, cv, capRadius(g)); cl {
			case pieceBoundary:
				pieceCells = append(pieceCells, i)
				pieces = append(pieces, pieceDist{k, d, z, within})
			case pieceCovers:
				pieceCells = append(pieceCells, i)
				pieces = append(pieces, pieceDist{k, -1, z, true})
			}
		}
	}
	bk.pieceStart, bk.pieces = groupByCell(n, pieceCells, pieces)
	return bk
}

// dirState returns what reaches directory cell i (rectangle r).
func (w *worker) dirState(bk *buckets, i int, r box) cellState {
	b := w.b
	var st cellState
	es := bk.edges[bk.edgeStart[i]:bk.edgeStart[i+1]]
	pc0 := len(w.pcArena)
	for j := 0; j < len(es); {
		p := es[j].poly
		e0 := len(w.arena)
		for ; j < len(es) && es[j].poly == p; j++ {
			w.arena = append(w.arena, es[j].edge)
		}
		w.pcArena = append(w.pcArena, polyCand{p, w.arena[e0:len(w.arena):len(w.arena)]})
	}
	st.polys = w.pcArena[pc0:len(w.pcArena):len(w.pcArena)]
	for _, p := range bk.polys[bk.polyStart[i]:bk.polyStart[i+1]] {
		if p&partialBit != 0 {
			st.partial = append(st.partial, p&^partialBit)
		} else {
			st.inside = append(st.inside, p)
		}
	}
	ps := bk.pieces[bk.pieceStart[i]:bk.pieceStart[i+1]]
	if len(ps) == 0 {
		return st
	}
	cands := w.cands[:0]
	for _, c := range ps {
		if c.d < 0 {
			if !b.zoneIn(st.covers, c.zone) {
				st.covers = append(st.covers, c.k)
			}
		} else {
			cands = append(cands, c)
		}
	}
	a0 := len(w.arena)
	w.arena = prune(cands, b.coverZones(&st), capRadius(r.grown(margin)), w.best, w.arena)
	st.pieces = w.arena[a0:len(w.arena):len(w.arena)]
	w.cands = cands
	return st
}

// prune appends to dst the pieces among cands that some point of the cell
// may need: not of a zone that covers the cell, and not farther from every
// point of it than another piece of its zone (whose box holds the cell) is
// from some point.
func prune(cands []pieceDist, covered []uint32, rho float64, best map[uint32]float64, dst []uint32) []uint32 {
	for _, c := range cands {
		if c.within {
			if v, ok := best[c.zone]; !ok || c.d < v {
				best[c.zone] = c.d
			}
		}
	}
	for _, c := range cands {
		if v, ok := best[c.zone]; ok && c.d-rho > v+rho+distTol || hasU(covered, c.zone) {
			continue
		}
		dst = append(dst, c.k)
	}
	clear(best)
	return dst
}

// collect fills the polygon and piece tables.
func (b *builder) collect() {
	ix := b.ix
	var off uint32
	for zi, z := range ix.zones {
		switch z.Geometry {
		case zone.Area:
			for pj, rings := range z.Polygons {
				pi := uint32(len(ix.polys))
				bb := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
				for _, p := range rings[0] {
					bb.minLon = math.Min(bb.minLon, p.Lon)
					bb.maxLon = math.Max(bb.maxLon, p.Lon)
					bb.minLat = math.Min(bb.minLat, p.Lat)
					bb.maxLat = math.Max(bb.maxLat, p.Lat)
				}
				ix.polys = append(ix.polys, polyInfo{zone: uint32(zi), part: uint32(pj), bb: bb})
				first := uint32(len(b.rings))
				for _, r := range rings {
					b.rings = append(b.rings, [2]uint32{off, uint32(len(r))})
					if z.BufferM > 0 {
						for i := 0; i+1 < len(r); i++ {
							zone.Densify(r[i], r[i+1], func(p, q geowarden.Point) { b.addPiece(zi, p, q) })
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
					zone.Densify(l[i], zone.Unwrap(l[i], l[i+1]), func(p, q geowarden.Point) { b.addPiece(zi, p, q) })
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
	x0, x1, y0, y1 := a.Lon, b.Lon, a.Lat, b.Lat
	if x0 > x1 {
		x0, x1 = x1, x0
	}
	if y0 > y1 {
		y0, y1 = y1, y0
	}
	if x1 < r.minLon || x0 > r.maxLon || y1 < r.minLat || y0 > r.maxLat {
		return false
	}
	if x0 >= r.minLon && x1 <= r.maxLon || y0 >= r.minLat && y1 <= r.maxLat {
		// Within the rectangle's span on one axis and overlapping on the
		// other: it crosses the rectangle.
		return true
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
func (w *worker) cell(level, x, y uint32, st *cellState) uint32 {
	if len(st.polys) == 0 && len(st.inside) == 0 && len(st.partial) == 0 && len(st.pieces) == 0 && len(st.covers) == 0 {
		return emptyNode
	}
	ix := w.b.ix
	r := cellBox(level, x, y)
	cover := w.b.coverZones(st)
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
	if cost <= leafCost || level >= maxLevel || pieceOnly && (capRadius(r) < minRad*minRadFrac || sliver(r)) {
		return w.leaf(r, cover, st)
	}
	// Split: reserve the four children's words, then build each.
	o := w.o
	base := uint32(len(o.nodes))
	o.nodes = append(o.nodes, emptyNode, emptyNode, emptyNode, emptyNode)
	for c := uint32(0); c < 4; c++ {
		cx, cy := 2*x+c&1, 2*y+c>>1
		mark, pcMark := len(w.arena), len(w.pcArena)
		child := w.childState(cellBox(level+1, cx, cy), st)
		word := w.cell(level+1, cx, cy, &child)
		o.nodes[base+c] = word
		w.arena, w.pcArena = w.arena[:mark], w.pcArena[:pcMark]
	}
	return base
}

// sliver reports whether a cell is much narrower than it is tall on the
// ground (above about 86° of latitude): splitting it halves its longitudes
// to little use, and near a pole a buffer's edge runs along every
// longitude.
func sliver(r box) bool {
	minAbs := 0.0
	if r.minLat > 0 {
		minAbs = r.minLat
	} else if r.maxLat < 0 {
		minAbs = -r.maxLat
	}
	return (r.maxLon-r.minLon)*math.Cos(minAbs*degToRad) < (r.maxLat-r.minLat)/8
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
	if len(st.inside) == 0 && len(st.covers) == 0 {
		return nil
	}
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

func (b *builder) zoneIn(pieces []uint32, z uint32) bool {
	for _, k := range pieces {
		if b.ix.pinfo[k]>>1 == z {
			return true
		}
	}
	return false
}

// childState filters the parent's candidates for the cell r.
func (w *worker) childState(r box, st *cellState) cellState {
	b := w.b
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
	pc0 := len(w.pcArena)
	for _, pc := range st.polys {
		e0 := len(w.arena)
		for _, e := range pc.edges {
			if edgeTouches(ix.verts[e], ix.verts[e+1], g) {
				w.arena = append(w.arena, e)
			}
		}
		if len(w.arena) > e0 {
			w.pcArena = append(w.pcArena, polyCand{pc.poly, w.arena[e0:len(w.arena):len(w.arena)]})
			continue
		}
		if b.parity(pc.poly, centre) {
			inBox(pc.poly)
		}
	}
	out.polys = w.pcArena[pc0:len(w.pcArena):len(w.pcArena)]
	for _, p := range st.partial {
		inBox(p)
	}
	if len(st.pieces) > 0 {
		cv := toVec(centre)
		rho := capRadius(g)
		cands := w.cands[:0]
		for _, k := range st.pieces {
			z := ix.pinfo[k] >> 1
			switch c, d, within := b.classifyPiece(k, g, cv, rho); c {
			case pieceBoundary:
				cands = append(cands, pieceDist{k, d, z, within})
			case pieceCovers:
				if !b.zoneIn(out.covers, z) {
					out.covers = append(slices.Clip(out.covers), k)
				}
			}
		}
		a0 := len(w.arena)
		w.arena = prune(cands, b.coverZones(&out), rho, w.best, w.arena)
		out.pieces = w.arena[a0:len(w.arena):len(w.arena)]
		w.cands = cands
	}
	return out
}

// leaf writes a leaf for cell r and returns its node word.
func (w *worker) leaf(r box, cover []uint32, st *cellState) uint32 {
	b := w.b
	ix := b.ix
	o := w.o
	g := r.grown(margin)
	at := uint32(len(o.stream))
	o.stream = append(o.stream, uint32(len(cover)), 0, 0, 0)
	for _, z := range cover {
		o.stream = append(o.stream, z)
	}
	// Polygons with edges in the leaf or partly outside their box: those of
	// zones that do not cover the leaf for Contains, the others for
	// Segment.
	polys := func(covered bool) uint32 {
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
		slices.Sort(items)
		items = slices.Compact(items)
		for _, p := range items {
			w.polyItem(p, r, g, st)
		}
		return uint32(len(items))
	}
	o.stream[at+1] = polys(false)
	var items []uint32
	for _, k := range st.pieces {
		if !hasU(cover, ix.pinfo[k]>>1) {
			items = append(items, k)
		}
	}
	slices.Sort(items)
	items = slices.Compact(items)
	for _, k := range items {
		q := k
		if !b.insidePieceBox(k, g) {
			q |= needBox
		}
		o.stream = append(o.stream, q)
	}
	o.stream[at+2] = uint32(len(items))
	// One entry per covering zone: a polygon that covers the leaf, or a
	// piece whose buffer does.
	for _, z := range cover {
		ent := uint32(0)
		found := false
		for _, p := range st.inside {
			if ix.polys[p].zone == z {
				ent, found = p, true
				break
			}
		}
		for _, k := range st.covers {
			if !found && ix.pinfo[k]>>1 == z {
				ent, found = k|pieceEnt, true
			}
		}
		o.stream = append(o.stream, ent)
	}
	o.stream[at+3] = polys(true)
	return leafBit | at
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
func (w *worker) polyItem(p uint32, r, g box, st *cellState) {
	b := w.b
	ix := b.ix
	o := w.o
	var es []uint32
	for _, pc := range st.polys {
		if pc.poly == p {
			es = pc.edges
			break
		}
	}
	pf := p
	if !g.inside(ix.polys[p].bb) {
		pf |= flagBBox
	}
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
		pf |= flagParity
	}
	lats := w.scratch[:0]
	for _, e := range es {
		for _, v := range [2]geowarden.Point{ix.verts[e], ix.verts[e+1]} {
			if v.Lat > y0 && v.Lat <= y1 && v.Lon > r.maxLon {
				lats = append(lats, v.Lat)
			}
		}
	}
	slices.Sort(lats)
	lats = slices.Compact(lats)
	togs := w.togs[:0]
	prev := n0
	for _, lat := range lats {
		if n := outside(lat); n != prev {
			togs = append(togs, lat)
			prev = n
		}
	}
	w.scratch = lats
	w.togs = togs
	o.stream = append(o.stream, ix.polys[p].zone, pf, uint32(len(es)), uint32(len(togs)))
	o.stream = append(o.stream, es...)
	for _, t := range togs {
		bits := math.Float64bits(t)
		o.stream = append(o.stream, uint32(bits), uint32(bits>>32))
	}
}
