package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/geowarden/geowarden/internal/cli.Version=v1.2.3".
var Version = "dev"

func versionString() string {
	rev := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = s.Value[:12]
			}
			if s.Key == "vcs.modified" && s.Value == "true" && rev != "" {
				rev += "+dirty"
			}
		}
	}
	v := "geowarden " + Version
	if rev != "" {
		v += " (" + rev + ")"
	}
	return fmt.Sprintf("%s %s %s/%s", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print geowarden's version",
		Args:  cobra.NoArgs,
		RunE: run(func(cmd *cobra.Command, _ []string) (int, error) {
			fmt.Fprintln(cmd.OutOrStdout(), versionString())
			return ExitOK, nil
		}),
	}
}
