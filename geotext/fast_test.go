package geotext

import (
	"encoding/binary"
	"strconv"
	"testing"
)

func TestDigits8(t *testing.T) {
	for _, s := range []string{"1", "12", "803975", "941590", "00000001", "99999999", "1234567", "5"} {
		b := []byte(s + "xxxxxxxx")
		want, _ := strconv.ParseUint(s, 10, 64)
		if got := digits8(binary.LittleEndian.Uint64(b), len(s)); got != want {
			t.Errorf("digits8(%q) = %d, want %d", s, got, want)
		}
	}
}
