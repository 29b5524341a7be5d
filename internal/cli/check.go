package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/geowarden/geowarden/review"
)

func checkCmd() *cobra.Command {
	var ef engineFlags
	cmd := &cobra.Command{
		Use:   "check [flags] POLICY",
		Short: "Validate a policy and the zone sets it names, without scanning",
		Long: `check loads POLICY (with its detect and export sections), the zone files it
names and any --zones files, and reports the first problem with its file and
line. Exit 0 when everything is valid, 2
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
			exp, err := review.DecodeConfig(p.Name, p.Export)
			if err != nil {
				return ExitError, err
			}
			rules := fmt.Sprintf("%d export rule(s)", len(exp.Rules))
			if exp.Builtin {
				rules = "built-in export rules"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok: %d rule(s), %d signal class(es), %d zone set(s) with %d zone(s), %s; revision %.12s\n",
				p.Name, len(p.Rules), len(p.Signals), len(p.Zones), len(idx.Zones()), rules, p.Revision)
			return ExitOK, nil
		}),
	}
	ef.register(cmd.Flags())
	return cmd
}
