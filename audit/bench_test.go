package audit_test

import (
	"context"
	"testing"

	"github.com/geowarden/geowarden/audit"
)

// BenchmarkVerify: Verify of a log of 10,000 entries in memory, per entry:
// the cost of the checks themselves, without reading files.
func BenchmarkVerify(b *testing.B) {
	const n = 10000
	_, m, vkey := newLog(b, n)
	for b.Loop() {
		r, err := audit.Verify(context.Background(), m, vkey, nil)
		if err != nil || !r.OK() {
			b.Fatalf("%v %v", err, r.Problems)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/entry")
}
