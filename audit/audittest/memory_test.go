package audittest_test

import (
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
)

func TestMemory(t *testing.T) {
	audittest.Run(t, func(t *testing.T) (audit.Storage, func() audit.Storage) {
		return &audittest.Memory{}, nil
	})
}
