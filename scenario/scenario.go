package scenario

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/cell"
)

// Config says which scenario to generate.
type Config struct {
	// Seed picks everything: the region, the actors and decoys, their
	// numbers, places, days, speeds and sampling rates, and the noise.
	Seed uint64
	// Days is the length of the period (default 30, at most 120).
	Days int
	// Scale multiplies the background population and, more gently, the
	// numbers of actors and decoys (default 1; 0.1 makes a scenario of a
	// few hundred thousand records for tests).
	Scale float64
}

// Limits of Config.
const (
	DefaultDays = 30
	MaxDays     = 120
	MinScale    = 0.01
	MaxScale    = 4
)

// ErrConfig is wrapped by the errors Generate returns for a bad Config.
var ErrConfig = errors.New("scenario: bad config")

func (c *Config) normalise() error {
	if c.Days == 0 {
		c.Days = DefaultDays
	}
	if c.Scale == 0 {
		c.Scale = 1
	}
	if c.Days < 1 || c.Days > MaxDays {
		return fmt.Errorf("%w: days %d outside 1..%d", ErrConfig, c.Days, MaxDays)
	}
	if math.IsNaN(c.Scale) || c.Scale < MinScale || c.Scale > MaxScale {
		return fmt.Errorf("%w: scale %v outside %v..%v", ErrConfig, c.Scale, MinScale, MaxScale)
	}
	return nil
}

// Output files, relative to the output folder.
const (
	ZonesFile   = "zones.geojson"
	RoadsFile   = "roads.geojson"
	PolicyFile  = "policy.yml"
	RecordsFile = "records.csv"
	TruthFile   = "truth.json"
	PerSource   = "per-source"
)

// Generate writes the scenario cfg describes into dir (created if
// needed) and returns its ground truth, which it also writes to
// dir/truth.json. The same Config always gives byte-identical files.
func Generate(dir string, cfg Config) (*Truth, error) {
	if err := cfg.normalise(); err != nil {
		return nil, err
	}
	g, err := plan(cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, PerSource), 0o755); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if err := writeFile(filepath.Join(dir, ZonesFile), g.zonesJSON); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, RoadsFile), g.roadsJSON()); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, PolicyFile), g.policyYAML()); err != nil {
		return nil, err
	}
	if err := g.writeRecords(dir); err != nil {
		return nil, err
	}
	t := g.truth()
	data, err := t.Marshal()
	if err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, TruthFile), data); err != nil {
		return nil, err
	}
	return t, nil
}

func writeFile(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("scenario: %w", err)
	}
	return nil
}

// gen is a scenario being generated.
type gen struct {
	cfg       Config
	reg       *region
	net       *radioNet
	zones     *zone.Set
	zonesJSON []byte
	ix        *cell.Index
	zoneNum   map[string]int32
	start     int64 // unix seconds, midnight UTC of the first day
	sources   []*source
	names     map[string]bool
	nameRNG   *rand.Rand
	events    []*event
	traffic   []*trafficZone
	crowdBusy map[[2]int]bool // regulars already at a crowd that day
	bgHomes   []*source       // background sources with a home, for crowds
	stats     []srcStats
}

// role is what a source is in the scenario.
type role struct {
	kind     roleKind
	name     string // "drive-tester-train", ...
	detector string // actors: the detector it must trigger; decoys: the one it could be mistaken for
	also     []string
}

type roleKind uint8

const (
	kindBackground roleKind = iota
	kindActor
	kindDecoy
)

// source is one device or contributor and its plan.
type source struct {
	idx   int32
	name  string
	file  string // per-source file, relative to the output folder; "" for records.csv
	role  role
	days  [][]*activity
	busy  int64 // when its last activity ended
	em    emitter
	home  vec
	homed bool
	usual *logger // the app a background driver logs with

	// Truth details filled while planning.
	zone     string
	lines    []string
	eventIx  int
	sampling [2]float64
	corridor bool // measure its track in corridors
	stays    []*stayNote
	volume   *volumePlan
	window   [2]int64 // the span its truth entry reports, when set at plan time
}

// stayNote records what a stay really did, for the truth.
type stayNote struct {
	zone        string
	at          vec
	first, last int64
	rows        int
	signalRows  int
	maxDev      float64
}

func (g *gen) rng(label string, n int) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", label, n)
	return rand.New(rand.NewPCG(g.cfg.Seed, h.Sum64()))
}

// newSource adds a source with a fresh random name.
func (g *gen) newSource(rl role) *source {
	var name string
	for {
		name = fmt.Sprintf("%012x", g.nameRNG.Uint64()&0xffffffffffff)
		if !g.names[name] {
			break
		}
	}
	g.names[name] = true
	s := &source{idx: int32(len(g.sources)), name: name, role: rl, days: make([][]*activity, g.cfg.Days), eventIx: -1}
	// The truth measures every actor's and decoy's track in corridors.
	s.corridor = rl.kind != kindBackground
	s.em = emitter{net: g.net, fr: g.reg.frame, src: s.idx, r: g.rng("emit", int(s.idx))}
	g.sources = append(g.sources, s)
	return s
}

// add appends an activity to the source's day d (the day it starts).
func (s *source) add(d int, a *activity) {
	if d >= 0 && d < len(s.days) {
		s.days[d] = append(s.days[d], a)
	}
}

// count draws a number of actors or decoys between lo and hi, scaled
// gently with Config.Scale and never below min.
func (g *gen) count(r *rand.Rand, lo, hi, least int) int {
	n := float64(lo + r.IntN(hi-lo+1))
	f := math.Min(1.5, math.Pow(g.cfg.Scale, 0.35))
	return max(least, int(math.Round(n*f)))
}

// Times. Days are UTC days from start; people keep local (Central
// European) hours.

func (g *gen) dayStart(d int) int64 { return g.start + int64(d)*86400 }

func (g *gen) periodEnd() int64 { return g.dayStart(g.cfg.Days) }

// local returns the time of local hour h (may exceed 24) on day d.
func (g *gen) local(d int, h float64) int64 {
	t := g.dayStart(d) + int64(h*3600)
	return t - int64(cetOffset(time.Unix(g.dayStart(d)+43200, 0))/time.Second)
}

// weekday is the local weekday of day d.
func (g *gen) weekday(d int) time.Weekday { return time.Unix(g.dayStart(d)+43200, 0).UTC().Weekday() }

func (g *gen) workday(d int) bool {
	w := g.weekday(d)
	return w != time.Saturday && w != time.Sunday
}

// cetOffset is Central European Time's offset from UTC at t: +2 h from
// the last Sunday of March to the last Sunday of October, else +1 h.
func cetOffset(t time.Time) time.Duration {
	t = t.UTC()
	y := t.Year()
	lastSunday := func(m time.Month) time.Time {
		d := time.Date(y, m+1, 1, 1, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
		for d.Weekday() != time.Sunday {
			d = d.AddDate(0, 0, -1)
		}
		return d
	}
	if !t.Before(lastSunday(time.March)) && t.Before(lastSunday(time.October)) {
		return 2 * time.Hour
	}
	return time.Hour
}

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

// choosePerSource writes a few sources to files of their own, without a
// source column: a drive-tester, a bulk collector, a fixed-site capture,
// a rail commuter and two background sources, where they exist.
func (g *gen) choosePerSource() {
	r := g.rng("per-source", 0)
	want := map[string]int{"drive-tester-train": 1, "drive-tester-road": 1, "bulk-collector": 1, "fixed-site-capture": 1, "rail-commuter": 1, "": 2}
	for _, i := range r.Perm(len(g.sources)) {
		s := g.sources[i]
		if want[s.role.name] > 0 && s.eventIx < 0 {
			want[s.role.name]--
			s.file = PerSource + "/" + s.name + ".csv"
		}
	}
}

// plan draws the whole scenario: region, zones, radio networks and every
// source's activities.
func plan(cfg Config) (*gen, error) {
	g := &gen{cfg: cfg, names: map[string]bool{}, zoneNum: map[string]int32{}, crowdBusy: map[[2]int]bool{}}
	g.nameRNG = g.rng("names", 0)
	r := g.rng("region", 0)
	g.reg = newRegion(r)
	tr := g.rng("time", 0)
	first := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, tr.IntN(700))
	g.start = first.Unix()
	if err := g.buildZones(); err != nil {
		return nil, err
	}
	g.net = newRadioNet(g.rng("radio", 0), g.reg)
	g.planBackground()
	g.planCorridor()
	g.planFixedSite()
	g.planSignal()
	g.planVolume()
	g.planTraffic()
	g.planCrowds()
	g.planMarket()
	g.choosePerSource()
	return g, nil
}
