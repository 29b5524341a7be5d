// Package proto is the contract between the gateway and the device
// protocols it speaks (OsmAnd/Traccar, OwnTracks HTTP, geosubmit v2): how one
// request becomes records, how an edited record is written back in the
// protocol's own form, and how kept messages go upstream in that form.
//
// A protocol is pure translation: it holds no state, does no I/O beyond the
// request it is given and the upstream requests it builds, and never decides
// what is kept. The gateway classifies each Message.Record with the same
// stages as the file pipeline, stores the messages it keeps (Raw, or the
// bytes Rewrite returns) in its outbox, and forwards them with Forward.
package proto

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/geowarden/geowarden"
)

// Message is one record of a request, as the device sent it.
type Message struct {
	// Record is what classify and the policy see. Record.Source names the
	// device when the protocol carries an identity (OsmAnd id, OwnTracks
	// user/device or tid); Record.Ref.Feature is the message's index in
	// its request.
	Record geowarden.Record
	// Raw is the message as received (a query string, a JSON object),
	// without geowarden's own credentials, forwarded unchanged when the
	// record is kept.
	Raw []byte
	// Meta is what the protocol needs beside Raw to forward the message
	// (for example OwnTracks' X-Limit-U and X-Limit-D headers), in a form
	// of its own choosing; stored with Raw and given back to Forward.
	Meta []byte
	// Key identifies the message for de-duplication of devices' resends:
	// the same message sent twice has the same key (device identity and
	// time where the protocol has them, else a hash of Raw).
	Key string
	// Pass marks a message that holds no position and is forwarded as it
	// is (an OwnTracks _type other than a position report). Record.Shape
	// is geowarden.ShapeNone; its free text is still checked.
	Pass bool
}

// Out is a message on its way upstream: its bytes (Raw, or Rewrite's) and
// its Meta.
type Out struct {
	Body []byte
	Meta []byte
}

// Result is what became of one request's records.
type Result struct {
	Received, Kept, Modified, Dropped, Findings int
}

// Protocol is one device protocol.
type Protocol interface {
	// Name is the route's name in the configuration, metrics and logs.
	Name() string
	// Decode reads the messages of one request. body is the request's
	// body, already bounded by the route's size limit; the query string
	// and headers are read from r. An error is the device's fault (the
	// gateway answers 400 with the error's text): it names what was wrong
	// and where (message index, field).
	Decode(r *http.Request, body io.Reader) ([]Message, error)
	// Rewrite returns m's bytes with the edit applied (moved positions,
	// stripped or replaced attributes, redacted text). It is called only
	// for an edit that neither keeps nor drops the record. An error means
	// the edit cannot be expressed in the protocol: the message is
	// dropped, never forwarded unedited.
	Rewrite(m *Message, e *geowarden.Edit) ([]byte, error)
	// Forward builds the upstream requests that carry msgs in the
	// protocol's own form (one request per message where the protocol
	// has no batch form), addressed to upstream.
	Forward(ctx context.Context, upstream *url.URL, msgs []Out) ([]*http.Request, error)
	// Reply writes the answer the device expects once its request is
	// stored durably.
	Reply(w http.ResponseWriter, r *http.Request, res Result)
}
