package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/report"
)

// reportOptions is what a report needs to know of the policy: its name,
// revision and rules.
func reportOptions(p *policy.Policy) *report.Options {
	o := &report.Options{Policy: p.Name, Revision: p.Revision, Version: Version}
	for i := range p.Rules {
		r := &p.Rules[i]
		o.Rules = append(o.Rules, report.Rule{ID: r.ID, Description: r.Description, Action: r.Action.Type.String(), Severity: r.Severity})
	}
	return o
}

// newReporter returns a reporter of findings in format name; an HTML page
// draws the zones of the policy.
func newReporter(name string, w io.Writer, p *policy.Policy) (report.Reporter, error) {
	if err := checkFormat(name, report.FindingFormats()); err != nil {
		return nil, err
	}
	o := reportOptions(p)
	if name == "html" {
		// The same files setup loaded, under the limit it checked.
		sets, _, err := loadZones(p, 1<<62)
		if err != nil {
			return nil, err
		}
		for _, s := range sets {
			o.Zones = append(o.Zones, s.Zones...)
		}
		o.Title = "geowarden scan: " + p.Name
	}
	return report.New(name, w, o)
}

// checkFormat checks a --format value against the names of the formats.
func checkFormat(name string, names []string) error {
	if slices.Contains(names, name) {
		return nil
	}
	return fmt.Errorf("--format %q: want %s or %s", name, strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
}

func newSummary(p *policy.Policy) *report.Summary { return report.NewSummary(p.Name, p.Revision) }

// skippedOf returns the skipped inputs of a run as a report lists them.
func skippedOf(s []pipeline.Skipped) []report.Skipped {
	var out []report.Skipped
	for _, sk := range s {
		out = append(out, report.Skipped(sk))
	}
	return out
}
