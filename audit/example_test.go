package audit_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
	"golang.org/x/mod/sumdb/tlog"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/example")

// exampleEntries are the entries of the worked example of
// docs/audit-format.md.
func exampleEntries() []audit.Entry {
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	return []audit.Entry{
		{
			Type: audit.PolicyChange, Time: at("2026-06-01T08:00:00Z"), Actor: "admin:lena",
			Subjects: []string{"policy.yml"}, PolicyRevision: "4b1d8e0c7a2f",
			Digest:  audit.Digest([]byte("rules: []\n")),
			Details: map[string]string{"change": "rule military-drop added"},
		},
		{
			Type: audit.IngestBatch, Time: at("2026-06-01T08:00:02.513Z"), Actor: "token:osmand-fleet",
			Subjects: []string{"batch-000193"}, PolicyRevision: "4b1d8e0c7a2f",
			Counts:  map[string]int64{"kept": 412, "military-drop": 7, "rail-signal": 2},
			Digest:  audit.Digest([]byte("batch-000193")),
			Details: map[string]string{"route": "osmand"},
		},
		{
			Type: audit.ExportRequest, Time: at("2026-06-01T09:14:45Z"), Actor: "token:partner-export",
			Subjects: []string{"export-0042"}, PolicyRevision: "4b1d8e0c7a2f",
			Counts:  map[string]int64{"kept": 9981, "military-drop": 19},
			Digest:  audit.Digest([]byte("export-0042")),
			Details: map[string]string{"destination": "partner.example", "decision": "review"},
		},
	}
}

// TestExample builds the example log of docs/audit-format.md and compares
// it with testdata/example (go test ./audit -update rewrites it), and the
// documentation with both.
func TestExample(t *testing.T) {
	ctx := context.Background()
	key, vkey := seededKey(t, "geowarden.example/audit/7f3a9c1e", "example")
	m := &audittest.Memory{}
	l, err := audit.Open(ctx, m, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range exampleEntries() {
		if _, err := l.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	proof, err := l.Proof(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var entries, leaves bytes.Buffer
	for _, e := range m.Entries {
		entries.Write(e)
		entries.WriteByte('\n')
		h := tlog.RecordHash(e)
		fmt.Fprintf(&leaves, "%x\n", h[:])
	}
	files := map[string][]byte{
		"verifier-key":       []byte(vkey + "\n"),
		"entries":            entries.Bytes(),
		"leaf-hashes":        leaves.Bytes(),
		"checkpoint":         l.Checkpoint(),
		"proof-1.tlog-proof": proof,
	}
	dir := filepath.Join("testdata", "example")
	doc, err := os.ReadFile(filepath.Join("..", "docs", "audit-format.md"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		path := filepath.Join(dir, name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		golden, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(golden, b) {
			t.Errorf("%s differs from what the log writes:\n got %s\nwant %s", path, b, golden)
		}
		// The documentation shows each file as it is.
		for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if !bytes.Contains(doc, []byte(line)) {
				t.Errorf("docs/audit-format.md lacks this line of %s:\n%s", name, line)
				break
			}
		}
	}
}
