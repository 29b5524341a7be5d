// Package zonegen makes real-shaped synthetic zone sets for tests and
// benchmarks: the generator of the side-by-side benchmark
// (bench/gen/main.go), ported so that the same seed gives the very zones
// of bench/data/zones.geojson (irregular star-shaped areas of 0.5-20 km,
// some with holes, and railway centre lines of 50-500 km buffered into
// corridor polygons), and extended for national sets: more areas, and
// railways kept as corridor lines, and circles.
//
// Everything is driven by a self-contained xoshiro256** generator, so the
// same options give the same zones on every machine.
package zonegen

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

// Box is the generator's area, in degrees.
type Box struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

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

func (b Box) clamp(p gpt, m float64) gpt {
	p.x = math.Max(b.MinLon+m, math.Min(b.MaxLon-m, p.x))
	p.y = math.Max(b.MinLat+m, math.Min(b.MaxLat-m, p.y))
	return p
}

func (b Box) in(p gpt, m float64) bool {
	return p.x >= b.MinLon+m && p.x <= b.MaxLon-m && p.y >= b.MinLat+m && p.y <= b.MaxLat-m
}

func makeArea(g *genRNG, b Box, cities []gpt, sizeMin, sizeRatio float64) [][]gpt {
	var c gpt
	if g.f64() < 0.65 {
		cc := cities[g.intn(len(cities))]
		c = gpt{cc.x + 0.3*g.norm(), cc.y + 0.3*g.norm()}
	} else {
		c = gpt{g.uni(b.MinLon, b.MaxLon), g.uni(b.MinLat, b.MaxLat)}
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

func makeRail(g *genRNG, b Box, cities []gpt) []gpt {
	for {
		var s gpt
		if g.f64() < 0.6 {
			cc := cities[g.intn(len(cities))]
			s = gpt{cc.x + 0.1*g.norm(), cc.y + 0.1*g.norm()}
		} else {
			s = gpt{g.uni(b.MinLon, b.MaxLon), g.uni(b.MinLat, b.MaxLat)}
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

// Options says what Generate makes.
type Options struct {
	Seed          uint64
	Box           Box
	Cities        int     // areas and railways cluster around this many cities
	Areas         int     // irregular polygons, 20-200 vertices, some with holes
	SizeMin       float64 // km: areas are SizeMin to SizeMin*SizeRatio across, log-uniform
	SizeRatio     float64
	RailPolygons  int     // railways as corridor polygons 1 km wide (the bench's)
	RailLines     int     // railways as corridor lines of 500 m half-width
	Circles       int     // masts: circles of 100-1000 m
	GrownFraction float64 // fraction of areas grown by a 200 m buffer
}

// Bench makes the zones of bench/data/zones.geojson: 2,300 polygons,
// 456,804 edges.
var Bench = Options{Seed: 20240501, Box: Box{100, 20, 125, 45}, Cities: 40, Areas: 2000, SizeMin: 0.5, SizeRatio: 40, RailPolygons: 300}

// National makes a national set: ≥ 50k zones and ≥ 5M vertices over
// a large country (30° × 16°, about 3.6 million km²): 50,000 areas of 0.1
// to 10 km (about 8 % of the land, denser around 300 cities), 200 railway
// corridor polygons, 800 railway centre lines of 50-500 km kept as
// corridors of 500 m, and 2,000 circles.
var National = Options{Seed: 7, Box: Box{-5, 40, 25, 56}, Cities: 300, Areas: 50000, SizeMin: 0.1, SizeRatio: 100,
	RailPolygons: 200, RailLines: 800, Circles: 2000, GrownFraction: 0.05}

// Generate makes a zone set with id "gen". Zone ids are 1, 2, …; classes
// are "area", "rail" and "telecom".
func Generate(o Options) *zone.Set {
	g := newGenRNG(o.Seed)
	cities := make([]gpt, o.Cities)
	for i := range cities {
		cities[i] = gpt{g.uni(o.Box.MinLon+1, o.Box.MaxLon-1), g.uni(o.Box.MinLat+1, o.Box.MaxLat-1)}
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
	for i := 0; i < o.Areas; i++ {
		z := &zone.Zone{Class: "area", Geometry: zone.Area, Polygons: [][][]geowarden.Point{finalRings(makeArea(g, o.Box, cities, o.SizeMin, o.SizeRatio))}}
		if o.GrownFraction > 0 && float64(i%1000) < o.GrownFraction*1000 {
			z.BufferM = 200
		}
		add(z)
	}
	for i := 0; i < o.RailPolygons; i++ {
		l := makeRail(g, o.Box, cities)
		add(&zone.Zone{Class: "rail", Geometry: zone.Area, Polygons: [][][]geowarden.Point{finalRings([][]gpt{bufferLine(l, 0.5)})}})
	}
	for i := 0; i < o.RailLines; i++ {
		l := makeRail(g, o.Box, cities)
		pts := make([]geowarden.Point, len(l))
		for j, p := range l {
			pts[j] = geowarden.Point{Lon: roundOdd(p.x, 7), Lat: roundOdd(p.y, 7)}
		}
		add(&zone.Zone{Class: "rail", Geometry: zone.Corridor, BufferM: 500, Lines: [][]geowarden.Point{pts}})
	}
	for i := 0; i < o.Circles; i++ {
		c := cities[g.intn(len(cities))]
		p := o.Box.clamp(gpt{c.x + 0.5*g.norm(), c.y + 0.5*g.norm()}, 0.1)
		add(&zone.Zone{Class: "telecom", Geometry: zone.Circle, BufferM: 100 + 900*g.f64(),
			Points: []geowarden.Point{{Lon: roundOdd(p.x, 7), Lat: roundOdd(p.y, 7)}}})
	}
	return s
}
