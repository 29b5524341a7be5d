package format

import "github.com/geowarden/geowarden"

// Notice is something a codec reports that is not a record: a KML
// NetworkLink that is not followed, an embedded thumbnail whose position
// cannot be rewritten, a binary frame in an NMEA stream, content in a
// format geowarden does not read.
type Notice struct {
	Ref geowarden.Ref
	// Kind is a short stable name: "network-link", "unsupported",
	// "binary", ...
	Kind string
	// Message says what was found, in a sentence a user understands.
	Message string
	// Pos is the position the notice is about, when there is one.
	Pos *geowarden.Point
	// Dropped reports whether the codec left the thing out of the output.
	Dropped bool
}

// A Noticer receives notices. A Handler may implement it; codecs call
// Notice when the handler does (see Notify), in input order.
type Noticer interface {
	Notice(n *Notice)
}

// Notify hands n to h when h is a Noticer.
func Notify(h Handler, n *Notice) {
	if nt, ok := h.(Noticer); ok {
		nt.Notice(n)
	}
}
