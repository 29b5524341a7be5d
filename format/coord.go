package format

import (
	"math"
	"strconv"
)

// AppendCoord appends a coordinate rounded to 7 decimals (about 1 cm), in
// the shortest decimal form that reads back as that value, never "-0":
// how codecs write a moved position.
func AppendCoord(dst []byte, v float64) []byte {
	v = math.Round(v*1e7) / 1e7
	if v == 0 {
		v = 0 // not "-0"
	}
	return strconv.AppendFloat(dst, v, 'f', -1, 64)
}
