package cell

// Real-shaped synthetic zones for tests and benchmarks: the generator of
// the side-by-side benchmark (bench/gen/main.go), ported so that the same
// seed gives the very zones of bench/data/zones.geojson (irregular
// star-shaped areas of 0.5-20 km with holes, railway centre lines of
// 50-500 km buffered into corridor polygons), and extended for a national
// set: more areas, and railways kept as Corridor lines or circles.

import (
	"fmt"
	"math"
	"strconv"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/zone"
)

type genRNG struct{ s [4]uint64 }

func newGenRNG(seed uint64) *genRNG {
	r := &genRNG{}
	x := seed
	for i := range r.s {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		r.s[i] = z ^ (z >> 31)
	}
	return r
}

func rotl(x uint64, k uint) uint64 { return (x << k) | (x >> (64 - k)) }

func (r *genRNG) u64() uint64 {
	s := &r.s
	res := rotl(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = rotl(s[3], 45)
	return res
}

func (r *genRNG) f64() float64             { return float64(r.u64()>>11) / (1 << 53) }
func (r *genRNG) uni(a, b float64) float64 { return a + (b-a)*r.f64() }
func (r *genRNG) intn(n int) int           { return int(r.u64() % uint64(n)) }
func (r *genRNG) norm() float64 {
	u1 := r.f64()
	for u1 == 0 {
		u1 = r.f64()
	}
	u2 := r.f64()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

const (
	kmPerDegLat = 110.574
	kmPerDegEq  = 111.320
	genDeg      = math.Pi / 180
)

func kmPerDegLon(lat float64) float64 { return kmPerDegEq * math.Cos(lat*genDeg) }

type gpt struct{ x, y float64 }

// genBox is the generator's area.
type genBox struct{ minLon, minLat, maxLon, maxLat float64 }

// roundOdd rounds v to dec decimals with an odd last digit, as the bench
// generator writes coordinates, and returns the float64 a parser reads.
func roundOdd(v float64, dec int) float64 {
	scale := math.Pow10(dec)
	iv := int64(math.Round(v * scale))
	if iv%2 == 0 {
		iv++
	}
	neg := iv < 0
	if neg {
		iv = -iv
	}
	p := int64(scale)
	s := strconv.AppendInt(nil, iv/p, 10)
	s = append(s, '.')
	frac := iv % p
	for d := p / 10; d >= 1; d /= 10 {
		s = append(s, byte('0'+frac/d%10))
	}
	f, _ := strconv.ParseFloat(string(s), 64)
	if neg {
		f = -f
	}
	return f
}

func signedArea(r []gpt) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i].x*r[i+1].y - r[i+1].x*r[i].y
	}
	return a / 2
}

// finalRings orients, rounds and closes the rings, as the bench generator
// does.
func finalRings(rings [][]gpt) [][]geowarden.Point {
	var out [][]geowarden.Point
	for ri, r := range rings {
		a := signedArea(append(r, r[0]))
		if (ri == 0 && a < 0) || (ri > 0 && a > 0) {
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
		}
		pts := make([]geowarden.Point, 0, len(r)+1)
		for _, p := range r {
			pts = append(pts, geowarden.Point{Lon: roundOdd(p.x, 7), Lat: roundOdd(p.y, 7)})
		}
		out = append(out, append(pts, pts[0]))
	}
	return out
}

func starRing(g *genRNG, cx, cy, rKm float64, n int, harm, jitter, lo, hi float64) ([]gpt, float64) {
	const K = 7
	var amp, ph [K + 1]float64
	for k := 2; k <= K; k++ {
		amp[k] = g.uni(0, harm/float64(k))
		ph[k] = g.uni(0, 2*math.Pi)
	}
	th := make([]float64, n)
	rho := make([]float64, n)
	maxr := 0.0
	for i := 0; i < n; i++ {
		t := 2 * math.Pi * (float64(i) + g.uni(-0.3, 0.3)) / float64(n)
		v := 1.0
		for k := 2; k <= K; k++ {
			v += amp[k] * math.Cos(float64(k)*t+ph[k])
		}
		v += g.uni(-jitter, jitter)
		v = math.Max(lo, math.Min(hi, v))
		th[i], rho[i] = t, v
		maxr = math.Max(maxr, v)
	}
	kx, ky := kmPerDegLon(cy), kmPerDegLat
	ring := make([]gpt, n)
	minR := math.Inf(1)
	for i := 0; i < n; i++ {
		r := rKm * rho[i] / maxr
		minR = math.Min(minR, r)
		ring[i] = gpt{cx + r*math.Cos(th[i])/kx, cy + r*math.Sin(th[i])/ky}
	}
	return ring, minR
}

func (b genBox) clamp(p gpt, m float64) gpt {
	p.x = math.Max(b.minLon+m, math.Min(b.maxLon-m, p.x))
	p.y = math.Max(b.minLat+m, math.Min(b.maxLat-m, p.y))
	return p
}

func (b genBox) in(p gpt, m float64) bool {
	return p.x >= b.minLon+m && p.x <= b.maxLon-m && p.y >= b.minLat+m && p.y <= b.maxLat-m
}

func makeArea(g *genRNG, b genBox, cities []gpt, sizeMin, sizeRatio float64) [][]gpt {
	var c gpt
	if g.f64() < 0.65 {
		cc := cities[g.intn(len(cities))]
		c = gpt{cc.x + 0.3*g.norm(), cc.y + 0.3*g.norm()}
	} else {
		c = gpt{g.uni(b.minLon, b.maxLon), g.uni(b.minLat, b.maxLat)}
	}
	c = b.clamp(c, 0.3)
	size := sizeMin * math.Pow(sizeRatio, g.f64())
	r := size / 2
	n := 20 + g.intn(181)
	outer, minR := starRing(g, c.x, c.y, r, n, 0.3, 0.06, 0.4, 1.5)
	rings := [][]gpt{outer}
	if size >= 2 {
		u := g.f64()
		nh := 0
		if u < 0.12 {
			nh = 1
		} else if u < 0.16 {
			nh = 2
		}
		kx, ky := kmPerDegLon(c.y), kmPerDegLat
		if nh == 1 {
			a := g.uni(0, 2*math.Pi)
			off := g.uni(0, 0.1) * minR
			hc := gpt{c.x + off*math.Cos(a)/kx, c.y + off*math.Sin(a)/ky}
			h, _ := starRing(g, hc.x, hc.y, g.uni(0.15, 0.35)*minR, 8+g.intn(33), 0.15, 0.03, 0.8, 1.2)
			rings = append(rings, h)
		} else if nh == 2 {
			a := g.uni(0, 2*math.Pi)
			for s := -1.0; s <= 1; s += 2 {
				off := 0.45 * minR * s
				hc := gpt{c.x + off*math.Cos(a)/kx, c.y + off*math.Sin(a)/ky}
				h, _ := starRing(g, hc.x, hc.y, g.uni(0.1, 0.25)*minR, 8+g.intn(33), 0.15, 0.03, 0.8, 1.2)
				rings = append(rings, h)
			}
		}
	}
	return rings
}

func makeRail(g *genRNG, b genBox, cities []gpt) []gpt {
	for {
		var s gpt
		if g.f64() < 0.6 {
			cc := cities[g.intn(len(cities))]
			s = gpt{cc.x + 0.1*g.norm(), cc.y + 0.1*g.norm()}
		} else {
			s = gpt{g.uni(b.minLon, b.maxLon), g.uni(b.minLat, b.maxLat)}
		}
		if !b.in(s, 0.2) {
			continue
		}
		L := g.uni(50, 500)
		for try := 0; try < 20; try++ {
			h0 := g.uni(0, 2*math.Pi)
			dev := 0.0
			line := []gpt{s}
			p := s
			done := 0.0
			ok := true
			for done < L {
				step := g.uni(0.4, 1.0)
				d := 1.5*genDeg*g.norm() - 0.03*dev
				d = math.Max(-5*genDeg, math.Min(5*genDeg, d))
				dev = math.Max(-60*genDeg, math.Min(60*genDeg, dev+d))
				h := h0 + dev
				q := gpt{p.x + step*math.Cos(h)/kmPerDegLon(p.y), p.y + step*math.Sin(h)/kmPerDegLat}
				if !b.in(q, 0.2) {
					ok = false
					break
				}
				p = q
				line = append(line, p)
				done += step
			}
			if ok || done >= 50 {
				return line
			}
		}
	}
}

func bufferLine(line []gpt, dKm float64) []gpt {
	n := len(line)
	nx := make([]float64, n-1)
	ny := make([]float64, n-1)
	for i := 0; i+1 < n; i++ {
		my := (line[i].y + line[i+1].y) / 2
		dx := (line[i+1].x - line[i].x) * kmPerDegLon(my)
		dy := (line[i+1].y - line[i].y) * kmPerDegLat
		l := math.Hypot(dx, dy)
		nx[i], ny[i] = -dy/l, dx/l
	}
	off := func(p gpt, ox, oy float64) gpt {
		return gpt{p.x + ox/kmPerDegLon(p.y), p.y + oy/kmPerDegLat}
	}
	left := make([]gpt, n)
	right := make([]gpt, n)
	for i := 0; i < n; i++ {
		var mx, my, m float64
		switch {
		case i == 0:
			mx, my, m = nx[0], ny[0], dKm
		case i == n-1:
			mx, my, m = nx[n-2], ny[n-2], dKm
		default:
			mx, my = nx[i-1]+nx[i], ny[i-1]+ny[i]
			l := math.Hypot(mx, my)
			mx, my = mx/l, my/l
			m = dKm / (mx*nx[i] + my*ny[i])
		}
		left[i] = off(line[i], mx*m, my*m)
		right[i] = off(line[i], -mx*m, -my*m)
	}
	const K = 8
	ring := make([]gpt, 0, 2*n+2*K)
	ring = append(ring, left...)
	a := math.Atan2(ny[n-2], nx[n-2])
	for k := 1; k < K; k++ {
		t := a - math.Pi*float64(k)/K
		ring = append(ring, off(line[n-1], dKm*math.Cos(t), dKm*math.Sin(t)))
	}
	for i := n - 1; i >= 0; i-- {
		ring = append(ring, right[i])
	}
	b := math.Atan2(ny[0], nx[0]) - math.Pi
	for k := 1; k < K; k++ {
		t := b - math.Pi*float64(k)/K
		ring = append(ring, off(line[0], dKm*math.Cos(t), dKm*math.Sin(t)))
	}
	return ring
}

// genOptions says what genZones makes.
type genOptions struct {
	seed          uint64
	box           genBox
	cities        int
	areas         int
	sizeMin       float64 // km: areas are sizeMin to sizeMin*sizeRatio across, log-uniform
	sizeRatio     float64
	railPolygons  int     // railways as buffered corridor polygons (the bench's)
	railLines     int     // railways as Corridor lines
	circles       int     // masts as circles
	grownFraction float64 // fraction of areas grown by a buffer
}

// benchOptions makes the zones of bench/data/zones.geojson.
var benchOptions = genOptions{seed: 20240501, box: genBox{100, 20, 125, 45}, cities: 40, areas: 2000, sizeMin: 0.5, sizeRatio: 40, railPolygons: 300}

// nationalOptions makes a national set: ≥ 50k zones and ≥ 5M vertices over
// a large country (30° × 16°, about 3.6 million km²): 50,000 areas of 0.1
// to 10 km (about 8 % of the land, denser around 300 cities), 200 railway
// corridor polygons, 800 railway centre lines of 50-500 km kept as
// corridors of 500 m, and 2,000 circles.
var nationalOptions = genOptions{seed: 7, box: genBox{-5, 40, 25, 56}, cities: 300, areas: 50000, sizeMin: 0.1, sizeRatio: 100,
	railPolygons: 200, railLines: 800, circles: 2000, grownFraction: 0.05}

// genZones makes a zone set.
func genZones(o genOptions) *zone.Set {
	g := newGenRNG(o.seed)
	cities := make([]gpt, o.cities)
	for i := range cities {
		cities[i] = gpt{g.uni(o.box.minLon+1, o.box.maxLon-1), g.uni(o.box.minLat+1, o.box.maxLat-1)}
	}
	s := &zone.Set{ID: "gen"}
	id := 0
	add := func(z *zone.Zone) {
		id++
		z.ID = strconv.Itoa(id)
		z.Name = fmt.Sprintf("%s-%d", z.Class, id)
		z.Set = s.ID
		s.Zones = append(s.Zones, z)
	}
	for i := 0; i < o.areas; i++ {
		z := &zone.Zone{Class: "area", Geometry: zone.Area, Polygons: [][][]geowarden.Point{finalRings(makeArea(g, o.box, cities, o.sizeMin, o.sizeRatio))}}
		if o.grownFraction > 0 && float64(i%1000) < o.grownFraction*1000 {
			z.BufferM = 200
		}
		add(z)
	}
	for i := 0; i < o.railPolygons; i++ {
		l := makeRail(g, o.box, cities)
		add(&zone.Zone{Class: "rail", Geometry: zone.Area, Polygons: [][][]geowarden.Point{finalRings([][]gpt{bufferLine(l, 0.5)})}})
	}
	for i := 0; i < o.railLines; i++ {
		l := makeRail(g, o.box, cities)
		pts := make([]geowarden.Point, len(l))
		for j, p := range l {
			pts[j] = geowarden.Point{Lon: roundOdd(p.x, 7), Lat: roundOdd(p.y, 7)}
		}
		add(&zone.Zone{Class: "rail", Geometry: zone.Corridor, BufferM: 500, Lines: [][]geowarden.Point{pts}})
	}
	for i := 0; i < o.circles; i++ {
		c := cities[g.intn(len(cities))]
		p := o.box.clamp(gpt{c.x + 0.5*g.norm(), c.y + 0.5*g.norm()}, 0.1)
		add(&zone.Zone{Class: "telecom", Geometry: zone.Circle, BufferM: 100 + 900*g.f64(),
			Points: []geowarden.Point{{Lon: roundOdd(p.x, 7), Lat: roundOdd(p.y, 7)}}})
	}
	return s
}
