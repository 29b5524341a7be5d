package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// tool returns the path of an external program; a test without it skips,
// unless GEOWARDEN_REQUIRE_TOOLS=1 (as in CI), where it fails.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("GEOWARDEN_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is required (GEOWARDEN_REQUIRE_TOOLS=1) but not found: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// readNothing ends a test whose external program ran but read nothing from
// a file that holds data: it fails under GEOWARDEN_REQUIRE_TOOLS=1, and
// skips otherwise (an installed version may not read that format).
func readNothing(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("GEOWARDEN_REQUIRE_TOOLS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (fails under GEOWARDEN_REQUIRE_TOOLS=1)")
}

type formatCase struct {
	Format  string            `json:"format"`
	Input   string            `json:"input"`
	Center  [2]float64        `json:"center"`
	RadiusM float64           `json:"radius_m"`
	Outside int               `json:"outside"`
	Photos  map[string]string `json:"photos"`
}

func haversine(lon1, lat1, lon2, lat2 float64) float64 {
	const r = 6371008.8
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	h := math.Pow(math.Sin((p2-p1)/2), 2) + math.Cos(p1)*math.Cos(p2)*math.Pow(math.Sin((lon2-lon1)*math.Pi/360), 2)
	return 2 * r * math.Asin(math.Sqrt(h))
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
			gpsbabel := tool(t, "gpsbabel")
			if n := len(gpsbabelPoints(t, gpsbabel, c.Format, filepath.Join(dir, c.Input))); n == 0 {
				readNothing(t, "gpsbabel reads no point from the input %s", c.Input)
			}
			inside, outside := 0, 0
			band := math.Max(1, 0.003*c.RadiusM)
			for _, p := range gpsbabelPoints(t, gpsbabel, c.Format, out) {
				d := haversine(c.Center[0], c.Center[1], p[0], p[1])
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

// gpsbabelPoints returns the lon, lat of the waypoints, route points and
// track points gpsbabel reads from file in the format.
func gpsbabelPoints(t *testing.T, gpsbabel, format, file string) [][2]float64 {
	t.Helper()
	var pts [][2]float64
	for _, kind := range []string{"-w", "-r", "-t"} {
		cmd := exec.Command(gpsbabel, kind, "-i", format, "-f", file, "-o", "unicsv", "-F", "-")
		var so, se bytes.Buffer
		cmd.Stdout, cmd.Stderr = &so, &se
		if err := cmd.Run(); err != nil {
			t.Fatalf("gpsbabel cannot read %s: %v: %s", file, err, se.String())
		}
		lines := strings.Split(strings.TrimSpace(so.String()), "\n")
		if len(lines) < 2 {
			continue
		}
		hdr := strings.Split(lines[0], ",")
		la, lo := -1, -1
		for i, h := range hdr {
			switch strings.TrimSpace(h) {
			case "Latitude":
				la = i
			case "Longitude":
				lo = i
			}
		}
		if la < 0 || lo < 0 {
			continue
		}
		for _, l := range lines[1:] {
			f := strings.Split(l, ",")
			if len(f) <= la || len(f) <= lo {
				continue
			}
			lat, err1 := strconv.ParseFloat(f[la], 64)
			lon, err2 := strconv.ParseFloat(f[lo], 64)
			if err1 != nil || err2 != nil {
				continue
			}
			pts = append(pts, [2]float64{lon, lat})
		}
	}
	return pts
}

func checkPhotos(t *testing.T, dir, zones string, c formatCase) {
	exiftool := tool(t, "exiftool")
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
