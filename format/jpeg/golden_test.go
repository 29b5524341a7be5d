package jpeg

import (
	"bytes"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format/formattest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenPath maps testdata/DIR/NAME to testdata/golden/DIR/NAME.suffix.
func goldenPath(sample, suffix string) string {
	rel, _ := filepath.Rel("testdata", sample)
	return filepath.Join("testdata", "golden", rel+suffix)
}

// summary describes what a scan saw, one line each.
func summary(c *collector) []byte {
	var b bytes.Buffer
	for i, r := range c.recs {
		fmt.Fprintf(&b, "record %s %v", r.Ref, r.Kind)
		if r.Shape == geowarden.ShapePoint {
			fmt.Fprintf(&b, " lat=%.7f lon=%.7f", r.Pos.Lat, r.Pos.Lon)
		} else {
			b.WriteString(" no-position")
		}
		for _, p := range r.More {
			fmt.Fprintf(&b, " more=%.7f,%.7f", p.Lat, p.Lon)
		}
		for _, t := range r.Text {
			fmt.Fprintf(&b, " text=%q[%d:%d]=%.7f,%.7f", t.Field, t.Start, t.End, t.Pos.Lat, t.Pos.Lon)
		}
		if r.HasAlt {
			fmt.Fprintf(&b, " alt=%.3f", r.Alt)
		}
		if !r.Time.IsZero() {
			fmt.Fprintf(&b, " time=%s", r.Time.Format(time.RFC3339Nano))
		}
		if r.Source != "" {
			fmt.Fprintf(&b, " source=%q", r.Source)
		}
		for _, k := range []string{"make", "model", "datetimeoriginal"} {
			if v, ok := c.attrs[i][k]; ok {
				fmt.Fprintf(&b, " %s=%q", k, v)
			}
		}
		b.WriteByte('\n')
	}
	for _, e := range c.bads {
		fmt.Fprintf(&b, "bad %v\n", e)
	}
	for _, n := range c.notices {
		fmt.Fprintf(&b, "notice %s %s: %s\n", n.Kind, n.Ref, n.Message)
	}
	return b.Bytes()
}

// TestGolden scans every sample (records, bad records, notices), and keeps
// the sanitized outputs of the small ones: every position dropped
// (NAME.drop.jpg) and moved to 50.5 N, 7.25 W with the time set to
// 2020-02-02 12:00 UTC (NAME.move.jpg).
func TestGolden(t *testing.T) {
	for _, f := range samples(t) {
		t.Run(strings.TrimPrefix(f, "testdata/"), func(t *testing.T) {
			in := read(t, f)
			c := &collector{}
			if _, err := rewrite(in, c); err != nil {
				t.Fatal(err)
			}
			formattest.Golden(t, goldenPath(f, ".records.txt"), summary(c), *update)
			if len(in) > 64<<10 {
				return
			}
			drop, err := rewrite(in, &collector{edit: geowarden.Edit{Drop: true}})
			if err != nil {
				t.Fatal(err)
			}
			formattest.Golden(t, goldenPath(f, ".drop.jpg"), drop, *update)
			move, err := rewrite(in, &collector{edit: moveEdit})
			if err != nil {
				t.Fatal(err)
			}
			formattest.Golden(t, goldenPath(f, ".move.jpg"), move, *update)
		})
	}
}

var moveEdit = geowarden.Edit{
	Move: true, Pos: geowarden.Point{Lon: -7.25, Lat: 50.5},
	Retime: true, Time: time.Date(2020, 2, 2, 12, 0, 0, 0, time.UTC),
}
