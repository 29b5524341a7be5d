package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/filelog"
)

// auditLog makes a log with n entries through the command line and
// returns its folder and the verifier key file, kept outside the folder
// as an auditor keeps it.
func auditLog(t *testing.T, n int) (dir, keyFile string) {
	t.Helper()
	base := t.TempDir()
	dir = filepath.Join(base, "log")
	r := gw(t, "", "audit", "init", "--dir", dir, "--origin", "geowarden.example/audit/cli-test")
	if r.code != 0 {
		t.Fatalf("audit init: exit %d: %s", r.code, r.stderr)
	}
	keyFile = filepath.Join(base, "auditor.pub")
	if err := os.WriteFile(keyFile, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		appendEntry(t, dir, i)
	}
	return dir, keyFile
}

func appendEntry(t *testing.T, dir string, i int) {
	t.Helper()
	types := []string{"ingest_batch", "export_request", "review", "release", "download", "token", "policy"}
	js := fmt.Sprintf(`{"actor":"token:route-%d","subjects":["batch-%d"],"policy_revision":"9c1e","counts":{"kept":%d,"military-drop":%d},"details":{"route":"osmand"},"time":"2026-04-01T10:00:%02dZ"}`, i%3, i, 100+i, i%4, i%60)
	r := gw(t, "", "audit", "append", "--dir", dir, "--type", types[i%len(types)], "--json", js)
	if r.code != 0 || strings.TrimSpace(r.stdout) != strconv.Itoa(i) {
		t.Fatalf("audit append %d: exit %d, stdout %q: %s", i, r.code, r.stdout, r.stderr)
	}
}

func TestCLIAudit(t *testing.T) {
	dir, keyFile := auditLog(t, 12)
	vkeyBytes, _ := os.ReadFile(keyFile)
	vkey := strings.TrimSpace(string(vkeyBytes))

	if r := gw(t, "", "audit", "key", "--dir", dir); r.code != 0 || strings.TrimSpace(r.stdout) != vkey {
		t.Errorf("audit key = %q (exit %d), want %q", r.stdout, r.code, vkey)
	}
	// Without the private key, the verifier key comes from audit.pub.
	os.Rename(filepath.Join(dir, "audit.key"), filepath.Join(dir, "elsewhere.key"))
	if r := gw(t, "", "audit", "key", "--dir", dir); r.code != 0 || strings.TrimSpace(r.stdout) != vkey {
		t.Errorf("audit key without the private key = %q (exit %d)", r.stdout, r.code)
	}
	os.Rename(filepath.Join(dir, "elsewhere.key"), filepath.Join(dir, "audit.key"))

	r := gw(t, "", "audit", "verify", "--dir", dir, "--key", keyFile)
	if r.code != 0 || !strings.Contains(r.stdout, "ok: ") || !strings.Contains(r.stdout, "12 entries") {
		t.Fatalf("audit verify: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if r := gw(t, "", "audit", "verify", "--dir", dir); r.code != 0 || !strings.Contains(r.stderr, "audit.pub") {
		t.Errorf("audit verify with the folder's key: exit %d, stderr %q", r.code, r.stderr)
	}

	cp := gw(t, "", "audit", "checkpoint", "--dir", dir)
	c, err := audit.OpenCheckpoint([]byte(cp.stdout), vkey)
	if cp.code != 0 || err != nil || c.Size != 12 {
		t.Fatalf("audit checkpoint: exit %d, %v, size %d", cp.code, err, c.Size)
	}
	for _, n := range []int{0, 5, 11} {
		p := gw(t, "", "audit", "proof", "--dir", dir, "--verifier-key", vkey, strconv.Itoa(n))
		if p.code != 0 {
			t.Fatalf("audit proof %d: exit %d: %s", n, p.code, p.stderr)
		}
		_, e, err := audit.VerifyProof([]byte(p.stdout), vkey, nil)
		if err != nil || e.Index != int64(n) || e.Actor != fmt.Sprintf("token:route-%d", n%3) {
			t.Errorf("proof of entry %d: %+v, %v", n, e, err)
		}
	}
	if p := gw(t, "", "audit", "proof", "--dir", dir, "12"); p.code != 2 || !strings.Contains(p.stderr, "no such entry") {
		t.Errorf("proof past the end: exit %d: %s", p.code, p.stderr)
	}

	// A checkpoint saved now; more entries; the log is consistent with it.
	since := filepath.Join(t.TempDir(), "seen.checkpoint")
	os.WriteFile(since, []byte(cp.stdout), 0o644)
	appendEntry(t, dir, 12)
	r = gw(t, "", "audit", "verify", "--dir", dir, "--key", keyFile, "--since", since)
	if r.code != 0 || !strings.Contains(r.stdout, "consistent with the earlier checkpoint of size 12") {
		t.Errorf("verify --since: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
}

// copyDir copies the files of a log folder.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{filelog.EntriesFile, filelog.HashesFile, filelog.CheckpointFile, "audit.pub"} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// editLines rewrites the entries file of dir line by line.
func editLines(t *testing.T, dir string, edit func(lines []string) []string) {
	t.Helper()
	path := filepath.Join(dir, filelog.EntriesFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	lines = edit(lines[:len(lines)-1])
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCLIAuditTampering: audit verify reports each kind of tampering of a
// log kept in files, with exit 1, against a saved checkpoint where that is
// what catches it.
func TestCLIAuditTampering(t *testing.T) {
	dir, keyFile := auditLog(t, 6)
	old := filepath.Join(t.TempDir(), "at-6")
	copyDir(t, dir, old)
	for i := 6; i < 10; i++ {
		appendEntry(t, dir, i)
	}
	seen := filepath.Join(t.TempDir(), "seen.checkpoint")
	cp := gw(t, "", "audit", "checkpoint", "--dir", dir)
	os.WriteFile(seen, []byte(cp.stdout), 0o644)

	cases := []struct {
		name   string
		tamper func(t *testing.T, d string)
		since  bool
		want   []string // lines the report must have
	}{
		{"a byte edited", func(t *testing.T, d string) {
			editLines(t, d, func(l []string) []string {
				l[3] = strings.Replace(l[3], `"kept":103`, `"kept":903`, 1)
				return l
			})
		}, false, []string{"entry 3: entry-hash", "checkpoint-root"}},
		{"an entry deleted", func(t *testing.T, d string) {
			editLines(t, d, func(l []string) []string { return slices.Delete(l, 4, 5) })
		}, false, []string{"entries 4..8: entry-index: the entries at positions 4..8 say they are entries 5..9: 1 entry missing before position 4", "checkpoint-size"}},
		{"two entries swapped", func(t *testing.T, d string) {
			editLines(t, d, func(l []string) []string { l[2], l[7] = l[7], l[2]; return l })
		}, false, []string{"entry 2: entry-index: the entry at position 2 says it is entry 7", "entry 7: entry-index", "entry 2: entry-hash", "checkpoint-root"}},
		{"tail truncated", func(t *testing.T, d string) {
			editLines(t, d, func(l []string) []string { return l[:8] })
		}, false, []string{"checkpoint-size: the signed checkpoint covers 10 entries, the log holds 8: entries 8..9 were removed"}},
		{"rolled back to an older state", func(t *testing.T, d string) {
			copyDir(t, old, d)
		}, true, []string{"since-checkpoint: the earlier checkpoint covers 10 entries, the log's latest only 6: the log was rolled back or truncated"}},
		{"checkpoint replaced by an older one", func(t *testing.T, d string) {
			b, _ := os.ReadFile(filepath.Join(old, filelog.CheckpointFile))
			os.WriteFile(filepath.Join(d, filelog.CheckpointFile), b, 0o600)
		}, true, []string{"entries 6..9: unsigned-entries", "since-checkpoint"}},
		{"checkpoint edited", func(t *testing.T, d string) {
			p := filepath.Join(d, filelog.CheckpointFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, []byte(strings.Replace(string(b), "\n10\n", "\n11\n", 1)), 0o600)
		}, false, []string{"checkpoint-signature"}},
		{"stored hashes cut", func(t *testing.T, d string) {
			p := filepath.Join(d, filelog.HashesFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-32], 0o600)
		}, false, []string{"entry 9: tree-hashes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := filepath.Join(t.TempDir(), "log")
			copyDir(t, dir, d)
			// The untouched copy verifies.
			args := []string{"audit", "verify", "--dir", d, "--key", keyFile}
			if c.since {
				args = append(args, "--since", seen)
			}
			if r := gw(t, "", args...); r.code != 0 {
				t.Fatalf("untouched copy: exit %d: %s%s", r.code, r.stdout, r.stderr)
			}
			c.tamper(t, d)
			r := gw(t, "", args...)
			if r.code != 1 || !strings.HasPrefix(r.stdout, "TAMPERED: ") {
				t.Fatalf("exit %d, want 1: %s%s", r.code, r.stdout, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("report lacks %q:\n%s", w, r.stdout)
				}
			}
			if c.since {
				// Without the saved checkpoint, a consistent older state
				// passes: the saved checkpoint is what catches it.
				if r := gw(t, "", args[:len(args)-2]...); c.name == "rolled back to an older state" && r.code != 0 {
					t.Errorf("rollback without --since: exit %d: %s", r.code, r.stdout)
				}
			}
		})
	}
}

func TestCLIAuditErrors(t *testing.T) {
	dir, keyFile := auditLog(t, 2)
	other, _ := auditLog(t, 0)
	otherCP := filepath.Join(t.TempDir(), "other.checkpoint")
	os.WriteFile(otherCP, []byte(gw(t, "", "audit", "checkpoint", "--dir", other).stdout), 0o644)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"verify, no folder", []string{"audit", "verify", "--dir", filepath.Join(dir, "nope"), "--key", keyFile}, "no such file"},
		{"verify, bad key", []string{"audit", "verify", "--dir", dir, "--verifier-key", "abc"}, "verifier key"},
		{"verify, both keys", []string{"audit", "verify", "--dir", dir, "--key", keyFile, "--verifier-key", "abc"}, "exclusive"},
		{"verify, since of another log", []string{"audit", "verify", "--dir", dir, "--key", keyFile, "--since", otherCP}, "--since"},
		{"verify, no --dir", []string{"audit", "verify"}, "dir"},
		{"init twice", []string{"audit", "init", "--dir", dir}, "holds a log already"},
		{"init, bad origin", []string{"audit", "init", "--dir", filepath.Join(t.TempDir(), "x"), "--origin", "has space"}, "key name"},
		{"append, bad JSON", []string{"audit", "append", "--dir", dir, "--type", "review", "--json", `{"actor":"a",}`}, "byte 14"},
		{"append, unknown member", []string{"audit", "append", "--dir", dir, "--type", "review", "--json", `{"actor":"a","token":"secret"}`}, `unknown field "token"`},
		{"append, count not a number", []string{"audit", "append", "--dir", dir, "--type", "review", "--json", `{"actor":"a","counts":{"x":"1"}}`}, "member"},
		{"append, no type", []string{"audit", "append", "--dir", dir, "--json", `{"actor":"a"}`}, "no --type"},
		{"append, two types", []string{"audit", "append", "--dir", dir, "--type", "review", "--json", `{"type":"release","actor":"a"}`}, "--type review"},
		{"append, unknown type", []string{"audit", "append", "--dir", dir, "--type", "export", "--json", `{"actor":"a"}`}, "unknown type"},
		{"append, no actor", []string{"audit", "append", "--dir", dir, "--type", "review", "--json", `{}`}, "no actor"},
		{"append, bad time", []string{"audit", "append", "--dir", dir, "--type", "review", "--json", `{"actor":"a","time":"yesterday"}`}, "RFC 3339"},
		{"proof, bad index", []string{"audit", "proof", "--dir", dir, "first"}, "index"},
	}
	for _, c := range cases {
		r := gw(t, "", c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", c.name, r.code, r.stderr, c.want)
		}
	}
	// None of the refused appends changed the log.
	if r := gw(t, "", "audit", "verify", "--dir", dir, "--key", keyFile); r.code != 0 || !strings.Contains(r.stdout, " 2 entries") {
		t.Errorf("after refused appends: exit %d: %s", r.code, r.stdout)
	}
	// The entry from standard input.
	if r := gw(t, `{"actor":"ops","subjects":["tok-3"]}`, "audit", "append", "--dir", dir, "--type", "token", "--json", "-"); r.code != 0 || strings.TrimSpace(r.stdout) != "2" {
		t.Errorf("append from standard input: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
}

// TestCLIAuditAppendRefused: an append that cannot be made durable (the
// log is open for writing elsewhere, the key is readable by others) fails
// with exit 2 and leaves the log as it was.
func TestCLIAuditAppendRefused(t *testing.T) {
	dir, keyFile := auditLog(t, 3)
	s, err := filelog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := gw(t, "", "audit", "append", "--dir", dir, "--type", "release", "--json", `{"actor":"a"}`)
	s.Close()
	if r.code != 2 || !strings.Contains(r.stderr, "another process") {
		t.Errorf("append to a locked log: exit %d: %s", r.code, r.stderr)
	}
	os.Chmod(filepath.Join(dir, "audit.key"), 0o644)
	r = gw(t, "", "audit", "append", "--dir", dir, "--type", "release", "--json", `{"actor":"a"}`)
	if r.code != 2 || !strings.Contains(r.stderr, "0600") {
		t.Errorf("append with a key others may read: exit %d: %s", r.code, r.stderr)
	}
	if r := gw(t, "", "audit", "verify", "--dir", dir, "--key", keyFile); r.code != 0 || !strings.Contains(r.stdout, " 3 entries") {
		t.Errorf("after refused appends: exit %d: %s", r.code, r.stdout)
	}
}
