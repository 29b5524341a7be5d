package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/geowarden/geowarden"
)

// TestProgress: the progress hooks see every byte of every input as
// stored (gzip compressed) and every record, in a folder run of several
// files at once and in a single input cut in pieces, and not the re-scan
// of a sanitized output.
func TestProgress(t *testing.T) {
	dir := t.TempDir()
	var csvText strings.Builder
	csvText.WriteString("lat,lon\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&csvText, "%.4f,%.4f\n", 45+float64(i%100)/1000, 3+float64(i%7)/1000)
	}
	plain := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(plain, []byte(csvText.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(csvText.String()))
	zw.Close()
	zipped := filepath.Join(dir, "b.csv.gz")
	if err := os.WriteFile(zipped, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	size := int64(csvText.Len() + gz.Len())

	old := PieceSize
	PieceSize = 4096 // cut a.csv into many pieces when run alone
	defer func() { PieceSize = old }()

	for _, c := range []struct {
		name    string
		paths   []string
		bytes   int64
		records int64
	}{
		{"folder", []string{plain, zipped}, size, 10000},
		{"pieces", []string{plain}, int64(csvText.Len()), 5000},
	} {
		for _, sanitizing := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s sanitize=%v", c.name, sanitizing), func(t *testing.T) {
				r := testRunner(t)
				r.PieceWorkers = 3
				var nb, nr, calls atomic.Int64
				r.Progress = func(n int64) { nb.Add(n); calls.Add(1) }
				r.Options.Progress = func(n int64) {
					if n > ProgressEvery {
						t.Errorf("progress call with %d records, more than a batch", n)
					}
					nr.Add(n)
				}
				out := t.TempDir()
				r.Each(context.Background(), c.paths, 2, func(ctx context.Context, rr *Runner, p string) (geowarden.Stats, error) {
					if sanitizing {
						return rr.SanitizeFile(ctx, p, filepath.Join(out, filepath.Base(p)))
					}
					return rr.Scan(ctx, p)
				}, func(res Result) {
					if res.Err != nil {
						t.Errorf("%s: %v", res.Path, res.Err)
					}
				})
				if nb.Load() != c.bytes || nr.Load() != c.records {
					t.Errorf("progress saw %d bytes and %d records, want %d and %d", nb.Load(), nr.Load(), c.bytes, c.records)
				}
				if calls.Load() > int64(len(c.paths))*4 {
					t.Errorf("%d byte progress calls for %d small inputs: counts are not batched", calls.Load(), len(c.paths))
				}
			})
		}
	}
}
