// Package safefile writes output files that nobody sees before they are
// whole and that leave nothing behind when the process ends early.
//
// On Linux a file is created with O_TMPFILE in the folder of its target: it
// has no name while it is written, so a crash, a SIGKILL or a power cut at
// any moment leaves no trace, and Commit links it into place. Where the
// file system has no O_TMPFILE (and on other systems) a hidden temporary
// file beside the target is used and removed on Abort; a SIGKILL can then
// leave it behind.
//
// Create refuses a target that exists and is not a regular file (a device,
// a FIFO, a socket, a folder) and, unless Options.FollowSymlink, a
// symbolic link: an output is never written through or over something that
// is not a file.
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// ErrNotRegular is returned (wrapped) for a target that exists and is not
// a regular file.
var ErrNotRegular = errors.New("exists and is not a regular file")

// ErrSymlink is returned (wrapped) for a target that is a symbolic link
// when Options.FollowSymlink is not set.
var ErrSymlink = errors.New("is a symbolic link")

// Options tune Create.
type Options struct {
	// Mode is the permission of the committed file; 0 means 0644.
	Mode fs.FileMode
	// FollowSymlink writes to the file a symbolic link at the target
	// points to, instead of refusing the link.
	FollowSymlink bool
}

// File is an output being written. Write to it through File(); then
// Commit or Abort it, exactly once. A File is not safe for concurrent use.
type File struct {
	f      *os.File
	path   string // where Commit puts the file
	mode   fs.FileMode
	anon   bool // f has no name (O_TMPFILE)
	done   bool
	commit func() error // links or renames f into place
}

// Create prepares the output path: it checks the target and opens a file
// that becomes path only on Commit.
func Create(path string, opts Options) (*File, error) {
	target, err := CheckTarget(path, opts.FollowSymlink)
	if err != nil {
		return nil, err
	}
	mode := opts.Mode
	if mode == 0 {
		mode = 0o644
	}
	return create(target, mode)
}

// CheckTarget returns the path an output named path is written to: path
// itself, or with followSymlink the file its symbolic link points to. It
// fails when the target exists and is not a regular file, and when it is a
// symbolic link and followSymlink is false.
func CheckTarget(path string, followSymlink bool) (string, error) {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil
	}
	if err != nil {
		return "", err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		if !followSymlink {
			return "", fmt.Errorf("output %s %w; refused (name the file it points to, or allow links to be followed)", path, ErrSymlink)
		}
		target, err := filepath.EvalSymlinks(path)
		if errors.Is(err, fs.ErrNotExist) {
			// A dangling link: write where it points.
			dest, rerr := os.Readlink(path)
			if rerr != nil {
				return "", rerr
			}
			if !filepath.IsAbs(dest) {
				dest = filepath.Join(filepath.Dir(path), dest)
			}
			return CheckTarget(dest, false)
		}
		if err != nil {
			return "", err
		}
		return CheckTarget(target, false)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("output %s %w (%s); refused, never replaced", path, ErrNotRegular, kind(st.Mode()))
	}
	return path, nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a file: " + m.String()
}

// CreateIn opens a file in dir that has no name yet (on Linux; a hidden
// temporary name elsewhere), for an output whose path is known only later:
// a file of a folder that does not exist yet. LinkTo gives it its path,
// which must be in the same file system as dir.
func CreateIn(dir string, mode fs.FileMode) (*File, error) {
	if mode == 0 {
		mode = 0o644
	}
	return create(filepath.Join(dir, ".geowarden-out"), mode)
}

// Scratch opens a file with no name in dir (the system's temporary folder
// when dir is ""), for reading and writing: a spool of data that must not
// outlive the process, such as a copy of an input. On Linux it is an
// O_TMPFILE, which never has a name; where the file system or the system
// has none, a temporary file whose name is removed at once (a SIGKILL in
// that moment can leave it). Closing the file frees its space.
func Scratch(dir string) (*os.File, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := CreateIn(dir, 0o600)
	if err != nil {
		return nil, err
	}
	f.done = true
	if !f.anon {
		if err := os.Remove(f.f.Name()); err != nil {
			f.f.Close()
			return nil, err
		}
	}
	return f.f, nil
}

// File returns the open file to write (and read back) the output.
func (f *File) File() *os.File { return f.f }

// Name returns the path the file gets on Commit.
func (f *File) Name() string { return f.path }

// Anonymous reports whether the file has no name until Commit, so that
// nothing is left behind whatever ends the process.
func (f *File) Anonymous() bool { return f.anon }

// Commit syncs the file and puts it at its path, replacing a regular file
// there in one step. It checks the target again first: a target that has
// become something other than a regular file in the meantime is refused.
func (f *File) Commit() error { return f.put(true) }

// LinkTo puts the file at path, another path than the one given to
// Create (checked as by Create), as Commit does but without a sync of the
// file or of its folder: for many files put in place at once, the caller
// syncs each file before (File().Sync()) and the folders after (SyncDir).
func (f *File) LinkTo(path string) error {
	target, err := CheckTarget(path, false)
	if err != nil {
		f.Abort()
		return err
	}
	f.path = target
	f.setCommit(target)
	return f.put(false)
}

// put puts the file at its path, syncing the file and its folder when
// sync is set.
func (f *File) put(sync bool) error {
	if f.done {
		return errors.New("safefile: commit of a finished file")
	}
	f.done = true
	ok := false
	defer func() {
		if !ok {
			f.abort()
		}
	}()
	if _, err := CheckTarget(f.path, false); err != nil {
		return err
	}
	if err := f.f.Chmod(f.mode); err != nil {
		return err
	}
	if sync {
		if err := f.f.Sync(); err != nil {
			return err
		}
	}
	if err := f.commit(); err != nil {
		return err
	}
	ok = true
	if err := f.f.Close(); err != nil {
		return err
	}
	if !sync {
		return nil
	}
	return SyncDir(filepath.Dir(f.path))
}

// Abort discards the file; nothing is left at its path or beside it. It
// does nothing after Commit, so it can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.abort()
}

// SyncDir syncs a folder, so that the names made in it last a power
// failure.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// Group is the outputs of one run: every one is prepared first and all are
// committed only when the run succeeded, so that a failure leaves none of
// them behind.
type Group struct {
	files []*File
}

// Create adds an output to the group (see Create).
func (g *Group) Create(path string, opts Options) (*File, error) {
	f, err := Create(path, opts)
	if err != nil {
		return nil, err
	}
	g.files = append(g.files, f)
	return f, nil
}

// Commit commits every file of the group in the order they were created.
// It syncs them all before it names any, and syncs their folders after
// the last, so that the moment in which some are in place and others not
// is as short as it can be. It stops at the first failure and aborts the
// files not yet committed.
func (g *Group) Commit() error {
	// The files are synced at once first, so that a run's outputs reach
	// the disk side by side, and before any is named.
	errs := make([]error, len(g.files))
	var wg sync.WaitGroup
	for i, f := range g.files {
		if !f.done {
			wg.Go(func() { errs[i] = f.f.Sync() })
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		g.Abort()
		return err
	}
	var dirs []string
	for i, f := range g.files {
		if err := f.put(false); err != nil {
			for _, rest := range g.files[i+1:] {
				rest.Abort()
			}
			return err
		}
		if d := filepath.Dir(f.path); !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	for _, d := range dirs {
		if err := SyncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// Abort aborts every file of the group not yet committed.
func (g *Group) Abort() {
	for _, f := range g.files {
		f.Abort()
	}
}

func (f *File) abort() {
	f.f.Close()
	if !f.anon {
		os.Remove(f.f.Name())
	}
}
