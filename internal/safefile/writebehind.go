package safefile

import (
	"io"
	"os"
)

// writeBehindChunk is how much is written between two requests to start
// writing a file's pages out.
const writeBehindChunk = 8 << 20

// WriteBehind returns a writer to f that asks the kernel to start writing
// each 8 MiB out to disk as soon as it is written, without waiting for it.
// The sync at Commit then finds little left to do: a large output is on
// disk by the time the run ends, instead of the whole of it being written
// after. Where the system has no such request it is a plain writer.
func WriteBehind(f *os.File) io.Writer {
	if !canWriteBehind {
		return f
	}
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return f
	}
	return &writeBehind{f: f, off: off, from: off}
}

type writeBehind struct {
	f         *os.File
	off, from int64 // bytes written so far; start of the range not yet handed over
}

func (w *writeBehind) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.off += int64(n)
	if w.off-w.from >= writeBehindChunk {
		startWriteOut(w.f, w.from, w.off-w.from)
		w.from = w.off
	}
	return n, err
}
