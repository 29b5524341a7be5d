package format

import (
	"errors"
	"strconv"
)

// ParseDecimal parses a decimal number as text formats write them:
// [+-]?(digits[.digits]|.digits)([eE][+-]?digits)?, at most 400 bytes.
// NaN, Inf, hexadecimal and underscores are not numbers. A value beyond
// float64 parses as ±Inf (or 0 when too small), which CheckPoint refuses.
func ParseDecimal(b []byte) (float64, bool) {
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	d := 0
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
		d++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
			d++
		}
	}
	if d == 0 {
		return 0, false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		e := 0
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
			e++
		}
		if e == 0 {
			return 0, false
		}
	}
	if i != len(b) || len(b) > 400 {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}
