// Command geowarden is a firewall for location and radio-signal data.
package main

import (
	"os"

	"github.com/geowarden/geowarden/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
