package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/detect"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/spf13/cobra"
)

func detectCmd() *cobra.Command {
	var (
		ef       engineFlags
		outFmt   string
		output   string
		failOn   string
		sourceBy string
		quiet    bool
		sf       suppressFlags
	)
	cmd := &cobra.Command{
		Use:   "detect [flags] PATH...",
		Short: "Find collection campaigns: drive-tests along rail lines, crowds converging on a site, fixed-site capture, protected signals, volume spikes",
		Long: `detect reads each PATH (a file, a folder searched recursively, or - for standard
input) with the same readers as scan, follows every source (device,
contributor) across all inputs, and raises an alert for each pattern of
collection that no single record shows:

  corridor          a source whose track runs inside corridor zones (rail lines)
                    for long distances while logging radio measurements
  convergence       many distinct sources at one zone in one time window, far
                    above that zone's usual count at that time of day
  fixed_site        a source that stays put near a zone for hours logging signals
  protected_signal  records of the policy's protected signal classes
  volume            a source whose daily volume jumps far above its own history,
                    or whose monthly volume passes a limit

The source of a record is its source column or property (source, device,
user, ...) when it has one; otherwise the file it came from (--source-by file
forces the file, --source-by dir the folder the file is in). Each source's
records must be in time order; sources may interleave. The policy's detect
section tunes every detector (docs/policy.md); the defaults work without one.

Exit codes: 0 when no alert is at or above --fail-on, 1 when one is, 2 on any
error.`,
		Example: `  geowarden detect drive-logs/
  geowarden detect --policy policy.yml --format ndjson exports/2026-11/
  geowarden detect --zones rail.gwz --source-by dir --format json trajectories/`,
		Args: cobra.MinimumNArgs(1),
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			threshold, err := parseFailOn(failOn)
			if err != nil {
				return ExitError, err
			}
			switch sourceBy {
			case "auto", "file", "dir":
			default:
				return ExitError, fmt.Errorf("--source-by %q: want auto, file or dir", sourceBy)
			}
			if outFmt != "table" && outFmt != "json" && outFmt != "ndjson" && outFmt != "html" {
				return ExitError, fmt.Errorf("--format %q: want table, json, ndjson or html", outFmt)
			}
			sup, err := sf.load(time.Now())
			if err != nil {
				return ExitError, err
			}
			runner, p, err := ef.setup()
			if err != nil {
				return ExitError, err
			}
			runner.Stdin = cmd.InOrStdin()
			eng := detect.New(p.Detect, runner.Engine.Classifier.Index(), p.Signals)
			inputs, err := inputsOf(args)
			if err != nil {
				return ExitError, err
			}
			stderr := cmd.ErrOrStderr()
			sum := detectSummary{Policy: p.Name, Revision: p.Revision}
			start := time.Now()
			ctx := context.Background()
			failed := false
			for _, in := range inputs {
				h := &detectHandler{eng: eng, path: in.path, by: sourceBy, keepGoing: ef.keepGoing}
				err := runner.Read(ctx, in.path, h)
				if errors.Is(err, pipeline.ErrUnrecognised) && !in.explicit {
					sum.Skipped = append(sum.Skipped, pipeline.Skipped{Path: in.path, Reason: "unrecognised format"})
					continue
				}
				sum.Files++
				sum.Records += h.records
				sum.Bad += h.bad
				if err != nil {
					failed = true
					err = hint(err)
					sum.Errors = append(sum.Errors, err.Error())
					fmt.Fprintf(stderr, "geowarden: %v\n", err)
				}
			}
			if failed {
				// A campaign seen through half the data is not the
				// campaign: no alerts from a run that lost inputs.
				return ExitError, nil
			}
			var alerts []alertJSON
			sum.ByDetector = map[string]int{}
			worst := geowarden.SeverityNone
			for _, a := range eng.Alerts() {
				if sup != nil {
					if e := sup.set.Match(a.Fingerprint); e != nil {
						sup.count(a.Detector, e)
						if sup.show {
							alerts = append(alerts, alertJSON{a, suppressionOf(e)})
						}
						continue
					}
				}
				alerts = append(alerts, alertJSON{Alert: a})
				sum.Alerts++
				sum.ByDetector[a.Detector]++
				worst = max(worst, a.Severity)
			}
			sum.Sources = eng.Sources()
			sum.Suppressed = sup.finish(stderr)
			sum.Seconds = time.Since(start).Seconds()
			out, commit, discard, err := reportOutput(cmd.OutOrStdout(), output)
			if err != nil {
				return ExitError, err
			}
			defer discard()
			if outFmt == "html" {
				err = writeAlertsHTML(out, alerts, &sum, p, eng.Zones())
			} else {
				err = writeAlerts(out, outFmt, alerts, &sum)
			}
			if err != nil {
				return ExitError, err
			}
			if commit != nil {
				if err := commit(); err != nil {
					return ExitError, err
				}
			}
			if outFmt == "ndjson" && !quiet {
				fmt.Fprintf(stderr, "%d file(s), %d record(s), %d source(s): %d alert(s)\n", sum.Files, sum.Records, sum.Sources, sum.Alerts)
			}
			if threshold > geowarden.SeverityNone && worst >= threshold {
				return ExitFindings, nil
			}
			return ExitOK, nil
		}),
	}
	fs := cmd.Flags()
	ef.register(fs)
	fs.StringVar(&outFmt, "format", "table", "report `FORMAT`: table, json, ndjson or html (a map page)")
	fs.StringVarP(&output, "output", "o", "", "write the report to `FILE` instead of standard output")
	fs.StringVar(&failOn, "fail-on", "info", "exit 1 when an alert has this `SEVERITY` or higher (info, low, medium, high, critical; never)")
	fs.StringVar(&sourceBy, "source-by", "auto", "what a record's source is: auto (its source column, else its file), file, or dir (the folder its file is in)")
	fs.BoolVar(&ef.keepGoing, "keep-going", false, "skip records that cannot be parsed (they are counted) instead of stopping at the first")
	fs.BoolVarP(&quiet, "quiet", "q", false, "print no summary on standard error")
	sf.register(fs)
	return cmd
}

// alertJSON is an alert of a report; Suppressed is set only for the
// suppressed alerts --show-suppressed lists.
type alertJSON struct {
	geowarden.Alert
	Suppressed *suppressionJSON `json:"suppressed,omitempty"`
}

// detectHandler feeds one input's records to the detection engine.
type detectHandler struct {
	eng        *detect.Engine
	path       string
	by         string
	keepGoing  bool
	records    int64
	bad        int64
	prevOffset int64
	fileSource string
}

func (h *detectHandler) Record(rec *geowarden.Record) geowarden.Edit {
	h.records++
	if h.by != "auto" || rec.Source == "" {
		if h.fileSource == "" {
			h.fileSource = fileSource(h.path, h.by)
		}
		rec.Source = h.fileSource
	}
	// A record's size is the distance from the previous record's start:
	// exact for line formats, close enough for volumes elsewhere.
	size := max(rec.Ref.Offset-h.prevOffset, 0)
	h.prevOffset = rec.Ref.Offset
	h.eng.Observe(rec, size)
	return geowarden.Keep
}

func (h *detectHandler) Bad(err *format.ParseError) error {
	if h.keepGoing {
		h.bad++
		return nil
	}
	return err
}

// fileSource names the source of a file's records that carry none.
func fileSource(path, by string) string {
	if path == pipeline.Stdin {
		return "stdin"
	}
	if by == "dir" {
		return filepath.Base(filepath.Dir(path))
	}
	return filepath.ToSlash(path)
}

// detectSummary is what a detect run did.
type detectSummary struct {
	Policy     string             `json:"policy"`
	Revision   string             `json:"policy_revision"`
	Files      int                `json:"files"`
	Records    int64              `json:"records"`
	Bad        int64              `json:"bad,omitempty"`
	Sources    int                `json:"sources"`
	Alerts     int                `json:"alerts"`
	ByDetector map[string]int     `json:"alerts_by_detector"`
	Seconds    float64            `json:"seconds"`
	Suppressed *suppressedSummary `json:"suppressed,omitempty"`
	Skipped    []pipeline.Skipped `json:"skipped,omitempty"`
	Errors     []string           `json:"errors,omitempty"`
}

func writeAlerts(w io.Writer, format string, alerts []alertJSON, sum *detectSummary) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch format {
	case "ndjson":
		enc := json.NewEncoder(bw)
		for i := range alerts {
			if err := enc.Encode(&alerts[i]); err != nil {
				return err
			}
		}
	case "json":
		if alerts == nil {
			alerts = []alertJSON{}
		}
		enc := json.NewEncoder(bw)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Alerts  []alertJSON    `json:"alerts"`
			Summary *detectSummary `json:"summary"`
		}{alerts, sum}); err != nil {
			return err
		}
	default:
		writeAlertTable(bw, alerts, sum)
	}
	return bw.Flush()
}

func writeAlertTable(w io.Writer, alerts []alertJSON, sum *detectSummary) {
	if len(alerts) > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DETECTOR\tSEVERITY\tSCORE\tZONE\tSTART\tEND\tSOURCES")
		for i := range alerts {
			a := &alerts[i]
			z := a.Zone
			if z == "" {
				z = "-"
			}
			sev := a.Severity.String()
			if a.Suppressed != nil {
				sev += " (suppressed)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%.2f\t%s\t%s\t%s\t%s\n", a.Detector, sev, a.Score, z,
				timeOrDash(a.Start), timeOrDash(a.End), sourceList(a.Sources))
		}
		tw.Flush()
		fmt.Fprintln(w)
		for i := range alerts {
			fmt.Fprintf(w, "%s %s: %s\n", alerts[i].Fingerprint, alerts[i].Detector, alerts[i].Reason)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%d file(s), %d record(s), %d source(s): %d alert(s)", sum.Files, sum.Records, sum.Sources, sum.Alerts)
	if len(sum.ByDetector) > 0 {
		var parts []string
		for _, d := range detect.Detectors {
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
