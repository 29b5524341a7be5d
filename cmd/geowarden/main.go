// Command geowarden is a firewall for location and radio-signal data.
package main

import (
	"os"

	"github.com/geowarden/geowarden/internal/cli"
	"github.com/geowarden/geowarden/internal/supervise"
)

// crash, set only in binaries built with the geowarden_crashtest tag
// (crashtest.go), ends the run the way the environment variable
// GEOWARDEN_TEST_CRASH says, to test the supervisor.
var crash func()

func main() {
	os.Exit(supervise.Main(func() int {
		if crash != nil {
			crash()
		}
		return cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	}))
}
