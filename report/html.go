package report

import (
	"bufio"

	"github.com/geowarden/geowarden"
	htmlreport "github.com/geowarden/geowarden/report/html"
	"github.com/geowarden/geowarden/suppress"
	"github.com/geowarden/geowarden/zone"
)

var htmlFormat = format{name: "html", findings: newHTML, alerts: newAlertHTML}

// Interface guards.
var (
	_ Reporter      = (*htmlReporter)(nil)
	_ AlertReporter = (*alertHTML)(nil)
)

// htmlPage is a self-contained HTML page (report/html) with a map: items
// are streamed into it as they come; the zones and the summary follow at
// the end. The page keeps only its dictionaries of distinct strings and
// the count of items per zone.
type htmlPage struct {
	bw    *bufio.Writer
	w     *htmlreport.Writer
	zones []*zone.Zone
}

func newHTMLPage(w *bufio.Writer, o *Options) (htmlPage, error) {
	hw, err := htmlreport.NewWriter(w, &htmlreport.Header{
		Title:          o.Title,
		Generated:      o.Now,
		Generator:      "geowarden " + o.Version,
		Policy:         o.Policy,
		PolicyRevision: o.Revision,
	})
	return htmlPage{bw: w, w: hw, zones: o.Zones}, err
}

// close writes the summary and the zones that are drawn, and flushes.
func (p *htmlPage) close(hs *htmlreport.Summary, skipped []Skipped) error {
	for _, sk := range skipped {
		hs.Skipped = append(hs.Skipped, htmlreport.Skipped(sk))
	}
	layer := htmlreport.DisplayZones(p.zones, 0, func(id string) bool { return p.w.ZoneItems(id) > 0 })
	if err := p.w.Close(hs, layer); err != nil {
		return err
	}
	return p.bw.Flush()
}

// htmlReporter writes findings on a map page. Suppressed findings are not
// shown.
type htmlReporter struct {
	page htmlPage
}

func newHTML(w *bufio.Writer, o *Options) (Reporter, error) {
	p, err := newHTMLPage(w, o)
	if err != nil {
		return nil, err
	}
	return &htmlReporter{page: p}, nil
}

func (r *htmlReporter) Finding(f *geowarden.Finding) error {
	it := htmlreport.FromFinding(f)
	return r.page.w.Add(&it)
}

func (r *htmlReporter) Suppressed(*geowarden.Finding, *suppress.Entry) error { return nil }

func (r *htmlReporter) Close(s *Summary) error {
	return r.page.close(&htmlreport.Summary{
		Files:      s.Files,
		Records:    s.Stats.Records,
		Findings:   s.Stats.Findings,
		Bad:        s.Stats.Bad,
		BySeverity: s.BySeverity,
		ByRule:     s.ByRule,
		Errors:     s.Errors,
	}, s.Skipped)
}

// alertHTML writes alerts on a map page, each at its example locations.
// Suppressed alerts are not shown; the page counts the alerts it shows by
// severity and by detector.
type alertHTML struct {
	page       htmlPage
	bySeverity map[string]int64
	byDetector map[string]int64
}

func newAlertHTML(w *bufio.Writer, o *Options) (AlertReporter, error) {
	p, err := newHTMLPage(w, o)
	if err != nil {
		return nil, err
	}
	return &alertHTML{page: p, bySeverity: map[string]int64{}, byDetector: map[string]int64{}}, nil
}

func (r *alertHTML) Alert(a *geowarden.Alert) error {
	it := htmlreport.Item{
		Kind: htmlreport.KindAlert, Rule: a.Detector, Severity: a.Severity,
		Start: a.Start, End: a.End, Fingerprint: a.Fingerprint, Reason: a.Reason,
		Sources: a.Sources, Score: a.Score,
	}
	if a.Zone != "" {
		it.Zones = []string{a.Zone}
	}
	for _, ex := range a.Evidence.Examples {
		it.Points = append(it.Points, geowarden.Point{Lon: ex.Lon, Lat: ex.Lat})
	}
	if len(a.Evidence.Examples) > 0 {
		it.File, it.Line = a.Evidence.Examples[0].File, a.Evidence.Examples[0].Line
	}
	r.bySeverity[a.Severity.String()]++
	r.byDetector[a.Detector]++
	return r.page.w.Add(&it)
}

func (r *alertHTML) Suppressed(*geowarden.Alert, *suppress.Entry) error { return nil }

func (r *alertHTML) Close(s *AlertSummary) error {
	return r.page.close(&htmlreport.Summary{
		Files: s.Files, Records: s.Records, Alerts: int64(s.Alerts), Bad: s.Bad,
		BySeverity: r.bySeverity, ByRule: r.byDetector, Errors: s.Errors,
	}, s.Skipped)
}
