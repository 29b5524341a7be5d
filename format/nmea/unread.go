package nmea

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// Limits on AIS messages being reassembled.
const (
	// maxAISPending is how many multi-fragment messages may be incomplete
	// at once; a new one abandons the oldest.
	maxAISPending = 16
	// maxAISGap is how many items may follow a message's first fragment
	// before its last one comes; then the message is abandoned.
	maxAISGap = 64
)

// aisGroup is a multi-fragment AIS message being reassembled.
type aisGroup struct {
	key     string // address, sequence id and channel
	count   int    // fragments in all
	next    int    // the number of the fragment expected next
	payload []byte
	items   []int // the epoch items of its fragments so far
	dead    bool  // abandoned
}

// aisSentence adds an AIS sentence: a message in one sentence is decoded at
// once; the fragments of a longer one are collected, and the message is
// decoded with its last fragment, whose item then holds the record.
func (rw *rewriter) aisSentence(it item, b []byte) error {
	var f aisFrag
	s := &rw.s
	if msg := s.aisFields(&f); msg != "" {
		it.unread = "AIS sentence: " + msg
		return rw.add(it, b)
	}
	if f.count == 1 {
		m, msg := decodeAIS(bytes.Clone(f.payload), f.fill)
		it.fragN = len(f.payload)
		setAIS(&it, m, msg)
		return rw.add(it, b)
	}
	key := fmt.Sprintf("%s,%s,%s", s.field(0), f.seq, f.channel)
	i := slices.IndexFunc(rw.frags, func(g *aisGroup) bool { return g.key == key })
	var g *aisGroup
	if i >= 0 {
		g = rw.frags[i]
	}
	if f.num == 1 {
		if g != nil {
			rw.abandon(g, "a new message with the same sequence id began")
		}
		if len(rw.frags) >= maxAISPending {
			rw.abandon(rw.frags[0], "too many incomplete messages")
		}
		g = &aisGroup{key: key, count: f.count, next: 1}
		rw.frags = append(rw.frags, g)
	}
	if g == nil || g.next != f.num || g.count != f.count {
		if g != nil {
			rw.abandon(g, fmt.Sprintf("fragment %d of %d came next", f.num, f.count))
		}
		it.unread = fmt.Sprintf("AIS fragment %d of %d without the fragments before it", f.num, f.count)
		return rw.add(it, b)
	}
	if len(g.payload)+len(f.payload) > maxAISChars {
		rw.abandon(g, fmt.Sprintf("payload longer than %d characters", maxAISChars))
		it.unread = fmt.Sprintf("AIS fragment %d of %d of a payload longer than %d characters", f.num, f.count, maxAISChars)
		return rw.add(it, b)
	}
	it.fragAt, it.fragN = len(g.payload), len(f.payload)
	g.payload = append(g.payload, f.payload...)
	g.next++
	if err := rw.add(it, b); err != nil {
		return err
	}
	e := &rw.ep
	idx := len(e.items) - 1
	if g.dead {
		// add wrote out the epoch, and the message's first fragments with it.
		e.items[idx].unread = fmt.Sprintf("AIS fragment %d of %d of a message cut by the end of an epoch", f.num, f.count)
		return nil
	}
	g.items = append(g.items, idx)
	if f.num < f.count {
		return nil
	}
	rw.frags = slices.DeleteFunc(rw.frags, func(x *aisGroup) bool { return x == g })
	m, msg := decodeAIS(g.payload, f.fill)
	setAIS(&e.items[idx], m, msg)
	for _, j := range g.items[:len(g.items)-1] {
		e.items[j].lead = idx + 1
		e.items[j].unread = e.items[idx].unread
	}
	return nil
}

// setAIS sets what a decoded message says on the item that holds it.
func setAIS(it *item, m *aisMsg, msg string) {
	if msg != "" {
		it.unread = "AIS message: " + msg
		return
	}
	it.ais = m
	if m.hasPos {
		it.record = true
		it.v.pos, it.v.hasPos = m.pos, true
	}
}

// abandon gives up an incomplete AIS message: its fragments so far are
// unreadable.
func (rw *rewriter) abandon(g *aisGroup, why string) {
	for k, j := range g.items {
		rw.ep.items[j].unread = fmt.Sprintf("AIS fragment %d of %d of an incomplete message (%s)", k+1, g.count, why)
	}
	g.dead = true
	rw.frags = slices.DeleteFunc(rw.frags, func(x *aisGroup) bool { return x == g })
}

// abandonAll abandons every incomplete AIS message.
func (rw *rewriter) abandonAll(why string) {
	for len(rw.frags) > 0 {
		rw.abandon(rw.frags[0], why)
	}
}

// expire abandons the AIS messages whose first fragment is more than
// maxAISGap items back.
func (rw *rewriter) expire() {
	n := len(rw.ep.items)
	for _, g := range slices.Clone(rw.frags) {
		if len(g.items) > 0 && n-g.items[0] > maxAISGap {
			rw.abandon(g, fmt.Sprintf("the next fragment did not come within %d lines", maxAISGap))
		}
	}
}

// notifyUnread reports an unreadable sentence.
func (rw *rewriter) notifyUnread(it *item) {
	what := "removed"
	if rw.keepUnread {
		what = "passed through unchanged"
	}
	format.Notify(rw.h, &format.Notice{
		Ref:     geowarden.Ref{File: rw.name, Line: it.line, Offset: it.offset, Feature: -1},
		Kind:    "unreadable",
		Message: fmt.Sprintf("%s: %s", it.unread, what),
		Dropped: !rw.keepUnread,
	})
}

// writeAIS writes an AIS sentence, with the payload bits of its message's
// position rewritten when the message's record was moved.
func (rw *rewriter) writeAIS(it, lead *item, b []byte) {
	m := lead.ais
	te := timeEditOf(&lead.edit)
	if !m.hasTime() {
		te = timeEdit{}
	}
	if !lead.record || !lead.edit.Move && !te.any() {
		rw.write(b)
		return
	}
	if m.out == nil {
		m.out = m.edited(lead.edit.Move, lead.edit.Pos, te)
	}
	s := &rw.ws
	if s.parse(b[it.s0:it.s1]) != nil || it.fragAt+it.fragN > len(m.out) {
		rw.write(b) // cannot happen: it parsed when it was read
		return
	}
	w := append(rw.wbuf[:0], s.text[0])
	for i := range s.nfields() {
		if i > 0 {
			w = append(w, ',')
		}
		if i == 5 {
			w = append(w, m.out[it.fragAt:it.fragAt+it.fragN]...)
		} else {
			w = append(w, s.field(i)...)
		}
	}
	w = appendSum(w, s)
	rw.wbuf = w
	rw.write(b[:it.s0])
	rw.write(w)
	rw.write(b[it.s1:])
}

// appendSum appends the checksum of w (from its second byte) when s had
// one, in the case s had it.
func appendSum(w []byte, s *sentence) []byte {
	if !s.sum {
		return w
	}
	x := xor(w[1:])
	digits := "0123456789ABCDEF"
	if s.lower {
		digits = "0123456789abcdef"
	}
	return append(w, '*', digits[x>>4], digits[x&15])
}

// knownNoPos are the proprietary sentences, by address (and first field
// where the address is shared), that this package knows to hold no
// position: they pass as they are. Other proprietary sentences with two or
// more fields holding digits may hold a position in a layout this package
// does not read: they are unreadable.
var knownNoPos = map[string]bool{
	// Garmin (GPS 18x/GPSmap technical specifications): estimated error,
	// altitude, datum, sensor status, velocity, beacon, aviation heights,
	// waypoint extras (name, altitude, symbol; the position is in the WPL
	// that goes with it), configuration and output selection.
	"PGRME": true, "PGRMZ": true, "PGRMM": true, "PGRMT": true, "PGRMV": true,
	"PGRMB": true, "PGRMH": true, "PGRMW": true, "PGRMC": true, "PGRMC1": true, "PGRMO": true,
	// u-blox: satellite status, time of day and clock, port and rate
	// configuration.
	"PUBX,03": true, "PUBX,04": true, "PUBX,40": true, "PUBX,41": true,
	// Magellan status and commands.
	"PMGNST": true, "PMGNCMD": true,
	// MediaTek acknowledgement, text, release; GlobalTop antenna status.
	"PMTK001": true, "PMTK010": true, "PMTK011": true, "PMTK705": true, "PGTOP": true,
	// SiRF estimated position errors and text.
	"PSRFEPE": true, "PSRFTXT": true,
	// True North Technologies heading and attitude.
	"PTNTHTM": true, "PTNTHPR": true,
	// Ashtech/Magellan attitude and satellites.
	"PASHR,ATT": true, "PASHR,SAT": true,
}

// unreadable says why a sentence of a layout this package does not read
// may hold a position, or returns "": a proprietary sentence not known to
// hold none, or any sentence with latitude and longitude fields
// (ddmm.mmmm,N,dddmm.mmmm,E).
func unreadable(s *sentence) string {
	addr := s.field(0)
	if hasLatLon(s) {
		return fmt.Sprintf("$%s sentence with latitude and longitude fields of a layout not read", addr)
	}
	if len(addr) < 2 || addr[0] != 'P' || knownNoPos[string(addr)] || knownNoPos[string(addr)+","+string(s.field(1))] {
		return ""
	}
	if string(addr) == "PASHR" && isTimeField(s.field(1)) {
		return "" // the attitude sentence: time, heading, roll, pitch, heave
	}
	n := 0
	for i := 1; i < s.nfields(); i++ {
		if bytes.ContainsAny(s.field(i), "0123456789") {
			n++
		}
	}
	if n < 2 {
		return "" // a query, a command or a status word: no room for a position
	}
	return fmt.Sprintf("proprietary sentence $%s of unknown layout", addrWithSub(s))
}

func addrWithSub(s *sentence) []byte {
	a := s.field(0)
	if f := s.field(1); len(f) > 0 && len(f) <= 8 && isWord(f) {
		return fmt.Appendf(nil, "%s,%s", a, f)
	}
	return a
}

func isWord(b []byte) bool {
	for _, c := range b {
		if !isAlnum(c) {
			return false
		}
	}
	return true
}

func isTimeField(b []byte) bool {
	_, _, _, ok := parseTOD(b)
	return ok
}

// hasLatLon reports whether four consecutive fields look like a position:
// ddmm(.m...), N or S, dddmm(.m...), E or W.
func hasLatLon(s *sentence) bool {
	for i := 1; i+3 < s.nfields(); i++ {
		lat, ns, lon, ew := s.field(i), s.field(i+1), s.field(i+2), s.field(i+3)
		if coordLike(lat, 4) && (string(ns) == "N" || string(ns) == "S") &&
			coordLike(lon, 5) && (string(ew) == "E" || string(ew) == "W") {
			return true
		}
	}
	return false
}

func coordLike(b []byte, digits int) bool {
	ip, _, _, ok := splitNum(b)
	return ok && len(ip) == digits
}
