package osmand

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/server/proto"
)

// TokenParam is the parameter that carries geowarden's own token: it is
// never part of Raw, so never forwarded.
const TokenParam = "token"

// Protocol is the OsmAnd protocol. The zero value is ready to use.
type Protocol struct{}

// Interface guards.
var (
	_ proto.Protocol  = Protocol{}
	_ geowarden.Attrs = (*query)(nil)
	_ geowarden.Attrs = (*jsonReport)(nil)
)

// Name returns "osmand".
func (Protocol) Name() string { return "osmand" }

// Meta says how a message came, so that it goes upstream the same way:
// the method, the form (q: parameters in the query string; b: in a form
// body; j: a JSON body) and, for a body, its content type.
func meta(method string, form byte, contentType string) []byte {
	b := make([]byte, 0, len(method)+3+len(contentType))
	b = append(b, method...)
	b = append(b, ' ', form)
	if contentType != "" {
		b = append(append(b, ' '), contentType...)
	}
	return b
}

// Metas of the common requests, shared (full capacity: an append copies).
var (
	metaGet  = []byte("GET q")[:5:5]
	metaPost = []byte("POST q")[:6:6]
)

func parseMeta(m []byte) (method string, form byte, contentType string, err error) {
	method, rest, ok := strings.Cut(string(m), " ")
	if !ok || rest == "" || method == "" {
		return "", 0, "", fmt.Errorf("osmand: bad message meta %q", m)
	}
	form = rest[0]
	if len(rest) > 2 {
		contentType = rest[2:]
	}
	return method, form, contentType, nil
}

// box holds one query-form message and what it was read from, in one
// allocation.
type box struct {
	msg [1]proto.Message
	q   query
}

// Decode reads one report: the query form of a GET or POST, or the JSON
// form of a POST with Content-Type application/json.
func (Protocol) Decode(r *http.Request, body io.Reader) ([]proto.Message, error) {
	if isJSON(r.Header.Get("Content-Type")) {
		return decodeJSON(r, body)
	}
	raw := stripToken(r.URL.RawQuery)
	m := metaGet
	if r.Method != http.MethodGet {
		m = metaPost
		if r.Method != http.MethodPost {
			m = meta(r.Method, 'q', "")
		}
	}
	if !hasParams(raw) {
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, fmt.Errorf("osmand: reading the body: %w", err)
		}
		raw = stripToken(string(b))
		if !hasParams(raw) {
			return nil, errors.New("osmand: no parameters in the query string or the body")
		}
		m = meta(r.Method, 'b', r.Header.Get("Content-Type"))
	}
	bx := new(box)
	q, msg := &bx.q, &bx.msg[0]
	if err := q.parse(raw, &msg.Record); err != nil {
		return nil, fmt.Errorf("osmand: %w", err)
	}
	msg.Record.Attrs = q
	msg.Raw, msg.Meta = raw, m
	msg.Key = sourceAndKey(q.source, &msg.Record, raw)
	return bx.msg[:], nil
}

// sourceAndKey sets rec.Source to source and returns the message's key:
// the device and the time in milliseconds when the report has a time,
// else a hash of its bytes. The source is a prefix of the key's string.
func sourceAndKey(source []byte, rec *geowarden.Record, raw []byte) string {
	if !rec.Time.IsZero() {
		var b strings.Builder // one allocation, which String does not copy
		b.Grow(len(source) + 21)
		b.Write(source)
		b.WriteByte('|')
		var num [20]byte
		b.Write(strconv.AppendInt(num[:0], rec.Time.UnixMilli(), 10))
		k := b.String()
		rec.Source = k[:len(source)]
		return k
	}
	rec.Source = string(source)
	h := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(h[:16])
}

func isJSON(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// hasParams reports whether raw holds a parameter (not only '&').
func hasParams(raw []byte) bool {
	for _, c := range raw {
		if c != '&' {
			return true
		}
	}
	return false
}

// stripToken returns the parameters of s without geowarden's token (named
// "token" once unescaped, as the gateway reads it), in a new slice.
func stripToken(s string) []byte {
	var out []byte
	found, wrote := false, false
	for i := 0; i <= len(s); {
		j := strings.IndexByte(s[i:], '&')
		if j < 0 {
			j = len(s)
		} else {
			j += i
		}
		switch {
		case isToken(s[i:j]):
			if !found {
				out = make([]byte, 0, len(s))
				if i > 0 {
					out, wrote = append(out, s[:i-1]...), true
				}
				found = true
			}
		case found:
			if wrote {
				out = append(out, '&')
			}
			out, wrote = append(out, s[i:j]...), true
		}
		i = j + 1
	}
	if !found {
		return []byte(s)
	}
	return out
}

// isToken reports whether the parameter seg is named TokenParam.
func isToken(seg string) bool {
	if len(seg) == 0 || seg[0] != 't' && seg[0] != '%' {
		return false // a name that decodes to "token" starts so
	}
	name, _, _ := strings.Cut(seg, "=")
	if name == TokenParam {
		return true
	}
	if !escaped(name) {
		return false
	}
	n, err := url.QueryUnescape(name)
	return err == nil && n == TokenParam
}

// Rewrite returns the message with the edit applied: values replaced in
// place, stripped parameters (or members) removed.
func (Protocol) Rewrite(m *proto.Message, e *geowarden.Edit) ([]byte, error) {
	_, form, _, err := parseMeta(m.Meta)
	if err != nil {
		return nil, err
	}
	if form == 'j' {
		var j jsonReport
		if err := j.parse(m.Raw); err != nil {
			return nil, fmt.Errorf("osmand: %w", err)
		}
		return j.rewrite(e)
	}
	var q query
	var rec geowarden.Record
	if err := q.parse(m.Raw, &rec); err != nil {
		return nil, fmt.Errorf("osmand: %w", err)
	}
	return q.rewrite(e)
}

// Forward builds one request per message, with the method and form it
// came in: the parameters appended to upstream's query string (after its
// own), or as the body.
func (Protocol) Forward(ctx context.Context, upstream *url.URL, msgs []proto.Out) ([]*http.Request, error) {
	reqs := make([]*http.Request, 0, len(msgs))
	for _, o := range msgs {
		method, form, ct, err := parseMeta(o.Meta)
		if err != nil {
			return nil, err
		}
		u := *upstream
		var body io.Reader
		switch form {
		case 'q':
			if u.RawQuery != "" {
				u.RawQuery += "&" + string(o.Body)
			} else {
				u.RawQuery = string(o.Body)
			}
		case 'b', 'j':
			body = bytes.NewReader(o.Body)
		default:
			return nil, fmt.Errorf("osmand: bad message meta %q", o.Meta)
		}
		req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
		if err != nil {
			return nil, fmt.Errorf("osmand: %w", err)
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		reqs = append(reqs, req)
	}
	return reqs, nil
}

// Reply answers 200 with an empty body, as Traccar does when it has no
// command queued for the device.
func (Protocol) Reply(w http.ResponseWriter, _ *http.Request, _ proto.Result) {
	w.WriteHeader(http.StatusOK)
}

// Attr implements geowarden.Attrs: a parameter by name (ignoring case) or
// role.
func (q *query) Attr(name string) (string, bool) { return q.attr(name) }
