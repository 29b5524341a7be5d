package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCLIUnreadablePolicy: NMEA sentences that may hold a position
// geowarden cannot read (a MediaTek LOCUS dump, here from GPSBabel's
// reference mtk_locus.nmea) are removed by default and reported, and kept
// with "unreadable: keep".
func TestCLIUnreadablePolicy(t *testing.T) {
	in := "../../format/nmea/testdata/gpsbabel/mtk_locus.nmea"
	src, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out.nmea")
	pol := write(t, dir, "drop.yml", "default: keep\n")
	r := gw(t, "", "sanitize", "--policy", pol, "--findings", filepath.Join(dir, "f.ndjson"), "-o", out, in)
	if r.code != 0 {
		t.Fatalf("sanitize: exit %d: %s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(out)
	if bytes.Contains(got, []byte("$PMTKLOX,1")) || len(got) >= len(src) {
		t.Errorf("unreadable sentences not removed:\n%s", got)
	}
	if f, _ := os.ReadFile(filepath.Join(dir, "f.ndjson")); !bytes.Contains(f, []byte(`"rule":"notice:unreadable","action":"drop"`)) {
		t.Errorf("unreadable sentences not reported as dropped: %s", f)
	}
	pol = write(t, dir, "keep.yml", "unreadable: keep\ndefault: keep\n")
	r = gw(t, "", "sanitize", "--policy", pol, "-o", out+".kept", in)
	if r.code != 0 {
		t.Fatalf("sanitize with unreadable: keep: exit %d: %s", r.code, r.stderr)
	}
	if got, _ := os.ReadFile(out + ".kept"); !bytes.Equal(got, src) {
		t.Errorf("unreadable: keep changed the log (%d bytes in, %d out)", len(src), len(got))
	}
}
