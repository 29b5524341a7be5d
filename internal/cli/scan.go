package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/internal/safefile"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/report"
	"github.com/spf13/cobra"
)

func scanCmd() *cobra.Command {
	var (
		ef     engineFlags
		sf     suppressFlags
		outFmt string
		output string
		failOn string
		quiet  bool
	)
	cmd := &cobra.Command{
		Use:   "scan [flags] PATH...",
		Short: "Report the records that lie in protected zones or belong to protected signal classes",
		Long: `scan reads each PATH (a file, a folder searched recursively, or - for standard
input), recognises its format by content, and reports every record that a rule
of the policy with a severity matches: records inside protected zones, records
of protected signal classes.

Exit codes: 0 when no finding is at or above --fail-on, 1 when one is, 2 on any
error (unreadable or malformed input, bad policy, bad ignore or baseline file).
Without --keep-going, a malformed record stops the scan of its file with an
error naming the line.

Known findings can be accepted by their fingerprint: listed in a
.geowardenignore file in the current folder (or --ignore-file), one a line with
an optional expires=YYYY-MM-DD and a # reason, or found in a previous report
(--baseline). They are counted as suppressed, not reported (unless
--show-suppressed) and do not count towards the exit code. An expired entry
suppresses nothing and is warned of.`,
		Example: `  geowarden scan examples/
  geowarden scan --zones zones.geojson --format ndjson drive-log.csv
  geowarden scan --policy policy.yml --fail-on high --format sarif -o scan.sarif data/
  geowarden scan --format json -o baseline.json data/ && geowarden scan --baseline baseline.json data/`,
		Args: cobra.MinimumNArgs(1),
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			threshold, err := parseFailOn(failOn)
			if err != nil {
				return ExitError, err
			}
			runner, p, err := ef.setup()
			if err != nil {
				return ExitError, err
			}
			runner.Stdin = cmd.InOrStdin()
			sup, err := sf.load(time.Now())
			if err != nil {
				return ExitError, err
			}
			out, commit, discard, err := reportOutput(cmd.OutOrStdout(), output)
			if err != nil {
				return ExitError, err
			}
			defer discard()
			rep, err := newReporter(outFmt, out, p)
			if err != nil {
				return ExitError, err
			}
			sum := newSummary(p)
			worst := geowarden.SeverityNone
			var repErr error
			runner.Options.Finding = func(f *geowarden.Finding) {
				if ok, err := sup.filter(f, rep); ok {
					if err != nil && repErr == nil {
						repErr = err
					}
					return
				}
				sum.Count(f)
				if f.Severity > worst {
					worst = f.Severity
				}
				if err := rep.Finding(f); err != nil && repErr == nil {
					repErr = err
				}
			}
			inputs, skipped, err := inputsOf(args)
			if err != nil {
				return ExitError, err
			}
			sum.Skipped = append(sum.Skipped, skipped...)
			failed := false
			paths := make([]string, len(inputs))
			for i, in := range inputs {
				paths[i] = in.path
			}
			stderr, endProgress := startProgress(cmd.ErrOrStderr(), quiet, paths, runner)
			next := 0
			var stats geowarden.Stats
			var mu sync.Mutex
			texts := map[string]string{} // files read as plain text: why no codec read them
			named := map[string]bool{}   // files named on the command line: no codec reads them is an error
			for _, in := range inputs {
				named[in.path] = named[in.path] || in.explicit
			}
			runner.Each(cmd.Context(), paths, ef.workers, func(ctx context.Context, rr *pipeline.Runner, p string) (geowarden.Stats, error) {
				if named[p] {
					return rr.Scan(ctx, p)
				}
				st, text, err := rr.ScanFound(ctx, p)
				mu.Lock()
				texts[p] = text
				mu.Unlock()
				return st, err
			}, func(res pipeline.Result) {
				in := inputs[next]
				next++
				mu.Lock()
				text := texts[in.path]
				mu.Unlock()
				stats.Add(res.Stats)
				if text != "" && res.Err == nil {
					sum.Skipped = append(sum.Skipped, report.Skipped{Path: in.path, Reason: "holds no records (" + text + "); its text was read for positions"})
					return
				}
				if why := notRead(in, res.Err); why != "" {
					sum.Skipped = append(sum.Skipped, report.Skipped{Path: in.path, Reason: why})
					return
				}
				sum.Files++
				if res.Err != nil {
					failed = true
					err := hint(res.Err)
					sum.Errors = append(sum.Errors, err.Error())
					fmt.Fprintf(stderr, "geowarden: %v\n", err)
				}
			})
			endProgress()
			sum.Stats = stats
			sum.Suppressed = sup.finish(stderr)
			if repErr != nil {
				return ExitError, repErr
			}
			for _, e := range sum.Stats.BadErrors {
				fmt.Fprintf(stderr, "geowarden: skipped bad record: %s\n", e)
			}
			switch {
			case failed:
				sum.ExitCode = ExitError
			case threshold > geowarden.SeverityNone && worst >= threshold:
				sum.ExitCode = ExitFindings
			}
			if err := rep.Close(sum); err != nil {
				return ExitError, err
			}
			if outFmt != "table" && outFmt != "json" && !quiet {
				report.WriteSummary(stderr, sum)
			}
			if commit != nil {
				if err := commit(); err != nil {
					return ExitError, err
				}
			}
			return sum.ExitCode, nil
		}),
	}
	fs := cmd.Flags()
	ef.register(fs)
	fs.StringVar(&outFmt, "format", "table", "report `FORMAT`: table, json, ndjson, sarif or html")
	fs.StringVarP(&output, "output", "o", "", "write the report to `FILE` instead of standard output")
	fs.StringVar(&failOn, "fail-on", "info", "exit 1 when a finding has this `SEVERITY` or higher (info, low, medium, high, critical; never)")
	fs.BoolVar(&ef.keepGoing, "keep-going", false, "skip records that cannot be parsed (they are counted and listed) instead of stopping at the first")
	fs.BoolVarP(&quiet, "quiet", "q", false, "print no summary and no progress bar on standard error")
	sf.register(fs)
	return cmd
}

// hint adds to an error what the user can do about it on the command line.
func hint(err error) error {
	if errors.Is(err, format.ErrNoPosition) {
		return fmt.Errorf("%w (name the columns with --lat-col and --lon-col, or --column lat=NAME --column lon=NAME)", err)
	}
	return err
}

func parseFailOn(s string) (geowarden.Severity, error) {
	switch strings.ToLower(s) {
	case "never", "none":
		return geowarden.SeverityNone, nil
	case "any":
		return geowarden.SeverityInfo, nil
	}
	sev, err := geowarden.ParseSeverity(s)
	if err != nil {
		return 0, fmt.Errorf("--fail-on: %w", err)
	}
	return sev, nil
}

type input struct {
	path     string
	explicit bool // named on the command line, not found in a folder
}

// inputsOf expands the arguments into inputs, and lists what the folders
// hold that is not read (links out of the folder, FIFOs, devices).
func inputsOf(args []string) ([]input, []report.Skipped, error) {
	var out []input
	var skipped []report.Skipped
	for _, a := range args {
		st, err := os.Stat(a)
		if a == pipeline.Stdin || (err == nil && !st.IsDir()) {
			out = append(out, input{a, true})
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		files, sk, err := pipeline.Inputs([]string{a})
		if err != nil {
			return nil, nil, err
		}
		for _, f := range files {
			out = append(out, input{f, false})
		}
		skipped = append(skipped, skippedOf(sk)...)
	}
	return out, skipped, nil
}

// notRead says why an input found in a folder is listed instead of read,
// or "" when its error is an error of the run: a format no codec
// recognises, or a text file that holds no position (a README, a NOTICE,
// a CSV without coordinate columns).
func notRead(in input, err error) string {
	if in.explicit {
		return ""
	}
	switch {
	case errors.Is(err, pipeline.ErrUnrecognised):
		return "unrecognised format"
	case errors.Is(err, format.ErrNoPosition):
		return "holds no position: " + err.Error()
	}
	return ""
}

// reportOutput returns where a report goes: stdout, or for a path other
// than "-" a temporary file that commit renames into place. discard
// removes the temporary file unless commit ran; commit is nil for stdout.
func reportOutput(stdout io.Writer, path string) (out io.Writer, commit func() error, discard func(), err error) {
	if path == "" || path == "-" {
		return stdout, nil, func() {}, nil
	}
	w, c, err := atomicFile(path)
	if err != nil {
		return nil, nil, nil, err
	}
	return w, func() error { return c(true) }, func() { c(false) }, nil
}

// atomicFile returns a writer to a file with no name in the folder of
// path, and a function that puts it at path (commit true) or drops it. A
// path that exists and is not a regular file, or is a symbolic link, is
// refused.
func atomicFile(path string) (io.Writer, func(commit bool) error, error) {
	f, err := safefile.Create(path, safefile.Options{})
	if err != nil {
		return nil, nil, err
	}
	return f.File(), func(commit bool) error {
		if !commit {
			f.Abort()
			return nil
		}
		return f.Commit()
	}, nil
}
