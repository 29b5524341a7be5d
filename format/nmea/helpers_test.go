package nmea

import (
	"bytes"
	"context"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// rec is a copy of what a record said, kept after the call.
type rec struct {
	r     geowarden.Record
	attrs map[string]string
}

var attrNames = []string{"talker", "type", "time", "quality", "sats", "hdop", "status", "mode", "name", "date", "mmsi", "msgtype"}

// testHandler records what the codec reports. edit decides each record's
// Edit (nil keeps all); bad decides bad records (nil stops on the first).
type testHandler struct {
	edit    func(r *geowarden.Record) geowarden.Edit
	bad     func(e *format.ParseError) error
	recs    []rec
	bads    []*format.ParseError
	notices []format.Notice
}

func (h *testHandler) Record(r *geowarden.Record) geowarden.Edit {
	c := rec{r: *r, attrs: map[string]string{}}
	c.r.Attrs = nil
	for _, n := range attrNames {
		if v, ok := r.Attrs.Attr(n); ok {
			c.attrs[n] = v
		}
	}
	h.recs = append(h.recs, c)
	if h.edit != nil {
		return h.edit(r)
	}
	return geowarden.Keep
}

func (h *testHandler) Bad(e *format.ParseError) error {
	h.bads = append(h.bads, e)
	if h.bad != nil {
		return h.bad(e)
	}
	return e
}

func (h *testHandler) Notice(n *format.Notice) { h.notices = append(h.notices, *n) }

func dropBad(*format.ParseError) error { return nil }

// rewrite runs the codec over in and returns the output.
func rewrite(t testing.TB, c Codec, in []byte, h *testHandler) ([]byte, error) {
	t.Helper()
	var out bytes.Buffer
	err := c.Rewrite(context.Background(), bytes.NewReader(in), &out, h, &format.Options{Name: "in"})
	return out.Bytes(), err
}
