package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/filelog"
	"github.com/geowarden/geowarden/store/sqlite"
	"github.com/spf13/cobra"
)

// newOrigin returns a new log's default origin: geowarden.example/audit/
// and a random id.
func newOrigin() string {
	id := make([]byte, 8)
	rand.Read(id)
	return "geowarden.example/audit/" + hex.EncodeToString(id)
}

// openGatewayAudit opens the audit log kept in the gateway's store, signed
// with the key DIR/audit.key of its data folder. The first time, when the
// log is empty and there is no key, it creates the key (mode 0600) and
// writes the verifier key to DIR/audit.pub, as audit init does.
func openGatewayAudit(ctx context.Context, db *sqlite.DB) (*audit.Log, error) {
	dir := db.Dir()
	keyPath := filepath.Join(dir, auditKeyFile)
	key, err := audit.ReadKeyFile(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		n, serr := db.Audit().Size(ctx)
		if serr != nil {
			return nil, serr
		}
		if n > 0 {
			return nil, fmt.Errorf("audit: the audit log in %s holds %d entries and its signing key %s is missing", dir, n, keyPath)
		}
		key, err = audit.CreateKeyFile(keyPath, newOrigin())
	}
	if err != nil {
		return nil, err
	}
	pub := filepath.Join(dir, auditVerifierFile)
	if _, err := os.Stat(pub); errors.Is(err, fs.ErrNotExist) {
		if err := os.WriteFile(pub, []byte(key.VerifierKey()+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
	}
	return audit.Open(ctx, db.Audit(), key)
}

// auditSource is where the read-only audit commands read a log: a folder of
// plain files (--dir) or a gateway's data folder (--data).
type auditSource struct {
	dir, data string
}

func (src *auditSource) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&src.dir, "dir", "", "the audit log's `FOLDER` of plain files (audit init)")
	cmd.Flags().StringVar(&src.data, "data", "", "the gateway's data `FOLDER`: the log geowarden serve keeps in its database")
	cmd.MarkFlagsOneRequired("dir", "data")
	cmd.MarkFlagsMutuallyExclusive("dir", "data")
}

// folder is where the keys are: DIR or the data folder.
func (src *auditSource) folder() string {
	if src.data != "" {
		return src.data
	}
	return src.dir
}

// openedLog is a log opened for reading.
type openedLog struct {
	audit.Storage
	close func() error
	// torn, for a folder of plain files, is how many bytes after the last
	// entry are not an entry.
	torn func() int64
	// where names what was opened, in messages.
	where string
}

// open opens the log for reading; a running gateway may write to it at
// the same time.
func (src *auditSource) open(ctx context.Context) (*openedLog, error) {
	if src.data != "" {
		db, err := sqlite.OpenReadOnly(ctx, src.data)
		if err != nil {
			return nil, err
		}
		return &openedLog{Storage: db.Audit(), close: db.Close, torn: func() int64 { return 0 }, where: filepath.Join(src.data, sqlite.FileName)}, nil
	}
	s, err := filelog.OpenReadOnly(src.dir)
	if err != nil {
		return nil, err
	}
	return &openedLog{Storage: s, close: s.Close, torn: s.TornBytes, where: src.dir}, nil
}
