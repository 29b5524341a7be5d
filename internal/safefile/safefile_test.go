package safefile

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// names lists the entries of dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func write(t *testing.T, f *File, s string) {
	t.Helper()
	if _, err := f.File().WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func TestCommitNew(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	f, err := Create(out, Options{Mode: 0o640})
	if err != nil {
		t.Fatal(err)
	}
	write(t, f, "a,b\n")
	if runtime.GOOS == "linux" && !f.Anonymous() {
		t.Error("on Linux the file is not anonymous while it is written")
	}
	if got := names(t, dir); f.Anonymous() && len(got) != 0 {
		t.Errorf("folder holds %v while the output is written, want nothing", got)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil || string(b) != "a,b\n" {
		t.Fatalf("committed file = %q, %v", b, err)
	}
	st, _ := os.Stat(out)
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("folder holds %v after commit, want only out.csv", got)
	}
	f.Abort() // after Commit: nothing happens
	if _, err := os.Stat(out); err != nil {
		t.Errorf("Abort after Commit removed the output: %v", err)
	}
}

func TestCommitReplaces(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, f, "new")
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("old output changed before commit: %q", b)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != "new" {
		t.Errorf("output = %q after commit, want new", b)
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("folder holds %v after commit, want only out.csv", got)
	}
}

func TestAbort(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, f, "half")
	f.Abort()
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("old output = %q after abort, want it intact", b)
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("folder holds %v after abort, want only the old output", got)
	}
}

// TestTargets: a target that is not a regular file is refused and left as
// it is.
// TestScratch: a scratch file is read and written with no name in its
// folder, before and after it is closed.
func TestScratch(t *testing.T) {
	dir := t.TempDir()
	f, err := Scratch(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("spooled"); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("folder holds %v while the file is open", got)
	}
	b := make([]byte, 7)
	if _, err := f.ReadAt(b, 0); err != nil || string(b) != "spooled" {
		t.Errorf("read back %q, %v", b, err)
	}
	f.Close()
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("folder holds %v after Close", got)
	}
	t.Setenv("TMPDIR", dir)
	f, err = Scratch("")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Sys().(*syscall.Stat_t).Nlink != 0 {
		t.Errorf("scratch file in TMPDIR has links (%v)", err)
	}
}

func TestTargets(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("file", link); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		path string
		want error
	}{
		{"fifo", fifo, ErrNotRegular},
		{"folder", sub, ErrNotRegular},
		{"symlink", link, ErrSymlink},
	}
	dev := filepath.Join(dir, "null")
	if err := unix.Mknod(dev, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err == nil {
		cases = append(cases, struct {
			name string
			path string
			want error
		}{"character device", dev, ErrNotRegular})
	} else if os.Getuid() == 0 {
		t.Fatalf("mknod as root: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.Lstat(c.path)
			_, err := Create(c.path, Options{})
			if !errors.Is(err, c.want) {
				t.Fatalf("Create(%s) = %v, want %v", c.name, err, c.want)
			}
			after, _ := os.Lstat(c.path)
			if before.Mode() != after.Mode() || !before.ModTime().Equal(after.ModTime()) {
				t.Errorf("target changed: %v -> %v", before.Mode(), after.Mode())
			}
		})
	}
	// A link is followed when asked: the file it points to is replaced,
	// the link stays.
	f, err := Create(link, Options{FollowSymlink: true})
	if err != nil {
		t.Fatal(err)
	}
	write(t, f, "through the link")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); string(b) != "through the link" {
		t.Errorf("linked file = %q", b)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
}

// TestTargetChangesBeforeCommit: a target that becomes a FIFO while the
// output is written is not replaced.
func TestTargetChangesBeforeCommit(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	f, err := Create(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, f, "x")
	if err := unix.Mkfifo(out, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("Commit = %v, want ErrNotRegular", err)
	}
	if st, _ := os.Lstat(out); st.Mode()&os.ModeNamedPipe == 0 {
		t.Error("the FIFO was replaced")
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("folder holds %v, want only the FIFO", got)
	}
}

// TestGroup: outputs of one run are committed together, or none is.
func TestGroup(t *testing.T) {
	dir := t.TempDir()
	var g Group
	a, err := g.Create(filepath.Join(dir, "a"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, a, "a")
	if _, err := g.Create(filepath.Join(dir, "missing", "b"), Options{}); err == nil {
		t.Fatal("output in a missing folder accepted")
	}
	g.Abort()
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("folder holds %v after the group was aborted, want nothing", got)
	}
	g = Group{}
	for _, n := range []string{"x", "y"} {
		f, err := g.Create(filepath.Join(dir, n), Options{})
		if err != nil {
			t.Fatal(err)
		}
		write(t, f, n)
	}
	if err := g.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); len(got) != 2 {
		t.Errorf("folder holds %v, want x and y", got)
	}
}

// TestKilled: a process killed with SIGKILL while it writes an output
// leaves nothing in the folder, and the old output intact.
func TestKilled(t *testing.T) {
	if dir := os.Getenv("SAFEFILE_CHILD_DIR"); dir != "" {
		f, err := Create(filepath.Join(dir, "out"), Options{})
		if err != nil {
			os.Exit(3)
		}
		buf := make([]byte, 1<<20)
		for i := 0; i < 64; i++ {
			f.File().Write(buf)
		}
		os.WriteFile(filepath.Join(dir, "ready"), nil, 0o644)
		select {} // wait to be killed
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "out"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilled$")
	cmd.Env = append(os.Environ(), "SAFEFILE_CHILD_DIR="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the child never got ready")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	os.Remove(filepath.Join(dir, "ready"))
	if got := names(t, dir); len(got) != 1 || got[0] != "out" {
		t.Errorf("folder holds %v after SIGKILL, want only the old out", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "out")); string(b) != "old" {
		t.Errorf("old output = %q, want it intact", b)
	}
}
