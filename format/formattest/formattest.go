// Package formattest holds what the tests of codecs share: a Handler that
// records what a codec hands it, and golden-file comparison.
package formattest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// Handler records the records and bad-record errors a codec gives it, and
// answers with Edit and OnBad.
type Handler struct {
	Edit  func(r *geowarden.Record) geowarden.Edit // nil: keep every record
	OnBad func(e *format.ParseError) error         // nil: return e, stopping the codec
	// AttrNames are the attributes read from each record into Attrs.
	AttrNames []string

	Recs  []geowarden.Record  // copies, with Attrs nil
	Attrs []map[string]string // per record, the AttrNames it has
	Bads  []*format.ParseError
}

var _ format.Handler = (*Handler)(nil)

// Record implements format.Handler.
func (h *Handler) Record(r *geowarden.Record) geowarden.Edit {
	c := *r
	c.Attrs = nil
	h.Recs = append(h.Recs, c)
	if h.AttrNames != nil {
		m := map[string]string{}
		for _, n := range h.AttrNames {
			if v, ok := r.Attrs.Attr(n); ok {
				m[n] = v
			}
		}
		h.Attrs = append(h.Attrs, m)
	}
	if h.Edit != nil {
		return h.Edit(r)
	}
	return geowarden.Keep
}

// Bad implements format.Handler.
func (h *Handler) Bad(e *format.ParseError) error {
	h.Bads = append(h.Bads, e)
	if h.OnBad != nil {
		return h.OnBad(e)
	}
	return e
}

// DropBad is an OnBad that drops bad records and goes on, as --keep-going
// does.
func DropBad(*format.ParseError) error { return nil }

// Golden compares got with the file at path, or writes it there when
// update is set (a test's -update flag).
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", path, FirstDiff(got, want))
	}
}

// FirstDiff shows the first line where two texts differ.
func FirstDiff(got, want []byte) string {
	g, w := strings.SplitAfter(string(got), "\n"), strings.SplitAfter(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\ngot  %q\nwant %q", i+1, gl, wl)
		}
	}
	return "(no line differs)"
}

// Tool returns the path of an external program that reads outputs
// independently (gpsbabel, ogrinfo, exiftool). A test skips when it is not
// installed, unless GEOWARDEN_REQUIRE_TOOLS=1 (as in CI): then it fails.
func Tool(t testing.TB, name string) string {
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
