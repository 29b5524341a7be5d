package csv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// testHandler records what it is given and answers with edit and bad.
type testHandler struct {
	edit func(r *geowarden.Record) geowarden.Edit // nil: keep
	bad  func(e *format.ParseError) error         // nil: return e
	recs []geowarden.Record                       // copies, Attrs cleared
	bads []*format.ParseError
}

func (h *testHandler) Record(r *geowarden.Record) geowarden.Edit {
	c := *r
	c.Attrs = nil
	c.More, c.Text = slices.Clone(r.More), slices.Clone(r.Text) // reused by the codec
	h.recs = append(h.recs, c)
	if h.edit != nil {
		return h.edit(r)
	}
	return geowarden.Keep
}

func (h *testHandler) Bad(e *format.ParseError) error {
	h.bads = append(h.bads, e)
	if h.bad != nil {
		return h.bad(e)
	}
	return e
}

func dropBad(*format.ParseError) error { return nil }

// rewrite runs the codec over in and returns the output.
func rewrite(t *testing.T, in string, h format.Handler, opts *format.Options) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := Codec{}.Rewrite(context.Background(), strings.NewReader(in), &out, h, opts)
	return out.String(), err
}

func ref(line int, off int64) geowarden.Ref {
	return geowarden.Ref{File: "t.csv", Line: line, Offset: off, Feature: -1}
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestRecords(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		columns map[string]string
		want    []geowarden.Record
	}{
		{
			name: "bench shape",
			in:   "id,ts,lat,lon,mcc,mnc,cell,rsrp,freq_mhz\n1,2024-03-01T10:20:30Z,30.5,110.25,460,00,123456,-95,1800\n",
			want: []geowarden.Record{{
				Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 110.25, Lat: 30.5},
				Time: utc("2024-03-01T10:20:30Z"), Kind: geowarden.KindCell,
				Signal: geowarden.Signal{MCC: 460, MNC: 0, HasMNC: true, Cell: 123456, FreqMHz: 1800, Strength: -95, HasStrength: true},
				Ref:    ref(2, 41),
			}},
		},
		{
			name: "opencellid export",
			in: "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal\n" +
				"GSM,262,2,852,2521,0,10.948628,50.170324,15762,200,1,1294561074,1662692508,0\n",
			want: []geowarden.Record{{
				Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 10.948628, Lat: 50.170324},
				Time: time.Unix(1294561074, 0).UTC(), Kind: geowarden.KindCell,
				Signal: geowarden.Signal{Radio: "GSM", MCC: 262, MNC: 2, HasMNC: true, Area: 852, Cell: 2521, Strength: 0, HasStrength: true},
				Ref:    ref(2, 92),
			}},
		},
		{
			name: "g-nettrack log",
			in: "Timestamp,Longitude,Latitude,Speed,Operatorname,CellID,NetworkMode,RSRP,RSRQ,SNR,CQI,RSSI\n" +
				"2019.12.14_10.16.30,-8.388186,51.935604,0,B,12,5G,-99,-15,6.0,12,-90\n",
			want: []geowarden.Record{{
				Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: -8.388186, Lat: 51.935604},
				Time: utc("2019-12-14T10:16:30Z"), Kind: geowarden.KindCell,
				Signal: geowarden.Signal{Radio: "5G", Cell: 12, Strength: -99, HasStrength: true},
				Ref:    ref(2, 90),
			}},
		},
		{
			name: "wifi with source, altitude and accuracy",
			in:   "time,device,lat,lon,ssid,bssid,rssi,alt,accuracy\n1700000000123,dev-7,1.5,2.5,home,aa:bb:cc:dd:ee:ff,-60.5,12.5,4\n",
			want: []geowarden.Record{{
				Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 2.5, Lat: 1.5},
				Time: time.UnixMilli(1700000000123).UTC(), Kind: geowarden.KindWifi, Source: "dev-7",
				Signal: geowarden.Signal{SSID: "home", BSSID: "aa:bb:cc:dd:ee:ff", Strength: -60.5, HasStrength: true},
				Alt:    12.5, HasAlt: true, Accuracy: 4, HasAccuracy: true,
				Ref: ref(2, 49),
			}},
		},
		{
			name: "plain fix, empty position, unparsed time",
			in:   "name,latitude,longitude,timestamp\na,-33.9,151.2,yesterday\nb,,,\n",
			want: []geowarden.Record{
				{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 151.2, Lat: -33.9}, Kind: geowarden.KindFix, Ref: ref(2, 34)},
				{Shape: geowarden.ShapeNone, Kind: geowarden.KindFix, Ref: ref(3, 58)},
			},
		},
		{
			name: "semicolons and decimal commas",
			in:   "lat;lon;freq_mhz\n52,52;13,405;\"1800,2\"\n",
			want: []geowarden.Record{{
				Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 13.405, Lat: 52.52}, Kind: geowarden.KindCell,
				Signal: geowarden.Signal{FreqMHz: 1800.2},
				Ref:    ref(2, 17),
			}},
		},
		{
			name: "tabs, quotes and blanks",
			in:   "\"Lat\"\t LON \n\" 1.25\"\t  -2 \n",
			want: []geowarden.Record{{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: -2, Lat: 1.25}, Ref: ref(2, 12)}},
		},
		{
			name: "bom and crlf",
			in:   "\xEF\xBB\xBFlon,lat\r\n1,2\r\n",
			want: []geowarden.Record{{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 1, Lat: 2}, Ref: ref(2, 12)}},
		},
		{
			// The other latitude and longitude columns pair up in column
			// order into further positions (doc.go, Other positions).
			name: "first alias wins, then leftmost column",
			in:   "rssi,latitude,lat,rsrp,lat,long,lon,lng\n-70,1,2,-100,3,4,5,6\n",
			want: []geowarden.Record{{
				Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 5, Lat: 2},
				More:   []geowarden.Point{{Lon: 4, Lat: 1}, {Lon: 6, Lat: 3}},
				Signal: geowarden.Signal{Strength: -100, HasStrength: true},
				Ref:    ref(2, 40),
			}},
		},
		{
			name:    "options override aliases",
			in:      "lat,lon,Breite,Laenge,when\n1,2,3,4,2020-01-02 03:04:05\n",
			columns: map[string]string{"lat": "breite", "LON": "Laenge", "time": "WHEN"},
			want: []geowarden.Record{{
				Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 4, Lat: 3},
				More: []geowarden.Point{{Lon: 2, Lat: 1}}, // lat and lon are a further pair
				Time: utc("2020-01-02T03:04:05Z"),
				Ref:  ref(2, 27),
			}},
		},
		{
			name: "a channel number gives the carrier of its radio's plan",
			in:   "radio,arfcn,lat,lon\nGSM,10,0,0\ngsm,600,0,0\nLTE,10,0,0\nGSM,2000,0,0\n",
			want: []geowarden.Record{
				{Shape: geowarden.ShapePoint, Kind: geowarden.KindCell, Signal: geowarden.Signal{Radio: "GSM", ARFCN: 10, HasARFCN: true, FreqMHz: 937}, Ref: ref(2, 20)},
				{Shape: geowarden.ShapePoint, Kind: geowarden.KindCell, Signal: geowarden.Signal{Radio: "gsm", ARFCN: 600, HasARFCN: true, FreqMHz: 1822.8}, Ref: ref(3, 31)},
				{Shape: geowarden.ShapePoint, Kind: geowarden.KindCell, Signal: geowarden.Signal{Radio: "LTE", ARFCN: 10, HasARFCN: true, FreqMHz: 2111}, Ref: ref(4, 43)},
				{Shape: geowarden.ShapePoint, Kind: geowarden.KindCell, Signal: geowarden.Signal{Radio: "GSM", ARFCN: 2000, HasARFCN: true}, Ref: ref(5, 54)},
			},
		},
		{
			name: "signal values that do not parse are unknown",
			in:   "lat,lon,mcc,mnc,cell,rsrp\n1,2,-,x,0x1F,n/a\n",
			want: []geowarden.Record{{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 2, Lat: 1}, Kind: geowarden.KindCell, Ref: ref(2, 26)}},
		},
		{
			name: "empty lines and a multi-line field",
			in:   "\nnote,lat,lon\n\n\"two\nlines\",1,2\n3,4,5\n",
			want: []geowarden.Record{
				{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 2, Lat: 1}, Ref: ref(4, 15)},
				{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: 5, Lat: 4}, Ref: ref(6, 31)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &testHandler{}
			out, err := rewrite(t, tt.in, h, &format.Options{Name: "t.csv", Columns: tt.columns})
			if err != nil {
				t.Fatal(err)
			}
			if out != tt.in {
				t.Errorf("output differs from input:\ngot  %q\nwant %q", out, tt.in)
			}
			got, want := fmtRecs(h.recs), fmtRecs(tt.want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("records:\ngot  %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
			}
		})
	}
}

// fmtRecs formats records for comparison, every field shown.
func fmtRecs(recs []geowarden.Record) []string {
	var out []string
	for _, r := range recs {
		tm := ""
		if !r.Time.IsZero() {
			tm = r.Time.Format(time.RFC3339Nano)
		}
		r.Time = time.Time{}
		out = append(out, fmt.Sprintf("%+v time=%s offset=%d", r, tm, r.Ref.Offset))
	}
	return out
}

func TestAttrs(t *testing.T) {
	in := "Lat,Lon,Name,\"Note, quoted\",name\n1,2,\"a \"\"b\"\"\",\"x\ny\",second\n"
	var got []string
	h := &testHandler{edit: func(r *geowarden.Record) geowarden.Edit {
		for _, n := range []string{"name", "NAME", "note, quoted", "lat", "missing"} {
			v, ok := r.Attrs.Attr(n)
			got = append(got, n+"="+v+"/"+map[bool]string{true: "ok", false: "no"}[ok])
		}
		return geowarden.Keep
	}}
	if _, err := rewrite(t, in, h, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{`name=a "b"/ok`, `NAME=a "b"/ok`, "note, quoted=x\ny/ok", "lat=1/ok", "missing=/no"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestHeaderErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		columns map[string]string
		is      error
		want    []string
	}{
		{
			name: "no position columns",
			in:   "id,Breite,Laenge\n1,2,3\n",
			is:   format.ErrNoPosition,
			want: []string{"t.csv:1:", `"id", "Breite", "Laenge"`, "no latitude and longitude columns"},
		},
		{
			name: "no longitude",
			in:   "\n\nlatitude,Laenge\n1,2\n",
			is:   format.ErrNoPosition,
			want: []string{"t.csv:3:", "no longitude column", `"latitude", "Laenge"`},
		},
		{
			name: "a repeated latitude",
			in:   "lat,lon,latitude\n1,2,3\n",
			want: []string{"t.csv:1:", `repeats the latitude column: "lat" (column 1) and "latitude" (column 3)`},
		},
		{
			name: "a repeated longitude among pairs",
			in:   "lat,lon,rssi,lat,lon,lng\n1,2,3,4,5,6\n",
			want: []string{"t.csv:1:", `repeats the longitude column: "lon" (column 2) and "lng" (column 6)`},
		},
		{
			name: "a repeated prefixed latitude",
			in:   "lat,lon,dest_lat,dest_lon,destLat\n1,2,3,4,5\n",
			want: []string{"t.csv:1:", `repeats the latitude column: "dest_lat" (column 3) and "destLat" (column 5)`},
		},
		{
			name:    "unknown role",
			in:      "lat,lon\n",
			columns: map[string]string{"height": "h"},
			want:    []string{"t.csv:1:", `unknown column role "height"`},
		},
		{
			name:    "column not in header",
			in:      "lat,lon\n",
			columns: map[string]string{"time": "when"},
			want:    []string{"t.csv:1:", `column "when" for role time is not in the header ("lat", "lon")`},
		},
		{
			name: "header too long",
			in:   "lat,lon," + strings.Repeat("x", 100) + "\n",
			is:   format.ErrTooLong,
			want: []string{"t.csv:1:", "header longer than 50 bytes"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &testHandler{}
			_, err := rewrite(t, tt.in, h, &format.Options{Name: "t.csv", Columns: tt.columns, MaxRecordBytes: 50})
			if err == nil {
				t.Fatal("no error")
			}
			var pe *format.ParseError
			if !errors.As(err, &pe) || pe.Line == 0 {
				t.Errorf("error %v is not a *format.ParseError with a line", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if len(h.recs)+len(h.bads) > 0 {
				t.Errorf("handler called %d times", len(h.recs)+len(h.bads))
			}
		})
	}
}

func TestBadRows(t *testing.T) {
	const header = "id,lat,lon\n"
	tests := []struct {
		name string
		row  string // the bad row, line 3, between two good ones
		is   error
		want []string
	}{
		{"latitude not a number", "9,abc,2\n", format.ErrNaN, []string{"t.csv:3:3:", `column "lat"`, `"abc"`, "not a number"}},
		{"longitude not a number", "9,1,\"2x\"\n", format.ErrNaN, []string{"t.csv:3:5:", `column "lon"`, `"2x"`}},
		{"nan", "9,NaN,2\n", format.ErrNaN, []string{"t.csv:3:3:", `column "lat"`, "not a finite number"}},
		{"infinite longitude", "9,1,-Inf\n", format.ErrNaN, []string{"t.csv:3:", `column "lon"`}},
		{"latitude out of range", "9,90.5,2\n", format.ErrRange, []string{"t.csv:3:3:", `column "lat"`, "latitude 90.5 outside -90..90"}},
		{"longitude out of range", "9,1,-180.001\n", format.ErrRange, []string{"t.csv:3:5:", `column "lon"`, "longitude -180.001"}},
		{"only latitude", "9,1,\n", ErrHalfPosition, []string{"t.csv:3:5:", `column "lon" is empty, column "lat" is "1"`}},
		{"only longitude", "9, ,2\n", ErrHalfPosition, []string{"t.csv:3:3:", `column "lat" is empty, column "lon" is "2"`}},
		{"too few fields", "9,1\n", ErrFieldCount, []string{"t.csv:3:", "the row has 2, the header 3"}},
		{"too many fields", "9,1,2,3\n", ErrFieldCount, []string{"t.csv:3:7:", "the row has 4, the header 3"}},
		{"extra field on a later line", "9,1,2,\"x\ny\"\n", ErrFieldCount, []string{"t.csv:3:7:"}},
		{"too long", "9,1,2" + strings.Repeat(" ", 200) + "\n", format.ErrTooLong, []string{"t.csv:3:", "record longer than 100 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := header + "1,10,20\n" + tt.row + "2,30,40\r\n"
			opts := &format.Options{Name: "t.csv", MaxRecordBytes: 100}

			// Bad returning the error stops the codec with it.
			h := &testHandler{}
			_, err := rewrite(t, in, h, opts)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if len(h.recs) != 1 || len(h.bads) != 1 {
				t.Errorf("got %d records and %d bad rows before the error, want 1 and 1", len(h.recs), len(h.bads))
			}

			// Bad returning nil drops that row and goes on.
			h = &testHandler{bad: dropBad}
			out, err := rewrite(t, in, h, opts)
			if err != nil {
				t.Fatal(err)
			}
			if want := header + "1,10,20\n2,30,40\r\n"; out != want {
				t.Errorf("output:\ngot  %q\nwant %q", out, want)
			}
			if len(h.recs) != 2 || h.recs[1].Ref.Line != 4+strings.Count(tt.row, "\n")-1 {
				t.Errorf("records after the bad row: %+v", h.recs)
			}
		})
	}
}

func TestUnterminatedQuote(t *testing.T) {
	in := "lat,lon,note\n1,2,ok\n3,4,\"open\n5,6,x\n"
	h := &testHandler{bad: dropBad}
	_, err := rewrite(t, in, h, &format.Options{Name: "t.csv"})
	if !errors.Is(err, ErrQuote) {
		t.Fatalf("error = %v, want ErrQuote", err)
	}
	if want := "t.csv:3:5: csv: unterminated quoted field"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if len(h.bads) != 0 {
		t.Errorf("Bad was called for a fatal error")
	}
}

func TestEdits(t *testing.T) {
	const in = "id,ts,lat,lon,device,ssid,\"Note\"\r\n" +
		"1,2024-03-01T10:20:30.250+02:00,52.5200001,13.4049999,dev-1,home,\"a, b\"\r\n" +
		"2,2024-03-01 10:20:31,\"52.5\",13.4,dev-2,,plain\n" +
		"3,,,,dev-3,,\n"
	at := func(line int, e geowarden.Edit) func(r *geowarden.Record) geowarden.Edit {
		return func(r *geowarden.Record) geowarden.Edit {
			if r.Ref.Line == line {
				return e
			}
			return geowarden.Keep
		}
	}
	const hdr = "id,ts,lat,lon,device,ssid,\"Note\"\r\n"
	const row2 = "1,2024-03-01T10:20:30.250+02:00,52.5200001,13.4049999,dev-1,home,\"a, b\"\r\n"
	const row3 = "2,2024-03-01 10:20:31,\"52.5\",13.4,dev-2,,plain\n"
	const row4 = "3,,,,dev-3,,\n"
	tests := []struct {
		name string
		edit func(r *geowarden.Record) geowarden.Edit
		want string
	}{
		{"keep", nil, in},
		{"drop", at(3, geowarden.Edit{Drop: true}), hdr + row2 + row4},
		{
			"move rounds to 7 decimals",
			at(2, geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: -0.000000001, Lat: 48.123456789}}),
			hdr + "1,2024-03-01T10:20:30.250+02:00,48.1234568,0,dev-1,home,\"a, b\"\r\n" + row3 + row4,
		},
		{
			"move keeps quotes",
			at(3, geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 10, Lat: 50.25}}),
			hdr + row2 + "2,2024-03-01 10:20:31,\"50.25\",10,dev-2,,plain\n" + row4,
		},
		{
			"move a record without position",
			at(4, geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 1, Lat: 2}}),
			hdr + row2 + row3 + "3,,2,1,dev-3,,\n",
		},
		{
			"retime in the layout read",
			func(r *geowarden.Record) geowarden.Edit {
				if r.Time.IsZero() {
					return geowarden.Keep
				}
				return geowarden.Edit{Retime: true, Time: r.Time.Truncate(time.Hour)}
			},
			hdr + "1,2024-03-01T10:00:00.000+02:00,52.5200001,13.4049999,dev-1,home,\"a, b\"\r\n" +
				"2,2024-03-01 10:00:00,\"52.5\",13.4,dev-2,,plain\n" + row4,
		},
		{
			"retime to zero empties the field",
			at(3, geowarden.Edit{Retime: true}),
			hdr + row2 + "2,,\"52.5\",13.4,dev-2,,plain\n" + row4,
		},
		{
			"retime a time that did not parse",
			at(4, geowarden.Edit{Retime: true, Time: utc("2020-01-01T00:00:00Z")}),
			hdr + row2 + row3 + "3,2020-01-01T00:00:00Z,,,dev-3,,\n",
		},
		{
			"strip roles and header names",
			at(2, geowarden.Edit{Strip: []string{"source", "SSID", "note", "no such column"}}),
			hdr + "1,2024-03-01T10:20:30.250+02:00,52.5200001,13.4049999,,,\r\n" + row3 + row4,
		},
		{
			"set quotes when needed",
			at(3, geowarden.Edit{Set: []geowarden.Attr{{Name: "device", Value: "x,y"}, {Name: "Note", Value: "say \"hi\"\nbye"}, {Name: "ssid", Value: "plain"}}}),
			hdr + row2 + "2,2024-03-01 10:20:31,\"52.5\",13.4,\"x,y\",plain,\"say \"\"hi\"\"\nbye\"\n" + row4,
		},
		{
			"set keeps quotes",
			at(2, geowarden.Edit{Set: []geowarden.Attr{{Name: "note", Value: "c"}}}),
			hdr + "1,2024-03-01T10:20:30.250+02:00,52.5200001,13.4049999,dev-1,home,\"c\"\r\n" + row3 + row4,
		},
		{
			"everything at once",
			at(3, geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 1.5, Lat: 2.5}, Retime: true, Time: utc("2025-12-31T23:59:59Z"),
				Strip: []string{"device"}, Set: []geowarden.Attr{{Name: "id", Value: "h-42"}}}),
			hdr + row2 + "h-42,2025-12-31 23:59:59,\"2.5\",1.5,,,plain\n" + row4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := rewrite(t, in, &testHandler{edit: tt.edit}, &format.Options{Name: "t.csv"})
			if err != nil {
				t.Fatal(err)
			}
			if out != tt.want {
				t.Errorf("got\n%q\nwant\n%q", out, tt.want)
			}
		})
	}
}

func TestEditsOtherDelimiters(t *testing.T) {
	tests := []struct {
		name string
		in   string
		edit geowarden.Edit
		want string
	}{
		{
			"decimal comma",
			"lat;lon;name\n52,5;13,25;a\n",
			geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 1.125, Lat: -2.5}, Set: []geowarden.Attr{{Name: "name", Value: "x;y"}}},
			"lat;lon;name\n-2,5;1,125;\"x;y\"\n",
		},
		{
			"decimal point in a semicolon file",
			"lat;lon\n52.5;13\n",
			geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 1.125, Lat: -2.5}},
			"lat;lon\n-2.5;1.125\n",
		},
		{
			"tab",
			"\xEF\xBB\xBFlat\tlon\tts\r\n1\t2\t1700000000\r\n",
			geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 3, Lat: 4}, Retime: true, Time: time.Unix(1700000100, 0)},
			"\xEF\xBB\xBFlat\tlon\tts\r\n4\t3\t1700000100\r\n",
		},
		{
			"no final newline",
			"lat,lon,ts\n1,2,2019.12.14_10.16.30",
			geowarden.Edit{Retime: true, Time: utc("2019-12-14T10:16:00Z")},
			"lat,lon,ts\n1,2,2019.12.14_10.16.00",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &testHandler{edit: func(*geowarden.Record) geowarden.Edit { return tt.edit }}
			out, err := rewrite(t, tt.in, h, nil)
			if err != nil {
				t.Fatal(err)
			}
			if out != tt.want {
				t.Errorf("got\n%q\nwant\n%q", out, tt.want)
			}
		})
	}
}

func TestMoveToInvalidPosition(t *testing.T) {
	h := &testHandler{edit: func(*geowarden.Record) geowarden.Edit {
		return geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 200, Lat: 0}}
	}}
	_, err := rewrite(t, "lat,lon\n1,2\n", h, &format.Options{Name: "t.csv"})
	if !errors.Is(err, format.ErrRange) || !strings.Contains(err.Error(), "t.csv:2") {
		t.Errorf("error = %v, want an ErrRange at t.csv:2", err)
	}
}

func TestDelimiterOption(t *testing.T) {
	in := "lat|lon|a,b\n1|2|x;y\n"
	h := &testHandler{}
	out, err := rewrite(t, in, h, &format.Options{Delimiter: '|'})
	if err != nil {
		t.Fatal(err)
	}
	if out != in || len(h.recs) != 1 || h.recs[0].Pos != (geowarden.Point{Lon: 2, Lat: 1}) {
		t.Errorf("got output %q records %+v", out, h.recs)
	}
	for _, d := range []rune{'"', '\n', 'é'} {
		if _, err := rewrite(t, in, h, &format.Options{Delimiter: d}); err == nil || !strings.HasPrefix(err.Error(), "csv: invalid delimiter") {
			t.Errorf("delimiter %q: error = %v", d, err)
		}
	}
}

func TestEmptyInputs(t *testing.T) {
	for _, in := range []string{"", "\r", "\n", "\r\n\n", "\n\r", "\xEF\xBB\xBF", "\xEF\xBB\xBF\r\n", "\xEF\xBB\xBF\r"} {
		h := &testHandler{}
		out, err := rewrite(t, in, h, nil)
		if err != nil || out != in || len(h.recs) != 0 {
			t.Errorf("%q: got %q, %v, %d records", in, out, err, len(h.recs))
		}
	}
}

func TestScanOnly(t *testing.T) {
	h := &testHandler{edit: func(*geowarden.Record) geowarden.Edit { return geowarden.Edit{Drop: true} }}
	err := Codec{}.Rewrite(context.Background(), strings.NewReader("lat,lon\n1,2\n3,4\n"), nil, h, nil)
	if err != nil || len(h.recs) != 2 {
		t.Errorf("got %v and %d records", err, len(h.recs))
	}
}

func TestContextCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var b strings.Builder
	b.WriteString("lat,lon\n")
	for range 3 * ctxEvery {
		b.WriteString("1,2\n")
	}
	n := 0
	h := &testHandler{edit: func(*geowarden.Record) geowarden.Edit {
		if n++; n == 10 {
			cancel()
		}
		return geowarden.Keep
	}}
	err := Codec{}.Rewrite(ctx, strings.NewReader(b.String()), io.Discard, h, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if n >= 2*ctxEvery {
		t.Errorf("read %d records after the cancellation", n)
	}
	if err := (Codec{}).Rewrite(ctx, strings.NewReader("lat,lon\n"), nil, h, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled before the start: error = %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	err := Codec{}.Rewrite(context.Background(), strings.NewReader("lat,lon\n1,2\n"), failWriter{}, &testHandler{}, &format.Options{Name: "t.csv"})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error = %v, want the write error", err)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, file, head string
		want             bool
	}{
		{"csv with position columns", "x.dat", "id,lat,lon\n1,2,3\n", true},
		{"g-nettrack", "B_2019.12.16_13.40.04", "Timestamp,Longitude,Latitude,Speed\n", true},
		{"semicolons and bom", "", "\xEF\xBB\xBFBreite;Länge;latitude;LNG\r\n", true},
		{"tsv extension", "a.TSV", "name\tvalue\n", true},
		{"csv extension, header without position", "cells.csv", "CellName,Longitud,Latitud\nx,1,2\n", true},
		{"quoted header", "a.csv", "\"DISTANCE\",\"LATITUDE\",\"x\"\n", true},
		{"txt with numbers", "log.txt", "48.5,8.9,,395\n", false},
		{"nmea in a txt file", "gps.txt", "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\n", false},
		{"no extension, no position columns", "data", "a,b,c\n", false},
		{"json", "a.csv", "{\"lat\":1,\"lon\":2}", false},
		{"json array after blanks", "a.csv", "  \n[1,2]", false},
		{"xml", "a.txt", "<gpx lat=\"1\",lon=\"2\">", false},
		{"json text sequence", "a.csv", "\x1E{\"a\":1}", false},
		{"binary", "a.csv", "lat,lon\x00\x01\n", false},
		{"single column", "a.csv", "latitude\n1\n", false},
		{"empty", "a.csv", "", false},
		{"cut off in a rune", "a.csv", "name,lat,lon,\xC3", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Codec{}).Detect(tt.file, []byte(tt.head)); got != tt.want {
				t.Errorf("Detect(%q, %q) = %v, want %v", tt.file, tt.head, got, tt.want)
			}
		})
	}
}
