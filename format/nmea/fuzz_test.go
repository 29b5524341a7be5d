package nmea

import (
	"bytes"
	"context"
	"math"
	"os"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

func addSeeds(f *testing.F) {
	for _, file := range inputs(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 4<<10 {
			b = b[:4<<10]
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "\n", "\r", "$", "!", "$*00", "$GPGGA", lines("$GPGLL,4916.45,N,12311.12,W,225444,A"),
		"\xB5\x62" + lines("$GPGLL,4916.45,N,12311.12,W,225444,A"),
		lines("$GPZDA,235959,31,12,1999,00,00", "$GPGGA,235959.99,4807,N,01131,E,0,00,,,,,,,"),
		"$GPRMC,1,V,1.,N,1.,E,,,010100,,*5b\r\n\x00",
		// AIS in one and in two fragments, interleaved; proprietary
		// positions; unreadable sentences.
		lines("!AIVDM,2,1,5,B,E1mg=5J1T4W0h97aRh6ba84<h2d;W:Te=eLvH50```q,0*46", "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
			"!AIVDM,2,2,5,B,:D44QDlp0C1DU00,2*36", "!AIVDM,1,1,,B,KC5E2b@U19PFdLbMuc5=ROv62<7m,0*16"),
		lines("!AIVDM,1,1,,A,403OviQuMGCqWrRO9>E6fE700@GO,0*4D", "$GPGGA,120000,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,",
			"!AIVDM,2,1,5,A,A02VqLPA4I6C07h5Ed1h<OrsuBTTwS?r:C?w`?la<gno1RTRwSP9:BcurA8a,0*3A", "$GPGGA,120001,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,",
			"!AIVDM,2,2,5,A,:Oko02TSwu8<:Jbb,0*11"),
		lines("$PUBX,00,081350.00,4717.113210,N,00833.915187,E,546.589,G3,2.1,2.0,0.007,77.52,0.007,,0.92,1.19,0.77,9,0,0*5F",
			"$PGRMF,290,293895,160305,093802,13,5213.1439,N,02100.6511,E,A,2,0,226,2,1*11", "$PGRMI,5213.143,N,02100.651,E,160305,093802,",
			"$PSRF104,37.3875111,-121.97232,0,96000,237759,922,12,3", "$GPRMA,A,3723.4,N,12203.2,W,,,,,,", "$PMTKLOX,0,3*5A"),
	} {
		f.Add([]byte(s))
	}
}

// FuzzRewrite checks, for any input, that the codec neither panics nor
// hangs; that keeping every record gives the input back when it has no bad
// record; that dropping bad records gives an output that reads without
// any, with as many records and no unreadable sentence left (they are
// dropped by default); that binary data can be removed; and that moved
// records (AIS payload bits included) read back where they were moved.
func FuzzRewrite(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		ctx := context.Background()
		for _, limit := range []int{0, 40} {
			opts := &format.Options{Name: "fuzz", MaxRecordBytes: limit}
			run := func(c Codec, in []byte, h *testHandler) ([]byte, error) {
				var out bytes.Buffer
				err := c.Rewrite(ctx, bytes.NewReader(in), &out, h, opts)
				return out.Bytes(), err
			}

			// Keep all, unreadable sentences too.
			keep := &testHandler{}
			out, err := run(Codec{KeepUnreadable: true}, in, keep)
			if err == nil && !bytes.Equal(out, in) {
				t.Fatalf("limit %d: keep-all output differs from the input:\n%q\n%q", limit, out, in)
			}

			// Scanning gives the same records.
			scan := &testHandler{}
			serr := Codec{KeepUnreadable: true}.Rewrite(ctx, bytes.NewReader(in), nil, scan, opts)
			if (serr == nil) != (err == nil) || len(scan.recs) != len(keep.recs) {
				t.Fatalf("limit %d: scan-only gives %d records (%v), rewrite %d (%v)", limit, len(scan.recs), serr, len(keep.recs), err)
			}

			// Bad records dropped: the output reads clean.
			lenient := &testHandler{bad: dropBad}
			clean, err := run(Codec{}, in, lenient)
			if err != nil {
				t.Fatalf("limit %d: with bad records dropped: %v", limit, err)
			}
			again := &testHandler{}
			out, err = run(Codec{}, clean, again)
			if err != nil {
				t.Fatalf("limit %d: reading the output without bad records %q: %v", limit, clean, err)
			}
			if !bytes.Equal(out, clean) {
				t.Fatalf("limit %d: output without bad records does not read back byte for byte", limit)
			}
			for _, n := range again.notices {
				if n.Kind == "unreadable" {
					t.Fatalf("limit %d: unreadable sentence left in %q: %s", limit, clean, n.Message)
				}
			}

			// Binary data removed: the output reads clean, with the same
			// number of records.
			nobin := &testHandler{}
			out, err = run(Codec{DropBinary: true}, clean, nobin)
			if err != nil {
				t.Fatalf("limit %d: dropping binary data: %v", limit, err)
			}
			again = &testHandler{}
			if _, err := run(Codec{}, out, again); err != nil {
				t.Fatalf("limit %d: reading the output without binary data %q: %v", limit, out, err)
			}
			for _, n := range again.notices {
				if n.Kind == "binary" {
					t.Fatalf("limit %d: binary data left after DropBinary in %q: %s", limit, out, n.Message)
				}
			}
			if len(again.recs) != len(nobin.recs) {
				t.Fatalf("limit %d: %d records without binary data, %d before, in %q", limit, len(again.recs), len(nobin.recs), out)
			}

			if limit != 0 {
				continue // edited lines may be longer than the cap
			}

			// Move every record and shift its time.
			var moved []geowarden.Point
			ed := &testHandler{edit: func(r *geowarden.Record) geowarden.Edit {
				n := len(moved)
				p := geowarden.Point{Lon: float64(n%359-179) + 0.25, Lat: float64(n%179-89) + 0.5}
				moved = append(moved, p)
				e := geowarden.Edit{Move: true, Pos: p}
				if !r.Time.IsZero() {
					e.Retime, e.Time = true, r.Time.Add(time.Hour)
				}
				return e
			}}
			out, err = run(Codec{}, clean, ed)
			if err != nil {
				t.Fatalf("limit %d: editing: %v", limit, err)
			}
			again = &testHandler{}
			if err := (Codec{}).Rewrite(ctx, bytes.NewReader(out), nil, again, opts); err != nil {
				t.Fatalf("limit %d: reading the edited output %q: %v", limit, out, err)
			}
			if len(again.recs) != len(moved) {
				t.Fatalf("limit %d: edited output %q has %d records, want %d", limit, out, len(again.recs), len(moved))
			}
			for i, r := range again.recs {
				if d := math.Max(math.Abs(r.r.Pos.Lat-moved[i].Lat), math.Abs(r.r.Pos.Lon-moved[i].Lon)); d > 0.5/60+1e-9 {
					t.Fatalf("limit %d: record %d read back at %v, moved to %v, in %q", limit, i, r.r.Pos, moved[i], out)
				}
			}
		}
	})
}

// FuzzDetect checks that Detect never panics.
func FuzzDetect(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, head []byte) {
		for _, name := range []string{"x", "x.nmea"} {
			Codec{}.Detect(name, head)
		}
	})
}

// FuzzAIS checks the AIS payload decoder and encoder on any payload: no
// panic; a position that decodes is moved by edited to where it was asked
// (to the type's unit), every other bit staying; and a type 4 or 11 time
// that is set reads back.
func FuzzAIS(f *testing.F) {
	for _, c := range aisCases {
		var p []byte
		fill := 0
		for _, l := range c.in {
			fs := bytes.Split([]byte(l), []byte(","))
			p = append(p, fs[5]...)
			fill = int(fs[6][0] - '0')
		}
		f.Add(p, fill, 14.4506, -35.8506)
	}
	f.Add([]byte("15RTgt0PAso;90TKcjM8h6g208C|"), 0, 0.0, 0.0)
	f.Fuzz(func(t *testing.T, payload []byte, fill int, lon, lat float64) {
		m, msg := decodeAIS(payload, fill&7)
		if m == nil {
			if msg == "" {
				t.Fatal("no message and no reason")
			}
			return
		}
		if !m.hasPos || math.IsNaN(lon) || math.IsNaN(lat) || math.Abs(lon) > 180 || math.Abs(lat) > 90 {
			return
		}
		to := geowarden.Point{Lon: lon, Lat: lat}
		when := time.Date(2026, 12, 7, 13, 5, 9, 0, time.UTC)
		out := m.edited(true, to, timeEdit{set: true, t: when})
		if len(out) != len(payload) {
			t.Fatalf("payload of %d characters, was %d", len(out), len(payload))
		}
		m2, msg := decodeAIS(out, fill&7)
		if m2 == nil {
			// Moved onto the "not available" values is the one way to
			// lose the position; that cannot be asked within range.
			t.Fatalf("edited payload %q does not decode: %s", out, msg)
		}
		unit := 1 / float64(m.lay.perDeg)
		if !m2.hasPos || math.Abs(m2.pos.Lon-lon) > unit || math.Abs(m2.pos.Lat-lat) > unit {
			t.Fatalf("moved to %v, reads %v (has %v)", to, m2.pos, m2.hasPos)
		}
		if m.hasTime() && !m2.time.Equal(when) {
			t.Fatalf("retimed to %v, reads %v", when, m2.time)
		}
		if m2.mmsi != m.mmsi || m2.typ != m.typ {
			t.Fatalf("MMSI or type changed: %d %d, was %d %d", m2.mmsi, m2.typ, m.mmsi, m.typ)
		}
	})
}
