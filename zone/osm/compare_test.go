package osm

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/zone"
	"github.com/paulmach/osm"
)

// oplObject is one line of osmium's OPL output: its id ("n1", "w2",
// "r3") and tags.
type oplObject struct {
	id   string
	tags map[string]string
}

// oplUnescape decodes OPL's %hex% escapes.
func oplUnescape(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i+1:], '%')
		if j < 0 {
			b.WriteString(s[i:])
			return b.String()
		}
		if r, err := strconv.ParseUint(s[i+1:i+1+j], 16, 32); err == nil {
			b.WriteRune(rune(r))
		}
		s = s[i+j+2:]
	}
}

// osmiumSelect runs osmium tags-filter with the expressions and returns
// the objects it selects (without the objects they reference).
func osmiumSelect(t *testing.T, osmium, file string, exprs []string) map[string]oplObject {
	t.Helper()
	args := []string{"tags-filter", "--omit-referenced", "-f", "opl", "-o", "-", file}
	for _, e := range exprs {
		k, v, ok := strings.Cut(e, "=")
		if !ok || v == "*" {
			args = append(args, "nwr/"+k)
		} else {
			args = append(args, "nwr/"+k+"="+v)
		}
	}
	out, err := exec.Command(osmium, args...).Output()
	if err != nil {
		t.Fatalf("osmium %v: %v", args, err)
	}
	objs := map[string]oplObject{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		o := oplObject{id: fields[0], tags: map[string]string{}}
		for _, f := range fields[1:] {
			if !strings.HasPrefix(f, "T") || len(f) == 1 {
				continue
			}
			for _, kv := range strings.Split(f[1:], ",") {
				k, v, _ := strings.Cut(kv, "=")
				o.tags[oplUnescape(k)] = oplUnescape(v)
			}
		}
		objs[o.id] = o
	}
	return objs
}

func zoneKey(id string) string {
	for _, p := range []struct{ prefix, key string }{{"osm-node-", "n"}, {"osm-way-", "w"}, {"osm-relation-", "r"}} {
		if s, ok := strings.CutPrefix(id, p.prefix); ok {
			return p.key + s
		}
	}
	return id
}

func problemKeyOf(p *Problem) string {
	return map[osm.Type]string{osm.TypeNode: "n", osm.TypeWay: "w", osm.TypeRelation: "r"}[p.Type] + strconv.FormatInt(p.ID, 10)
}

// intendedOut says why geowarden leaves out an object osmium selects, by
// geowarden's documented rules, or "" when it should select it.
func intendedOut(o oplObject, exprs []string) string {
	lifecycle := func(v string) bool { return slices.Contains(Lifecycle, v) }
	why := "no selection matches"
	for _, e := range exprs {
		k, vs, _ := strings.Cut(e, "=")
		v, ok := o.tags[k]
		if !ok {
			continue
		}
		if vs == "*" || vs == "" {
			if v == "no" || lifecycle(v) {
				why = k + "=* takes neither no nor lifecycle values"
				continue
			}
		} else if !slices.Contains(strings.Split(vs, ","), v) {
			continue
		}
		if k == "railway" && !lifecycle(v) {
			flagged := false
			for tk, tv := range o.tags {
				pre, rest, _ := strings.Cut(tk, ":")
				if (tv == "yes" && lifecycle(tk)) || (rest == "railway" && lifecycle(pre) && tv != "no") {
					flagged = true
				}
			}
			if flagged {
				why = "railway flagged disused, abandoned..."
				continue
			}
		}
		if o.id[0] == 'r' && o.tags["type"] != "multipolygon" && o.tags["type"] != "boundary" {
			return "relation type " + o.tags["type"]
		}
		return ""
	}
	return why
}

// compareCase is one comparison of geowarden's selection with osmium's.
type compareCase struct {
	name  string
	file  string
	exprs []string
	// leftOut are the objects osmium selects that geowarden reports and
	// leaves out for their geometry (with the reason they must give),
	// beyond those the documented selection rules leave out.
	leftOut map[string]string
	// none says the extract holds nothing the selections take (Andorra has
	// no railway, military area or aerodrome); any other case must give
	// zones, or a tool that reads nothing would pass it.
	none bool
}

var coreSelections = []string{"railway=rail", "landuse=military", "military=*", "aeroway=aerodrome"}

var broadSelections = []string{"railway=*", "landuse=*", "military=*", "aeroway=*", "power=*", "amenity=*", "leisure=*", "natural=*", "building=*"}

var compareCases = []compareCase{
	{name: "monaco core", file: "monaco-latest.osm.pbf", exprs: coreSelections},
	{name: "andorra core", file: "andorra-latest.osm.bz2", exprs: coreSelections, none: true},
	{name: "monaco broad", file: "monaco-latest.osm.pbf", exprs: broadSelections, leftOut: map[string]string{
		// natural=coastline... a sea area far larger than Monaco: the
		// extract holds 19 of its 753 ways, which close no ring.
		"r2698607": "no ring of the multipolygon closes",
	}},
	{name: "andorra broad", file: "andorra-latest.osm.bz2", exprs: broadSelections},
}

// TestCompareOsmium checks that geowarden selects the same OSM nodes,
// ways and relations as osmium tags-filter with the same tags, on the
// Monaco and Andorra extracts. The differences are intended and checked
// one by one:
//
//   - a KEY=* selection leaves out the value "no" and the lifecycle values
//     (railway=abandoned, ...), and a railway selection leaves out
//     railways flagged disused=yes, abandoned=yes, disused:railway=*, ...
//     (osmium's KEY filter takes any value);
//   - a relation that is not a multipolygon or boundary is no area: it is
//     left out and reported;
//   - an object whose geometry cannot be built (a multipolygon cut by the
//     extract's border, whose rings do not close) is left out and
//     reported, and listed in the case's leftOut.
func TestCompareOsmium(t *testing.T) {
	t.Parallel()
	osmium := formattest.Tool(t, "osmium")
	for _, tc := range compareCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", tc.file)
			want := osmiumSelect(t, osmium, path, tc.exprs)
			set, problems := readShared(t, path, mustSelect(t, tc.exprs...))
			switch {
			case len(set.Zones) == 0 && !tc.none:
				t.Fatalf("%s: no zones to compare with osmium's selection", path)
			case len(set.Zones) > 0 && tc.none:
				t.Fatalf("%s: %d zones, want none", path, len(set.Zones))
			}
			got := map[string]bool{}
			for _, z := range set.Zones {
				got[zoneKey(z.ID)] = true
			}
			reported := map[string][]string{}
			leftOut := map[string]bool{}
			for _, p := range problems {
				k := problemKeyOf(p)
				reported[k] = append(reported[k], p.Msg)
				if p.LeftOut {
					leftOut[k] = true
				}
			}
			intended := map[string]int{}
			var geometry []string
			for id, o := range want {
				why := intendedOut(o, tc.exprs)
				switch {
				case why == "" && got[id]:
				case why == "" && leftOut[id]:
					geometry = append(geometry, id)
					reason, listed := tc.leftOut[id]
					if !listed {
						t.Errorf("%s: selected by osmium, left out by geowarden: %v", id, reported[id])
					} else if !slices.ContainsFunc(reported[id], func(m string) bool { return strings.Contains(m, reason) }) {
						t.Errorf("%s: left out with %v, want a reason containing %q", id, reported[id], reason)
					}
				case why == "":
					t.Errorf("%s (tags %v): selected by osmium, missing from geowarden's zones, not reported", id, o.tags)
				case got[id]:
					t.Errorf("%s (tags %v): geowarden selects it, but %s", id, o.tags, why)
				default:
					intended[why]++
					if strings.HasPrefix(why, "relation type") && !leftOut[id] {
						t.Errorf("%s: %s, left out without being reported", id, why)
					}
				}
			}
			for id := range got {
				if _, ok := want[id]; !ok {
					t.Errorf("%s: a geowarden zone that osmium does not select", id)
				}
			}
			for id := range tc.leftOut {
				if !slices.Contains(geometry, id) {
					t.Errorf("%s: expected to be left out for its geometry, but it is not", id)
				}
			}
			t.Logf("%s: osmium %d objects, geowarden %d zones; intended differences: %v; left out for geometry: %v",
				tc.name, len(want), len(set.Zones), intended, geometry)
		})
	}
}

// TestCompareOGRMultipolygons checks the assembly of multipolygon
// relations against GDAL's OSM driver (ogr2ogr's multipolygons layer):
// every relation zone has the same area, in square degrees, as GDAL's
// polygon of the same relation, to 1e-9 relative.
func TestCompareOGRMultipolygons(t *testing.T) {
	t.Parallel()
	ogr := formattest.Tool(t, "ogr2ogr")
	for _, file := range []string{"monaco-latest.osm.pbf", "andorra-latest.osm.bz2"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", file)
			src := path
			if strings.HasSuffix(file, ".bz2") {
				// GDAL does not read bzip2.
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				data, err := io.ReadAll(bzip2.NewReader(f))
				if err != nil {
					t.Fatal(err)
				}
				src = writeFile(t, "andorra.osm", data)
			}
			out := filepath.Join(t.TempDir(), "mp.geojson")
			cmd := exec.Command(ogr, "-f", "GeoJSON", out, src, "multipolygons", "-where", "osm_id IS NOT NULL", "-select", "osm_id")
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("ogr2ogr: %v\n%s", err, b)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var fc struct {
				Features []struct {
					Properties struct {
						OSMID string `json:"osm_id"`
					} `json:"properties"`
					Geometry struct {
						Coordinates [][][][2]float64 `json:"coordinates"`
					} `json:"geometry"`
				} `json:"features"`
			}
			if err := json.Unmarshal(data, &fc); err != nil {
				t.Fatal(err)
			}
			if len(fc.Features) == 0 {
				formattest.ToolReadsNothing(t, "ogr2ogr reads no multipolygon from %s", file)
			}
			ogrArea := map[string]float64{}
			for _, f := range fc.Features {
				var a float64
				for _, poly := range f.Geometry.Coordinates {
					for i, r := range poly {
						pts := make([]geowarden.Point, len(r))
						for j, c := range r {
							pts[j] = geowarden.Point{Lon: c[0], Lat: c[1]}
						}
						ra := math.Abs(signedArea(pts))
						if i > 0 {
							ra = -ra
						}
						a += ra
					}
				}
				ogrArea["osm-relation-"+f.Properties.OSMID] = a
			}
			// Every multipolygon in the file, whatever its tags.
			set, problems := readAll(t, path, mustSelect(t, "type=multipolygon,boundary"))
			hulls, partial := map[string]bool{}, map[string]bool{}
			for _, p := range problems {
				id := fmt.Sprintf("osm-relation-%d", p.ID)
				if strings.Contains(p.Msg, "convex hull") || strings.Contains(p.Msg, "hole is left out") {
					hulls[id] = true
				}
				if strings.Contains(p.Msg, "member ways are not in the file") {
					partial[id] = true
				}
			}
			compared, incomplete := 0, 0
			for _, z := range set.Zones {
				want, ok := ogrArea[z.ID]
				if !ok && partial[z.ID] {
					// GDAL drops a relation the extract cut; geowarden
					// keeps the rings that close, and reports the others.
					incomplete++
					continue
				}
				if !ok {
					t.Errorf("%s: geowarden builds it, GDAL does not", z.ID)
					continue
				}
				if hulls[z.ID] {
					continue // a ring replaced by its hull: larger on purpose
				}
				got := zoneArea(z)
				if math.Abs(got-want) > 1e-9*want {
					t.Errorf("%s: area %.12g square degrees, GDAL's %.12g", z.ID, got, want)
				}
				compared++
			}
			for id := range ogrArea {
				if !slices.ContainsFunc(set.Zones, func(z *zone.Zone) bool { return z.ID == id }) {
					t.Errorf("%s: GDAL builds it, geowarden does not", id)
				}
			}
			if compared == 0 {
				t.Errorf("%s: no multipolygon compared with GDAL's", file)
			}
			t.Logf("%s: %d multipolygons compared with GDAL; %d cut by the extract, kept in part", file, compared, incomplete)
		})
	}
}

func zoneArea(z *zone.Zone) float64 {
	var a float64
	for _, p := range z.Polygons {
		for i, r := range p {
			ra := math.Abs(signedArea(r))
			if i > 0 {
				ra = -ra
			}
			a += ra
		}
	}
	return a
}

// TestEncodingsAgree converts the extracts with osmium to the other
// encodings (XML, PBF with plain nodes, PBF with locations on ways and no
// untagged nodes, gzip-compressed XML) and checks that each gives the same
// zones.
func TestEncodingsAgree(t *testing.T) {
	t.Parallel()
	osmium := formattest.Tool(t, "osmium")
	sels := mustSelect(t, broadSelections...)
	for _, file := range []string{"monaco-latest.osm.pbf", "andorra-latest.osm.bz2"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", file)
			want, _ := readShared(t, path, sels)
			if len(want.Zones) == 0 {
				t.Fatalf("%s: no zones to compare", path)
			}
			dir := t.TempDir()
			variants := []struct {
				name string
				args []string
			}{
				{"x.osm.pbf", []string{"cat", path, "-o"}},
				{"x.osm", []string{"cat", path, "-o"}},
				{"x.osm.gz", []string{"cat", path, "-o"}},
				{"plain.osm.pbf", []string{"cat", path, "-f", "pbf,pbf_dense_nodes=false", "-o"}},
				{"loc.osm.pbf", []string{"add-locations-to-ways", path, "-o"}},
			}
			for _, v := range variants {
				if strings.HasSuffix(file, ".bz2") && !strings.HasSuffix(v.name, ".pbf") {
					continue // the original is XML: save the time
				}
				out := filepath.Join(dir, v.name)
				args := append(slices.Clone(v.args), out)
				if b, err := exec.Command(osmium, args...).CombinedOutput(); err != nil {
					t.Fatalf("osmium %v: %v\n%s", args, err, b)
				}
				got, _ := readAll(t, out, sels)
				if len(got.Zones) != len(want.Zones) {
					t.Errorf("%s: %d zones, want %d", v.name, len(got.Zones), len(want.Zones))
					continue
				}
				for i := range got.Zones {
					if !reflect.DeepEqual(got.Zones[i], want.Zones[i]) {
						t.Errorf("%s: zone %s differs from %s's", v.name, got.Zones[i].ID, file)
						break
					}
				}
			}
		})
	}
}
