package nmea

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// ck appends the checksum to a sentence written without one.
func ck(s string) string {
	return fmt.Sprintf("%s*%02X", s, xor([]byte(s[1:])))
}

// ckLower appends the checksum in lower case.
func ckLower(s string) string {
	return fmt.Sprintf("%s*%02x", s, xor([]byte(s[1:])))
}

// lines joins sentences with CRLF, giving each its checksum unless it
// already has a '*' or starts with '#'.
func lines(ss ...string) string {
	var b strings.Builder
	for _, s := range ss {
		if (strings.HasPrefix(s, "$") || strings.HasPrefix(s, "!")) && !strings.Contains(s, "*") {
			s = ck(s)
		}
		b.WriteString(s + "\r\n")
	}
	return b.String()
}

// lineStart is the byte offset of a 1-based line.
func lineStart(s string, line int) int64 {
	off := 0
	for ; line > 1; line-- {
		off += strings.IndexByte(s[off:], '\n') + 1
	}
	return int64(off)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestRecords(t *testing.T) {
	date := func(y int, m time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, m, d, h, mi, s, ns, time.UTC)
	}
	cases := []struct {
		name  string
		in    string
		want  []geowarden.Record // Pos, Time, Alt/HasAlt, Kind, Ref.Line, Ref.Offset
		attrs []map[string]string
	}{
		{
			name:  "GGA without a date has no time",
			in:    lines("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
			want:  []geowarden.Record{{Pos: geowarden.Point{Lon: 11 + 31.0/60, Lat: 48 + 7.038/60}, Alt: 545.4, HasAlt: true, Ref: geowarden.Ref{Line: 1}}},
			attrs: []map[string]string{{"talker": "GP", "type": "GGA", "time": "123519", "quality": "1", "sats": "08", "hdop": "0.9"}},
		},
		{
			name:  "RMC south and west with its own date",
			in:    lines("$GNRMC,030719.250,A,3747.0873,S,17518.8938,W,0.69,181.39,311214,,,A"),
			want:  []geowarden.Record{{Pos: geowarden.Point{Lon: -(175 + 18.8938/60), Lat: -(37 + 47.0873/60)}, Time: date(2014, 12, 31, 3, 7, 19, 250e6), Ref: geowarden.Ref{Line: 1}}},
			attrs: []map[string]string{{"talker": "GN", "type": "RMC", "status": "A", "mode": "A", "date": "311214"}},
		},
		{
			name: "ZDA dates the GGA of its epoch",
			in:   lines("$GPZDA,032908,07,08,2004,00,00", "$GPGGA,032908.379,4231.8291,N,08807.3033,W,1,05,1.6,209.8,M,-34.2,M,0.0,0000"),
			want: []geowarden.Record{{Pos: geowarden.Point{Lon: -(88 + 7.3033/60), Lat: 42 + 31.8291/60}, Time: date(2004, 8, 7, 3, 29, 8, 379e6), Alt: 209.8, HasAlt: true, Ref: geowarden.Ref{Line: 2}}},
		},
		{
			name: "the running date goes over midnight",
			in: lines("$GPRMC,235959,A,0100.00,N,00100.00,E,,,010120,,",
				"$GPGGA,000001,0100.00,N,00100.00,E,1,05,1.6,,,,,,"),
			want: []geowarden.Record{
				{Pos: geowarden.Point{Lon: 1, Lat: 1}, Time: date(2020, 1, 1, 23, 59, 59, 0), Ref: geowarden.Ref{Line: 1}},
				{Pos: geowarden.Point{Lon: 1, Lat: 1}, Time: date(2020, 1, 2, 0, 0, 1, 0), Ref: geowarden.Ref{Line: 2}},
			},
		},
		{
			name:  "GLL with quality V is still a position",
			in:    lines("$GPGLL,4916.45,N,12311.12,W,225444,V"),
			want:  []geowarden.Record{{Pos: geowarden.Point{Lon: -(123 + 11.12/60), Lat: 49 + 16.45/60}, Ref: geowarden.Ref{Line: 1}}},
			attrs: []map[string]string{{"status": "V", "time": "225444"}},
		},
		{
			name:  "GNS with altitude",
			in:    lines("$GNGNS,112257.00,3844.24011,N,00908.43828,W,AN,03,10.5,12.5,,,"),
			want:  []geowarden.Record{{Pos: geowarden.Point{Lon: -(9 + 8.43828/60), Lat: 38 + 44.24011/60}, Alt: 12.5, HasAlt: true, Ref: geowarden.Ref{Line: 1}}},
			attrs: []map[string]string{{"mode": "AN", "sats": "03", "hdop": "10.5"}},
		},
		{
			name: "a date of zeros is no date",
			in:   lines("$GPZDA,000001,00,00,0000,00,00", "$GPRMC,000001,V,0000.0000,N,00000.0000,E,,,000000,,"),
			want: []geowarden.Record{{Ref: geowarden.Ref{Line: 2}}},
		},
		{
			name: "fix without coordinates is no record",
			in:   lines("$GPGGA,123519,,,,,0,00,,,,,,,", "$GPRMC,,V,,,,,,,,,,N"),
		},
		{
			name: "waypoints are features",
			in:   lines("$GPWPL,3558.322,N,08708.082,W,GCEBB", "$PMGNWPL,4833.4300,N,00719.9200,E,0000100,F,Home,Comment,a"),
			want: []geowarden.Record{
				{Pos: geowarden.Point{Lon: -(87 + 8.082/60), Lat: 35 + 58.322/60}, Kind: geowarden.KindFeature, Ref: geowarden.Ref{Line: 1}},
				{Pos: geowarden.Point{Lon: 7 + 19.92/60, Lat: 48 + 33.43/60}, Kind: geowarden.KindFeature, Alt: 30.48, HasAlt: true, Ref: geowarden.Ref{Line: 2}},
			},
			attrs: []map[string]string{{"name": "GCEBB", "talker": "GP", "type": "WPL"}, {"name": "Home", "talker": "P", "type": "MGNWPL"}},
		},
		{
			name: "proprietary fixes",
			in: lines("$PMGNTRK,4415.163,N,07631.126,W,00095,M,110833.53,A,,030409",
				"$PUBX,00,081350.00,4717.113210,N,00833.915187,E,546.589,G3,2.1,2.0,0.007,77.52,0.007,,0.92,1.19,0.77,9,0,0",
				"$PASHR,POS,0,03,081350.00,2037.76012,N,08704.07373,W,058.48,,359.4,000.0,+000.0,2.2,2.2,0.0,1.0,BQ00"),
			want: []geowarden.Record{
				{Pos: geowarden.Point{Lon: -(76 + 31.126/60), Lat: 44 + 15.163/60}, Alt: 95, HasAlt: true, Time: date(2009, 4, 3, 11, 8, 33, 530e6), Ref: geowarden.Ref{Line: 1}},
				{Pos: geowarden.Point{Lon: 8 + 33.915187/60, Lat: 47 + 17.11321/60}, Alt: 546.589, HasAlt: true, Time: date(2009, 4, 3, 8, 13, 50, 0), Ref: geowarden.Ref{Line: 2}},
				{Pos: geowarden.Point{Lon: -(87 + 4.07373/60), Lat: 20 + 37.76012/60}, Alt: 58.48, HasAlt: true, Time: date(2009, 4, 3, 8, 13, 50, 0), Ref: geowarden.Ref{Line: 3}},
			},
		},
		{
			// AIS: ais_test.go.
			name: "proprietary sentences without a position and unknown sentences are no records",
			in:   lines("$PGRME,15.0,M,45.0,M,25.0,M", "$GPGSV,1,1,01,07,10,333,39", "$ver,011023,rev,090210"),
		},
		{
			name: "blanks before a sentence and after its checksum",
			in:   "  " + ck("$GPGLL,4916.45,N,12311.12,W,225444,A") + " \n",
			want: []geowarden.Record{{Pos: geowarden.Point{Lon: -(123 + 11.12/60), Lat: 49 + 16.45/60}, Ref: geowarden.Ref{Line: 1, Offset: 2}}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &testHandler{}
			out, err := rewrite(t, Codec{}, []byte(c.in), h)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != c.in {
				t.Errorf("keep-all output differs:\ngot  %q\nwant %q", out, c.in)
			}
			if len(h.recs) != len(c.want) {
				t.Fatalf("got %d records, want %d", len(h.recs), len(c.want))
			}
			for i, w := range c.want {
				g := h.recs[i].r
				if !near(g.Pos.Lat, w.Pos.Lat) || !near(g.Pos.Lon, w.Pos.Lon) {
					t.Errorf("record %d: position %v, want %v", i, g.Pos, w.Pos)
				}
				if !g.Time.Equal(w.Time) {
					t.Errorf("record %d: time %v, want %v", i, g.Time, w.Time)
				}
				if g.HasAlt != w.HasAlt || !near(g.Alt, w.Alt) {
					t.Errorf("record %d: altitude %v %v, want %v %v", i, g.Alt, g.HasAlt, w.Alt, w.HasAlt)
				}
				if g.Kind != w.Kind || g.Shape != geowarden.ShapePoint {
					t.Errorf("record %d: kind %v shape %v, want %v point", i, g.Kind, g.Shape, w.Kind)
				}
				wr := geowarden.Ref{File: "in", Line: w.Ref.Line, Offset: lineStart(c.in, w.Ref.Line) + w.Ref.Offset, Feature: -1}
				if g.Ref != wr {
					t.Errorf("record %d: ref %+v, want %+v", i, g.Ref, wr)
				}
				if i < len(c.attrs) {
					for k, v := range c.attrs[i] {
						if got := h.recs[i].attrs[k]; got != v {
							t.Errorf("record %d: attribute %s = %q, want %q", i, k, got, v)
						}
					}
				}
			}
		})
	}
}

func TestBad(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		line     int
		col      int
		msg      string
		is       []error
		wantOut  string // output when Bad returns nil
		wantRecs int
	}{
		{
			name: "checksum",
			in:   "$GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5*34\r\n",
			line: 1, col: 51, msg: "in:1:51: nmea: checksum 34, computed 33",
			is: []error{ErrChecksum},
		},
		{
			name: "malformed checksum",
			in:   lines("$GPGSV,3,1,11,01,78,221,47*7", "$GPVTG,054.7,T,034.4,M,005.5,N,010.2,K"),
			line: 1, col: 27, msg: `in:1:27: nmea: malformed checksum "7": want * and two hex digits`,
			is:      []error{ErrSyntax},
			wantOut: lines("$GPVTG,054.7,T,034.4,M,005.5,N,010.2,K"),
		},
		{
			name: "empty address",
			in:   "$,1,2\n",
			line: 1, col: 2, msg: `in:1:2: nmea: malformed address "": want letters and digits`,
			is: []error{ErrSyntax},
		},
		{
			name: "latitude minutes over 60",
			in:   lines("$GPGGA,123519,8960.0000,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
			line: 1, col: 15, msg: `in:1:15: nmea: GGA latitude "8960.0000": want ddmm.mmmm`,
			is: []error{ErrField},
		},
		{
			name: "latitude out of range",
			in:   lines("$GPRMC,123519,V,36000.0000,N,72000.0000,E,,,,,"),
			line: 1, col: 17, msg: "in:1:17: nmea: RMC position 36000.0000,N 72000.0000,E: coordinate out of range: latitude 360 outside -90..90",
			is: []error{ErrField, format.ErrRange},
		},
		{
			name: "longitude out of range",
			in:   lines("$GPGLL,4916.45,N,18100.00,W,225444,A"),
			line: 1, col: 18, msg: "in:1:18: nmea: GLL position 4916.45,N 18100.00,W: coordinate out of range: longitude -181 outside -180..180",
			is: []error{ErrField, format.ErrRange},
		},
		{
			name: "hemisphere",
			in:   lines("$GPGLL,4916.45,X,12311.12,W,225444,A"),
			line: 1, col: 16, msg: `in:1:16: nmea: GLL latitude hemisphere "X": want N or S`,
			is: []error{ErrField},
		},
		{
			name: "missing hemisphere",
			in:   lines("$GPGLL,4916.45,N,12311.12,,225444,A"),
			line: 1, col: 27, msg: `in:1:27: nmea: GLL longitude hemisphere "": want E or W`,
			is: []error{ErrField},
		},
		{
			name: "half a position",
			in:   lines("$GPGLL,4916.45,N,,,225444,A"),
			line: 1, col: 18, msg: `in:1:18: nmea: GLL latitude "4916.45" without a longitude`,
			is: []error{ErrField},
		},
		{
			name: "time",
			in:   lines("$GPGGA,25351,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
			line: 1, col: 8, msg: `in:1:8: nmea: GGA time "25351": want hhmmss or hhmmss.ss`,
			is: []error{ErrField},
		},
		{
			name: "date",
			in:   lines("$GPRMC,000231.099,A,4829.0005,N,00022.0015,E,0.15,212.28,2208-1,,,A"),
			line: 1, col: 58, msg: `in:1:58: nmea: RMC date "2208-1": want ddmmyy`,
			is: []error{ErrField},
		},
		{
			name: "ZDA date",
			in:   lines("$GPZDA,032908,32,08,2004,00,00"),
			line: 1, col: 15, msg: `in:1:15: nmea: ZDA date "32","08","2004": want dd,mm,yyyy`,
			is: []error{ErrField},
		},
		{
			name: "altitude",
			in:   lines("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,high,M,46.9,M,,"),
			line: 1, col: 47, msg: `in:1:47: nmea: GGA altitude "high": not a number`,
			is: []error{ErrField},
		},
		{
			name: "line too long",
			in:   "$GPTXT," + strings.Repeat("x", 5000) + "\n" + lines("$GPGSA,A,1"),
			line: 1, col: 1, msg: "in:1:1: nmea: line longer than 4096 bytes",
			is:      []error{ErrSyntax, format.ErrTooLong},
			wantOut: lines("$GPGSA,A,1"),
		},
		{
			name: "a bad fix drops its epoch",
			in: lines("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,", "$GPGSA,A,3,17,28,,,,,,,,,,,1.8,1.1,1.5",
				"$GPRMC,123519,A,4807.038,N,01131.000,E,0.1,1.0,010120,,*00",
				"$GPGGA,123520,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
			line: 3, col: 56, msg: "in:3:56: nmea: checksum 00, computed 10",
			is:       []error{ErrChecksum},
			wantOut:  lines("$GPGGA,123520,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
			wantRecs: 2,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &testHandler{}
			_, err := rewrite(t, Codec{}, []byte(c.in), h)
			var pe *format.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got error %v, want a *format.ParseError", err)
			}
			if pe.Line != c.line || pe.Column != c.col || err.Error() != c.msg {
				t.Errorf("got %v (line %d, column %d), want %s (line %d, column %d)", err, pe.Line, pe.Column, c.msg, c.line, c.col)
			}
			for _, target := range c.is {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false", err, target)
				}
			}
			if want := strings.Index(c.in, "\n") + 1; c.line == 1 && pe.Offset != int64(pe.Column-1) && want > 0 {
				t.Errorf("offset %d, want %d", pe.Offset, pe.Column-1)
			}
			lenient := &testHandler{bad: dropBad}
			out, err := rewrite(t, Codec{}, []byte(c.in), lenient)
			if err != nil {
				t.Fatalf("with Bad returning nil: %v", err)
			}
			if string(out) != c.wantOut {
				t.Errorf("with Bad returning nil, output\n%q\nwant\n%q", out, c.wantOut)
			}
			if len(lenient.bads) != 1 || len(lenient.recs) != c.wantRecs {
				t.Errorf("with Bad returning nil: %d bad, %d records; want 1 bad, %d records", len(lenient.bads), len(lenient.recs), c.wantRecs)
			}
		})
	}
}

// dropWhere drops records whose line is in the set.
func dropWhere(linesToDrop ...int) func(*geowarden.Record) geowarden.Edit {
	return func(r *geowarden.Record) geowarden.Edit {
		for _, l := range linesToDrop {
			if r.Ref.Line == l {
				return geowarden.Edit{Drop: true}
			}
		}
		return geowarden.Keep
	}
}

func TestEpochs(t *testing.T) {
	// bu353s4: GGA GSA RMC, a new GGA starts the next epoch.
	bu := []string{
		"$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000", // 1
		"$GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5",                      // 2
		"$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A",     // 3
		"$GPGGA,030720.000,3747.0875,S,17518.8938,E,1,08,1.1,59.8,M,23.7,M,,0000", // 4
		"$GPGSV,3,3,12,11,12,132,04,08,38,008,,02,35,348,,03,14,091,",             // 5
		"$GPRMC,030720.000,A,3747.0875,S,17518.8938,E,1.15,181.39,311214,,,A",     // 6
	}
	// nmea.nmea: ZDA opens the epoch, a second earlier than the fixes.
	zda := []string{
		"$GPZDA,032908,07,08,2004,00,00",                                               // 1
		"$GPGGA,032908.379,4231.8291,N,08807.3033,W,1,05,1.6,209.8,M,-34.2,M,0.0,0000", // 2
		"$GPRMC,032908.379,A,4231.8291,N,08807.3033,W,0.17,138.92,070804,,",            // 3
		"$GPVTG,138.92,T,,M,0.17,N,0.3,K",                                              // 4
		"$GPZDA,032909,07,08,2004,00,00",                                               // 5
		"$GPGGA,032909.379,4231.8291,N,08807.3034,W,1,05,1.6,209.7,M,-34.2,M,0.0,0000", // 6
		"$GPRMC,032909.379,A,4231.8291,N,08807.3034,W,0.18,145.85,070804,,",            // 7
	}
	// ublox-8: RMC first, GLL and ZDA last.
	ub := []string{
		"$GNRMC,000941.00,A,4404.13387,N,12118.85628,W,0.029,,100117,,,A",          // 1
		"$GNVTG,,T,,M,0.029,N,0.053,K,A",                                           // 2
		"$GNGGA,000941.00,4404.13387,N,12118.85628,W,1,12,1.01,1144.8,M,-21.4,M,,", // 3
		"$GNGLL,4404.13387,N,12118.85628,W,000941.00,A,A",                          // 4
		"$GNZDA,000941.00,10,01,2017,00,00",                                        // 5
		"$GNRMC,000942.00,A,4404.13401,N,12118.85633,W,0.041,,100117,,,A",          // 6
		"$GNZDA,000942.00,10,01,2017,00,00",                                        // 7
	}
	// 10 Hz GGA with 1 Hz RMC and proprietary sentences between.
	rst := []string{
		"$GPRMC,204132.00,A,4205.733476,N,08802.041110,W,9.415,21.404,190214,,,D",   // 1
		"$PASHR,204132.040,010.99,T,+00.41,-00.75,-00.84,0.151,0.088,0.569,1,0",     // 2
		"$GPGGA,204132.10,4205.733715,N,08802.040978,W,2,08,1.0,221.921,M,,,3,0138", // 3
		"$PASHR,204132.120,011.99,T,+00.40,-00.70,-00.85,0.151,0.088,0.569,1,0",     // 4
		"$GPGGA,204132.20,4205.733946,N,08802.040837,W,2,08,1.0,221.912,M,,,3,0138", // 5
	}
	// Multi-constellation GNS sentences of one fix.
	gns := []string{
		"$GNGNS,112257.00,3844.24011,N,00908.43828,W,AN,03,10.5,,,,", // 1
		"$GPGNS,112257.00,3844.24011,N,00908.43828,W,A,03,10.5,,,,",  // 2
		"$GLGNS,112257.00,3844.24011,N,00908.43828,W,N,00,,,,,",      // 3
		"$GNGNS,112258.00,3844.23988,N,00908.43825,W,AN,03,10.5,,,,", // 4
	}
	// Fixes without time: a repeated address starts a new epoch.
	notime := []string{
		"$GPGLL,4916.45,N,12311.12,W", // 1
		"$GPGSV,1,1,01,07,10,333,39",  // 2
		"$GPGLL,4916.46,N,12311.13,W", // 3
	}
	pick := func(ss []string, keep ...int) string {
		var out []string
		for _, k := range keep {
			out = append(out, ss[k-1])
		}
		return lines(out...)
	}
	cases := []struct {
		name string
		in   []string
		drop []int
		keep []int
	}{
		{"GGA GSA RMC: drop the GGA", bu, []int{1}, []int{4, 5, 6}},
		{"GGA GSA RMC: drop the second RMC", bu, []int{6}, []int{1, 2, 3}},
		{"ZDA before the fix belongs to it", zda, []int{6}, []int{1, 2, 3, 4}},
		{"ZDA before the fix: drop the first", zda, []int{3}, []int{5, 6, 7}},
		{"GLL and ZDA at the end", ub, []int{4}, []int{6, 7}},
		{"10 Hz fixes are epochs of their own", rst, []int{3}, []int{1, 2, 5}},
		{"GNS of several talkers", gns, []int{2}, []int{4}},
		{"fixes without time", notime, []int{1}, []int{3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := lines(c.in...)
			h := &testHandler{edit: dropWhere(c.drop...)}
			out, err := rewrite(t, Codec{}, []byte(in), h)
			if err != nil {
				t.Fatal(err)
			}
			if want := pick(c.in, c.keep...); string(out) != want {
				t.Errorf("got\n%s\nwant\n%s", out, want)
			}
		})
	}
}

func TestWaypointDropsOnlyItself(t *testing.T) {
	in := lines("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,",
		"$GPRMB,A,0.66,L,003,004,4917.24,N,12309.57,W,001.3,052.5,000.5,V",
		"$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W")
	h := &testHandler{edit: dropWhere(2)}
	out, err := rewrite(t, Codec{}, []byte(in), h)
	if err != nil {
		t.Fatal(err)
	}
	want := lines("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,",
		"$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W")
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestMoveAndRetime(t *testing.T) {
	to := geowarden.Point{Lon: -0.5, Lat: -33.9999999}
	at := time.Date(2021, 3, 4, 5, 6, 7, 890e6, time.UTC)
	cases := []struct {
		name string
		in   string
		edit geowarden.Edit
		want string
	}{
		{
			name: "move keeps the decimals",
			in:   lines("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"),
			edit: geowarden.Edit{Move: true, Pos: to},
			want: lines("$GPGGA,123519,3400.000,S,00030.000,W,1,08,0.9,545.4,M,46.9,M,,"),
		},
		{
			name: "move with many decimals and no checksum",
			in:   "$GPRMC,204132.00,A,4205.733476,N,08802.041110,W,9.415,21.404,190214,,,D\n",
			edit: geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 179.99999999, Lat: 5.123456789}},
			want: "$GPRMC,204132.00,A,0507.407407,N,17959.999999,E,9.415,21.404,190214,,,D\n",
		},
		{
			name: "move with a lower-case checksum",
			in:   ckLower("$GPGLL,4916.45,N,12311.12,W,225444.5,A") + "\n",
			edit: geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 10, Lat: 10}},
			want: ckLower("$GPGLL,1000.00,N,01000.00,E,225444.5,A") + "\n",
		},
		{
			name: "retime RMC and ZDA",
			in:   lines("$GPZDA,032908,07,08,2004,00,00", "$GPRMC,032908.379,A,4231.8291,N,08807.3033,W,0.17,138.92,070804,,"),
			edit: geowarden.Edit{Retime: true, Time: at},
			want: lines("$GPZDA,050607,04,03,2021,00,00", "$GPRMC,050607.890,A,4231.8291,N,08807.3033,W,0.17,138.92,040321,,"),
		},
		{
			name: "strip the time",
			in:   lines("$GPZDA,032908,07,08,2004,00,00", "$GPRMC,032908.379,A,4231.8291,N,08807.3033,W,0.17,138.92,070804,,"),
			edit: geowarden.Edit{Strip: []string{"time"}},
			want: lines("$GPZDA,,,,,00,00", "$GPRMC,,A,4231.8291,N,08807.3033,W,0.17,138.92,,,"),
		},
		{
			name: "move and retime a Magellan track point",
			in:   lines("$PMGNTRK,4415.163,N,07631.126,W,00095,M,110833.53,A,,030409"),
			edit: geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 1.5, Lat: 2.25}, Retime: true, Time: at},
			want: lines("$PMGNTRK,0215.000,N,00130.000,E,00095,M,050607.89,A,,040321"),
		},
		{
			name: "binary before the sentence stays",
			in:   "\xB5\x62\x01\x07" + ck("$GPGLL,4916.45,N,12311.12,W,225444,A") + "\r\n",
			edit: geowarden.Edit{Move: true, Pos: geowarden.Point{Lon: 10, Lat: 10}},
			want: "\xB5\x62\x01\x07" + ck("$GPGLL,1000.00,N,01000.00,E,225444,A") + "\r\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &testHandler{edit: func(*geowarden.Record) geowarden.Edit { return c.edit }}
			out, err := rewrite(t, Codec{}, []byte(c.in), h)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(out); got != c.want {
				t.Errorf("got\n%q\nwant\n%q", got, c.want)
			}
			// The output reads back with the edits.
			again := &testHandler{}
			if _, err := rewrite(t, Codec{}, out, again); err != nil {
				t.Fatalf("reading the output: %v", err)
			}
		})
	}
}

func TestBinary(t *testing.T) {
	gga := ck("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,")
	ubx := "\xB5\x62\x01\x07\x5C\x00\x30\x98\x58\x11\xE1\x07\x07\x13\x08\x32\x00\x37"
	cases := []struct {
		name     string
		in       string
		recs     int
		notices  []string // line and message of each notice
		dropped  string   // output with DropBinary
		wantBads int
	}{
		{
			name:    "UBX frame on its own line",
			in:      gga + "\r\n" + ubx + "\r\n" + gga + "\r\n",
			recs:    2,
			notices: []string{"2: 20 bytes of binary data (UBX?), not read: removed"},
			dropped: gga + "\r\n" + gga + "\r\n",
		},
		{
			name:    "UBX frame glued to a sentence",
			in:      ubx + gga + "\r\n",
			recs:    1,
			notices: []string{"1: 18 bytes of binary data (UBX?), not read: removed"},
			dropped: gga + "\r\n",
		},
		{
			name:    "binary run over several lines with line breaks in it",
			in:      "# log\n\xA0\xA2\x00\x18\n\x0A\x0D\xB0\xB3\n" + gga + "\n",
			recs:    1,
			notices: []string{"2: 10 bytes of binary data (SiRF?), not read: removed"},
			dropped: "# log\n" + gga + "\n",
		},
		{
			name:    "a sentence followed by binary data on its line",
			in:      gga + "\x00\x00\xD3\n",
			recs:    1,
			notices: []string{"1: 4 bytes of binary data (unknown protocol?), not read: removed"},
			dropped: gga + "\n",
		},
		{
			name:    "Ashtech binary message",
			in:      "$PASHR,MCA,\x1a\xe0\x02\x1c&E\x02\x02\x18\r\n" + gga + "\r\n",
			recs:    1,
			notices: []string{"1: 22 bytes of binary data (Ashtech?), not read: removed"},
			dropped: gga + "\r\n",
		},
		{
			name:     "a fix cut short by binary data is a bad record",
			in:       "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9*3\x1b[H\x1b[J\n" + gga + "\n",
			recs:     1,
			notices:  []string{"1: 7 bytes of binary data (unknown protocol?), not read: removed"},
			dropped:  gga + "\n",
			wantBads: 1,
		},
		{
			name:    "binary line longer than the line cap",
			in:      strings.Repeat("\x00\xB5\x62$", 3000) + gga + "\n",
			recs:    1,
			notices: []string{"1: 12000 bytes of binary data (UBX?), not read: removed"},
			dropped: gga + "\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &testHandler{bad: dropBad}
			out, err := rewrite(t, Codec{}, []byte(c.in), h)
			if err != nil {
				t.Fatal(err)
			}
			if len(h.recs) != c.recs || len(h.bads) != c.wantBads {
				t.Errorf("got %d records and %d bad, want %d and %d", len(h.recs), len(h.bads), c.recs, c.wantBads)
			}
			if c.wantBads == 0 && string(out) != c.in {
				t.Errorf("keep-all output differs:\ngot  %q\nwant %q", out, c.in)
			}
			hd := &testHandler{bad: dropBad}
			out, err = rewrite(t, Codec{DropBinary: true}, []byte(c.in), hd)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != c.dropped {
				t.Errorf("with DropBinary:\ngot  %q\nwant %q", out, c.dropped)
			}
			var got []string
			for _, n := range hd.notices {
				if n.Kind != "binary" || !n.Dropped || n.Ref.File != "in" || n.Ref.Feature != -1 {
					t.Errorf("notice %+v: want kind binary, dropped, file in, feature -1", n)
				}
				got = append(got, fmt.Sprintf("%d: %s", n.Ref.Line, n.Message))
			}
			if strings.Join(got, "\n") != strings.Join(c.notices, "\n") {
				t.Errorf("notices:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.notices, "\n"))
			}
			if len(h.notices) != len(hd.notices) || len(h.notices) > 0 && h.notices[0].Dropped {
				t.Errorf("without DropBinary: %d notices (dropped %v), want %d not dropped", len(h.notices), len(h.notices) > 0 && h.notices[0].Dropped, len(hd.notices))
			}
		})
	}
}

func TestLineEnds(t *testing.T) {
	gll := func(m int) string { return ck(fmt.Sprintf("$GPGLL,4916.%02d,N,12311.12,W,2254%02d,A", m, m)) }
	in := gll(1) + "\r" + gll(2) + "\n" + gll(3) + "\r\n\r\n" + gll(4)
	h := &testHandler{}
	out, err := rewrite(t, Codec{}, []byte(in), h)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("keep-all output differs:\n%q\n%q", out, in)
	}
	var got []int
	for _, r := range h.recs {
		got = append(got, r.r.Ref.Line)
	}
	if fmt.Sprint(got) != "[1 2 3 5]" {
		t.Errorf("lines %v, want [1 2 3 5]", got)
	}
	// Dropping the last one removes it but leaves the line end before it.
	h = &testHandler{edit: dropWhere(5)}
	out, _ = rewrite(t, Codec{}, []byte(in), h)
	if want := in[:len(in)-len(gll(4))]; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestDetect(t *testing.T) {
	gga := ck("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,")
	cases := []struct {
		name, file, head string
		want             bool
	}{
		{"sentence", "x", gga + "\r\n", true},
		{"AIS", "x.aivdm", "!AIVDM,1,1,,B,13nUgBWP01PkHvDU7<kC4wvJ2>`<,0*27\n", true},
		{"comments first", "x", "# Name: BU-353\n#\n\n" + gga + "\n", true},
		{"proprietary", "Geotag.log", "$PMGNTRK,4415.163,N,07631.126,W,00095,M,110833.53,A,,030409*68\r\n", true},
		{"after binary garbage", "x", "&\t\x82b\x82\xba\xaab$GNRMC,000941.00,A,4404.13387,N*7D\r\n", true},
		{"title line with an NMEA extension", "amod.nmea", "A simple NMEA file\n" + gga + "\n", true},
		{"title line without one", "amod.dat", "A simple NMEA file\n" + gga + "\n", false},
		{"CSV", "x.csv", "lat,lon\n1,2\n", false},
		{"CSV with a dollar", "x.txt", "$lat,lon\n1,2\n", false},
		{"GeoJSON", "x.json", `{"type":"Point"}`, false},
		{"empty", "x.nmea", "", false},
		{"only binary", "x.log", "\xB5\x62\x01\x07\x00\x00", false},
		{"short address", "x.log", "$STI,IC,error=4\n", false},
		{"cut in the address", "x", "$GPGG", false},
		{"other text log", "Geotag3.log", "   1 0001   42.721544   61.671879  249  25.21 21/04/2014\r\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := (Codec{}).Detect(c.file, []byte(c.head)); got != c.want {
				t.Errorf("Detect(%q, %q) = %v, want %v", c.file, c.head, got, c.want)
			}
		})
	}
}

func TestScanOnly(t *testing.T) {
	in := lines("$GPZDA,032908,07,08,2004,00,00", "$GPGGA,032908.379,4231.8291,N,08807.3033,W,1,05,1.6,209.8,M,-34.2,M,0.0,0000") +
		"\xB5\x62\x01\x07\n" + lines("$GPRMC,032908.379,A,4231.8291,N,08807.3033,W,0.17,138.92,070804,,")
	h1, h2 := &testHandler{}, &testHandler{}
	if _, err := rewrite(t, Codec{}, []byte(in), h1); err != nil {
		t.Fatal(err)
	}
	if err := (Codec{}).Rewrite(context.Background(), strings.NewReader(in), nil, h2, &format.Options{Name: "in"}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(h1.recs) != fmt.Sprint(h2.recs) || len(h1.notices) != len(h2.notices) {
		t.Errorf("scan-only records differ:\n%v\n%v", h1.recs, h2.recs)
	}
}

func TestLongEpoch(t *testing.T) {
	var ss []string
	ss = append(ss, "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,")
	for range MaxEpochSentences + 10 {
		ss = append(ss, "$GPGSV,3,3,12,11,12,132,04,08,38,008,,02,35,348,,03,14,091,")
	}
	ss = append(ss, "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W")
	in := lines(ss...)
	// Dropping the GGA drops the whole epoch, also past the cap.
	h := &testHandler{edit: dropWhere(1)}
	out, err := rewrite(t, Codec{}, []byte(in), h)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 0 {
		t.Errorf("dropping the first fix left %d bytes", len(out))
	}
	// Dropping the RMC past the cap drops only what follows the cap.
	last := len(ss)
	h = &testHandler{edit: dropWhere(last)}
	out, err = rewrite(t, Codec{}, []byte(in), h)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(out, []byte("\n")); n != MaxEpochSentences {
		t.Errorf("dropping the last fix left %d lines, want %d", n, MaxEpochSentences)
	}
	if len(h.notices) != 1 || h.notices[0].Kind != "long-epoch" {
		t.Errorf("notices %v, want one long-epoch", h.notices)
	}
}

func TestContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := (Codec{}).Rewrite(ctx, strings.NewReader(lines("$GPGSA,A,1")), io.Discard, &testHandler{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	// Cancelled during a long input.
	ctx, cancel = context.WithCancel(context.Background())
	h := &testHandler{edit: func(*geowarden.Record) geowarden.Edit { cancel(); return geowarden.Keep }}
	in := strings.Repeat(lines("$GPGLL,4916.45,N,12311.12,W"), 3*ctxEvery)
	err = (Codec{}).Rewrite(ctx, strings.NewReader(in), io.Discard, h, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

type errReader struct{ n int }

func (r *errReader) Read(p []byte) (int, error) {
	if r.n > 0 {
		r.n--
		return copy(p, lines("$GPGSA,A,1")), nil
	}
	return 0, errors.New("disk on fire")
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestIOErrors(t *testing.T) {
	err := (Codec{}).Rewrite(context.Background(), &errReader{n: 2}, io.Discard, &testHandler{}, &format.Options{Name: "f"})
	if err == nil || !strings.Contains(err.Error(), "nmea: reading f: disk on fire") {
		t.Errorf("got %v, want a read error", err)
	}
	err = (Codec{}).Rewrite(context.Background(), strings.NewReader(lines("$GPGSA,A,1")), errWriter{}, &testHandler{}, &format.Options{Name: "f"})
	if err == nil || !strings.Contains(err.Error(), "nmea: writing f: disk full") {
		t.Errorf("got %v, want a write error", err)
	}
}
