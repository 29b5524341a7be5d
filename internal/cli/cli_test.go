package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// bin is the geowarden binary built once for the CLI tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "geowarden-cli")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "geowarden")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/geowarden")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building geowarden: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func gw(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return gwDir(t, "", stdin, args...)
}

// gwDir runs geowarden in the folder dir ("" for the current one).
func gwDir(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running geowarden %v: %v", args, err)
	}
	return result{code, out.String(), errb.String()}
}

type truth struct {
	Inside    []json.RawMessage `json:"inside"`
	Ambiguous []json.RawMessage `json:"ambiguous"`
	Kind      string            `json:"kind"`
	Input     string            `json:"input"`
	Records   int               `json:"records"`
}

func keys(raw []json.RawMessage) map[string]bool {
	m := map[string]bool{}
	for _, r := range raw {
		var v any
		json.Unmarshal(r, &v)
		m[fmt.Sprint(v)] = true
	}
	return m
}

// TestAcceptance runs scan and sanitize on real files with zones placed
// around them, and compares the answers with the independently computed
// truth: exactly the records inside are found and removed, every other
// record is kept byte for byte.
func TestAcceptance(t *testing.T) {
	cases, _ := filepath.Glob("testdata/acceptance/*/truth.json")
	if len(cases) == 0 {
		t.Fatal("no acceptance cases")
	}
	for _, tp := range cases {
		dir := filepath.Dir(tp)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var tr truth
			b, err := os.ReadFile(tp)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &tr); err != nil {
				t.Fatal(err)
			}
			zonesPath := filepath.Join(dir, "zones.geojson")
			zoneIDs := map[string]bool{}
			var zfc struct {
				Features []struct {
					Properties map[string]any `json:"properties"`
				} `json:"features"`
			}
			zb, _ := os.ReadFile(zonesPath)
			json.Unmarshal(zb, &zfc)
			for _, f := range zfc.Features {
				zoneIDs[fmt.Sprint(f.Properties["id"])] = true
			}
			in := filepath.Join(dir, tr.Input)
			r := gw(t, "", "scan", "--zones", zonesPath, "--format", "ndjson", in)
			if r.code != 1 {
				t.Fatalf("scan exit %d, want 1; stderr: %s", r.code, r.stderr)
			}
			inside, amb := keys(tr.Inside), keys(tr.Ambiguous)
			found, other := map[string]bool{}, map[string]bool{}
			sc := bufio.NewScanner(strings.NewReader(r.stdout))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var f struct {
					Line  int      `json:"line"`
					Lat   *float64 `json:"lat"`
					Lon   *float64 `json:"lon"`
					Zones []string `json:"zones"`
				}
				if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
					t.Fatalf("finding line %q: %v", sc.Text(), err)
				}
				k := fmt.Sprint(f.Line)
				if tr.Kind != "csv" {
					k = fmt.Sprintf("%.7f,%.7f", *f.Lon, *f.Lat)
				}
				ours := false
				for _, z := range f.Zones {
					ours = ours || zoneIDs[z]
				}
				if ours {
					found[k] = true
				} else {
					other[k] = true
				}
			}
			var missed, extra []string
			for k := range inside {
				if !found[k] {
					missed = append(missed, k)
				}
			}
			for k := range found {
				if !inside[k] && !amb[k] {
					extra = append(extra, k)
				}
			}
			sort.Strings(missed)
			sort.Strings(extra)
			if len(missed) > 0 || len(extra) > 0 {
				t.Errorf("scan: %d inside, missed %d %.5v, extra %d %.5v", len(inside), len(missed), missed, len(extra), extra)
			}

			out := filepath.Join(t.TempDir(), "clean"+filepath.Ext(in))
			r = gw(t, "", "sanitize", "--zones", zonesPath, "-o", out, in)
			if r.code != 0 {
				t.Fatalf("sanitize exit %d: %s", r.code, r.stderr)
			}
			if tr.Kind == "csv" {
				checkCSV(t, in, out, inside, amb, other)
			} else {
				checkPoints(t, in, out, inside, amb, other)
			}
			// The output re-reads clean.
			r = gw(t, "", "scan", "--zones", zonesPath, "--format", "ndjson", out)
			if r.code != 0 {
				t.Errorf("re-scan of sanitized output: exit %d, want 0; %s", r.code, r.stdout+r.stderr)
			}
		})
	}
}

// checkCSV: the output is the input minus removed lines, in order, byte for
// byte; the removed lines are exactly those inside (ambiguous and lines in
// other zones may go either way).
func checkCSV(t *testing.T, in, out string, inside, amb, other map[string]bool) {
	t.Helper()
	src, _ := os.ReadFile(in)
	dst, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sl := bytes.SplitAfter(src, []byte("\n"))
	dl := bytes.SplitAfter(dst, []byte("\n"))
	i := 0
	removed := map[string]bool{}
	for n, l := range sl {
		if len(l) == 0 {
			continue
		}
		if i < len(dl) && bytes.Equal(dl[i], l) {
			i++
			continue
		}
		removed[fmt.Sprint(n+1)] = true
	}
	if i < len(dl) && len(dl[i]) > 0 {
		t.Fatalf("sanitized output has a line not in the input: %q", dl[i])
	}
	for k := range inside {
		if !removed[k] {
			t.Errorf("line %s is inside a zone but was kept", k)
		}
	}
	for k := range removed {
		if !inside[k] && !amb[k] && !other[k] {
			t.Errorf("line %s is outside every zone but was removed", k)
		}
	}
}

func checkPoints(t *testing.T, in, out string, inside, amb, other map[string]bool) {
	t.Helper()
	read := func(p string) []string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var fc struct {
			Features []struct {
				Geometry *struct {
					Coordinates []float64 `json:"coordinates"`
				} `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(b, &fc); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var ks []string
		for _, f := range fc.Features {
			if f.Geometry != nil {
				ks = append(ks, fmt.Sprintf("%.7f,%.7f", f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]))
			}
		}
		return ks
	}
	left := map[string]bool{}
	for _, k := range read(out) {
		left[k] = true
	}
	for _, k := range read(in) {
		switch {
		case inside[k] && left[k]:
			t.Errorf("point %s is inside a zone but was kept", k)
		case !inside[k] && !amb[k] && !other[k] && !left[k]:
			t.Errorf("point %s is outside every zone but was removed", k)
		}
	}
}
