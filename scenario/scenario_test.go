package scenario_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/csv"
	"github.com/geowarden/geowarden/internal/cli"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/scenario"
	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/cell"
)

// The scenario most tests read: two weeks at a tenth of the population.
// GEOWARDEN_SCENARIO="SEED DAYS SCALE" checks another one.
var testConfig = scenario.Config{Seed: 11, Days: 14, Scale: 0.1}

var tmpRoot string

func TestMain(m *testing.M) {
	if v := os.Getenv("GEOWARDEN_SCENARIO"); v != "" {
		if _, err := fmt.Sscan(v, &testConfig.Seed, &testConfig.Days, &testConfig.Scale); err != nil {
			fmt.Fprintf(os.Stderr, "GEOWARDEN_SCENARIO=%q: want SEED DAYS SCALE: %v\n", v, err)
			os.Exit(2)
		}
	}
	var err error
	tmpRoot, err = os.MkdirTemp("", "geowarden-scenario")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(tmpRoot)
	os.Exit(code)
}

// row is what the tests keep of a record read back with geowarden's CSV
// reader.
type row struct {
	t         int64
	p         geowarden.Point
	kind      geowarden.Kind
	signal    bool // any radio attribute
	protected bool // in a signal class of the scenario's policy
	freq      float64
}

type fixture struct {
	dir   string
	truth *scenario.Truth
	rows  map[string][]row // by source, in time order
	file  map[string]string
	ix    *cell.Index
	zone  map[string]int32
	pol   *policy.Policy
}

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
)

// load generates the test scenario once and reads every record back.
func load(t *testing.T) *fixture {
	t.Helper()
	fixOnce.Do(func() {
		dir := filepath.Join(tmpRoot, "main")
		f := &fixture{dir: dir, rows: map[string][]row{}, file: map[string]string{}, zone: map[string]int32{}}
		f.truth, fixErr = scenario.Generate(dir, testConfig)
		if fixErr != nil {
			return
		}
		if f.pol, fixErr = policy.Load(filepath.Join(dir, scenario.PolicyFile)); fixErr != nil {
			return
		}
		set, err := zone.LoadFile(filepath.Join(dir, scenario.ZonesFile))
		if err != nil {
			fixErr = err
			return
		}
		f.ix = cell.Build(set)
		for i, z := range f.ix.Zones() {
			f.zone[z.ID] = int32(i)
		}
		files, err := filepath.Glob(filepath.Join(dir, scenario.PerSource, "*.csv"))
		if err != nil {
			fixErr = err
			return
		}
		files = append([]string{filepath.Join(dir, scenario.RecordsFile)}, files...)
		for _, path := range files {
			if fixErr = f.read(path); fixErr != nil {
				return
			}
		}
		fix = f
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

// reader collects the records of one file.
type reader struct {
	f      *fixture
	path   string
	source string // the file's source when it has no source column
	last   int64
	err    error
}

func (h *reader) Record(rec *geowarden.Record) geowarden.Edit {
	src := rec.Source
	if src == "" {
		src = h.source
	}
	ts := rec.Time.Unix()
	if rec.Time.IsZero() && h.err == nil {
		h.err = fmt.Errorf("%s: no time", rec.Ref)
	}
	if ts < h.last && h.err == nil {
		h.err = fmt.Errorf("%s: time %s before the row above", rec.Ref, rec.Time.Format(time.RFC3339))
	}
	h.last = ts
	r := row{t: ts, p: rec.Pos, kind: rec.Kind, signal: !rec.Signal.IsZero(), freq: rec.Signal.FreqMHz}
	for i := range h.f.pol.Signals {
		if h.f.pol.Signals[i].Match(&rec.Signal) {
			r.protected = true
		}
	}
	h.f.rows[src] = append(h.f.rows[src], r)
	if prev, ok := h.f.file[src]; ok && prev != h.path && h.err == nil {
		h.err = fmt.Errorf("%s: source %s also appears in %s", rec.Ref, src, prev)
	}
	h.f.file[src] = h.path
	return geowarden.Keep
}

func (h *reader) Bad(err *format.ParseError) error { return err }

func (f *fixture) read(path string) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	h := &reader{f: f, path: path}
	if filepath.Base(filepath.Dir(path)) == scenario.PerSource {
		h.source = strings.TrimSuffix(filepath.Base(path), ".csv")
	}
	if err := (csv.Codec{}).Rewrite(context.Background(), in, nil, h, &format.Options{Name: path}); err != nil {
		return err
	}
	return h.err
}

// entries returns every actor and decoy by source, with its role and
// detector.
type entry struct {
	role, detector string
	actor          bool
	d              scenario.Details
	also           []string
}

func (f *fixture) entries() map[string]entry {
	m := map[string]entry{}
	for _, a := range f.truth.Actors {
		m[a.Source] = entry{a.Role, a.Detector, true, a.Details, a.Also}
	}
	for _, d := range f.truth.Decoys {
		m[d.Source] = entry{d.Role, d.CouldBeMistakenFor, false, d.Details, nil}
	}
	return m
}

func TestDeterministic(t *testing.T) {
	cfg := scenario.Config{Seed: 5, Days: 6, Scale: 0.05}
	a, b := filepath.Join(tmpRoot, "det-a"), filepath.Join(tmpRoot, "det-b")
	if _, err := scenario.Generate(a, cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := scenario.Generate(b, cfg); err != nil {
		t.Fatal(err)
	}
	fa, fb := tree(t, a), tree(t, b)
	if len(fa) < 5 {
		t.Fatalf("only %d files written", len(fa))
	}
	for name, da := range fa {
		if db, ok := fb[name]; !ok {
			t.Errorf("%s: only in the first run", name)
		} else if !bytes.Equal(da, db) {
			t.Errorf("%s: differs between two runs with the same seed", name)
		}
	}
	if len(fa) != len(fb) {
		t.Errorf("%d files, then %d", len(fa), len(fb))
	}
	// Another seed gives another scenario.
	c := filepath.Join(tmpRoot, "det-c")
	cfg.Seed = 6
	if _, err := scenario.Generate(c, cfg); err != nil {
		t.Fatal(err)
	}
	fc := tree(t, c)
	for _, name := range []string{scenario.RecordsFile, scenario.ZonesFile, scenario.TruthFile} {
		if bytes.Equal(fa[name], fc[name]) {
			t.Errorf("%s: seeds 5 and 6 give the same file", name)
		}
	}
}

func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []scenario.Config{
		{Seed: 1, Days: -1},
		{Seed: 1, Days: scenario.MaxDays + 1},
		{Seed: 1, Scale: math.NaN()},
		{Seed: 1, Scale: 0.001},
		{Seed: 1, Scale: 100},
	} {
		if _, err := scenario.Generate(filepath.Join(tmpRoot, "bad"), c); err == nil {
			t.Errorf("Generate(%+v) succeeded, want an error", c)
		}
	}
}

func TestZones(t *testing.T) {
	f := load(t)
	var rail, military, circles int
	for _, z := range f.ix.Zones() {
		switch z.Geometry {
		case zone.Corridor:
			rail++
			if z.Class != "rail" || z.BufferM != 500 {
				t.Errorf("%s: class %q buffer %v, want rail 500", z.ID, z.Class, z.BufferM)
			}
			km := 0.0
			for _, l := range z.Lines {
				for i := 1; i < len(l); i++ {
					km += zone.Distance(l[i-1], l[i]) / 1000
				}
			}
			if km < 40 || km > 255 {
				t.Errorf("%s: %.1f km long, want 40 to 250", z.ID, km)
			}
		case zone.Area:
			military++
			if z.Class != "military" {
				t.Errorf("%s: polygon of class %q", z.ID, z.Class)
			}
		case zone.Circle:
			circles++
			if z.BufferM < 300 || z.BufferM > 1500 {
				t.Errorf("%s: radius %v outside 300..1500 m", z.ID, z.BufferM)
			}
		}
	}
	if rail < 4 || rail > 8 || military < 2 || circles < 5 {
		t.Errorf("%d rail lines, %d military areas, %d circles; want 4-8, at least 2 and 5", rail, military, circles)
	}
	if len(f.truth.Region.RailLines) != rail || len(f.truth.Region.Sites) != military+circles {
		t.Errorf("truth lists %d lines and %d sites, the zone file has %d and %d",
			len(f.truth.Region.RailLines), len(f.truth.Region.Sites), rail, military+circles)
	}
}

// TestCommandLine runs geowarden itself on the scenario: zones info,
// check and scan accept every file.
func TestCommandLine(t *testing.T) {
	f := load(t)
	pol := filepath.Join(f.dir, scenario.PolicyFile)
	for _, c := range []struct {
		args  []string
		codes []int
	}{
		{[]string{"zones", "info", filepath.Join(f.dir, scenario.ZonesFile)}, []int{0}},
		{[]string{"check", pol}, []int{0}},
		{[]string{"scan", "--policy", pol, "--format", "json", filepath.Join(f.dir, scenario.RecordsFile), filepath.Join(f.dir, scenario.PerSource)}, []int{0, 1}},
	} {
		var out, errOut bytes.Buffer
		code := cli.Main(c.args, strings.NewReader(""), &out, &errOut)
		if !slices.Contains(c.codes, code) {
			t.Errorf("geowarden %s: exit %d, want %v\n%s", strings.Join(c.args, " "), code, c.codes, errOut.String())
		}
	}
}

func TestPolicy(t *testing.T) {
	f := load(t)
	var ids []string
	for _, s := range f.pol.Signals {
		ids = append(ids, s.ID)
	}
	if !slices.Equal(ids, []string{"gsm-r", "railway-network"}) {
		t.Fatalf("signal classes %v", ids)
	}
	bands := f.pol.Signals[0].Bands
	want := []geowarden.Band{{LoMHz: 876, HiMHz: 880}, {LoMHz: 921, HiMHz: 925}, {LoMHz: 873, HiMHz: 876}, {LoMHz: 918, HiMHz: 921}, {LoMHz: 874.4, HiMHz: 880}, {LoMHz: 919.4, HiMHz: 925}, {LoMHz: 1900, HiMHz: 1910}}
	if !slices.Equal(bands, want) {
		t.Errorf("gsm-r bands %v, want %v", bands, want)
	}
	nw := f.pol.Signals[1].Networks
	if len(nw) != 1 || nw[0].String() != f.truth.Region.RailwayNetwork {
		t.Errorf("railway-network %v, truth says %s", nw, f.truth.Region.RailwayNetwork)
	}
}

func TestTruthReadsBack(t *testing.T) {
	f := load(t)
	in, err := os.Open(filepath.Join(f.dir, scenario.TruthFile))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	got, err := scenario.ReadTruth(scenario.TruthFile, in)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := got.Marshal()
	b, _ := f.truth.Marshal()
	if !bytes.Equal(a, b) {
		t.Error("truth read back differs from the truth Generate returned")
	}
	if got.Seed != testConfig.Seed || got.Days != testConfig.Days || got.End.Sub(got.Start) != time.Duration(testConfig.Days)*24*time.Hour {
		t.Errorf("seed %d, days %d, %s to %s", got.Seed, got.Days, got.Start, got.End)
	}
}

// TestEverySourceListed: the records hold exactly the sources the truth
// lists, with the stated numbers of records, inside the period; the
// per-source files hold the sources the truth names, and no other file
// does.
func TestEverySourceListed(t *testing.T) {
	f := load(t)
	listed := map[string]int{}
	for _, a := range f.truth.Actors {
		listed[a.Source] = a.Records
	}
	for _, d := range f.truth.Decoys {
		listed[d.Source] = d.Records
	}
	for _, s := range f.truth.Background {
		listed[s] = -1
	}
	total := 0
	start, end := f.truth.Start.Unix(), f.truth.End.Unix()
	for src, rows := range f.rows {
		total += len(rows)
		n, ok := listed[src]
		if !ok {
			t.Errorf("source %s is in the records but not in the truth", src)
			continue
		}
		if n >= 0 && n != len(rows) {
			t.Errorf("source %s: truth says %d records, the files hold %d", src, n, len(rows))
		}
		if rows[0].t < start || rows[len(rows)-1].t >= end {
			t.Errorf("source %s: records from %d to %d, outside the period", src, rows[0].t, rows[len(rows)-1].t)
		}
		// A device is in one place at a time: rows of the same second
		// (a cell and its neighbours, a Wi-Fi scan) share a position,
		// and nothing moves faster than a fast train.
		for i := 1; i < len(rows); i++ {
			a, b := rows[i-1], rows[i]
			at := time.Unix(b.t, 0).UTC().Format(time.RFC3339)
			if b.t == a.t && b.p != a.p {
				t.Errorf("source %s: two positions at %s", src, at)
				break
			}
			if dt := b.t - a.t; dt > 0 && dt <= 300 {
				if v := zone.Distance(a.p, b.p) / float64(dt) * 3.6; v > 260 {
					t.Errorf("source %s: %.0f km/h at %s", src, v, at)
					break
				}
			}
		}
	}
	for src := range listed {
		if _, ok := f.rows[src]; !ok {
			t.Errorf("source %s is in the truth but has no records", src)
		}
	}
	if total != f.truth.Records || len(f.rows) != f.truth.Sources {
		t.Errorf("%d records of %d sources; truth says %d of %d", total, len(f.rows), f.truth.Records, f.truth.Sources)
	}
	if len(f.truth.Files.PerSource) < 2 {
		t.Errorf("%d per-source files, want a few", len(f.truth.Files.PerSource))
	}
	for src, file := range f.truth.Files.PerSource {
		if got := f.file[src]; got != filepath.Join(f.dir, file) {
			t.Errorf("source %s: records in %s, truth says %s", src, got, file)
		}
	}
	head, err := os.ReadFile(filepath.Join(f.dir, scenario.RecordsFile))
	if err != nil {
		t.Fatal(err)
	}
	if h := string(head[:bytes.IndexByte(head, '\n')]); !strings.HasPrefix(h, "source,time,lat,lon,") {
		t.Errorf("records.csv header %q", h)
	}
}

// TestRoles: each detector has actors and decoys, and the roles the
// scenario promises are there.
func TestRoles(t *testing.T) {
	if testConfig.Days < 7 {
		t.Skip("a period this short may hold only a weekend")
	}
	f := load(t)
	roles := map[string]int{}
	for _, e := range f.entries() {
		roles[e.role]++
	}
	want := []string{
		"fixed-site-capture", "gsm-r-scanner", "rail-commuter", "long-distance-traveller", "driver-crossing-rail",
		"road-traffic", "parked-car", "resident-near-zone", "site-worker", "near-band-measurements",
	}
	if testConfig.Days >= 3 {
		want = append(want, "crowd-collector")
	}
	if testConfig.Days >= 7 {
		want = append(want, "market-visitor")
	}
	if testConfig.Days >= 10 {
		want = append(want, "bulk-collector", "variable-contributor", "new-big-source")
	}
	for _, r := range want {
		if roles[r] == 0 {
			t.Errorf("no %s", r)
		}
	}
	if roles["drive-tester-road"]+roles["drive-tester-train"] < 2 {
		t.Errorf("%d drive-testers", roles["drive-tester-road"]+roles["drive-tester-train"])
	}
	if len(f.truth.Background) < 8 {
		t.Errorf("%d background sources", len(f.truth.Background))
	}
}

// track measures the length of a source's track and the part of it in
// corridors, per UTC day, over rows at most five minutes apart.
func (f *fixture) track(rows []row) (km, corrKM map[string]float64) {
	km, corrKM = map[string]float64{}, map[string]float64{}
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1], rows[i]
		if b.t-a.t > 300 || a.p == b.p {
			continue
		}
		day := time.Unix(b.t, 0).UTC().Format(time.DateOnly)
		km[day] += zone.Distance(a.p, b.p) / 1000
		corrKM[day] += f.ix.CorridorLength(a.p, b.p) / 1000
	}
	return km, corrKM
}

func TestDriveTesters(t *testing.T) {
	f := load(t)
	for src, e := range f.entries() {
		if e.d.Corridor == nil {
			continue
		}
		km, corr := f.track(f.rows[src])
		var sumKM, sumCorr float64
		for _, d := range e.d.Corridor.Days {
			sumKM += d.KM
			sumCorr += d.CorridorKM
			if math.Abs(km[d.Date]-d.KM) > 0.01*d.KM+0.05 || math.Abs(corr[d.Date]-d.CorridorKM) > 0.01*d.CorridorKM+0.05 {
				t.Errorf("%s %s %s: measured %.2f km, %.2f in corridors; truth says %.2f and %.2f",
					e.role, src, d.Date, km[d.Date], corr[d.Date], d.KM, d.CorridorKM)
			}
		}
		if math.Abs(sumKM-e.d.Corridor.KM) > 0.01 || math.Abs(sumCorr-e.d.Corridor.CorridorKM) > 0.01 {
			t.Errorf("%s %s: days add up to %.3f km (%.3f in corridors), total says %.3f (%.3f)", e.role, src, sumKM, sumCorr, e.d.Corridor.KM, e.d.Corridor.CorridorKM)
		}
		if !strings.HasPrefix(e.role, "drive-tester") {
			continue
		}
		if !e.actor || e.detector != scenario.Corridor {
			t.Errorf("%s %s: detector %s", e.role, src, e.detector)
		}
		if len(e.d.Corridor.Days) < 3 && testConfig.Days >= 7 {
			t.Errorf("%s %s: active on %d days, want several", e.role, src, len(e.d.Corridor.Days))
		}
		if e.d.Corridor.Share < 0.6 || e.d.Corridor.CorridorKM < 20 {
			t.Errorf("%s %s: %.1f km in corridors, share %.2f", e.role, src, e.d.Corridor.CorridorKM, e.d.Corridor.Share)
		}
		for _, d := range e.d.Corridor.Days {
			if d.KM < 45 || d.KM > 440 {
				t.Errorf("%s %s %s: %.1f km, want 50 to 400", e.role, src, d.Date, d.KM)
			}
		}
		if e.d.SignalRecords < e.d.Records*9/10 {
			t.Errorf("%s %s: %d of %d records are signals", e.role, src, e.d.SignalRecords, e.d.Records)
		}
		if e.d.SamplingS[0] < 1 || e.d.SamplingS[1] > 6 {
			t.Errorf("%s %s: sampling %v s", e.role, src, e.d.SamplingS)
		}
	}
}

// TestCommuters: rail commuters ride the same stretch day after day,
// 15 to 60 km each way, almost all of it in the corridor.
func TestCommuters(t *testing.T) {
	if testConfig.Days < 7 {
		t.Skip("a period this short may hold only a weekend")
	}
	f := load(t)
	n := 0
	for src, e := range f.entries() {
		if e.role != "rail-commuter" {
			continue
		}
		n++
		if len(e.d.Corridor.Days) < 3 && testConfig.Days >= 14 {
			t.Errorf("%s: commutes on %d days", src, len(e.d.Corridor.Days))
		}
		for _, d := range e.d.Corridor.Days {
			if d.KM < 28 || d.KM > 135 {
				t.Errorf("%s %s: %.1f km a day, want two trips of 15 to 60 km", src, d.Date, d.KM)
			}
			if d.CorridorKM < 0.8*d.KM {
				t.Errorf("%s %s: %.1f of %.1f km in the corridor", src, d.Date, d.CorridorKM, d.KM)
			}
		}
	}
	if n == 0 {
		t.Fatal("no rail commuters")
	}
}

// TestCrowds counts, with geowarden's zone index, the distinct sources
// inside each event's zone or within its margin during the window.
func TestCrowds(t *testing.T) {
	if testConfig.Days < 3 {
		t.Skip("crowds need three days or more")
	}
	f := load(t)
	if len(f.truth.Events) < 2 {
		t.Fatalf("%d events", len(f.truth.Events))
	}
	for i, e := range f.truth.Events {
		z, ok := f.zone[e.Zone]
		if !ok {
			t.Fatalf("event %d: unknown zone %q", i, e.Zone)
		}
		near := map[string]bool{}
		for src, rows := range f.rows {
			for _, r := range rows {
				if r.t < e.Start.Unix() || r.t > e.End.Unix() {
					continue
				}
				if f.inOrNear(r.p, z, e.MarginM) {
					near[src] = true
					break
				}
			}
		}
		if len(near) != e.InWindow {
			t.Errorf("event %d at %s: %d distinct sources in the window, truth says %d", i, e.Zone, len(near), e.InWindow)
		}
		for _, s := range e.Sources {
			if !near[s] {
				t.Errorf("event %d: source %s is not inside or near %s in the window", i, s, e.Zone)
			}
		}
		if n := len(e.Sources); n < 15 || n > 80 {
			t.Errorf("event %d: %d sources, want 15 to 80", i, n)
		}
		if h := e.End.Sub(e.Start).Hours(); h < 1 || h > 4.01 {
			t.Errorf("event %d: window of %.2f h", i, h)
		}
		if float64(len(e.Sources)) < 3*e.OtherDaysMedian || len(e.Sources) < 2*e.OtherDaysMax {
			t.Errorf("event %d: %d sources, not far above other days (median %.1f, max %d)", i, len(e.Sources), e.OtherDaysMedian, e.OtherDaysMax)
		}
	}
}

func (f *fixture) inOrNear(p geowarden.Point, z int32, margin float64) bool {
	var buf [8]int32
	if slices.Contains(f.ix.Contains(p, buf[:0]), z) {
		return true
	}
	return f.ix.Distance(p, z) <= margin
}

// TestFixedSites: captures stand within about 30 m for two hours or more
// within 3 km of a zone, recording signals; parked cars near zones record
// only fixes.
func TestFixedSites(t *testing.T) {
	f := load(t)
	for src, e := range f.entries() {
		if e.detector != scenario.FixedSite {
			continue
		}
		for _, s := range e.d.Stays {
			z, ok := f.zone[s.Zone]
			if !ok {
				t.Fatalf("%s: unknown zone %q", src, s.Zone)
			}
			at := geowarden.Point{Lon: s.Lon, Lat: s.Lat}
			if d := f.ix.Distance(at, z); math.Abs(d-math.Abs(s.DistanceM)) > 0.5 {
				t.Errorf("%s: stay %.1f m from %s, truth says %.1f", src, d, s.Zone, s.DistanceM)
			}
			n, sig, far := 0, 0, 0.0
			for _, r := range f.rows[src] {
				if r.t >= s.Start.Unix() && r.t <= s.End.Unix() {
					n++
					if r.signal {
						sig++
					}
					far = math.Max(far, zone.Distance(at, r.p))
				}
			}
			if n != s.Records || sig != s.SignalRecords {
				t.Errorf("%s: %d records (%d signals) in the stay, truth says %d (%d)", src, n, sig, s.Records, s.SignalRecords)
			}
			if far > s.RadiusM+0.5 || far > 35 {
				t.Errorf("%s: a record %.1f m from the stay's position (truth: radius %.1f m)", src, far, s.RadiusM)
			}
			switch e.role {
			case "fixed-site-capture":
				if s.End.Sub(s.Start) < 2*time.Hour-time.Minute || math.Abs(s.DistanceM) > 3000 || sig < n*9/10 {
					t.Errorf("%s: stay of %s, %.0f m from %s, %d of %d signals", src, s.End.Sub(s.Start), s.DistanceM, s.Zone, sig, n)
				}
			case "parked-car", "site-worker":
				if sig != 0 {
					t.Errorf("%s %s: %d signal records while parked", e.role, src, sig)
				}
			}
		}
		if e.role == "fixed-site-capture" && len(e.d.Stays) == 0 {
			t.Errorf("%s: no stays", src)
		}
	}
}

// TestProtectedSignals: the sources with records in the policy's signal
// classes (as geowarden reads them) are exactly the actors that say so;
// the near-band decoys record channels within 5 MHz of the bands but
// never in them.
func TestProtectedSignals(t *testing.T) {
	f := load(t)
	ents := f.entries()
	for src, rows := range f.rows {
		n := 0
		for _, r := range rows {
			if r.protected {
				n++
			}
		}
		e := ents[src]
		want := e.actor && (e.detector == scenario.ProtectedSignal || slices.Contains(e.also, scenario.ProtectedSignal))
		if (n > 0) != want {
			t.Errorf("source %s (%q): %d protected records; listed as protected-signal actor: %v", src, e.role, n, want)
		}
		if want && n != e.d.ProtectedRecord {
			t.Errorf("source %s: %d protected records, truth says %d", src, n, e.d.ProtectedRecord)
		}
		if e.role == "near-band-measurements" {
			near := 0
			for _, r := range rows {
				if r.freq > 0 && (math.Abs(r.freq-925) < 5 || math.Abs(r.freq-935) < 5 || math.Abs(r.freq-882.5) < 3) {
					near++
				}
			}
			if near == 0 {
				t.Errorf("near-band decoy %s has no record near the bands", src)
			}
		}
	}
}

// daily counts a source's records per UTC day of the period.
func (f *fixture) daily(rows []row) []int {
	out := make([]int, f.truth.Days)
	for _, r := range rows {
		out[int((r.t-f.truth.Start.Unix())/86400)]++
	}
	return out
}

func TestVolume(t *testing.T) {
	if testConfig.Days < 10 {
		t.Skip("volume actors need ten days or more")
	}
	f := load(t)
	actors := 0
	for src, e := range f.entries() {
		if e.d.Volume == nil {
			continue
		}
		days := f.daily(f.rows[src])
		for _, dc := range e.d.Volume.PerDay {
			d, _ := time.Parse(time.DateOnly, dc.Date)
			if k := int(d.Sub(f.truth.Start).Hours() / 24); days[k] != dc.Records {
				t.Errorf("%s %s: %d records, truth says %d", src, dc.Date, days[k], dc.Records)
			}
		}
		j := scenario.VolumeJump(days)
		switch e.role {
		case "bulk-collector":
			actors++
			if e.d.Volume.Factor < 10 || j < 8 {
				t.Errorf("%s: spike factor %.1f (jump over earlier days %.1f), want 10 or more", src, e.d.Volume.Factor, j)
			}
		default:
			if j >= 6 {
				t.Errorf("%s %s: a day %.1f times its usual volume", e.role, src, j)
			}
		}
	}
	if actors == 0 {
		t.Error("no volume actors")
	}
}

// TestBackgroundQuiet: ordinary sources trigger no detector by the
// definitions the scenario's actors are built to: no protected signals,
// no day of 20 km or more mostly in rail corridors, no volume jumps,
// no signal recording standing still for two hours near a zone.
func TestBackgroundQuiet(t *testing.T) {
	f := load(t)
	for _, src := range f.truth.Background {
		rows := f.rows[src]
		km, corr := f.track(rows)
		for day, k := range km {
			if corr[day] >= 20 && corr[day] >= 0.6*k {
				t.Errorf("background %s %s: %.1f of %.1f km in rail corridors", src, day, corr[day], k)
			}
		}
		for _, r := range rows {
			if r.protected {
				t.Errorf("background %s: protected record", src)
				break
			}
		}
		if j := scenario.VolumeJump(f.daily(rows)); j >= 6 {
			t.Errorf("background %s: a day %.1f times its usual volume: %v", src, j, f.daily(rows))
		}
		if d, near := f.longestSignalStay(rows); d >= 2*time.Hour && near {
			t.Errorf("background %s: stood still %s near a zone recording signals", src, d)
		}
	}
}

// TestDecoysStayInLane: a decoy looks like an actor of one detector
// only; by the definitions TestBackgroundQuiet uses it triggers no
// other. An actor that meets another detector's definition lists it in
// also.
func TestDecoysStayInLane(t *testing.T) {
	f := load(t)
	for src, e := range f.entries() {
		rows := f.rows[src]
		var hits []string
		km, corr := f.track(rows)
		for day, k := range km {
			if corr[day] >= 20 && corr[day] >= 0.6*k {
				hits = append(hits, scenario.Corridor)
				break
			}
		}
		if j := scenario.VolumeJump(f.daily(rows)); j >= 6 {
			hits = append(hits, scenario.Volume)
		}
		if d, near := f.longestSignalStay(rows); d >= 2*time.Hour && near {
			hits = append(hits, scenario.FixedSite)
		}
		for _, h := range hits {
			switch {
			case h == e.detector:
			case e.actor && !slices.Contains(e.also, h):
				t.Errorf("%s %s: meets the %s definition but does not list it in also %v", e.role, src, h, e.also)
			case !e.actor:
				t.Errorf("decoy %s %s (for %s): meets the %s definition", e.role, src, e.detector, h)
			}
		}
	}
}

// longestSignalStay returns the longest time a source's rows stayed within
// 50 m of where they began, among stays with signal records, and whether
// that stay was within 3 km of a zone.
func (f *fixture) longestSignalStay(rows []row) (time.Duration, bool) {
	best, near := time.Duration(0), false
	for i := 0; i < len(rows); {
		j, sig := i, false
		for j < len(rows) && zone.Distance(rows[i].p, rows[j].p) <= 50 && (j == i || rows[j].t-rows[j-1].t <= 1800) {
			sig = sig || rows[j].signal
			j++
		}
		if d := time.Duration(rows[j-1].t-rows[i].t) * time.Second; sig && d > best {
			best, near = d, f.nearZone(rows[i].p, 3000)
		}
		i = j
	}
	return best, near
}

func (f *fixture) nearZone(p geowarden.Point, m float64) bool {
	for z := range f.ix.Zones() {
		if f.inOrNear(p, int32(z), m) {
			return true
		}
	}
	return false
}

func TestReadTruthErrors(t *testing.T) {
	f := load(t)
	good, err := os.ReadFile(filepath.Join(f.dir, scenario.TruthFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, in, want string
	}{
		{"syntax", "{\n  \"seed\": 1,\n  \"days\": x\n}", "t.json:3:"},
		{"type", "{\"seed\": \"one\"}", "t.json:1:"},
		{"unknown field", "{\"seeds\": 1}", "unknown field"},
		{"no days", "{\"seed\": 1}", "days 0"},
		{"trailing", string(good) + "{}", "data after"},
		{"bad detector", strings.Replace(string(good), `"could_be_mistaken_for": "`, `"could_be_mistaken_for": "no-`, 1), "unknown detector"},
		{"duplicate source", strings.Replace(string(good), `"background": [`, `"background": ["`+f.truth.Actors[0].Source+`",`, 1), "already listed"},
	} {
		_, err := scenario.ReadTruth("t.json", strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func FuzzReadTruth(f *testing.F) {
	f.Add([]byte(`{"seed":1,"days":2,"start":"2025-01-01T00:00:00Z","end":"2025-01-03T00:00:00Z","actors":[{"source":"a","role":"x","detector":"volume","start":"2025-01-01T00:00:00Z","end":"2025-01-01T00:00:00Z"}],"background":["b"],"events":[{"detector":"convergence","sources":["a"]}]}`))
	f.Add([]byte(`{"seed":1,"days":2}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := scenario.ReadTruth("fuzz.json", bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "scenario: fuzz.json") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		// What reads must write and read again to the same truth.
		out, err := tr.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		again, err := scenario.ReadTruth("again.json", bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-reading a truth that read: %v\n%s", err, out)
		}
		out2, _ := again.Marshal()
		if !bytes.Equal(out, out2) {
			t.Fatalf("round trip changed the truth:\n%s\n%s", out, out2)
		}
	})
}
