package csv

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // RFC 3339 in UTC; "" when it must not parse
	}{
		{"unix seconds", "1294561074", "2011-01-09T08:17:54Z"},
		{"unix seconds with fraction", "1294561074.25", "2011-01-09T08:17:54.25Z"},
		{"unix milliseconds", "1340931788091", "2012-06-29T01:03:08.091Z"},
		{"unix milliseconds with fraction", "1340931788091.5", "2012-06-29T01:03:08.0915Z"},
		{"small integer", "17", "1970-01-01T00:00:17Z"},
		{"four digits and a fraction", "3600.00", "1970-01-01T01:00:00Z"},
		{"zero", "0", "1970-01-01T00:00:00Z"},
		{"rfc 3339", "2024-03-01T10:20:30Z", "2024-03-01T10:20:30Z"},
		{"rfc 3339 nano", "2024-03-01T10:20:30.123456789Z", "2024-03-01T10:20:30.123456789Z"},
		{"rfc 3339 offset", "2024-03-01T10:20:30+02:00", "2024-03-01T08:20:30Z"},
		{"rfc 3339 negative offset", "2024-03-01T10:20:30.5-05:30", "2024-03-01T15:50:30.5Z"},
		{"no zone", "2024-03-01T10:20:30", "2024-03-01T10:20:30Z"},
		{"space", "2024-03-01 10:20:30", "2024-03-01T10:20:30Z"},
		{"space with zone", "2024-03-01 10:20:30.25+0100", "2024-03-01T09:20:30.25Z"},
		{"hour offset", "2024-03-01 10:20:30-03", "2024-03-01T13:20:30Z"},
		{"slashes", "2008/08/14 22:03:10", "2008-08-14T22:03:10Z"},
		{"g-nettrack", "2019.12.16_07.22.43", "2019-12-16T07:22:43Z"},
		{"comma fraction", "2024-03-01 10:20:30,5", "2024-03-01T10:20:30.5Z"},
		{"leap day", "2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
		{"before 1970", "1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"},
		{"no leap day", "2023-02-29T00:00:00Z", ""},
		{"month 13", "2024-13-01T00:00:00Z", ""},
		{"hour 24", "2024-01-01T24:00:00Z", ""},
		{"second 60", "2024-01-01T23:59:60Z", ""},
		{"mixed date separators", "2024-01/01T00:00:00Z", ""},
		{"date only", "2024-03-01", ""},
		{"trailing text", "2024-03-01T10:20:30Z junk", ""},
		{"bad zone", "2024-03-01T10:20:30+2", ""},
		{"zone hour 24", "2024-03-01T10:20:30+24:00", ""},
		{"dash", "-", ""},
		{"negative", "-5", ""},
		{"word", "yesterday", ""},
		{"too many digits", "12345678901234567890", ""},
		{"dot only", "12.", ""},
		{"fraction only", ".5", ""},
		{"day month year", "01.03.2024 10:20:30", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, ok := parseTime([]byte(tt.in))
			if tt.want == "" {
				if ok {
					t.Errorf("parseTime(%q) = %v, want no time", tt.in, got)
				}
				return
			}
			want, err := time.Parse(time.RFC3339Nano, tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if !ok || !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("parseTime(%q) = %v, %v; want %v", tt.in, got, ok, want.UTC())
			}
		})
	}
}

func TestAppendTimeRoundTrip(t *testing.T) {
	// A time read and written back without change gives the same text.
	for _, in := range []string{
		"1294561074", "1294561074.250", "1340931788091", "1340931788091.500",
		"2024-03-01T10:20:30Z", "2024-03-01T10:20:30.120z", "2024-03-01t10:20:30+02:00",
		"2024-03-01T10:20:30.123456789-05:30", "2024-03-01 10:20:30", "2024-03-01 10:20:30,5+0100",
		"2024-03-01_10:20:30-03", "2008/08/14 22:03:10", "2019.12.16_07.22.43", "0001-01-01T00:00:00Z",
		"2024-03-01T10:20:30.1234567891Z",
	} {
		tm, l, ok := parseTime([]byte(in))
		if !ok {
			t.Errorf("%q does not parse", in)
			continue
		}
		if got := string(appendTime(nil, tm, l)); got != in && !(len(in) > 30 && got == in[:len(in)-2]+"0Z") {
			t.Errorf("%q: written back as %q", in, got)
		}
	}
}

func TestAppendTime(t *testing.T) {
	tm := time.Date(2025, 6, 7, 8, 9, 10, 987654321, time.UTC)
	tests := []struct {
		read string // a time in the layout to write
		want string
	}{
		{"1", "1749283750"},
		{"1.5", "1749283750.9"},
		{"1000000000000", "1749283750987"},
		{"2000-01-01T00:00:00Z", "2025-06-07T08:09:10Z"},
		{"2000-01-01T00:00:00.000+02:00", "2025-06-07T10:09:10.987+02:00"},
		{"2000-01-01 00:00:00-0130", "2025-06-07 06:39:10-0130"},
		{"2000.01.01_00.00.00", "2025.06.07_08.09.10"},
		{"2000/01/01 00:00:00,00", "2025/06/07 08:09:10,98"},
		{"not a time", "2025-06-07T08:09:10.987654321Z"},
	}
	for _, tt := range tests {
		_, l, _ := parseTime([]byte(tt.read))
		if got := string(appendTime(nil, tm, l)); got != tt.want {
			t.Errorf("in the layout of %q: got %q, want %q", tt.read, got, tt.want)
		}
	}
}

func TestParseFloat(t *testing.T) {
	tests := []struct {
		in       string
		comma    bool
		want     float64
		decComma bool
		ok       bool
	}{
		{"52.5200000", false, 52.52, false, true},
		{"-0.1", false, -0.1, false, true},
		{"+13", false, 13, false, true},
		{".5", false, 0.5, false, true},
		{"5.", false, 5, false, true},
		{"1e3", false, 1000, false, true},
		{"123456789012345678901234567890", false, 1.2345678901234568e29, false, true},
		{"0.123456789012345678901234567", false, 0.12345678901234568, false, true},
		{"52,52", true, 52.52, true, true},
		{"-1,5e1", true, -15, true, true},
		{"52,52", false, 0, false, false},
		{"1,234.5", true, 0, false, false},
		{"NaN", false, math.NaN(), false, true},
		{"", false, 0, false, false},
		{"-", false, 0, false, false},
		{".", false, 0, false, false},
		{"1.2.3", false, 0, false, false},
		{"12a", false, 0, false, false},
	}
	for _, tt := range tests {
		got, dc, ok := parseFloat([]byte(tt.in), tt.comma)
		same := got == tt.want || got != got && tt.want != tt.want
		if ok != tt.ok || tt.ok && (!same || dc != tt.decComma) {
			t.Errorf("parseFloat(%q, %v) = %v, %v, %v; want %v, %v, %v", tt.in, tt.comma, got, dc, ok, tt.want, tt.decComma, tt.ok)
		}
	}
}

func TestParseFloatMatchesStrconv(t *testing.T) {
	// The fast path must round exactly as strconv does.
	for _, s := range []string{
		"30.123456", "110.654321", "-8.388186", "51.935604", "0.1", "0.3", "89.9999999", "-179.9999999",
		"9007199254740993", "900719925474099.3", "1.7976931348623157", "48.1484", "0.000000001",
	} {
		want, _ := strconv.ParseFloat(s, 64)
		got, _, ok := parseFloat([]byte(s), false)
		if !ok || got != want {
			t.Errorf("parseFloat(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"262", 262, true},
		{"-99", -99, true},
		{"00", 0, true},
		{"262.0", 262, true},
		{"1e3", 1000, true},
		{"26.5", 0, false},
		{"0x1F", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"123456789012345678901", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseInt([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseInt(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// mayHoldPositionByParse is the definition mayHoldPosition answers
// faster: at least two digits, and not a value parseFloat reads as one
// number.
func mayHoldPositionByParse(v []byte) bool {
	n := 0
	for _, c := range v {
		if c-'0' < 10 {
			n++
		}
	}
	if n < 2 {
		return false
	}
	_, _, num := parseFloat(trimBlank(v), true)
	return !num
}

func TestMayHoldPosition(t *testing.T) {
	for _, v := range []string{
		"", "-", ".", "1", "12", "-113", "+7.5", "54699827", "3,5", " 12 ", "1.", ".25",
		"1234567890123456789012", "12345678901234567890,5", "1.2.3", "1,2", "1, 2",
		"35.85 14.45", "35.8506,14.4506", "1e5", "12e", "--12", "12-", "N35.85",
		"POINT(14.45 35.85)", strings.Repeat("9", 70), strings.Repeat("9", 64), "\t42\t",
	} {
		if got, want := mayHoldPosition([]byte(v)), mayHoldPositionByParse([]byte(v)); got != want {
			t.Errorf("mayHoldPosition(%q) = %v, want %v", v, got, want)
		}
	}
}

func FuzzMayHoldPosition(f *testing.F) {
	for _, s := range []string{"12", "-113", "3,5", "35.85 14.45", "1e5", " 7 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := mayHoldPosition([]byte(v)), mayHoldPositionByParse([]byte(v)); got != want {
			t.Errorf("mayHoldPosition(%q) = %v, want %v", v, got, want)
		}
	})
}

// TestDayCache: dates read one after another through one cache give what
// each gives alone, whatever the order.
func TestDayCache(t *testing.T) {
	var c dayCache
	for _, in := range []string{
		"2024-05-01T03:05:03Z", "2024-05-01T23:59:59Z", "2024-05-02T00:00:00Z", "2024-05-01 12:00:00",
		"2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "1714532703", "2024/05/01 03:05:03", "1969-12-31T23:59:59Z",
		"2024-05-01T03:05:03+02:00", "0000-01-01T00:00:00Z", "2024-05-01T03:05:03Z",
	} {
		got, gl, gok := c.parseTime([]byte(in))
		var fresh dayCache
		want, wl, wok := fresh.parseTime([]byte(in))
		if gok != wok || !got.Equal(want) || gl != wl {
			t.Errorf("%s: cached %v %v %v, alone %v %v %v", in, got, gl, gok, want, wl, wok)
		}
	}
}
