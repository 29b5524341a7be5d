package plaintext

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/geotext"
)

// FuzzRewrite checks, for any input, that the codec neither panics nor
// hangs; that keeping every record gives the input back; that scanning
// sees what rewriting sees; that each position's offsets point at text
// that reads as that position; that redacting everything leaves the
// lines without a position as they were and redacts something in every
// other; and that a line over the cap is the only error.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{
		"", readme, "\n\n\r\n", "no newline at the end 35.8506, 14.4506",
		"POINT(14.4506 35.8506)\n[14.4506,35.8506]\n$GPGGA,123519,3551.0340,N,01427.0170,E,1,08,0.9,545.4,M,46.9,M,,*47\n",
		"\"latitudeE7\": 358506000, \"longitudeE7\": 144506000\r\n", "lat=35.85 lon=14.45 lat=1.5\n",
		"a 35.8506,14.4506,35.9001,14.5 b\n", "\xef\xbb\xbfBOM 35°51.034'N 14°27.017'E\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ctx := context.Background()
		for _, limit := range []int{0, 40} {
			opts := &format.Options{Name: "fuzz.txt", MaxRecordBytes: limit}
			keep := &handler{}
			var out bytes.Buffer
			err := Codec{}.Rewrite(ctx, bytes.NewReader(in), &out, keep, opts)
			if err != nil {
				var pe *format.ParseError
				if !errors.As(err, &pe) || !errors.Is(err, format.ErrTooLong) || limit == 0 {
					t.Fatalf("limit %d: %v", limit, err)
				}
				continue
			}
			if !bytes.Equal(out.Bytes(), in) {
				t.Fatalf("kept: output %q, want the input", out.Bytes())
			}
			scan := &handler{}
			if err := (Codec{}).Rewrite(ctx, bytes.NewReader(in), nil, scan, opts); err != nil {
				t.Fatalf("scan: %v", err)
			}
			if len(scan.recs) != len(keep.recs) {
				t.Fatalf("scan saw %d records, rewrite %d", len(scan.recs), len(keep.recs))
			}
			for i, r := range keep.recs {
				if s := scan.recs[i]; s.Ref != r.Ref || !slices.Equal(s.Text, r.Text) {
					t.Fatalf("record %d: scan %+v, rewrite %+v", i, s, r)
				}
				line := in[r.Ref.Offset:]
				if end := bytes.IndexByte(line, '\n'); end >= 0 {
					line = line[:end+1]
				}
				for _, tp := range r.Text {
					if tp.Start < 0 || tp.End > len(line) || tp.Start >= tp.End {
						t.Fatalf("record %d: position at %d..%d of a line of %d bytes", i, tp.Start, tp.End, len(line))
					}
					m, ok := geotext.Find(line, tp.Start)
					if !ok || m.Start != tp.Start || m.End != tp.End || (m.Point != tp.Pos && m.Swapped() != tp.Pos) {
						t.Fatalf("record %d: %q does not read as %v", i, line[tp.Start:tp.End], tp.Pos)
					}
				}
			}
			// Redact everything: lines without positions are unchanged,
			// every other has a redaction.
			var red bytes.Buffer
			err = Codec{}.Rewrite(ctx, bytes.NewReader(in), &red, &handler{edit: func(*geowarden.Record) geowarden.Edit {
				return geowarden.Edit{Drop: true}
			}}, opts)
			if err != nil {
				t.Fatalf("redact: %v", err)
			}
			got := bytes.SplitAfter(red.Bytes(), []byte("\n"))
			want := bytes.SplitAfter(in, []byte("\n"))
			if len(got) != len(want) {
				t.Fatalf("redacted output has %d lines, the input %d", len(got), len(want))
			}
			with := map[int]bool{}
			for _, r := range keep.recs {
				with[r.Ref.Line-1] = true
			}
			for i := range want {
				if !with[i] && !bytes.Equal(got[i], want[i]) {
					t.Fatalf("line %d without a position changed: %q -> %q", i+1, want[i], got[i])
				}
				if with[i] && !bytes.Contains(got[i], []byte(geowarden.RedactedText)) {
					t.Fatalf("line %d: nothing redacted in %q", i+1, got[i])
				}
			}
		}
	})
}
