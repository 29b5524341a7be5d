package policyfile

import (
	"math"
	"strconv"
	"strings"
)

// SplitNumber splits s, after trimming spaces, into a leading decimal
// number (digits with at most one dot) and the trimmed rest.
func SplitNumber(s string) (num, rest string, ok bool) {
	s = strings.TrimSpace(s)
	i, digits, dots := 0, 0, 0
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			digits++
		} else if c == '.' {
			dots++
		} else {
			break
		}
	}
	if digits == 0 || dots > 1 {
		return "", "", false
	}
	return s[:i], strings.TrimSpace(s[i:]), true
}

// Scaled parses the decimal num times 10^exp, rounding once.
func Scaled(num string, exp int) (float64, bool) {
	v, err := strconv.ParseFloat(num+"e"+strconv.Itoa(exp), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// maxGridM caps a distance: half the Earth's circumference.
const maxGridM = 20_000_000

// ParseDistance parses a distance such as a coarsening grid's size:
// "100m", "1 km", "0.5km" or a bare number of metres. It must be above
// zero and at most 20000 km; msg says why not.
func ParseDistance(s string) (m float64, msg string) {
	bad := strconv.Quote(s) + " is not a distance (want metres or kilometres, such as 100m or 1 km)"
	num, unit, ok := SplitNumber(s)
	if !ok {
		return 0, bad
	}
	exp := 0
	switch strings.ToLower(unit) {
	case "", "m":
	case "km":
		exp = 3
	default:
		return 0, bad
	}
	m, ok = Scaled(num, exp)
	switch {
	case !ok:
		return 0, bad
	case m <= 0:
		return 0, strconv.Quote(s) + ": grid must be above zero"
	case m > maxGridM:
		return 0, strconv.Quote(s) + ": grid must be at most 20000 km"
	}
	return m, ""
}

// ParseBytes parses a size such as "500 GB", "2TB", "750MB" or a bare
// number of bytes (decimal units: 1 GB = 10^9 bytes; KiB, MiB, GiB and TiB
// are binary).
func ParseBytes(s string) (int64, string) {
	bad := strconv.Quote(s) + " is not a size (want such as 500 GB, 2 TB or 750 MB)"
	num, unit, ok := SplitNumber(s)
	if !ok {
		return 0, bad
	}
	mult := map[string]float64{
		"": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
		"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
	}[strings.ToLower(strings.TrimSpace(unit))]
	x, err := strconv.ParseFloat(num, 64)
	if mult == 0 || err != nil || x < 0 || x*mult > 9e18 {
		return 0, bad
	}
	return int64(x * mult), ""
}
