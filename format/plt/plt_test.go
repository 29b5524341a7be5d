package plt

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

// testHandler records what a codec gives it; see formattest.Handler.
type testHandler = formattest.Handler

// fields are the attribute names of a point.
var fields = []string{"lat", "lon", "code", "alt", "days", "date", "time"}

var dropBad = formattest.DropBad

// rewrite runs the codec over in and returns the output.
func rewrite(t testing.TB, in string, h format.Handler, opts *format.Options) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := Codec{}.Rewrite(context.Background(), strings.NewReader(in), &out, h, opts)
	return out.String(), err
}

// header is a GeoLife header with LF line ends.
const header = "Geolife trajectory\nWGS 84\nAltitude is in Feet\nReserved 3\n0,2,255,My Track,0,0,2,8421376\n0\n"

// crlf turns LF line ends into CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, head string
		want       bool
	}{
		{"a.plt", header, true},
		{"no-extension", header, true},
		{"data.csv", crlf(header), true},
		{"a.plt", "\xEF\xBB\xBF" + crlf(header), true},
		{"a.plt", "GEOLIFE TRAJECTORY  \r\n", true},
		{"a.plt", "Geolife trajectory", true},
		{"a.plt", "OziExplorer Track Point File Version 2.1\r\nWGS 84\r\n", false},
		{"a.plt", "", false},
		{"a.plt", "\nGeolife trajectory\n", false},
		{"a.plt", "lat,lon\n39.9,116.3\n", false},
		{"a.plt", "Geolife trajectory and more\n", false},
		{"a.plt", "Geolife trajectory" + strings.Repeat(" ", format.HeadSize), false},
	}
	for _, tt := range tests {
		if got := (Codec{}).Detect(tt.name, []byte(tt.head)); got != tt.want {
			t.Errorf("Detect(%q, %q) = %v, want %v", tt.name, tt.head[:min(len(tt.head), 40)], got, tt.want)
		}
	}
}

func TestUser(t *testing.T) {
	tests := []struct{ path, want string }{
		{"Data/000/Trajectory/20081023025304.plt", "000"},
		{"/srv/geolife/Data/181/Trajectory/20071220023155.plt", "181"},
		{"000/Trajectory/20081023025304.plt", "000"},
		{`C:\Geolife\Data\042\Trajectory\20081023025304.PLT`, "042"},
		{"Data/000/trajectory/a.plt.gz", "000"},
		{"Data/000/Trajectory/a.csv", ""},
		{"Data/000/Labels/a.plt", ""},
		{"Trajectory/a.plt", ""},
		{"a.plt", ""},
		{"-", ""},
		{"", ""},
		{"../Trajectory/a.plt", ""},
		{"000/Trajectory/.plt", ""},
	}
	for _, tt := range tests {
		if got := User(tt.path); got != tt.want {
			t.Errorf("User(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestRecords(t *testing.T) {
	ref := func(line int, off int64) geowarden.Ref {
		return geowarden.Ref{File: "data/000/Trajectory/t.plt", Line: line, Offset: off, Feature: -1}
	}
	tests := []struct {
		name  string
		in    string
		want  []geowarden.Record
		attrs []map[string]string
	}{
		{
			name: "geolife point",
			in:   header + "39.984702,116.318417,0,492,39744.1201851852,2008-10-23,02:53:04\n",
			want: []geowarden.Record{{
				Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 116.318417, Lat: 39.984702},
				Alt: 492 * 0.3048, HasAlt: true, Time: utc("2008-10-23T02:53:04Z"),
				Kind: geowarden.KindFix, Source: "000", Ref: ref(7, int64(len(header))),
			}},
			attrs: []map[string]string{{"lat": "39.984702", "lon": "116.318417", "code": "0", "alt": "492",
				"days": "39744.1201851852", "date": "2008-10-23", "time": "02:53:04"}},
		},
		{
			name: "CRLF, unknown altitude, empty lines, no final line end",
			in: crlf(header+"39.1,116.2,0,-777,39744.5,2008-10-23,12:00:00\n\n  \n") +
				"-33.9,-151.25,0,-12.5,,2000-02-29,23:59:59",
			want: []geowarden.Record{
				{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 116.2, Lat: 39.1}, Time: utc("2008-10-23T12:00:00Z"),
					Kind: geowarden.KindFix, Source: "000", Ref: ref(7, int64(len(crlf(header))))},
				{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: -151.25, Lat: -33.9}, Alt: -12.5 * 0.3048, HasAlt: true,
					Time: utc("2000-02-29T23:59:59Z"), Kind: geowarden.KindFix, Source: "000",
					Ref: ref(10, int64(len(crlf(header+"39.1,116.2,0,-777,39744.5,2008-10-23,12:00:00\n\n  \n"))))},
			},
			attrs: []map[string]string{
				{"lat": "39.1", "lon": "116.2", "code": "0", "alt": "-777", "days": "39744.5", "date": "2008-10-23", "time": "12:00:00"},
				{"lat": "-33.9", "lon": "-151.25", "code": "0", "alt": "-12.5", "days": "", "date": "2000-02-29", "time": "23:59:59"},
			},
		},
		{
			name: "BOM, blanks around fields, empty altitude, exponent",
			in:   "\xEF\xBB\xBF" + header + " 4.5e1 , 9 ,1,, 0 ,1899-12-30,00:00:00\n",
			want: []geowarden.Record{{
				Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 9, Lat: 45}, Time: utc("1899-12-30T00:00:00Z"),
				Kind: geowarden.KindFix, Source: "000", Ref: ref(7, int64(3+len(header))),
			}},
			attrs: []map[string]string{{"lat": "4.5e1", "lon": "9", "code": "1", "alt": "", "days": "0", "date": "1899-12-30", "time": "00:00:00"}},
		},
		{
			name: "header only",
			in:   header,
		},
		{
			name: "empty input",
			in:   "",
		},
		{
			name: "header without a final line end",
			in:   strings.TrimSuffix(header, "\n"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &testHandler{AttrNames: fields}
			out, err := rewrite(t, tt.in, h, &format.Options{Name: "data/000/Trajectory/t.plt"})
			if err != nil {
				t.Fatal(err)
			}
			if out != tt.in {
				t.Errorf("keep-all output %q, want the input %q", out, tt.in)
			}
			if len(h.Recs) != len(tt.want) {
				t.Fatalf("got %d records, want %d: %+v", len(h.Recs), len(tt.want), h.Recs)
			}
			for i, r := range h.Recs {
				w := tt.want[i]
				if r.Pos != w.Pos || r.Alt != w.Alt || r.HasAlt != w.HasAlt || !r.Time.Equal(w.Time) ||
					r.Shape != w.Shape || r.Kind != w.Kind || r.Source != w.Source || r.Ref != w.Ref {
					t.Errorf("record %d:\ngot  %+v\nwant %+v", i, r, w)
				}
				for k, v := range tt.attrs[i] {
					if h.Attrs[i][k] != v {
						t.Errorf("record %d: Attr(%q) = %q, want %q", i, k, h.Attrs[i][k], v)
					}
				}
			}
		})
	}
}

func TestAttrNames(t *testing.T) {
	in := header + "39.1,116.2,0,100,39744.5,2008-10-23,12:00:00\n"
	var got []string
	h := &testHandler{Edit: func(r *geowarden.Record) geowarden.Edit {
		for _, n := range []string{"LAT", "Longitude", " altitude ", "source", "name"} {
			v, ok := r.Attrs.Attr(n)
			got = append(got, n+"="+v+map[bool]string{true: "", false: "(none)"}[ok])
		}
		return geowarden.Keep
	}}
	if _, err := rewrite(t, in, h, nil); err != nil {
		t.Fatal(err)
	}
	want := "LAT=39.1 Longitude=116.2  altitude =100 source=(none) name=(none)"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("attributes %q, want %q", s, want)
	}
	if h.Recs[0].Source != "" || h.Recs[0].Ref.File != "" {
		t.Errorf("with no name: source %q, file %q; want both empty", h.Recs[0].Source, h.Recs[0].Ref.File)
	}
}

// point is a good point line.
const point = "39.984702,116.318417,0,492,39744.1201851852,2008-10-23,02:53:04"

func TestBadPoints(t *testing.T) {
	tests := []struct {
		name      string
		line      string // the seventh line
		col       int
		is        error
		substr    string
		maxRecord int
	}{
		{"short line", "39.9,116.3,0,492,39744.12", 0, ErrFieldCount, "the line has 5, want 7", 0},
		{"one field", "39.9", 0, ErrFieldCount, "the line has 1", 0},
		{"extra field", point + ",x,y", 65, ErrFieldCount, "the line has 9", 0},
		{"latitude not a number", "abc,116.3,0,492,39744.1201851852,2008-10-23,02:53:04", 1, format.ErrNaN, `latitude "abc" is not a number`, 0},
		{"empty longitude", "39.9,,0,492,39744.1201851852,2008-10-23,02:53:04", 6, format.ErrNaN, `longitude "" is not a number`, 0},
		{"NaN latitude", "NaN,116.3,0,492,39744.1201851852,2008-10-23,02:53:04", 1, format.ErrNaN, `latitude "NaN"`, 0},
		{"Inf longitude", "39.9,Inf,0,492,39744.1201851852,2008-10-23,02:53:04", 6, format.ErrNaN, `longitude "Inf"`, 0},
		{"hex latitude", "0x1p4,116.3,0,492,39744.1201851852,2008-10-23,02:53:04", 1, format.ErrNaN, "not a number", 0},
		{"overflowing longitude", "39.9,1e999,0,492,39744.1201851852,2008-10-23,02:53:04", 6, format.ErrNaN, "not a finite number", 0},
		{"overflowing altitude", "39.9,116.3,0,1e999,39744.1201851852,2008-10-23,02:53:04", 14, ErrField, `altitude "1e999" is not a number`, 0},
		{"latitude out of range", "91,116.3,0,492,39744.1201851852,2008-10-23,02:53:04", 1, format.ErrRange, "latitude 91 outside -90..90", 0},
		{"longitude out of range", "39.9,-180.5,0,492,39744.1201851852,2008-10-23,02:53:04", 6, format.ErrRange, "longitude -180.5 outside", 0},
		{"bad altitude", "39.9,116.3,0,high,39744.1201851852,2008-10-23,02:53:04", 14, ErrField, `altitude "high" is not a number`, 0},
		{"bad days", "39.9,116.3,0,492,day,2008-10-23,02:53:04", 18, ErrField, `days "day" is not a number`, 0},
		{"bad month", "39.9,116.3,0,492,39744.1201851852,2008-13-23,02:53:04", 35, ErrField, `date "2008-13-23" is not a date`, 0},
		{"February 30th", "39.9,116.3,0,492,39744.1201851852,2008-02-30,02:53:04", 35, ErrField, "is not a date", 0},
		{"year 0", "39.9,116.3,0,492,,0000-01-01,02:53:04", 19, ErrField, "is not a date", 0},
		{"slashed date", "39.9,116.3,0,492,39744.1201851852,2008/10/23,02:53:04", 35, ErrField, "is not a date", 0},
		{"hour 24", "39.9,116.3,0,492,39744.1201851852,2008-10-23,24:00:00", 46, ErrField, `time "24:00:00" is not a time of day`, 0},
		{"short time", "39.9,116.3,0,492,39744.1201851852,2008-10-23,2:53:04", 46, ErrField, "is not a time of day", 0},
		{"days disagree", "39.9,116.3,0,492,39745.1201851852,2008-10-23,02:53:04", 18, ErrTimeMismatch, "86400 seconds away from 2008-10-23 02:53:04", 0},
		{"days two seconds off", "39.9,116.3,0,492,39744.1202083333,2008-10-23,02:53:04", 18, ErrTimeMismatch, "2 seconds away", 0},
		{"too long", point + strings.Repeat(" ", 10), 0, format.ErrTooLong, "line longer than 70 bytes", 70},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, le := range []string{"\n", "\r\n"} {
				in := header + point + le + tt.line + le + point + le
				opts := &format.Options{Name: "t.plt", MaxRecordBytes: tt.maxRecord}
				_, err := rewrite(t, in, &testHandler{}, opts)
				var pe *format.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("error %v, want a *format.ParseError", err)
				}
				wantOff := int64(len(header) + len(point) + len(le))
				if tt.col > 0 {
					wantOff += int64(tt.col - 1)
				}
				if pe.File != "t.plt" || pe.Line != 8 || pe.Column != tt.col || pe.Offset != wantOff {
					t.Errorf("error at %s:%d:%d offset %d, want t.plt:8:%d offset %d", pe.File, pe.Line, pe.Column, pe.Offset, tt.col, wantOff)
				}
				if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.substr) {
					t.Errorf("error %q, want %v containing %q", err, tt.is, tt.substr)
				}
				if !strings.HasPrefix(err.Error(), "t.plt:8:") {
					t.Errorf("error %q does not start with its file and line", err)
				}

				// When Bad returns nil, the line is left out and reading
				// goes on.
				h := &testHandler{OnBad: dropBad}
				out, err := rewrite(t, in, h, opts)
				if err != nil {
					t.Fatal(err)
				}
				if want := header + point + le + point + le; out != want {
					t.Errorf("with the bad line dropped: %q, want %q", out, want)
				}
				if len(h.Recs) != 2 || len(h.Bads) != 1 || h.Recs[1].Ref.Line != 9 {
					t.Errorf("with the bad line dropped: %d records, %d bad, want 2 and 1", len(h.Recs), len(h.Bads))
				}
			}
		})
	}
}

func TestBadHeader(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		substr   string
		max      int
	}{
		{"OziExplorer title", "OziExplorer Track Point File Version 2.1\nWGS 84\n", 1, `plt: bad header: the title is "OziExplorer Track Point File Version 2.1", want "Geolife trajectory"`, 0},
		{"other datum", "Geolife trajectory\nTokyo\nAltitude is in Feet\nReserved 3\n0,2,255,My Track,0,0,2,8421376\n0\n" + point + "\n", 2, `the datum is "Tokyo", want "WGS 84": positions in another datum are not converted`, 0},
		{"altitude in metres", "Geolife trajectory\r\nWGS 84\r\nAltitude is in Metres\r\n", 3, `the altitude unit is "Altitude is in Metres", want "Altitude is in Feet"`, 0},
		{"cut short", "Geolife trajectory\nWGS 84\nAltitude is in Feet\n", 4, "the input ends after 3 header lines, want 6", 0},
		{"long header line", "Geolife trajectory\nWGS 84\nAltitude is in Feet\nReserved 3\n0,2,255," + strings.Repeat("x", 100) + "\n0\n", 5, "header line longer than 50 bytes", 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &testHandler{OnBad: dropBad}
			_, err := rewrite(t, tt.in, h, &format.Options{Name: "h.plt", MaxRecordBytes: tt.max})
			var pe *format.ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrHeader) {
				t.Fatalf("error %v, want a *format.ParseError wrapping ErrHeader", err)
			}
			if pe.Line != tt.line || !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("error %q at line %d, want line %d containing %q", err, pe.Line, tt.line, tt.substr)
			}
			if len(h.Bads) != 0 || len(h.Recs) != 0 {
				t.Errorf("a bad header went to the handler: %d bad, %d records", len(h.Bads), len(h.Recs))
			}
		})
	}
}

func TestEdits(t *testing.T) {
	in := crlf(header+
		"39.984702,116.318417,0,492,39744.1201851852,2008-10-23,02:53:04\n"+
		"39.984683,116.31845,0,492,39744.1202546296,2008-10-23,02:53:10\n"+
		"\n") +
		"39.9789283333333,116.30434,0,-777,40878.5247337963,2011-12-01,12:35:37"
	keep := func(*geowarden.Record) geowarden.Edit { return geowarden.Keep }
	tests := []struct {
		name string
		edit func(r *geowarden.Record) geowarden.Edit
		want string // the lines after the header
	}{
		{"keep", keep, "39.984702,116.318417,0,492,39744.1201851852,2008-10-23,02:53:04\r\n" +
			"39.984683,116.31845,0,492,39744.1202546296,2008-10-23,02:53:10\r\n\r\n" +
			"39.9789283333333,116.30434,0,-777,40878.5247337963,2011-12-01,12:35:37"},
		{"drop the first and last", func(r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Drop: r.Ref.Line != 8}
		}, "39.984683,116.31845,0,492,39744.1202546296,2008-10-23,02:53:10\r\n\r\n"},
		{"move", func(r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: r.Pos.Lon + 0.0100000004, Lat: -r.Pos.Lat}}
		}, "-39.984702,116.328417,0,492,39744.1201851852,2008-10-23,02:53:04\r\n" +
			"-39.984683,116.32845,0,492,39744.1202546296,2008-10-23,02:53:10\r\n\r\n" +
			"-39.9789283,116.31434,0,-777,40878.5247337963,2011-12-01,12:35:37"},
		{"retime to 5 minutes", func(r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Retime: true, Time: r.Time.Truncate(5 * time.Minute)}
		}, "39.984702,116.318417,0,492,39744.1180555556,2008-10-23,02:50:00\r\n" +
			"39.984683,116.31845,0,492,39744.1180555556,2008-10-23,02:50:00\r\n\r\n" +
			"39.9789283333333,116.30434,0,-777,40878.5243055556,2011-12-01,12:35:00"},
		{"retime across midnight, sub-second truncated", func(r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Retime: true, Time: r.Time.Add(-3*time.Hour - 500*time.Millisecond).In(time.FixedZone("X", 3600))}
		}, "39.984702,116.318417,0,492,39743.9951736111,2008-10-22,23:53:03\r\n" +
			"39.984683,116.31845,0,492,39743.9952430556,2008-10-22,23:53:09\r\n\r\n" +
			"39.9789283333333,116.30434,0,-777,40878.3997222222,2011-12-01,09:35:36"},
		{"strip altitude, ignore other names", func(r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Strip: []string{"Altitude", "source", "ssid"}, Set: []geowarden.Attr{{Name: "source", Value: "x"}}}
		}, "39.984702,116.318417,0,-777,39744.1201851852,2008-10-23,02:53:04\r\n" +
			"39.984683,116.31845,0,-777,39744.1202546296,2008-10-23,02:53:10\r\n\r\n" +
			"39.9789283333333,116.30434,0,-777,40878.5247337963,2011-12-01,12:35:37"},
		{"move, retime and strip together", func(r *geowarden.Record) geowarden.Edit {
			return geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 116.3, Lat: 40}, Retime: true,
				Time: utc("2020-01-01T00:00:00Z"), Strip: []string{"alt"}}
		}, "40,116.3,0,-777,43831,2020-01-01,00:00:00\r\n" +
			"40,116.3,0,-777,43831,2020-01-01,00:00:00\r\n\r\n" +
			"40,116.3,0,-777,43831,2020-01-01,00:00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := rewrite(t, in, &testHandler{Edit: tt.edit}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := crlf(header) + tt.want; out != want {
				t.Errorf("output:\n%q\nwant\n%q", out, want)
			}
			// The output reads back, days and date agreeing.
			if _, err := rewrite(t, out, &testHandler{}, nil); err != nil {
				t.Errorf("reading the output back: %v", err)
			}
		})
	}
}

func TestRetimeWithoutDays(t *testing.T) {
	in := header + "39.9,116.3,0,0,,2008-10-23,02:53:04\n"
	h := &testHandler{Edit: func(r *geowarden.Record) geowarden.Edit {
		return geowarden.Edit{Retime: true, Time: utc("1850-06-01T10:00:00Z")}
	}}
	out, err := rewrite(t, in, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := header + "39.9,116.3,0,0,,1850-06-01,10:00:00\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
}

func TestEditErrors(t *testing.T) {
	in := header + point + "\n"
	tests := []struct {
		name   string
		edit   geowarden.Edit
		substr string
		is     error
	}{
		{"move out of range", geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 181, Lat: 0}}, "invalid position", format.ErrRange},
		{"retime to zero", geowarden.Edit{Retime: true}, "a point needs a time", ErrEdit},
		{"retime past 9999", geowarden.Edit{Retime: true, Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "years 1 to 9999", ErrEdit},
		{"strip time", geowarden.Edit{Strip: []string{"time"}}, `cannot strip "time": every point needs its time`, ErrEdit},
		{"strip latitude", geowarden.Edit{Strip: []string{"lat"}}, "needs its latitude", ErrEdit},
		{"set altitude", geowarden.Edit{Set: []geowarden.Attr{{Name: "alt", Value: "x"}}}, `cannot set "alt"`, ErrEdit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &testHandler{Edit: func(*geowarden.Record) geowarden.Edit { return tt.edit }}
			_, err := rewrite(t, in, h, &format.Options{Name: "e.plt"})
			var pe *format.ParseError
			if !errors.As(err, &pe) || pe.Line != 7 || !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("error %v, want one at e.plt:7 wrapping %v containing %q", err, tt.is, tt.substr)
			}
			// Scanning applies no edit: no error.
			if err := (Codec{}).Rewrite(context.Background(), strings.NewReader(in), nil, h, nil); err != nil {
				t.Errorf("scanning: %v", err)
			}
		})
	}
}

func TestAppendDays(t *testing.T) {
	tests := []struct {
		secs int64
		want string
	}{
		{39744*86400 + 10384, "39744.1201851852"},
		{40249*86400 + 62788, "40249.726712963"},
		{43831 * 86400, "43831"},
		{1, "0.00001157407407"},
		{-86400 - 43200, "-1.5"},
		{0, "0"},
	}
	for _, tt := range tests {
		if got := string(appendDays(nil, tt.secs)); got != tt.want {
			t.Errorf("appendDays(%d) = %q, want %q", tt.secs, got, tt.want)
		}
	}
}

func TestLongLines(t *testing.T) {
	// Lines far longer than the cap and the buffer are skipped in bounded
	// memory, with their line numbers right.
	long := strings.Repeat("9", 100<<10)
	in := header + point + "\n" + long + "\n" + point + "\n" + long
	h := &testHandler{OnBad: dropBad}
	out, err := rewrite(t, in, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := header + point + "\n" + point + "\n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
	if len(h.Bads) != 2 || h.Bads[0].Line != 8 || h.Bads[1].Line != 10 || h.Bads[1].Offset != int64(len(in)-len(long)) {
		t.Errorf("bad lines %v, want lines 8 and 10", h.Bads)
	}
	if len(h.Recs) != 2 || h.Recs[1].Ref.Line != 9 {
		t.Errorf("records %+v, want lines 7 and 9", h.Recs)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Codec{}.Rewrite(ctx, strings.NewReader(header+point+"\n"), io.Discard, &testHandler{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	var many strings.Builder
	many.WriteString(header)
	for range 2 * ctxEvery {
		many.WriteString(point + "\n")
	}
	ctx, cancel = context.WithCancel(context.Background())
	h := &testHandler{Edit: func(*geowarden.Record) geowarden.Edit { cancel(); return geowarden.Keep }}
	err = Codec{}.Rewrite(ctx, strings.NewReader(many.String()), io.Discard, h, nil)
	if !errors.Is(err, context.Canceled) || len(h.Recs) >= 2*ctxEvery {
		t.Errorf("error %v after %d records, want context.Canceled before the end", err, len(h.Recs))
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

type failReader struct{ n int }

func (r *failReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		r.n = copy(p, header+point+"\n")
		return r.n, nil
	}
	return 0, errors.New("device gone")
}

func TestIOErrors(t *testing.T) {
	err := Codec{}.Rewrite(context.Background(), strings.NewReader(header+point+"\n"), failWriter{}, &testHandler{}, &format.Options{Name: "w.plt"})
	if err == nil || !strings.Contains(err.Error(), "plt: writing w.plt: disk full") {
		t.Errorf("write error: %v", err)
	}
	err = Codec{}.Rewrite(context.Background(), &failReader{}, io.Discard, &testHandler{}, &format.Options{Name: "r.plt"})
	if err == nil || !strings.Contains(err.Error(), "plt: reading r.plt: device gone") {
		t.Errorf("read error: %v", err)
	}
}
