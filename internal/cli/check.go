package cli

import (
	"errors"
	"fmt"

	"github.com/geowarden/geowarden/server"
	"github.com/spf13/cobra"
)

func checkCmd() *cobra.Command {
	var ef engineFlags
	var config string
	cmd := &cobra.Command{
		Use:   "check [flags] [POLICY]",
		Short: "Validate a policy and the zone sets it names, or the gateway's configuration, without running",
		Long: `check loads POLICY, the zone files it names and any --zones files, and reports
the first problem with its file and line. Exit 0 when everything is valid, 2
otherwise. "geowarden check default" checks the built-in policy.

--config FILE checks the gateway's configuration (geowarden serve --config):
strict YAML (known keys only, no key twice), routes and their upstreams,
limits, the outbox's settings. With both, both are checked.`,
		Example: `  geowarden check policy.yml
  geowarden check --config gateway.yml
  geowarden check --config gateway.yml policy.yml`,
		Args: cobra.MaximumNArgs(1),
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			if len(args) == 0 && config == "" {
				return ExitError, errors.New("check: give a POLICY, --config FILE, or both")
			}
			if config != "" {
				cfg, err := server.LoadConfig(config, server.RouteNames(server.Protocols()))
				if err != nil {
					return ExitError, err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok: %s\n", config, describeConfig(cfg))
			}
			if len(args) == 0 {
				return ExitOK, nil
			}
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
	cmd.Flags().StringVar(&config, "config", "", "check the gateway's configuration `FILE` (geowarden serve --config)")
	return cmd
}

// describeConfig says in one line what a configuration sets.
func describeConfig(c *server.Config) string {
	s := ""
	for _, n := range server.RouteNames(server.Protocols()) {
		up := c.UpstreamOf(n)
		if up == nil {
			s += fmt.Sprintf("route %s not served (no upstream); ", n)
			continue
		}
		s += fmt.Sprintf("route %s -> %s; ", n, up)
	}
	return s + fmt.Sprintf("body limit %d bytes, outbox budget %d bytes", c.Limits.Body, c.Outbox.Budget)
}
