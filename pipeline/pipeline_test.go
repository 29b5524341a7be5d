package pipeline

import (
	"context"
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
	"github.com/geowarden/geowarden/sanitize"
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
		Engine:  &sanitize.Engine{Classifier: classify.New(zone.NewIndex(set), nil), Policy: p},
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
	r.Each(context.Background(), paths, 4, func(ctx context.Context, rr *Runner, p string) (sanitize.Stats, error) {
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
