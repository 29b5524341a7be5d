// Command geowarden-scenario writes a synthetic scenario for campaign
// detection: a region's zones, a policy, records of a few hundred sources
// over some weeks, and the ground truth of which sources are collection
// campaigns and which only look like them.
//
//	geowarden-scenario -seed 7 -o DIR [-days 30] [-scale 1]
//
// The same flags always give byte-identical files. docs/scenario.md
// describes the actors, the decoys and the truth file.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/geowarden/geowarden/scenario"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("geowarden-scenario", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 1, "random `seed`: picks the region, the actors, the decoys and the noise")
	out := fs.String("o", "", "output `folder` (created if needed)")
	days := fs.Int("days", scenario.DefaultDays, "length of the period in `days`")
	scale := fs.Float64("scale", 1, "population `factor`: 1 is a few hundred sources and about 1.5 million records, 0.1 suits tests")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: geowarden-scenario -seed N -o DIR [-days 30] [-scale 1]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	t, err := scenario.Generate(*out, scenario.Config{Seed: *seed, Days: *days, Scale: *scale})
	if err != nil {
		fmt.Fprintln(stderr, "geowarden-scenario:", err)
		return 2
	}
	fmt.Fprintf(stdout, "%s: %s, %s to %s: %d records of %d sources (%d actors, %d decoys, %d background), %d crowd events, %d zones\n",
		*out, t.Region.Name, t.Start.Format("2006-01-02"), t.End.Format("2006-01-02"), t.Records, t.Sources,
		len(t.Actors), len(t.Decoys), len(t.Background), len(t.Events), len(t.Region.RailLines)+len(t.Region.Sites))
	return 0
}
