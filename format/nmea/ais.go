package nmea

import (
	"fmt"
	"math"
	"time"

	"github.com/geowarden/geowarden"
)

// AIS (ITU-R M.1371) messages travel in !AIVDM (other vessels) and !AIVDO
// (own vessel) sentences: !AIVDM,count,number,sequence id,channel,payload,
// fill bits. The payload is the message's bits, six to a character
// ("armoured"); a message longer than one sentence is cut into up to nine
// fragments with the same sequence id. The bit offsets below are those of
// the standard, as set out in "AIVDM/AIVDO protocol decoding" (Eric S.
// Raymond, gpsd project).

// aisLayout says where a message type keeps its position: the bit offsets
// and widths of its signed longitude and latitude, and their unit.
type aisLayout struct {
	lon, lonBits int
	lat, latBits int
	perDeg       int64 // units per degree: 600000 (1/10000 minute) or 600 (1/10 minute)
}

var (
	aisClassA = &aisLayout{lon: 61, lonBits: 28, lat: 89, latBits: 27, perDeg: 600000}   // 1, 2, 3, 9
	aisBase   = &aisLayout{lon: 79, lonBits: 28, lat: 107, latBits: 27, perDeg: 600000}  // 4, 11
	aisClassB = &aisLayout{lon: 57, lonBits: 28, lat: 85, latBits: 27, perDeg: 600000}   // 18, 19
	aisAtoN   = &aisLayout{lon: 164, lonBits: 28, lat: 192, latBits: 27, perDeg: 600000} // 21
	aisDGNSS  = &aisLayout{lon: 40, lonBits: 18, lat: 58, latBits: 17, perDeg: 600}      // 17
	aisLong   = &aisLayout{lon: 44, lonBits: 18, lat: 62, latBits: 17, perDeg: 600}      // 27
)

// aisKind says what this package does with a message type.
type aisKind uint8

const (
	aisNoPos  aisKind = iota // holds no position: passes as it is
	aisPos                   // a position this package reads
	aisOpaque                // may hold a position this package does not read: unreadable
)

// aisType returns what a message type is to this package, and its layout
// when it holds a position that is read.
//
//   - 1, 2, 3 (class A position report), 9 (search and rescue aircraft),
//     4, 11 (base station report, UTC response), 17 (DGNSS broadcast: the
//     reference station), 18, 19 (class B position report), 21 (aid to
//     navigation) and 27 (long-range broadcast) hold a position, read.
//   - 5 (static and voyage data), 7, 13 (acknowledgements), 10 (UTC
//     inquiry), 12, 14 (safety text), 15 (interrogation), 16 (assignment),
//     20 (data link management) and 24 (static data report) hold none.
//   - 6, 8 (binary messages, whose application payloads include positions
//     such as those of meteorological stations), 22, 23 (areas of channel
//     management and group assignment), 25, 26 (binary slot messages) and
//     types the standard does not define are not read: unreadable.
func aisType(t int) (aisKind, *aisLayout) {
	switch t {
	case 1, 2, 3, 9:
		return aisPos, aisClassA
	case 4, 11:
		return aisPos, aisBase
	case 17:
		return aisPos, aisDGNSS
	case 18, 19:
		return aisPos, aisClassB
	case 21:
		return aisPos, aisAtoN
	case 27:
		return aisPos, aisLong
	case 5, 7, 10, 12, 13, 14, 15, 16, 20, 24:
		return aisNoPos, nil
	}
	return aisOpaque, nil
}

// maxAISChars caps a reassembled payload: the longest message, five slots,
// is 1008 bits, 168 characters.
const maxAISChars = 256

// sixbit returns the value of an armoured payload character.
func sixbit(c byte) (byte, bool) {
	if c < '0' || c > 'w' || c > 'W' && c < '`' {
		return 0, false
	}
	v := c - '0'
	if v >= 40 {
		v -= 8
	}
	return v, true
}

// armour returns the payload character of a six-bit value.
func armour(v byte) byte {
	if v < 40 {
		return v + '0'
	}
	return v + '8'
}

// aisBits is a payload as six-bit values, one a byte.
type aisBits []byte

// u reads n bits (n <= 32) at bit offset at, unsigned.
func (b aisBits) u(at, n int) uint32 {
	var v uint32
	for i := at; i < at+n; i++ {
		v = v<<1 | uint32(b[i/6]>>(5-i%6)&1)
	}
	return v
}

// s reads n bits at bit offset at, two's complement.
func (b aisBits) s(at, n int) int64 {
	v := int64(b.u(at, n))
	if v&(1<<(n-1)) != 0 {
		v -= 1 << n
	}
	return v
}

// set writes v as n bits at bit offset at, two's complement.
func (b aisBits) set(at, n int, v int64) {
	u := uint64(v) & (1<<n - 1)
	for i := range n {
		j := at + i
		sh := 5 - j%6
		bit := byte(u>>(n-1-i)) & 1
		b[j/6] = b[j/6]&^(1<<sh) | bit<<sh
	}
}

// aisMsg is a decoded message: what the codec needs to present its
// position and to write it elsewhere.
type aisMsg struct {
	payload []byte // the armoured payload, every fragment
	typ     int
	mmsi    uint32
	lay     *aisLayout
	hasPos  bool
	pos     geowarden.Point
	time    time.Time // type 4 and 11: the station's UTC date and time
	out     []byte    // the payload with the position moved, once written
}

// decodeAIS decodes an armoured payload with fill bits. It returns an
// error message, as for a notice, when the payload cannot be read: a
// character that is not armour, a message too short for its type, a
// position out of range. A message with no position, or whose position is
// "not available" (longitude 181, latitude 91), has hasPos false.
func decodeAIS(payload []byte, fill int) (*aisMsg, string) {
	if len(payload) == 0 {
		return nil, "empty payload"
	}
	if len(payload) > maxAISChars {
		return nil, fmt.Sprintf("payload of %d characters (at most %d)", len(payload), maxAISChars)
	}
	bits := make(aisBits, len(payload))
	for i, c := range payload {
		v, ok := sixbit(c)
		if !ok {
			return nil, fmt.Sprintf("payload character %q at %d is not six-bit armour", c, i)
		}
		bits[i] = v
	}
	n := 6*len(payload) - fill
	if n < 38 {
		return nil, fmt.Sprintf("payload of %d bits is too short for a message", n)
	}
	m := &aisMsg{payload: payload, typ: int(bits.u(0, 6)), mmsi: bits.u(8, 30)}
	kind, lay := aisType(m.typ)
	switch kind {
	case aisNoPos:
		return m, ""
	case aisOpaque:
		return nil, fmt.Sprintf("message type %d (MMSI %d) may hold positions, not read", m.typ, m.mmsi)
	}
	if end := max(lay.lon+lay.lonBits, lay.lat+lay.latBits); n < end {
		return nil, fmt.Sprintf("message type %d of %d bits is too short for its position (%d bits)", m.typ, n, end)
	}
	m.lay = lay
	lon, lat := bits.s(lay.lon, lay.lonBits), bits.s(lay.lat, lay.latBits)
	if lon == 181*lay.perDeg || lat == 91*lay.perDeg {
		return m, "" // not available
	}
	x, y := float64(lon)/float64(lay.perDeg), float64(lat)/float64(lay.perDeg)
	if math.Abs(x) > 180 || math.Abs(y) > 90 {
		return nil, fmt.Sprintf("message type %d (MMSI %d) position %d,%d out of range", m.typ, m.mmsi, lon, lat)
	}
	m.hasPos, m.pos = true, geowarden.Point{Lon: x, Lat: y}
	if (m.typ == 4 || m.typ == 11) && n >= 78 {
		y, mo, d := int(bits.u(38, 14)), time.Month(bits.u(52, 4)), int(bits.u(56, 5))
		h, mi, s := int(bits.u(61, 5)), int(bits.u(66, 6)), int(bits.u(72, 6))
		if y > 0 && validDate(y, mo, d) && h < 24 && mi < 60 && s < 60 {
			m.time = time.Date(y, mo, d, h, mi, s, 0, time.UTC)
		}
	}
	return m, ""
}

// edited returns the message's payload with an edit applied: the position
// moved to ed.Pos, rounded to the type's unit; and, in types 4 and 11, the
// date and time set to te or, when te clears them, to "not available".
func (m *aisMsg) edited(move bool, p geowarden.Point, te timeEdit) []byte {
	bits := make(aisBits, len(m.payload))
	for i, c := range m.payload {
		bits[i], _ = sixbit(c)
	}
	if l := m.lay; move && l != nil {
		lon := int64(math.Round(p.Lon * float64(l.perDeg)))
		lat := int64(math.Round(p.Lat * float64(l.perDeg)))
		lon = min(max(lon, -180*l.perDeg), 180*l.perDeg)
		lat = min(max(lat, -90*l.perDeg), 90*l.perDeg)
		bits.set(l.lon, l.lonBits, lon)
		bits.set(l.lat, l.latBits, lat)
	}
	if m.hasTime() {
		switch {
		case te.set:
			t := te.t
			y := int64(t.Year())
			if y < 1 || y > 9999 {
				y = 0
			}
			for _, f := range []struct{ at, n, v int64 }{
				{38, 14, y}, {52, 4, int64(t.Month())}, {56, 5, int64(t.Day())},
				{61, 5, int64(t.Hour())}, {66, 6, int64(t.Minute())}, {72, 6, int64(t.Second())},
			} {
				bits.set(int(f.at), int(f.n), f.v)
			}
		case te.clear:
			for _, f := range []struct{ at, n, v int64 }{
				{38, 14, 0}, {52, 4, 0}, {56, 5, 0}, {61, 5, 24}, {66, 6, 60}, {72, 6, 60},
			} {
				bits.set(int(f.at), int(f.n), f.v)
			}
		}
	}
	out := make([]byte, len(bits))
	for i, v := range bits {
		out[i] = armour(v)
	}
	return out
}

// hasTime reports whether the message type holds a date and time (4, 11).
func (m *aisMsg) hasTime() bool {
	return (m.typ == 4 || m.typ == 11) && 6*len(m.payload) >= 78
}

// isAIS reports whether an address is an AIS sentence's: a two-letter
// talker (AI, AB, BS, ...) and VDM or VDO.
func isAIS(addr []byte) bool {
	return len(addr) == 5 && addr[2] == 'V' && addr[3] == 'D' && (addr[4] == 'M' || addr[4] == 'O')
}

// aisFrag is what the fields of one AIS sentence say.
type aisFrag struct {
	count, num int
	seq        []byte
	channel    []byte
	payload    []byte
	fill       int
}

func digit(b []byte, lo, hi int) (int, bool) {
	if len(b) != 1 || b[0] < '0' || b[0] > '9' {
		return 0, false
	}
	v := int(b[0] - '0')
	return v, v >= lo && v <= hi
}

// aisFields reads an AIS sentence's fields; it returns a message when they
// are malformed.
func (s *sentence) aisFields(f *aisFrag) string {
	if s.nfields() < 7 {
		return fmt.Sprintf("%d fields, want 7", s.nfields())
	}
	var ok bool
	if f.count, ok = digit(s.field(1), 1, 9); !ok {
		return fmt.Sprintf("fragment count %q: want 1 to 9", s.field(1))
	}
	if f.num, ok = digit(s.field(2), 1, f.count); !ok {
		return fmt.Sprintf("fragment number %q: want 1 to %d", s.field(2), f.count)
	}
	f.seq, f.channel, f.payload = s.field(3), s.field(4), s.field(5)
	if len(f.seq) > 1 || len(f.channel) > 2 {
		return fmt.Sprintf("sequence id %q or channel %q malformed", f.seq, f.channel)
	}
	fill := s.field(6)
	if len(fill) == 0 && f.num < f.count {
		fill = []byte("0")
	}
	if f.fill, ok = digit(fill, 0, 5); !ok {
		return fmt.Sprintf("fill bits %q: want 0 to 5", s.field(6))
	}
	if len(f.payload) == 0 {
		return "empty payload"
	}
	return ""
}
