package plaintext

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// handler records what it is handed and answers with edit.
type handler struct {
	recs []geowarden.Record
	edit func(*geowarden.Record) geowarden.Edit
}

func (h *handler) Record(r *geowarden.Record) geowarden.Edit {
	c := *r
	c.Text = append([]geowarden.TextPos(nil), r.Text...)
	h.recs = append(h.recs, c)
	if h.edit == nil {
		return geowarden.Keep
	}
	return h.edit(r)
}

func (h *handler) Bad(err *format.ParseError) error { return err }

func rewrite(t *testing.T, in string, h *handler, opts *format.Options) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := Codec{}.Rewrite(context.Background(), strings.NewReader(in), &out, h, opts)
	return out.String(), err
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		head string
		want bool
	}{
		{"", true},
		{"This data set is licensed.\r\n\tIndented.\f\v\x1b[1mbold\x1b[0m\n", true},
		{"Zürich, 47.3769° N 8.5417° E\n", true},
		{"caf\xe9 (ISO-8859-1)\n", true},
		{"PK\x03\x04\x14\x00", false},
		{"\xff\xfeR\x00E\x00", false},  // UTF-16
		{"text\x00more", false},        // NUL
		{"\x01\x02\x03 header", false}, // other control bytes
	} {
		if got := (Codec{}).Detect("README", []byte(c.head)); got != c.want {
			t.Errorf("Detect(%q) = %v, want %v", c.head, got, c.want)
		}
	}
}

const readme = "Drive logs, 2008.\r\nTaken at 35.8506, 14.4506 near the base; also 36.0000N 14.2000E.\r\n\r\nNo position here: 1.2.3, 192.168.1.1\nlast line 35°51'02\"N 14°27'01\"E"

// TestRecords: each line that holds positions is one record with every
// position, its line and offset; other lines are none.
func TestRecords(t *testing.T) {
	h := &handler{}
	out, err := rewrite(t, readme, h, &format.Options{Name: "README"})
	if err != nil {
		t.Fatal(err)
	}
	if out != readme {
		t.Errorf("kept: output %q, want the input", out)
	}
	if len(h.recs) != 2 {
		t.Fatalf("%d records, want 2: %+v", len(h.recs), h.recs)
	}
	r := h.recs[0]
	if r.Ref.Line != 2 || r.Ref.Offset != int64(strings.Index(readme, "Taken")) || r.Ref.File != "README" || r.Ref.Feature != -1 {
		t.Errorf("record 1 at %+v, want line 2 and the line's offset", r.Ref)
	}
	if r.Shape != geowarden.ShapeNone || r.Kind != geowarden.KindFeature || r.Attrs == nil {
		t.Errorf("record 1: shape %v kind %v attrs %v", r.Shape, r.Kind, r.Attrs)
	}
	// 35.8506, 14.4506 reads either way round: two readings, same text.
	if len(r.Text) != 3 {
		t.Fatalf("record 1 holds %d positions, want 3: %+v", len(r.Text), r.Text)
	}
	line := readme[r.Ref.Offset:]
	for i, want := range []struct {
		text     string
		lat, lon float64
	}{{"35.8506, 14.4506", 35.8506, 14.4506}, {"35.8506, 14.4506", 14.4506, 35.8506}, {"36.0000N 14.2000E", 36, 14.2}} {
		tp := r.Text[i]
		if got := line[tp.Start:tp.End]; got != want.text || tp.Pos.Lat != want.lat || tp.Pos.Lon != want.lon || tp.Field != Field {
			t.Errorf("position %d: %q at %v (%s), want %q at %v,%v", i, got, tp.Pos, tp.Field, want.text, want.lat, want.lon)
		}
	}
	if r := h.recs[1]; r.Ref.Line != 5 || len(r.Text) != 1 {
		t.Errorf("record 2: line %d, %d positions; want line 5, one (DMS)", r.Ref.Line, len(r.Text))
	}
}

// TestRedact: the positions an edit redacts are replaced, overlapping
// ones once; a dropped record has all its positions redacted and its
// line kept; every other byte is kept.
func TestRedact(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*geowarden.Record) geowarden.Edit
		want string
	}{
		{"first reading", func(r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Redact: []int{0}}
		}, strings.NewReplacer("35.8506, 14.4506", geowarden.RedactedText, `35°51'02"N 14°27'01"E`, geowarden.RedactedText).Replace(readme)},
		{"both readings and the DMS", func(r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Redact: []int{1, 0, 2}}
		}, strings.NewReplacer("35.8506, 14.4506", geowarden.RedactedText, "36.0000N 14.2000E", geowarden.RedactedText, `35°51'02"N 14°27'01"E`, geowarden.RedactedText).Replace(readme)},
		{"dropped", func(r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Drop: true}
		}, strings.NewReplacer("35.8506, 14.4506", geowarden.RedactedText, "36.0000N 14.2000E", geowarden.RedactedText, `35°51'02"N 14°27'01"E`, geowarden.RedactedText).Replace(readme)},
		{"out of range indexes", func(r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Redact: []int{-1, 7}}
		}, readme},
		{"other edits", func(r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Move: true, Strip: []string{"source"}, Retime: true}
		}, readme},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := rewrite(t, readme, &handler{edit: c.edit}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if out != c.want {
				t.Errorf("output\n%q\nwant\n%q", out, c.want)
			}
		})
	}
	// Overlapping positions: a,b,c reads as (a,b) and (b,c).
	in := "pairs 35.8506,14.4506,35.9001 end\n"
	out, err := rewrite(t, in, &handler{edit: func(r *geowarden.Record) geowarden.Edit {
		ed := geowarden.Edit{}
		for i := range r.Text {
			ed.Redact = append(ed.Redact, i)
		}
		return ed
	}}, nil)
	if want := "pairs " + geowarden.RedactedText + " end\n"; err != nil || out != want {
		t.Errorf("overlapping: %q, %v; want %q", out, err, want)
	}
}

// TestLongLine: a line over the cap stops the run with an error naming
// the line; up to the cap, lines of any length are read.
func TestLongLine(t *testing.T) {
	long := "x " + strings.Repeat("word ", 30000) + "at 35.8506, 14.4506\n"
	in := "first\n" + long + "last\n"
	h := &handler{}
	if _, err := rewrite(t, in, h, nil); err != nil || len(h.recs) != 1 || h.recs[0].Ref.Line != 2 {
		t.Fatalf("err %v, %d records: want the position of line 2", err, len(h.recs))
	}
	_, err := rewrite(t, in, &handler{}, &format.Options{Name: "notes.txt", MaxRecordBytes: 1000})
	var pe *format.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, format.ErrTooLong) || pe.Line != 2 || pe.Offset != 6 {
		t.Fatalf("err %v, want a ParseError at line 2, offset 6, ErrTooLong", err)
	}
	if !strings.Contains(err.Error(), "notes.txt:2:") {
		t.Errorf("error %q does not name the file and line", err)
	}
}

func TestScanOnly(t *testing.T) {
	h := &handler{}
	if err := (Codec{}).Rewrite(context.Background(), strings.NewReader(readme), nil, h, nil); err != nil || len(h.recs) != 2 {
		t.Fatalf("scan: %v, %d records", err, len(h.recs))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	many := strings.Repeat("line\n", 5000)
	if err := (Codec{}).Rewrite(ctx, strings.NewReader(many), nil, &handler{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
