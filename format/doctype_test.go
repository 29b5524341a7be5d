package format

import "testing"

func TestDoctypeLen(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{`<!DOCTYPE kml>`, 14},
		{`<!DOCTYPE kml><kml/>`, 14},
		{`<!DOCTYPE kml SYSTEM "a>b.dtd">x`, 31},
		{`<!DOCTYPE kml [<!ENTITY x "y"><!ENTITY z '>'>]>`, 47},
		{`<!DOCTYPE kml [ <!ELEMENT a (b)> ] >rest`, 36},
		{`<!DOCTYPE kml [<!ENTITY x "y">`, -1},
		{`<!DOCTYPE kml`, -1},
	} {
		if got := DoctypeLen([]byte(c.in)); got != c.want {
			t.Errorf("DoctypeLen(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}
