// Package cli implements geowarden's command line. Each subcommand lives in
// its own file; commands return an exit code and an error.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes. They are part of geowarden's interface.
const (
	ExitOK       = 0 // clean: nothing at or above --fail-on; sanitize wrote its output
	ExitFindings = 1 // findings at or above --fail-on; sanitize refused by a block rule
	ExitError    = 2 // bad input, bad flags, bad policy, I/O error
	// Exit status 3 is the supervisor's (supervise.ExitInternal): the Go
	// runtime stopped the run, which returned no code.
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// run adapts a command body that returns (code, error) to cobra.
func run(f func(cmd *cobra.Command, args []string) (int, error)) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		code, err := f(cmd, args)
		if code == ExitOK && err == nil {
			return nil
		}
		if code == ExitOK {
			code = ExitError
		}
		return &exitError{code, err}
	}
}

// Main runs geowarden with the given arguments and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:   "geowarden",
		Short: "A firewall for location and radio-signal data",
		Long: `geowarden finds the records of location and radio-signal data that fall inside
protected zones (military areas, rail corridors, critical sites) or belong to
protected signal classes (railway radio), and writes cleaned copies in the same
format. With no configuration it uses a built-in policy and built-in zones.

Exit codes: 0 clean, 1 findings (or input refused by policy), 2 error,
3 internal failure (out of memory, a crash), 128+N interrupted by signal N
(130 SIGINT, 143 SIGTERM, 129 SIGHUP).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{ExitError, err}
	})
	root.AddCommand(versionCmd(), scanCmd(), sanitizeCmd(), detectCmd(), checkCmd(), zonesCmd(), auditCmd(), serveCmd(), tokenCmd())
	sigs := []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}
	if c, _, err := root.Find(args); err == nil && c.Annotations[annotationSIGHUP] != "" {
		sigs = sigs[:2] // the command handles SIGHUP itself
	}
	ctx, stop := withSignals(context.Background(), sigs...)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if s := interrupted(ctx); s != nil {
		var ee *exitError
		if !errors.As(err, &ee) || ee.code < 128 {
			fmt.Fprintf(stderr, "geowarden: %v: %v\n", s, err)
			return s.code()
		}
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "geowarden: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "geowarden: %v\n", err)
	return ExitError
}
