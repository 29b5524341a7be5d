package gpx

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// tool returns the path of an external program, skipping the test when it
// is missing (failing it when GEOWARDEN_REQUIRE_TOOLS=1).
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("GEOWARDEN_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%s is missing (GEOWARDEN_REQUIRE_TOOLS=1): %v", name, err)
		}
		t.Skipf("%s is missing: %v", name, err)
	}
	return p
}

// babelPoint is a point as gpsbabel's unicsv output gives it.
type babelPoint struct{ lon, lat float64 }

// gpsbabel reads a GPX file with gpsbabel and returns its waypoints ("-w"),
// route points ("-r") or track points ("-t").
func gpsbabel(bin, kind, path string) ([]babelPoint, error) {
	cmd := exec.Command(bin, kind, "-i", "gpx", "-f", path, "-o", "unicsv", "-F", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, &toolError{err: err, stderr: stderr.String()}
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 2 {
		return nil, nil
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
		return nil, nil
	}
	var pts []babelPoint
	for _, l := range lines[1:] {
		c := strings.Split(strings.TrimRight(l, "\r"), ",")
		if len(c) <= max(la, lo) {
			continue
		}
		lat, err1 := strconv.ParseFloat(c[la], 64)
		lon, err2 := strconv.ParseFloat(c[lo], 64)
		if err1 == nil && err2 == nil {
			pts = append(pts, babelPoint{lon, lat})
		}
	}
	return pts, nil
}

type toolError struct {
	err    error
	stderr string
}

func (e *toolError) Error() string { return e.err.Error() + ": " + strings.TrimSpace(e.stderr) }

var featureCount = regexp.MustCompile(`(?m)^Layer name: (\w+)\n(?:.*\n)*?Feature Count: (\d+)`)

// ogrCounts reads a GPX file with ogrinfo and returns the feature count of
// each layer.
func ogrCounts(bin, path string) (map[string]int, error) {
	cmd := exec.Command(bin, "-ro", "-al", "-so", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, &toolError{err: err, stderr: stderr.String()}
	}
	counts := map[string]int{}
	for _, m := range featureCount.FindAllStringSubmatch(string(out), -1) {
		n, _ := strconv.Atoi(m[2])
		counts[m[1]] = n
	}
	if len(counts) == 0 {
		return nil, &toolError{err: exec.ErrNotFound, stderr: "no layers in: " + string(out)}
	}
	return counts, nil
}

// TestToolsReadOutputs: gpsbabel and ogrinfo read every golden output, and
// find in it exactly the points of the input less those dropped.
func TestToolsReadOutputs(t *testing.T) {
	babel := tool(t, "gpsbabel")
	ogr := tool(t, "ogrinfo")
	dir := t.TempDir()
	kinds := []struct{ flag, elem, layer string }{
		{"-w", "wpt", "waypoints"}, {"-r", "rtept", "route_points"}, {"-t", "trkpt", "track_points"},
	}
	for _, name := range goldenInputs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, g := goldenOutput(t, name)
			outPath := filepath.Join(dir, strings.ReplaceAll(name, "/", "_"))
			if err := os.WriteFile(outPath, out, 0o644); err != nil {
				t.Fatal(err)
			}
			inPath := filepath.Join("testdata", name)
			for _, k := range kinds {
				before, err := gpsbabel(babel, k.flag, inPath)
				if err != nil {
					t.Logf("gpsbabel %s cannot read the input either: %v", k.flag, err)
					continue
				}
				after, err := gpsbabel(babel, k.flag, outPath)
				if err != nil {
					t.Errorf("gpsbabel %s cannot read the output: %v", k.flag, err)
					continue
				}
				if want := len(before) - g.dropped[k.elem]; len(after) != want {
					t.Errorf("gpsbabel %s: %d points, want %d (%d less %d dropped)", k.flag, len(after), want, len(before), g.dropped[k.elem])
				}
			}
			before, err := ogrCounts(ogr, inPath)
			if err != nil {
				t.Logf("ogrinfo cannot read the input either: %v", err)
				return
			}
			after, err := ogrCounts(ogr, outPath)
			if err != nil {
				t.Fatalf("ogrinfo cannot read the output: %v", err)
			}
			for _, k := range kinds {
				if want := before[k.layer] - g.dropped[k.elem]; after[k.layer] != want {
					t.Errorf("ogrinfo %s: %d features, want %d (%d less %d dropped)", k.layer, after[k.layer], want, before[k.layer], g.dropped[k.elem])
				}
			}
		})
	}
}
