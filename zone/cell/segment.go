package cell

import (
	"math"
	"slices"
	"sync"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

// maxChunk is zone's: the longest part, in metres, of a segment searched in
// one go.
const maxChunk = 2000

// scratch holds the buffers of one segment query.
type scratch struct {
	stack  []visitEnt
	polys  []uint64 // polygons met: number<<32 | item, or noItem for a covering one
	edges  []uint32
	pieces []uint32
	ts     []float64
	iv     [][2]float64
}

type visitEnt struct {
	w, level, x, y uint32
}

const noItem = 0xFFFFFFFF

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Segment appends to dst the parts of the segment a→b that lie inside each
// zone, merged per zone and sorted by zone then start, and returns the
// extended slice: what zone.Index.Segment gives, by zone's own procedure
// (chunks of at most 2 km, edge crossings and midpoint tests for polygons,
// a minimum search and bisection for buffers) run on the polygons and
// pieces the cells along the segment hold. A segment with an end that is
// not a longitude/latitude (NaN included) is inside no zone.
func (ix *Index) Segment(a, b geowarden.Point, dst []zone.Interval) []zone.Interval {
	return ix.segment(a, b, dst, false)
}

func (ix *Index) segment(a, b geowarden.Point, dst []zone.Interval, corridors bool) []zone.Interval {
	if !inWorld(a) || !inWorld(b) {
		return dst
	}
	start := len(dst)
	b = zone.Unwrap(a, b)
	d := zone.Distance(a, b)
	n := max(1, int(math.Ceil(d/maxChunk)))
	sc := scratchPool.Get().(*scratch)
	for i := 0; i < n; i++ {
		t0, t1 := float64(i)/float64(n), float64(i+1)/float64(n)
		dst = ix.chunk(a, b, t0, t1, dst, sc, corridors)
	}
	scratchPool.Put(sc)
	return append(dst[:start], zone.MergeIntervals(dst[start:])...)
}

// corridorLength is CorridorLength.
func (ix *Index) corridorLength(a, b geowarden.Point) float64 {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	var buf [16]zone.Interval
	iv := ix.segment(a, b, buf[:0], true)
	ts := sc.iv[:0]
	for _, x := range iv {
		ts = append(ts, [2]float64{x.T0, x.T1})
	}
	sc.iv = ts
	if len(ts) == 0 {
		return 0
	}
	return unionLength(ts) * zone.Distance(a, zone.Unwrap(a, b))
}

// unionLength returns the total length of the union of intervals.
func unionLength(ts [][2]float64) float64 {
	slices.SortFunc(ts, func(x, y [2]float64) int {
		switch {
		case x[0] < y[0]:
			return -1
		case x[0] > y[0]:
			return 1
		}
		return 0
	})
	total, end := 0.0, math.Inf(-1)
	for _, t := range ts {
		if t[1] <= end {
			continue
		}
		total += t[1] - math.Max(t[0], end)
		end = t[1]
	}
	return total
}

func lerp(a, b geowarden.Point, t float64) geowarden.Point {
	return geowarden.Point{Lon: a.Lon + (b.Lon-a.Lon)*t, Lat: a.Lat + (b.Lat-a.Lat)*t}
}

// chunk finds the inside parts of a→b between parameters t0 and t1, as
// zone's chunk does.
func (ix *Index) chunk(a, b geowarden.Point, t0, t1 float64, dst []zone.Interval, sc *scratch, corridors bool) []zone.Interval {
	p0, p1 := lerp(a, b, t0), lerp(a, b, t1)
	for _, m := range [2]float64{180, -180} {
		if (p0.Lon-m)*(p1.Lon-m) < 0 {
			tm := t0 + (t1-t0)*(m-p0.Lon)/(p1.Lon-p0.Lon)
			dst = ix.chunk(a, b, t0, tm, dst, sc, corridors)
			return ix.chunk(a, b, tm, t1, dst, sc, corridors)
		}
	}
	if mid := (p0.Lon + p1.Lon) / 2; mid > 180 || mid < -180 {
		s := -360.0
		if mid < -180 {
			s = 360
		}
		a.Lon += s
		b.Lon += s
		p0.Lon += s
		p1.Lon += s
	}
	sb := boxOf2(p0, p1)
	sc.polys, sc.pieces = sc.polys[:0], sc.pieces[:0]
	st := ix.stream
	ix.visit(sb.grown(margin/2), sc, func(i uint32) {
		nc, ni, np, ns := st[i], st[i+1], st[i+2], st[i+3]
		i += 4 + nc
		for ; ni > 0; ni-- {
			if !corridors {
				sc.polys = append(sc.polys, uint64(st[i+1]&polyMask)<<32|uint64(i))
			}
			i += itemSize(st, i)
		}
		for _, q := range st[i : i+np] {
			k := q & pieceRef
			if !corridors || ix.geom[ix.pinfo[k]>>1] == uint8(zone.Corridor) {
				sc.pieces = append(sc.pieces, k)
			}
		}
		i += np
		for _, e := range st[i : i+nc] {
			switch {
			case e&pieceEnt != 0:
				if k := e &^ pieceEnt; !corridors || ix.geom[ix.pinfo[k]>>1] == uint8(zone.Corridor) {
					sc.pieces = append(sc.pieces, k)
				}
			case !corridors:
				sc.polys = append(sc.polys, uint64(e)<<32|noItem)
			}
		}
		i += nc
		for ; ns > 0 && !corridors; ns-- {
			sc.polys = append(sc.polys, uint64(st[i+1]&polyMask)<<32|uint64(i))
			i += itemSize(st, i)
		}
	})
	if len(sc.polys) > 0 {
		slices.Sort(sc.polys)
		polys := sc.polys
		for i := 0; i < len(polys); {
			p := uint32(polys[i] >> 32)
			j := i
			es := sc.edges[:0]
			for ; j < len(polys) && uint32(polys[j]>>32) == p; j++ {
				if it := uint32(polys[j]); it != noItem {
					es = append(es, st[it+4:it+4+st[it+2]]...)
				}
			}
			i = j
			if !ix.polys[p].bb.intersects(sb) {
				sc.edges = es
				continue
			}
			slices.Sort(es)
			es = slices.Compact(es)
			sc.edges = es
			dst = ix.polyIntervals(p, es, a, b, t0, t1, dst, sc)
		}
	}
	if len(sc.pieces) > 0 {
		slices.Sort(sc.pieces)
		for _, k := range slices.Compact(sc.pieces) {
			info := ix.pinfo[k]
			z := info >> 1
			e := &ix.pts[k]
			f := e
			if info&1 == 0 {
				f = &ix.pts[k+1]
			}
			bs, n := pieceBoxes(e.ll, f.ll, ix.bufM[z])
			hit := false
			for _, bx := range bs[:n] {
				hit = hit || bx.intersects(sb)
			}
			if hit {
				s := ix.pieceArc(k)
				dst = arcIntervals(&s, ix.rad[z], int32(z), a, b, t0, t1, dst)
			}
		}
	}
	return dst
}

// visit calls fn for every leaf whose cell meets q.
func (ix *Index) visit(q box, sc *scratch, fn func(leaf uint32)) {
	if !(q.minLon <= q.maxLon && q.minLat <= q.maxLat) {
		return
	}
	x0, y0 := cellCoords(geowarden.Point{Lon: q.minLon, Lat: q.minLat})
	x1, y1 := cellCoords(geowarden.Point{Lon: q.maxLon, Lat: q.maxLat})
	s := coordBits - ix.dirLevel
	dx0, dx1 := int64(x0>>s)-int64(ix.dirX0), int64(x1>>s)-int64(ix.dirX0)
	dy0, dy1 := int64(y0>>s)-int64(ix.dirY0), int64(y1>>s)-int64(ix.dirY0)
	dx0, dy0 = max(dx0, 0), max(dy0, 0)
	dx1, dy1 = min(dx1, int64(ix.dirW)-1), min(dy1, int64(ix.dirH)-1)
	stack := sc.stack[:0]
	for dy := dy0; dy <= dy1; dy++ {
		for dx := dx0; dx <= dx1; dx++ {
			w := ix.dir[uint32(dy)*ix.dirW+uint32(dx)]
			stack = append(stack, visitEnt{w, ix.dirLevel, ix.dirX0 + uint32(dx), ix.dirY0 + uint32(dy)})
			for len(stack) > 0 {
				e := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				switch {
				case e.w == emptyNode:
				case e.w&leafBit != 0:
					fn(e.w &^ leafBit)
				case e.level < coordBits:
					l := e.level + 1
					sh := coordBits - l
					for c := uint32(0); c < 4; c++ {
						cx, cy := 2*e.x+c&1, 2*e.y+c>>1
						if cx<<sh > x1 || (cx+1)<<sh-1 < x0 || cy<<sh > y1 || (cy+1)<<sh-1 < y0 {
							continue
						}
						stack = append(stack, visitEnt{ix.nodes[e.w+c], l, cx, cy})
					}
				}
			}
		}
	}
	sc.stack = stack
}

// polyContainsAt is zone's polygon test of polygon p at any point q.
func (ix *Index) polyContainsAt(p uint32, q geowarden.Point) bool {
	bb := &ix.polys[p].bb
	if q.Lat < bb.minLat || q.Lat > bb.maxLat || q.Lon < bb.minLon || q.Lon > bb.maxLon {
		return false
	}
	w := ix.find(cellCoords(q))
	if w == emptyNode {
		return false
	}
	st := ix.stream
	i := w &^ leafBit
	nc, ni, np, ns := st[i], st[i+1], st[i+2], st[i+3]
	i += 4
	covers := st[i : i+nc]
	i += nc
	for ; ni > 0; ni-- {
		if st[i+1]&polyMask == p {
			return ix.itemContains(i, q)
		}
		i += itemSize(st, i)
	}
	i += np
	ents := st[i : i+nc]
	i += nc
	for ; ns > 0; ns-- {
		if st[i+1]&polyMask == p {
			return ix.itemContains(i, q)
		}
		i += itemSize(st, i)
	}
	z := ix.polys[p].zone
	for j, c := range covers {
		if ents[j] == p {
			return true
		}
		if c == z {
			// The zone covers the leaf by another entry: this polygon's
			// item was left out. Test all its edges.
			return ringsContain(ix.zones[z].Polygons[ix.polys[p].part], q)
		}
	}
	return false
}

// polyIntervals is zone's: it cuts the chunk where it crosses an edge of
// polygon p (among edges, the polygon's edges near the chunk) and tests
// each piece's middle.
func (ix *Index) polyIntervals(p uint32, edges []uint32, a, b geowarden.Point, t0, t1 float64, dst []zone.Interval, sc *scratch) []zone.Interval {
	q0, q1 := lerp(a, b, t0), lerp(a, b, t1)
	ts := append(sc.ts[:0], 0, 1)
	sq := boxOf2(q0, q1)
	bb := &ix.polys[p].bb
	if !(sq.maxLat < bb.minLat || sq.minLat > bb.maxLat || sq.maxLon < bb.minLon || sq.minLon > bb.maxLon) {
		for _, e := range edges {
			if t, ok := segIntersect(q0, q1, ix.verts[e], ix.verts[e+1]); ok {
				ts = append(ts, t)
			}
		}
	}
	slices.Sort(ts)
	sc.ts = ts
	z := int32(ix.polys[p].zone)
	at := func(t float64) float64 { return t0 + (t1-t0)*t }
	for i := 0; i+1 < len(ts); i++ {
		if ts[i+1]-ts[i] < 1e-12 {
			continue
		}
		if ix.polyContainsAt(p, lerp(q0, q1, (ts[i]+ts[i+1])/2)) {
			dst = append(dst, zone.Interval{Zone: z, T0: at(ts[i]), T1: at(ts[i+1])})
		}
	}
	for _, t := range ts {
		if ix.polyContainsAt(p, lerp(q0, q1, t)) {
			dst = append(dst, zone.Interval{Zone: z, T0: at(t), T1: at(t)})
		}
	}
	return dst
}

// segIntersect is zone's: the parameter t along a→b where it meets c-d.
func segIntersect(a, b, c, d geowarden.Point) (float64, bool) {
	rx, ry := b.Lon-a.Lon, b.Lat-a.Lat
	sx, sy := d.Lon-c.Lon, d.Lat-c.Lat
	den := rx*sy - ry*sx
	if den == 0 {
		return 0, false
	}
	qx, qy := c.Lon-a.Lon, c.Lat-a.Lat
	t := (qx*sy - qy*sx) / den
	u := (qx*ry - qy*rx) / den
	if t < 0 || t > 1 || u < 0 || u > 1 {
		return 0, false
	}
	return t, true
}

// arcIntervals is zone's: the part of a→b between t0 and t1 within rad of
// the arc.
func arcIntervals(s *arc, rad float64, z int32, a, b geowarden.Point, t0, t1 float64, dst []zone.Interval) []zone.Interval {
	f := func(t float64) float64 { return s.dist(toVec(lerp(a, b, t))) - rad }
	if enter, exit, ok := zone.InsideInterval(f, t0, t1); ok {
		dst = append(dst, zone.Interval{Zone: z, T0: enter, T1: exit})
	}
	return dst
}
