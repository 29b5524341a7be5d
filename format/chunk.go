package format

// A Chunker is a codec whose input can be cut at record boundaries into
// pieces that are processed independently and in parallel: each piece is
// given to Rewrite as the input's preamble (such as a CSV header) followed
// by the piece's bytes, and its output, less the preamble written back,
// is the piece's share of the whole output. A codec implements Chunker
// only for inputs where that gives exactly the result of one sequential
// Rewrite.
type Chunker interface {
	// Preamble returns the length of the bytes at the start of the input
	// that every piece needs in front of it (0 for none), given head, the
	// first bytes of the input (at least 1 MiB unless the input is
	// shorter; atEOF reports whether head is the whole input). ok is false
	// when this input cannot be cut (for example a GeoJSON
	// FeatureCollection, or a header longer than head): the caller then
	// reads it in one piece.
	Preamble(head []byte, atEOF bool, opts *Options) (n int, ok bool)
	// Boundary returns the length of the longest prefix of buf that ends
	// at a record boundary, given that buf itself starts at one and that
	// preamble is the input's preamble; 0 when buf holds no complete
	// record.
	Boundary(preamble, buf []byte, opts *Options) int
}
