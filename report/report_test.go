package report

import (
	"bytes"
	"flag"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/suppress"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name.golden, or rewrites the file
// with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	formattest.Golden(t, filepath.Join("testdata", name+".golden"), got, *update)
}

// dir is the folder the sample files lie in, as the run's current folder.
var dir = filepath.FromSlash("/data/run")

func ptr[T any](v T) *T { return &v }

// sampleFindings cover the shapes a finding takes: a line, a feature
// without a line, a byte offset, no position, standard input, a file
// outside the run's folder, a reader's notice, strings to escape.
func sampleFindings() []geowarden.Finding {
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	fs := []geowarden.Finding{
		{File: "drive/log.csv", Line: 12, Offset: 800, Lat: ptr(52.52), Lon: ptr(13.405), Time: &t0, Kind: "cell",
			Zones: []string{"rail-1"}, Classes: []string{"rail"}, Signals: []string{"gsm-r"}, Rule: "rail-signal", Action: "drop",
			Severity: geowarden.SeverityHigh, Source: "van-7"},
		{File: "zones/sites.geojson", Line: 0, Feature: ptr(3), Offset: 1200, Lat: ptr(-33.8688), Lon: ptr(151.2093), Kind: "feature",
			Zones: []string{"base-2", "airport-SYD"}, Classes: []string{"military", "airport"}, Signals: []string{}, Rule: "military", Action: "block",
			Severity: geowarden.SeverityCritical},
		{File: "photos/img.jpg", Offset: 4096, Lat: ptr(0.0), Lon: ptr(0.0), Kind: "photo", Zones: []string{"<site & co>"},
			Rule: "coarsen-all", Action: "coarsen", Severity: geowarden.SeverityLow, Detail: `EXIF "GPS" tags`},
		{File: "-", Line: 2, Kind: "wifi", Signals: []string{"wifi-private"}, Rule: "wifi", Action: "pseudonymise", Severity: geowarden.SeverityMedium},
		{File: filepath.FromSlash("/elsewhere/track.gpx"), Line: 40, Lat: ptr(48.8566), Lon: ptr(2.3522), Kind: "position", Zones: []string{"paris"},
			Rule: "city", Action: "cut", Severity: geowarden.SeverityInfo},
		{File: "drive/log.csv", Line: 13, Offset: 880, Kind: "binary", Rule: "notice:binary", Action: "drop", Severity: geowarden.SeverityLow,
			Detail: "binary data between records"},
	}
	for i := range fs {
		fs[i].SetFingerprint()
	}
	return fs
}

func sampleOptions() *Options {
	return &Options{
		Title:    "geowarden test: sample.yml",
		Policy:   "sample.yml",
		Revision: "0123456789abcdef0123456789abcdef",
		Version:  "v0.0.0-test",
		Rules: []Rule{
			{ID: "military", Description: "Military sites.", Action: "block", Severity: geowarden.SeverityCritical},
			{ID: "rail-signal", Action: "drop", Severity: geowarden.SeverityHigh},
			{ID: "strip-exif", Action: "strip", Severity: geowarden.SeverityNone},
			{ID: "wifi", Description: "Private Wi-Fi networks", Action: "pseudonymise", Severity: geowarden.SeverityMedium},
			{ID: "coarsen-all", Action: "coarsen", Severity: geowarden.SeverityLow},
			{ID: "city", Action: "cut", Severity: geowarden.SeverityInfo},
		},
		Detectors: []string{"corridor", "convergence", "fixed_site", "volume"},
		Dir:       dir,
		Now:       time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC),
	}
}

var (
	baselineEntry = &suppress.Entry{Kind: suppress.Baseline, File: "old.json", Line: 1}
	ignoreEntry   = &suppress.Entry{Kind: suppress.Ignore, File: ".geowardenignore", Line: 3,
		Expires: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), Reason: "reviewed <ok>"}
	expiredEntry = &suppress.Entry{Fingerprint: "00112233445566778899aabb", Kind: suppress.Ignore, File: ".geowardenignore", Line: 4,
		Expires: time.Date(2020, 6, 30, 0, 0, 0, 0, time.UTC), Reason: "trial"}
)

func sampleSuppressed() *SuppressedSummary {
	return &SuppressedSummary{Total: 2, Baseline: 1, Ignore: 1, ByRule: map[string]int64{"military": 1, "corridor": 1},
		Expired: []ExpiredIgnore{{Fingerprint: expiredEntry.Fingerprint, Expires: expiredEntry.ExpiryDate(), Reason: expiredEntry.Reason,
			Source: expiredEntry.Source(), Entry: expiredEntry}}}
}

func sampleSummary(fs []geowarden.Finding, sup *SuppressedSummary) *Summary {
	s := NewSummary("sample.yml", "0123456789abcdef0123456789abcdef")
	s.Files = 4
	s.Stats = geowarden.Stats{Records: 1000, Kept: 990, Dropped: 8, Modified: 2, Bad: 1, Findings: int64(len(fs)),
		BadErrors: []string{"drive/log.csv:99: bad latitude \"x\""}}
	for i := range fs {
		s.Count(&fs[i])
	}
	s.Skipped = []Skipped{{Path: "notes/readme.md", Reason: "unrecognised format"}}
	s.Errors = []string{"broken.kml: unexpected EOF"}
	s.Suppressed = sup
	s.ExitCode = 1
	return s
}

// writeFindings writes fs through the named format; the second finding
// (and with sup the fourth) is suppressed by a baseline (an ignore entry).
func writeFindings(t *testing.T, name string, fs []geowarden.Finding, sup bool) []byte {
	t.Helper()
	var b bytes.Buffer
	r, err := New(name, &b, sampleOptions())
	if err != nil {
		t.Fatal(err)
	}
	var shown []geowarden.Finding
	for i := range fs {
		switch {
		case sup && i == 1:
			err = r.Suppressed(&fs[i], baselineEntry)
		case sup && i == 3:
			err = r.Suppressed(&fs[i], ignoreEntry)
		default:
			shown = append(shown, fs[i])
			err = r.Finding(&fs[i])
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var ss *SuppressedSummary
	if sup {
		ss = sampleSuppressed()
	}
	if err := r.Close(sampleSummary(shown, ss)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sampleAlerts() []geowarden.Alert {
	t0 := time.Date(2025, 1, 20, 6, 0, 0, 0, time.UTC)
	return []geowarden.Alert{
		{Detector: "corridor", Sources: []string{"van-7"}, Zone: "rail-1", ZoneName: "Hanover–Berlin", ZoneClass: "rail",
			Start: t0, End: t0.Add(5 * time.Hour), Score: 0.875, Severity: geowarden.SeverityHigh,
			Reason: "van-7 logged 812 radio measurements along 96 km of rail-1",
			Evidence: geowarden.Evidence{Records: 1200, SignalRecords: 812, CorridorKm: 1400, CoveredKm: 96.5, Lines: []string{"rail-1"},
				Examples: []geowarden.Example{{Lat: 52.4, Lon: 9.7, Time: t0, File: "drive/log.csv", Line: 12}, {Lat: 52.5, Lon: 13.4}}},
			Fingerprint: "aaaaaaaaaaaaaaaaaaaaaaaa"},
		{Detector: "convergence", Sources: []string{"a", "b", "c", "d", "e"}, Zone: "site-1", Start: t0, End: t0.Add(time.Hour),
			Score: 0.5, Severity: geowarden.SeverityMedium, Reason: "5 sources at site-1 <in one hour> & more",
			Evidence: geowarden.Evidence{Records: 50, Sources: 5, Background: ptr(0.25)}, Fingerprint: "bbbbbbbbbbbbbbbbbbbbbbbb"},
		{Detector: "volume", Sources: []string{"bulk"}, Score: 1, Severity: geowarden.SeverityLow,
			Reason: "bulk sent 12 MB in a month", Evidence: geowarden.Evidence{Bytes: 12 << 20}, Fingerprint: "cccccccccccccccccccccccc"},
	}
}

func sampleAlertSummary(n int, sup *SuppressedSummary) *AlertSummary {
	s := &AlertSummary{Policy: "sample.yml", Revision: "0123456789abcdef0123456789abcdef", Files: 3, Records: 354453, Bad: 2,
		Sources: 248, Alerts: n, ByDetector: map[string]int{}, Seconds: 1.5, Suppressed: sup,
		Skipped: []Skipped{{Path: "notes/readme.md", Reason: "unrecognised format"}}}
	if n > 0 {
		s.ByDetector = map[string]int{"corridor": 1, "volume": 1}
	}
	return s
}

// writeAlerts writes as through the named format, the second alert
// suppressed by an ignore entry.
func writeAlerts(t *testing.T, name string, as []geowarden.Alert) []byte {
	t.Helper()
	var b bytes.Buffer
	r, err := NewAlerts(name, &b, sampleOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i := range as {
		if i == 1 {
			err = r.Suppressed(&as[i], ignoreEntry)
		} else {
			err = r.Alert(&as[i])
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var sup *SuppressedSummary
	n := len(as)
	if n > 0 {
		sup, n = sampleSuppressed(), n-1
	}
	if err := r.Close(sampleAlertSummary(n, sup)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// htmlData keeps of an HTML page what the report writes into it: the
// title and the two data blocks. The rest of the page is report/html's
// assets, tested there.
var htmlData = regexp.MustCompile(`<title>.*?</title>|<script type="application/json" id="gw-(?:items|data)">[^<]*</script>`)

func goldenOf(name string, out []byte) []byte {
	if name != "html" {
		return out
	}
	return []byte(strings.Join(htmlData.FindAllString(string(out), -1), "\n") + "\n")
}

func TestFindingsGolden(t *testing.T) {
	for _, name := range FindingFormats() {
		t.Run(name, func(t *testing.T) {
			golden(t, "findings."+name, goldenOf(name, writeFindings(t, name, sampleFindings(), true)))
			golden(t, "findings-empty."+name, goldenOf(name, writeFindings(t, name, nil, false)))
		})
	}
}

func TestAlertsGolden(t *testing.T) {
	for _, name := range AlertFormats() {
		t.Run(name, func(t *testing.T) {
			golden(t, "alerts."+name, goldenOf(name, writeAlerts(t, name, sampleAlerts())))
			golden(t, "alerts-empty."+name, goldenOf(name, writeAlerts(t, name, nil)))
		})
	}
}
