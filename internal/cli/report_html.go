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
