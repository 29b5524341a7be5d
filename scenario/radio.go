package scenario

import (
	"math"
	"math/rand/v2"

	"github.com/geowarden/geowarden"
)

// Radio technologies, as written in the radio column.
const (
	radioNone uint8 = iota
	radioGSM
	radioUMTS
	radioLTE
	radioNR
	radioWiFi
)

var radioNames = [...]string{"", "GSM", "UMTS", "LTE", "NR", ""}

// operator is a public mobile network with its base stations.
type operator struct {
	mcc, mnc int
	sites    []vec
	grid     map[[2]int32][]int32
	enbBase  int
	lacBase  int
	lte      []int // EARFCNs in use
	gsm      []int // ARFCNs in use, P-GSM 900 and DCS 1800 only
	nr       int   // NR-ARFCN
	uarfcn   int
}

const towerCell = 5000.0 // grid of the operators' site index, metres

// radioNet is the radio environment of a region: the public networks, the
// railway's GSM-R masts and the Wi-Fi access points.
type radioNet struct {
	reg     *region
	ops     []*operator
	masts   []mast
	mastIx  *segGrid
	railMCC int
	railMNC int
	apKey   uint64
	homeAPs []ap // access points of houses outside towns
}

// addHomeAPs gives a house outside the towns its own access points.
func (n *radioNet) addHomeAPs(r *rand.Rand, p vec) {
	for range 1 + r.IntN(2) {
		n.homeAPs = append(n.homeAPs, ap{id: r.Uint64() & 0xfcffffffffff, pos: p.add(polar(uniform(r, 2, 12), r.Float64()*2*math.Pi))})
	}
}

// mast is a GSM-R base station beside a rail line.
type mast struct {
	pos   vec
	lac   int
	ci    int
	arfcn int // GSM-R 955-974 (921.2-925.0 MHz) or E-GSM-R 940-954 (918.2-921.0 MHz)
}

// frmcsARFCN is the NR-ARFCN of the masts' FRMCS carrier: 922.2 MHz, a
// 5 MHz NR carrier in the middle of band n100's downlink (919.4-925 MHz).
const frmcsARFCN = 184440

func newRadioNet(r *rand.Rand, g *region) *radioNet {
	n := &radioNet{reg: g, railMCC: g.mcc, railMNC: g.railMNC, apKey: r.Uint64()}
	for _, nw := range g.networks {
		op := &operator{mcc: g.mcc, mnc: nw.mnc, grid: map[[2]int32][]int32{}}
		op.enbBase = 20_000 + r.IntN(400_000)
		op.lacBase = 1000 + r.IntN(50_000)
		// Layers: an 800 MHz, an 1800 MHz and a 2600 or 900 MHz carrier.
		op.lte = []int{6200 + r.IntN(250), 1250 + r.IntN(650)}
		if r.IntN(2) == 0 {
			op.lte = append(op.lte, 2850+r.IntN(500))
		} else {
			op.lte = append(op.lte, 3545+r.IntN(195)) // band 8: 934.5-953.9 MHz
		}
		op.gsm = []int{1 + r.IntN(120), 1 + r.IntN(120), 520 + r.IntN(360)}
		op.nr = 620_000 + r.IntN(33_000)
		op.uarfcn = 10_562 + r.IntN(276)
		// Rural sites about every 6 km, more in towns.
		for y := -halfSide - 5000.0; y < halfSide+5000; y += 6000 {
			for x := -halfSide - 5000.0; x < halfSide+5000; x += 6000 {
				op.add(vec{x + r.Float64()*6000, y + r.Float64()*6000})
			}
		}
		for ti, t := range g.towns {
			k := []int{1, 4, 14}[t.size]
			for range k {
				op.add(g.inTown(r, ti))
			}
		}
		n.ops = append(n.ops, op)
	}
	n.mastIx = newSegGrid(3000)
	lac := 100 + r.IntN(800)
	for li, l := range g.lines {
		for s := r.Float64() * 3000; s < l.line.length(); s += 4000 + r.Float64()*3000 {
			p, dir := l.line.at(s)
			p = p.add(dir.perp().scale((r.Float64()*2 - 1) * 30))
			var arfcn int
			if r.IntN(4) == 0 {
				arfcn = 940 + r.IntN(15)
			} else {
				arfcn = 955 + r.IntN(20)
			}
			n.mastIx.add(len(n.masts), []vec{p, p})
			n.masts = append(n.masts, mast{pos: p, lac: lac + li, ci: 1000*(li+1) + len(n.masts)%1000, arfcn: arfcn})
		}
	}
	return n
}

func (op *operator) add(p vec) {
	k := [2]int32{int32(math.Floor(p.X / towerCell)), int32(math.Floor(p.Y / towerCell))}
	op.grid[k] = append(op.grid[k], int32(len(op.sites)))
	op.sites = append(op.sites, p)
}

// nearest returns the nearest and second nearest sites to p.
func (op *operator) nearest(p vec) (int, int) {
	k := [2]int32{int32(math.Floor(p.X / towerCell)), int32(math.Floor(p.Y / towerCell))}
	b1, b2 := -1, -1
	d1, d2 := math.Inf(1), math.Inf(1)
	for ring := int32(1); b2 < 0 && ring < 6; ring++ {
		for x := k[0] - ring; x <= k[0]+ring; x++ {
			for y := k[1] - ring; y <= k[1]+ring; y++ {
				for _, i := range op.grid[[2]int32{x, y}] {
					d := op.sites[i].dist(p)
					switch {
					case int(i) == b1 || int(i) == b2:
					case d < d1:
						b2, d2 = b1, d1
						b1, d1 = int(i), d
					case d < d2:
						b2, d2 = int(i), d
					}
				}
			}
		}
	}
	if b2 < 0 {
		b2 = b1
	}
	return b1, b2
}

// cellRow fills the radio attributes of a serving-cell (or, with
// neighbour, a neighbour-cell) measurement of op at p with technology
// tech.
func (n *radioNet) cellRow(r *rand.Rand, op *operator, tech uint8, p vec, neighbour bool, freq bool, rc *rec) {
	i1, i2 := op.nearest(p)
	si := i1
	if neighbour || r.Float64() < 0.15 {
		si = i2
	}
	sp := op.sites[si]
	d := math.Max(sp.dist(p), 25)
	bearing := math.Atan2(p.Y-sp.Y, p.X-sp.X) + math.Pi
	sector := min(int(bearing/(2*math.Pi/3)), 2)
	area := areaOf(p)
	rc.radio = tech
	rc.mcc, rc.mnc = int16(op.mcc), int16(op.mnc)
	// Path loss: about -60 dBm at 100 m, -90 at 1 km, -120 at 10 km.
	level := -60 - 30*math.Log10(d/100) + r.NormFloat64()*5
	switch tech {
	case radioLTE:
		earfcn := op.lte[(si+sector)%len(op.lte)]
		rc.area = int32(op.lacBase + area)
		rc.cell = int64(op.enbBase+si)*256 + int64(sector) + 1 + 10*int64(layerOf(earfcn))
		rc.arfcn = int32(earfcn)
		if freq {
			rc.freq = float32(downlink(radioLTE, earfcn))
		}
		rc.rsrp = int16(clampF(level, -140, -44))
	case radioNR:
		rc.area = int32(op.lacBase + area)
		rc.cell = int64(op.enbBase+si)*4096 + int64(sector) + 1
		rc.arfcn = int32(op.nr)
		if freq {
			rc.freq = float32(downlink(radioNR, op.nr))
		}
		rc.rsrp = int16(clampF(level-6, -140, -44))
	case radioUMTS:
		rc.area = int32(op.lacBase + area)
		rc.cell = int64(op.enbBase%4096+si%4096)*65536 + int64(si%6000)*10 + int64(sector) + 1
		rc.arfcn = int32(op.uarfcn)
		if freq {
			rc.freq = float32(downlink(radioUMTS, op.uarfcn))
		}
		rc.rssi = int16(clampF(level+20, -113, -51))
	default: // GSM
		arfcn := op.gsm[(si+sector)%len(op.gsm)]
		rc.area = int32(op.lacBase + area)
		rc.cell = int64((op.enbBase+si*10+sector+1)%65534 + 1)
		rc.arfcn = int32(arfcn)
		if freq {
			rc.freq = float32(downlink(radioGSM, arfcn))
		}
		rc.rssi = int16(clampF(level+25, -110, -48))
	}
}

// layerOf numbers an EARFCN's band for cell ids: 800, 1800, 2600 or 900.
func layerOf(earfcn int) int {
	switch {
	case earfcn >= 6150:
		return 0
	case earfcn < 2750:
		return 1
	case earfcn < 3450:
		return 2
	}
	return 3
}

// areaOf numbers the 25 km square a point lies in: location and tracking
// areas.
func areaOf(p vec) int {
	return int(math.Floor((p.X+halfSide+25000)/25000))*10 + int(math.Floor((p.Y+halfSide+25000)/25000))
}

// downlink is the downlink carrier of channel n of technology tech, as
// geowarden's readers compute it (geowarden.DownlinkMHz); 0 when the
// channel is not one.
func downlink(tech uint8, n int) float64 {
	f, _ := geowarden.DownlinkMHz(radioNames[tech], n)
	return f
}

func clampF(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// nearMast returns the GSM-R mast nearest to p within 8 km, or false.
func (n *radioNet) nearMast(p vec) (mast, float64, bool) {
	d, i := n.mastIx.nearest(p, 3)
	if i < 0 || d > 8000 {
		return mast{}, 0, false
	}
	return n.masts[i], d, true
}

// Wi-Fi access points are not stored: each 60 m square of the region holds
// a number of them that depends on how built-up it is, and each one's
// position, address and name follow from a hash of the square and the
// scenario's key.
const apCell = 60.0

type ap struct {
	id  uint64 // the BSSID's 48 bits
	pos vec
}

func (n *radioNet) hash(vals ...int64) uint64 {
	h := n.apKey
	for _, v := range vals {
		h = mix64(h ^ uint64(v))
	}
	return h
}

// mix64 is SplitMix64's finaliser: a bijective, well-mixed hash of x.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// apDensity is the mean number of access points per 60 m square at p.
func (n *radioNet) apDensity(p vec) float64 {
	best := 0.015
	for _, t := range n.reg.towns {
		d := t.pos.dist(p)
		if d < t.radius {
			best = math.Max(best, 0.4+[]float64{1.5, 3, 5}[t.size]*(1-d/t.radius))
		}
	}
	for _, s := range n.reg.sites {
		if e := s.edgeDist(p); e < 0 && e > -400 {
			best = math.Max(best, 0.3) // offices and guard houses
		}
	}
	return best
}

// aps returns the access points of one square.
func (n *radioNet) aps(i, j int64, dst []ap) []ap {
	c := vec{(float64(i) + 0.5) * apCell, (float64(j) + 0.5) * apCell}
	lam := n.apDensity(c)
	u := float64(n.hash(i, j, -1)>>11) / (1 << 53)
	k := int(lam)
	if u < lam-float64(k) {
		k++
	}
	for x := 0; x < k; x++ {
		h := n.hash(i, j, int64(x))
		pos := vec{(float64(i) + float64(h&0xffff)/65536) * apCell, (float64(j) + float64(h>>16&0xffff)/65536) * apCell}
		dst = append(dst, ap{id: n.hash(i, j, int64(x), 1) & 0xfcffffffffff, pos: pos})
	}
	return dst
}

// scan returns up to max access points heard at p, strongest first, with
// their RSSI.
func (n *radioNet) scan(r *rand.Rand, p vec, max int, out []apSeen) []apSeen {
	out = out[:0]
	i0, j0 := int64(math.Floor(p.X/apCell)), int64(math.Floor(p.Y/apCell))
	var buf [16]ap
	hear := func(a ap) {
		d := math.Max(a.pos.dist(p), 3)
		if d > 110 {
			return
		}
		rssi := -32 - 24*math.Log10(d) + r.NormFloat64()*4
		if rssi >= -92 {
			out = append(out, apSeen{a.id, int16(rssi)})
		}
	}
	for _, a := range n.homeAPs {
		hear(a)
	}
	for i := i0 - 2; i <= i0+2; i++ {
		for j := j0 - 2; j <= j0+2; j++ {
			for _, a := range n.aps(i, j, buf[:0]) {
				hear(a)
			}
		}
	}
	// Strongest first; insertion sort, the lists are short.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].rssi > out[j-1].rssi; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	if len(out) > max {
		out = out[:max]
	}
	return out
}

type apSeen struct {
	id   uint64
	rssi int16
}

// ssid returns an access point's network name from the region's families.
func (n *radioNet) ssid(id uint64) string {
	h := n.hash(int64(id), 7)
	pat := n.reg.ssids[h%uint64(len(n.reg.ssids))]
	b := make([]byte, 0, len(pat)+4)
	h = n.hash(int64(id), 8)
	for _, c := range []byte(pat) {
		switch c {
		case '#':
			b = append(b, "0123456789ABCDEF"[h&15])
			h = h>>4 | h<<60
		case '9':
			b = append(b, byte('0'+h%10))
			h = h/10 | (h%10)<<58
		case 'A':
			b = append(b, byte('A'+h%26))
			h = h/26 | (h%26)<<57
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// bssid formats an access point's address.
func bssid(id uint64) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 17)
	for i := 5; i >= 0; i-- {
		v := byte(id >> (8 * i))
		b = append(b, hex[v>>4], hex[v&15])
		if i > 0 {
			b = append(b, ':')
		}
	}
	return string(b)
}
