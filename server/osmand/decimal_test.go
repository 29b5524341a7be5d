package osmand

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/geowarden/geowarden/format"
)

// TestDecimal: the fast path gives what format.ParseDecimal gives, bit
// for bit, and refuses what it refuses.
func TestDecimal(t *testing.T) {
	cases := []string{"0", "-0", "0.0", "40.000094", "-121.9723242335021495819091796875", "116.327037", "1e5", "+1.5",
		".5", "5.", "-.", ".", "", "-", "+", "1.2.3", "0x10", "NaN", "Inf", "1_000", "123456789012345", "1234567890123456",
		"0.0000000000000000000001", "0.00000000000000000000001", "00000000000000000000000000001.5", "9007199254740993"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		v := (rng.Float64()*2 - 1) * 180
		cases = append(cases, strconv.FormatFloat(v, 'f', rng.IntN(12), 64), strconv.FormatFloat(v, 'f', -1, 64))
	}
	for _, c := range cases {
		got, ok := decimal([]byte(c))
		want, wok := format.ParseDecimal([]byte(c))
		if ok != wok || ok && math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("%q: got %v %v, want %v %v", c, got, ok, want, wok)
		}
	}
}
