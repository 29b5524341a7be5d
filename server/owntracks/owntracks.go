package owntracks

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"golang.org/x/crypto/nacl/secretbox"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/server/internal/protojson"
	"github.com/geowarden/geowarden/server/proto"
)

// MaxMessages is the most messages one request may hold.
const MaxMessages = 10000

// KeySize is the most bytes an encryption secret may have.
const KeySize = 32

// Protocol is the OwnTracks HTTP protocol.
type Protocol struct {
	key *[KeySize]byte
}

// Interface guards.
var (
	_ proto.Protocol  = (*Protocol)(nil)
	_ geowarden.Attrs = (*message)(nil)
)

// An Option configures a Protocol.
type Option func(*Protocol) error

// WithKey sets the secret of the encrypted messages (the apps'
// encryptionKey): at most KeySize bytes, padded with zero bytes as the apps
// pad it.
func WithKey(secret []byte) Option {
	return func(p *Protocol) error {
		if len(secret) == 0 || len(secret) > KeySize {
			return fmt.Errorf("owntracks: an encryption key has 1 to %d bytes, not %d", KeySize, len(secret))
		}
		p.key = new([KeySize]byte)
		copy(p.key[:], secret)
		return nil
	}
}

// New returns the protocol with the options applied.
func New(opts ...Option) (*Protocol, error) {
	p := &Protocol{}
	for _, o := range opts {
		if err := o(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Name returns "owntracks".
func (*Protocol) Name() string { return "owntracks" }

// identity is who sent a request: the Recorder's user and device.
type identity struct{ user, device string }

func identityOf(r *http.Request) identity {
	id := identity{user: r.Header.Get("X-Limit-U"), device: r.Header.Get("X-Limit-D")}
	q := r.URL.Query()
	if id.user == "" {
		id.user = q.Get("u")
	}
	if id.device == "" {
		id.device = q.Get("d")
	}
	if id.user == "" {
		id.user, _, _ = r.BasicAuth()
	}
	return id
}

func (id identity) source() string {
	switch {
	case id.user != "" && id.device != "":
		return id.user + "/" + id.device
	case id.user != "":
		return id.user
	}
	return id.device
}

// meta is what goes upstream beside a message: the user and device, and
// whether it is encrypted. It is written as a query string.
func (id identity) meta() []byte {
	v := url.Values{}
	if id.user != "" {
		v.Set("u", id.user)
	}
	if id.device != "" {
		v.Set("d", id.device)
	}
	return []byte(v.Encode())
}

func parseMeta(m []byte) (identity, error) {
	v, err := url.ParseQuery(string(m))
	if err != nil {
		return identity{}, fmt.Errorf("owntracks: bad message meta %q", m)
	}
	return identity{user: v.Get("u"), device: v.Get("d")}, nil
}

// Decode reads the messages of one request.
func (p *Protocol) Decode(r *http.Request, body io.Reader) ([]proto.Message, error) {
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("owntracks: reading the body: %w", err)
	}
	if len(bytes.TrimLeft(raw, " \t\r\n")) == 0 {
		return nil, nil // a zero-length post: nothing to store
	}
	var d protojson.Doc
	if err := d.Parse(raw); err != nil {
		return nil, fmt.Errorf("owntracks: %w", err)
	}
	var roots []int
	switch d.Nodes[0].Kind {
	case protojson.Object:
		roots = []int{0}
	case protojson.Array:
		if d.Nodes[0].Len > MaxMessages {
			return nil, fmt.Errorf("owntracks: %d messages in one request (at most %d)", d.Nodes[0].Len, MaxMessages)
		}
		roots = d.Children(0, nil)
	default:
		return nil, fmt.Errorf("owntracks: the body is a JSON %s, want an object or an array of objects", d.Nodes[0].Kind)
	}
	id := identityOf(r)
	meta := id.meta()
	meta = meta[:len(meta):len(meta)] // shared by the messages: an append copies
	msgs := make([]proto.Message, 0, len(roots))
	for i, n := range roots {
		if d.Nodes[n].Kind != protojson.Object {
			return nil, fmt.Errorf("owntracks: message %d: a JSON %s, want an object", i, d.Nodes[n].Kind)
		}
		mraw := bytes.Clone(d.Raw(n))
		m, err := p.read(mraw, id)
		if err != nil {
			return nil, fmt.Errorf("owntracks: message %d: %w", i, err)
		}
		m.rec.Ref.Feature = i
		msgs = append(msgs, proto.Message{Record: m.rec, Raw: mraw, Meta: meta, Key: m.key(id, mraw), Pass: m.pass()})
		msgs[len(msgs)-1].Record.Attrs = m
	}
	return msgs, nil
}

// message is one parsed message: the plaintext one of an encrypted
// message.
type message struct {
	doc       protojson.Doc
	encrypted bool
	rec       geowarden.Record
	typ       string
	// Nodes: the message's lat, lon and tst (-1 when absent).
	lat, lon, tst int
	more          []protojson.Position
	text          []int
}

// read parses the message raw, decrypting it when it is encrypted.
func (p *Protocol) read(raw []byte, id identity) (*message, error) {
	m := &message{}
	if err := m.doc.Parse(raw); err != nil {
		return nil, err
	}
	typ, err := typeOf(&m.doc)
	if err != nil {
		return nil, err
	}
	if typ == "encrypted" {
		plain, err := p.decrypt(&m.doc)
		if err != nil {
			return nil, err
		}
		m.encrypted = true
		if err := m.doc.Parse(plain); err != nil {
			return nil, fmt.Errorf("the decrypted payload: %w", err)
		}
		if m.doc.Nodes[0].Kind != protojson.Object {
			return nil, fmt.Errorf("the decrypted payload is a JSON %s, want an object", m.doc.Nodes[0].Kind)
		}
		if typ, err = typeOf(&m.doc); err != nil {
			return nil, fmt.Errorf("the decrypted payload: %w", err)
		}
		if typ == "encrypted" {
			return nil, errors.New("the decrypted payload is encrypted again")
		}
	}
	m.typ = typ
	if err := m.decode(id); err != nil {
		if m.encrypted {
			return nil, fmt.Errorf("the decrypted payload: %w", err)
		}
		return nil, err
	}
	return m, nil
}

func typeOf(d *protojson.Doc) (string, error) {
	n := d.Get(0, "_type")
	if n < 0 {
		return "", errors.New("no _type")
	}
	if d.Nodes[n].Kind != protojson.String {
		return "", fmt.Errorf("_type: %s, want string", d.Nodes[n].Kind)
	}
	return string(d.Text(n, nil)), nil
}

// decrypt returns the plaintext of an encrypted message.
func (p *Protocol) decrypt(d *protojson.Doc) ([]byte, error) {
	if p.key == nil {
		return nil, errors.New("an encrypted payload, and no key is configured (WithKey)")
	}
	n := d.Get(0, "data")
	if n < 0 || d.Nodes[n].Kind != protojson.String {
		return nil, errors.New("an encrypted payload without a data string")
	}
	box, err := base64.StdEncoding.DecodeString(string(d.Text(n, nil)))
	if err != nil {
		return nil, fmt.Errorf("data: not base64: %w", err)
	}
	if len(box) < 24+secretbox.Overhead {
		return nil, fmt.Errorf("data: %d bytes, too short for a nonce and a box", len(box))
	}
	var nonce [24]byte
	copy(nonce[:], box)
	plain, ok := secretbox.Open(nil, box[24:], &nonce, p.key)
	if !ok {
		return nil, errors.New("data: does not decrypt with the configured key")
	}
	return plain, nil
}

// encrypt returns the data string of plain, with a fresh nonce.
func (p *Protocol) encrypt(plain []byte) (string, error) {
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", err
	}
	box := secretbox.Seal(nonce[:], plain, &nonce, p.key)
	return base64.StdEncoding.EncodeToString(box), nil
}

// notText are the members whose strings are not read for positions: the
// message's type and identifiers, and base64 images and payloads.
var notText = map[string]bool{"_type": true, "tid": true, "topic": true, "face": true, "image": true, "data": true}

// decode reads the record of the message.
func (m *message) decode(id identity) error {
	d, rec := &m.doc, &m.rec
	rec.Kind = geowarden.KindFix
	m.lat, m.lon, m.tst = d.Get(0, "lat"), d.Get(0, "lon"), d.Get(0, "tst")
	if (m.lat >= 0) != (m.lon >= 0) {
		return errors.New("lat without lon, or lon without lat")
	}
	if m.lat >= 0 {
		lat, ok1 := d.Coord(m.lat)
		lon, ok2 := d.Coord(m.lon)
		if !ok1 || !ok2 {
			return fmt.Errorf("lat, lon: %s, %s are not numbers", d.Raw(m.lat), d.Raw(m.lon))
		}
		if err := format.CheckPoint(lon, lat); err != nil {
			return err
		}
		rec.Shape, rec.Pos = geowarden.ShapePoint, geowarden.Point{Lon: lon, Lat: lat}
	} else if m.typ == "location" {
		return errors.New("a location without lat and lon")
	}
	primary := func(n int) bool { return n == m.lat || n == m.lon }
	m.more = d.Positions(m.more[:0], 0, primary)
	for _, p := range m.more {
		rec.More = append(rec.More, p.Pos)
	}
	if m.tst >= 0 {
		v, ok := d.Coord(m.tst)
		if !ok || v < 0 || v != float64(int64(v)) || v > 253402300799 {
			return fmt.Errorf("tst: %s is not a unix time in seconds", d.Raw(m.tst))
		}
		rec.Time = time.Unix(int64(v), 0).UTC()
	}
	for _, f := range [...]string{"alt", "acc"} {
		n := d.Get(0, f)
		if n < 0 || d.Nodes[n].Kind == protojson.Null {
			continue
		}
		v, ok := d.Coord(n)
		if !ok {
			return fmt.Errorf("%s: %s is not a number", f, d.Raw(n))
		}
		if f == "alt" {
			rec.Alt, rec.HasAlt = v, true
		} else {
			rec.Accuracy, rec.HasAccuracy = v, true
		}
	}
	if n := d.Get(0, "SSID"); n >= 0 && d.Nodes[n].Kind == protojson.String {
		rec.Signal.SSID = string(d.Text(n, nil))
	}
	if n := d.Get(0, "BSSID"); n >= 0 && d.Nodes[n].Kind == protojson.String {
		rec.Signal.BSSID = string(d.Text(n, nil))
	}
	rec.Source = id.source()
	if rec.Source == "" {
		for _, f := range [...]string{"topic", "tid"} {
			if n := d.Get(0, f); n >= 0 && d.Nodes[n].Kind == protojson.String {
				rec.Source = string(d.Text(n, nil))
				break
			}
		}
	}
	skip := func(n int) bool {
		if k := d.Key(n, nil); k != nil && notText[string(k)] && d.Nodes[n].Parent == 0 {
			return true
		}
		for _, p := range m.more {
			if p.Lat == n || p.Lon == n {
				return true
			}
		}
		return n == m.lat || n == m.lon
	}
	rec.Text, m.text = d.Texts(rec.Text, m.text, 0, skip)
	return nil
}

// pass reports whether the message holds no position.
func (m *message) pass() bool {
	return m.rec.Shape == geowarden.ShapeNone && len(m.rec.More) == 0
}

// key is the message's key: the device, the type and the time when the
// message has a time, else a hash of its bytes.
func (m *message) key(id identity, raw []byte) string {
	if m.tst >= 0 && m.rec.Source != "" {
		return m.rec.Source + "|" + m.typ + "|" + strconv.FormatInt(m.rec.Time.Unix(), 10)
	}
	h := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(h[:16])
}

// roles are the members each role names.
var roles = protojson.Fields{
	"source":   {"tid", "topic"},
	"time":     {"tst"},
	"alt":      {"alt"},
	"accuracy": {"acc"},
	"ssid":     {"SSID"},
	"bssid":    {"BSSID"},
}

// Attr implements geowarden.Attrs: a member by name (ignoring case) or
// role, at any depth.
func (m *message) Attr(name string) (string, bool) { return m.doc.Attr(0, name, roles) }

// Rewrite returns the message with e applied: changed values rewritten in
// place, stripped members removed; an encrypted message is decrypted,
// edited and encrypted again with a fresh nonce.
func (p *Protocol) Rewrite(msg *proto.Message, e *geowarden.Edit) ([]byte, error) {
	id, err := parseMeta(msg.Meta)
	if err != nil {
		return nil, err
	}
	m, err := p.read(msg.Raw, id)
	if err != nil {
		return nil, fmt.Errorf("owntracks: %w", err)
	}
	out, err := m.rewrite(e)
	if err != nil || !m.encrypted {
		return out, err
	}
	data, err := p.encrypt(out)
	if err != nil {
		return nil, fmt.Errorf("owntracks: encrypting: %w", err)
	}
	var w protojson.Doc
	if err := w.Parse(msg.Raw); err != nil {
		return nil, err
	}
	ed := protojson.NewEditor(&w)
	ed.Replace(w.Get(0, "data"), protojson.AppendQuote(nil, []byte(data)))
	return ed.Bytes()
}

func (m *message) rewrite(e *geowarden.Edit) ([]byte, error) {
	d := &m.doc
	ed := protojson.NewEditor(d)
	if e.Move {
		lat := m.lat
		if m.rec.Shape != geowarden.ShapePoint {
			lat = -1
		}
		if err := ed.Move(lat, m.lon, e.Pos, m.more, e.More); err != nil {
			return nil, fmt.Errorf("owntracks: %w", err)
		}
	}
	if e.Retime && m.tst >= 0 {
		v := strconv.AppendInt(nil, e.Time.Unix(), 10)
		if d.Nodes[m.tst].Kind == protojson.String {
			v = protojson.AppendQuote(nil, v)
		}
		ed.Replace(m.tst, v)
	}
	ed.Redact(m.rec.Text, m.text, e.Redact)
	ed.Attrs(0, e.Strip, e.Set, roles)
	return ed.Bytes()
}

// Forward builds one POST per message, with the device's X-Limit-U and
// X-Limit-D headers.
func (p *Protocol) Forward(ctx context.Context, upstream *url.URL, msgs []proto.Out) ([]*http.Request, error) {
	reqs := make([]*http.Request, 0, len(msgs))
	for _, o := range msgs {
		id, err := parseMeta(o.Meta)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, upstream.String(), bytes.NewReader(o.Body))
		if err != nil {
			return nil, fmt.Errorf("owntracks: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		if id.user != "" {
			req.Header.Set("X-Limit-U", id.user)
		}
		if id.device != "" {
			req.Header.Set("X-Limit-D", id.device)
		}
		reqs = append(reqs, req)
	}
	return reqs, nil
}

// Reply answers 200 with an empty JSON array: no commands, no friends.
func (*Protocol) Reply(w http.ResponseWriter, _ *http.Request, _ proto.Result) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("[]"))
}
