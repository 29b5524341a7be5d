package safefile

import (
	"io/fs"
	"os"
	"path/filepath"
)

// createNamed opens a hidden temporary file beside path, for file systems
// and systems without unnamed files.
func createNamed(path string, mode fs.FileMode) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".geowarden-*")
	if err != nil {
		return nil, err
	}
	f := &File{f: tmp, path: path, mode: mode}
	f.commit = func() error { return os.Rename(tmp.Name(), path) }
	return f, nil
}
