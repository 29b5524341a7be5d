package html_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	htmlreport "github.com/geowarden/geowarden/report/html"
)

// page is a written report taken apart again, as the page's script reads it.
type page struct {
	html  string
	items [][]any
	data  struct {
		Header  map[string]string `json:"header"`
		Summary struct {
			Files      int              `json:"files"`
			Records    int64            `json:"records"`
			Findings   int64            `json:"findings"`
			Alerts     int64            `json:"alerts"`
			Bad        int64            `json:"bad"`
			BySeverity map[string]int64 `json:"by_severity"`
			ByRule     map[string]int64 `json:"by_rule"`
			Skipped    []htmlreport.Skipped
			Errors     []string
		} `json:"summary"`
		Items int64 `json:"items"`
		Dict  struct {
			Kinds       []string `json:"kinds"`
			Rules       []string `json:"rules"`
			Files       []string `json:"files"`
			Actions     []string `json:"actions"`
			Reasons     []string `json:"reasons"`
			Zones       []string `json:"zones"`
			ZoneLists   [][]int  `json:"zone_lists"`
			Sources     []string `json:"sources"`
			SourceLists [][]int  `json:"source_lists"`
		} `json:"dict"`
		Zones []struct {
			ID       string          `json:"id"`
			Name     string          `json:"name"`
			Class    string          `json:"class"`
			Shape    string          `json:"shape"`
			BufferM  float64         `json:"buffer_m"`
			Items    int64           `json:"items"`
			Geometry json.RawMessage `json:"geometry"`
		} `json:"zones"`
		ZonesOmitted int `json:"zones_omitted"`
	}
}

// block returns the text of the JSON script element with the given id.
func block(t testing.TB, page, id string) string {
	t.Helper()
	open := `<script type="application/json" id="` + id + `">`
	i := strings.Index(page, open)
	if i < 0 {
		t.Fatalf("page has no %s block", id)
	}
	rest := page[i+len(open):]
	j := strings.Index(rest, "</script>")
	if j < 0 {
		t.Fatalf("%s block is not closed", id)
	}
	return rest[:j]
}

// parsePage takes a page apart; the base layer, large and the same in
// every page, only when full.
func parsePage(t testing.TB, b []byte, full bool) *page {
	t.Helper()
	p := &page{html: string(b)}
	if err := json.Unmarshal([]byte(block(t, p.html, "gw-items")), &p.items); err != nil {
		t.Fatalf("gw-items: %v", err)
	}
	if err := json.Unmarshal([]byte(block(t, p.html, "gw-data")), &p.data); err != nil {
		t.Fatalf("gw-data: %v", err)
	}
	if full {
		var bm struct{ Features []json.RawMessage }
		if err := json.Unmarshal([]byte(block(t, p.html, "gw-basemap")), &bm); err != nil || len(bm.Features) != 2 {
			t.Fatalf("gw-basemap: %v (%d features)", err, len(bm.Features))
		}
	}
	return p
}

// item rebuilds item i from the page's arrays and dictionaries.
func (p *page) item(i int) htmlreport.Item {
	r := p.items[i]
	d := &p.data.Dict
	n := func(k int) int { return int(r[k].(float64)) }
	it := htmlreport.Item{
		Kind:        htmlreport.Kind(d.Kinds[n(0)]),
		Rule:        d.Rules[n(1)],
		Severity:    geowarden.Severity(n(2)),
		File:        d.Files[n(3)],
		Line:        n(4),
		Action:      d.Actions[n(8)],
		Fingerprint: r[10].(string),
		Reason:      d.Reasons[n(11)],
	}
	coord := func(v any) float64 { // null for NaN and infinities
		if v == nil {
			return math.NaN()
		}
		return v.(float64)
	}
	pts := r[5].([]any)
	for k := 0; k+1 < len(pts); k += 2 {
		it.Points = append(it.Points, geowarden.Point{Lat: coord(pts[k]), Lon: coord(pts[k+1])})
	}
	tm := func(v any) time.Time {
		if v == nil {
			return time.Time{}
		}
		return time.UnixMilli(int64(math.Round(v.(float64) * 1000))).UTC()
	}
	it.Start, it.End = tm(r[6]), tm(r[7])
	for _, z := range d.ZoneLists[n(9)] {
		it.Zones = append(it.Zones, d.Zones[z])
	}
	for _, s := range d.SourceLists[n(12)] {
		it.Sources = append(it.Sources, d.Sources[s])
	}
	it.Score = coord(r[13])
	return it
}

func sampleReport() *htmlreport.Report {
	t0 := time.Date(2024, 5, 1, 12, 30, 15, 250e6, time.UTC)
	return &htmlreport.Report{
		Header: htmlreport.Header{
			Title: "drive test, May", Generated: time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC),
			Generator: "geowarden test", Policy: "policy.yml", PolicyRevision: "abc123",
		},
		Summary: htmlreport.Summary{
			Files: 3, Records: 1200, Findings: 2, Alerts: 1, Bad: 4,
			BySeverity: map[string]int64{"high": 2, "critical": 1},
			ByRule:     map[string]int64{"rail-signal": 2, "corridor-following": 1},
			Skipped:    []htmlreport.Skipped{{Path: "notes.txt", Reason: "unrecognised format"}},
			Errors:     []string{"bad.csv:7: latitude 91 out of range"},
		},
		Zones: htmlreport.ZoneLayer{Zones: []htmlreport.Zone{{
			ID: "rail-1", Name: "Main line", Class: "rail", Shape: "corridor", BufferM: 50,
			Geometry: json.RawMessage(`{"type":"LineString","coordinates":[[7.41,43.73],[7.43,43.74]]}`), Vertices: 2,
		}}},
		Items: []htmlreport.Item{
			{
				Kind: htmlreport.KindFinding, Rule: "rail-signal", Severity: geowarden.SeverityHigh,
				Zones: []string{"rail-1"}, File: "drive.csv", Line: 12,
				Points: []geowarden.Point{{Lon: 7.4201234, Lat: 43.7354321}}, Start: t0,
				Action: "drop", Fingerprint: "f00d", Reason: "cell record in rail zone", Sources: []string{"dev-7"},
			},
			{
				Kind: htmlreport.KindFinding, Rule: "rail-signal", Severity: geowarden.SeverityHigh,
				Zones: []string{"rail-1"}, File: "drive.csv", Line: 13,
				Points: []geowarden.Point{{Lon: 7.4202, Lat: 43.7355}},
				Action: "drop", Fingerprint: "beef", Reason: "cell record in rail zone", Sources: []string{"dev-7"},
			},
			{
				Kind: htmlreport.KindAlert, Rule: "corridor-following", Severity: geowarden.SeverityCritical,
				Zones:  []string{"rail-1", "rail-2"},
				Points: []geowarden.Point{{Lon: 7.41, Lat: 43.73}, {Lon: 7.42, Lat: 43.735}, {Lon: 7.43, Lat: 43.74}},
				Start:  t0, End: t0.Add(3 * time.Hour), Action: "review", Fingerprint: "c0ffee",
				Reason: "dev-7 drove 24 km (81 %) inside rail corridors", Sources: []string{"dev-7", "dev-9"}, Score: 0.93,
			},
		},
	}
}

func write(t testing.TB, r *htmlreport.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := htmlreport.Write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestWriteRoundTrip(t *testing.T) {
	r := sampleReport()
	p := parsePage(t, write(t, r), true)
	if len(p.items) != len(r.Items) || p.data.Items != int64(len(r.Items)) {
		t.Fatalf("page holds %d items and says %d, want %d", len(p.items), p.data.Items, len(r.Items))
	}
	for i := range r.Items {
		want := r.Items[i]
		for k := range want.Points { // written with 6 decimals
			want.Points[k].Lat = math.Round(want.Points[k].Lat*1e6) / 1e6
			want.Points[k].Lon = math.Round(want.Points[k].Lon*1e6) / 1e6
		}
		got := p.item(i)
		if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
			t.Errorf("item %d:\n got %s\nwant %s", i, g, w)
		}
	}
	s := p.data.Summary
	if s.Files != 3 || s.Records != 1200 || s.Findings != 2 || s.Alerts != 1 || s.Bad != 4 ||
		s.BySeverity["critical"] != 1 || s.ByRule["rail-signal"] != 2 ||
		len(s.Skipped) != 1 || s.Skipped[0].Path != "notes.txt" || len(s.Errors) != 1 {
		t.Errorf("summary: %+v", s)
	}
	h := p.data.Header
	if h["title"] != "drive test, May" || h["generated"] != "2024-05-02T08:00:00Z" || h["policy"] != "policy.yml" || h["policy_revision"] != "abc123" {
		t.Errorf("header: %v", h)
	}
	if !strings.Contains(p.html, "<title>drive test, May</title>") {
		t.Error("the page's <title> is not the report's title")
	}
	if len(p.data.Zones) != 1 || p.data.Zones[0].ID != "rail-1" || p.data.Zones[0].Items != 3 || p.data.Zones[0].BufferM != 50 {
		t.Errorf("zones: %+v", p.data.Zones)
	}
	// Repeated strings are written once.
	if len(p.data.Dict.Rules) != 2 || len(p.data.Dict.Reasons) != 2 || len(p.data.Dict.ZoneLists) != 2 {
		t.Errorf("dictionaries: rules %v reasons %v zone lists %v", p.data.Dict.Rules, p.data.Dict.Reasons, p.data.Dict.ZoneLists)
	}
}

// TestStreamEqualsWrite: a report streamed item by item is the same page
// as one written whole.
func TestStreamEqualsWrite(t *testing.T) {
	r := sampleReport()
	whole := write(t, r)
	var b bytes.Buffer
	w, err := htmlreport.NewWriter(&b, &r.Header)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Items {
		if err := w.Add(&r.Items[i]); err != nil {
			t.Fatal(err)
		}
	}
	if got := w.Items(); got != 3 {
		t.Errorf("Items() = %d, want 3", got)
	}
	if got := w.ZoneItems("rail-1"); got != 3 {
		t.Errorf("ZoneItems(rail-1) = %d, want 3", got)
	}
	if err := w.Close(&r.Summary, &r.Zones); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), whole) {
		t.Error("the streamed page differs from the one written whole")
	}
	if err := w.Add(&r.Items[0]); !errors.Is(err, htmlreport.ErrClosed) {
		t.Errorf("Add after Close: %v, want ErrClosed", err)
	}
	if err := w.Close(&r.Summary, &r.Zones); !errors.Is(err, htmlreport.ErrClosed) {
		t.Errorf("Close twice: %v, want ErrClosed", err)
	}
}

// TestHostileStrings: text from inputs cannot end the page's script
// elements or add markup.
func TestHostileStrings(t *testing.T) {
	evil := []string{
		"</script><script>alert(1)</script>",
		"</SCRIPT >",
		"<!--<script>",
		"a\u2028b\u2029c",
		`"quoted" & 'single' <b>bold</b>`,
		"]]>",
	}
	r := sampleReport()
	r.Title = evil[0]
	for i, s := range evil {
		r.Items = append(r.Items, htmlreport.Item{
			Rule: s, File: s, Reason: s, Fingerprint: s, Action: s,
			Zones: []string{s}, Sources: []string{s}, Points: []geowarden.Point{{Lon: float64(i), Lat: float64(i)}},
		})
	}
	r.Summary.Errors = evil
	r.Zones.Zones[0].Name = evil[0]
	b := write(t, r)
	// Five script elements (items, data, base layer, Leaflet, the app),
	// each closed once.
	low := strings.ToLower(string(b))
	if n := strings.Count(low, "<script"); n != 5 {
		t.Errorf("%d <script in the page, want 5", n)
	}
	if n := strings.Count(low, "</script"); n != 5 {
		t.Errorf("%d </script in the page, want 5", n)
	}
	if strings.Contains(string(b), "<b>bold</b>") || strings.Contains(string(b), "<title></script>") {
		t.Error("markup from the report's strings reached the page unescaped")
	}
	p := parsePage(t, b, true)
	for i, s := range evil {
		got := p.item(len(sampleReport().Items) + i)
		if got.Rule != s || got.File != s || got.Reason != s || got.Fingerprint != s || got.Zones[0] != s || got.Sources[0] != s {
			t.Errorf("string %q came back as %+v", s, got)
		}
	}
}

// TestOffline: the page declares a Content-Security-Policy that forbids
// every load before anything else, and refers to no outside resource.
func TestOffline(t *testing.T) {
	page := string(write(t, sampleReport()))
	csp := `<meta http-equiv="Content-Security-Policy" content="` + htmlreport.CSP + `">`
	i := strings.Index(page, csp)
	if i < 0 {
		t.Fatal("no Content-Security-Policy meta")
	}
	for _, tag := range []string{"<script", "<style", "<link", "<img"} {
		if j := strings.Index(page, tag); j >= 0 && j < i {
			t.Errorf("%s comes before the Content-Security-Policy", tag)
		}
	}
	if !strings.Contains(htmlreport.CSP, "default-src 'none'") {
		t.Errorf("CSP %q does not forbid loads by default", htmlreport.CSP)
	}
	if strings.Contains(page, "<link") || strings.Contains(page, "@import") || strings.Contains(page, "@font-face") {
		t.Error("the page links a stylesheet or font")
	}
	for _, m := range regexp.MustCompile(`url\(([^)]*)\)`).FindAllStringSubmatch(page, -1) {
		if u := strings.Trim(m[1], `'" `); !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "#") {
			t.Errorf("the page refers to %s", m[0])
		}
	}
	if strings.Contains(page, "sourceMappingURL") {
		t.Error("the page points to a source map")
	}
}

func TestBadZoneGeometry(t *testing.T) {
	r := sampleReport()
	r.Zones.Zones[0].Geometry = json.RawMessage(`{"type":`)
	err := htmlreport.Write(&bytes.Buffer{}, r)
	if err == nil || !strings.Contains(err.Error(), `"rail-1"`) {
		t.Errorf("error %v, want one naming zone rail-1", err)
	}
}

func TestFromFinding(t *testing.T) {
	lat, lon, feat := 35.85, 14.38, 3
	tm := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	f := &geowarden.Finding{
		File: "a.geojson", Feature: &feat, Lat: &lat, Lon: &lon, Time: &tm, Kind: "cell", Source: "dev",
		Zones: []string{"z1"}, Classes: []string{"military"}, Signals: []string{"gsm-r"},
		Rule: "r", Action: "drop", Severity: geowarden.SeverityCritical, Fingerprint: "fp", Detail: "cut at the edge",
	}
	it := htmlreport.FromFinding(f)
	want := htmlreport.Item{
		Kind: htmlreport.KindFinding, Rule: "r", Severity: geowarden.SeverityCritical, Zones: []string{"z1"},
		File: "a.geojson", Points: []geowarden.Point{{Lon: lon, Lat: lat}}, Start: tm, Action: "drop",
		Fingerprint: "fp", Sources: []string{"dev"},
		Reason: "cell record in military zone, signal class gsm-r, feature #3: cut at the edge",
	}
	if g, w := fmt.Sprintf("%+v", it), fmt.Sprintf("%+v", want); g != w {
		t.Errorf("\n got %s\nwant %s", g, w)
	}
	if it := htmlreport.FromFinding(&geowarden.Finding{File: "x.jpg", Kind: "image", Rule: "r"}); len(it.Points) != 0 || !it.Start.IsZero() || it.Sources != nil {
		t.Errorf("a finding without position, time or source: %+v", it)
	}
}

// FuzzWrite: whatever the strings and numbers of an item, the page's
// embedded JSON stays intact and gives them back.
func FuzzWrite(f *testing.F) {
	f.Add("rule", "file.csv", "reason", "zone", 35.5, 14.5, int64(1700000000), 3)
	f.Add("</script><script>", "<!--", "\u2028", "&amp;", math.NaN(), math.Inf(1), int64(-1), -5)
	f.Add("", "", "", "", -91.0, 181.0, int64(0), 0)
	f.Fuzz(func(t *testing.T, rule, file, reason, zone string, lat, lon float64, sec int64, line int) {
		it := htmlreport.Item{
			Rule: rule, File: file, Reason: reason, Zones: []string{zone}, Line: line,
			Points: []geowarden.Point{{Lat: lat, Lon: lon}}, Severity: geowarden.SeverityHigh,
		}
		if sec > -1e11 && sec < 1e11 {
			it.Start = time.Unix(sec, 0)
		}
		var b bytes.Buffer
		if err := htmlreport.Write(&b, &htmlreport.Report{Items: []htmlreport.Item{it}}); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(strings.ToLower(b.String()), "</script"); n != 5 {
			t.Fatalf("%d </script in the page, want 5", n)
		}
		p := parsePage(t, b.Bytes(), false)
		got := p.item(0)
		valid := func(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
		if got.Rule != valid(rule) && !strings.ContainsRune(got.Rule, '\uFFFD') {
			t.Errorf("rule %q came back as %q", rule, got.Rule)
		}
		if got.File != valid(file) && !strings.ContainsRune(got.File, '\uFFFD') {
			t.Errorf("file %q came back as %q", file, got.File)
		}
		if got.Line != max(line, 0) {
			t.Errorf("line %d came back as %d", line, got.Line)
		}
		if !it.Start.IsZero() && !got.Start.Equal(it.Start) {
			t.Errorf("time %v came back as %v", it.Start, got.Start)
		}
	})
}
