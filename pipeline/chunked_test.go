package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format/csv"
)

// runBoth runs input through the engine whole and in pieces of the given
// size, and returns both outputs, findings and errors.
func runBoth(t testing.TB, r *Runner, input []byte, pieceSize int, keepGoing bool) (whole, cut outcome) {
	t.Helper()
	run := func(workers int) outcome {
		var o outcome
		rr := *r
		rr.PieceWorkers = workers
		rr.Options.KeepGoing = keepGoing
		rr.Options.Format.Name = "in.csv"
		rr.Options.Finding = func(f *geowarden.Finding) {
			o.findings = append(o.findings, fmt.Sprintf("%d@%d %s %v", f.Line, f.Offset, f.Rule, f.Zones))
		}
		var out bytes.Buffer
		o.stats, o.err = rr.run(context.Background(), csv.Codec{}, bytes.NewReader(input), &out, rr.Options, false)
		o.out = out.String()
		return o
	}
	old := PieceSize
	PieceSize = pieceSize
	defer func() { PieceSize = old }()
	return run(1), run(3)
}

type outcome struct {
	out      string
	findings []string
	stats    geowarden.Stats
	err      error
}

func compare(t testing.TB, name string, whole, cut outcome) {
	t.Helper()
	if (whole.err == nil) != (cut.err == nil) {
		t.Fatalf("%s: whole error %v, pieces error %v", name, whole.err, cut.err)
	}
	if whole.err != nil {
		if whole.err.Error() != cut.err.Error() {
			t.Errorf("%s: errors differ:\nwhole:  %v\npieces: %v", name, whole.err, cut.err)
		}
		return
	}
	if whole.out != cut.out {
		t.Errorf("%s: outputs differ (whole %d bytes, pieces %d bytes)", name, len(whole.out), len(cut.out))
	}
	if strings.Join(whole.findings, "\n") != strings.Join(cut.findings, "\n") {
		t.Errorf("%s: findings differ: whole %d, pieces %d; first whole %.3q, pieces %.3q", name, len(whole.findings), len(cut.findings), whole.findings, cut.findings)
	}
	w, c := whole.stats, cut.stats
	w.BadErrors, c.BadErrors = nil, nil
	if w.Records != c.Records || w.Dropped != c.Dropped || w.Kept != c.Kept || w.Bad != c.Bad || w.Findings != c.Findings {
		t.Errorf("%s: stats differ: whole %+v, pieces %+v", name, w, c)
	}
	if strings.Join(whole.stats.BadErrors, "\n") != strings.Join(cut.stats.BadErrors, "\n") {
		t.Errorf("%s: bad-record errors differ:\nwhole:  %q\npieces: %q", name, whole.stats.BadErrors, cut.stats.BadErrors)
	}
}

// TestChunkedEqualsWhole: cutting an input into pieces processed in
// parallel gives exactly the output, findings (with their global line
// numbers and offsets), counts and errors of reading it whole.
func TestChunkedEqualsWhole(t *testing.T) {
	r := testRunner(t)
	inputs := map[string]string{
		"plain":            "lat,lon\n50,10\n45,3\n50.001,10.001\n44,2\n",
		"no final newline": "lat,lon\n50,10\n45,3",
		"crlf and bom":     "\xef\xbb\xbfid,lat,lon\r\n1,50,10\r\n2,45,3\r\n3,50,10\r\n",
		"empty lines":      "\n\nlat,lon\n\n50,10\n\n45,3\n\n",
		"quoted newlines":  "name,lat,lon\n\"a\nb\",50,10\n\"c\"\"\n\",45,3\n\"x,y\",50.002,10.002\nplain,44,4\n",
		"stray quotes":     "name,lat,lon\nab\"c,50,10\n5'10\",45,3\n\"q\"x,50,10\n",
		"semicolons":       "lat;lon;name\n50;10;\"a;b\"\n45;3;c\n",
		"header only":      "lat,lon\n",
		"bad rows":         "lat,lon\n50,10\nx,y\n45,3\n1,2,3\n50,10\n",
		"unterminated":     "lat,lon\n50,10\n\"45,3\n50,10\n",
	}
	for _, f := range []string{"../format/csv/testdata/gnettrack-driving.csv", "../format/csv/testdata/opencellid-diff.csv", "../format/csv/testdata/synthetic-quoted.csv"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(f)] = string(b)
	}
	for name, in := range inputs {
		for _, size := range []int{1, 7, 64, 1000} {
			for _, kg := range []bool{false, true} {
				whole, cut := runBoth(t, r, []byte(in), size, kg)
				compare(t, fmt.Sprintf("%s/piece %d/keep-going %v", name, size, kg), whole, cut)
			}
		}
	}
}

func FuzzChunked(f *testing.F) {
	f.Add([]byte("lat,lon\n50,10\n\"45\n\",3\n"), 5)
	f.Add([]byte("a;lat;lon\n\"x\"\"y\";50;10\n"), 3)
	r := testRunner(f)
	f.Fuzz(func(t *testing.T, data []byte, size int) {
		if size < 1 || size > 4096 {
			return
		}
		whole, cut := runBoth(t, r, data, size, true)
		compare(t, "fuzz", whole, cut)
	})
}

// TestChunkedCancelled: a run cancelled before or while its input is cut
// in pieces fails with the context's error; it never ends as a success
// with the pieces read so far (a copy that is only a header).
func TestChunkedCancelled(t *testing.T) {
	var in strings.Builder
	in.WriteString("lat,lon,note\n")
	for i := 0; i < 50000; i++ {
		fmt.Fprintf(&in, "51.%04d,11.%04d,row %d\n", i%10000, i%7777, i)
	}
	r := testRunner(t)
	old := PieceSize
	PieceSize = 64 << 10
	defer func() { PieceSize = old }()
	for _, after := range []int{0, 1, 3} {
		ctx, cancel := context.WithCancel(context.Background())
		opts := r.Options
		var calls atomic.Int64 // Progress is called from every piece's worker
		opts.Progress = func(int64) {
			if calls.Add(1) == int64(after) {
				cancel()
			}
		}
		if after == 0 {
			cancel()
		}
		var out bytes.Buffer
		_, err := r.run(ctx, csv.Codec{}, strings.NewReader(in.String()), &out, opts, false)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after %d progress calls: err %v, %d bytes written; want context.Canceled", after, err, out.Len())
		}
		cancel()
	}
}
