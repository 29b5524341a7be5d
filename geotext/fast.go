package geotext

import (
	"encoding/binary"

	"github.com/geowarden/geowarden"
)

// The fast path: most numbers in data are plain ([sign]digits[.digits])
// and most pairs plain decimal pairs with a comma, as in CSV rows and
// compact GeoJSON. fast decides those without the general parser, and
// leaves everything else (marks, hemisphere letters, blanks, NMEA, the
// end of the input) to pair. Where it decides, it decides as pair does: FuzzFind checks it.

// plainNum is a plain number as written.
type plainNum struct {
	ip, f uint64 // integer part and the first 14 fraction digits
	frac  int    // fraction digits
	neg   bool
	end   int
}

// readPlain reads a plain number at b[i:] with at most 3 integer digits,
// as parseCoord's number does.
func readPlain(b []byte, i int, p *plainNum) bool {
	*p = plainNum{}
	j := i
	if j < len(b) && (b[j] == '-' || b[j] == '+') {
		p.neg = b[j] == '-'
		j++
	}
	k := j
	for j < len(b) && isDigit(b[j]) {
		if j-k == 3 {
			return false
		}
		p.ip = p.ip*10 + uint64(b[j]-'0')
		j++
	}
	if j == k {
		return false
	}
	if j+1 < len(b) && b[j] == '.' && isDigit(b[j+1]) {
		j++
		k = j
		for j < len(b) && isDigit(b[j]) {
			if j-k == maxFrac {
				return false
			}
			j++
		}
		p.frac = j - k
		if p.frac <= 8 && k+8 <= len(b) {
			p.f = digits8(binary.LittleEndian.Uint64(b[k:]), p.frac)
		} else if n := min(p.frac, len(pow10)-1) - 8; n > 0 && k+16 <= len(b) {
			// GeoJSON writers give 15 to 17 digits: two steps of 8
			p.f = digits8(binary.LittleEndian.Uint64(b[k:]), 8)*ipow10[n] + digits8(binary.LittleEndian.Uint64(b[k+8:]), n)
		} else {
			for d := k; d < k+min(p.frac, len(pow10)-1); d++ {
				p.f = p.f*10 + uint64(b[d]-'0')
			}
		}
	}
	p.end = j
	return true
}

var ipow10 = [...]uint64{1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8}

// digits8 returns the value of the first n (1 to 8) ASCII digits of v,
// 8 bytes read little-endian, computed on all of them at once.
func digits8(v uint64, n int) uint64 {
	// keep the first n bytes, as the last n of a number padded with '0'
	sh := uint(8-n) * 8
	v = v<<sh | 0x3030303030303030>>(64-sh)&^(^uint64(0)<<sh) // '0' bytes below
	v -= 0x3030303030303030
	v = (v*10 + v>>8) & 0x00ff00ff00ff00ff
	v = (v*100 + v>>16) & 0x0000ffff0000ffff
	v = (v*10000 + v>>32) & 0x00000000ffffffff
	return v
}

func (p *plainNum) val() float64 {
	v := float64(p.ip)
	if p.frac > 0 {
		v += float64(p.f) / pow10[min(p.frac, len(pow10)-1)]
	}
	if p.neg {
		v = -v
	}
	return v
}

// undecided holds the bytes after a plain number that fast leaves to
// pair: marks, blanks, line breaks, hemisphere letters.
var undecided = func() (t [256]bool) {
	for _, c := range []byte(" \t\r\n\xc2\xb0\xba\xe2d'\"\\&%NSEW") {
		t[c] = true
	}
	return t
}()

// fast decides plain comma pairs at b[i:]: decided is false when pair
// must look. When it decides there is no pair, no coordinate starts
// before skip either (the bytes up to skip are one number).
func fast(b []byte, i int, m *Match) (ok, decided bool, skip int) {
	var p1, p2 plainNum
	ok1 := readPlain(b, i, &p1)
	j := p1.end
	if !ok1 || j >= len(b) || undecided[b[j]] {
		return false, false, 0
	}
	if b[j] == ',' && j+1 < len(b) && (b[j+1] == 'N' || b[j+1] == 'S') {
		return false, false, 0 // NMEA
	}
	if p1.frac < MinShapeDecimals || wordAt(b, j) {
		return false, true, j
	}
	if b[j] != ',' && b[j] != ';' {
		return false, true, j
	}
	k := j + 1
	if k >= len(b) || undecided[b[k]] {
		return false, false, 0
	}
	ok2 := readPlain(b, k, &p2)
	if !ok2 {
		return false, true, j
	}
	e := p2.end
	if e >= len(b) || undecided[b[e]] {
		return false, false, 0
	}
	if wordAt(b, e) {
		return false, true, j
	}
	if min(p1.frac, p2.frac) < MinShapeDecimals {
		return false, true, j
	}
	kind, nx := Decimal, 0
	p := geowarden.Point{Lat: p1.val(), Lon: p2.val()}
	if isList(b, i, e) {
		kind, nx = List, e
		p.Lat, p.Lon = p.Lon, p.Lat
	} else if min(p1.frac, p2.frac) < MinDecimals {
		return false, true, j
	} else {
		nx = next(b, k, e)
	}
	r, amb, okr := reading(p)
	if !okr {
		return false, true, j
	}
	*m = Match{Start: i, End: e, Next: nx, Kind: kind, Point: r, Ambiguous: amb,
		Res: 1 / pow10[min(min(p1.frac, p2.frac), len(pow10)-1)]}
	return true, true, 0
}

// next returns where the search resumes after a bare decimal pair whose
// second number starts at k and ends at e: at k when what follows the
// pair may make the second number the start of another pair (a,b,c
// yields (a,b) and (b,c)), else at e. What may: a separator and a
// number with a fraction or a mark, or bytes not yet seen. It looks at
// most 6 bytes past e.
// It is used by fast and pair alike.
func next(b []byte, k, e int) int {
	if e >= len(b) || b[e] != ',' && b[e] != ';' {
		return e
	}
	j := e + 1
	if j < len(b) && (b[j] == '-' || b[j] == '+') {
		j++
	}
	d := j
	for j < len(b) && isDigit(b[j]) && j-d < 4 {
		j++
	}
	if j == d && j < len(b) {
		switch b[j] {
		case ' ', '\t', '\r', '\n':
			return k // blanks after the separator: let pair look
		}
		return e
	}
	if j >= len(b) || mayFollowInt[b[j]] || isDigit(b[j]) {
		return k
	}
	return e
}
