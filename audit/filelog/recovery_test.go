package filelog_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
	"github.com/geowarden/geowarden/audit/filelog"
	"golang.org/x/mod/sumdb/tlog"
)

// newLog makes a log of n entries in a new folder and closes it.
func newLog(t *testing.T, n int) (dir string, key *audit.Key) {
	dir, key, _ = newLogKey(t, n)
	return dir, key
}

// newLogKey is newLog, with the private form of the key.
func newLogKey(t *testing.T, n int) (dir string, key *audit.Key, skey string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "log")
	skey, _, err := audit.GenerateKey("geowarden.example/audit/filelog-test")
	if err != nil {
		t.Fatal(err)
	}
	if key, err = audit.ParseKey(skey); err != nil {
		t.Fatal(err)
	}
	s, err := filelog.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := audit.Open(context.Background(), s, key)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := l.Append(context.Background(), audittest.Entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	return dir, key, skey
}

// verify checks the log in dir with Verify and wants no problem.
func verify(t *testing.T, dir string, key *audit.Key, entries int64) {
	t.Helper()
	s, err := filelog.OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := audit.Verify(context.Background(), s, key.VerifierKey(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Entries != entries {
		t.Fatalf("Verify: %d entries, want %d; problems %v", r.Entries, entries, r.Problems)
	}
}

func appendFile(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

// TestTornAppend: what an append cut short leaves (hashes written, a part
// of the entry's line) is not part of the log, and the next append writes
// over it.
func TestTornAppend(t *testing.T) {
	ctx := context.Background()
	dir, key := newLog(t, 5)
	appendFile(t, filepath.Join(dir, filelog.HashesFile), make([]byte, 3*32+7))
	appendFile(t, filepath.Join(dir, filelog.EntriesFile), []byte(`{"actor":"half an ent`))

	ro, err := filelog.OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := ro.Size(ctx); n != 5 || ro.TornBytes() != 21 {
		t.Errorf("read-only: %d entries, %d torn bytes; want 5, 21", n, ro.TornBytes())
	}
	ro.Close()
	verify(t, dir, key, 5)

	s, err := filelog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(ctx, s, key)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := l.Append(ctx, audittest.Entry(5)); err != nil || n != 5 {
		t.Fatalf("Append after a torn one = %d, %v", n, err)
	}
	s.Close()
	verify(t, dir, key, 6)
	b, _ := os.ReadFile(filepath.Join(dir, filelog.EntriesFile))
	if strings.Contains(string(b), "half an ent") || strings.Count(string(b), "\n") != 6 {
		t.Errorf("entries file after the append:\n%s", b)
	}
	if fi, _ := os.Stat(filepath.Join(dir, filelog.HashesFile)); fi.Size() != tlog.StoredHashCount(6)*32 {
		t.Errorf("hashes file of %d bytes, want %d", fi.Size(), tlog.StoredHashCount(6)*32)
	}
}

// TestUnsignedAppend: an entry stored without its checkpoint (a crash
// between the two) is signed when the log is opened again.
func TestUnsignedAppend(t *testing.T) {
	ctx := context.Background()
	dir, key := newLog(t, 4)
	s, err := filelog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := audittest.Entry(4)
	e.Index = 4
	data, _ := e.Marshal()
	hs, err := tlog.StoredHashes(4, data, tlog.HashReaderFunc(func(x []int64) ([]tlog.Hash, error) { return s.ReadHashes(ctx, x) }))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx, 4, data, hs); err != nil {
		t.Fatal(err)
	}
	s.Close()

	ro, _ := filelog.OpenReadOnly(dir)
	r, err := audit.Verify(ctx, ro, key.VerifierKey(), nil)
	ro.Close()
	if err != nil || r.OK() || r.Problems[0].Check != audit.CheckUnsigned {
		t.Fatalf("before reopening: %v %v", r.Problems, err)
	}
	s, _ = filelog.Open(dir)
	l, err := audit.Open(ctx, s, key)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if l.Head().Size != 5 {
		t.Errorf("head after reopening %d, want 5", l.Head().Size)
	}
	verify(t, dir, key, 5)
}

func TestOneWriter(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock")
	}
	dir, _ := newLog(t, 1)
	s, err := filelog.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := filelog.Open(dir); err == nil || !strings.Contains(err.Error(), "another process") {
		t.Errorf("second writer: %v", err)
	}
	ro, err := filelog.OpenReadOnly(dir)
	if err != nil {
		t.Errorf("reader beside a writer: %v", err)
	} else {
		ro.Close()
	}
	s.Close()
	s, err = filelog.Open(dir)
	if err != nil {
		t.Errorf("writer after the first closed: %v", err)
	} else {
		s.Close()
	}
}

func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	dir, _ := newLog(t, 1)
	s, err := filelog.OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Append(ctx, 1, []byte("{}"), make([]tlog.Hash, 2)); err == nil {
		t.Error("Append on a read-only log succeeded")
	}
	if err := s.SaveCheckpoint(ctx, []byte("x\n")); err == nil {
		t.Error("SaveCheckpoint on a read-only log succeeded")
	}
}

// TestDamagedFolder: what cannot be an entry or a stored hash is reported
// by Verify; a folder that cannot be a log is refused with its reason.
func TestDamagedFolder(t *testing.T) {
	ctx := context.Background()
	t.Run("oversized line", func(t *testing.T) {
		dir, key := newLog(t, 2)
		appendFile(t, filepath.Join(dir, filelog.EntriesFile), []byte(strings.Repeat("x", audit.MaxEntrySize+1)+"\n"))
		s, _ := filelog.OpenReadOnly(dir)
		defer s.Close()
		if _, err := s.Entry(ctx, 2); !errors.Is(err, audit.ErrCorrupt) {
			t.Errorf("Entry of an oversized line: %v", err)
		}
		r, err := audit.Verify(ctx, s, key.VerifierKey(), nil)
		if err != nil || r.OK() || r.Problems[0].Check != audit.CheckEntryFormat || r.Problems[0].First != 2 {
			t.Errorf("Verify: %v, %v", r.Problems, err)
		}
	})
	t.Run("hashes short", func(t *testing.T) {
		dir, key := newLog(t, 4)
		p := filepath.Join(dir, filelog.HashesFile)
		fi, _ := os.Stat(p)
		os.Truncate(p, fi.Size()-32)
		if _, err := filelog.Open(dir); !errors.Is(err, audit.ErrCorrupt) {
			t.Errorf("Open for writing: %v, want ErrCorrupt", err)
		}
		s, err := filelog.OpenReadOnly(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		r, err := audit.Verify(ctx, s, key.VerifierKey(), nil)
		if err != nil || r.OK() || r.Problems[0].Check != audit.CheckTreeHashes {
			t.Errorf("Verify: %v, %v", r.Problems, err)
		}
	})
	t.Run("not regular files", func(t *testing.T) {
		dir, _ := newLog(t, 1)
		p := filepath.Join(dir, filelog.EntriesFile)
		os.Remove(p)
		if runtime.GOOS != "windows" {
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
		} else {
			os.Mkdir(p, 0o700)
		}
		if _, err := filelog.OpenReadOnly(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("entries a FIFO: %v", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		if _, err := filelog.OpenReadOnly(filepath.Join(t.TempDir(), "none")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("no folder: %v", err)
		}
	})
	t.Run("create over a log", func(t *testing.T) {
		dir, _ := newLog(t, 1)
		if _, err := filelog.Create(dir); err == nil {
			t.Error("Create over an existing log succeeded")
		}
	})
}

// TestKilledWriter: a writer killed at any moment leaves a log that opens,
// verifies and holds every entry whose Append returned.
func TestKilledWriter(t *testing.T) {
	if dir := os.Getenv("GEOWARDEN_FILELOG_WRITER"); dir != "" {
		writer(dir)
		return
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL")
	}
	ctx := context.Background()
	dir, key, skey := newLogKey(t, 0)
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriter$")
		cmd.Env = append(os.Environ(), "GEOWARDEN_FILELOG_WRITER="+dir, "GEOWARDEN_FILELOG_KEY="+skey)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		last := int64(-1)
		deadline := time.Now().Add(10 * time.Second)
		for sc.Scan() {
			n, err := strconv.ParseInt(sc.Text(), 10, 64)
			if err != nil {
				t.Fatalf("writer said %q", sc.Text())
			}
			last = n
			if n >= int64(20*(round+1)) || time.Now().After(deadline) {
				break
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if last < 0 {
			t.Fatal("the writer appended nothing")
		}
		s, err := filelog.Open(dir)
		if err != nil {
			t.Fatalf("round %d: Open after the kill: %v", round, err)
		}
		l, err := audit.Open(ctx, s, key)
		if err != nil {
			t.Fatalf("round %d: audit.Open after the kill: %v", round, err)
		}
		size := l.Head().Size
		s.Close()
		if size <= last {
			t.Fatalf("round %d: entry %d was acknowledged, the log holds %d", round, last, size)
		}
		verify(t, dir, key, size)
	}
}

// writer appends entries to the log in dir until it is killed, printing
// each index once Append returned.
func writer(dir string) {
	ctx := context.Background()
	key, err := audit.ParseKey(os.Getenv("GEOWARDEN_FILELOG_KEY"))
	if err != nil {
		panic(err)
	}
	s, err := filelog.Open(dir)
	if err != nil {
		panic(err)
	}
	l, err := audit.Open(ctx, s, key)
	if err != nil {
		panic(err)
	}
	for i := 0; ; i++ {
		n, err := l.Append(ctx, audittest.Entry(i))
		if err != nil {
			panic(err)
		}
		os.Stdout.WriteString(strconv.FormatInt(n, 10) + "\n")
	}
}
