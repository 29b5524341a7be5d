package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/suppress"
	"github.com/spf13/pflag"
)

// suppressFlags are the flags that accept known findings.
type suppressFlags struct {
	baselines  []string
	ignoreFile string
	show       bool
}

func (f *suppressFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.baselines, "baseline", nil, "do not report the findings of this previous report `FILE` again (scan --format json, ndjson or sarif); repeatable")
	fs.StringVar(&f.ignoreFile, "ignore-file", "", "accept the fingerprints listed in `FILE` (default: "+suppress.IgnoreFile+" in the current folder, when there is one)")
	fs.BoolVar(&f.show, "show-suppressed", false, "list suppressed findings too, marked as suppressed with the reason")
}

// load reads the ignore file and the baselines as they stand at now. It
// returns nil when there are none.
func (f *suppressFlags) load(now time.Time) (*suppressor, error) {
	var entries []suppress.Entry
	path, named := f.ignoreFile, f.ignoreFile != ""
	if !named {
		path = suppress.IgnoreFile
	}
	ig, err := suppress.LoadIgnore(path)
	switch {
	case err == nil:
		entries = append(entries, ig...)
	case !named && errors.Is(err, fs.ErrNotExist):
		path = ""
	default:
		return nil, fmt.Errorf("ignore file: %w", err)
	}
	for _, b := range f.baselines {
		be, err := suppress.LoadBaseline(b)
		if err != nil {
			return nil, fmt.Errorf("baseline: %w", err)
		}
		entries = append(entries, be...)
	}
	if path == "" && len(f.baselines) == 0 {
		return nil, nil
	}
	return &suppressor{
		set:  suppress.NewSet(now, entries),
		show: f.show,
		sum:  &suppressedSummary{ByRule: map[string]int64{}},
	}, nil
}

// suppressor takes the accepted findings out of a run's report.
type suppressor struct {
	set  *suppress.Set
	show bool
	sum  *suppressedSummary
}

// suppressedReporter is a reporter that can list suppressed findings,
// marked as such.
type suppressedReporter interface {
	// Suppressed is called, in input order among the other findings, for
	// a finding that e suppresses. f is valid only during the call.
	Suppressed(f *geowarden.Finding, e *suppress.Entry) error
}

// filter reports whether f is suppressed; a suppressed finding is counted
// and, with --show-suppressed, handed to rep. A nil suppressor suppresses
// nothing.
func (s *suppressor) filter(f *geowarden.Finding, rep reporter) (bool, error) {
	if s == nil {
		return false, nil
	}
	e := s.set.Match(f.Fingerprint)
	if e == nil {
		return false, nil
	}
	s.count(f.Rule, e)
	if sr, ok := rep.(suppressedReporter); ok && s.show {
		return true, sr.Suppressed(f, e)
	}
	return true, nil
}

// count counts a finding of rule (or an alert of a detector) that e
// suppresses.
func (s *suppressor) count(rule string, e *suppress.Entry) {
	s.sum.Total++
	s.sum.ByRule[rule]++
	if e.Kind == suppress.Baseline {
		s.sum.Baseline++
	} else {
		s.sum.Ignore++
	}
}

// finish lists the expired ignore entries in the summary and warns of
// each on w; it returns the summary, nil for a nil suppressor.
func (s *suppressor) finish(w io.Writer) *suppressedSummary {
	if s == nil {
		return nil
	}
	for _, e := range s.set.Expired() {
		x := expiredIgnore{
			Fingerprint: e.Fingerprint,
			Expires:     e.ExpiryDate(),
			Reason:      e.Reason,
			Source:      e.Source(),
			Found:       s.set.Hits(e) > 0,
			entry:       e,
		}
		s.sum.Expired = append(s.sum.Expired, x)
		fmt.Fprintf(w, "geowarden: warning: %s\n", x.message())
	}
	return s.sum
}

// suppressedSummary counts the findings a run did not report.
type suppressedSummary struct {
	Total    int64            `json:"total"`
	Baseline int64            `json:"baseline"`
	Ignore   int64            `json:"ignore_file"`
	ByRule   map[string]int64 `json:"by_rule"`
	// Expired lists the ignore entries past their expiry date: they
	// suppressed nothing.
	Expired []expiredIgnore `json:"expired_ignores,omitempty"`
}

type expiredIgnore struct {
	Fingerprint string `json:"fingerprint"`
	Expires     string `json:"expires"`
	Reason      string `json:"reason,omitempty"`
	Source      string `json:"source"`
	// Found tells whether this run found the finding: it is reported
	// again.
	Found bool `json:"found"`
	entry *suppress.Entry
}

func (x *expiredIgnore) message() string {
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
func (s *suppressedSummary) write(w io.Writer) {
	if s == nil {
		return
	}
	if s.Total > 0 {
		fmt.Fprintf(w, "%d finding(s) suppressed (%d by baseline, %d by ignore file)\n", s.Total, s.Baseline, s.Ignore)
	}
	for i := range s.Expired {
		fmt.Fprintf(w, "expired: %s\n", s.Expired[i].message())
	}
}

// reported is the number of findings the report lists as not suppressed.
func (s *summary) reported() int64 {
	if s.Suppressed == nil {
		return s.Stats.Findings
	}
	return s.Stats.Findings - s.Suppressed.Total
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

// suppressionJSON is how json and ndjson reports mark a suppressed
// finding.
type suppressionJSON struct {
	Kind    suppress.Kind `json:"kind"`
	Source  string        `json:"source"`
	Expires string        `json:"expires,omitempty"`
	Reason  string        `json:"reason,omitempty"`
}

func suppressionOf(e *suppress.Entry) *suppressionJSON {
	return &suppressionJSON{Kind: e.Kind, Source: e.Source(), Expires: e.ExpiryDate(), Reason: e.Reason}
}

// jsonFinding is a finding of a JSON report; Suppressed is set only for
// the suppressed findings --show-suppressed lists.
type jsonFinding struct {
	geowarden.Finding
	Suppressed *suppressionJSON `json:"suppressed,omitempty"`
}

// Interface guards.
var (
	_ suppressedReporter = (*ndjsonReporter)(nil)
	_ suppressedReporter = (*jsonReporter)(nil)
	_ suppressedReporter = (*tableReporter)(nil)
)

func (r *ndjsonReporter) Suppressed(f *geowarden.Finding, e *suppress.Entry) error {
	b, err := json.Marshal(suppressionOf(e))
	if err != nil {
		return err
	}
	r.buf = f.AppendJSON(r.buf[:0])
	r.buf = append(append(append(r.buf[:len(r.buf)-1], `,"suppressed":`...), b...), '}', '\n')
	_, err = r.w.Write(r.buf)
	return err
}

func (r *jsonReporter) Suppressed(f *geowarden.Finding, e *suppress.Entry) error {
	r.findings = append(r.findings, jsonFinding{Finding: *f, Suppressed: suppressionOf(e)})
	return nil
}

// Suppressed lists a suppressed finding with its own row, the reason
// first in the last column.
func (r *tableReporter) Suppressed(f *geowarden.Finding, e *suppress.Entry) error {
	g := *f
	g.Zones = slices.Concat([]string{"[suppressed: " + suppressionText(e) + "]"}, f.Zones)
	return r.Finding(&g)
}
