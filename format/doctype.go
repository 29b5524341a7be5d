package format

// DoctypeLen returns the length of the XML document type declaration at
// the start of b ("<!DOCTYPE ...>"), skipping quoted strings and an
// internal subset in brackets, or -1 when b ends before it does. The XML
// codecs' Detect use it to look past a DOCTYPE for the root element.
func DoctypeLen(b []byte) int {
	var q byte
	depth := 0
	for i := len("<!DOCTYPE"); i < len(b); i++ {
		c := b[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '>' && depth <= 0:
			return i + 1
		}
	}
	return -1
}
