package nmea

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// withSum appends the checksum to a sentence written without one.
func withSum(s string) string {
	return fmt.Sprintf("%s*%02X", s, xor([]byte(s[1:])))
}

// aisCases are AIS messages with their decoded positions. Unless said
// otherwise the sentences and the values come from gpsd's test/sample.aivdm
// (testdata/gpsd/ais/sample.aivdm), where each is followed by its decoding
// as checked with the noaadata tools or the Maritec decoder.
var aisCases = []struct {
	name     string
	in       []string
	mmsi     string
	typ      string
	lat, lon float64
	time     string
}{
	{"type 1", []string{"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"}, "371798000", "1", 48.38163333333, -123.395383333, ""},
	{"type 1 at rest", []string{"!AIVDM,1,1,,A,16SteH0P00Jt63hHaa6SagvJ087r,0*42"}, "440348000", "1", 43.08015, -70.7582, ""},
	{"type 2", []string{"!AIVDM,1,1,,B,25Cjtd0Oj;Jp7ilG7=UkKBoB0<06,0*60"}, "356302000", "2", 40.39235833333, -71.62614333333, ""},
	{"type 3", []string{"!AIVDM,1,1,,A,38Id705000rRVJhE7cl9n;160000,0*40"}, "563808000", "3", 36.91, -76.32753333333, ""},
	{"type 4 base station", []string{"!AIVDM,1,1,,A,403OviQuMGCqWrRO9>E6fE700@GO,0*4D"}, "3669702", "4", 36.88376666667, -76.35236166667, "2007-05-14T19:57:39Z"},
	{"type 9 SAR aircraft", []string{"!AIVDM,1,1,,A,91b77=h3h00nHt0Q3r@@07000<0b,0*69"}, "111265591", "9", 34667073.0 / 600000, 7128960.0 / 600000, ""},
	{"type 11 with receiver tail", []string{"!AIVDM,1,1,,B,;4R33:1uUK2F`q?mOt@@GoQ00000,0*5D,s28089,d-103,T39.44353985,x147521,r08TPHI1,1242958962"}, "304137000", "11", 28.40911666667, -94.40768333333, "2009-05-22T02:22:40Z"},
	{"type 17 DGNSS", []string{"!AIVDM,1,1,1,A,A;wUJKU>io;WlWuwH`W1PpnuN<isf;5iHtOM1S6q?vsvNrNGOqLcr5mfD6t,2*51,d-127,S1378,t024436.00,T36.76385108,r09SCHA1,1272422678"}, "804870766", "17", -26818.0 / 600, 80669.0 / 600, ""},
	{"type 17 in two fragments", []string{"!AIVDM,2,1,5,A,A02VqLPA4I6C07h5Ed1h<OrsuBTTwS?r:C?w`?la<gno1RTRwSP9:BcurA8a,0*3A", "!AIVDM,2,2,5,A,:Oko02TSwu8<:Jbb,0*11"}, "2734450", "17", 35992.0 / 600, 17478.0 / 600, ""},
	{"type 18", []string{"!AIVDM,1,1,,A,B52K>;h00Fc>jpUlNV@ikwpUoP06,0*4C"}, "338087471", "18", 40.68454, -74.07213166667, ""},
	{"type 18 again", []string{"!AIVDM,1,1,,B,B5O6hr00<veEKmUaMFdEow`UWP06,0*4F"}, "368161000", "18", 39.480925, -72.2338483333, ""},
	{"type 19", []string{"!AIVDM,1,1,,B,C5N3SRgPEnJGEBT>NhWAwwo862PaLELTBJ:V00000000S0D:R220,0*0B"}, "367059850", "19", 29.543695, -88.8103916667, ""},
	{"type 21 in two fragments", []string{"!AIVDM,2,1,5,B,E1mg=5J1T4W0h97aRh6ba84<h2d;W:Te=eLvH50```q,0*46", "!AIVDM,2,2,5,B,:D44QDlp0C1DU00,2*36"}, "123456789", "21", 47.9206183333, -122.698591667, ""},
	// pyais (github.com/M0r13n/pyais) tests/test_decode.py test_msg_type_27:
	// lon 137.023333, lat 4.84; gpsd's sample has no decoding for it.
	{"type 27 long range", []string{"!AIVDM,1,1,,B,KC5E2b@U19PFdLbMuc5=ROv62<7m,0*16"}, "206914217", "27", 4.84, 137.023333, ""},
	// gpsd test/daemon/saab-r4.log, own vessel; gpsd's decoding in
	// testdata/gpsd/expected/saab-r4.log.chk: lon -4868800, lat 30127913.
	{"AIVDO own vessel", []string{"!AIVDO,1,1,,B,13`kvwO005wJnb0Lfo:@7P8F05`L,0*5B"}, "244121341", "1", 30127913.0 / 600000, -4868800.0 / 600000, ""},
}

func TestAISPositions(t *testing.T) {
	for _, c := range aisCases {
		t.Run(c.name, func(t *testing.T) {
			h := &testHandler{}
			out, err := rewrite(t, Codec{}, []byte(lines(c.in...)), h)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != lines(c.in...) {
				t.Errorf("output differs from the input:\n%s", out)
			}
			if len(h.recs) != 1 {
				t.Fatalf("got %d records, want 1 (notices %v)", len(h.recs), h.notices)
			}
			r := h.recs[0]
			tol := 1e-6
			if c.typ == "27" || c.typ == "17" {
				tol = 1e-5
			}
			if math.Abs(r.r.Pos.Lat-c.lat) > tol || math.Abs(r.r.Pos.Lon-c.lon) > tol {
				t.Errorf("got %.8f,%.8f, want %.8f,%.8f", r.r.Pos.Lat, r.r.Pos.Lon, c.lat, c.lon)
			}
			if r.r.Source != c.mmsi || r.attrs["mmsi"] != c.mmsi || r.attrs["msgtype"] != c.typ {
				t.Errorf("got source %q, mmsi %q, type %q; want %s, %s", r.r.Source, r.attrs["mmsi"], r.attrs["msgtype"], c.mmsi, c.typ)
			}
			if r.r.Kind != geowarden.KindFix || r.r.Shape != geowarden.ShapePoint {
				t.Errorf("got kind %v shape %v, want a fix and a point", r.r.Kind, r.r.Shape)
			}
			got := ""
			if !r.r.Time.IsZero() {
				got = r.r.Time.Format(time.RFC3339)
			}
			if got != c.time {
				t.Errorf("got time %q, want %q", got, c.time)
			}
			// The record is on the last fragment.
			if want := len(c.in); r.r.Ref.Line != want {
				t.Errorf("record on line %d, want %d", r.r.Ref.Line, want)
			}
		})
	}
}

// TestAISNoPosition: messages without a position, or whose position is
// "not available", give no record and pass as they are.
func TestAISNoPosition(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []string
	}{
		// gpsd sample.aivdm.
		{"type 5 in two fragments", []string{"!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C", "!AIVDM,2,2,1,A,88888888880,2*25"}},
		{"type 24 A", []string{"!AIVDM,1,1,,A,H42O55i18tMET00000000000000,2*6D"}},
		{"type 24 B", []string{"!AIVDM,1,1,,A,H42O55lti4hhhilD3nink000?050,0*40"}},
		{"type 10", []string{"!AIVDM,1,1,,B,:5MlU41GMK6@,0*6C"}},
		// Crafted: type 1 with longitude 181 and latitude 91 (not available).
		{"type 1 not available", []string{withSum("!AIVDM,1,1,,A," + string(aisPayload(1, 1, 181*600000, 91*600000)) + ",0")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := &testHandler{}
			out, err := rewrite(t, Codec{}, []byte(lines(c.in...)), h)
			if err != nil {
				t.Fatal(err)
			}
			if len(h.recs) != 0 || len(h.notices) != 0 {
				t.Errorf("got %d records, notices %v; want none", len(h.recs), h.notices)
			}
			if string(out) != lines(c.in...) {
				t.Errorf("output differs from the input:\n%s", out)
			}
		})
	}
}

// aisPayload builds a 168-bit message of type typ with a position.
func aisPayload(typ int, mmsi uint32, lon, lat int64) []byte {
	b := make(aisBits, 28)
	b.set(0, 6, int64(typ))
	b.set(8, 30, int64(mmsi))
	_, l := aisType(typ)
	b.set(l.lon, l.lonBits, lon)
	b.set(l.lat, l.latBits, lat)
	out := make([]byte, len(b))
	for i, v := range b {
		out[i] = armour(v)
	}
	return out
}

// TestAISMove moves every position of aisCases and reads the output back:
// the position is the one moved to (to the message's resolution), the
// checksum is right, and every other bit of the payload is the same.
func TestAISMove(t *testing.T) {
	to := geowarden.Point{Lon: 14.4506, Lat: -35.8506}
	for _, c := range aisCases {
		t.Run(c.name, func(t *testing.T) {
			in := lines(c.in...)
			h := &testHandler{edit: func(*geowarden.Record) geowarden.Edit { return geowarden.Edit{Move: true, Pos: to} }}
			out, err := rewrite(t, Codec{}, []byte(in), h)
			if err != nil {
				t.Fatal(err)
			}
			again := &testHandler{} // stops on a bad checksum
			if _, err := rewrite(t, Codec{}, out, again); err != nil {
				t.Fatalf("reading the output: %v\n%s", err, out)
			}
			if len(again.recs) != 1 {
				t.Fatalf("got %d records in\n%s", len(again.recs), out)
			}
			p, tol := again.recs[0].r.Pos, 1e-6
			if c.typ == "27" || c.typ == "17" {
				tol = 0.05 / 60
			}
			if math.Abs(p.Lat-to.Lat) > tol || math.Abs(p.Lon-to.Lon) > tol {
				t.Errorf("read back at %v, moved to %v", p, to)
			}
			if again.recs[0].r.Source != c.mmsi {
				t.Errorf("source %q, want %s", again.recs[0].r.Source, c.mmsi)
			}
			// Same payload but for the position bits.
			before, after := payloadBits(t, in), payloadBits(t, string(out))
			_, l := aisType(int(before.u(0, 6)))
			if len(before) != len(after) {
				t.Fatalf("payload of %d characters, was %d", len(after), len(before))
			}
			for i := range 6 * len(before) {
				inPos := i >= l.lon && i < l.lon+l.lonBits || i >= l.lat && i < l.lat+l.latBits
				if !inPos && before.u(i, 1) != after.u(i, 1) {
					t.Fatalf("bit %d changed", i)
				}
			}
			// Fields other than the payload and the checksum are kept.
			ol, il := strings.Split(string(out), "\n"), strings.Split(in, "\n")
			for i := range il {
				of, inf := strings.Split(ol[i], ","), strings.Split(il[i], ",")
				for j := range inf {
					if j != 5 && j != 6 && of[j] != inf[j] {
						t.Errorf("line %d field %d: %q, was %q", i+1, j, of[j], inf[j])
					}
				}
			}
		})
	}
}

// payloadBits joins the payloads of AIS sentences.
func payloadBits(t *testing.T, text string) aisBits {
	t.Helper()
	var b aisBits
	for l := range strings.SplitSeq(strings.TrimSpace(text), "\n") {
		for _, c := range []byte(strings.Split(l, ",")[5]) {
			v, ok := sixbit(c)
			if !ok {
				t.Fatalf("bad armour %q in %q", c, l)
			}
			b = append(b, v)
		}
	}
	return b
}

// TestAISDrop checks that dropping a message removes all its fragments
// and nothing else, also when fragments of two messages interleave.
func TestAISDrop(t *testing.T) {
	t21 := aisCases[12].in // type 21, sequence id 5, channel B
	t5 := []string{"!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C", "!AIVDM,2,2,1,A,88888888880,2*25"}
	t1 := aisCases[0].in[0]
	in := lines("$GPGSA,A,1", t21[0], t5[0], t1, t21[1], t5[1], "$GPTXT,01,01,02,end")
	h := &testHandler{edit: func(r *geowarden.Record) geowarden.Edit {
		return geowarden.Edit{Drop: r.Source == "123456789"}
	}}
	out, err := rewrite(t, Codec{}, []byte(in), h)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.recs) != 2 || h.recs[0].r.Source != "371798000" || h.recs[1].r.Source != "123456789" {
		t.Fatalf("got records %+v", h.recs)
	}
	if want := lines("$GPGSA,A,1", t5[0], t1, t5[1], "$GPTXT,01,01,02,end"); string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// TestAISFragmentsAcrossEpochs: a message whose fragments straddle a GPS
// epoch boundary is still read whole.
func TestAISFragmentsAcrossEpochs(t *testing.T) {
	t21 := aisCases[12].in
	in := lines(
		"$GPGGA,120000,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,", t21[0],
		"$GPGGA,120001,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,", t21[1],
		"$GPGGA,120002,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,")
	h := &testHandler{edit: func(r *geowarden.Record) geowarden.Edit {
		return geowarden.Edit{Drop: r.Source == "123456789"}
	}}
	out, err := rewrite(t, Codec{}, []byte(in), h)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.recs) != 4 || len(h.notices) != 0 {
		t.Fatalf("got %d records, notices %v", len(h.recs), h.notices)
	}
	if strings.Contains(string(out), "!AIVDM") {
		t.Errorf("a fragment of the dropped message is left:\n%s", out)
	}
}

// TestUnreadable checks the sentences that may hold a position this
// package does not read: dropped with a notice by default, kept with one
// under KeepUnreadable; and those it knows to hold none, kept silently.
func TestUnreadable(t *testing.T) {
	t21 := aisCases[12].in
	for _, c := range []struct {
		name   string
		in     []string
		unread int // unreadable sentences
		recs   int
	}{
		// gpsd sample.aivdm: type 8 (binary broadcast) and 22 (channel
		// management, with an area) hold positions not read.
		{"AIS type 8", []string{"!AIVDM,1,1,,B,83aDChPj2d<dL<uM=hhhI?a@6HP0,0*40"}, 1, 0},
		{"AIS type 22", []string{"!AIVDM,1,1,,A,F030ot22N2P6aoQbhe4736L20000,0*1A"}, 1, 0},
		// Crafted from the type 1 case: a character outside the armour, a
		// payload cut short, fill bits out of range, a latitude of 95°.
		{"AIS bad armour", []string{withSum("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208C|,0")}, 1, 0},
		{"AIS too short", []string{withSum("!AIVDM,1,1,,A,15RTgt0PAso;90,0")}, 1, 0},
		{"AIS fill bits", []string{withSum("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,7")}, 1, 0},
		{"AIS fragment number", []string{withSum("!AIVDM,2,3,1,A,15RTgt0PAso;90TKcjM8h6g208CQ,0")}, 1, 0},
		{"AIS latitude out of range", []string{withSum("!AIVDM,1,1,,A," + string(aisPayload(1, 1, 0, 95*600000)) + ",0")}, 1, 0},
		{"AIS last fragment alone", []string{t21[1]}, 1, 0},
		{"AIS first fragment alone", []string{t21[0]}, 1, 0},
		{"AIS fragments in the wrong order", []string{t21[1], t21[0]}, 2, 0},
		{"AIS message restarted", []string{t21[0], t21[0], t21[1]}, 1, 1},
		// Crafted after the layout of SiRF's input message 104 (LLA
		// navigation initialisation): a position in decimal degrees.
		{"SiRF PSRF104", []string{withSum("$PSRF104,37.3875111,-121.97232,0,96000,237759,922,12,3")}, 1, 0},
		// gpsbabel reference/mtk_locus.nmea: a LOCUS log dump (hex floats).
		{"MTK PMTKLOX", []string{"$PMTKLOX,1,1,6DD08A50,02BC3E4C,42973FE4,C25B0438,7CD08A50,02B93E4C,42933FE4,C25B0428,8BD08A50,02BC3E4C,42943FE4,C25A04DC,9AD08A50,02B73E4C,42903FE4,C25804C0,A9D08A50,02AA3E4C,42883FE4,C25704F9,B8D08A50,029E3E4C,42843FE4,C25404D3*26"}, 1, 0},
		// Crafted: an Ashtech PBN (position in ECEF metres) as text; gpsd's
		// ac12_binary.log has the binary form.
		{"Ashtech PASHR,PBN", []string{withSum("$PASHR,PBN,424575.00,4194552.378,-651876.523,4747387.123,44.05,-8.86,163.9,0.01,0.02,0.00,07,6,2.0,1.0")}, 1, 0},
		// A standard sentence not read, with latitude and longitude:
		// RMA (Loran-C), crafted after NMEA 0183.
		{"RMA", []string{withSum("$GPRMA,A,3723.4,N,12203.2,W,,,,,,")}, 1, 0},
		// Known to hold no position: pass silently (gpsd logs, Garmin and
		// u-blox documentation).
		{"PGRME", []string{"$PGRME,15.0,M,45.0,M,25.0,M*1C"}, 0, 0},
		{"PGRMZ", []string{"$PGRMZ,246,f,3*1B"}, 0, 0},
		{"PGRMM", []string{"$PGRMM,NAD83*29"}, 0, 0},
		{"PUBX,03", []string{withSum("$PUBX,03,11,23,-,,,45,010,29,-,,,46,013,07,-,,,42,015")}, 0, 0},
		{"PTNTHTM", []string{"$PTNTHTM,14223,N,169,N,-43,N,13641,2454*15"}, 0, 0},
		{"PASHR attitude", []string{withSum("$PASHR,204135.00,154.29,T,-0.09,0.77,-0.01,0.011,0.011,0.038,2,1")}, 0, 0},
		{"query", []string{withSum("$PGRMCE")}, 0, 0},
		{"status word", []string{"$PFST,FOM,6*63"}, 0, 0},
	} {
		for _, keep := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/keep=%v", c.name, keep), func(t *testing.T) {
				in := lines(append(append([]string{"$GPTXT,01,01,02,start"}, c.in...), "$GPTXT,01,01,02,end")...)
				h := &testHandler{}
				out, err := rewrite(t, Codec{KeepUnreadable: keep}, []byte(in), h)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, no := range h.notices {
					if no.Kind == "unreadable" {
						n++
						if no.Dropped == keep {
							t.Errorf("notice Dropped = %v with KeepUnreadable %v", no.Dropped, keep)
						}
					}
				}
				if n != c.unread || len(h.recs) != c.recs {
					t.Fatalf("got %d unreadable, %d records (%v), want %d, %d", n, len(h.recs), h.notices, c.unread, c.recs)
				}
				want := in
				if !keep && c.unread > 0 {
					// Only the sentences that made a record are left.
					var kept []string
					if c.recs > 0 {
						kept = c.in[len(c.in)-2:]
					}
					want = lines(append(append([]string{"$GPTXT,01,01,02,start"}, kept...), "$GPTXT,01,01,02,end")...)
				}
				if string(out) != want {
					t.Errorf("got\n%s\nwant\n%s", out, want)
				}
			})
		}
	}
}

// TestUnreadableOption: format.Options.KeepUnreadable, as the policy sets
// it, keeps unreadable sentences like Codec.KeepUnreadable.
func TestUnreadableOption(t *testing.T) {
	in := lines("$PMTKLOX,0,3*5A")
	for _, keep := range []bool{false, true} {
		var out bytes.Buffer
		err := Codec{}.Rewrite(t.Context(), strings.NewReader(in), &out, &testHandler{}, &format.Options{KeepUnreadable: keep})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.String() == in; got != keep {
			t.Errorf("KeepUnreadable %v: output %q", keep, out.String())
		}
	}
}

// TestAISGpsdDecoding compares the AIS records of gpsd's saab-r4 log with
// gpsd's own decoding of it (testdata/gpsd/expected/saab-r4.log.chk,
// positions in 1/10000 minute).
func TestAISGpsdDecoding(t *testing.T) {
	in, err := os.ReadFile("testdata/gpsd/saab-r4.log")
	if err != nil {
		t.Fatal(err)
	}
	h := &testHandler{}
	if _, err := rewrite(t, Codec{}, in, h); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/gpsd/expected/saab-r4.log.chk")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []rec
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m struct {
			Class    string
			MMSI     uint32
			Lon, Lat float64
		}
		if json.Unmarshal(sc.Bytes(), &m) != nil || m.Class != "AIS" {
			continue
		}
		want = append(want, rec{r: geowarden.Record{Source: fmt.Sprint(m.MMSI), Pos: geowarden.Point{Lon: m.Lon / 600000, Lat: m.Lat / 600000}}})
	}
	var got []rec
	for _, r := range h.recs {
		if r.attrs["mmsi"] != "" {
			got = append(got, r)
		}
	}
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("got %d AIS records, gpsd %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i].r, want[i].r
		if g.Source != w.Source || math.Abs(g.Pos.Lat-w.Pos.Lat) > 1e-9 || math.Abs(g.Pos.Lon-w.Pos.Lon) > 1e-9 {
			t.Errorf("record %d: got %s %v, gpsd %s %v", i, g.Source, g.Pos, w.Source, w.Pos)
		}
	}
}
