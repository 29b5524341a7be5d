package detect

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/internal/policyfile"
)

// section reads a policy fixture and returns its detect section, nil when
// it has none, as package policy hands it over.
func section(t *testing.T, file string) *yaml.Node {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "detect" {
			return root.Content[i+1]
		}
	}
	return nil
}

func fixtures(t *testing.T, suffix string) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*" + suffix)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no testdata/*%s", suffix)
	}
	for i, f := range files {
		files[i] = filepath.ToSlash(f)
	}
	return files
}

func TestDecodeConfigGood(t *testing.T) {
	for _, file := range fixtures(t, ".good.yml") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			if _, err := DecodeConfig(file, section(t, file)); err != nil {
				t.Fatalf("DecodeConfig: %v", err)
			}
		})
	}
}

// TestDecodeConfigBad decodes the detect section of each
// testdata/*.bad.yml, a policy whose first line is "# error: " followed by
// the exact error DecodeConfig must return.
func TestDecodeConfigBad(t *testing.T) {
	for _, file := range fixtures(t, ".bad.yml") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := bytes.Cut(data, []byte("\n"))
			want, ok := strings.CutPrefix(string(first), "# error: ")
			if !ok {
				t.Fatalf("first line %q does not start with %q", first, "# error: ")
			}
			c, err := DecodeConfig(file, section(t, file))
			if err == nil {
				t.Fatalf("DecodeConfig succeeded (%+v), want error %q", c, want)
			}
			if got := err.Error(); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			var perr *policyfile.Error
			if !errors.As(err, &perr) {
				t.Errorf("got error of type %T, want *policyfile.Error", err)
			}
		})
	}
}

func TestDecodeConfig(t *testing.T) {
	c, err := DecodeConfig("testdata/detect.good.yml", section(t, "testdata/detect.good.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Corridor.MinKm != 35 || len(c.Corridor.Classes) != 2 || c.Corridor.MaxGap != 15*time.Minute ||
		c.Convergence.Window != 2*time.Hour || c.Convergence.MarginM != 500 || c.Convergence.MinSources != 25 ||
		c.FixedSite.Enabled || !c.Volume.Enabled || c.Volume.MonthlyLimitBytes != 2e12 || c.Volume.Severity != geowarden.SeverityHigh {
		t.Errorf("detect settings %+v", c)
	}
	// What the section does not name keeps its default.
	if c.Corridor.MinShare != 0.6 || c.Convergence.Factor != 3 || c.ProtectedSignal.MinRecords != 1 {
		t.Errorf("defaults lost: %+v", c)
	}
	// No section, or an empty one: the defaults.
	for _, src := range []string{"", "detect:\n", "detect: ~\n"} {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte("default: keep\n"+src), &doc); err != nil {
			t.Fatal(err)
		}
		var n *yaml.Node
		if root := doc.Content[0]; len(root.Content) == 4 {
			n = root.Content[3]
		}
		c, err := DecodeConfig("p.yml", n)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if def := Defaults(); !c.Corridor.Enabled || c.Corridor.MinKm != def.Corridor.MinKm || c.Volume.MonthlyLimitBytes != def.Volume.MonthlyLimitBytes {
			t.Errorf("%q: got %+v, want the defaults", src, c)
		}
	}
}
