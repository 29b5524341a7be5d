package filelog_test

import (
	"path/filepath"
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
	"github.com/geowarden/geowarden/audit/filelog"
)

func TestConformance(t *testing.T) {
	audittest.Run(t, func(t *testing.T) (audit.Storage, func() audit.Storage) {
		dir := filepath.Join(t.TempDir(), "log")
		s, err := filelog.Create(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, func() audit.Storage {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if s, err = filelog.Open(dir); err != nil {
				t.Fatal(err)
			}
			return s
		}
	})
}
