//go:build !linux

package safefile

import (
	"io/fs"
	"os"
)

func create(path string, mode fs.FileMode) (*File, error) { return createNamed(path, mode) }

// setCommit makes Commit put the file at path.
func (f *File) setCommit(path string) {
	tmp := f.f.Name()
	f.commit = func() error { return os.Rename(tmp, path) }
}
