package geosubmit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/server/internal/protojson"
	"github.com/geowarden/geowarden/server/proto"
)

// Limits.
const (
	MaxItems        = 10000   // items in one request
	MaxObservations = 2000    // observations in one item, all arrays
	MaxBatch        = 100     // items in one upstream request
	maxBatchBytes   = 1 << 20 // bytes of one upstream request, unless one item is larger
)

// Protocol is the geosubmit v2 protocol. The zero value is ready to use.
type Protocol struct{}

// Interface guards.
var (
	_ proto.Protocol  = Protocol{}
	_ geowarden.Attrs = (*part)(nil)
)

// Name returns "geosubmit".
func (Protocol) Name() string { return "geosubmit" }

// Decode reads the items of one request, each as its fix and one message
// per observation (see the package documentation).
func (Protocol) Decode(_ *http.Request, body io.Reader) ([]proto.Message, error) {
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("geosubmit: reading the body: %w", err)
	}
	var d protojson.Doc
	if err := d.Parse(raw); err != nil {
		return nil, fmt.Errorf("geosubmit: %w", err)
	}
	if d.Nodes[0].Kind != protojson.Object {
		return nil, fmt.Errorf("geosubmit: the body is a JSON %s, want an object with items", d.Nodes[0].Kind)
	}
	items := d.Get(0, "items")
	if items < 0 || d.Nodes[items].Kind != protojson.Array {
		return nil, errors.New(`geosubmit: no "items" array`)
	}
	if n := d.Nodes[items].Len; n > MaxItems {
		return nil, fmt.Errorf("geosubmit: %d items (at most %d)", n, MaxItems)
	}
	var msgs []proto.Message
	for i, it := 0, d.Nodes[items].First; it >= 0; i, it = i+1, d.Nodes[it].Next {
		var err error
		if msgs, err = split(&d, i, it, msgs); err != nil {
			return nil, fmt.Errorf("geosubmit: %w", err)
		}
	}
	return msgs, nil
}

// split checks item it, the i-th of the request, and appends its messages.
func split(d *protojson.Doc, i, it int, msgs []proto.Message) ([]proto.Message, error) {
	r := reader{d}
	if k := d.Nodes[it].Kind; k != protojson.Object {
		return nil, r.errf(it, "a JSON %s, want an object", k)
	}
	var scratch geowarden.Record
	x, err := r.readItem(it, &scratch)
	if err != nil {
		return nil, err
	}
	base := d.Nodes[it].Start
	src := d.Raw(it)
	sum := sha256.Sum256(src)
	id := hex.EncodeToString(sum[:8]) + "-" + strconv.Itoa(i)
	// cut empties every observation array.
	var cut []protojson.Splice
	fix := meta{id: id}
	type obs struct {
		a, index, node int
		gap            []byte
	}
	var all []obs
	count := 0
	for a, an := range x.arrays {
		if an < 0 {
			continue
		}
		in := d.Inner(an)
		cut = append(cut, protojson.Splice{Start: in.Start - base, End: in.End - base})
		arr := arrayMeta{present: true}
		at := in.Start
		for idx, el := 0, d.Nodes[an].First; el >= 0; idx, el = idx+1, d.Nodes[el].Next {
			if count++; count > MaxObservations {
				return nil, r.errf(it, "more than %d observations", MaxObservations)
			}
			if err := r.readObservation(a, el, &scratch); err != nil {
				return nil, err
			}
			gap := d.Src[at:d.Nodes[el].Start]
			at = d.Nodes[el].End
			arr.count++
			if a == wifiAccessPoints && noMap(d, el) {
				arr.removed = true
				continue
			}
			all = append(all, obs{a, idx, el, gap})
		}
		arr.trail = d.Src[at:in.End]
		fix.arrays[a] = arr
	}
	body, err := protojson.Apply(src, cut)
	if err != nil {
		return nil, err
	}
	if msgs, err = appendPart(msgs, body, fix); err != nil {
		return nil, err
	}
	for _, o := range all {
		sp := slices.Clone(cut)
		for k := range sp {
			if in := d.Inner(x.arrays[o.a]); sp[k].Start == in.Start-base {
				sp[k].With = d.Raw(o.node)
			}
		}
		if body, err = protojson.Apply(src, sp); err != nil {
			return nil, err
		}
		m := meta{id: id, obs: true, array: o.a, index: o.index, gap: o.gap}
		if msgs, err = appendPart(msgs, body, m); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}

// appendPart reads the message body and appends it.
func appendPart(msgs []proto.Message, body []byte, m meta) ([]proto.Message, error) {
	p := &part{}
	if err := p.read(body); err != nil {
		return nil, fmt.Errorf("internal error: a message of the item does not read: %w", err)
	}
	p.rec.Ref.Feature = len(msgs)
	p.rec.Attrs = p
	sum := sha256.Sum256(body)
	return append(msgs, proto.Message{Record: p.rec, Raw: body, Meta: m.encode(), Key: "sha256:" + hex.EncodeToString(sum[:16])}), nil
}

// meta is what Forward needs to put an item's messages back together: the
// item, which observation the message holds (none for the fix) and the
// blanks and comma before it; for the fix, each array's count of
// observations, whether _nomap ones were left out, and the blanks before
// its ']'.
type meta struct {
	id           string
	obs          bool
	array, index int
	gap          []byte
	arrays       [numArrays]arrayMeta
}

type arrayMeta struct {
	present, removed bool
	count            int
	trail            []byte
}

const metaVersion = "g1"

// encode writes m as text: "g1 ID f c:COUNT:REMOVED:TRAIL …" for the fix,
// "g1 ID o w:INDEX:GAP" for an observation (blanks in hexadecimal).
func (m meta) encode() []byte {
	var b strings.Builder
	b.WriteString(metaVersion + " " + m.id)
	if m.obs {
		fmt.Fprintf(&b, " o %c:%d:%s", "cwb"[m.array], m.index, hex.EncodeToString(m.gap))
		return []byte(b.String())
	}
	b.WriteString(" f")
	for a, am := range m.arrays {
		if am.present {
			removed := 0
			if am.removed {
				removed = 1
			}
			fmt.Fprintf(&b, " %c:%d:%d:%s", "cwb"[a], am.count, removed, hex.EncodeToString(am.trail))
		}
	}
	return []byte(b.String())
}

func parseMeta(raw []byte) (meta, error) {
	bad := fmt.Errorf("geosubmit: bad message meta %q", raw)
	f := strings.Fields(string(raw))
	if len(f) < 3 || f[0] != metaVersion {
		return meta{}, bad
	}
	m := meta{id: f[1], obs: f[2] == "o"}
	for _, s := range f[3:] {
		p := strings.Split(s, ":")
		a := strings.IndexByte("cwb", p[0][0])
		if a < 0 || len(p[0]) != 1 {
			return meta{}, bad
		}
		n, err := strconv.Atoi(p[1])
		if err != nil || n < 0 {
			return meta{}, bad
		}
		blank, err := hex.DecodeString(p[len(p)-1])
		if err != nil || len(blank) > 0 && len(bytes.Trim(blank, " \t\r\n,")) > 0 {
			return meta{}, bad
		}
		switch {
		case m.obs && len(p) == 3:
			m.array, m.index, m.gap = a, n, blank
		case !m.obs && len(p) == 4:
			m.arrays[a] = arrayMeta{present: true, count: n, removed: p[2] == "1", trail: blank}
		default:
			return meta{}, bad
		}
	}
	if m.obs && len(f) != 4 {
		return meta{}, bad
	}
	return m, nil
}

// Rewrite returns the message with e applied.
func (Protocol) Rewrite(m *proto.Message, e *geowarden.Edit) ([]byte, error) {
	var p part
	if err := p.read(m.Raw); err != nil {
		return nil, fmt.Errorf("geosubmit: %w", err)
	}
	return p.rewrite(e)
}

// Forward puts each item's messages back together and posts the items in
// batches of up to MaxBatch.
func (Protocol) Forward(ctx context.Context, upstream *url.URL, msgs []proto.Out) ([]*http.Request, error) {
	items, err := assemble(msgs)
	if err != nil {
		return nil, err
	}
	var reqs []*http.Request
	var body []byte
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		body = append(body, "]}"...)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, upstream.String(), bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("geosubmit: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		reqs = append(reqs, req)
		body, n = nil, 0
		return nil
	}
	for _, it := range items {
		if n == MaxBatch || n > 0 && len(body)+len(it) > maxBatchBytes {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		if n == 0 {
			body = append(body, `{"items":[`...)
		} else {
			body = append(body, ',')
		}
		body = append(body, it...)
		n++
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return reqs, nil
}

// piece is one message on its way upstream, parsed.
type piece struct {
	m    meta
	skel []byte // the item with its observation arrays emptied
	obs  []byte // the observation, when the message has one
	doc  protojson.Doc
}

// group is the messages that go upstream as one item.
type group struct {
	fix  *piece
	obs  []*piece
	skel []byte
	id   string
}

func (g *group) has(p *piece) bool {
	if !p.m.obs {
		return g.fix != nil
	}
	for _, o := range g.obs {
		if o.m.array == p.m.array && o.m.index == p.m.index {
			return true
		}
	}
	return false
}

// assemble returns the items that carry msgs: messages of one item that
// agree on everything but their observation make one item.
func assemble(msgs []proto.Out) ([][]byte, error) {
	var groups []*group
	for i, o := range msgs {
		p, err := readPiece(o)
		if err != nil {
			return nil, fmt.Errorf("geosubmit: message %d: %w", i, err)
		}
		var g *group
		for _, c := range groups {
			if c.id == p.m.id && bytes.Equal(c.skel, p.skel) && !c.has(p) {
				g = c
				break
			}
		}
		if g == nil {
			g = &group{id: p.m.id, skel: p.skel}
			groups = append(groups, g)
		}
		if p.m.obs {
			g.obs = append(g.obs, p)
		} else {
			g.fix = p
		}
	}
	items := make([][]byte, 0, len(groups))
	for _, g := range groups {
		it, err := g.item()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// readPiece parses a message on its way upstream.
func readPiece(o proto.Out) (*piece, error) {
	m, err := parseMeta(o.Meta)
	if err != nil {
		return nil, err
	}
	p := &piece{m: m}
	d := &p.doc
	if err := d.Parse(o.Body); err != nil {
		return nil, err
	}
	if d.Nodes[0].Kind != protojson.Object {
		return nil, fmt.Errorf("a JSON %s, want an item object", d.Nodes[0].Kind)
	}
	var cut []protojson.Splice
	for a, name := range arrayNames {
		an := d.Get(0, name)
		if an < 0 || d.Nodes[an].Kind != protojson.Array {
			continue
		}
		cut = append(cut, d.Inner(an))
		if d.Nodes[an].Len > 1 || d.Nodes[an].Len == 1 && (!m.obs || a != m.array) {
			return nil, errParts
		}
		if d.Nodes[an].Len == 1 {
			p.obs = d.Raw(d.Nodes[an].First)
		}
	}
	if p.skel, err = protojson.Apply(d.Src, cut); err != nil {
		return nil, err
	}
	return p, nil
}

// item writes the group's item: its skeleton with each array filled with
// the observations of the group, in their order. An array whose every
// observation is there, with the fix that knows how many there were, gets
// its blanks and commas as they came, so that an item kept whole is the
// device's bytes.
func (g *group) item() ([]byte, error) {
	var d protojson.Doc
	if err := d.Parse(g.skel); err != nil {
		return nil, err
	}
	slices.SortFunc(g.obs, func(a, b *piece) int {
		if a.m.array != b.m.array {
			return a.m.array - b.m.array
		}
		return a.m.index - b.m.index
	})
	var fill []protojson.Splice
	for a, name := range arrayNames {
		an := d.Get(0, name)
		if an < 0 || d.Nodes[an].Kind != protojson.Array {
			continue
		}
		var obs []*piece
		for _, o := range g.obs {
			if o.m.array == a && o.obs != nil {
				obs = append(obs, o)
			}
		}
		whole := g.fix != nil && g.fix.m.arrays[a].present && !g.fix.m.arrays[a].removed && g.fix.m.arrays[a].count == len(obs)
		var inner []byte
		for k, o := range obs {
			whole = whole && o.m.index == k
			if k > 0 {
				inner = append(inner, ',')
			}
			inner = append(inner, o.obs...)
		}
		if whole {
			inner = inner[:0]
			for _, o := range obs {
				inner = append(append(inner, o.m.gap...), o.obs...)
			}
			inner = append(inner, g.fix.m.arrays[a].trail...)
		}
		in := d.Inner(an)
		fill = append(fill, protojson.Splice{Start: in.Start, End: in.End, With: inner})
	}
	return protojson.Apply(g.skel, fill)
}

// Reply answers 200 with an empty JSON object, as Ichnaea does.
func (Protocol) Reply(w http.ResponseWriter, _ *http.Request, _ proto.Result) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("{}"))
}
