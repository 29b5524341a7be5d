package plt

import (
	"bytes"

	"github.com/geowarden/geowarden/format"
)

var _ format.Chunker = Codec{}

// Preamble is the six header lines: every piece of a PLT input needs them
// in front. ok is false when head holds fewer.
func (Codec) Preamble(head []byte, _ bool, _ *format.Options) (int, bool) {
	n := 0
	for range HeaderLines {
		i := bytes.IndexByte(head[n:], '\n')
		if i < 0 {
			return 0, false
		}
		n += i + 1
	}
	return n, true
}

// Boundary returns the end of the last complete line in buf: every line
// after the header is read on its own.
func (Codec) Boundary(_, buf []byte, _ *format.Options) int {
	return bytes.LastIndexByte(buf, '\n') + 1
}
