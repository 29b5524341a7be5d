package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/report"
	"github.com/spf13/cobra"
)

func sanitizeCmd() *cobra.Command {
	var (
		ef         engineFlags
		output     string
		findings   string
		reportFile string
		quiet      bool
	)
	cmd := &cobra.Command{
		Use:   "sanitize [flags] -o OUT IN",
		Short: "Write a cleaned copy of an input, in the same format",
		Long: `sanitize writes a copy of IN with the policy applied: records are dropped,
coarsened, stripped or pseudonymised as the rules say, and everything else is
kept byte for byte. The copy is written to a temporary file, scanned again with
the same policy, and renamed to OUT only when that scan is clean: on any error
nothing is left at OUT.

IN may be a file, - for standard input, or a folder; OUT is then a new folder
of the same shape (files in formats geowarden does not read are not copied, and
are listed).

Exit codes: 0 the copy was written, 1 the input was refused by a block rule,
2 error (malformed input, bad policy, I/O). A record that cannot be parsed
refuses the whole input, unless --keep-going drops and reports it.`,
		Example: `  geowarden sanitize --zones zones.geojson -o clean.csv drive-log.csv
  geowarden sanitize --policy policy.yml --findings findings.ndjson -o export/ data/`,
		Args: cobra.ExactArgs(1),
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			in := args[0]
			if output == "" {
				return ExitError, errors.New("sanitize needs -o OUT")
			}
			runner, p, err := ef.setup()
			if err != nil {
				return ExitError, err
			}
			runner.Stdin = cmd.InOrStdin()
			sum := newSummary(p)
			var fr report.Reporter
			var commitFindings func(bool) error
			if findings != "" {
				w, c, err := atomicFile(findings)
				if err != nil {
					return ExitError, err
				}
				defer c(false)
				commitFindings = c
				fr, _ = newReporter("ndjson", w, p)
			}
			var repErr error
			runner.Options.Finding = func(f *geowarden.Finding) {
				sum.Count(f)
				if fr != nil {
					if err := fr.Finding(f); err != nil && repErr == nil {
						repErr = err
					}
				}
			}
			ctx := context.Background()
			st, statErr := os.Stat(in)
			stderr, endProgress := startProgress(cmd.ErrOrStderr(), quiet, []string{in}, runner)
			var stats geowarden.Stats
			if in != pipeline.Stdin && statErr == nil && st.IsDir() {
				var skipped []pipeline.Skipped
				stats, skipped, err = runner.SanitizeTree(ctx, in, output, func(string) { sum.Files++ })
				sum.Skipped = skippedOf(skipped)
			} else {
				out := output
				if st, err := os.Stat(out); err == nil && st.IsDir() && in != pipeline.Stdin {
					out = filepath.Join(out, filepath.Base(in))
				}
				sum.Files = 1
				stats, err = runner.SanitizeFile(ctx, in, out)
			}
			sum.Stats = stats
			endProgress()
			if err == nil {
				err = repErr
			}
			var blocked *pipeline.BlockedError
			if errors.As(err, &blocked) {
				return ExitFindings, fmt.Errorf("nothing written: %w", err)
			}
			if err != nil {
				return ExitError, fmt.Errorf("nothing written: %w", hint(err))
			}
			if fr != nil {
				if err := fr.Close(sum); err != nil {
					return ExitError, err
				}
				if err := commitFindings(true); err != nil {
					return ExitError, err
				}
			}
			if reportFile != "" {
				if err := writeJSONFile(reportFile, sum); err != nil {
					return ExitError, err
				}
			}
			if !quiet {
				for _, e := range sum.Stats.BadErrors {
					fmt.Fprintf(stderr, "geowarden: dropped bad record: %s\n", e)
				}
				report.WriteSummary(stderr, sum)
				s := sum.Stats
				fmt.Fprintf(stderr, "wrote %s: %d kept, %d modified, %d dropped\n", output, s.Kept, s.Modified, s.Dropped+s.Bad)
			}
			return ExitOK, nil
		}),
	}
	fs := cmd.Flags()
	ef.register(fs)
	fs.StringVarP(&output, "output", "o", "", "write the cleaned copy to `OUT` (a file, or a new folder when IN is a folder)")
	fs.StringVar(&findings, "findings", "", "write the findings of the same pass to `FILE` (ndjson, as scan --format ndjson)")
	fs.StringVar(&reportFile, "report", "", "write a JSON summary of the run to `FILE`")
	fs.BoolVar(&ef.keepGoing, "keep-going", false, "drop records that cannot be parsed (they are counted and listed) instead of refusing the input")
	fs.BoolVarP(&quiet, "quiet", "q", false, "print no summary and no progress bar on standard error")
	return cmd
}

func writeJSONFile(path string, v any) error {
	w, commit, err := atomicFile(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		commit(false)
		return err
	}
	return commit(true)
}
