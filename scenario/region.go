package scenario

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// halfSide is half the side of the region's square, in metres.
const halfSide = 75_000

type town struct {
	name    string
	pos     vec     // centre, where roads meet
	station vec     // where rail lines pass, off the centre
	radius  float64 // built-up area, metres
	size    int     // 0 village, 1 town, 2 city
}

type railLine struct {
	id, name string
	towns    []int
	line     *polyline
	stations []float64 // arc positions of the stops: towns and halts, ascending
	townAt   []float64 // arc position of each of towns
	vmax     float64   // m/s, the fastest trains on it
}

type road struct {
	a, b int // towns
	line *polyline
}

// siteKind is how a protected site's zone is drawn.
type siteKind int

const (
	siteCircle siteKind = iota
	siteArea
)

type site struct {
	id, name, class string
	kind            siteKind
	pos             vec     // centre
	radius          float64 // circle: buffer_m; area: the polygon's largest radius
	ring            []vec   // area: outer ring, closed, counter-clockwise
	road            int     // the road that passes it, or -1
}

// region is the synthetic map of a scenario.
type region struct {
	preset
	frame
	towns []town
	lines []*railLine
	roads []*road
	adj   [][]int // per town: roads touching it
	dist  [][]float64
	next  [][]int // next[i][j]: the first road from town i towards j
	sites []*site
	rail  *segGrid // rail lines, by line index
	ways  *segGrid // roads, by road index
}

func newRegion(r *rand.Rand) *region {
	p := presets[r.IntN(len(presets))]
	g := &region{preset: p}
	// Shift the centre by up to 30 km so that no two seeds share a frame.
	g.frame = newFrame(p.lat+(r.Float64()-0.5)*0.5, p.lon+(r.Float64()-0.5)*0.7)
	g.placeTowns(r)
	g.layRail(r)
	g.buildRoads(r)
	g.shortestPaths()
	g.placeSites(r)
	return g
}

func (g *region) placeName(r *rand.Rand, used map[string]bool) string {
	for {
		n := joinName(pick(r, g.prefixes) + pick(r, g.stems) + pick(r, g.suffixes))
		if !used[n] {
			used[n] = true
			return n
		}
	}
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func (g *region) placeTowns(r *rand.Rand) {
	n := 16 + r.IntN(9)
	used := map[string]bool{}
	for len(g.towns) < n {
		p := vec{(r.Float64()*2 - 1) * (halfSide - 5000), (r.Float64()*2 - 1) * (halfSide - 5000)}
		ok := true
		for _, t := range g.towns {
			if t.pos.dist(p) < 11_000 {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		t := town{name: g.placeName(r, used), pos: p}
		switch k := len(g.towns); {
		case k < 2+r.IntN(2):
			t.size, t.radius = 2, 3500+r.Float64()*2000
		case k < 10:
			t.size, t.radius = 1, 1500+r.Float64()*1000
		default:
			t.size, t.radius = 0, 600+r.Float64()*500
		}
		t.station = t.pos.add(polar(t.radius*uniform(r, 0.35, 0.8), r.Float64()*2*math.Pi))
		g.towns = append(g.towns, t)
	}
}

// joinName lower-cases a stem that follows a prefix written without a
// space ("Neu" + "Stein" + "feld" is "Neusteinfeld").
func joinName(n string) string {
	for _, p := range []string{"Neu", "Ober", "Nieder", "Hohen", "Mont", "Beau", "Castel", "Monte"} {
		if strings.HasPrefix(n, p) && len(n) > len(p) {
			rest := n[len(p):]
			if rest[0] >= 'A' && rest[0] <= 'Z' {
				return p + strings.ToLower(rest[:1]) + rest[1:]
			}
		}
	}
	return n
}

// layRail draws 4 to 8 rail lines of 40 to 250 km through sequences of
// towns, curving between them.
func (g *region) layRail(r *rand.Rand) {
	want := 4 + r.IntN(5)
	g.rail = newSegGrid(2000)
	starts := r.Perm(len(g.towns))
	for try := 0; len(g.lines) < want && try < 200; try++ {
		start := starts[try%len(starts)]
		target := 40_000 + r.Float64()*210_000
		seq := []int{start}
		dir := r.Float64() * 2 * math.Pi
		length := 0.0
		for length < target {
			cur := g.towns[seq[len(seq)-1]].pos
			best, bestD := -1, math.Inf(1)
			for i, t := range g.towns {
				if slices.Contains(seq, i) {
					continue
				}
				d := t.pos.sub(cur)
				dl := d.norm()
				if dl < 10_000 || dl > 48_000 {
					continue
				}
				if angleDiff(math.Atan2(d.Y, d.X), dir) > 0.85 {
					continue
				}
				// Prefer near towns, then larger ones.
				score := dl - 6000*float64(t.size) + r.Float64()*8000
				if score < bestD {
					best, bestD = i, score
				}
			}
			if best < 0 {
				break
			}
			d := g.towns[best].pos.sub(cur)
			length += d.norm() * 1.08
			dir = blendAngle(dir, math.Atan2(d.Y, d.X), 0.4)
			seq = append(seq, best)
		}
		if len(seq) < 2 || length < 40_000 {
			continue
		}
		if g.duplicatesLine(seq) {
			continue
		}
		var pts []vec
		for i := 1; i < len(seq); i++ {
			a, b := g.towns[seq[i-1]].station, g.towns[seq[i]].station
			w := math.Min(0.07*a.dist(b), 2500)
			pts = joinPaths(pts, curve(r, a, b, 6000, w, 250))
		}
		pl := newPolyline(pts)
		if pl.length() > 245_000 || pl.length() < 42_000 {
			continue
		}
		ln := &railLine{
			id:    fmt.Sprintf("rail-%d", len(g.lines)+1),
			towns: seq,
			line:  pl,
			vmax:  (120 + 80*r.Float64()) / 3.6,
		}
		ln.name = fmt.Sprintf("%s–%s railway", g.towns[seq[0]].name, g.towns[seq[len(seq)-1]].name)
		for _, ti := range seq {
			s, _ := pl.project(g.towns[ti].station)
			ln.townAt = append(ln.townAt, s)
		}
		// Halts between towns, every 5 to 12 km.
		ln.stations = append(ln.stations, ln.townAt...)
		for i := 1; i < len(ln.townAt); i++ {
			for s := ln.townAt[i-1] + 5000 + r.Float64()*7000; s < ln.townAt[i]-4000; s += 5000 + r.Float64()*7000 {
				ln.stations = append(ln.stations, s)
			}
		}
		slices.Sort(ln.stations)
		g.rail.add(len(g.lines), pts)
		g.lines = append(g.lines, ln)
	}
}

// duplicatesLine reports whether seq shares a leg (two consecutive towns)
// with a line already laid.
func (g *region) duplicatesLine(seq []int) bool {
	for _, l := range g.lines {
		for i := 1; i < len(l.towns); i++ {
			for j := 1; j < len(seq); j++ {
				a, b := l.towns[i-1], l.towns[i]
				if (seq[j-1] == a && seq[j] == b) || (seq[j-1] == b && seq[j] == a) {
					return true
				}
			}
		}
	}
	return false
}

func angleDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), 2*math.Pi)
	if d > math.Pi {
		d = 2*math.Pi - d
	}
	return d
}

func blendAngle(a, b, w float64) float64 {
	return math.Atan2((1-w)*math.Sin(a)+w*math.Sin(b), (1-w)*math.Cos(a)+w*math.Cos(b))
}

// buildRoads joins each town to its three nearest neighbours, then joins
// what is still apart. A road between two towns of a rail line is drawn
// again when long stretches of it would run inside the line's corridor:
// parallel roads exist, but the scenario's ordinary drivers must not
// follow rail by accident.
func (g *region) buildRoads(r *rand.Rand) {
	type pair struct{ a, b int }
	var pairs []pair
	has := map[pair]bool{}
	addPair := func(a, b int) {
		if a > b {
			a, b = b, a
		}
		if !has[pair{a, b}] {
			has[pair{a, b}] = true
			pairs = append(pairs, pair{a, b})
		}
	}
	for i, t := range g.towns {
		idx := make([]int, 0, len(g.towns))
		for j := range g.towns {
			if j != i {
				idx = append(idx, j)
			}
		}
		slices.SortFunc(idx, func(x, y int) int {
			return cmp.Compare(t.pos.dist(g.towns[x].pos), t.pos.dist(g.towns[y].pos))
		})
		for _, j := range idx[:3] {
			addPair(i, j)
		}
	}
	// Connect components.
	comp := make([]int, len(g.towns))
	for i := range comp {
		comp[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		for comp[x] != x {
			comp[x] = comp[comp[x]]
			x = comp[x]
		}
		return x
	}
	for _, p := range pairs {
		comp[find(p.a)] = find(p.b)
	}
	for {
		best, bi, bj := math.Inf(1), -1, -1
		for i := range g.towns {
			for j := range g.towns {
				if find(i) != find(j) {
					if d := g.towns[i].pos.dist(g.towns[j].pos); d < best {
						best, bi, bj = d, i, j
					}
				}
			}
		}
		if bi < 0 {
			break
		}
		addPair(bi, bj)
		comp[find(bi)] = find(bj)
	}
	g.adj = make([][]int, len(g.towns))
	g.ways = newSegGrid(2000)
	for _, p := range pairs {
		a, b := g.towns[p.a].pos, g.towns[p.b].pos
		var pts []vec
		for try := 0; try < 30; try++ {
			w := math.Min((0.12+0.01*float64(try))*a.dist(b), 3000+100*float64(try))
			pts = curve(r, a, b, 3000, w, 150)
			if g.railShare(pts, 800, 800) < 0.12 {
				break
			}
		}
		ri := len(g.roads)
		g.roads = append(g.roads, &road{a: p.a, b: p.b, line: newPolyline(pts)})
		g.adj[p.a] = append(g.adj[p.a], ri)
		g.adj[p.b] = append(g.adj[p.b], ri)
		g.ways.add(ri, pts)
	}
}

// railShare returns the share of a path's length, leaving out skipA and
// skipB metres at its ends, that lies within 700 m of a rail line.
func (g *region) railShare(pts []vec, skipA, skipB float64) float64 {
	pl := newPolyline(pts)
	total, in := 0.0, 0.0
	for i := 1; i < len(pts); i++ {
		if pl.cum[i] < skipA || pl.cum[i] > pl.length()-skipB {
			continue
		}
		l := pts[i].dist(pts[i-1])
		total += l
		if d, _ := g.rail.nearest(pts[i], 1); d < 700 {
			in += l
		}
	}
	if total == 0 {
		return 0
	}
	return in / total
}

// placeSites puts military areas, energy, telecom and government sites
// into the region: most beside a road (so traffic passes them), none in a
// rail corridor or a town centre.
func (g *region) placeSites(r *rand.Rand) {
	type spec struct {
		class, prefix string
		kind          siteKind
		n             int
		rmin, rmax    float64
		names         []string
	}
	specs := []spec{
		{"military", "mil", siteArea, 2 + r.IntN(3), 800, 3000, []string{"%s training area", "%s barracks", "%s ammunition depot", "%s air base"}},
		{"energy", "energy", siteCircle, 3 + r.IntN(3), 300, 1500, []string{"%s power station", "%s substation", "%s gas storage", "%s wind farm substation"}},
		{"telecom", "telecom", siteCircle, 1 + r.IntN(2), 300, 600, []string{"%s radio mast", "%s radar station"}},
		{"government", "gov", siteCircle, 1 + r.IntN(2), 400, 1000, []string{"%s government compound", "%s data centre"}},
	}
	for _, sp := range specs {
		for k := 0; k < sp.n; k++ {
			for try := 0; try < 400; try++ {
				rad := sp.rmin + r.Float64()*(sp.rmax-sp.rmin)
				var c vec
				ri := -1
				if r.Float64() < 0.75 {
					ri = r.IntN(len(g.roads))
					rd := g.roads[ri].line
					s := rd.length() * (0.2 + 0.6*r.Float64())
					p, dir := rd.at(s)
					side := 1.0
					if r.IntN(2) == 0 {
						side = -1
					}
					var off float64
					if sp.kind == siteArea {
						off = rad + 150 + r.Float64()*450 // the road passes the fence
					} else if r.Float64() < 0.5 {
						off = rad * r.Float64() * 0.8 // the road crosses the circle
					} else {
						off = rad + 30 + r.Float64()*150 // the road passes just outside
					}
					c = p.add(dir.perp().scale(side * off))
				} else {
					c = vec{(r.Float64()*2 - 1) * (halfSide - 8000), (r.Float64()*2 - 1) * (halfSide - 8000)}
				}
				if !g.siteFits(c, rad) {
					continue
				}
				st := &site{
					id:     fmt.Sprintf("%s-%d", sp.prefix, k+1),
					class:  sp.class,
					kind:   sp.kind,
					pos:    c,
					radius: rad,
					road:   ri,
				}
				st.name = fmt.Sprintf(pick(r, sp.names), g.towns[g.nearestTown(c)].name)
				if sp.kind == siteArea {
					st.ring = starRing(r, c, rad)
					if ri >= 0 && g.roadTouches(ri, st) {
						continue // a road through a military area: try again
					}
				}
				g.sites = append(g.sites, st)
				break
			}
		}
	}
}

func (g *region) siteFits(c vec, rad float64) bool {
	if math.Abs(c.X) > halfSide-3000 || math.Abs(c.Y) > halfSide-3000 {
		return false
	}
	if d, _ := g.rail.nearest(c, 3); d < rad+2500 {
		return false
	}
	for _, t := range g.towns {
		if t.pos.dist(c) < t.radius+rad+1000 {
			return false
		}
	}
	for _, s := range g.sites {
		if s.pos.dist(c) < s.radius+rad+3000 {
			return false
		}
	}
	return true
}

// roadTouches reports whether any road comes within 100 m of an area
// site's ring.
func (g *region) roadTouches(ri int, st *site) bool {
	for _, rd := range g.roads {
		for _, p := range rd.line.pts {
			if p.dist(st.pos) < st.radius+100 && (pointInRing(p, st.ring) || distToRing(p, st.ring) < 100) {
				return true
			}
		}
	}
	return false
}

// starRing returns a simple polygon around c: vertices at sorted angles
// and radii between 0.6 and 1 times rad, closed, counter-clockwise.
func starRing(r *rand.Rand, c vec, rad float64) []vec {
	n := 8 + r.IntN(7)
	ring := make([]vec, 0, n+1)
	for i := 0; i < n; i++ {
		a := (float64(i) + 0.3*r.Float64()) / float64(n) * 2 * math.Pi
		ring = append(ring, c.add(polar(rad*(0.6+0.4*r.Float64()), a)))
	}
	return append(ring, ring[0])
}

func pointInRing(p vec, ring []vec) bool {
	in := false
	for i := 1; i < len(ring); i++ {
		a, b := ring[i-1], ring[i]
		if (a.Y > p.Y) != (b.Y > p.Y) && p.X < a.X+(p.Y-a.Y)*(b.X-a.X)/(b.Y-a.Y) {
			in = !in
		}
	}
	return in
}

func distToRing(p vec, ring []vec) float64 {
	d := math.Inf(1)
	for i := 1; i < len(ring); i++ {
		q, _ := nearestOnSegment(p, ring[i-1], ring[i])
		d = math.Min(d, p.dist(q))
	}
	return d
}

// edgeDist returns the planar distance from p to a site's boundary,
// negative inside.
func (s *site) edgeDist(p vec) float64 {
	if s.kind == siteCircle {
		return p.dist(s.pos) - s.radius
	}
	d := distToRing(p, s.ring)
	if pointInRing(p, s.ring) {
		return -d
	}
	return d
}

func (g *region) nearestTown(p vec) int {
	best, bi := math.Inf(1), 0
	for i, t := range g.towns {
		if d := t.pos.dist(p); d < best {
			best, bi = d, i
		}
	}
	return bi
}

// shortestPaths fills the all-pairs table of road distances between
// towns (Floyd-Warshall; regions have a few dozen towns).
func (g *region) shortestPaths() {
	n := len(g.towns)
	g.dist = make([][]float64, n)
	g.next = make([][]int, n)
	for i := range n {
		g.dist[i] = make([]float64, n)
		g.next[i] = make([]int, n)
		for j := range n {
			g.dist[i][j], g.next[i][j] = math.Inf(1), -1
		}
		g.dist[i][i] = 0
	}
	for ri, rd := range g.roads {
		l := rd.line.length()
		if l < g.dist[rd.a][rd.b] {
			g.dist[rd.a][rd.b], g.dist[rd.b][rd.a] = l, l
			g.next[rd.a][rd.b], g.next[rd.b][rd.a] = ri, ri
		}
	}
	for k := range n {
		for i := range n {
			for j := range n {
				if d := g.dist[i][k] + g.dist[k][j]; d < g.dist[i][j] {
					g.dist[i][j] = d
					g.next[i][j] = g.next[i][k]
				}
			}
		}
	}
}

// route returns the road path from town a to town b, or nil when a == b
// or b cannot be reached.
func (g *region) route(a, b int) []vec {
	if a == b || g.next[a][b] < 0 {
		return nil
	}
	var legs [][]vec
	for u := a; u != b; {
		rd := g.roads[g.next[u][b]]
		if rd.a == u {
			legs = append(legs, rd.line.pts)
			u = rd.b
		} else {
			legs = append(legs, reversed(rd.line.pts))
			u = rd.a
		}
	}
	return joinPaths(legs...)
}

// access is where a point joins the road network: a road and the arc
// position on it nearest the point.
type access struct {
	road int
	s, d float64
	at   vec
}

// accessOf returns the road nearest p (within about 40 km).
func (g *region) accessOf(p vec) (access, bool) {
	var ri int
	for _, rad := range []int{1, 3, 8, 20} {
		if _, ri = g.ways.nearest(p, rad); ri >= 0 {
			break
		}
	}
	if ri < 0 {
		return access{}, false
	}
	rd := g.roads[ri].line
	s, d := rd.project(p)
	at, _ := rd.at(s)
	return access{road: ri, s: s, d: d, at: at}, true
}

func reversed(p []vec) []vec {
	out := slices.Clone(p)
	slices.Reverse(out)
	return out
}

// inTown returns a random point of a town's built-up area.
func (g *region) inTown(r *rand.Rand, ti int) vec {
	t := g.towns[ti]
	return t.pos.add(polar(t.radius*math.Sqrt(r.Float64())*0.9, r.Float64()*2*math.Pi))
}

// streets returns a walk or a drive through a town: a random zig-zag of
// street segments from p, about length metres long.
func streets(r *rand.Rand, p vec, length float64) []vec {
	pts := []vec{p}
	dir := r.Float64() * 2 * math.Pi
	for l := 0.0; l < length; {
		seg := 80 + r.Float64()*320
		dir += (r.Float64() - 0.5) * math.Pi * 0.9
		// Drift back towards the start so walks stay local.
		back := pts[0].sub(pts[len(pts)-1])
		if back.norm() > 1500 {
			dir = blendAngle(dir, math.Atan2(back.Y, back.X), 0.6)
		}
		p = p.add(polar(seg, dir))
		pts = append(pts, p)
		l += seg
	}
	return densify(pts, 50)
}
