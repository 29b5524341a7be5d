package format

import (
	"math"
	"strconv"
	"testing"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"39.984702", 39.984702, true},
		{"-116.3", -116.3, true},
		{"+1", 1, true},
		{".5", 0.5, true},
		{"5.", 5, true},
		{"4.5e1", 45, true},
		{"1E-3", 0.001, true},
		{"1e999", math.Inf(1), true},
		{"-1e999", math.Inf(-1), true},
		{"1e-999", 0, true},
		{"", 0, false},
		{"-", 0, false},
		{".", 0, false},
		{"1e", 0, false},
		{"1e+", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"0x1p4", 0, false},
		{"1_000", 0, false},
		{" 1", 0, false},
		{"1,5", 0, false},
		{"1" + string(make([]byte, 400)), 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseDecimal([]byte(tt.in))
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAppendCoord(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{39.98470249, "39.9847025"},
		{116.3, "116.3"},
		{-0.00000001, "0"},
		{-180, "-180"},
		{1e-7, "0.0000001"},
	}
	for _, tt := range tests {
		if got := string(AppendCoord([]byte("x"), tt.v)); got != "x"+tt.want {
			t.Errorf("AppendCoord(%v) = %q, want %q", tt.v, got, "x"+tt.want)
		}
	}
}

// FuzzParseDecimal checks that what ParseDecimal accepts is what
// strconv.ParseFloat reads, and that it accepts nothing ParseFloat
// refuses but overflow.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"1", "-1.5e3", ".5", "1e999", "NaN", "0x10", "1_0", "+.e1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, ok := ParseDecimal(b)
		w, err := strconv.ParseFloat(string(b), 64)
		if ok && err != nil && !(math.IsInf(w, 0) || w == 0) {
			t.Fatalf("ParseDecimal(%q) = %v, but ParseFloat: %v", b, v, err)
		}
		if ok && v != w {
			t.Fatalf("ParseDecimal(%q) = %v, ParseFloat %v", b, v, w)
		}
		if ok && (math.IsNaN(v) || len(b) > 400) {
			t.Fatalf("ParseDecimal(%q) accepted %v", b, v)
		}
	})
}
