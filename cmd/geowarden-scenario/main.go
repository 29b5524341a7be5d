// Command geowarden-scenario writes a synthetic scenario for campaign
// detection: a region's zones, a policy, records of a few hundred sources
// over some weeks, and the ground truth of which sources are collection
// campaigns and which only look like them.
//
//	geowarden-scenario -seed 7 -o DIR [-days 30] [-scale 1]
//	geowarden-scenario eval -truth DIR/truth.json ALERTS.ndjson
//
// eval scores the alerts of geowarden detect (--format ndjson or json; "-"
// reads standard input) against the truth: per detector, recall,
// decoys and background sources flagged, precision, crowd events found.
//
// The same flags always give byte-identical files. docs/scenario.md
// describes the actors, the decoys and the truth file.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/geowarden/geowarden/detect"
	"github.com/geowarden/geowarden/scenario"
	"github.com/geowarden/geowarden/scenario/eval"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "eval" {
		return evaluate(args[1:], os.Stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet("geowarden-scenario", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 1, "random `seed`: picks the region, the actors, the decoys and the noise")
	out := fs.String("o", "", "output `folder` (created if needed)")
	days := fs.Int("days", scenario.DefaultDays, "length of the period in `days`")
	scale := fs.Float64("scale", 1, "population `factor`: 1 is a few hundred sources and about 1.5 million records, 0.1 suits tests")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: geowarden-scenario -seed N -o DIR [-days 30] [-scale 1]\n       geowarden-scenario eval -truth DIR/truth.json ALERTS.ndjson")
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

// evaluate prints the scores of detect's alerts against a truth file.
func evaluate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("geowarden-scenario eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	truthFile := fs.String("truth", "", "the scenario's truth.json `file`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *truthFile == "" || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: geowarden-scenario eval -truth DIR/truth.json ALERTS.ndjson (- for standard input)")
		return 2
	}
	t, err := eval.LoadTruth(*truthFile)
	if err != nil {
		fmt.Fprintln(stderr, "geowarden-scenario:", err)
		return 2
	}
	in := stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(stderr, "geowarden-scenario:", err)
			return 2
		}
		defer f.Close()
		in = f
	}
	alerts, err := eval.ReadAlerts(in)
	if err != nil {
		fmt.Fprintf(stderr, "geowarden-scenario: %s: %v\n", fs.Arg(0), err)
		return 2
	}
	if err := eval.Print(stdout, eval.Evaluate(t, alerts, detect.Detectors)); err != nil {
		fmt.Fprintln(stderr, "geowarden-scenario:", err)
		return 2
	}
	return 0
}
