package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
)

// summary is what a run did, for the end of a report.
type summary struct {
	Policy     string             `json:"policy"`
	Revision   string             `json:"policy_revision"`
	Files      int                `json:"files"`
	Stats      geowarden.Stats    `json:"stats"`
	BySeverity map[string]int64   `json:"findings_by_severity"`
	ByRule     map[string]int64   `json:"findings_by_rule"`
	Skipped    []pipeline.Skipped `json:"skipped,omitempty"`
	Errors     []string           `json:"errors,omitempty"`
	// Suppressed counts the findings a baseline or an ignore file
	// accepted; nil when there are none to apply.
	Suppressed *suppressedSummary `json:"suppressed,omitempty"`
	exitCode   int                // the run's exit code, for SARIF
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
	findings []jsonFinding
}

func (r *jsonReporter) Finding(f *geowarden.Finding) error {
	r.findings = append(r.findings, jsonFinding{Finding: *f})
	return nil
}

func (r *jsonReporter) Close(s *summary) error {
	if r.findings == nil {
		r.findings = []jsonFinding{}
	}
	enc := json.NewEncoder(r.w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Findings []jsonFinding `json:"findings"`
		Summary  *summary      `json:"summary"`
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
	fmt.Fprintf(w, "%d file(s), %d record(s): %d finding(s)", s.Files, st.Records, s.reported())
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
	s.Suppressed.write(w)
	if st.Bad > 0 {
		fmt.Fprintf(w, "%d record(s) could not be parsed and were skipped\n", st.Bad)
	}
	for _, sk := range s.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", sk.Path, sk.Reason)
	}
	fmt.Fprintf(w, "policy %s (revision %.12s)\n", s.Policy, s.Revision)
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
