// Package filelog keeps an audit log in a folder of plain files, so that
// geowarden's audit commands work without a database and anyone can read
// the log with their own tools:
//
//	entries     one entry per line, each its canonical encoding and a newline
//	hashes      the tree's stored hashes, 32 bytes each, in tlog's order
//	checkpoint  the latest signed checkpoint
//	lock        held (flock) by the one process that writes
//
// An append writes the entry's hashes, then the entry's line, and syncs
// each file; the entry exists once its newline is on disk. A crash in the
// middle leaves at most a partial last line or hashes past the last entry:
// they are not part of the log, and the next append writes over them.
// Nothing is ever truncated away at open, so a log that was cut short
// stays as it was found, for Verify to report.
package filelog

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/geowarden/geowarden/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// The files of a log folder.
const (
	EntriesFile    = "entries"
	HashesFile     = "hashes"
	CheckpointFile = "checkpoint"
	LockFile       = "lock"
)

// maxCheckpoint caps the checkpoint file read.
const maxCheckpoint = 1 << 20

// Storage is an audit.Storage in a folder. It is safe for one writer and
// any number of readers in one process; Open also keeps other processes
// from writing (where the system has flock).
type Storage struct {
	dir      string
	readOnly bool
	entries  *os.File
	hashes   *os.File
	lock     *os.File

	wmu    sync.Mutex // serialises Append and SaveCheckpoint
	broken error      // set when a write failed in a way that leaves the files unknown; under wmu

	mu      sync.RWMutex // guards what follows
	offsets []int64      // offsets[n] is where entry n starts; one more than the entries
	nhashes int64        // stored hashes of the entries
	torn    int64        // bytes after the last entry's newline
}

var _ audit.Storage = (*Storage)(nil)

// Create makes a new, empty log in dir (made, 0700, if it does not exist)
// and opens it for writing. It refuses a folder that holds a log already.
func Create(dir string) (*Storage, error) {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("filelog: %w", err)
	}
	for _, name := range []string{EntriesFile, HashesFile} {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("filelog: create: %w", err)
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("filelog: create: %w", err)
		}
	}
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("filelog: create: %w", err)
	}
	return Open(dir)
}

// Open opens the log in dir for reading and writing. Only one process may
// have a log open for writing.
func Open(dir string) (*Storage, error) {
	return open(dir, false)
}

// OpenReadOnly opens the log in dir for reading only, as found: for
// verifying it. It takes no lock.
func OpenReadOnly(dir string) (*Storage, error) {
	return open(dir, true)
}

func open(dir string, readOnly bool) (_ *Storage, err error) {
	s := &Storage{dir: dir, readOnly: readOnly}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	flag := os.O_RDWR
	if readOnly {
		flag = os.O_RDONLY
	} else {
		s.lock, err = os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("filelog: %w", err)
		}
		if err := lockFile(s.lock); err != nil {
			return nil, fmt.Errorf("filelog: %s is open for writing by another process: %w", dir, err)
		}
	}
	if s.entries, err = openRegular(filepath.Join(dir, EntriesFile), flag); err != nil {
		return nil, err
	}
	if s.hashes, err = openRegular(filepath.Join(dir, HashesFile), flag); err != nil {
		return nil, err
	}
	if err := s.scan(); err != nil {
		return nil, err
	}
	fi, err := s.hashes.Stat()
	if err != nil {
		return nil, fmt.Errorf("filelog: %w", err)
	}
	size := int64(len(s.offsets) - 1)
	want := tlog.StoredHashCount(size)
	s.nhashes = min(fi.Size()/tlog.HashSize, want)
	if !readOnly && s.nhashes < want {
		return nil, fmt.Errorf("%w: %s holds %d hashes, its %d entries need %d", audit.ErrCorrupt, s.hashes.Name(), s.nhashes, size, want)
	}
	return s, nil
}

func openRegular(path string, flag int) (*os.File, error) {
	// Stat first: opening a FIFO would wait for a writer.
	if fi, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("filelog: %w", err)
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("filelog: %s: not a regular file", path)
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return nil, fmt.Errorf("filelog: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("filelog: %w", err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("filelog: %s: not a regular file", path)
	}
	return f, nil
}

// scan finds where each entry starts.
func (s *Storage) scan() error {
	s.offsets = []int64{0}
	r := bufio.NewReaderSize(io.NewSectionReader(s.entries, 0, 1<<62), 1<<16)
	var off int64
	for {
		chunk, err := r.ReadSlice('\n')
		off += int64(len(chunk))
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			s.offsets = append(s.offsets, off)
		}
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return fmt.Errorf("filelog: %s: %w", s.entries.Name(), err)
		}
	}
	s.torn = off - s.offsets[len(s.offsets)-1]
	return nil
}

// Close closes the log's files and releases the lock.
func (s *Storage) Close() error {
	var errs []error
	for _, f := range []*os.File{s.entries, s.hashes, s.lock} {
		if f != nil {
			errs = append(errs, f.Close())
		}
	}
	return errors.Join(errs...)
}

// Dir returns the log's folder.
func (s *Storage) Dir() string { return s.dir }

// TornBytes returns the number of bytes after the last complete entry: a
// partial line left by an append that was cut short (or added later).
func (s *Storage) TornBytes() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.torn
}

// Size implements audit.Storage.
func (s *Storage) Size(ctx context.Context) (int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return int64(len(s.offsets) - 1), nil
}

// Entry implements audit.Storage.
func (s *Storage) Entry(ctx context.Context, n int64) ([]byte, error) {
	s.mu.RLock()
	size := int64(len(s.offsets) - 1)
	var start, end int64
	if n >= 0 && n < size {
		start, end = s.offsets[n], s.offsets[n+1]-1
	}
	s.mu.RUnlock()
	if n < 0 || n >= size {
		return nil, fmt.Errorf("filelog: no entry %d in %d", n, size)
	}
	if end-start > audit.MaxEntrySize {
		return nil, fmt.Errorf("%w: entry %d (line %d of %s) is %d bytes, more than the limit of %d", audit.ErrCorrupt, n, n+1, s.entries.Name(), end-start, audit.MaxEntrySize)
	}
	b := make([]byte, end-start)
	if _, err := s.entries.ReadAt(b, start); err != nil {
		return nil, fmt.Errorf("filelog: entry %d: %w", n, err)
	}
	return b, nil
}

// ReadHashes implements audit.Storage.
func (s *Storage) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	s.mu.RLock()
	nhashes := s.nhashes
	s.mu.RUnlock()
	out := make([]tlog.Hash, len(indexes))
	var buf []byte
	for i := 0; i < len(indexes); {
		x := indexes[i]
		if x < 0 || x >= nhashes {
			return nil, fmt.Errorf("%w: no stored hash %d in %s, which holds %d", audit.ErrCorrupt, x, s.hashes.Name(), nhashes)
		}
		// Read a run of consecutive indexes at once.
		j := i + 1
		for j < len(indexes) && indexes[j] == indexes[j-1]+1 && indexes[j] < nhashes {
			j++
		}
		buf = slices.Grow(buf[:0], (j-i)*tlog.HashSize)[:(j-i)*tlog.HashSize]
		if _, err := s.hashes.ReadAt(buf, x*tlog.HashSize); err != nil {
			return nil, fmt.Errorf("filelog: hashes %d..%d: %w", x, indexes[j-1], err)
		}
		for k := i; k < j; k++ {
			copy(out[k][:], buf[(k-i)*tlog.HashSize:])
		}
		i = j
	}
	return out, nil
}

// Append implements audit.Storage.
func (s *Storage) Append(ctx context.Context, n int64, entry []byte, hashes []tlog.Hash) error {
	if s.readOnly {
		return fmt.Errorf("filelog: %s is open read-only", s.dir)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.broken != nil {
		return s.broken
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	size, end, nhashes := int64(len(s.offsets)-1), s.offsets[len(s.offsets)-1], s.nhashes
	s.mu.RUnlock()
	if err := audit.CheckAppend(size, nhashes, n, hashes); err != nil {
		return err
	}
	if len(entry) == 0 || len(entry) > audit.MaxEntrySize || bytes.IndexByte(entry, '\n') >= 0 {
		return fmt.Errorf("filelog: entry %d: %d bytes: not an entry's canonical encoding", n, len(entry))
	}

	hb := make([]byte, 0, len(hashes)*tlog.HashSize)
	for _, h := range hashes {
		hb = append(hb, h[:]...)
	}
	if err := writeAt(s.hashes, hb, nhashes*tlog.HashSize); err != nil {
		s.broken = fmt.Errorf("filelog: append entry %d: %w", n, err)
		return s.broken
	}
	line := append(append(make([]byte, 0, len(entry)+1), entry...), '\n')
	if err := writeAt(s.entries, line, end); err != nil {
		s.broken = fmt.Errorf("filelog: append entry %d: %w", n, err)
		return s.broken
	}

	s.mu.Lock()
	s.offsets = append(s.offsets, end+int64(len(line)))
	s.nhashes += int64(len(hashes))
	s.torn = 0
	s.mu.Unlock()
	return nil
}

// writeAt writes b at off, cuts the file there (what an earlier,
// unfinished append left after it) and syncs it.
func writeAt(f *os.File, b []byte, off int64) error {
	if _, err := f.WriteAt(b, off); err != nil {
		return err
	}
	if err := f.Truncate(off + int64(len(b))); err != nil {
		return err
	}
	return f.Sync()
}

// SaveCheckpoint implements audit.Storage: the new checkpoint is written
// to a temporary file, synced and renamed over the old one.
func (s *Storage) SaveCheckpoint(ctx context.Context, signed []byte) error {
	if s.readOnly {
		return fmt.Errorf("filelog: %s is open read-only", s.dir)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	path := filepath.Join(s.dir, CheckpointFile)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("filelog: checkpoint: %w", err)
	}
	_, err = f.Write(signed)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(s.dir)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("filelog: checkpoint: %w", err)
	}
	return nil
}

// Checkpoint implements audit.Storage.
func (s *Storage) Checkpoint(ctx context.Context) ([]byte, error) {
	f, err := os.Open(filepath.Join(s.dir, CheckpointFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("filelog: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCheckpoint+1))
	if err != nil {
		return nil, fmt.Errorf("filelog: %w", err)
	}
	if len(b) > maxCheckpoint {
		return nil, fmt.Errorf("%w: %s is more than %d bytes", audit.ErrCorrupt, f.Name(), maxCheckpoint)
	}
	return b, nil
}

// syncDir makes a folder's new names durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // folders cannot be opened for syncing there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
