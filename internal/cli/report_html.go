package cli

import (
	"io"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/policy"
	htmlreport "github.com/geowarden/geowarden/report/html"
	"github.com/geowarden/geowarden/zone"
)

// htmlReporter writes a self-contained HTML page (report/html): findings
// are streamed into it as they come; the zones of the policy and the
// summary follow at the end.
type htmlReporter struct {
	w     *htmlreport.Writer
	zones []*zone.Zone
}

func newHTMLReporter(w io.Writer, p *policy.Policy) (reporter, error) {
	sets, _, err := loadZones(p)
	if err != nil {
		return nil, err
	}
	var zs []*zone.Zone
	for _, s := range sets {
		zs = append(zs, s.Zones...)
	}
	hw, err := htmlreport.NewWriter(w, &htmlreport.Header{
		Title:          "geowarden scan: " + p.Name,
		Generated:      time.Now(),
		Generator:      "geowarden " + Version,
		Policy:         p.Name,
		PolicyRevision: p.Revision,
	})
	if err != nil {
		return nil, err
	}
	return &htmlReporter{w: hw, zones: zs}, nil
}

func (r *htmlReporter) Finding(f *geowarden.Finding) error {
	it := htmlreport.FromFinding(f)
	return r.w.Add(&it)
}

func (r *htmlReporter) Close(s *summary) error {
	hs := &htmlreport.Summary{
		Files:      s.Files,
		Records:    s.Stats.Records,
		Findings:   s.Stats.Findings,
		Bad:        s.Stats.Bad,
		BySeverity: s.BySeverity,
		ByRule:     s.ByRule,
		Errors:     s.Errors,
	}
	for _, sk := range s.Skipped {
		hs.Skipped = append(hs.Skipped, htmlreport.Skipped{Path: sk.Path, Reason: sk.Reason})
	}
	layer := htmlreport.DisplayZones(r.zones, 0, func(id string) bool { return r.w.ZoneItems(id) > 0 })
	return r.w.Close(hs, layer)
}

// writeAlertsHTML writes detect's alerts as an HTML page: each alert at
// its example locations, the zones of the policy, and the summary.
func writeAlertsHTML(w io.Writer, alerts []alertJSON, sum *detectSummary, p *policy.Policy, zones []*zone.Zone) error {
	hw, err := htmlreport.NewWriter(w, &htmlreport.Header{
		Title:          "geowarden detect: " + p.Name,
		Generated:      time.Now(),
		Generator:      "geowarden " + Version,
		Policy:         p.Name,
		PolicyRevision: p.Revision,
	})
	if err != nil {
		return err
	}
	hs := &htmlreport.Summary{
		Files: sum.Files, Records: sum.Records, Alerts: int64(sum.Alerts), Bad: sum.Bad,
		BySeverity: map[string]int64{}, ByRule: map[string]int64{}, Errors: sum.Errors,
	}
	for _, a := range alerts {
		if a.Suppressed != nil {
			continue
		}
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
		hs.BySeverity[a.Severity.String()]++
		hs.ByRule[a.Detector]++
		if err := hw.Add(&it); err != nil {
			return err
		}
	}
	for _, sk := range sum.Skipped {
		hs.Skipped = append(hs.Skipped, htmlreport.Skipped{Path: sk.Path, Reason: sk.Reason})
	}
	layer := htmlreport.DisplayZones(zones, 0, func(id string) bool { return hw.ZoneItems(id) > 0 })
	return hw.Close(hs, layer)
}
