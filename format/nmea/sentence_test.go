package nmea

import (
	"testing"
	"time"
)

func TestParseCoord(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"4807.038", 48 + 7.038/60, true},
		{"01131.000", 11 + 31.0/60, true},
		{"4807", 48 + 7.0/60, true},
		{"4807.", 48 + 7.0/60, true},
		{"07.5", 7.5 / 60, true},
		{"0000.0000", 0, true},
		{"18000.0000", 180, true},
		{"4760.000", 0, false},
		{"7", 0, false},
		{"48a7.038", 0, false},
		{"-4807.038", 0, false},
		{"4807.03.8", 0, false},
		{"12345678.9", 0, false},
		{"4807.0380000000000000001", 48 + 7.038/60, true},
	}
	for _, c := range cases {
		got, ok := parseCoord([]byte(c.in))
		if ok != c.ok || ok && !near(got, c.want) {
			t.Errorf("parseCoord(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestAppendCoord(t *testing.T) {
	cases := []struct {
		v         float64
		degDigits int
		decimals  int
		dot       bool
		want      string
	}{
		{48 + 7.038/60, 2, 3, true, "4807.038"},
		{11 + 31.0/60, 3, 3, true, "01131.000"},
		{5.123456789, 2, 6, true, "0507.407407"},
		{179.99999999, 3, 6, true, "17959.999999"},
		{179.999999999, 3, 4, true, "18000.0000"}, // the minutes round up into the degrees
		{0, 2, 0, false, "0000"},
		{0.5, 2, 0, true, "0030."},
		{90, 2, 12, true, "9000.000000000000"},
		{1.0 / 60 / 2, 2, 0, false, "0001"}, // half a minute rounds up
	}
	for _, c := range cases {
		if got := string(appendCoord(nil, c.v, c.degDigits, c.decimals, c.dot)); got != c.want {
			t.Errorf("appendCoord(%v, %d, %d, %v) = %q, want %q", c.v, c.degDigits, c.decimals, c.dot, got, c.want)
		}
	}
}

func TestTimes(t *testing.T) {
	tods := []struct {
		in       string
		want     time.Duration
		decimals int
		ok       bool
	}{
		{"123519", 12*time.Hour + 35*time.Minute + 19*time.Second, 0, true},
		{"000941.00", 9*time.Minute + 41*time.Second, 2, true},
		{"235960.5", 23*time.Hour + 59*time.Minute + 60500*time.Millisecond, 1, true},
		{"032908.123456789123", 3*time.Hour + 29*time.Minute + 8*time.Second + 123456789, 12, true},
		{"240000", 0, 0, false},
		{"126000", 0, 0, false},
		{"12351", 0, 0, false},
		{"12:35:19", 0, 0, false},
	}
	for _, c := range tods {
		got, dec, _, ok := parseTOD([]byte(c.in))
		if ok != c.ok || ok && (got != c.want || dec != c.decimals) {
			t.Errorf("parseTOD(%q) = %v, %d, %v; want %v, %d, %v", c.in, got, dec, ok, c.want, c.decimals, c.ok)
		}
	}
	at := time.Date(2021, 3, 4, 5, 6, 7, 890123456, time.UTC)
	for _, c := range []struct {
		decimals int
		dot      bool
		want     string
	}{{0, false, "050607"}, {2, true, "050607.89"}, {3, true, "050607.890"}, {11, true, "050607.89012345600"}, {0, true, "050607."}} {
		if got := string(appendTOD(nil, at, c.decimals, c.dot)); got != c.want {
			t.Errorf("appendTOD(%d, %v) = %q, want %q", c.decimals, c.dot, got, c.want)
		}
	}
	for _, c := range []struct {
		in   string
		want civil
		ok   bool
	}{{"311214", civil{2014, 12, 31}, true}, {"070898", civil{1998, 8, 7}, true}, {"290200", civil{2000, 2, 29}, true},
		{"290201", civil{}, false}, {"000000", civil{}, false}, {"2208-1", civil{}, false}} {
		got, ok := parseDDMMYY([]byte(c.in))
		if ok != c.ok || ok && got != c.want {
			t.Errorf("parseDDMMYY(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
