package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/suppress"
)

var tableFormat = format{name: "table", findings: newTable, alerts: newAlertTable}

// Interface guards.
var (
	_ Reporter      = (*tableReporter)(nil)
	_ AlertReporter = (*alertTable)(nil)
)

// tableReporter writes one line per finding under a header, then the
// human summary.
type tableReporter struct {
	w *bufio.Writer
	n int
}

func newTable(w *bufio.Writer, _ *Options) (Reporter, error) { return &tableReporter{w: w}, nil }

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

// Suppressed lists a suppressed finding with its own row, the reason
// first in the last column.
func (r *tableReporter) Suppressed(f *geowarden.Finding, e *suppress.Entry) error {
	g := *f
	g.Zones = slices.Concat([]string{"[suppressed: " + suppressionText(e) + "]"}, f.Zones)
	return r.Finding(&g)
}

func (r *tableReporter) Close(s *Summary) error {
	if r.n > 0 {
		fmt.Fprintln(r.w)
	}
	WriteSummary(r.w, s)
	return r.w.Flush()
}

// alertTable writes the alerts as aligned columns, then each alert's
// fingerprint and reason, then the summary. The columns are aligned over
// every alert: rows and reasons are kept until Close.
type alertTable struct {
	w         *bufio.Writer
	tw        *tabwriter.Writer
	detectors []string
	reasons   []string
}

func newAlertTable(w *bufio.Writer, o *Options) (AlertReporter, error) {
	return &alertTable{w: w, detectors: o.Detectors}, nil
}

func (r *alertTable) Alert(a *geowarden.Alert) error { return r.row(a, "") }

func (r *alertTable) Suppressed(a *geowarden.Alert, _ *suppress.Entry) error {
	return r.row(a, " (suppressed)")
}

func (r *alertTable) row(a *geowarden.Alert, mark string) error {
	if r.tw == nil {
		r.tw = tabwriter.NewWriter(r.w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(r.tw, "DETECTOR\tSEVERITY\tSCORE\tZONE\tSTART\tEND\tSOURCES")
	}
	z := a.Zone
	if z == "" {
		z = "-"
	}
	r.reasons = append(r.reasons, fmt.Sprintf("%s %s: %s\n", a.Fingerprint, a.Detector, a.Reason))
	_, err := fmt.Fprintf(r.tw, "%s\t%s\t%.2f\t%s\t%s\t%s\t%s\n", a.Detector, a.Severity.String()+mark, a.Score, z,
		timeOrDash(a.Start), timeOrDash(a.End), sourceList(a.Sources))
	return err
}

func (r *alertTable) Close(sum *AlertSummary) error {
	w := r.w
	if r.tw != nil {
		r.tw.Flush()
		fmt.Fprintln(w)
		for _, s := range r.reasons {
			io.WriteString(w, s)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%d file(s), %d record(s), %d source(s): %d alert(s)", sum.Files, sum.Records, sum.Sources, sum.Alerts)
	if len(sum.ByDetector) > 0 {
		var parts []string
		for _, d := range r.detectors {
			if n := sum.ByDetector[d]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, d))
			}
		}
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	if s := sum.Suppressed; s != nil && s.Total > 0 {
		fmt.Fprintf(w, "%d alert(s) suppressed (%d by baseline, %d by ignore file)\n", s.Total, s.Baseline, s.Ignore)
	}
	for _, s := range sum.Skipped {
		fmt.Fprintf(w, "skipped %s: %s\n", s.Path, s.Reason)
	}
	fmt.Fprintf(w, "policy %s (revision %.12s)\n", sum.Policy, sum.Revision)
	return w.Flush()
}

func timeOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func sourceList(s []string) string {
	if len(s) <= 3 {
		return strings.Join(s, ",")
	}
	return fmt.Sprintf("%s,... (%d)", strings.Join(s[:3], ","), len(s))
}
