package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/csv"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/zone"
)

func testRunner(t testing.TB) *Runner {
	t.Helper()
	set, err := zone.ReadGeoJSON("z", "z", strings.NewReader(`{"type":"Feature","properties":{"id":"c","buffer_m":5000},"geometry":{"type":"Point","coordinates":[10,50]}}`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse("p", []byte("zones: [{file: z.geojson}]\nrules:\n  - id: drop\n    when: {in_zone: true}\n    action: drop\n    severity: high\n"))
	if err != nil {
		t.Fatal(err)
	}
	return &Runner{
		Engine:  &Engine{Classifier: classify.New(zone.NewIndex(set), nil), Policy: p},
		Formats: format.NewRegistry(format.Entry{Codec: csv.Codec{}}),
	}
}

// TestEachOrder: files of different sizes processed four at a time report
// their findings in input order.
func TestEachOrder(t *testing.T) {
	dir := t.TempDir()
	var paths, want []string
	for i := 0; i < 24; i++ {
		var b strings.Builder
		b.WriteString("lat,lon\n")
		n := 1 + (i*7919)%300 // uneven sizes, so files finish out of order
		for k := 0; k < n; k++ {
			if k%3 == 0 {
				b.WriteString("50.001,10.001\n") // inside
				want = append(want, fmt.Sprintf("f%02d.csv:%d", i, k+2))
			} else {
				b.WriteString("45,3\n")
			}
		}
		p := filepath.Join(dir, fmt.Sprintf("f%02d.csv", i))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	r := testRunner(t)
	var got []string
	r.Options.Finding = func(f *geowarden.Finding) {
		got = append(got, fmt.Sprintf("%s:%d", filepath.Base(f.File), f.Line))
	}
	var order []string
	r.Each(context.Background(), paths, 4, func(ctx context.Context, rr *Runner, p string) (geowarden.Stats, error) {
		return rr.Scan(ctx, p)
	}, func(res Result) {
		if res.Err != nil {
			t.Errorf("%s: %v", res.Path, res.Err)
		}
		order = append(order, res.Path)
	})
	if strings.Join(order, "\n") != strings.Join(paths, "\n") {
		t.Errorf("results out of order: %v", order)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("finding %d = %s, want %s (findings out of input order)", i, got[i], want[i])
		}
	}
}

// TestStream: a stream (an HTTP body, a pipe) is scanned and sanitized by
// the same runner as files; a sanitized stream is written only once it is
// whole and clean, and nothing is written when the input is bad.
func TestStream(t *testing.T) {
	r := testRunner(t)
	const body = "lat,lon,name\n50,10,inside\n51,11,outside\n"
	st, err := r.ScanStream(context.Background(), "body.csv", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 2 || st.Findings != 1 {
		t.Errorf("scan: %+v, want 2 records and 1 finding", st)
	}
	var out strings.Builder
	st, err = r.SanitizeStream(context.Background(), "body.csv", strings.NewReader(body), &out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "lat,lon,name\n51,11,outside\n"; got != want {
		t.Errorf("sanitized stream = %q, want %q", got, want)
	}
	if st.Dropped != 1 || st.Kept != 1 {
		t.Errorf("sanitize: %+v, want 1 dropped and 1 kept", st)
	}
	for _, bad := range []string{
		"lat,lon,name\n51,11,outside\n50,x,bad\n",
		"\x00\x01\x02 not a format",
	} {
		out.Reset()
		if _, err := r.SanitizeStream(context.Background(), "body", strings.NewReader(bad), &out); err == nil {
			t.Errorf("%q: no error", bad)
		}
		if out.Len() != 0 {
			t.Errorf("%q: %d bytes written despite the error", bad, out.Len())
		}
	}
	// The spool has no name: nothing is left in the spool folder.
	dir := t.TempDir()
	r.SpoolDir = dir
	if _, err := r.SanitizeStream(context.Background(), "body.csv", strings.NewReader(body), &out); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("spool folder holds %d entries after the run, want none", len(ents))
	}
}

// TestExpansionLimit: a gzip input that expands past the limit is refused
// once it has, not read to its end.
func TestExpansionLimit(t *testing.T) {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte("lat,lon\n"))
	blank := bytes.Repeat([]byte("\n"), 1<<20)
	for i := 0; i < 66; i++ {
		zw.Write(blank)
	}
	zw.Close()
	r := testRunner(t)
	r.PieceWorkers = 1
	_, err := r.ScanStream(context.Background(), "bomb.csv.gz", bytes.NewReader(z.Bytes()))
	if !errors.Is(err, ErrExpansion) {
		t.Fatalf("66 MiB from %d bytes: err = %v, want ErrExpansion", z.Len(), err)
	}
	// An ordinary compressed input passes.
	z.Reset()
	zw = gzip.NewWriter(&z)
	zw.Write([]byte("lat,lon\n51,11\n"))
	zw.Close()
	if st, err := r.ScanStream(context.Background(), "ok.csv.gz", bytes.NewReader(z.Bytes())); err != nil || st.Records != 1 {
		t.Fatalf("ordinary gzip: %+v, %v", st, err)
	}
}
