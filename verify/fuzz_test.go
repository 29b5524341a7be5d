package verify

import (
	"testing"
)

// FuzzWriter: writing any input in any pieces looks up the same positions
// as one Check over it, and never panics.
func FuzzWriter(f *testing.F) {
	for _, tt := range leakTests {
		f.Add([]byte(tt.in), []byte{3, 1, 200})
	}
	f.Fuzz(func(t *testing.T, data, sizes []byte) {
		var cuts []int
		c := 0
		for _, s := range sizes {
			c += int(s)
			cuts = append(cuts, c)
		}
		streamSame(t, data, cuts)
	})
}
