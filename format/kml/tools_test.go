package kml

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/geowarden/geowarden/format/formattest"
)

// toolReads reports whether an external tool reads a KML file without an
// error (gpsbabel for waypoints, routes and tracks; ogrinfo).
func toolReads(t *testing.T, tool, path string) (bool, string) {
	t.Helper()
	bin := formattest.Tool(t, tool)
	switch tool {
	case "gpsbabel":
		for _, kind := range []string{"-w", "-r", "-t"} {
			out, err := exec.Command(bin, kind, "-i", "kml", "-f", path, "-o", "unicsv", "-F", os.DevNull).CombinedOutput()
			if err != nil {
				return false, kind + ": " + err.Error() + ": " + string(out)
			}
		}
		return true, ""
	default:
		out, err := exec.Command(bin, "-ro", "-al", "-q", path).CombinedOutput()
		if err != nil {
			return false, err.Error() + ": " + string(out)
		}
		return true, ""
	}
}

// toolBreakers are the originals that break the tools themselves, which
// the tools test leaves out.
var toolBreakers = map[string]string{
	"gdal/gx_track_without_when.kml": "a GDAL bug report: ogrinfo 3.6 crashes on it and gpsbabel refuses it",
}

// TestToolsReadGolden: gpsbabel and ogrinfo read every golden output (the
// inputs with records dropped, moved, cut, split, stripped and retimed).
// An original that a tool cannot read either skips its subtest, or fails
// it under GEOWARDEN_REQUIRE_TOOLS=1 unless toolBreakers names it.
func TestToolsReadGolden(t *testing.T) {
	for _, name := range inputs(t) {
		if _, bad := refused[name]; bad {
			continue
		}
		for _, tool := range []string{"gpsbabel", "ogrinfo"} {
			t.Run(name+"/"+tool, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				orig, _ := filepath.Abs(filepath.Join("testdata", name))
				if ok, msg := toolReads(t, tool, orig); !ok {
					if why, known := toolBreakers[name]; known {
						t.Skipf("%s cannot read the original either (%s)", tool, why)
					}
					formattest.ToolReadsNothing(t, "%s cannot read the original either: %.200s", tool, msg)
				}
				b, err := os.ReadFile(filepath.Join("testdata", "golden", filepath.FromSlash(name)+".golden"))
				if err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(dir, "out.kml")
				if err := os.WriteFile(p, b, 0o644); err != nil {
					t.Fatal(err)
				}
				if ok, msg := toolReads(t, tool, p); !ok {
					t.Errorf("%s cannot read the rewritten file: %.500s", tool, msg)
				}
			})
		}
	}
}
