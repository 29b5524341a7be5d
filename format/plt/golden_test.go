package plt

import (
	"bytes"
	"context"
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

// inputs are the real GeoLife files of testdata (see
// testdata/PROVENANCE.md), as paths relative to testdata/geolife.
func inputs(t testing.TB) []string {
	files, err := filepath.Glob("testdata/geolife/*/Trajectory/*.plt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test data: %v", err)
	}
	for i, f := range files {
		files[i] = strings.TrimPrefix(filepath.ToSlash(f), "testdata/geolife/")
	}
	return files
}

func readInput(t testing.TB, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "geolife", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkGolden compares got with testdata/golden/name, or writes it there
// with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	formattest.Golden(t, filepath.Join("testdata", "golden", name), got, *update)
}

var firstDiff = formattest.FirstDiff

// summary formats records one a line.
func summary(recs []geowarden.Record) []byte {
	var b bytes.Buffer
	for _, r := range recs {
		fmt.Fprintf(&b, "%d @%d %s lat=%v lon=%v time=%s", r.Ref.Line, r.Ref.Offset, r.Kind,
			r.Pos.Lat, r.Pos.Lon, r.Time.Format(time.RFC3339))
		if r.HasAlt {
			fmt.Fprintf(&b, " alt=%.4f", r.Alt)
		}
		fmt.Fprintf(&b, " source=%s\n", r.Source)
	}
	return b.Bytes()
}

// goldenEdit moves every point 0.01° north-west, retimes it by 90 minutes
// and 30 seconds and strips its altitude on every third line.
func goldenEdit(r *geowarden.Record) geowarden.Edit {
	e := geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: r.Pos.Lon - 0.01, Lat: r.Pos.Lat + 0.01},
		Retime: true, Time: r.Time.Add(90*time.Minute + 30*time.Second)}
	if r.Ref.Line%3 == 0 {
		e.Strip = []string{"alt"}
	}
	return e
}

func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }

func TestGolden(t *testing.T) {
	for _, name := range inputs(t) {
		base := filepath.Base(filepath.Dir(filepath.Dir(name))) + "-" + filepath.Base(name)
		t.Run(base, func(t *testing.T) {
			in := readInput(t, name)
			opts := &format.Options{Name: name}
			if !(Codec{}).Detect(name, in[:min(len(in), format.HeadSize)]) {
				t.Errorf("Detect does not recognise %s", name)
			}

			// Keep everything: the output is the input.
			keep := &testHandler{AttrNames: fields}
			out, err := rewrite(t, string(in), keep, opts)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(in) {
				t.Errorf("keep-all output differs from the input:\n%s", firstDiff([]byte(out), in))
			}
			lines := strings.SplitAfter(string(in), "\n")
			if lines[len(lines)-1] == "" {
				lines = lines[:len(lines)-1]
			}
			if len(keep.Recs) != len(lines)-HeaderLines {
				t.Fatalf("%d records from %d lines", len(keep.Recs), len(lines))
			}
			user := strings.SplitN(name, "/", 2)[0]
			for _, r := range keep.Recs {
				if r.Source != user {
					t.Fatalf("line %d: source %q, want %q", r.Ref.Line, r.Source, user)
				}
			}
			checkGolden(t, base+".records.txt", summary(keep.Recs))

			// Drop the points on odd lines: the header and the even lines
			// are left, byte for byte.
			dropOdd := &testHandler{Edit: func(r *geowarden.Record) geowarden.Edit {
				return geowarden.Edit{Drop: r.Ref.Line%2 == 1}
			}}
			out, err = rewrite(t, string(in), dropOdd, opts)
			if err != nil {
				t.Fatal(err)
			}
			var want strings.Builder
			for i, l := range lines {
				if i < HeaderLines || (i+1)%2 == 0 {
					want.WriteString(l)
				}
			}
			if out != want.String() {
				t.Errorf("drop-odd output differs from the header and even lines:\n%s", firstDiff([]byte(out), []byte(want.String())))
			}

			// Move, retime and strip.
			out, err = rewrite(t, string(in), &testHandler{Edit: goldenEdit}, opts)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, base+".edit", []byte(out))
			if !strings.HasPrefix(out, strings.Join(lines[:HeaderLines], "")) {
				t.Errorf("edited output does not keep the header")
			}
			if strings.Count(out, "\r\n") != strings.Count(string(in), "\r\n") {
				t.Errorf("edited output has %d CRLF, the input %d", strings.Count(out, "\r\n"), strings.Count(string(in), "\r\n"))
			}

			// The edited output reads back as edited, with the days,
			// date and time fields agreeing.
			again := &testHandler{AttrNames: fields}
			if _, err := rewrite(t, out, again, opts); err != nil {
				t.Fatalf("reading the edited output: %v", err)
			}
			if len(again.Recs) != len(keep.Recs) {
				t.Fatalf("edited output has %d records, want %d", len(again.Recs), len(keep.Recs))
			}
			for i, r := range again.Recs {
				o := keep.Recs[i]
				wantPos := geowarden.Point{Lon: round7(o.Pos.Lon - 0.01), Lat: round7(o.Pos.Lat + 0.01)}
				if r.Pos != wantPos || r.Ref.Line != o.Ref.Line {
					t.Errorf("line %d: read back at line %d %+v, want %+v", o.Ref.Line, r.Ref.Line, r.Pos, wantPos)
				}
				if wantT := o.Time.Add(90*time.Minute + 30*time.Second); !r.Time.Equal(wantT) {
					t.Errorf("line %d: time read back as %v, want %v", o.Ref.Line, r.Time, wantT)
				}
				if stripped := o.Ref.Line%3 == 0; r.HasAlt != (o.HasAlt && !stripped) || r.HasAlt && r.Alt != o.Alt {
					t.Errorf("line %d: altitude %v (%v), want %v (%v)", o.Ref.Line, r.Alt, r.HasAlt, o.Alt, o.HasAlt && !stripped)
				}
				if a, b := keep.Attrs[i], again.Attrs[i]; a["code"] != b["code"] {
					t.Errorf("line %d: code %q became %q", o.Ref.Line, a["code"], b["code"])
				}
			}
		})
	}
}

func TestScanMatchesRewrite(t *testing.T) {
	// Scanning (w == nil) sees the same records as rewriting.
	for _, name := range inputs(t) {
		in := readInput(t, name)
		a, b := &testHandler{}, &testHandler{}
		if _, err := rewrite(t, string(in), a, &format.Options{Name: name}); err != nil {
			t.Fatal(err)
		}
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), nil, b, &format.Options{Name: name}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(summary(a.Recs), summary(b.Recs)) {
			t.Errorf("%s: scanning and rewriting disagree", name)
		}
	}
}

// chunked runs the codec the way a pipeline does with a format.Chunker:
// the input cut into pieces of about size bytes at Boundary, each piece
// read behind the preamble, the references moved back to the whole input.
func chunked(t *testing.T, in []byte, size int, opts *format.Options, edit func(*geowarden.Record) geowarden.Edit) ([]byte, []geowarden.Record) {
	t.Helper()
	c := Codec{}
	n, ok := c.Preamble(in, true, nil)
	if !ok {
		t.Fatal("Preamble: not ok")
	}
	pre := in[:n]
	preLines := bytes.Count(pre, []byte{'\n'})
	var out bytes.Buffer
	out.Write(pre)
	var recs []geowarden.Record
	line, off := preLines+1, int64(n)
	rest := in[n:]
	for len(rest) > 0 {
		cut := len(rest)
		if cut > size {
			if cut = c.Boundary(pre, rest[:size], nil); cut == 0 {
				cut = len(rest)
			}
		}
		piece := append(append([]byte(nil), pre...), rest[:cut]...)
		dl, doff := line-preLines-1, off-int64(n)
		h := &testHandler{Edit: func(r *geowarden.Record) geowarden.Edit {
			g := *r
			g.Ref.Line += dl
			g.Ref.Offset += doff
			return edit(&g)
		}}
		var pout bytes.Buffer
		if err := c.Rewrite(context.Background(), bytes.NewReader(piece), &pout, h, opts); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pout.Bytes(), pre) {
			t.Fatal("a piece's output does not start with the preamble")
		}
		out.Write(pout.Bytes()[n:])
		for _, r := range h.Recs {
			r.Ref.Line += dl
			r.Ref.Offset += doff
			recs = append(recs, r)
		}
		line += bytes.Count(rest[:cut], []byte{'\n'})
		off += int64(cut)
		rest = rest[cut:]
	}
	return out.Bytes(), recs
}

func TestChunkedEqualsWhole(t *testing.T) {
	drop := func(r *geowarden.Record) geowarden.Edit {
		if r.Ref.Offset%3 == 0 {
			return geowarden.Edit{Drop: true}
		}
		return goldenEdit(r)
	}
	for _, name := range inputs(t) {
		in := readInput(t, name)
		whole := &testHandler{Edit: drop}
		want, err := rewrite(t, string(in), whole, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 100, 1000} {
			got, recs := chunked(t, in, size, nil, drop)
			if string(got) != want {
				t.Errorf("%s in pieces of %d: output differs:\n%s", name, size, firstDiff(got, []byte(want)))
			}
			if !bytes.Equal(summary(recs), summary(whole.Recs)) {
				t.Errorf("%s in pieces of %d: records differ:\n%s", name, size, firstDiff(summary(recs), summary(whole.Recs)))
			}
		}
	}
}

func TestPreamble(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		okay bool
	}{
		{header + point + "\n", len(header), true},
		{crlf(header), len(crlf(header)), true},
		{"\xEF\xBB\xBF" + header, 3 + len(header), true},
		{strings.TrimSuffix(header, "\n"), 0, false},
		{"Geolife trajectory\n", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		n, ok := Codec{}.Preamble([]byte(tt.in), true, nil)
		if n != tt.n || ok != tt.okay {
			t.Errorf("Preamble(%q) = %d, %v; want %d, %v", tt.in, n, ok, tt.n, tt.okay)
		}
	}
	if got := (Codec{}).Boundary(nil, []byte(point+"\n"+point), nil); got != len(point)+1 {
		t.Errorf("Boundary = %d, want %d", got, len(point)+1)
	}
	if got := (Codec{}).Boundary(nil, []byte(point), nil); got != 0 {
		t.Errorf("Boundary of a partial line = %d, want 0", got)
	}
}
