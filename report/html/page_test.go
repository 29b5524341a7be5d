package html_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	htmlreport "github.com/geowarden/geowarden/report/html"
	"github.com/geowarden/geowarden/report/html/browsertest"
)

// bigReport makes a report of n findings around three places, with zones
// at each, and alerts with several example points.
func bigReport(n int, seed uint64) *htmlreport.Report {
	rng := rand.New(rand.NewPCG(seed, 1))
	type place struct {
		lon, lat float64
		zone     string
	}
	places := []place{{14.48, 35.86, "mla"}, {7.42, 43.74, "mco-rail"}, {-8.47, 51.90, "cork"}}
	r := &htmlreport.Report{
		Header: htmlreport.Header{Title: fmt.Sprintf("%d findings", n), Generated: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Policy: "bench"},
		Zones: htmlreport.ZoneLayer{Zones: []htmlreport.Zone{
			{ID: "mla", Name: "Airport", Class: "airport", Shape: "circle", BufferM: 3000,
				Geometry: json.RawMessage(`{"type":"Point","coordinates":[14.48,35.86]}`)},
			{ID: "mco-rail", Name: "Railway", Class: "rail", Shape: "corridor", BufferM: 50,
				Geometry: json.RawMessage(`{"type":"LineString","coordinates":[[7.38,43.72],[7.42,43.74],[7.46,43.76]]}`)},
			{ID: "cork", Name: "Barracks", Class: "military", Shape: "area",
				Geometry: json.RawMessage(`{"type":"Polygon","coordinates":[[[-8.5,51.88],[-8.44,51.88],[-8.44,51.92],[-8.5,51.92],[-8.5,51.88]]]}`)},
		}},
		Summary: htmlreport.Summary{Files: 50, BySeverity: map[string]int64{}, ByRule: map[string]int64{}},
	}
	rules := []string{"airport", "rail-signal", "military", "protected-band", "precision"}
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		p := places[i%len(places)]
		it := htmlreport.Item{
			Kind:        htmlreport.KindFinding,
			Rule:        rules[rng.IntN(len(rules))],
			Severity:    geowarden.Severity(1 + rng.IntN(5)),
			Zones:       []string{p.zone},
			File:        fmt.Sprintf("drive/day-%02d.csv", rng.IntN(50)),
			Line:        2 + i,
			Points:      []geowarden.Point{{Lon: p.lon + rng.NormFloat64()*0.02, Lat: p.lat + rng.NormFloat64()*0.02}},
			Start:       t0.Add(time.Duration(i) * time.Second),
			Action:      "drop",
			Fingerprint: fmt.Sprintf("%024x", rng.Uint64()),
			Reason:      "cell record in " + p.zone + " zone",
			Sources:     []string{fmt.Sprintf("dev-%d", rng.IntN(200))},
		}
		if i%10000 == 0 { // a campaign alert now and then
			it.Kind, it.Rule, it.Score = htmlreport.KindAlert, "corridor-following", 0.9
			it.Points = append(it.Points, geowarden.Point{Lon: p.lon + 0.01, Lat: p.lat}, geowarden.Point{Lon: p.lon + 0.02, Lat: p.lat})
			it.End = it.Start.Add(2 * time.Hour)
			r.Summary.Alerts++
		} else {
			r.Summary.Findings++
		}
		r.Summary.BySeverity[it.Severity.String()]++
		r.Summary.ByRule[it.Rule]++
		r.Items = append(r.Items, it)
	}
	r.Summary.Records = int64(3 * n)
	return r
}

// TestPage100k writes a report of 100,000 items and opens it in headless
// Chromium: the page loads, shows and draws every item (aggregated: far
// fewer marks than items), keeps only the visible rows of its table in the
// DOM, filters, scrolls to the last row, and logs no error. Load time is
// logged, not asserted.
func TestPage100k(t *testing.T) {
	browsertest.Chromium(t)
	const n = 100_000
	r := bigReport(n, 7)
	path := filepath.Join(t.TempDir(), "big.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := htmlreport.Write(f, r); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	start := time.Now()
	page := browsertest.Open(t, path, 1400, 1000)
	t.Logf("%d items, %.1f MB page, ready in %v", n, float64(st.Size())/1e6, time.Since(start).Round(time.Millisecond))

	points := 0
	for _, it := range r.Items {
		points += len(it.Points)
	}
	if got := page.Body("itemsShown"); got != strconv.Itoa(n) {
		t.Errorf("page shows %s items, want %d", got, n)
	}
	if got := page.Body("mapDrawn"); got != strconv.Itoa(points) {
		t.Errorf("map draws %s points, want all %d", got, points)
	}
	cells, _ := strconv.Atoi(page.Body("mapCells"))
	if cells == 0 || cells > n/20 {
		t.Errorf("map draws %d marks for %d points: want them aggregated", cells, points)
	}
	if got := page.Eval(`document.querySelectorAll("#gw-rows .gw-row").length`); got == "0" || len(got) > 3 {
		t.Errorf("%s table rows in the DOM: want only the visible ones", got)
	}
	if got := page.Body("zones"); got != "3" {
		t.Errorf("page has %s zones, want 3", got)
	}
	page.Screenshot("report-100k.png")

	// Clicking the largest mark zooms in to its items.
	zoomOf := func() int {
		v := strings.Split(page.Body("view"), ",")
		z, _ := strconv.Atoi(v[len(v)-1])
		return z
	}
	z0 := zoomOf()
	var x, y, count float64
	if _, err := fmt.Sscanf(page.Body("mapLargest"), "%g,%g,%g", &x, &y, &count); err != nil || count < 2 {
		t.Fatalf("largest mark %q: %v", page.Body("mapLargest"), err)
	}
	page.ClickAt(x, y)
	if z1 := zoomOf(); z1 <= z0 {
		t.Errorf("clicking a mark of %v items left the map at zoom %d (was %d); want it zoomed in", count, z1, z0)
	}
	page.Click("#f-reset")

	// Filter by rule: the table and the map agree with the report.
	want := 0
	for _, it := range r.Items {
		if it.Rule == "military" {
			want++
		}
	}
	page.Eval(`(function(){var s=document.getElementById("f-rule"); s.value=Array.from(s.options).find(o=>o.textContent.startsWith("military (")).value; s.dispatchEvent(new Event("change")); return 1})()`)
	page.Settle()
	if got := page.Body("itemsShown"); got != strconv.Itoa(want) {
		t.Errorf("rule military: page shows %s, want %d", got, want)
	}
	if got := page.Body("mapDrawn"); got != strconv.Itoa(want) {
		t.Errorf("rule military: map draws %s, want %d", got, want)
	}
	page.Click("#f-reset")

	// Scroll to the end of the table and click the last row: the map pans
	// to the last item.
	page.Eval(`(function(){var e=document.getElementById("gw-rows"); e.scrollTop=e.scrollHeight; e.dispatchEvent(new Event("scroll")); return 1})()`)
	page.Settle()
	last := fmt.Sprintf(`#gw-rows .gw-row[data-item="%d"]`, n-1)
	if page.Eval(`document.querySelector('`+last+`') !== null`) != "true" {
		t.Fatalf("the last row is not rendered after scrolling to the end")
	}
	page.Click(last)
	if got := page.Body("selected"); got != strconv.Itoa(n-1) {
		t.Errorf("selected %q, want %d", got, n-1)
	}
	v := strings.Split(page.Body("view"), ",")
	var b [5]float64
	for i := range b {
		b[i], _ = strconv.ParseFloat(v[i], 64)
	}
	p := r.Items[n-1].Points[0]
	if p.Lat < b[0] || p.Lat > b[2] || p.Lon < b[1] || p.Lon > b[3] || b[4] < 12 {
		t.Errorf("after the click the map shows %v, want the item at %v,%v at zoom 12 or more", b, p.Lat, p.Lon)
	}
	page.Eval(`window.scrollTo(0, 0)`)
	page.Screenshot("report-100k-selected.png")
	if c := page.Console(); len(c) > 0 {
		t.Errorf("the page logged errors:\n%s", strings.Join(c, "\n"))
	}
	if rq := page.Requests(); len(rq) > 0 {
		t.Errorf("the page requested %v; a report must load nothing", rq)
	}
}
