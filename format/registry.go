package format

import (
	"bufio"
	"io"
	"sync"
)

// HeadSize is how many leading bytes Detect sees.
const HeadSize = 8 << 10

var (
	mu     sync.RWMutex
	codecs []Codec
)

// Register adds a codec to the registry. Codecs are tried in the order they
// were registered; register the ones with the most specific Detect first.
func Register(c Codec) {
	mu.Lock()
	defer mu.Unlock()
	codecs = append(codecs, c)
}

// Codecs returns the registered codecs in detection order.
func Codecs() []Codec {
	mu.RLock()
	defer mu.RUnlock()
	return append([]Codec(nil), codecs...)
}

// ByName returns the registered codec with the given name, or nil.
func ByName(name string) Codec {
	for _, c := range Codecs() {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// Detect returns the first registered codec that recognises the input, or
// nil.
func Detect(name string, head []byte) Codec {
	for _, c := range Codecs() {
		if c.Detect(name, head) {
			return c
		}
	}
	return nil
}

// Sniff wraps r in a buffered reader, peeks at its head and returns the
// codec that recognises it (nil when none does) along with a reader that
// still yields every byte of r.
func Sniff(name string, r io.Reader) (Codec, io.Reader, error) {
	br := bufio.NewReaderSize(r, HeadSize)
	head, err := br.Peek(HeadSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, br, err
	}
	return Detect(name, head), br, nil
}
