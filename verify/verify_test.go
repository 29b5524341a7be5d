package verify

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/geotext"
	"github.com/geowarden/geowarden/zone"
)

// maltaZones is one zone over the Grand Harbour area: lat 35.84–35.86,
// lon 14.44–14.46.
const maltaZones = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"harbour","name":"Grand Harbour"},"geometry":{"type":"Polygon","coordinates":[[[14.44,35.84],[14.46,35.84],[14.46,35.86],[14.44,35.86],[14.44,35.84]]]}},
{"type":"Feature","properties":{"id":"other"},"geometry":{"type":"Polygon","coordinates":[[[20,40],[21,40],[21,41],[20,41],[20,40]]]}}]}`

func maltaIndex(t testing.TB) *zone.Index {
	t.Helper()
	set, err := zone.ReadGeoJSON("malta", "malta", strings.NewReader(maltaZones))
	if err != nil {
		t.Fatal(err)
	}
	return zone.NewIndex(set)
}

var leakTests = []struct {
	name string
	in   string
	text string // the leak's text; "" for no leak
}{
	{"decimal", "note: taken at 35.8506, 14.4506 today\n", "35.8506, 14.4506"},
	{"decimal lon lat", "14.4506,35.8506", "14.4506,35.8506"},
	{"decimal hemispheres", "id,pos\n1,35.8506N 14.4506E\n", "35.8506N 14.4506E"},
	{"dms", `<description>35°51'02"N 14°27'01"E</description>`, `35°51'02"N 14°27'01"E`},
	{"dm", "35°51.034'N 14°27.017'E", "35°51.034'N 14°27.017'E"},
	{"nmea", "$GPGGA,123519,3551.0340,N,01427.0170,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n", "3551.0340,N,01427.0170,E"},
	{"gpx", `<gpx><trk><trkseg><trkpt lat="35.8506" lon="14.4506"><ele>3</ele></trkpt></trkseg></trk></gpx>`, `lat="35.8506" lon="14.4506`},
	{"gpx bounds are a box, not a position", `<bounds minlat="35.8400" minlon="14.4400" maxlat="35.9000" maxlon="14.5000"/>`, ``},
	{"json named", `{"properties":{"home_lat":35.8506,"home_lon":14.4506}}`, `lat":35.8506,"home_lon":14.4506`},
	{"e7", `{"latitudeE7" : 358506000, "longitudeE7" : 144506000}`, `latitudeE7" : 358506000, "longitudeE7" : 144506000`},
	{"wkt", "1,POINT(14.4502 35.8502)\n", "14.4502 35.8502"},
	{"geojson", `{"type":"Point","coordinates":[14.4506,35.8506]}`, "14.4506,35.8506"},
	{"kml", "<coordinates>20.5,40.5,0 14.4506,35.8506,0</coordinates>", "14.4506,35.8506"},
	{"xmp", `<rdf:Description exif:GPSLatitude="35,51.0340N" exif:GPSLongitude="14,27.0170E"/>`, `Latitude="35,51.0340N" exif:GPSLongitude="14,27.0170E`},
	{"outside", "35.9506, 14.4506 and 36.0000,14.0000\n", ""},
	{"csv outside", "1,2024-05-01T03:05:03Z,29.803975,110.941590,460,11,54699827,-113,700\n", ""},
	{"not a position", "version 35.85.06, 14.4506, -113,700\n", ""},
}

func TestCheck(t *testing.T) {
	v := New(maltaIndex(t))
	for _, tt := range leakTests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.Check([]byte(tt.in), 100)
			checkLeak(t, err, tt.in, tt.text, 100)
		})
	}
}

func checkLeak(t *testing.T, err error, in, text string, base int64) {
	t.Helper()
	if text == "" {
		if err != nil {
			t.Fatalf("got %v, want no leak", err)
		}
		return
	}
	var le *LeakError
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want a leak of %q", err, text)
	}
	if le.Text != text {
		t.Errorf("leak text %q, want %q", le.Text, text)
	}
	if want := base + int64(strings.Index(in, text)); le.Offset != want {
		t.Errorf("leak offset %d, want %d", le.Offset, want)
	}
	if le.ZoneID != "harbour" {
		t.Errorf("leak zone %q, want harbour", le.ZoneID)
	}
}

// TestWriterSplit writes each case in two pieces, cut at every byte.
func TestWriterSplit(t *testing.T) {
	v := New(maltaIndex(t))
	for _, tt := range leakTests {
		t.Run(tt.name, func(t *testing.T) {
			// pad so that a leak's offset is past the first carry
			in := strings.Repeat("x", 500) + "\n" + tt.in
			for k := 0; k <= len(in); k++ {
				var out bytes.Buffer
				w := v.NewWriter(&out)
				_, err1 := w.Write([]byte(in[:k]))
				var err2 error
				if err1 == nil {
					_, err2 = w.Write([]byte(in[k:]))
				}
				err := w.Close()
				if err1 != nil && err != err1 || err2 != nil && err != err2 {
					t.Fatalf("cut at %d: Close returned %v after Write returned %v, %v", k, err, err1, err2)
				}
				checkLeak(t, err, in, tt.text, 0)
				if err == nil && out.String() != in {
					t.Fatalf("cut at %d: passed on %q", k, out.String())
				}
			}
		})
	}
}

// everywhere is a zone index in which every point is inside zone 0.
type everywhere struct{}

func (everywhere) Contains(p geowarden.Point, dst []int32) []int32 { return append(dst, 0) }

type seen struct {
	start int
	p     geowarden.Point
}

// record returns a verifier that records every lookup and counts none.
func record(got *[]seen) *Verifier {
	v := New(everywhere{})
	v.Filter = func(m geotext.Match, p geowarden.Point, _ int32) bool {
		*got = append(*got, seen{m.Start, p})
		return false
	}
	return v
}

// streamSame checks that writing data in the given pieces looks up the
// same positions as one Check.
func streamSame(t *testing.T, data []byte, cuts []int) {
	t.Helper()
	var want, got []seen
	if err := record(&want).Check(data, 0); err != nil {
		t.Fatal(err)
	}
	w := record(&got).NewWriter(nil)
	prev := 0
	for _, c := range append(cuts, len(data)) {
		c = min(max(c, prev), len(data))
		if _, err := w.Write(data[prev:c]); err != nil {
			t.Fatal(err)
		}
		prev = c
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("cuts %v: stream looked up\n%v\none Check looked up\n%v", cuts, got, want)
	}
}

func TestWriterSameAsCheck(t *testing.T) {
	var all []string
	for _, tt := range leakTests {
		all = append(all, tt.in)
	}
	data := []byte(strings.Join(all, " "))
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var cuts []int
		for c := 0; c < len(data); c += 1 + r.IntN(40) {
			cuts = append(cuts, c)
		}
		streamSame(t, data, cuts)
	}
	// a large stream, written in large and in tiny pieces
	big := bytes.Repeat(data, 200)
	streamSame(t, big, nil)
	var cuts []int
	for c := 0; c < len(big); c += 1 + r.IntN(3*chunk) {
		cuts = append(cuts, c)
	}
	streamSame(t, big, cuts)
}

func TestLeakError(t *testing.T) {
	err := New(maltaIndex(t)).Check([]byte("at 35.8506, 14.4506"), 7)
	want := `verify: byte 10: decimal position "35.8506, 14.4506" (lat 35.850600, lon 14.450600) is inside zone "harbour" (Grand Harbour)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if wrapped := fmt.Errorf("release out.csv: %w", err); !errors.Is(wrapped, ErrLeak) {
		t.Errorf("errors.Is(%v, ErrLeak) = false", wrapped)
	}
}

func TestFilter(t *testing.T) {
	v := New(maltaIndex(t))
	v.Filter = func(m geotext.Match, _ geowarden.Point, _ int32) bool { return m.Res < 0.001 }
	if err := v.Check([]byte("35.851,14.451 [14.45,35.85]"), 0); err != nil {
		t.Errorf("coarse positions: %v", err)
	}
	if err := v.Check([]byte("35.8506,14.4506"), 0); err == nil {
		t.Error("fine position passed")
	}
}

func TestWriterAfterLeak(t *testing.T) {
	var out bytes.Buffer
	w := New(maltaIndex(t)).NewWriter(&out)
	in := strings.Repeat("35.8506,14.4506\n", 10000)
	_, err := w.Write([]byte(in))
	if err == nil {
		t.Fatal("no leak")
	}
	if out.Len() != 0 {
		t.Errorf("passed on %d bytes of a leaking write", out.Len())
	}
	if _, err2 := w.Write([]byte("x")); err2 != err {
		t.Errorf("later Write: %v, want %v", err2, err)
	}
	if err2 := w.Close(); err2 != err {
		t.Errorf("Close: %v, want %v", err2, err)
	}
}

func TestWriteAfterClose(t *testing.T) {
	w := New(maltaIndex(t)).NewWriter(nil)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("got %v, want ErrClosed", err)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestWriterUnderlyingError(t *testing.T) {
	bad := errors.New("disk full")
	w := New(maltaIndex(t)).NewWriter(failWriter{bad})
	if _, err := w.Write([]byte("no position here\n")); err != bad {
		t.Fatalf("Write: %v, want %v", err, bad)
	}
	if _, err := w.Write([]byte("x")); err != bad {
		t.Errorf("later Write: %v, want %v", err, bad)
	}
	if err := w.Close(); err != bad {
		t.Errorf("Close: %v, want %v", err, bad)
	}
}

func TestOffset(t *testing.T) {
	w := New(maltaIndex(t)).NewWriter(nil)
	in := strings.Repeat("0123456789", 20000)
	for i := 0; i < len(in); i += 777 {
		w.Write([]byte(in[i:min(len(in), i+777)]))
	}
	if got := w.Offset(); got != int64(len(in)) {
		t.Errorf("Offset = %d, want %d", got, len(in))
	}
	if err := w.Close(); err != nil {
		t.Error(err)
	}
}
