package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/geowarden/geowarden/store"
)

// BenchmarkPut stores batches as the gateway's group commit does: 64
// requests of one small message each in one transaction.
func BenchmarkPut(b *testing.B) {
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "data"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	body := []byte("id=123456&lat=45.12345&lon=3.12345&timestamp=1700000000&speed=3.2")
	n := 0
	b.ResetTimer()
	for b.Loop() {
		var batches []*store.Batch
		for range 64 {
			n++
			batches = append(batches, &store.Batch{
				Decision: store.Decision{Time: time.Now(), Route: "osmand", Token: "t", Request: "r", Revision: "rev", Received: 1, Kept: 1},
				Messages: []store.Message{{Route: "osmand", Key: fmt.Sprint("dev/", n), Body: body, Size: int64(len(body)), Revision: "rev", Created: time.Now()}},
			})
		}
		if err := db.Put(context.Background(), batches); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*64)/b.Elapsed().Seconds(), "requests/s")
}
