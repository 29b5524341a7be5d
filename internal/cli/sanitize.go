package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/internal/safefile"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/report"
	"github.com/spf13/cobra"
)

func sanitizeCmd() *cobra.Command {
	var (
		ef          engineFlags
		output      string
		findings    string
		reportFile  string
		quiet       bool
		followLinks bool
	)
	cmd := &cobra.Command{
		Use:   "sanitize [flags] -o OUT IN",
		Short: "Write a cleaned copy of an input, in the same format",
		Long: `sanitize writes a copy of IN with the policy applied: records are dropped,
coarsened, stripped or pseudonymised as the rules say, and everything else is
kept byte for byte. The copy is written to a file with no name, scanned again with
the same policy, and put at OUT only when that scan is clean: on any error, or
when the run is interrupted, nothing is left at OUT or beside it, and the
reports (--findings, --report) are not written either. OUT may be - for
standard output (written once the copy is whole and clean). An OUT that exists
and is not a regular file (a device, a FIFO, a folder where a file is expected)
is refused, and so is a symbolic link unless --follow-output-symlink.

IN may be a file, - for standard input, or a folder; OUT is then a new folder
of the same shape. Text files that no format reads as records (a README, a CSV
without coordinate columns) are copied as plain text with the positions written
in them handled as the policy's text setting says; binary files in no format
geowarden reads are not copied. Both are listed.

Exit codes: 0 the copy was written, 1 the input was refused by a block rule,
2 error (malformed input, bad policy, I/O), 129, 130 or 143 interrupted by
SIGHUP, SIGINT or SIGTERM (nothing written). A record that cannot be parsed
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
			runner.FollowOutputSymlink = followLinks
			ctx := cmd.Context()
			st, statErr := os.Stat(in)
			tree := in != pipeline.Stdin && statErr == nil && st.IsDir()
			if tree && output == "-" {
				return ExitError, errors.New("sanitize of a folder needs -o FOLDER, not standard output")
			}
			// Every output is prepared before the run and put in place
			// only when all of them succeeded.
			var outs safefile.Group
			defer outs.Abort()
			fopts := safefile.Options{FollowSymlink: followLinks}
			sum := newSummary(p)
			var fr report.Reporter
			if findings != "" {
				f, err := outs.Create(findings, fopts)
				if err != nil {
					return ExitError, fmt.Errorf("--findings: %w", err)
				}
				fr, _ = newReporter("ndjson", safefile.WriteBehind(f.File()), p)
			}
			var rf *safefile.File
			if reportFile != "" {
				if rf, err = outs.Create(reportFile, fopts); err != nil {
					return ExitError, fmt.Errorf("--report: %w", err)
				}
			}
			out := output
			if tree {
				if err := checkTreeOutput(out); err != nil {
					return ExitError, err
				}
			} else if output != "-" {
				if st, err := os.Stat(out); err == nil && st.IsDir() && in != pipeline.Stdin {
					out = filepath.Join(out, filepath.Base(in))
				}
			}
			var copyFile *os.File // where the cleaned copy is written
			switch {
			case output == "-":
				if copyFile, err = safefile.Scratch(""); err != nil {
					return ExitError, err
				}
				defer copyFile.Close()
			case !tree:
				// The last of the group: put in place after the reports.
				fopts.Mode = pipeline.InputMode(in)
				f, err := outs.Create(out, fopts)
				if err != nil {
					return ExitError, err
				}
				copyFile = f.File()
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
			stderr, endProgress := startProgress(cmd.ErrOrStderr(), quiet, []string{in}, runner)
			var stats geowarden.Stats
			var t *pipeline.Tree
			if tree {
				var skipped []pipeline.Skipped
				t, stats, skipped, err = runner.PrepareTree(ctx, in, out)
				sum.Skipped = skippedOf(skipped)
				if t != nil {
					defer t.Abort()
					sum.Files = len(t.Files())
				}
			} else {
				sum.Files = 1
				stats, err = runner.SanitizeInto(ctx, in, copyFile)
			}
			sum.Stats = stats
			endProgress()
			if err == nil {
				err = repErr
			}
			if err != nil {
				if stop := interrupted(ctx); stop != nil {
					return stop.code(), fmt.Errorf("%v: nothing written", stop)
				}
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
					return ExitError, fmt.Errorf("nothing written: --findings: %w", err)
				}
			}
			if rf != nil {
				if err := writeJSON(rf.File(), sum); err != nil {
					return ExitError, fmt.Errorf("nothing written: --report: %w", err)
				}
			}
			// All prepared: the reports first, the cleaned copy last.
			if err := outs.Commit(); err != nil {
				return ExitError, fmt.Errorf("not written: %w", err)
			}
			switch {
			case tree:
				err = t.Commit()
			case output == "-":
				err = copyOut(cmd.OutOrStdout(), copyFile)
			}
			if err != nil {
				return ExitError, fmt.Errorf("cleaned copy not written: %w", err)
			}
			if !quiet {
				for _, e := range sum.Stats.BadErrors {
					fmt.Fprintf(stderr, "geowarden: dropped bad record: %s\n", e)
				}
				report.WriteSummary(stderr, sum)
				s := sum.Stats
				fmt.Fprintf(stderr, "wrote %s: %d kept, %d modified, %d dropped\n", outputName(output), s.Kept, s.Modified, s.Dropped+s.Bad)
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
	fs.BoolVar(&followLinks, "follow-output-symlink", false, "write through a symbolic link given as an output (refused by default)")
	return cmd
}

// checkTreeOutput refuses a folder output that is a link or not a folder.
func checkTreeOutput(out string) error {
	st, err := os.Lstat(out)
	if err != nil {
		return nil
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("output %s is a symbolic link; refused (name the folder it points to)", out)
	}
	return nil
}

// copyOut copies a finished, checked output to standard output.
func copyOut(w io.Writer, f *os.File) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, f)
	return err
}

func outputName(o string) string {
	if o == "-" {
		return "standard output"
	}
	return o
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
