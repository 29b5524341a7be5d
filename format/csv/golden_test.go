package csv

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenInputs are the real and synthetic files of testdata (see
// testdata/PROVENANCE.md).
func goldenInputs(t testing.TB) []string {
	var files []string
	for _, pat := range []string{"testdata/*.csv", "testdata/*.tsv"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no test data")
	}
	return files
}

// checkGolden compares got with testdata/golden/name, or writes it there
// with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	formattest.Golden(t, filepath.Join("testdata", "golden", name), got, *update)
}

// summary formats records one a line, with the fields that are set.
func summary(recs []geowarden.Record) []byte {
	var b bytes.Buffer
	for _, r := range recs {
		fmt.Fprintf(&b, "%d @%d %s", r.Ref.Line, r.Ref.Offset, r.Kind)
		if r.Shape == geowarden.ShapePoint {
			fmt.Fprintf(&b, " lat=%v lon=%v", r.Pos.Lat, r.Pos.Lon)
		} else {
			b.WriteString(" no-position")
		}
		if !r.Time.IsZero() {
			fmt.Fprintf(&b, " time=%s", r.Time.Format(time.RFC3339Nano))
		}
		s := r.Signal
		for _, f := range []struct {
			name string
			v    any
			set  bool
		}{
			{"source", r.Source, r.Source != ""},
			{"radio", s.Radio, s.Radio != ""},
			{"mcc", s.MCC, s.MCC != 0},
			{"mnc", s.MNC, s.HasMNC},
			{"area", s.Area, s.Area != 0},
			{"cell", s.Cell, s.Cell != 0},
			{"freq", s.FreqMHz, s.FreqMHz != 0},
			{"arfcn", s.ARFCN, s.HasARFCN},
			{"strength", s.Strength, s.HasStrength},
			{"ssid", s.SSID, s.SSID != ""},
			{"bssid", s.BSSID, s.BSSID != ""},
			{"alt", r.Alt, r.HasAlt},
			{"accuracy", r.Accuracy, r.HasAccuracy},
		} {
			if f.set {
				fmt.Fprintf(&b, " %s=%v", f.name, f.v)
			}
		}
		for _, p := range r.More {
			fmt.Fprintf(&b, " more=%v,%v", p.Lat, p.Lon)
		}
		for _, tp := range r.Text {
			fmt.Fprintf(&b, " text=%q[%d:%d]=%v,%v", tp.Field, tp.Start, tp.End, tp.Pos.Lat, tp.Pos.Lon)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// shift moves a position by a fixed offset, staying in range.
func shift(p geowarden.Point) geowarden.Point {
	lat, lon := p.Lat+0.01, p.Lon-0.01
	if lat > 90 {
		lat = 89.99
	}
	if lon < -180 {
		lon = -179.99
	}
	return geowarden.Point{Lon: lon, Lat: lat}
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

// goldenEdit moves every record, retimes it by 90 minutes, strips its cell
// and source and, on every fifth line, sets its radio.
func goldenEdit(r *geowarden.Record) geowarden.Edit {
	e := geowarden.Edit{Move: true, Pos: shift(r.Pos), Strip: []string{"cell", "source"}}
	if !r.Time.IsZero() {
		e.Retime, e.Time = true, r.Time.Add(90*time.Minute)
	}
	if r.Ref.Line%5 == 0 {
		e.Set = []geowarden.Attr{{Name: "radio", Value: `X,"Y"`}}
	}
	return e
}

func TestGolden(t *testing.T) {
	for _, path := range goldenInputs(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			opts := &format.Options{Name: name}
			if !(Codec{}).Detect(name, in[:min(len(in), format.HeadSize)]) {
				t.Errorf("Detect does not recognise %s", name)
			}

			// Keep everything: the output is the input.
			keep := &testHandler{}
			out, err := rewrite(t, string(in), keep, opts)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(in) {
				t.Errorf("keep-all output differs from the input:\n%s", formattest.FirstDiff([]byte(out), in))
			}
			if len(keep.recs) == 0 {
				t.Fatal("no records")
			}
			checkGolden(t, name+".records.txt", summary(keep.recs))

			// Drop the records on odd lines.
			dropOdd := &testHandler{edit: func(r *geowarden.Record) geowarden.Edit {
				return geowarden.Edit{Drop: r.Ref.Line%2 == 1}
			}}
			out, err = rewrite(t, string(in), dropOdd, opts)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name+".drop-odd", []byte(out))
			if want, ok := dropOddLines(in, len(keep.recs)); ok && out != want {
				t.Errorf("drop-odd output differs from the input's header, even and empty lines:\n%s", formattest.FirstDiff([]byte(out), []byte(want)))
			}

			// Move, retime, strip and set.
			out, err = rewrite(t, string(in), &testHandler{edit: goldenEdit}, opts)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name+".edit", []byte(out))

			// The edited output reads back as edited.
			again := &testHandler{}
			if _, err := rewrite(t, out, again, opts); err != nil {
				t.Fatalf("reading the edited output: %v", err)
			}
			if len(again.recs) != len(keep.recs) {
				t.Fatalf("edited output has %d records, want %d", len(again.recs), len(keep.recs))
			}
			for i, r := range again.recs {
				o := keep.recs[i]
				want := shift(o.Pos)
				want = geowarden.Point{Lon: round7(want.Lon), Lat: round7(want.Lat)}
				if r.Pos != want || r.Ref.Line != o.Ref.Line {
					t.Errorf("line %d: read back at line %d %+v, want %+v", o.Ref.Line, r.Ref.Line, r.Pos, want)
				}
				if !o.Time.IsZero() && !r.Time.Equal(o.Time.Add(90*time.Minute)) {
					t.Errorf("line %d: time read back as %v, want %v", o.Ref.Line, r.Time, o.Time.Add(90*time.Minute))
				}
				if r.Signal.Cell != 0 || r.Source != "" {
					t.Errorf("line %d: cell %d and source %q not stripped", o.Ref.Line, r.Signal.Cell, r.Source)
				}
			}
		})
	}
}

// dropOddLines computes the drop-odd output without the codec: the header,
// the even lines and the empty lines. It works only for files without line
// breaks inside fields, which it recognises by their line count.
func dropOddLines(in []byte, records int) (string, bool) {
	lines := strings.SplitAfter(string(in), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var b strings.Builder
	nonEmpty := 0
	header := false
	for i, l := range lines {
		empty := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(l, "\xEF\xBB\xBF"), "\n"), "\r") == ""
		switch {
		case empty:
			b.WriteString(l)
			continue
		case !header:
			header = true
			b.WriteString(l)
		case (i+1)%2 == 0:
			b.WriteString(l)
		}
		nonEmpty++
	}
	return b.String(), nonEmpty == records+1
}

func TestNoGood(t *testing.T) {
	// Real files this codec cannot read without options.
	tests := []struct {
		file string
		want string
	}{
		{"gpsbabel-v900-basic-mode.csv", `"LATITUDE N/S", "LONGITUDE E/W"`},
		{"gpsbabel-cototesttrack.csv", `"48.557327", "8.961583"`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", "nogood", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = rewrite(t, string(in), &testHandler{}, &format.Options{Name: tt.file})
			if !errors.Is(err, format.ErrNoPosition) || !strings.Contains(err.Error(), tt.file+":1: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want ErrNoPosition at line 1 naming %s", err, tt.want)
			}
		})
	}
}

func TestGoldenScanMatchesRewrite(t *testing.T) {
	// Scanning (w == nil) sees the same records as rewriting.
	for _, path := range goldenInputs(t) {
		in, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		a, b := &testHandler{}, &testHandler{}
		if _, err := rewrite(t, string(in), a, nil); err != nil {
			t.Fatal(err)
		}
		if err := (Codec{}).Rewrite(t.Context(), bytes.NewReader(in), nil, b, nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(summary(a.recs), summary(b.recs)) {
			t.Errorf("%s: scanning and rewriting disagree", path)
		}
	}
}
