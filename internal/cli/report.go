package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/sanitize"
)

// summary is what a run did, for the end of a report.
type summary struct {
	Policy     string             `json:"policy"`
	Revision   string             `json:"policy_revision"`
	Files      int                `json:"files"`
	Stats      sanitize.Stats     `json:"stats"`
	BySeverity map[string]int64   `json:"findings_by_severity"`
	ByRule     map[string]int64   `json:"findings_by_rule"`
	Skipped    []pipeline.Skipped `json:"skipped,omitempty"`
	Errors     []string           `json:"errors,omitempty"`
}

func newSummary(p *policy.Policy) *summary {
	return &summary{Policy: p.Name, Revision: p.Revision, BySeverity: map[string]int64{}, ByRule: map[string]int64{}}
}

func (s *summary) count(f *geowarden.Finding) {
	s.BySeverity[f.Severity.String()]++
	s.ByRule[f.Rule]++
}

// reporter writes findings in one output format.
type reporter interface {
	// Finding is called for each finding, in input order. f is valid only
	// during the call.
	Finding(f *geowarden.Finding) error
	// Close writes what remains (totals, a document's end) and flushes.
	Close(s *summary) error
}

func newReporter(name string, w io.Writer, p *policy.Policy) (reporter, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch name {
	case "ndjson":
		return &ndjsonReporter{w: bw}, nil
	case "json":
		return &jsonReporter{w: bw}, nil
	case "table":
		return &tableReporter{w: bw}, nil
	case "sarif":
		return &sarifReporter{w: bw, p: p}, nil
	case "html":
		return newHTMLReporter(w, p)
	}
	return nil, fmt.Errorf("--format %q: want table, json, ndjson, sarif or html", name)
}

type ndjsonReporter struct {
	w   *bufio.Writer
	buf []byte
}

func (r *ndjsonReporter) Finding(f *geowarden.Finding) error {
	r.buf = append(f.AppendJSON(r.buf[:0]), '\n')
	_, err := r.w.Write(r.buf)
	return err
}
func (r *ndjsonReporter) Close(*summary) error { return r.w.Flush() }

type jsonReporter struct {
	w        *bufio.Writer
	findings []geowarden.Finding
}

func (r *jsonReporter) Finding(f *geowarden.Finding) error {
	r.findings = append(r.findings, *f)
	return nil
}

func (r *jsonReporter) Close(s *summary) error {
	if r.findings == nil {
		r.findings = []geowarden.Finding{}
	}
	enc := json.NewEncoder(r.w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Findings []geowarden.Finding `json:"findings"`
		Summary  *summary            `json:"summary"`
	}{r.findings, s}); err != nil {
		return err
	}
	return r.w.Flush()
}

type tableReporter struct {
	w *bufio.Writer
	n int
}

func (r *tableReporter) Finding(f *geowarden.Finding) error {
	if r.n == 0 {
		fmt.Fprintf(r.w, "%-9s %-16s %-34s %-22s %-8s %s\n", "SEVERITY", "RULE", "LOCATION", "LAT,LON", "ACTION", "ZONES/SIGNALS")
	}
	r.n++
	loc := f.File
	switch {
	case f.Line > 0:
		loc = fmt.Sprintf("%s:%d", f.File, f.Line)
	case f.Feature != nil:
		loc = fmt.Sprintf("%s:#%d", f.File, *f.Feature)
	}
	pos := "-"
	if f.Lat != nil {
		pos = fmt.Sprintf("%.5f,%.5f", *f.Lat, *f.Lon)
	}
	what := strings.Join(append(append([]string{}, f.Zones...), f.Signals...), " ")
	_, err := fmt.Fprintf(r.w, "%-9s %-16s %-34s %-22s %-8s %s\n", f.Severity, f.Rule, loc, pos, f.Action, what)
	return err
}

func (r *tableReporter) Close(s *summary) error {
	if r.n > 0 {
		fmt.Fprintln(r.w)
	}
	writeSummary(r.w, s)
	return r.w.Flush()
}

// writeSummary prints a short human summary.
func writeSummary(w io.Writer, s *summary) {
	st := s.Stats
	fmt.Fprintf(w, "%d file(s), %d record(s): %d finding(s)", s.Files, st.Records, st.Findings)
	if len(s.BySeverity) > 0 {
		var parts []string
		for _, sev := range []string{"critical", "high", "medium", "low", "info"} {
			if n := s.BySeverity[sev]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, sev))
			}
		}
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	if len(s.ByRule) > 0 {
		rules := make([]string, 0, len(s.ByRule))
		for r := range s.ByRule {
			rules = append(rules, r)
		}
		sort.Strings(rules)
		for _, r := range rules {
			fmt.Fprintf(w, "  rule %-20s %d\n", r, s.ByRule[r])
		}
	}
	if st.Bad > 0 {
		fmt.Fprintf(w, "%d record(s) could not be parsed and were skipped\n", st.Bad)
	}
	for _, sk := range s.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", sk.Path, sk.Reason)
	}
	fmt.Fprintf(w, "policy %s (revision %.12s)\n", s.Policy, s.Revision)
}

// sarifReporter writes SARIF 2.1.0 for code-scanning tools.
type sarifReporter struct {
	w        *bufio.Writer
	p        *policy.Policy
	findings []geowarden.Finding
}

func (r *sarifReporter) Finding(f *geowarden.Finding) error {
	r.findings = append(r.findings, *f)
	return nil
}

func sarifLevel(s geowarden.Severity) string {
	switch {
	case s >= geowarden.SeverityHigh:
		return "error"
	case s == geowarden.SeverityMedium:
		return "warning"
	}
	return "note"
}

func (r *sarifReporter) Close(s *summary) error {
	type msg struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID                   string            `json:"id"`
		Name                 string            `json:"name,omitempty"`
		ShortDescription     msg               `json:"shortDescription"`
		FullDescription      msg               `json:"fullDescription"`
		Help                 msg               `json:"help"`
		DefaultConfiguration map[string]string `json:"defaultConfiguration"`
		Properties           map[string]any    `json:"properties,omitempty"`
	}
	var rules []rule
	ruleIndex := map[string]int{}
	for _, pr := range r.p.Rules {
		d := pr.Description
		if d == "" {
			d = fmt.Sprintf("Records matching policy rule %s (%s).", pr.ID, pr.Action.Type)
		}
		ruleIndex[pr.ID] = len(rules)
		rules = append(rules, rule{
			ID:               pr.ID,
			ShortDescription: msg{d},
			FullDescription:  msg{d},
			Help: msg{fmt.Sprintf("%s Action: %s. Severity: %s. Run `geowarden sanitize` with the same policy to write a cleaned copy.",
				d, pr.Action.Type, pr.Severity)},
			DefaultConfiguration: map[string]string{"level": sarifLevel(pr.Severity)},
			Properties:           map[string]any{"tags": []string{"security", "location-data"}},
		})
	}
	results := make([]map[string]any, 0, len(r.findings))
	for i := range r.findings {
		f := &r.findings[i]
		text := fmt.Sprintf("%s record %s by rule %s", f.Kind, actionPast(f.Action), f.Rule)
		if len(f.Zones) > 0 {
			text += " (in zone " + strings.Join(f.Zones, ", ") + ")"
		}
		if len(f.Signals) > 0 {
			text += " (signal class " + strings.Join(f.Signals, ", ") + ")"
		}
		loc := map[string]any{
			"physicalLocation": map[string]any{
				"artifactLocation": map[string]any{"uri": filepath.ToSlash(f.File)},
				"region":           map[string]any{"startLine": max(f.Line, 1)},
			},
		}
		res := map[string]any{
			"ruleId":              f.Rule,
			"level":               sarifLevel(f.Severity),
			"message":             msg{text},
			"locations":           []any{loc},
			"partialFingerprints": map[string]string{"geowarden/v1": f.Fingerprint},
		}
		if i, ok := ruleIndex[f.Rule]; ok {
			res["ruleIndex"] = i
		}
		results = append(results, res)
	}
	if rules == nil {
		rules = []rule{}
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name":           "geowarden",
				"version":        Version,
				"informationUri": "https://github.com/geowarden/geowarden",
				"rules":          rules,
			}},
			"results": results,
		}},
	}
	enc := json.NewEncoder(r.w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return r.w.Flush()
}

func actionPast(a string) string {
	switch a {
	case "drop":
		return "to be dropped"
	case "block":
		return "blocks its input"
	case "cut":
		return "to be cut"
	}
	return "to " + a
}
