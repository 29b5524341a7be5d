package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/suppress"
)

// Summary is what a run of scan or sanitize did, for the end of a report
// of findings.
type Summary struct {
	Policy     string           `json:"policy"`
	Revision   string           `json:"policy_revision"`
	Files      int              `json:"files"`
	Stats      geowarden.Stats  `json:"stats"`
	BySeverity map[string]int64 `json:"findings_by_severity"`
	ByRule     map[string]int64 `json:"findings_by_rule"`
	Skipped    []Skipped        `json:"skipped,omitempty"`
	Errors     []string         `json:"errors,omitempty"`
	// Suppressed counts the findings a baseline or an ignore file
	// accepted; nil when there are none to apply.
	Suppressed *SuppressedSummary `json:"suppressed,omitempty"`
	// ExitCode is the run's exit code, for SARIF: 0 clean, 1 findings at
	// or above the threshold, 2 or more an error.
	ExitCode int `json:"-"`
}

// NewSummary returns an empty summary of a run under the named policy.
func NewSummary(policy, revision string) *Summary {
	return &Summary{Policy: policy, Revision: revision, BySeverity: map[string]int64{}, ByRule: map[string]int64{}}
}

// Count counts a reported finding.
func (s *Summary) Count(f *geowarden.Finding) {
	s.BySeverity[f.Severity.String()]++
	s.ByRule[f.Rule]++
}

// Reported is the number of findings the report lists as not suppressed.
func (s *Summary) Reported() int64 {
	if s.Suppressed == nil {
		return s.Stats.Findings
	}
	return s.Stats.Findings - s.Suppressed.Total
}

// Skipped is an input a run did not read, with the reason.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// AlertSummary is what a run of detect did.
type AlertSummary struct {
	Policy     string             `json:"policy"`
	Revision   string             `json:"policy_revision"`
	Files      int                `json:"files"`
	Records    int64              `json:"records"`
	Bad        int64              `json:"bad,omitempty"`
	Sources    int                `json:"sources"`
	Alerts     int                `json:"alerts"`
	ByDetector map[string]int     `json:"alerts_by_detector"`
	Seconds    float64            `json:"seconds"`
	Suppressed *SuppressedSummary `json:"suppressed,omitempty"`
	Skipped    []Skipped          `json:"skipped,omitempty"`
	Errors     []string           `json:"errors,omitempty"`
}

// SuppressedSummary counts the findings (or alerts) a run did not report.
type SuppressedSummary struct {
	Total    int64            `json:"total"`
	Baseline int64            `json:"baseline"`
	Ignore   int64            `json:"ignore_file"`
	ByRule   map[string]int64 `json:"by_rule"`
	// Expired lists the ignore entries past their expiry date: they
	// suppressed nothing.
	Expired []ExpiredIgnore `json:"expired_ignores,omitempty"`
}

// ExpiredIgnore is an ignore entry past its expiry date.
type ExpiredIgnore struct {
	Fingerprint string `json:"fingerprint"`
	Expires     string `json:"expires"`
	Reason      string `json:"reason,omitempty"`
	Source      string `json:"source"`
	// Found tells whether this run found the finding: it is reported
	// again.
	Found bool `json:"found"`
	// Entry is the entry itself, for its location.
	Entry *suppress.Entry `json:"-"`
}

// Message says what an expired entry means, for warnings.
func (x *ExpiredIgnore) Message() string {
	m := fmt.Sprintf("%s: ignore entry %s expired on %s", x.Source, x.Fingerprint, x.Expires)
	if x.Reason != "" {
		m += " (" + x.Reason + ")"
	}
	if x.Found {
		return m + "; its finding is reported again"
	}
	return m + "; no finding has this fingerprint any more, remove the line"
}

// write adds the suppressed counts to a human summary.
func (s *SuppressedSummary) write(w io.Writer) {
	if s == nil {
		return
	}
	if s.Total > 0 {
		fmt.Fprintf(w, "%d finding(s) suppressed (%d by baseline, %d by ignore file)\n", s.Total, s.Baseline, s.Ignore)
	}
	for i := range s.Expired {
		fmt.Fprintf(w, "expired: %s\n", s.Expired[i].Message())
	}
}

// WriteSummary writes a short human summary of a run of scan or sanitize:
// the end of a table report, and what scan and sanitize print on standard
// error.
func WriteSummary(w io.Writer, s *Summary) {
	st := s.Stats
	fmt.Fprintf(w, "%d file(s), %d record(s): %d finding(s)", s.Files, st.Records, s.Reported())
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

// suppressionText says why a finding is suppressed.
func suppressionText(e *suppress.Entry) string {
	t := "in baseline " + e.Source()
	if e.Kind == suppress.Ignore {
		t = "accepted in " + e.Source()
		if d := e.ExpiryDate(); d != "" {
			t += " until " + d
		}
	}
	if e.Reason != "" {
		t += ": " + e.Reason
	}
	return t
}

// suppression is how json and ndjson reports mark a suppressed finding or
// alert.
type suppression struct {
	Kind    suppress.Kind `json:"kind"`
	Source  string        `json:"source"`
	Expires string        `json:"expires,omitempty"`
	Reason  string        `json:"reason,omitempty"`
}

func suppressionOf(e *suppress.Entry) *suppression {
	if e == nil {
		return nil
	}
	return &suppression{Kind: e.Kind, Source: e.Source(), Expires: e.ExpiryDate(), Reason: e.Reason}
}
