package cli

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/detect"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/report"
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
			if err := checkFormat(outFmt, report.AlertFormats()); err != nil {
				return ExitError, err
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
			cfg, err := detect.DecodeConfig(p.Name, p.Detect)
			if err != nil {
				return ExitError, err
			}
			cl := runner.Engine.Classifier
			eng := detect.New(cfg, cl.Index())
			inputs, skipped, err := inputsOf(args)
			if err != nil {
				return ExitError, err
			}
			stderr := cmd.ErrOrStderr()
			sum := report.AlertSummary{Policy: p.Name, Revision: p.Revision, Skipped: skipped}
			start := time.Now()
			ctx := cmd.Context()
			failed := false
			for _, in := range inputs {
				h := &detectHandler{eng: eng, cl: cl, path: in.path, by: sourceBy, keepGoing: ef.keepGoing}
				err := runner.Read(ctx, in.path, h)
				if why := notRead(in, err); why != "" {
					sum.Skipped = append(sum.Skipped, report.Skipped{Path: in.path, Reason: why})
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
			out, commit, discard, err := reportOutput(cmd.OutOrStdout(), output)
			if err != nil {
				return ExitError, err
			}
			defer discard()
			o := reportOptions(p)
			o.Detectors = detect.Detectors
			if outFmt == "html" {
				o.Title, o.Zones = "geowarden detect: "+p.Name, eng.Zones()
			}
			rep, err := report.NewAlerts(outFmt, out, o)
			if err != nil {
				return ExitError, err
			}
			sum.ByDetector = map[string]int{}
			worst := geowarden.SeverityNone
			for _, a := range eng.Alerts() {
				if sup != nil {
					if e := sup.set.Match(a.Fingerprint); e != nil {
						sup.count(a.Detector, e)
						if sup.show {
							if err := rep.Suppressed(&a, e); err != nil {
								return ExitError, err
							}
						}
						continue
					}
				}
				if err := rep.Alert(&a); err != nil {
					return ExitError, err
				}
				sum.Alerts++
				sum.ByDetector[a.Detector]++
				worst = max(worst, a.Severity)
			}
			sum.Sources = eng.Sources()
			sum.Suppressed = sup.finish(stderr)
			sum.Seconds = time.Since(start).Seconds()
			if err := rep.Close(&sum); err != nil {
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

// detectHandler classifies one input's records and feeds them to the
// detection engine.
type detectHandler struct {
	eng        *detect.Engine
	cl         *classify.Classifier
	scratch    classify.Scratch
	c          geowarden.Classified
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
	h.cl.Classify(rec, &h.scratch, &h.c)
	h.eng.Observe(&h.c, size)
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
