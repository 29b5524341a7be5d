package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/geowarden/geowarden/detect"
)

// Detector names, as the truth writes them: geowarden detect's own.
const (
	Corridor        = detect.Corridor
	Convergence     = detect.Convergence
	FixedSite       = detect.FixedSite
	ProtectedSignal = detect.ProtectedSignal
	Volume          = detect.Volume
)

// Detectors lists the detector names.
var Detectors = detect.Detectors

// Truth is a scenario's ground truth: what every source is, and the
// numbers its records really hold. doc.go describes each field.
type Truth struct {
	Seed       uint64    `json:"seed"`
	Days       int       `json:"days"`
	Scale      float64   `json:"scale"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	Region     Region    `json:"region"`
	Files      Files     `json:"files"`
	Records    int       `json:"records"`
	Sources    int       `json:"sources"`
	Actors     []Actor   `json:"actors"`
	Decoys     []Decoy   `json:"decoys"`
	Background []string  `json:"background"`
	Events     []Event   `json:"events"`
}

// Region describes the synthetic region.
type Region struct {
	Name           string     `json:"name"`
	Center         LatLon     `json:"center"`
	BBox           [4]float64 `json:"bbox"` // min lon, min lat, max lon, max lat
	MCC            int        `json:"mcc"`
	Networks       []string   `json:"networks"`
	RailwayNetwork string     `json:"railway_network"`
	RailLines      []string   `json:"rail_lines"`
	Sites          []string   `json:"sites"`
}

// LatLon is a position.
type LatLon struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Files names the scenario's files, relative to its folder.
type Files struct {
	Records   string            `json:"records"`
	Zones     string            `json:"zones"`
	Policy    string            `json:"policy"`
	Roads     string            `json:"roads"`
	PerSource map[string]string `json:"per_source"` // source → file; these sources are in no other file
}

// Details are what actors and decoys share: where their records are, what
// they hold, and the measures of the detector concerned.
type Details struct {
	File            string         `json:"file,omitempty"` // per-source file; empty: records.csv
	Start           time.Time      `json:"start"`
	End             time.Time      `json:"end"`
	Records         int            `json:"records"`
	SignalRecords   int            `json:"signal_records"`
	ProtectedRecord int            `json:"protected_records"`
	SamplingS       [2]float64     `json:"sampling_s"`
	Zone            string         `json:"zone,omitempty"`
	Event           *int           `json:"event,omitempty"`
	Lines           []string       `json:"lines,omitempty"`
	Corridor        *CorridorTruth `json:"corridor,omitempty"`
	Stays           []Stay         `json:"stays,omitempty"`
	Volume          *VolumeTruth   `json:"volume,omitempty"`
}

// Actor is a source that a detector must flag.
type Actor struct {
	Source   string   `json:"source"`
	Role     string   `json:"role"`
	Detector string   `json:"detector"`
	Also     []string `json:"also,omitempty"` // other detectors its records rightly trigger
	Details
}

// Decoy is a source that looks like an actor of one detector but is not.
type Decoy struct {
	Source             string `json:"source"`
	Role               string `json:"role"`
	CouldBeMistakenFor string `json:"could_be_mistaken_for"`
	Details
}

// CorridorTruth is how much of a source's track lies in rail corridors,
// measured with geowarden's zone index over consecutive rows no more than
// five minutes apart.
type CorridorTruth struct {
	KM         float64    `json:"km"`
	CorridorKM float64    `json:"corridor_km"`
	Share      float64    `json:"share"`
	Days       []DayTrack `json:"days"`
}

// DayTrack is one UTC day of a track.
type DayTrack struct {
	Date       string  `json:"date"`
	KM         float64 `json:"km"`
	CorridorKM float64 `json:"corridor_km"`
	Records    int     `json:"records"`
}

// Stay is a time a source stood still.
type Stay struct {
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	Lat           float64   `json:"lat"`
	Lon           float64   `json:"lon"`
	Zone          string    `json:"zone"`
	DistanceM     float64   `json:"distance_m"` // to the zone's edge; negative inside
	RadiusM       float64   `json:"radius_m"`   // farthest row from the stay's position
	Records       int       `json:"records"`
	SignalRecords int       `json:"signal_records"`
}

// VolumeTruth is a source's daily volume.
type VolumeTruth struct {
	BaselinePerDay float64    `json:"baseline_per_day"` // median rows on active days before the first spike
	Factor         float64    `json:"factor"`           // largest spike over the baseline
	SpikeDays      []DayCount `json:"spike_days,omitempty"`
	PerDay         []DayCount `json:"per_day"`
}

// DayCount is one UTC day's volume.
type DayCount struct {
	Date    string `json:"date"`
	Records int    `json:"records"`
	Bytes   int64  `json:"bytes"`
}

// Event is a crowd converging on a zone.
type Event struct {
	Detector string    `json:"detector"`
	Zone     string    `json:"zone"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	MarginM  float64   `json:"margin_m"`
	Sources  []string  `json:"sources"`
	// Distinct sources inside the zone or within MarginM of it during the
	// window: all of them, and those not in Sources.
	InWindow   int `json:"in_window"`
	Background int `json:"background_in_window"`
	// Distinct sources in the same hours of the other days.
	OtherDaysMedian float64 `json:"other_days_median"`
	OtherDaysMax    int     `json:"other_days_max"`
}

// Marshal encodes the truth as indented JSON.
func (t *Truth) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return append(b, '\n'), nil
}

// MaxTruthBytes caps the size of a truth file ReadTruth accepts.
const MaxTruthBytes = 64 << 20

// ReadTruth decodes and checks a truth file. name is used in errors,
// which give the line and column of a syntax or type error.
func ReadTruth(name string, r io.Reader) (*Truth, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxTruthBytes+1))
	if err != nil {
		return nil, fmt.Errorf("scenario: %s: %w", name, err)
	}
	if len(data) > MaxTruthBytes {
		return nil, fmt.Errorf("scenario: %s: larger than %d bytes", name, MaxTruthBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var t Truth
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("scenario: %s:%s: %w", name, position(data, dec, err), err)
	}
	if dec.More() {
		return nil, fmt.Errorf("scenario: %s:%s: data after the truth object", name, position(data, dec, nil))
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("scenario: %s: %w", name, err)
	}
	return &t, nil
}

// position returns "line:column" of a decoding error.
func position(data []byte, dec *json.Decoder, err error) string {
	off := dec.InputOffset()
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(data))
	}
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Sprintf("%d:%d", line, col)
}

// Validate checks that the truth is consistent in itself: known detector
// names, each source listed once, spans in order, events with sources.
func (t *Truth) Validate() error {
	if t.Days < 1 || t.Days > MaxDays {
		return fmt.Errorf("days %d outside 1..%d", t.Days, MaxDays)
	}
	if !t.End.After(t.Start) {
		return fmt.Errorf("end %s is not after start %s", t.End.Format(time.RFC3339), t.Start.Format(time.RFC3339))
	}
	seen := map[string]string{}
	note := func(src, what string) error {
		if src == "" {
			return fmt.Errorf("%s: empty source", what)
		}
		if prev, dup := seen[src]; dup {
			return fmt.Errorf("%s: source %q is already listed as %s", what, src, prev)
		}
		seen[src] = what
		return nil
	}
	span := func(what string, d *Details) error {
		if d.End.Before(d.Start) {
			return fmt.Errorf("%s: end before start", what)
		}
		if d.Event != nil && (*d.Event < 0 || *d.Event >= len(t.Events)) {
			return fmt.Errorf("%s: event %d does not exist", what, *d.Event)
		}
		return nil
	}
	for i, a := range t.Actors {
		what := fmt.Sprintf("actor %d", i)
		if err := note(a.Source, what); err != nil {
			return err
		}
		if !slices.Contains(Detectors, a.Detector) {
			return fmt.Errorf("%s: unknown detector %q (want one of %s)", what, a.Detector, strings.Join(Detectors, ", "))
		}
		for _, d := range a.Also {
			if !slices.Contains(Detectors, d) {
				return fmt.Errorf("%s: unknown detector %q in also", what, d)
			}
		}
		if err := span(what, &a.Details); err != nil {
			return err
		}
	}
	for i, d := range t.Decoys {
		what := fmt.Sprintf("decoy %d", i)
		if err := note(d.Source, what); err != nil {
			return err
		}
		if !slices.Contains(Detectors, d.CouldBeMistakenFor) {
			return fmt.Errorf("%s: unknown detector %q (want one of %s)", what, d.CouldBeMistakenFor, strings.Join(Detectors, ", "))
		}
		if err := span(what, &d.Details); err != nil {
			return err
		}
	}
	for i, s := range t.Background {
		if err := note(s, fmt.Sprintf("background %d", i)); err != nil {
			return err
		}
	}
	for i, e := range t.Events {
		what := fmt.Sprintf("event %d", i)
		if !slices.Contains(Detectors, e.Detector) {
			return fmt.Errorf("%s: unknown detector %q", what, e.Detector)
		}
		if len(e.Sources) == 0 {
			return fmt.Errorf("%s: no sources", what)
		}
		if e.End.Before(e.Start) {
			return fmt.Errorf("%s: end before start", what)
		}
		for _, s := range e.Sources {
			if _, ok := seen[s]; !ok {
				return fmt.Errorf("%s: source %q is not listed", what, s)
			}
		}
	}
	for _, s := range slices.Sorted(maps.Keys(t.Files.PerSource)) {
		if _, ok := seen[s]; !ok {
			return fmt.Errorf("files: per-source file of %q, which is not listed", s)
		}
	}
	return nil
}

// truth assembles the ground truth from the plan and the measured
// records.
func (g *gen) truth() *Truth {
	t := &Truth{
		Seed:       g.cfg.Seed,
		Days:       g.cfg.Days,
		Scale:      g.cfg.Scale,
		Start:      time.Unix(g.start, 0).UTC(),
		End:        time.Unix(g.periodEnd(), 0).UTC(),
		Files:      Files{Records: RecordsFile, Zones: ZonesFile, Policy: PolicyFile, Roads: RoadsFile, PerSource: map[string]string{}},
		Background: []string{},
		Actors:     []Actor{},
		Decoys:     []Decoy{},
		Events:     []Event{},
	}
	lat, lon := g.reg.ll(vec{})
	t.Region = Region{Name: g.reg.name, Center: LatLon{round7(lat), round7(lon)}, MCC: g.reg.mcc,
		RailwayNetwork: fmt.Sprintf("%d-%02d", g.reg.mcc, g.reg.railMNC)}
	la0, lo0 := g.reg.ll(vec{-halfSide, -halfSide})
	la1, lo1 := g.reg.ll(vec{halfSide, halfSide})
	t.Region.BBox = [4]float64{round7(lo0), round7(la0), round7(lo1), round7(la1)}
	for _, n := range g.reg.networks {
		t.Region.Networks = append(t.Region.Networks, fmt.Sprintf("%d-%02d", g.reg.mcc, n.mnc))
	}
	for _, l := range g.reg.lines {
		t.Region.RailLines = append(t.Region.RailLines, l.id)
	}
	for _, s := range g.reg.sites {
		t.Region.Sites = append(t.Region.Sites, s.id)
	}
	for _, e := range g.events {
		t.Events = append(t.Events, e.truth(g))
	}
	for i, s := range g.sources {
		st := &g.stats[i]
		t.Records += st.rows
		if st.rows == 0 {
			continue // planned but never active in the period
		}
		t.Sources++
		if s.file != "" {
			t.Files.PerSource[s.name] = s.file
		}
		switch s.role.kind {
		case kindBackground:
			t.Background = append(t.Background, s.name)
		case kindActor:
			t.Actors = append(t.Actors, Actor{Source: s.name, Role: s.role.name, Detector: s.role.detector, Also: g.alsoDetectors(s, st), Details: g.details(s, st)})
		case kindDecoy:
			t.Decoys = append(t.Decoys, Decoy{Source: s.name, Role: s.role.name, CouldBeMistakenFor: s.role.detector, Details: g.details(s, st)})
		}
	}
	slices.SortStableFunc(t.Actors, func(a, b Actor) int {
		return cmpStr(a.Detector+"/"+a.Role+"/"+a.Source, b.Detector+"/"+b.Role+"/"+b.Source)
	})
	slices.SortStableFunc(t.Decoys, func(a, b Decoy) int {
		return cmpStr(a.CouldBeMistakenFor+"/"+a.Role+"/"+a.Source, b.CouldBeMistakenFor+"/"+b.Role+"/"+b.Source)
	})
	slices.Sort(t.Background)
	return t
}

func cmpStr(a, b string) int { return strings.Compare(a, b) }

// alsoDetectors names the other detectors an actor's records rightly
// trigger, by the definitions the scenario's tests use: a protected
// record; a day of 20 km or more, 60 % of it in rail corridors; a
// VolumeJump of six or more; a stay of two hours or more (less ten
// minutes, as the arrival may add them) within 3 km of a zone with signal
// records.
func (g *gen) alsoDetectors(s *source, st *srcStats) []string {
	var also []string
	add := func(d string, hit bool) {
		if hit && d != s.role.detector {
			also = append(also, d)
		}
	}
	add(Corridor, corridorDay(st))
	add(FixedSite, slices.ContainsFunc(s.stays, func(n *stayNote) bool {
		return n.rows > 0 && n.last-n.first >= 2*3600-600 && n.signalRows > 0 && math.Abs(g.zoneEdge(n.zone, g.point(n.at))) <= 3000
	}))
	add(ProtectedSignal, st.protRows > 0)
	days := make([]int, len(st.perDay))
	for i, n := range st.perDay {
		days[i] = int(n)
	}
	add(Volume, VolumeJump(days) >= 6)
	return also
}

func corridorDay(st *srcStats) bool {
	for d, c := range st.dayCorrKM {
		if c >= 20_000 && c >= 0.6*st.dayKM[d] {
			return true
		}
	}
	return false
}

// VolumeJump is the volume definition the truth's also uses: the largest
// ratio of a day's records (of days with 100 or more) to the upper
// quartile of the source's earlier active days, once it has five of them;
// weekly rhythms are history too, and a handful of records is no volume.
// perDay counts records per day, zero for inactive days.
func VolumeJump(perDay []int) float64 {
	var seen []float64
	best := 0.0
	for _, n := range perDay {
		if n == 0 {
			continue
		}
		if len(seen) >= 5 && n >= 100 {
			best = math.Max(best, float64(n)/upperQuartile(seen))
		}
		seen = append(seen, float64(n))
	}
	return best
}

func (g *gen) date(d int) string { return time.Unix(g.dayStart(d), 0).UTC().Format(time.DateOnly) }

func round(x float64, k int) float64 {
	p := math.Pow(10, float64(k))
	return math.Round(x*p) / p
}

func (g *gen) details(s *source, st *srcStats) Details {
	d := Details{
		File:            s.file,
		Start:           time.Unix(st.first, 0).UTC(),
		End:             time.Unix(st.last, 0).UTC(),
		Records:         st.rows,
		SignalRecords:   st.sigRows,
		ProtectedRecord: st.protRows,
		SamplingS:       s.sampling,
		Zone:            s.zone,
		Lines:           s.lines,
	}
	if s.window[1] > 0 {
		d.Start, d.End = time.Unix(s.window[0], 0).UTC(), time.Unix(s.window[1], 0).UTC()
	}
	if s.role.detector == ProtectedSignal && s.role.kind == kindActor && st.protRows > 0 {
		d.Start, d.End = time.Unix(st.protFirst, 0).UTC(), time.Unix(st.protLast, 0).UTC()
	}
	if s.eventIx >= 0 {
		ix := s.eventIx
		d.Event = &ix
	}
	if s.corridor && (s.role.detector == Corridor || corridorDay(st)) {
		c := &CorridorTruth{KM: round(st.km/1000, 3), CorridorKM: round(st.corrKM/1000, 3), Days: []DayTrack{}}
		if st.km > 0 {
			c.Share = round(st.corrKM/st.km, 4)
		}
		for day := range st.dayKM {
			if st.perDay[day] == 0 {
				continue
			}
			c.Days = append(c.Days, DayTrack{Date: g.date(day), KM: round(st.dayKM[day]/1000, 3), CorridorKM: round(st.dayCorrKM[day]/1000, 3), Records: int(st.perDay[day])})
		}
		d.Corridor = c
	}
	for _, n := range s.stays {
		if n.rows == 0 {
			continue
		}
		p := g.point(n.at)
		d.Stays = append(d.Stays, Stay{
			Start: time.Unix(n.first, 0).UTC(), End: time.Unix(n.last, 0).UTC(),
			Lat: round7(p.Lat), Lon: round7(p.Lon), Zone: n.zone,
			DistanceM: round(g.zoneEdge(n.zone, p), 1), RadiusM: round(n.maxDev, 1),
			Records: n.rows, SignalRecords: n.signalRows,
		})
	}
	if s.volume != nil {
		d.Volume = g.volumeTruth(s, st)
	}
	return d
}

func (g *gen) volumeTruth(s *source, st *srcStats) *VolumeTruth {
	v := &VolumeTruth{PerDay: []DayCount{}}
	var base []float64
	firstSpike := g.cfg.Days
	for _, d := range s.volume.spikes {
		firstSpike = min(firstSpike, d)
	}
	for d := range g.cfg.Days {
		n := int(st.perDay[d])
		if n == 0 {
			continue
		}
		dc := DayCount{Date: g.date(d), Records: n, Bytes: st.bytesDay[d]}
		v.PerDay = append(v.PerDay, dc)
		if d < firstSpike {
			base = append(base, float64(n))
		}
		if slices.Contains(s.volume.spikes, d) {
			v.SpikeDays = append(v.SpikeDays, dc)
		}
	}
	v.BaselinePerDay = median(base)
	for _, sd := range v.SpikeDays {
		if v.BaselinePerDay > 0 {
			v.Factor = math.Max(v.Factor, round(float64(sd.Records)/v.BaselinePerDay, 2))
		}
	}
	return v
}

// upperQuartile is the value three quarters up the sorted x.
func upperQuartile(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s[len(s)*3/4]
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
