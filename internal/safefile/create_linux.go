package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// create opens an unnamed O_TMPFILE in the folder of path, or a hidden
// temporary file where the file system cannot.
func create(path string, mode fs.FileMode) (*File, error) {
	dir := filepath.Dir(path)
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
			return createNamed(path, mode)
		}
		return nil, &fs.PathError{Op: "create", Path: path, Err: err}
	}
	f := &File{f: os.NewFile(uintptr(fd), path), path: path, mode: mode, anon: true}
	f.setCommit(path)
	return f, nil
}

// setCommit makes Commit put the file at path.
func (f *File) setCommit(path string) {
	if !f.anon {
		tmp := f.f.Name()
		f.commit = func() error { return os.Rename(tmp, path) }
		return
	}
	f.commit = func() error { return link(f.f, path) }
}

// link gives the unnamed file its name: straight at path when nothing is
// there, else at a hidden name beside it that is then renamed over path.
func link(f *os.File, path string) error {
	proc := "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
	err := unix.Linkat(unix.AT_FDCWD, proc, unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.EEXIST) {
		return &fs.PathError{Op: "link", Path: path, Err: err}
	}
	for i := 0; ; i++ {
		tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.geowarden-%d-%d", filepath.Base(path), os.Getpid(), i))
		err := unix.Linkat(unix.AT_FDCWD, proc, unix.AT_FDCWD, tmp, unix.AT_SYMLINK_FOLLOW)
		if errors.Is(err, unix.EEXIST) && i < 100 {
			continue
		}
		if err != nil {
			return &fs.PathError{Op: "link", Path: tmp, Err: err}
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return err
		}
		return nil
	}
}
