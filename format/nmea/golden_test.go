package nmea

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// inputs are the real logs of testdata (see testdata/PROVENANCE.md).
func inputs(t testing.TB) []string {
	var files []string
	for _, pat := range []string{"testdata/gpsd/*.log", "testdata/gpsd/binary-or-mixed/*", "testdata/gpsd/ais/*", "testdata/gpsbabel/*", "testdata/exiftool/*", "testdata/fcases/*/*"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if b := filepath.Base(f); b != "truth.json" && b != "zones.geojson" {
				files = append(files, f)
			}
		}
	}
	if len(files) < 60 {
		t.Fatalf("only %d test files", len(files))
	}
	return files
}

// goldenName flattens a test file's path into a golden file name.
func goldenName(file string) string {
	rel := strings.TrimPrefix(filepath.ToSlash(file), "testdata/")
	rel = strings.TrimPrefix(rel, "fcases/")
	return strings.ReplaceAll(rel, "/", "--")
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	formattest.Golden(t, filepath.Join("testdata", "golden", name), got, *update)
}

// summary lists records, bad records and notices, one a line.
func summary(h *testHandler) []byte {
	var b bytes.Buffer
	for _, r := range h.recs {
		fmt.Fprintf(&b, "%d @%d %s lat=%.7f lon=%.7f", r.r.Ref.Line, r.r.Ref.Offset, r.r.Kind, r.r.Pos.Lat, r.r.Pos.Lon)
		if !r.r.Time.IsZero() {
			fmt.Fprintf(&b, " time=%s", r.r.Time.Format(time.RFC3339Nano))
		}
		if r.r.HasAlt {
			fmt.Fprintf(&b, " alt=%v", r.r.Alt)
		}
		keys := make([]string, 0, len(r.attrs))
		for k := range r.attrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%q", k, r.attrs[k])
		}
		b.WriteByte('\n')
	}
	for _, e := range h.bads {
		fmt.Fprintf(&b, "bad %v (offset %d)\n", e, e.Offset)
	}
	for _, n := range h.notices {
		fmt.Fprintf(&b, "notice %s %d @%d: %s\n", n.Kind, n.Ref.Line, n.Ref.Offset, n.Message)
	}
	return b.Bytes()
}

// shift moves a position 0.01° north and west, staying in range.
func shift(p geowarden.Point) geowarden.Point {
	lat, lon := p.Lat+0.01, p.Lon-0.01
	if lat > 90 {
		lat = p.Lat - 0.01
	}
	if lon < -180 {
		lon = p.Lon + 0.01
	}
	return geowarden.Point{Lon: lon, Lat: lat}
}

// TestGolden reads every real log, checks that a keep-all rewrite gives it
// back byte for byte (or stops at its first bad record), and compares the
// records, a rewrite with records dropped and one with records moved and
// retimed with the golden files.
func TestGolden(t *testing.T) {
	for _, file := range inputs(t) {
		name := goldenName(file)
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}

			// Keep all, unreadable sentences too; bad records stop.
			strictH := &testHandler{}
			out, err := rewrite(t, Codec{KeepUnreadable: true}, in, strictH)
			lenient := &testHandler{bad: dropBad}
			clean, lerr := rewrite(t, Codec{}, in, lenient)
			if lerr != nil {
				t.Fatalf("with bad records dropped: %v", lerr)
			}
			switch {
			case len(lenient.bads) == 0 && err != nil:
				t.Fatalf("keep-all: %v", err)
			case len(lenient.bads) == 0 && !bytes.Equal(out, in):
				t.Fatalf("keep-all output differs from the input:\n%s", formattest.FirstDiff(out, in))
			case len(lenient.bads) > 0:
				var pe *format.ParseError
				if !errors.As(err, &pe) || pe.Error() != lenient.bads[0].Error() {
					t.Fatalf("keep-all: got %v, want the first bad record %v", err, lenient.bads[0])
				}
			}
			checkGolden(t, name+".records.txt", summary(lenient))

			// Drop the records on odd lines.
			h := &testHandler{bad: dropBad, edit: func(r *geowarden.Record) geowarden.Edit {
				return geowarden.Edit{Drop: r.Ref.Line%2 == 1}
			}}
			out, err = rewrite(t, Codec{}, in, h)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name+".drop", out)
			again := &testHandler{}
			if _, err := rewrite(t, Codec{}, out, again); err != nil {
				t.Fatalf("reading the output with drops: %v", err)
			}

			// Move and retime every record.
			var moved []geowarden.Point
			edit := func(r *geowarden.Record) geowarden.Edit {
				p := shift(r.Pos)
				moved = append(moved, p)
				e := geowarden.Edit{Move: true, Pos: p}
				if !r.Time.IsZero() {
					e.Retime, e.Time = true, r.Time.Add(90*time.Minute)
				}
				return e
			}
			h = &testHandler{bad: dropBad, edit: edit}
			out, err = rewrite(t, Codec{}, in, h)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name+".edit", out)
			// The edits read back as made, from the input without its bad
			// records (a bad fix takes other records of its epoch along).
			moved = moved[:0]
			h = &testHandler{edit: edit}
			if out, err = rewrite(t, Codec{}, clean, h); err != nil {
				t.Fatal(err)
			}
			again = &testHandler{}
			if _, err := rewrite(t, Codec{}, out, again); err != nil {
				t.Fatalf("reading the edited output: %v", err)
			}
			if len(again.recs) != len(moved) {
				t.Fatalf("edited output has %d records, want %d", len(again.recs), len(moved))
			}
			for i, r := range again.recs {
				// Written with the field's decimals of minutes: at worst
				// 0 decimals, half a minute.
				if d := math.Max(math.Abs(r.r.Pos.Lat-moved[i].Lat), math.Abs(r.r.Pos.Lon-moved[i].Lon)); d > 0.5/60+1e-9 {
					t.Errorf("record %d read back at %v, moved to %v", i, r.r.Pos, moved[i])
				}
				if w := h.recs[i].r.Time; !w.IsZero() && !r.r.Time.IsZero() && r.r.Time.Sub(w.Add(90*time.Minute)).Abs() > time.Second {
					t.Errorf("record %d read back at %v, retimed to %v", i, r.r.Time, w.Add(90*time.Minute))
				}
			}
		})
	}
}
