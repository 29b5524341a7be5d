package nmea

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// ctxEvery is how many lines pass between checks of the context.
const ctxEvery = 4096

// pieceKind is what a part of a line is.
type pieceKind uint8

const (
	pkText     pieceKind = iota // text that is not a sentence, or an empty line
	pkBinary                    // binary data
	pkSentence                  // a sentence
)

// piece is a part of a line: raw[a:b], of which raw[s0:s1] is the
// sentence's text. A sentence that does not stand alone on its line owns
// term bytes at its end (its line terminator) that stay when it is
// dropped.
type piece struct {
	kind   pieceKind
	a, b   int
	s0, s1 int
	term   int
}

type itemKind uint8

const (
	itText     itemKind = iota // written as it is
	itBinary                   // written unless Codec.DropBinary
	itSentence                 // a sentence; perhaps a record
	itBad                      // a sentence that cannot be read: goes to Handler.Bad
	itNotice                   // a notice for the handler
)

// item is one part of an epoch. Its bytes, when kept, are
// epoch.buf[off:off+n].
type item struct {
	kind   itemKind
	off, n int
	s0, s1 int // the sentence's text within the item's bytes
	term   int // bytes at the end written when the sentence is dropped
	lay    *layout
	line   int
	offset int64
	v      values
	record bool
	edit   geowarden.Edit
	bad    *format.ParseError
	badFix bool // the bad sentence was a position fix
	notice *format.Notice
	// unread says why a sentence cannot be read though it may hold a
	// position; "" when it can. Options.KeepUnreadable decides its fate.
	unread string
	// AIS: the message, on the item of its last fragment; lead is the
	// index+1 of that item on the other fragments (0 on the item itself);
	// fragAt and fragN place the fragment's characters in the payload.
	ais           *aisMsg
	lead          int
	fragAt, fragN int
}

// epoch holds the sentences of one fix until its positions are decided.
type epoch struct {
	buf       []byte
	items     []item
	hasPos    bool     // a fix sentence (GGA, RMC, ...) is in the epoch
	keys      []uint64 // the addresses of its fix sentences
	posTOD    time.Duration
	hasPosTOD bool // the time of the first fix sentence that has one
	anyTOD    time.Duration
	hasAnyTOD bool // the first time of any fix or timed sentence
	date      civil
	hasDate   bool // the first date (RMC, ZDA, ...)
	carryDrop bool // the epoch was written in parts and dropped
}

func (e *epoch) reset() {
	clear(e.items)
	buf, items, keys := e.buf[:0], e.items[:0], e.keys[:0]
	*e = epoch{buf: buf, items: items, keys: keys}
}

// tod is the epoch's time of day.
func (e *epoch) tod() (time.Duration, bool) {
	if e.hasPosTOD {
		return e.posTOD, true
	}
	return e.anyTOD, e.hasAnyTOD
}

func sec(d time.Duration) time.Duration { return d.Truncate(time.Second) }

// startsNew reports whether a sentence of class cl, with address key and
// time tod, belongs to a new epoch (see the package documentation).
func (e *epoch) startsNew(cl class, key uint64, tod time.Duration, hasTOD bool) bool {
	switch cl {
	case clFix:
		if e.hasPos {
			if slices.Contains(e.keys, key) {
				return true
			}
			return hasTOD && e.hasPosTOD && tod != e.posTOD
		}
		return hasTOD && e.hasAnyTOD && sec(tod) != sec(e.anyTOD)
	case clTimed:
		if !hasTOD {
			return false
		}
		if e.hasPos {
			return e.hasPosTOD && sec(tod) != sec(e.posTOD)
		}
		return e.hasAnyTOD && sec(tod) != sec(e.anyTOD)
	}
	return false
}

// note adds what a sentence tells about its epoch.
func (e *epoch) note(cl class, key uint64, v *values) {
	switch cl {
	case clFix:
		e.hasPos = true
		if !slices.Contains(e.keys, key) {
			e.keys = append(e.keys, key)
		}
		if v.hasTOD && !e.hasPosTOD {
			e.posTOD, e.hasPosTOD = v.tod, true
		}
	case clTimed:
	default:
		return
	}
	if v.hasTOD && !e.hasAnyTOD {
		e.anyTOD, e.hasAnyTOD = v.tod, true
	}
	if v.hasDate && !e.hasDate {
		e.date, e.hasDate = v.date, true
	}
}

// addrKey packs the first eight bytes of an address.
func addrKey(a []byte) uint64 {
	var k uint64
	for i := 0; i < len(a) && i < 8; i++ {
		k = k<<8 | uint64(a[i])
	}
	return k
}

// binRun is a run of binary data being read.
type binRun struct {
	open bool
	line int
	off  int64
	n    int64
	head [16]byte
	hn   int
}

// rewriter is one run of Codec.Rewrite.
type rewriter struct {
	ctx        context.Context
	h          format.Handler
	name       string
	dropBinary bool
	keepUnread bool
	frags      []*aisGroup // AIS messages whose last fragment is still to come
	lx         *lexer
	out        *bufio.Writer // nil when only scanning
	werr       error         // the first write error
	last       byte          // the last byte written; 0 when none

	s      sentence // the sentence being read
	ws     sentence // the sentence being written
	as     sentence // the sentence Attrs reads
	pieces []piece
	ep     epoch
	bin    binRun

	// The running date: the date of the last epoch that had one, and the
	// time of day then.
	runDate civil
	runTOD  time.Duration
	runOK   bool

	rec   geowarden.Record
	attrs attrs
	wbuf  []byte
}

func (rw *rewriter) run() error {
	var c chunk
	for n := 1; rw.lx.next(&c); n++ {
		if n%ctxEvery == 0 {
			if err := rw.ctx.Err(); err != nil {
				return err
			}
			if rw.werr != nil {
				return fmt.Errorf("nmea: writing %s: %w", rw.name, rw.werr)
			}
		}
		if err := rw.chunk(&c); err != nil {
			return err
		}
	}
	if err := rw.lx.err; err != nil {
		return fmt.Errorf("nmea: reading %s: %w", rw.name, err)
	}
	if err := rw.endRun(); err != nil {
		return err
	}
	rw.abandonAll("the input ends")
	if err := rw.resolve(false); err != nil {
		return err
	}
	if rw.werr != nil {
		return fmt.Errorf("nmea: writing %s: %w", rw.name, rw.werr)
	}
	return nil
}

func (rw *rewriter) write(b []byte) {
	if rw.werr == nil && len(b) > 0 {
		_, rw.werr = rw.out.Write(b)
		rw.last = b[len(b)-1]
	}
}

// dropBinary leaves out binary data, keeping what was written before it on
// its line apart from what follows: it writes a line end when the output
// stands in the middle of a line, the data's own line end if it has one.
func (rw *rewriter) dropBinaryItem(b []byte, term int) {
	if rw.last == 0 || rw.last == '\n' || rw.last == '\r' {
		return
	}
	if term > 0 {
		rw.write(b[len(b)-term:])
	} else {
		rw.write([]byte{'\n'})
	}
}

// chunk handles one line, or the first part of a long one.
func (rw *rewriter) chunk(c *chunk) error {
	atStart := c.bol
	if c.long {
		if (atStart || c.raw[0] == '$' || c.raw[0] == '!') && isText(c.raw) {
			if err := rw.endRun(); err != nil {
				return err
			}
			it := item{kind: itBad, line: c.line, offset: c.off,
				bad: &format.ParseError{File: rw.name, Line: c.line, Column: c.col, Offset: c.off,
					Err: &nmeaError{msg: fmt.Sprintf("nmea: line longer than %d bytes", rw.lx.max), kind: ErrSyntax, cause: format.ErrTooLong}}}
			fix := false
			if c.raw[0] == '$' || c.raw[0] == '!' {
				if end := bytes.IndexByte(c.raw, ','); end > 0 && end <= maxAddress+1 {
					f1 := c.raw[end+1:]
					if i := bytes.IndexByte(f1, ','); i >= 0 {
						f1 = f1[:i]
					}
					l := lookup(c.raw[1:end], f1)
					fix = l.class == clFix
					if fix {
						key := addrKey(c.raw[1:end])
						if rw.ep.startsNew(clFix, key, 0, false) {
							if err := rw.boundary(); err != nil {
								return err
							}
						}
						rw.ep.note(clFix, key, &values{})
					}
				}
			}
			it.badFix = fix
			rw.lx.skipLine()
			if atStart {
				return rw.add(it, nil)
			}
			// The line began with binary data, which stays: keep it apart
			// from the next line.
			it.term = 1
			return rw.add(it, []byte{'\n'})
		}
		// Binary data. Sentences are looked for only in the last part of
		// the line, which fits the cap: keep the tail from the last '$' or
		// '!' for the next chunk.
		k := len(c.raw)
		if i := bytes.LastIndexAny(c.raw[1:], "$!"); i >= 0 {
			k = i + 1
		}
		if err := rw.binary(c.raw[:k], 0, c.line, c.off); err != nil {
			return err
		}
		rw.lx.consume(k, false, false)
		return nil
	}
	rw.split(c.raw, c.body, atStart)
	if err := rw.pieces2items(c, c.raw); err != nil {
		return err
	}
	term := c.raw[c.body:]
	newline := len(term) > 0 && (term[len(term)-1] == '\n' || rw.pieces[len(rw.pieces)-1].kind != pkBinary)
	rw.lx.consume(len(c.raw), len(term) > 0, newline)
	return nil
}

// printable reports whether c may be part of a sentence.
func printable(c byte) bool { return c >= 0x20 && c < 0x7F }

// trimEnd returns the end of b[i:j] without trailing blanks.
func trimEnd(b []byte, i, j int) int {
	for j > i && (b[j-1] == ' ' || b[j-1] == '\t') {
		j--
	}
	return j
}

// strict looks for a sentence with a valid checksum that starts at the
// last '$' or '!' of b[i:j] and ends at j, blanks aside. It returns the
// sentence's start and end, or -1.
func strict(b []byte, i, j int) (int, int) {
	e := trimEnd(b, i, j)
	if e-i < 5 || b[e-3] != '*' || !isHex(b[e-2]) || !isHex(b[e-1]) {
		return -1, -1
	}
	s := -1
	for k := e - 4; k >= i; k-- {
		if b[k] == '$' || b[k] == '!' {
			s = k
			break
		}
	}
	if s < 0 || s+1 > e-4 || unhex(b[e-2])<<4|unhex(b[e-1]) != xor(b[s+1:e-3]) {
		return -1, -1
	}
	n := 0
	for k := s + 1; k < e-3 && b[k] != ','; k++ {
		if !isAlnum(b[k]) {
			return -1, -1
		}
		n++
	}
	if n == 0 || n > maxAddress {
		return -1, -1
	}
	return s, e
}

// sentenceEnd returns the end of a sentence that starts at b[t] and runs
// to b[body], blanks aside. Some AIS receivers append fields after the
// checksum ("*5B,s36310,d-081"): the sentence ends at its checksum.
func sentenceEnd(b []byte, t, body int) int {
	e := trimEnd(b, t, body)
	if k := bytes.LastIndexByte(b[t:e], '*'); k >= 0 {
		k += t
		if k+3 < e && isHex(b[k+1]) && isHex(b[k+2]) && b[k+3] == ',' {
			return k + 3
		}
	}
	return e
}

// split divides raw (a line of body bytes and its terminator) into
// rw.pieces. A sentence at the start of a text line is read as one; a
// sentence after other text or binary data on the same line must have a
// valid checksum.
func (rw *rewriter) split(raw []byte, body int, atStart bool) {
	ps := rw.pieces[:0]
	defer func() { rw.pieces = ps }()
	b := raw[:body]
	other := pkText
	if !atStart || rw.bin.open && (body == 0 || b[0] != '#') {
		// The rest of a line that began with binary data, or a line
		// between binary data (binary frames hold line-end bytes).
		other = pkBinary
	}
	if body == 0 {
		if len(raw) > 0 {
			ps = append(ps, piece{kind: other, b: len(raw), term: len(raw)})
		}
		return
	}
	if isText(b) {
		t := 0
		for t < body && (b[t] == ' ' || b[t] == '\t') {
			t++
		}
		if atStart && t < body && (b[t] == '$' || b[t] == '!') {
			ps = append(ps, piece{kind: pkSentence, b: len(raw), s0: t, s1: sentenceEnd(b, t, body)})
			return
		}
		if s, e := strict(b, 0, body); s >= 0 {
			if s > 0 {
				ps = append(ps, piece{kind: other, b: s})
			}
			ps = append(ps, piece{kind: pkSentence, a: s, b: len(raw), s0: s, s1: e, term: len(raw) - e})
			return
		}
		ps = append(ps, piece{kind: other, b: len(raw), term: len(raw) - body})
		return
	}
	// Binary data, perhaps with sentences in it.
	pos, i := 0, 0
	if atStart && (b[0] == '$' || b[0] == '!') {
		// A position sentence cut short by binary data is read as far as
		// it goes, so that it is checked and can be dropped.
		j := 1
		for j < body && printable(b[j]) {
			j++
		}
		if s, _ := strict(b, 0, j); s < 0 {
			if l := peek(b[:j]); l.class == clFix || l.class == clWaypoint {
				ps = append(ps, piece{kind: pkSentence, b: j, s1: trimEnd(b, 0, j)})
				pos, i = j, j
			}
		}
	}
	for i < body {
		if !printable(b[i]) {
			i++
			continue
		}
		j := i
		for j < body && printable(b[j]) {
			j++
		}
		if s, e := strict(b, i, j); s >= 0 {
			if s > pos {
				ps = append(ps, piece{kind: pkBinary, a: pos, b: s})
			}
			ps = append(ps, piece{kind: pkSentence, a: s, b: e, s0: s, s1: e})
			pos = e
		}
		i = j
	}
	last := len(ps) - 1
	switch {
	case pos < body || last < 0:
		ps = append(ps, piece{kind: pkBinary, a: pos, b: len(raw), term: len(raw) - body})
	case ps[last].a == 0 && atStart:
		ps[last].b = len(raw) // the sentence is alone on its line
	default:
		ps[last].term = len(raw) - ps[last].b
		ps[last].b = len(raw)
	}
}

// pieces2items turns the pieces of a line into epoch items.
func (rw *rewriter) pieces2items(c *chunk, raw []byte) error {
	for _, p := range rw.pieces {
		var err error
		switch p.kind {
		case pkText:
			if err = rw.endRun(); err == nil {
				err = rw.add(item{kind: itText, line: c.line, offset: c.off + int64(p.a)}, raw[p.a:p.b])
			}
		case pkBinary:
			err = rw.binary(raw[p.a:p.b], p.term, c.line, c.off+int64(p.a))
		case pkSentence:
			if err = rw.endRun(); err == nil {
				err = rw.sentence(c, raw, p)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// peek guesses the layout of a sentence that does not parse.
func peek(text []byte) *layout {
	d := text[1:]
	if i := bytes.LastIndexByte(d, '*'); i >= 0 {
		d = d[:i]
	}
	addr, f1 := d, []byte(nil)
	if i := bytes.IndexByte(d, ','); i >= 0 {
		addr, f1 = d[:i], d[i+1:]
		if j := bytes.IndexByte(f1, ','); j >= 0 {
			f1 = f1[:j]
		}
	}
	return lookup(addr, f1)
}

func (rw *rewriter) sentence(c *chunk, raw []byte, p piece) error {
	text := raw[p.s0:p.s1]
	s := &rw.s
	var v values
	fe := s.parse(text)
	var l *layout
	if fe == nil {
		l = s.layout()
		fe = s.read(l, &v)
	} else {
		l = peek(text)
	}
	var key uint64
	if a := bytes.IndexByte(text, ','); a > 0 && a <= maxAddress+1 {
		key = addrKey(text[1:a])
	} else if fe == nil {
		key = addrKey(s.field(0))
	}
	if fe != nil {
		v = values{}
	}
	if rw.ep.startsNew(l.class, key, v.tod, v.hasTOD) {
		if err := rw.boundary(); err != nil {
			return err
		}
	}
	rw.ep.note(l.class, key, &v)
	it := item{line: c.line, offset: c.off + int64(p.s0), s0: p.s0 - p.a, s1: p.s1 - p.a, term: p.term, lay: l}
	if fe != nil {
		it.kind = itBad
		it.badFix = l.class == clFix
		it.bad = &format.ParseError{File: rw.name, Line: c.line, Column: c.col + p.s0 + fe.at,
			Offset: c.off + int64(p.s0+fe.at), Err: fe.err}
		if it.term == 0 {
			return rw.add(it, nil)
		}
		it.s0, it.s1 = 0, 0
		return rw.add(it, raw[p.b-p.term:p.b])
	}
	it.kind = itSentence
	it.v = v
	it.record = v.hasPos && (l.class == clFix || l.class == clWaypoint)
	switch l {
	case layAIS:
		return rw.aisSentence(it, raw[p.a:p.b])
	case layOther:
		it.unread = unreadable(s)
	}
	return rw.add(it, raw[p.a:p.b])
}

// boundary ends the epoch, unless an AIS message is still incomplete: its
// fragments stay together, and the epoch goes on.
func (rw *rewriter) boundary() error {
	if len(rw.frags) > 0 {
		return nil
	}
	return rw.resolve(false)
}

func (rw *rewriter) binary(b []byte, term int, line int, off int64) error {
	r := &rw.bin
	if !r.open {
		*r = binRun{open: true, line: line, off: off}
	}
	r.hn += copy(r.head[r.hn:], b)
	r.n += int64(len(b))
	return rw.add(item{kind: itBinary, term: term, line: line, offset: off}, b)
}

// protocol guesses the protocol of binary data from its first bytes.
func protocol(h []byte) string {
	switch {
	case bytes.HasPrefix(h, []byte("$PASHR,")):
		return "Ashtech"
	case len(h) >= 2 && h[0] == 0xD3 && h[1]&0xFC == 0:
		return "RTCM 3"
	case len(h) >= 1 && h[0] == 0x10:
		return "TSIP or Garmin"
	case bytes.Contains(h, []byte{0xB5, 0x62}):
		return "UBX"
	case bytes.Contains(h, []byte{0xA0, 0xA2}):
		return "SiRF"
	}
	return "unknown protocol"
}

// endRun ends a run of binary data with its notice.
func (rw *rewriter) endRun() error {
	r := &rw.bin
	if !r.open {
		return nil
	}
	r.open = false
	what := "passed through unchanged"
	if rw.dropBinary {
		what = "removed"
	}
	n := &format.Notice{
		Ref:     geowarden.Ref{File: rw.name, Line: r.line, Offset: r.off, Feature: -1},
		Kind:    "binary",
		Message: fmt.Sprintf("%d bytes of binary data (%s?), not read: %s", r.n, protocol(r.head[:r.hn]), what),
		Dropped: rw.dropBinary,
	}
	return rw.add(item{kind: itNotice, line: r.line, offset: r.off, notice: n}, nil)
}

// add appends an item and its bytes to the epoch, first writing out the
// epoch when it is full.
func (rw *rewriter) add(it item, b []byte) error {
	e := &rw.ep
	if rw.out == nil && it.kind != itSentence {
		b = nil
	}
	if len(rw.frags) > 0 {
		rw.expire()
	}
	full := len(e.items) >= MaxEpochSentences || len(e.buf)+len(b) > MaxEpochBytes
	if full && len(rw.frags) > 0 && len(e.items) < MaxEpochSentences+maxAISGap && len(e.buf)+len(b) <= 2*MaxEpochBytes {
		full = false // let the AIS message end first
	}
	if full {
		rw.abandonAll("the epoch is full")
		if err := rw.resolve(true); err != nil {
			return err
		}
	}
	it.off, it.n = len(e.buf), len(b)
	e.buf = append(e.buf, b...)
	e.items = append(e.items, it)
	return nil
}

// epochDate is the date of the current epoch: its own, or the running
// date, a day later when the time of day went back by more than 12 hours.
func (rw *rewriter) epochDate() (civil, bool) {
	e := &rw.ep
	if e.hasDate {
		return e.date, true
	}
	if !rw.runOK {
		return civil{}, false
	}
	d := rw.runDate
	if tod, ok := e.tod(); ok && tod < rw.runTOD-12*time.Hour {
		d = dateOf(d.at(24 * time.Hour))
	}
	return d, true
}

// resolve presents the epoch's records to the handler and writes the
// epoch. split says the epoch is full and goes on.
func (rw *rewriter) resolve(split bool) error {
	e := &rw.ep
	if len(e.items) == 0 {
		if !split {
			e.reset()
		}
		return nil
	}
	date, dateOK := rw.epochDate()
	drop := e.carryDrop
	for i := range e.items {
		it := &e.items[i]
		switch it.kind {
		case itSentence:
			if it.unread != "" {
				rw.notifyUnread(it)
				continue
			}
			if !it.record {
				continue
			}
			rw.fill(it, date, dateOK)
			it.edit = rw.h.Record(&rw.rec)
			if it.edit.Move && !it.edit.Drop && format.CheckPoint(it.edit.Pos.Lon, it.edit.Pos.Lat) != nil {
				it.edit.Drop = true // never write a position that cannot be written
			}
			if it.edit.Drop && it.lay.class == clFix {
				drop = true
			}
		case itBad:
			if err := rw.h.Bad(it.bad); err != nil {
				return err
			}
			if it.badFix {
				drop = true
			}
		case itNotice:
			format.Notify(rw.h, it.notice)
		}
	}
	if rw.out != nil {
		rw.writeEpoch(drop)
	}
	if dateOK {
		rw.runDate, rw.runOK = date, true
		if tod, ok := e.tod(); ok {
			rw.runTOD = tod
		}
	}
	if !split {
		e.reset()
		return nil
	}
	if e.hasPos && !drop {
		last := e.items[len(e.items)-1]
		format.Notify(rw.h, &format.Notice{
			Ref:  geowarden.Ref{File: rw.name, Line: last.line, Offset: last.offset, Feature: -1},
			Kind: "long-epoch",
			Message: fmt.Sprintf("an epoch of more than %d sentences or %d bytes is written in parts: "+
				"a position dropped after this line no longer removes the sentences before it", MaxEpochSentences, MaxEpochBytes),
		})
	}
	e.carryDrop = drop
	clear(e.items)
	e.items, e.buf = e.items[:0], e.buf[:0]
	return nil
}

// fill sets rw.rec from a record item.
func (rw *rewriter) fill(it *item, date civil, dateOK bool) {
	r := &rw.rec
	*r = geowarden.Record{
		Shape: geowarden.ShapePoint,
		Pos:   it.v.pos,
		Kind:  geowarden.KindFix,
		Attrs: &rw.attrs,
		Ref:   geowarden.Ref{File: rw.name, Line: it.line, Offset: it.offset, Feature: -1},
	}
	if it.lay.class == clWaypoint {
		r.Kind = geowarden.KindFeature
	}
	if it.v.hasAlt {
		r.Alt, r.HasAlt = it.v.alt, true
	}
	if it.ais != nil {
		r.Source = strconv.FormatUint(uint64(it.ais.mmsi), 10)
		r.Time = it.ais.time
	}
	if it.lay.class == clFix && it.v.hasTOD {
		switch {
		case it.v.hasDate:
			r.Time = it.v.date.at(it.v.tod)
		case dateOK:
			r.Time = date.at(it.v.tod)
		}
	}
	rw.attrs.it = it
}

// timeEdit is what happens to the time fields of a sentence.
type timeEdit struct {
	set   bool // write t
	clear bool // empty the fields
	t     time.Time
}

func (te timeEdit) any() bool { return te.set || te.clear }

// stripsTime reports whether an edit strips the time.
func stripsTime(ed *geowarden.Edit) bool {
	for _, n := range ed.Strip {
		if strings.EqualFold(n, "time") || strings.EqualFold(n, "date") {
			return true
		}
	}
	return false
}

func timeEditOf(ed *geowarden.Edit) timeEdit {
	switch {
	case stripsTime(ed):
		return timeEdit{clear: true}
	case ed.Retime:
		return timeEdit{set: true, t: ed.Time.UTC()}
	}
	return timeEdit{}
}

// writeEpoch writes the epoch's items.
func (rw *rewriter) writeEpoch(drop bool) {
	e := &rw.ep
	// The epoch's time edit: that of its first retimed fix; it applies to
	// every time in the epoch that no record's own edit covers.
	var ete timeEdit
	for i := range e.items {
		it := &e.items[i]
		if it.kind == itSentence && it.record && it.lay.class == clFix {
			if te := timeEditOf(&it.edit); te.any() {
				ete = te
				break
			}
		}
	}
	for i := range e.items {
		it := &e.items[i]
		b := e.buf[it.off : it.off+it.n]
		switch it.kind {
		case itText:
			rw.write(b)
		case itBinary:
			if rw.dropBinary {
				rw.dropBinaryItem(b, it.term)
			} else {
				rw.write(b)
			}
		case itBad:
			rw.write(b) // the terminator of a sentence that shared its line
		case itSentence:
			lead := it
			if it.lead > 0 {
				lead = &e.items[it.lead-1]
			}
			if drop || lead.record && lead.edit.Drop || it.unread != "" && !rw.keepUnread {
				rw.write(b[len(b)-it.term:])
				continue
			}
			if lead.ais != nil {
				rw.writeAIS(it, lead, b)
				continue
			}
			rw.writeSentence(it, b, ete)
		}
	}
}

// writeSentence writes a kept sentence with its edits.
func (rw *rewriter) writeSentence(it *item, b []byte, ete timeEdit) {
	l := it.lay
	move := it.record && it.edit.Move && l.lat > 0
	te := ete
	if it.record {
		if own := timeEditOf(&it.edit); own.any() {
			te = own
		}
	}
	if !te.any() || l.time == 0 && l.date == 0 && !l.zda {
		te = timeEdit{}
	}
	if !move && !te.any() {
		rw.write(b)
		return
	}
	s := &rw.ws
	if s.parse(b[it.s0:it.s1]) != nil {
		rw.write(b) // cannot happen: it parsed when it was read
		return
	}
	w := append(rw.wbuf[:0], s.text[0])
	p := it.edit.Pos
	for i := range s.nfields() {
		if i > 0 {
			w = append(w, ',')
		}
		f := s.field(i)
		switch {
		case move && i == l.lat:
			w = appendCoordField(w, math.Abs(p.Lat), 2, f)
		case move && i == l.lat+1:
			w = append(w, hemi(p.Lat, 'N', 'S'))
		case move && i == l.lat+2:
			w = appendCoordField(w, math.Abs(p.Lon), 3, f)
		case move && i == l.lat+3:
			w = append(w, hemi(p.Lon, 'E', 'W'))
		case te.any() && len(f) > 0 && l.time > 0 && i == l.time:
			if te.set {
				_, dec, dot, _ := parseTOD(f)
				w = appendTOD(w, te.t, dec, dot)
			}
		case te.any() && len(f) > 0 && l.date > 0 && i == l.date:
			if te.set {
				w = appendPadded(w, int64(te.t.Day()), 2)
				w = appendPadded(w, int64(te.t.Month()), 2)
				w = appendPadded(w, int64(te.t.Year()%100), 2)
			}
		case te.any() && len(f) > 0 && l.gpsWeek > 0 && (i == l.gpsWeek || i == l.gpsWeek+1):
			if te.set {
				w = appendGPSTime(w, te.t, s.field(l.leap), f, i == l.gpsWeek)
			}
		case te.any() && len(f) > 0 && l.zda && i >= 2 && i <= 4:
			if te.set {
				switch i {
				case 2:
					w = appendPadded(w, int64(te.t.Day()), 2)
				case 3:
					w = appendPadded(w, int64(te.t.Month()), 2)
				default:
					w = appendPadded(w, int64(te.t.Year()), 4)
				}
			}
		default:
			w = append(w, f...)
		}
	}
	w = appendSum(w, s)
	rw.wbuf = w
	rw.write(b[:it.s0])
	rw.write(w)
	rw.write(b[it.s1:])
}

func hemi(v float64, pos, neg byte) byte {
	if v < 0 {
		return neg
	}
	return pos
}

// appendCoordField writes a coordinate with as many decimals as the field
// it replaces.
func appendCoordField(dst []byte, v float64, degDigits int, old []byte) []byte {
	_, fp, dot, _ := splitNum(old)
	return appendCoord(dst, v, degDigits, len(fp), dot)
}

// attrs gives a record's sentence fields by name.
type attrs struct {
	rw *rewriter
	it *item
}

// Attr implements geowarden.Attrs.
func (a *attrs) Attr(name string) (string, bool) {
	it := a.it
	if it == nil {
		return "", false
	}
	e := &a.rw.ep
	b := e.buf[it.off : it.off+it.n]
	s := &a.rw.as
	if s.parse(b[it.s0:it.s1]) != nil {
		return "", false
	}
	l := it.lay
	switch strings.ToLower(name) {
	case "talker":
		return string(s.talker()), true
	case "type":
		return string(s.typ()), true
	case "sentence":
		return string(s.text), true
	case "mmsi":
		if it.ais != nil {
			return strconv.FormatUint(uint64(it.ais.mmsi), 10), true
		}
		return "", false
	case "msgtype":
		if it.ais != nil {
			return strconv.Itoa(it.ais.typ), true
		}
		return "", false
	case "time":
		if l.time > 0 && l.time < s.nfields() {
			return string(s.field(l.time)), true
		}
		return "", false
	}
	for _, af := range l.attrs {
		if strings.EqualFold(af.name, name) {
			if af.field < s.nfields() {
				return string(s.field(af.field)), true
			}
			return "", true
		}
	}
	return "", false
}

// gpsEpoch is the start of GPS time.
var gpsEpoch = time.Date(1980, 1, 6, 0, 0, 0, 0, time.UTC)

// appendGPSTime writes the GPS week (week true) or the GPS seconds of the
// week of UTC time t, given the GPS-UTC leap seconds as written (none when
// they do not read). A week written below 1024 (receivers that count weeks
// modulo 1024) is written modulo 1024.
func appendGPSTime(dst []byte, t time.Time, leap, old []byte, week bool) []byte {
	if n, err := strconv.Atoi(string(leap)); err == nil && n >= 0 && n < 100 {
		t = t.Add(time.Duration(n) * time.Second)
	}
	d := t.Sub(gpsEpoch)
	if d < 0 {
		d = 0
	}
	w := int64(d / (7 * 24 * time.Hour))
	if !week {
		return strconv.AppendInt(dst, int64((d%(7*24*time.Hour))/time.Second), 10)
	}
	if n, err := strconv.Atoi(string(old)); err == nil && n < 1024 {
		w %= 1024
	}
	return strconv.AppendInt(dst, w, 10)
}
