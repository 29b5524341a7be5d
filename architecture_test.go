package geowarden_test

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/geowarden/geowarden"

// importRules reads the import rules table of docs/architecture.md: for
// each package pattern, the patterns it may import.
func importRules(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rules := map[string][]string{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			in = line == "## Import rules"
		case in && strings.HasPrefix(line, "| `"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			if len(cells) != 2 {
				t.Fatalf("docs/architecture.md: import rule %q: want two cells", line)
			}
			pkg := strings.Trim(strings.TrimSpace(cells[0]), "`")
			var allowed []string
			for _, a := range strings.Split(cells[1], ",") {
				a = strings.TrimSpace(a)
				if a == "nothing" {
					continue
				}
				allowed = append(allowed, strings.Trim(a, "`"))
			}
			rules[pkg] = allowed
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rules) == 0 {
		t.Fatal("docs/architecture.md has no import rules table")
	}
	return rules
}

// matches reports whether the package rel (relative to the module, "."
// for the root) is covered by pattern.
func matches(pattern, rel string) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasSuffix(pattern, "/..."):
		return strings.HasPrefix(rel, strings.TrimSuffix(pattern, "..."))
	}
	return pattern == rel
}

// ruleFor returns the rule row that governs the package rel: the row that
// names it, else the longest x/... pattern that covers it.
func ruleFor(rules map[string][]string, rel string) (string, bool) {
	if _, ok := rules[rel]; ok {
		return rel, true
	}
	best := ""
	for p := range rules {
		if strings.HasSuffix(p, "/...") && matches(p, rel) && len(p) > len(best) {
			best = p
		}
	}
	return best, best != ""
}

// violations checks every package's imports against the rules.
func violations(rules map[string][]string, imports map[string][]string) []string {
	var out []string
	for _, pkg := range slices.Sorted(maps.Keys(imports)) {
		row, ok := ruleFor(rules, pkg)
		if !ok {
			out = append(out, fmt.Sprintf("%s: no row in the import rules of docs/architecture.md", pkg))
			continue
		}
		for _, imp := range imports[pkg] {
			if !slices.ContainsFunc(rules[row], func(a string) bool { return matches(a, imp) }) {
				out = append(out, fmt.Sprintf("%s imports %s, which its row %q does not allow", pkg, imp, row))
			}
		}
	}
	return out
}

// moduleImports lists, with go list, every package of the module and the
// module packages its non-test files import, both relative to the module.
func moduleImports(t *testing.T) map[string][]string {
	t.Helper()
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go"
	}
	cmd := exec.Command(gobin, "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, stderr.Bytes())
	}
	rel := func(p string) (string, bool) {
		if p == module {
			return ".", true
		}
		r, ok := strings.CutPrefix(p, module+"/")
		return r, ok
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg, ok := rel(f[0])
		if !ok {
			continue
		}
		imports[pkg] = []string{}
		for _, imp := range f[1:] {
			if r, ok := rel(imp); ok {
				imports[pkg] = append(imports[pkg], r)
			}
		}
	}
	if len(imports) < 10 {
		t.Fatalf("go list found only %d packages", len(imports))
	}
	return imports
}

// TestArchitecture: every package imports only what docs/architecture.md
// allows it to.
func TestArchitecture(t *testing.T) {
	rules := importRules(t)
	for _, v := range violations(rules, moduleImports(t)) {
		t.Error(v)
	}
}

// TestArchitectureRules: the checker itself flags a stage that imports
// another stage, an import a row does not list and a package with no row,
// and accepts what the rows allow.
func TestArchitectureRules(t *testing.T) {
	rules := importRules(t)
	cases := []struct {
		name    string
		imports map[string][]string
		want    int
	}{
		{"allowed", map[string][]string{".": {}, "sanitize": {".", "zone"}, "format/csv": {".", "format"}, "pipeline": {"sanitize", "classify", "format/csv"}}, 0},
		{"stage imports stage", map[string][]string{"sanitize": {".", "classify"}}, 1},
		{"policy imports detect", map[string][]string{"policy": {".", "detect"}}, 1},
		{"codec imports pipeline", map[string][]string{"format/gpx": {"format", "pipeline"}}, 1},
		{"root imports anything", map[string][]string{".": {"zone"}}, 1},
		{"no row", map[string][]string{"brandnew": {}}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := violations(rules, c.imports)
			if len(got) != c.want {
				t.Errorf("got %d violations %q, want %d", len(got), got, c.want)
			}
		})
	}
}
