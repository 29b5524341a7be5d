package safefile

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteBehind: what goes through the write-behind writer, in writes
// of every size across its 8 MiB steps, is the file committed, byte for
// byte, with the other outputs of its group.
func TestWriteBehind(t *testing.T) {
	dir := t.TempDir()
	var g Group
	defer g.Abort()
	want := make([][]byte, 2)
	for i := range want {
		f, err := g.Create(filepath.Join(dir, []string{"out.csv", "findings.ndjson"}[i]), Options{})
		if err != nil {
			t.Fatal(err)
		}
		w := WriteBehind(f.File())
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		var all bytes.Buffer
		for all.Len() < 3*writeBehindChunk+12345 {
			p := make([]byte, rng.IntN(3<<20))
			for j := range p {
				p[j] = byte(rng.Uint32())
			}
			if _, err := w.Write(p); err != nil {
				t.Fatal(err)
			}
			all.Write(p)
		}
		want[i] = all.Bytes()
	}
	if err := g.Commit(); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"out.csv", "findings.ndjson"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want[i]) {
			t.Errorf("%s: %d bytes committed, differ from the %d written", name, len(got), len(want[i]))
		}
	}
}
