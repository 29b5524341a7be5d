//go:build !linux

package safefile

import "io/fs"

func create(path string, mode fs.FileMode) (*File, error) { return createNamed(path, mode) }
