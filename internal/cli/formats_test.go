package cli_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format/formattest"
)

type formatCase struct {
	Format  string            `json:"format"`
	Input   string            `json:"input"`
	Center  [2]float64        `json:"center"`
	RadiusM float64           `json:"radius_m"`
	Outside int               `json:"outside"`
	Photos  map[string]string `json:"photos"`
}

// TestCLIFormats sanitizes the real GPX, KML, NMEA and JPEG acceptance
// cases through the binary, with formats recognised by content, and reads
// every output back with an independent tool: no point inside the zone
// survives, every point outside does, photo pixels are untouched.
func TestCLIFormats(t *testing.T) {
	var cases []string
	for _, pat := range []string{"../../format/*/testdata/acceptance/*/truth.json", "../../format/*/testdata/fcases/*/truth.json"} {
		m, _ := filepath.Glob(pat)
		cases = append(cases, m...)
	}
	if len(cases) < 10 {
		t.Fatalf("found only %d format cases", len(cases))
	}
	for _, tp := range cases {
		dir := filepath.Dir(tp)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var c formatCase
			b, _ := os.ReadFile(tp)
			if err := json.Unmarshal(b, &c); err != nil {
				t.Fatal(err)
			}
			zones := filepath.Join(dir, "zones.geojson")
			if c.Format == "jpeg" {
				checkPhotos(t, dir, zones, c)
				return
			}
			out := filepath.Join(t.TempDir(), "out")
			if r := gw(t, "", "sanitize", "--zones", zones, "-o", out, filepath.Join(dir, c.Input)); r.code != 0 {
				t.Fatalf("sanitize: exit %d: %s", r.code, r.stderr)
			}
			centre := geowarden.Point{Lon: c.Center[0], Lat: c.Center[1]}
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			orig, _ := os.ReadFile(filepath.Join(dir, c.Input))
			if n := pairsInside(orig, centre, c.RadiusM*0.99); n == 0 {
				t.Fatalf("the number-pair oracle finds no position inside the zone in the input")
			}
			if n := pairsInside(raw, centre, c.RadiusM*0.99); n != 0 {
				t.Errorf("the output's bytes hold %d pairs of numbers that read as a position inside the zone", n)
			}
			if n := len(formattest.GPSBabelPoints(t, c.Format, filepath.Join(dir, c.Input))); n == 0 {
				formattest.ToolReadsNothing(t, "gpsbabel reads no point from the input %s", c.Input)
			}
			inside, outside := 0, 0
			band := math.Max(1, 0.003*c.RadiusM)
			for _, p := range formattest.GPSBabelPoints(t, c.Format, out) {
				d := formattest.Haversine(geowarden.Point{Lon: c.Center[0], Lat: c.Center[1]}, p)
				if d <= c.RadiusM-band {
					inside++
				}
				if d > c.RadiusM+band {
					outside++
				}
			}
			if inside != 0 || outside != c.Outside {
				t.Errorf("gpsbabel reads %d points inside the zone (want 0) and %d outside (want %d)", inside, outside, c.Outside)
			}
		})
	}
}

func checkPhotos(t *testing.T, dir, zones string, c formatCase) {
	exiftool := formattest.Tool(t, "exiftool")
	out := filepath.Join(t.TempDir(), "photos")
	if r := gw(t, "", "sanitize", "--zones", zones, "-o", out, filepath.Join(dir, "photos")); r.code != 0 {
		t.Fatalf("sanitize: exit %d: %s", r.code, r.stderr)
	}
	for photo, where := range c.Photos {
		o := filepath.Join(out, photo)
		cmd := exec.Command(exiftool, "-n", "-j", "-a", "-G1", "-GPS*", "-XMP:GPS*", o)
		so, err := cmd.Output()
		if err != nil {
			t.Fatalf("exiftool %s: %v", photo, err)
		}
		var tags []map[string]any
		if err := json.Unmarshal(so, &tags); err != nil || len(tags) != 1 {
			t.Fatalf("exiftool output for %s: %v %s", photo, err, so)
		}
		var gps []string
		for k := range tags[0] {
			if strings.Contains(k, "GPS") && !strings.Contains(k, "Version") {
				gps = append(gps, k)
			}
		}
		switch {
		case where == "inside" && len(gps) > 0:
			t.Errorf("%s was taken inside the zone but keeps %v", photo, gps)
		case where == "outside" && tags[0]["GPS:GPSLatitude"] == nil:
			t.Errorf("%s was taken outside the zone but lost its GPS", photo)
		}
		a, _ := os.ReadFile(filepath.Join(dir, "photos", photo))
		b, _ := os.ReadFile(o)
		if !bytes.Equal(afterSOS(a), afterSOS(b)) || len(afterSOS(a)) == 0 {
			t.Errorf("%s: image data changed", photo)
		}
	}
}

// afterSOS returns the entropy-coded image from the top-level SOS marker on.
func afterSOS(b []byte) []byte {
	i := 2
	for i+4 <= len(b) && b[i] == 0xFF {
		m := b[i+1]
		switch {
		case m == 0xDA:
			return b[i:]
		case m == 0xFF:
			i++
		case m >= 0xD0 && m <= 0xD9 || m == 0x01:
			i += 2
		default:
			i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
		}
	}
	return nil
}

// number is a decimal number with at least three decimals, as positions
// are written.
var number = regexp.MustCompile(`-?\d{1,3}\.\d{3,}`)

// nmeaPos is a position as NMEA sentences write it: ddmm.mmm,N,dddmm.mmm,E.
var nmeaPos = regexp.MustCompile(`(\d{2})(\d{2}\.\d+),([NS]),(\d{3})(\d{2}\.\d+),([EW])`)

func atof(b []byte) float64 {
	v, _ := strconv.ParseFloat(string(b), 64)
	return v
}

// pairsInside counts the NMEA positions, and the pairs of successive
// numbers read as latitude and longitude in either order, in b that lie
// within radius metres of centre: an oracle that knows no format, for
// positions left in an output's bytes.
func pairsInside(b []byte, centre geowarden.Point, radius float64) int {
	type num struct {
		v          float64
		start, end int
	}
	var nums []num
	for _, m := range number.FindAllIndex(b, -1) {
		v, err := strconv.ParseFloat(string(b[m[0]:m[1]]), 64)
		if err == nil {
			nums = append(nums, num{v, m[0], m[1]})
		}
	}
	n := 0
	for _, m := range nmeaPos.FindAllSubmatch(b, -1) {
		lat := atof(m[1]) + atof(m[2])/60
		lon := atof(m[4]) + atof(m[5])/60
		if string(m[3]) == "S" {
			lat = -lat
		}
		if string(m[6]) == "W" {
			lon = -lon
		}
		if formattest.Haversine(centre, geowarden.Point{Lon: lon, Lat: lat}) <= radius {
			n++
		}
	}
	for i := 0; i+1 < len(nums); i++ {
		// Two numbers make a pair when only a short separator without
		// a line end or a tag stands between them: "lat,lon",
		// `lat="…" lon="…"`, `"lat":…,"lon":…`.
		gap := b[nums[i].end:nums[i+1].start]
		if len(gap) > 12 || bytes.ContainsAny(gap, "\n<") {
			continue
		}
		a, c := nums[i].v, nums[i+1].v
		for _, p := range []geowarden.Point{{Lat: a, Lon: c}, {Lat: c, Lon: a}} {
			if math.Abs(p.Lat) <= 90 && math.Abs(p.Lon) <= 180 && formattest.Haversine(centre, p) <= radius {
				n++
				break
			}
		}
	}
	return n
}
