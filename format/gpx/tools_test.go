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

	"github.com/geowarden/geowarden/format/formattest"
)

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
// find in it exactly the points of the input less those dropped. An input
// that neither tool reads checks nothing: its subtest skips, or fails under
// GEOWARDEN_REQUIRE_TOOLS=1.
func TestToolsReadOutputs(t *testing.T) {
	babel := formattest.Tool(t, "gpsbabel")
	ogr := formattest.Tool(t, "ogrinfo")
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
			babelRead := false
			for _, k := range kinds {
				before, err := formattest.GPSBabel(babel, k.flag, "gpx", inPath)
				if err != nil {
					t.Logf("gpsbabel %s cannot read the input either: %v", k.flag, err)
					continue
				}
				babelRead = true
				after, err := formattest.GPSBabel(babel, k.flag, "gpx", outPath)
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
				if !babelRead {
					formattest.ToolReadsNothing(t, "neither gpsbabel nor ogrinfo reads the input: %v", err)
				}
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
