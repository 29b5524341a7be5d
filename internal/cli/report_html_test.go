package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/internal/cli"
	"github.com/geowarden/geowarden/report/html/browsertest"
	"github.com/geowarden/geowarden/zone/builtin"
)

type ndFinding struct {
	File     string   `json:"file"`
	Lat      *float64 `json:"lat"`
	Lon      *float64 `json:"lon"`
	Rule     string   `json:"rule"`
	Severity string   `json:"severity"`
	Zones    []string `json:"zones"`
}

// TestScanHTMLReport scans the examples with the built-in policy through
// cli.Main, writes the HTML report and opens it in headless Chromium: the
// page shows as many findings as the ndjson report of the same scan holds,
// draws each of them and the built-in zones on its map, filters them,
// pans to a finding whose row is clicked, logs no error and requests
// nothing but itself.
func TestScanHTMLReport(t *testing.T) {
	browsertest.Chromium(t)
	out := filepath.Join(t.TempDir(), "report.html")
	var stdout, stderr bytes.Buffer
	if code := cli.Main([]string{"scan", "-q", "--format", "html", "-o", out, "../../examples"}, nil, &stdout, &stderr); code != cli.ExitFindings {
		t.Fatalf("scan --format html: exit %d, want %d: %s", code, cli.ExitFindings, stderr.String())
	}
	var nd bytes.Buffer
	if code := cli.Main([]string{"scan", "-q", "--format", "ndjson", "../../examples"}, nil, &nd, &stderr); code != cli.ExitFindings {
		t.Fatalf("scan --format ndjson: exit %d: %s", code, stderr.String())
	}
	var findings []ndFinding
	sc := bufio.NewScanner(&nd)
	for sc.Scan() {
		var f ndFinding
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatal(err)
		}
		findings = append(findings, f)
	}
	if len(findings) < 10 {
		t.Fatalf("the examples give only %d findings; the test needs some", len(findings))
	}
	zs, err := builtin.Load("default")
	if err != nil {
		t.Fatal(err)
	}

	page := browsertest.Open(t, out, 1400, 1000)
	n := strconv.Itoa(len(findings))
	if got := page.Body("itemsShown"); got != n {
		t.Errorf("page shows %s findings, the scan found %s", got, n)
	}
	if got := page.Eval(`document.getElementById("gw-shown").textContent + " of " + document.getElementById("gw-total").textContent`); got != n+" of "+n {
		t.Errorf("page says %q findings shown, want %q", got, n+" of "+n)
	}
	if got := page.Body("mapDrawn"); got != n {
		t.Errorf("map draws %s findings, want all %s", got, n)
	}
	if got, want := page.Body("zones"), strconv.Itoa(len(zs.Zones)); got != want {
		t.Errorf("page has %s zones, the built-in set %s", got, want)
	}
	page.Screenshot("scan-examples.png")

	// Filters: the page's count equals the count of the same selection in
	// the ndjson report.
	count := func(keep func(f ndFinding) bool) string {
		c := 0
		for _, f := range findings {
			if keep(f) {
				c++
			}
		}
		return strconv.Itoa(c)
	}
	filter := func(id, value string) string {
		page.Eval(fmt.Sprintf(`(function(){var e=document.getElementById(%q); e.value=%q; e.dispatchEvent(new Event(e.type==="search"?"input":"change")); return 1})()`, id, value))
		if id == "f-file" {
			page.Eval(`(function(){document.getElementById("gw-filters").requestSubmit(); return 1})()`)
		}
		page.Settle()
		return page.Body("itemsShown")
	}
	ruleIdx := func(rule string) string {
		return page.Eval(fmt.Sprintf(`Array.from(document.getElementById("f-rule").options).find(o => o.textContent.startsWith(%q + " (")).value`, rule))
	}
	if got, want := filter("f-rule", ruleIdx("airport")), count(func(f ndFinding) bool { return f.Rule == "airport" }); got != want {
		t.Errorf("rule airport: page shows %s, want %s", got, want)
	}
	if got := page.Body("mapDrawn"); got != page.Body("itemsShown") {
		t.Errorf("with a rule filter the map draws %s findings, the table lists %s", got, page.Body("itemsShown"))
	}
	filter("f-rule", "")
	if got, want := filter("f-sev", "=5"), count(func(f ndFinding) bool { return f.Severity == "critical" }); got != want || want == "0" {
		t.Errorf("severity critical: page shows %s, want %s (> 0)", got, want)
	}
	filter("f-sev", "")
	if got, want := filter("f-file", "ports"), count(func(f ndFinding) bool { return strings.Contains(f.File, "ports") }); got != want {
		t.Errorf("file ~ ports: page shows %s, want %s", got, want)
	}
	filter("f-file", "")
	zoneIdx := page.Eval(`Array.from(document.getElementById("f-zone").options).find(o => o.textContent.indexOf("(ne-airport-MLA)") >= 0 || o.textContent.startsWith("ne-airport-MLA ")).value`)
	if got, want := filter("f-zone", zoneIdx), count(func(f ndFinding) bool {
		for _, z := range f.Zones {
			if z == "ne-airport-MLA" {
				return true
			}
		}
		return false
	}); got != want || want == "0" {
		t.Errorf("zone ne-airport-MLA: page shows %s, want %s (> 0)", got, want)
	}
	filter("f-zone", "")
	if got := page.Body("itemsShown"); got != n {
		t.Fatalf("after clearing the filters the page shows %s, want %s", got, n)
	}

	// Clicking the row of the critical finding pans the map to it, where
	// its zone is drawn.
	crit := -1
	for i, f := range findings {
		if f.Severity == "critical" {
			crit = i
			break
		}
	}
	page.Click(fmt.Sprintf(`#gw-rows .gw-row[data-item="%d"]`, crit))
	if got := page.Body("selected"); got != strconv.Itoa(crit) {
		t.Errorf("selected item %q after the click, want %d", got, crit)
	}
	// view is south,west,north,east,zoom.
	view := strings.Split(page.Body("view"), ",")
	if len(view) != 5 {
		t.Fatalf("map view %q", page.Body("view"))
	}
	var v [5]float64
	for i := range v {
		v[i], _ = strconv.ParseFloat(view[i], 64)
	}
	if f := findings[crit]; *f.Lat < v[0] || *f.Lat > v[2] || *f.Lon < v[1] || *f.Lon > v[3] {
		t.Errorf("after the click the map shows %v, without the finding at %v,%v", v[:4], *f.Lat, *f.Lon)
	}
	if v[4] < 12 {
		t.Errorf("after the click the map is at zoom %v, want 12 or more", v[4])
	}
	if got := page.Body("zonesInView"); got == "0" || got == "" {
		t.Errorf("no zone in view around the finding (zonesInView %q)", got)
	}
	page.Screenshot("scan-examples-selected.png")

	if c := page.Console(); len(c) > 0 {
		t.Errorf("the page logged errors:\n%s", strings.Join(c, "\n"))
	}
	if r := page.Requests(); len(r) > 0 {
		t.Errorf("the page requested %v; a report must load nothing", r)
	}
}
