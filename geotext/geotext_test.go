package geotext

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
)

// want is one expected match: its text, kind and position (lat, lon).
type want struct {
	text     string
	kind     Kind
	lat, lon float64
	amb      bool
}

var findTests = []struct {
	name string
	in   string
	want []want
}{
	// decimal pairs
	{"decimal comma", "taken at 35.8506, 14.4506 today", []want{{"35.8506, 14.4506", Decimal, 35.8506, 14.4506, true}}},
	{"decimal no space", "35.8506,14.4506", []want{{"35.8506,14.4506", Decimal, 35.8506, 14.4506, true}}},
	{"decimal semicolon", "35.8506;14.4506", []want{{"35.8506;14.4506", Decimal, 35.8506, 14.4506, true}}},
	{"decimal space", "at 35.8506 14.4506.", []want{{"35.8506 14.4506", Decimal, 35.8506, 14.4506, true}}},
	{"decimal tab", "35.8506\t14.4506", []want{{"35.8506\t14.4506", Decimal, 35.8506, 14.4506, true}}},
	{"decimal signs", "-33.8688,+151.2093", []want{{"-33.8688,+151.2093", Decimal, -33.8688, 151.2093, false}}},
	{"decimal lon lat", "110.941590,29.803975", []want{{"110.941590,29.803975", Decimal, 29.803975, 110.94159, false}}},
	{"decimal hemisphere suffix", "35.8506N, 14.4506E", []want{{"35.8506N, 14.4506E", Decimal, 35.8506, 14.4506, false}}},
	{"decimal hemisphere space", "35.8506 N 14.4506 W", []want{{"35.8506 N 14.4506 W", Decimal, 35.8506, -14.4506, false}}},
	{"decimal hemisphere prefix", "N35.8506 E14.4506", []want{{"N35.8506 E14.4506", Decimal, 35.8506, 14.4506, false}}},
	{"decimal hemisphere lon first", "14.4506E 35.8506S", []want{{"14.4506E 35.8506S", Decimal, -35.8506, 14.4506, false}}},
	{"decimal degree mark", "35.85°N 14.45°E", []want{{"35.85°N 14.45°E", Decimal, 35.85, 14.45, false}}},
	{"decimal degree mark no hemisphere", "35.85°, 14.45°", []want{{"35.85°, 14.45°", Decimal, 35.85, 14.45, true}}},
	{"decimal csv row", "7,2024-05-01T03:05:03Z,29.803975,110.941590,460,11,54699827,-113,700\n",
		[]want{{"29.803975,110.941590", Decimal, 29.803975, 110.94159, false}}},
	{"decimal triple", "1.500,35.8506,14.4506", []want{
		{"1.500,35.8506", Decimal, 1.5, 35.8506, true},
		{"35.8506,14.4506", Decimal, 35.8506, 14.4506, true}}},
	{"decimal triple blanks", "1.500, 35.8506, 14.4506, 460, 11", []want{
		{"1.500, 35.8506", Decimal, 1.5, 35.8506, true},
		{"35.8506, 14.4506", Decimal, 35.8506, 14.4506, true}}},
	{"decimal kml coordinates", "<coordinates>14.4506,35.8506,0 14.4510,35.8510,0</coordinates>", []want{
		{"14.4506,35.8506", Decimal, 14.4506, 35.8506, true},
		{"14.4510,35.8510", Decimal, 14.451, 35.851, true}}},
	// DM and DMS
	{"dms", `35°51'02"N 14°27'01"E`, []want{{`35°51'02"N 14°27'01"E`, DMS, 35 + 51/60.0 + 2/3600.0, 14 + 27/60.0 + 1/3600.0, false}}},
	{"dms primes", "35°51′02.5″N, 14°27′01″W", []want{{"35°51′02.5″N, 14°27′01″W", DMS, 35 + 51/60.0 + 2.5/3600.0, -(14 + 27/60.0 + 1/3600.0), false}}},
	{"dms latin-1", "35\xb051'02\"N 14\xb027'01\"E", []want{{"35\xb051'02\"N 14\xb027'01\"E", DMS, 35 + 51/60.0 + 2/3600.0, 14 + 27/60.0 + 1/3600.0, false}}},
	{"dms html", "<description>35&#176;51&#39;02&quot;N 14&deg;27&apos;01&quot;E</description>", []want{{"35&#176;51&#39;02&quot;N 14&deg;27&apos;01&quot;E", DMS, 35 + 51/60.0 + 2/3600.0, 14 + 27/60.0 + 1/3600.0, false}}},
	{"dms html in xml", "&lt;b&gt;35&amp;deg;51&amp;#39;02&amp;quot;N 14&amp;deg;27&amp;#39;01&amp;quot;E&lt;/b&gt;", []want{{"35&amp;deg;51&amp;#39;02&amp;quot;N 14&amp;deg;27&amp;#39;01&amp;quot;E", DMS, 35 + 51/60.0 + 2/3600.0, 14 + 27/60.0 + 1/3600.0, false}}},
	{"dms json escapes", `"35\u00b051\u2032 02\u2033N 14\u00b027'01\"E"`, []want{{`35\u00b051\u2032 02\u2033N 14\u00b027'01\"E`, DMS, 35 + 51/60.0 + 2/3600.0, 14 + 27/60.0 + 1/3600.0, false}}},
	{"decimal url", "maps?q=35.8506%2C14.4506&z=16", []want{{"35.8506%2C14.4506", Decimal, 35.8506, 14.4506, true}}},
	{"dms d", `35d51'02"N 14d27'01"E`, []want{{`35d51'02"N 14d27'01"E`, DMS, 35 + 51/60.0 + 2/3600.0, 14 + 27/60.0 + 1/3600.0, false}}},
	{"dms spaces", `35° 51' 02" N, 14° 27' 01" E`, []want{{`35° 51' 02" N, 14° 27' 01" E`, DMS, 35 + 51/60.0 + 2/3600.0, 14 + 27/60.0 + 1/3600.0, false}}},
	{"dms json escaped", `"35°51'02\"N 14°27'01\"E"`, []want{{`35°51'02\"N 14°27'01\"E`, DMS, 35 + 51/60.0 + 2/3600.0, 14 + 27/60.0 + 1/3600.0, false}}},
	{"dms exiftool", `35 deg 51' 2.04" N, 14 deg 27' 1.00" E`, []want{{`35 deg 51' 2.04" N, 14 deg 27' 1.00" E`, DMS, 35 + 51/60.0 + 2.04/3600.0, 14 + 27/60.0 + 1/3600.0, false}}},
	{"dms prefix", `N 35°51'02" E 14°27'01"`, []want{{`N 35°51'02" E 14°27'01"`, DMS, 35 + 51/60.0 + 2/3600.0, 14 + 27/60.0 + 1/3600.0, false}}},
	{"dm", "35°51.034'N 14°27.017'E", []want{{"35°51.034'N 14°27.017'E", DM, 35 + 51.034/60, 14 + 27.017/60, false}}},
	{"dm blank", "# Location: 48 29.0005 N, 000 22.0016 E", []want{
		{"48 29.0005 N, 000 22.0016 E", DM, 48 + 29.0005/60, 22.0016 / 60, false},
		{"29.0005 N, 000 22.0016 E", DM, 29.0005, 22.0016 / 60, false}}},
	{"dm blank or a number and a decimal", "stop 5 35.8506 N, 14.4506 E", []want{
		{"5 35.8506 N, 14.4506 E", DM, 5 + 35.8506/60, 14.4506, false},
		{"35.8506 N, 14.4506 E", Decimal, 35.8506, 14.4506, false}}},
	{"dm blank prefix", "N 48 29.0005 W 000 22.0016", []want{{"N 48 29.0005 W 000 22.0016", DM, 48 + 29.0005/60, -22.0016 / 60, false}}},
	{"dm no marks", "S35°51.034 W14°27.017", []want{{"S35°51.034 W14°27.017", DM, -(35 + 51.034/60), -(14 + 27.017/60), false}}},
	// NMEA
	{"nmea gga", "$GPGGA,123519,3551.0340,N,01427.0170,E,1,08,0.9,545.4,M,46.9,M,,*47", []want{{"3551.0340,N,01427.0170,E", NMEA, 35 + 51.034/60, 14 + 27.017/60, false}}},
	{"nmea rmc south west", "$GPRMC,123519,A,3351.0340,S,07027.0170,W,022.4,084.4,230394,003.1,W*6A", []want{{"3351.0340,S,07027.0170,W", NMEA, -(33 + 51.034/60), -(70 + 27.017/60), false}}},
	// named
	{"named gpx", `<trkpt lat="35.8506" lon="14.4506"><ele>10</ele>`, []want{{`lat="35.8506" lon="14.4506`, Named, 35.8506, 14.4506, false}}},
	{"named gpx lon first", `<wpt lon="14.4506" lat="35.8506"/>`, []want{{`lon="14.4506" lat="35.8506`, Named, 35.8506, 14.4506, false}}},
	{"named json", `{"home_lat": 35.85, "home_lng": 14.45}`, []want{{`lat": 35.85, "home_lng": 14.45`, Named, 35.85, 14.45, false}}},
	{"named json pretty", "{\n  \"latitude\": 35.8506,\n  \"longitude\": 14.4506\n}", []want{{"latitude\": 35.8506,\n  \"longitude\": 14.4506", Named, 35.8506, 14.4506, false}}},
	{"named xml", `<lat>35.8506</lat><lon>14.4506</lon>`, []want{{`lat>35.8506</lat><lon>14.4506`, Named, 35.8506, 14.4506, false}}},
	{"named query", `?latitude=35.8506&longitude=-14.4506`, []want{{`latitude=35.8506&longitude=-14.4506`, Named, 35.8506, -14.4506, false}}},
	{"named camel", `destLat=35.85 destLon=14.45`, []want{{`Lat=35.85 destLon=14.45`, Named, 35.85, 14.45, false}}},
	{"named xmp", `exif:GPSLatitude="35,51.0340N" exif:GPSLongitude="14,27.0170E"`, []want{{`Latitude="35,51.0340N" exif:GPSLongitude="14,27.0170E`, Named, 35 + 51.034/60, 14 + 27.017/60, false}}},
	{"named dji", `drone-dji:GpsLatitude="35.850600" drone-dji:GpsLongitude="14.450600"`, []want{{`Latitude="35.850600" drone-dji:GpsLongitude="14.450600`, Named, 35.8506, 14.4506, false}}},
	{"named exiftool", "GPS Latitude                    : 35 deg 51' 2.04\" N\nGPS Longitude Ref               : East\nGPS Longitude                   : 14 deg 27' 1.00\" E\n",
		[]want{{"Latitude                    : 35 deg 51' 2.04\" N\nGPS Longitude Ref               : East\nGPS Longitude                   : 14 deg 27' 1.00\" E", Named, 35 + 51/60.0 + 2.04/3600.0, 14 + 27/60.0 + 1/3600.0, false}}},
	{"e7", `{"latitudeE7": 358506000, "longitudeE7": -144506000}`, []want{{`latitudeE7": 358506000, "longitudeE7": -144506000`, E7, 35.8506, -14.4506, false}}},
	// WKT
	{"wkt point", "POINT(14.4506 35.8506)", []want{{"14.4506 35.8506", WKT, 35.8506, 14.4506, true}}},
	{"wkt point z", "SRID=4326;POINT Z (14.4506 35.8506 12.5)", []want{{"14.4506 35.8506 12.5", WKT, 35.8506, 14.4506, true}}},
	{"wkt linestring", "LINESTRING(14.45 35.85, 14.46 35.86)", []want{
		{"14.45 35.85", WKT, 35.85, 14.45, true},
		{"14.46 35.86", WKT, 35.86, 14.46, true}}},
	{"wkt lon over 90", "POINT(110.94 29.80)", []want{{"110.94 29.80", WKT, 29.8, 110.94, false}}},
	// lists
	{"list", "[14.45,35.85]", []want{{"14.45,35.85", List, 35.85, 14.45, true}}},
	{"list geojson pretty", "\"coordinates\": [\n          14.45,\n          35.85\n        ]", []want{{"14.45,\n          35.85", List, 35.85, 14.45, true}}},
	{"list with altitude", "[[14.45,35.85,10],[14.46,35.86,11]]", []want{
		{"14.45,35.85", List, 35.85, 14.45, true},
		{"14.46,35.86", List, 35.86, 14.46, true}}},
	// not positions
	{"ints", "-113,700", nil},
	{"two decimals bare", "12.50, 3.99", nil},
	{"version", "v1.2.3 and 10.0.1.123,4.5.6.789", nil},
	{"ip", "192.168.100.1,10.123.45.67", nil},
	{"time", "12:30:45.123, 12:30:46.456", nil},
	{"timestamps", "2024-05-01T03:05:03.123Z,2024-05-01T03:05:04.456Z", nil},
	{"out of range", "135.8506,194.4506", nil},
	{"one hemisphere", "35.8506N 14.4506", nil},
	{"two latitudes", "35.8506N 14.4506S", nil},
	{"sign and hemisphere", "-35.8506N 14.4506E", nil},
	{"identifier", "x35.8506,14.4506", nil},
	{"letters after", "35.8506,14.4506km", nil},
	{"line break", "35.8506\n14.4506", nil},
	{"minutes over 60", `35°61'02"N 14°27'01"E`, nil},
	{"exponent", "3.58506e1,1.44506e1", nil},
	{"plate", `plate="35.85" lon="14.45"`, nil},
	{"named lat only", `lat="35.85" ele="14.45"`, nil},
	{"rsrp freq decimals", "-95.5,1800.0", nil},
	{"list ints", "[14,35]", nil},
	{"list many digits", "[98.28296079473114,15.422417367262085]", []want{{"98.28296079473114,15.422417367262085", List, 15.422417367262085, 98.28296079473114, false}}},
	{"blank minutes without letters", "48 29.0005, 000 22.0016 and 10 20.5 N", nil},
	{"marks on one side", "7d0,8 and 075° 56.410, 21", nil},
	{"after a hemisphere letter", "N 45° 26.872 W 075° 56.410, 21", []want{{"N 45° 26.872 W 075° 56.410", DM, 45 + 26.872/60, -(75 + 56.41/60), false}}},
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestFind(t *testing.T) {
	for _, tt := range findTests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.in)
			var got []Match
			for m := range All(b) {
				got = append(got, m)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%q: got %d matches %v, want %d", tt.in, len(got), show(b, got), len(tt.want))
			}
			for i, w := range tt.want {
				m := got[i]
				if text := string(b[m.Start:m.End]); text != w.text {
					t.Errorf("match %d: text %q, want %q", i, text, w.text)
				}
				if m.Kind != w.kind {
					t.Errorf("match %d: kind %v, want %v", i, m.Kind, w.kind)
				}
				if !near(m.Point.Lat, w.lat) || !near(m.Point.Lon, w.lon) {
					t.Errorf("match %d: point %v, want lat %v lon %v", i, m.Point, w.lat, w.lon)
				}
				if m.Ambiguous != w.amb {
					t.Errorf("match %d: ambiguous %v, want %v", i, m.Ambiguous, w.amb)
				}
				if m.End-m.Start > MaxLen || m.Next < m.Start || m.Next > m.End {
					t.Errorf("match %d: start %d end %d next %d", i, m.Start, m.End, m.Next)
				}
			}
		})
	}
}

func show(b []byte, ms []Match) string {
	var s []string
	for _, m := range ms {
		s = append(s, fmt.Sprintf("%s %q %v", m.Kind, b[m.Start:m.End], m.Point))
	}
	return "[" + strings.Join(s, "; ") + "]"
}

func TestRes(t *testing.T) {
	for _, tt := range []struct {
		in  string
		res float64
	}{
		{"35.8506,14.45061", 1e-4},
		{`35°51'02"N 14°27'01"E`, 1.0 / 3600},
		{"35°51.034'N 14°27.017'E", 0.001 / 60},
		{"lat=35.8 lon=14.4506", 0.1},
	} {
		m, ok := Find([]byte(tt.in), 0)
		if !ok || !near(m.Res, tt.res) {
			t.Errorf("%q: res %v (found %v), want %v", tt.in, m.Res, ok, tt.res)
		}
	}
}

func TestSwapped(t *testing.T) {
	m := Match{Point: geowarden.Point{Lon: 14, Lat: 35}}
	if got := m.Swapped(); got != (geowarden.Point{Lon: 35, Lat: 14}) {
		t.Errorf("Swapped = %v", got)
	}
}

func TestFindAllocs(t *testing.T) {
	var b []byte
	for _, tt := range findTests {
		b = append(b, tt.in...)
		b = append(b, '\n')
	}
	n := 0
	allocs := testing.AllocsPerRun(10, func() {
		n = 0
		for i := 0; ; {
			m, ok := Find(b, i)
			if !ok {
				break
			}
			n++
			i = m.Next
		}
	})
	if allocs != 0 {
		t.Errorf("Find: %v allocations per run, want 0", allocs)
	}
	if n == 0 {
		t.Error("no matches")
	}
}
