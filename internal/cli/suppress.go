package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/report"
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
		sum:  &report.SuppressedSummary{ByRule: map[string]int64{}},
	}, nil
}

// suppressor takes the accepted findings out of a run's report.
type suppressor struct {
	set  *suppress.Set
	show bool
	sum  *report.SuppressedSummary
}

// filter reports whether f is suppressed; a suppressed finding is counted
// and, with --show-suppressed, handed to rep. A nil suppressor suppresses
// nothing.
func (s *suppressor) filter(f *geowarden.Finding, rep report.Reporter) (bool, error) {
	if s == nil {
		return false, nil
	}
	e := s.set.Match(f.Fingerprint)
	if e == nil {
		return false, nil
	}
	s.count(f.Rule, e)
	if s.show {
		return true, rep.Suppressed(f, e)
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
func (s *suppressor) finish(w io.Writer) *report.SuppressedSummary {
	if s == nil {
		return nil
	}
	for _, e := range s.set.Expired() {
		x := report.ExpiredIgnore{
			Fingerprint: e.Fingerprint,
			Expires:     e.ExpiryDate(),
			Reason:      e.Reason,
			Source:      e.Source(),
			Found:       s.set.Hits(e) > 0,
			Entry:       e,
		}
		s.sum.Expired = append(s.sum.Expired, x)
		fmt.Fprintf(w, "geowarden: warning: %s\n", x.Message())
	}
	return s.sum
}
