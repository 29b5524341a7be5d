package geojson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

// fuzzOpts keeps one fuzz input's memory small.
func fuzzOpts() *format.Options { return &format.Options{Name: "fuzz", MaxRecordBytes: 1 << 20} }

func addSeeds(f *testing.F) {
	for _, name := range inputs(f) {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 64<<10 {
			b = b[:64<<10] // truncated: a seed for error paths
		}
		f.Add(b)
	}
	for _, s := range []string{
		"{\"type\":\"FeatureCollection\",\"features\":[\n" + fA + ",\n" + fB + ",\n" + fC + "\n]}\n",
		fA + "\n\n" + fB + "\r\n",
		"\x1e" + fA + "\n\x1e" + fB + "\n",
		`{"features":[` + fC + `],"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4326"}}}`,
		`{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]]]}]}`,
		`{"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[1,2],[3,4,5]]},"properties":{"ts":1700000000,"n\u0061me":"\ud83d\ude00"}}`,
		"\xef\xbb\xbf{\"type\":\"Point\",\"coordinates\":[1e2,-2.5E-1]}",
	} {
		f.Add([]byte(s))
	}
}

// FuzzRewrite: whatever the input, a keep-all rewrite either fails with a
// located error or writes the input back byte for byte; scanning agrees
// with rewriting; and what the codec accepts, encoding/json accepts.
func FuzzRewrite(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		err := Codec{}.Rewrite(context.Background(), bytes.NewReader(in), &out, &formattest.KeepAll{}, fuzzOpts())
		err2 := Codec{}.Rewrite(context.Background(), bytes.NewReader(in), nil, &formattest.KeepAll{}, fuzzOpts())
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("rewrite and scan disagree: %v / %v", err, err2)
		}
		body := bytes.TrimPrefix(in, bom)
		if err != nil {
			var pe *format.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, not a *format.ParseError", err)
			}
			if pe.Line < 1 || pe.Column < 1 || pe.Offset < 0 || pe.Offset > int64(len(in)) {
				t.Fatalf("bad location %d:%d @%d for %d bytes: %v", pe.Line, pe.Column, pe.Offset, len(in), err)
			}
			if want := offsetOf(string(in), pe.Line, pe.Column); want != pe.Offset {
				t.Fatalf("offset %d does not match %d:%d (%d): %v", pe.Offset, pe.Line, pe.Column, want, err)
			}
			if errors.Is(err, ErrSyntax) && json.Valid(body) && bytes.Count(body, []byte{'\n'}) == 0 {
				if i := skipWS(body, 0); i < len(body) && body[i] == '{' {
					t.Fatalf("syntax error for valid JSON: %v", err)
				}
			}
			return
		}
		if !bytes.Equal(out.Bytes(), in) {
			t.Fatalf("keep-all output differs from the input:\nin  %q\nout %q", in, out.Bytes())
		}
		// Every value encoding/json reads in the input (record separators
		// taken as white space).
		dec := json.NewDecoder(bytes.NewReader(bytes.ReplaceAll(body, []byte{rs}, []byte{' '})))
		for {
			var v json.RawMessage
			if err := dec.Decode(&v); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("accepted, but encoding/json says: %v", err)
			}
		}
	})
}

// dropOdd drops the features with an odd index and refuses nothing.
type dropOdd struct {
	kept map[int]bool
}

func (d *dropOdd) Record(r *geowarden.Record) geowarden.Edit {
	if r.Ref.Feature%2 == 1 {
		return geowarden.Edit{Drop: true}
	}
	d.kept[r.Ref.Feature] = true
	return geowarden.Keep
}

func (d *dropOdd) Bad(*format.ParseError) error { return nil }

// features counts the distinct features a scan sees.
type features map[int]bool

func (f features) Record(r *geowarden.Record) geowarden.Edit {
	f[r.Ref.Feature] = true
	return geowarden.Keep
}
func (f features) Bad(err *format.ParseError) error { return err }

// FuzzDropOdd drops every other feature: the output must read again with
// exactly the kept features, and a FeatureCollection must stay valid JSON
// with that many features.
func FuzzDropOdd(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		h := &dropOdd{kept: map[int]bool{}}
		var out bytes.Buffer
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(in), &out, h, fuzzOpts()); err != nil {
			return
		}
		got := features{}
		if err := (Codec{}).Rewrite(context.Background(), bytes.NewReader(out.Bytes()), nil, got, fuzzOpts()); err != nil {
			t.Fatalf("output does not read again: %v\nin  %q\nout %q", err, in, out.Bytes())
		}
		if len(got) != len(h.kept) {
			t.Fatalf("output has %d features, want %d\nin  %q\nout %q", len(got), len(h.kept), in, out.Bytes())
		}
		var fc struct {
			Type     string
			Features []json.RawMessage
		}
		body := bytes.TrimPrefix(in, bom)
		if json.Unmarshal(body, &fc) != nil || fc.Type != "FeatureCollection" {
			return
		}
		outBody := bytes.TrimPrefix(out.Bytes(), bom)
		if !json.Valid(outBody) {
			t.Fatalf("output is not valid JSON\nin  %q\nout %q", in, out.Bytes())
		}
		fc.Features = nil
		if err := json.Unmarshal(outBody, &fc); err != nil || len(fc.Features) != len(h.kept) {
			t.Fatalf("output has %d features (%v), want %d\nin  %q\nout %q", len(fc.Features), err, len(h.kept), in, out.Bytes())
		}
	})
}
