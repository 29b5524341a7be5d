// Package audittest has the conformance suite that every audit.Storage must
// pass (Run) and an in-memory Storage (Memory) for tests.
package audittest

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/geowarden/geowarden/audit"
	"golang.org/x/mod/sumdb/tlog"
)

// Memory is an audit.Storage in memory. Its fields are exported so that
// tests can tamper with what it holds; lock Mu around changes made while
// it is in use.
type Memory struct {
	Mu      sync.Mutex
	Entries [][]byte
	Hashes  []tlog.Hash
	Signed  []byte

	// AppendErr and SaveErr, when set, fail Append and SaveCheckpoint
	// without storing anything.
	AppendErr, SaveErr error
}

var _ audit.Storage = (*Memory)(nil)

// Size implements audit.Storage.
func (m *Memory) Size(ctx context.Context) (int64, error) {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	return int64(len(m.Entries)), nil
}

// Append implements audit.Storage.
func (m *Memory) Append(ctx context.Context, n int64, entry []byte, hashes []tlog.Hash) error {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.AppendErr != nil {
		return m.AppendErr
	}
	if err := audit.CheckAppend(int64(len(m.Entries)), int64(len(m.Hashes)), n, hashes); err != nil {
		return err
	}
	m.Entries = append(m.Entries, slices.Clone(entry))
	m.Hashes = append(m.Hashes, hashes...)
	return nil
}

// Entry implements audit.Storage.
func (m *Memory) Entry(ctx context.Context, n int64) ([]byte, error) {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	if n < 0 || n >= int64(len(m.Entries)) {
		return nil, fmt.Errorf("audittest: no entry %d in %d", n, len(m.Entries))
	}
	return slices.Clone(m.Entries[n]), nil
}

// ReadHashes implements audit.Storage.
func (m *Memory) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.Hashes)) {
			return nil, fmt.Errorf("%w: no stored hash %d in %d", audit.ErrCorrupt, x, len(m.Hashes))
		}
		out[i] = m.Hashes[x]
	}
	return out, nil
}

// SaveCheckpoint implements audit.Storage.
func (m *Memory) SaveCheckpoint(ctx context.Context, signed []byte) error {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	if m.SaveErr != nil {
		return m.SaveErr
	}
	m.Signed = slices.Clone(signed)
	return nil
}

// Checkpoint implements audit.Storage.
func (m *Memory) Checkpoint(ctx context.Context) ([]byte, error) {
	m.Mu.Lock()
	defer m.Mu.Unlock()
	return slices.Clone(m.Signed), nil
}
