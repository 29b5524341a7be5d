// Command verifybench measures the release verifier on a real file: it
// writes the file through a verify.Writer in 64 KiB writes, once with the
// zones in a cell index (as the command line builds them) and once with none (the text scan alone), and prints the wall
// and CPU time of each, the throughput and the positions found in zones.
// Every position is counted, not just the first, so that a file with
// positions in zones (an unsanitized input) measures the whole scan.
//
//	go run ./internal/verifybench -zones zones.geojson records.csv
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/geotext"
	"github.com/geowarden/geowarden/verify"
	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/cell"
)

type nowhere struct{}

func (nowhere) Contains(_ geowarden.Point, dst []int32) []int32 { return dst }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	zonesPath := flag.String("zones", "", "zone file (GeoJSON, KML, ...)")
	rtree := flag.Bool("rtree", false, "also measure with zone.Index instead of the cell index")
	flag.Parse()
	if *zonesPath == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: verifybench -zones zones.geojson file")
		os.Exit(2)
	}
	set, err := zone.LoadFile(*zonesPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "verifybench:", err)
		os.Exit(2)
	}
	t0 := time.Now()
	ix := cell.Build(set)
	v := verify.New(ix)
	fmt.Printf("%d zones, cell index built in %v\n", len(ix.Zones()), time.Since(t0).Round(time.Millisecond))
	run("cell", v, flag.Arg(0))
	if *rtree {
		t0 = time.Now()
		rx := zone.NewIndex(set)
		v = verify.New(rx)
		fmt.Printf("zone.Index built in %v\n", time.Since(t0).Round(time.Millisecond))
		run("zone", v, flag.Arg(0))
	}
	run("scan only", verify.New(nowhere{}), flag.Arg(0))
}

func run(name string, v *verify.Verifier, path string) {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "verifybench:", err)
		os.Exit(2)
	}
	defer f.Close()
	hits := 0
	v.Filter = func(geotext.Match, geowarden.Point, int32) bool { hits++; return false }
	w := v.NewWriter(nil)
	buf := make([]byte, 64<<10)
	c0, t0 := cpuTime(), time.Now()
	n, err := io.CopyBuffer(w, f, buf)
	if err == nil {
		err = w.Close()
	}
	wall, cpu := time.Since(t0), cpuTime()-c0
	if err != nil {
		fmt.Fprintln(os.Stderr, "verifybench:", err)
		os.Exit(2)
	}
	fmt.Printf("%-9s %d bytes: wall %v (%.0f MB/s), cpu %v (%.0f MB/s per core); %d position readings in zones\n",
		name, n, wall.Round(time.Millisecond), float64(n)/wall.Seconds()/1e6, cpu.Round(time.Millisecond), float64(n)/cpu.Seconds()/1e6, hits)
}
