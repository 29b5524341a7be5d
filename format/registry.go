package format

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
)

// HeadSize is how many leading bytes Detect sees.
const HeadSize = 8 << 10

// An Entry is a codec with its detection priority.
type Entry struct {
	// Priority orders detection: lower priorities are tried first. Give
	// the codecs whose Detect is most specific (a magic number, a root
	// element) the lowest, and a codec that accepts almost anything (CSV)
	// the highest.
	Priority int
	Codec    Codec
}

// A Registry is a set of codecs in detection order. It does not change
// once made and is safe for concurrent use. The default set, every codec
// geowarden has, is format/all's Registry.
type Registry struct {
	codecs []Codec
}

// NewRegistry returns a registry of the entries' codecs, ordered by
// priority. It panics when two entries have the same priority or codecs
// of the same name: the order of detection would be left to chance, or a
// codec could not be named.
func NewRegistry(entries ...Entry) *Registry {
	es := slices.Clone(entries)
	slices.SortStableFunc(es, func(a, b Entry) int { return cmp.Compare(a.Priority, b.Priority) })
	r := &Registry{}
	for i, e := range es {
		if i > 0 && es[i-1].Priority == e.Priority {
			panic(fmt.Sprintf("format: codecs %q and %q both have priority %d", es[i-1].Codec.Name(), e.Codec.Name(), e.Priority))
		}
		if r.ByName(e.Codec.Name()) != nil {
			panic(fmt.Sprintf("format: two codecs named %q", e.Codec.Name()))
		}
		r.codecs = append(r.codecs, e.Codec)
	}
	return r
}

// Codecs returns the codecs in detection order.
func (r *Registry) Codecs() []Codec {
	return slices.Clone(r.codecs)
}

// ByName returns the codec with the given name, or nil.
func (r *Registry) ByName(name string) Codec {
	for _, c := range r.codecs {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// Detect returns the first codec, in detection order, that recognises the
// input, or nil.
func (r *Registry) Detect(name string, head []byte) Codec {
	for _, c := range r.codecs {
		if c.Detect(name, head) {
			return c
		}
	}
	return nil
}

// Sniff wraps rd in a buffered reader, peeks at its head and returns the
// codec that recognises it (nil when none does) along with a reader that
// still yields every byte of rd.
func (r *Registry) Sniff(name string, rd io.Reader) (Codec, io.Reader, error) {
	br := bufio.NewReaderSize(rd, HeadSize)
	head, err := br.Peek(HeadSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, br, err
	}
	return r.Detect(name, head), br, nil
}
