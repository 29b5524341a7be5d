package server

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
)

// track is a real track file with its records' positions.
type track struct {
	file   string
	ctype  string
	header []byte   // lines before the records (CSV's header), kept as they are
	lines  [][]byte // one record a line, with its line end
	points []geowarden.Point
}

func readTrack(t *testing.T, file, ctype string, headerLines int, pos func(line string) geowarden.Point) track {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tr := track{file: file, ctype: ctype}
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, l := range lines {
		if len(l) == 0 {
			continue
		}
		if i < headerLines {
			tr.header = append(tr.header, l...)
			continue
		}
		tr.lines = append(tr.lines, l)
		tr.points = append(tr.points, pos(strings.TrimSpace(string(l))))
	}
	return tr
}

func csvTrack(t *testing.T) track {
	// Timestamp,Longitude,Latitude,...
	return readTrack(t, "testdata/gnettrack-driving.csv", "text/csv", 1, func(l string) geowarden.Point {
		f := strings.Split(l, ",")
		lon, _ := strconv.ParseFloat(f[1], 64)
		lat, _ := strconv.ParseFloat(f[2], 64)
		return geowarden.Point{Lon: lon, Lat: lat}
	})
}

func ndjsonTrack(t *testing.T) track {
	return readTrack(t, "testdata/geolife-000.ndjson", "application/x-ndjson", 0, func(l string) geowarden.Point {
		var f struct {
			Geometry struct{ Coordinates []float64 }
		}
		if err := json.Unmarshal([]byte(l), &f); err != nil {
			t.Fatal(err)
		}
		return geowarden.Point{Lon: f.Geometry.Coordinates[0], Lat: f.Geometry.Coordinates[1]}
	})
}

func nmeaTrack(t *testing.T) track {
	// $GPGGA,hhmmss,ddmm.mmm,N,dddmm.mmm,E,...
	deg := func(v string, n int) float64 {
		d, _ := strconv.ParseFloat(v[:n], 64)
		m, _ := strconv.ParseFloat(v[n:], 64)
		return d + m/60
	}
	return readTrack(t, "testdata/gpsbabel-track.nmea", "application/x-nmea", 0, func(l string) geowarden.Point {
		f := strings.Split(l, ",")
		return geowarden.Point{Lon: deg(f[4], 3), Lat: deg(f[2], 2)}
	})
}

// zoneOver draws a circle around the track's point at index i, of the
// radius, and returns it with the expected output: the track's header
// and the lines of the records outside the circle, and the number inside.
func zoneOver(t *testing.T, tr track, i int, radius float64) (circle, []byte, int) {
	c := circle{Center: tr.points[i], Radius: radius}
	want := append([]byte(nil), tr.header...)
	inside := 0
	for k, p := range tr.points {
		if c.inside(t, p) {
			inside++
			continue
		}
		want = append(want, tr.lines[k]...)
	}
	if inside == 0 || inside == len(tr.points) {
		t.Fatalf("%s: the zone holds %d of %d points; want some", tr.file, inside, len(tr.points))
	}
	return c, want, inside
}

// TestIngestRealTracks sends real tracks to /v1/ingest against a zone
// over part of their points: the upstream receives exactly the records
// outside the zone, byte for byte as they were sent, and none inside.
func TestIngestRealTracks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		track  func(*testing.T) track
		at     int
		radius float64
	}{
		{"csv", csvTrack, 75, 170},
		{"ndjson", ndjsonTrack, 450, 420},
		{"nmea", nmeaTrack, 250, 645},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := tc.track(t)
			zone, want, inside := zoneOver(t, tr, tc.at, tc.radius)
			t.Logf("%s: %d of %d records inside the zone", tr.file, inside, len(tr.points))
			up := newUpstream(t)
			g := startGateway(t, up, gwOptions{zone: zone})
			tok := g.token(t, "phone-17", RoleIngest)
			body := append(append([]byte(nil), tr.header...), bytes.Join(tr.lines, nil)...)
			res := g.ingest(t, tok, tr.ctype, body)
			n := int64(len(tr.lines))
			if res.Received != n || res.Dropped != int64(inside) || res.Kept != n-int64(inside) || res.Modified != 0 || res.Findings != int64(inside) {
				t.Errorf("answer %+v, want %d received, %d dropped, %d kept, %d findings", res, n, inside, n-int64(inside), inside)
			}
			waitFor(t, "the upstream", func() bool { return up.count.Load() >= 1 })
			got := up.received()
			if len(got) != 1 {
				t.Fatalf("upstream got %d requests, want 1", len(got))
			}
			if got[0].method != "POST" || got[0].path != "/up" || got[0].ctype != tr.ctype {
				t.Errorf("upstream request %s %s %q, want POST /up %q", got[0].method, got[0].path, got[0].ctype, tr.ctype)
			}
			if !bytes.Equal(got[0].body, want) {
				t.Errorf("upstream body differs from the records outside the zone:\n got %d bytes\nwant %d bytes", len(got[0].body), len(want))
			}
			for k, l := range tr.lines {
				if zone.inside(t, tr.points[k]) && bytes.Contains(got[0].body, l) {
					t.Errorf("record %d, inside the zone, reached the upstream", k)
				}
			}
			// The decision is stored with the policy's revision.
			ds, err := g.db.Decisions(t.Context(), 10)
			if err != nil || len(ds) != 1 || ds[0].Revision != g.Policy().Revision || ds[0].Token != "phone-17" || ds[0].Dropped != int64(inside) {
				t.Errorf("decisions %+v, %v", ds, err)
			}
		})
	}
}
