package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func checkCmd() *cobra.Command {
	var ef engineFlags
	cmd := &cobra.Command{
		Use:   "check [flags] POLICY",
		Short: "Validate a policy and the zone sets it names, without scanning",
		Long: `check loads POLICY, the zone files it names and any --zones files, and reports
the first problem with its file and line. Exit 0 when everything is valid, 2
otherwise. "geowarden check default" checks the built-in policy.`,
		Args: cobra.ExactArgs(1),
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			if args[0] != "default" {
				ef.policy = args[0]
			}
			runner, p, err := ef.setup()
			if err != nil {
				return ExitError, err
			}
			idx := runner.Engine.Classifier.Index()
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok: %d rule(s), %d signal class(es), %d zone set(s) with %d zone(s), %s; revision %.12s\n",
				p.Name, len(p.Rules), len(p.Signals), len(p.Zones), len(idx.Zones()), describeExport(p), p.Revision)
			return ExitOK, nil
		}),
	}
	ef.register(cmd.Flags())
	return cmd
}
