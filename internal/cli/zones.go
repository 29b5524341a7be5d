package cli

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/internal/safefile"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/cell"
	"github.com/geowarden/geowarden/zone/gwz"
	"github.com/geowarden/geowarden/zone/load"
	"github.com/geowarden/geowarden/zone/osm"
	"github.com/spf13/cobra"
)

func zonesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "zones",
		Short: "Compile, inspect and query zone sets",
		Long: `zones compiles zone sets from GeoJSON, KML/KMZ and OpenStreetMap extracts into
one .gwz file (zones import), describes a zone file (zones info) and tells
which zones hold a point (zones test).`,
	}
	cmd.AddCommand(zonesImportCmd(), zonesInfoCmd(), zonesTestCmd())
	return cmd
}

// maxWarnings caps the OpenStreetMap problems zones import lists.
const maxWarnings = 200

// importFlags are the flags of zones import.
type importFlags struct {
	out     string
	selects []string
	buffers []string
	classes []string
	setID   string
	strict  bool
}

func zonesImportCmd() *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "import [flags] SRC... -o FILE.gwz",
		Short: "Compile zones from GeoJSON, KML/KMZ and OpenStreetMap files into a .gwz file",
		Long: `import reads each SRC — GeoJSON, KML or KMZ, a compiled .gwz, or an OpenStreetMap
extract (.osm.pbf, .osm, .osm.bz2, .osm.gz), recognised by content — and
writes their zones as one compiled zone set to FILE.gwz.

From OpenStreetMap it takes the elements that --select names, by tag:
  --select 'railway=rail,light_rail,subway'  --select 'landuse=military'
  --select 'military=*'  --select 'aeroway=aerodrome'  --select 'power=plant'
Nodes become circles (100 m), ways lines (corridors: railways 50 m, others
25 m) or areas by OpenStreetMap's conventions, multipolygon relations areas
with their holes. Disused, abandoned and razed railways are left out unless
selected by that value. Classes default to rail, military, airport, energy
or custom by key; --class KEY=CLASS and --buffer KEY=METRES set them for the
selections of that key. Elements that cannot be made into zones are listed
on standard error (--strict makes them an error).

Zone ids must be unique across the sources: an id that an earlier source
already used is prefixed with its source's name, and the renaming is
reported. The file is written to a temporary file beside FILE, read back
and checked, then renamed: FILE is never left half written.`,
		Args: cobra.MinimumNArgs(1),
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			return zonesImport(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), &f, args)
		}),
	}
	fs := cmd.Flags()
	fs.StringVarP(&f.out, "output", "o", "", "write the compiled zone set to `FILE` (.gwz)")
	fs.StringArrayVar(&f.selects, "select", nil, "take OpenStreetMap elements tagged `KEY=VALUE[,VALUE...]`, KEY=* or KEY (repeatable)")
	fs.StringArrayVar(&f.buffers, "buffer", nil, "set the buffer of the selections of a key, `KEY=METRES` (corridor half-width, circle radius, area growth; repeatable)")
	fs.StringArrayVar(&f.classes, "class", nil, "set the zone class of the selections of a key, `KEY=CLASS` (repeatable)")
	fs.StringVar(&f.setID, "set-id", "", "the zone set's `ID` (default: FILE's base name without .gwz)")
	fs.BoolVar(&f.strict, "strict", false, "fail when an OpenStreetMap element cannot be made into a zone, instead of leaving it out with a warning")
	return cmd
}

// selections builds the OSM selections from the flags.
func (f *importFlags) selections() ([]osm.Selection, error) {
	var sels []osm.Selection
	for _, e := range f.selects {
		s, err := osm.ParseSelection(e)
		if err != nil {
			return nil, fmt.Errorf("--select %q: %w", e, err)
		}
		sels = append(sels, s)
	}
	apply := func(flag string, vals []string, set func(s *osm.Selection, v string) error) error {
		for _, kv := range vals {
			key, v, ok := strings.Cut(kv, "=")
			key, v = strings.TrimSpace(key), strings.TrimSpace(v)
			if !ok || key == "" || v == "" {
				return fmt.Errorf("--%s %q: want KEY=VALUE", flag, kv)
			}
			found := false
			for i := range sels {
				if sels[i].Key == key {
					found = true
					if err := set(&sels[i], v); err != nil {
						return fmt.Errorf("--%s %q: %w", flag, kv, err)
					}
				}
			}
			if !found {
				return fmt.Errorf("--%s %q: no --select names the key %q", flag, kv, key)
			}
		}
		return nil
	}
	err := apply("buffer", f.buffers, func(s *osm.Selection, v string) error {
		m, err := strconv.ParseFloat(strings.TrimSuffix(v, "m"), 64)
		if err != nil || m <= 0 || m > 2e6 || math.IsNaN(m) || math.IsInf(m, 0) {
			return fmt.Errorf("%q is not a number of metres from 0 to 2000000", v)
		}
		s.BufferM = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = apply("class", f.classes, func(s *osm.Selection, v string) error {
		s.Class = v
		return nil
	})
	return sels, err
}

func zonesImport(ctx context.Context, stdout, stderr io.Writer, f *importFlags, srcs []string) (int, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if f.out == "" {
		return ExitError, errors.New("zones import: name the output with -o FILE.gwz")
	}
	sels, err := f.selections()
	if err != nil {
		return ExitError, fmt.Errorf("zones import: %w", err)
	}
	setID := f.setID
	if setID == "" {
		setID = strings.TrimSuffix(filepath.Base(f.out), filepath.Ext(f.out))
	}
	merged := &zone.Set{ID: setID}
	owner := map[string]string{} // zone id -> source that holds it
	usedOSM := false
	problems := 0
	var rd *osm.Reader
	if len(sels) > 0 {
		rd = &osm.Reader{Selections: sels, Warn: func(p *osm.Problem) {
			problems++
			if problems <= maxWarnings {
				fmt.Fprintf(stderr, "geowarden: warning: %v\n", p)
			}
		}}
	}
	for _, src := range srcs {
		zs, err := load.File(ctx, src, &load.Options{OSM: rd})
		var oe *load.OSMError
		if errors.As(err, &oe) {
			return ExitError, fmt.Errorf("zones import: %s is an OpenStreetMap extract: say what to take from it with --select (e.g. --select railway=rail --select landuse=military)", src)
		}
		if err != nil {
			return ExitError, fmt.Errorf("zones import: %w", err)
		}
		usedOSM = usedOSM || zs.Format == "osm"
		srcName := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
		for _, z := range zs.Set.Zones {
			id := z.ID
			if prev, clash := owner[id]; clash {
				nid := srcName + ":" + z.ID
				for n := 2; owner[nid] != ""; n++ {
					nid = fmt.Sprintf("%s:%s~%d", srcName, z.ID, n)
				}
				fmt.Fprintf(stderr, "geowarden: zone id %q of %s is already used by %s; renamed %q\n", id, src, prev, nid)
				z.ID = nid
				if z.Name == id {
					z.Name = nid
				}
			}
			owner[z.ID] = src
			z.Set = setID
			merged.Zones = append(merged.Zones, z)
		}
	}
	if problems > maxWarnings {
		fmt.Fprintf(stderr, "geowarden: warning: %d more OpenStreetMap problems not shown\n", problems-maxWarnings)
	}
	if len(sels) > 0 && !usedOSM {
		return ExitError, errors.New("zones import: --select applies to OpenStreetMap extracts, and no SRC is one")
	}
	if problems > 0 && f.strict {
		return ExitError, fmt.Errorf("zones import: %d OpenStreetMap elements could not be made into zones as they are (--strict)", problems)
	}
	if len(merged.Zones) == 0 {
		fmt.Fprintf(stderr, "geowarden: warning: the sources hold no zone (nothing selected?); %s holds an empty zone set\n", f.out)
	}
	if err := writeGWZ(f.out, merged); err != nil {
		return ExitError, fmt.Errorf("zones import: %w", err)
	}
	st, err := os.Stat(f.out)
	if err != nil {
		return ExitError, fmt.Errorf("zones import: %w", err)
	}
	classes := map[string]int{}
	for _, z := range merged.Zones {
		classes[z.Class]++
	}
	fmt.Fprintf(stdout, "%s: %d zones (%s), %d bytes\n", f.out, len(merged.Zones), countList(classes), st.Size())
	if problems > 0 {
		fmt.Fprintf(stdout, "%d OpenStreetMap elements left out or changed: see the warnings\n", problems)
	}
	return ExitOK, nil
}

// writeGWZ compiles set to a file with no name beside path, reads it back
// and checks it, then puts it at path. On any error path is untouched and
// nothing is left beside it. A path that exists and is not a regular file,
// or is a symbolic link, is refused.
func writeGWZ(path string, set *zone.Set) (err error) {
	f, err := safefile.Create(path, safefile.Options{})
	if err != nil {
		return err
	}
	defer f.Abort()
	bw := bufio.NewWriterSize(f.File(), 1<<20)
	if err = gwz.Write(bw, set); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	data, err := readAll(f.File())
	if err != nil {
		return fmt.Errorf("reading back what was written: %w", err)
	}
	back, err := gwz.Decode(data)
	if err != nil {
		return fmt.Errorf("reading back what was written: %w", err)
	}
	if len(back.Set.Zones) != len(set.Zones) {
		return fmt.Errorf("reading back what was written: %d zones, not %d", len(back.Set.Zones), len(set.Zones))
	}
	return f.Commit()
}

// readAll reads a file from its start.
func readAll(f *os.File) ([]byte, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

func countList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// zoneInfo is what zones info reports.
type zoneInfo struct {
	File       string         `json:"file"`
	Format     string         `json:"format"`
	Set        string         `json:"set"`
	Version    int            `json:"version,omitempty"`
	Size       int64          `json:"size"`
	Checksum   string         `json:"checksum"`
	Zones      int            `json:"zones"`
	Vertices   int            `json:"vertices"`
	Classes    map[string]int `json:"classes"`
	Geometries map[string]int `json:"geometries"`
	Extent     *[4]float64    `json:"extent"` // west, south, east, north; null when there is no zone
}

func zonesInfoCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info [flags] FILE",
		Short: "Describe a zone file: counts per class and geometry, extent, vertices, size, checksum",
		Long: `info describes a zone file (.gwz, GeoJSON, KML or KMZ): its zone set's id, the
number of zones per class and per geometry kind, the extent (bounding box:
west, south, east, north, after buffers are added), the number of vertices,
the file's size, and its format version and checksum (for a .gwz, the
checksum it stores and that loading verified; for other files, the file's
SHA-256).`,
		Args: cobra.ExactArgs(1),
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			info, err := describeZoneFile(args[0])
			if err != nil {
				return ExitError, fmt.Errorf("zones info: %w", err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return ExitOK, enc.Encode(info)
			}
			fmt.Fprintf(out, "file:       %s\n", info.File)
			if info.Version > 0 {
				fmt.Fprintf(out, "format:     %s, version %d\n", info.Format, info.Version)
			} else {
				fmt.Fprintf(out, "format:     %s\n", info.Format)
			}
			fmt.Fprintf(out, "set:        %s\n", info.Set)
			fmt.Fprintf(out, "size:       %d bytes\n", info.Size)
			fmt.Fprintf(out, "checksum:   %s\n", info.Checksum)
			fmt.Fprintf(out, "zones:      %d\n", info.Zones)
			fmt.Fprintf(out, "vertices:   %d\n", info.Vertices)
			fmt.Fprintf(out, "classes:    %s\n", countList(info.Classes))
			fmt.Fprintf(out, "geometries: %s\n", countList(info.Geometries))
			if e := info.Extent; e != nil {
				fmt.Fprintf(out, "extent:     %.7f %.7f %.7f %.7f (west south east north)\n", e[0], e[1], e[2], e[3])
			}
			return ExitOK, nil
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "write the description as JSON")
	return cmd
}

func describeZoneFile(path string) (*zoneInfo, error) {
	zs, err := load.File(context.Background(), path, nil)
	if err != nil {
		return nil, err
	}
	set := zs.Set
	info := &zoneInfo{File: path, Format: zs.Format, Classes: map[string]int{}, Geometries: map[string]int{}}
	if zs.Format == "gwz" {
		info.Version, info.Size, info.Checksum = zs.Version, zs.Size, zs.Checksum
	} else {
		sum, size, err := fileSHA256(path)
		if err != nil {
			return nil, err
		}
		info.Size, info.Checksum = size, "sha256:"+sum
	}
	info.Set = set.ID
	info.Zones = len(set.Zones)
	ext := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, z := range set.Zones {
		info.Classes[z.Class]++
		info.Geometries[z.Geometry.String()]++
		info.Vertices += z.Vertices()
		growExtent(&ext, z)
	}
	if info.Zones > 0 {
		info.Extent = &ext
	}
	return info, nil
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// growExtent grows a west/south/east/north box to hold z with its buffer.
// Longitudes are not wrapped: a zone across the antimeridian makes the
// box span from -180 to 180.
func growExtent(e *[4]float64, z *zone.Zone) {
	add := func(p geowarden.Point) {
		dLat := z.BufferM / zone.EarthRadius * 180 / math.Pi
		dLon := 180.0
		if c := math.Cos((math.Abs(p.Lat) + dLat) * math.Pi / 180); c > 1e-9 && dLat < 90 {
			dLon = math.Min(180, dLat/c)
		}
		e[0] = math.Max(-180, math.Min(e[0], p.Lon-dLon))
		e[1] = math.Max(-90, math.Min(e[1], p.Lat-dLat))
		e[2] = math.Min(180, math.Max(e[2], p.Lon+dLon))
		e[3] = math.Min(90, math.Max(e[3], p.Lat+dLat))
	}
	for _, p := range z.Points {
		add(p)
	}
	for _, l := range z.Lines {
		for _, p := range l {
			add(p)
		}
	}
	for _, poly := range z.Polygons {
		for _, r := range poly {
			for _, p := range r {
				add(p)
			}
		}
	}
}

// testHit is one zone in zones test's answer.
type testHit struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Class    string  `json:"class"`
	Set      string  `json:"set"`
	Inside   bool    `json:"inside"`
	Distance float64 `json:"distance_m"` // to the zone's edge
}

func zonesTestCmd() *cobra.Command {
	var (
		files   []string
		polFile string
		nearest int
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "test [flags] LAT,LON",
		Short: "Tell which zones hold a point, and how far the nearest zones' edges are",
		Long: `test lists the zones that contain the point LAT,LON (decimal degrees, WGS-84),
with their id, name, class and set, and the distance in metres from the
point to each one's edge; then the --nearest zones that do not contain it,
nearest first, with the distance to their edge. The zones are those of the
--zones files (.gwz, GeoJSON, KML, KMZ), or of the --policy, or else the
built-in zone set. Exit 1 when the point is inside a zone, 0 when not.`,
		Args: cobra.ExactArgs(1),
		RunE: run(func(cmd *cobra.Command, args []string) (int, error) {
			p, err := parseLatLon(args[0])
			if err != nil {
				return ExitError, fmt.Errorf("zones test: %w", err)
			}
			ix, err := testIndex(files, polFile)
			if err != nil {
				return ExitError, fmt.Errorf("zones test: %w", err)
			}
			inside, near := zonesAt(ix, p, nearest)
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"lat": p.Lat, "lon": p.Lon, "inside": nonNil(inside), "nearest": nonNil(near)}); err != nil {
					return ExitError, err
				}
			} else {
				fmt.Fprintf(out, "%.7f,%.7f: inside %d zone(s) of %d\n", p.Lat, p.Lon, len(inside), len(ix.Zones()))
				for _, h := range inside {
					fmt.Fprintf(out, "  in    %-24s %-10s %-16s %s (edge %s away)\n", h.ID, h.Class, h.Set, h.Name, metres(h.Distance))
				}
				for _, h := range near {
					fmt.Fprintf(out, "  near  %-24s %-10s %-16s %s: %s to its edge\n", h.ID, h.Class, h.Set, h.Name, metres(h.Distance))
				}
			}
			if len(inside) > 0 {
				return ExitFindings, nil
			}
			return ExitOK, nil
		}),
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&files, "zones", nil, "zone `FILE` (.gwz, GeoJSON, KML, KMZ) to test against (repeatable)")
	fs.StringVar(&polFile, "policy", "", "test against the zone sets of this policy `FILE` (\"default\" for the built-in policy)")
	fs.IntVar(&nearest, "nearest", 5, "list this many of the nearest zones that do not contain the point")
	fs.BoolVar(&asJSON, "json", false, "write the answer as JSON")
	return cmd
}

func nonNil(h []testHit) []testHit {
	if h == nil {
		return []testHit{}
	}
	return h
}

func metres(d float64) string {
	if d >= 10000 {
		return fmt.Sprintf("%.1f km", d/1000)
	}
	return fmt.Sprintf("%.1f m", d)
}

// parseLatLon parses "LAT,LON" in decimal degrees.
func parseLatLon(s string) (geowarden.Point, error) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return geowarden.Point{}, fmt.Errorf("%q: want LAT,LON in decimal degrees, e.g. 43.7384,7.4246", s)
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil {
		return geowarden.Point{}, fmt.Errorf("%q: want LAT,LON in decimal degrees, e.g. 43.7384,7.4246", s)
	}
	if math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return geowarden.Point{}, fmt.Errorf("%q: latitude must be within -90..90 and longitude within -180..180", s)
	}
	return geowarden.Point{Lon: lon, Lat: lat}, nil
}

// testIndex loads the zone sets zones test queries and indexes them. A
// single .gwz file's prebuilt index is used as it is.
func testIndex(files []string, polFile string) (*cell.Index, error) {
	var sets []*zone.Set
	switch {
	case len(files) > 0:
		for _, file := range files {
			zs, err := load.File(context.Background(), file, nil)
			if err != nil {
				return nil, err
			}
			if len(files) == 1 && zs.Index != nil {
				return zs.Index, nil
			}
			sets = append(sets, zs.Set)
		}
	case polFile != "":
		var p *policy.Policy
		if polFile == "default" {
			p = policy.Default()
		} else {
			var err error
			if p, err = policy.Load(polFile); err != nil {
				return nil, err
			}
			if err := checkSections(p); err != nil {
				return nil, err
			}
		}
		var err error
		if sets, _, err = loadZones(p, 0); err != nil {
			return nil, err
		}
	default:
		zs, err := load.Builtin("default")
		if err != nil {
			return nil, err
		}
		sets = append(sets, zs.Set)
	}
	return cell.Build(sets...), nil
}

// latRange returns the range of latitudes of a zone's vertices.
func latRange(z *zone.Zone) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	add := func(p geowarden.Point) {
		lo, hi = math.Min(lo, p.Lat), math.Max(hi, p.Lat)
	}
	for _, p := range z.Points {
		add(p)
	}
	for _, l := range z.Lines {
		for _, p := range l {
			add(p)
		}
	}
	for _, poly := range z.Polygons {
		for _, r := range poly {
			for _, p := range r {
				add(p)
			}
		}
	}
	return lo, hi
}

// zonesAt returns the zones that contain p, and the n nearest that do
// not, each with the distance from p to its edge.
func zonesAt(ix *cell.Index, p geowarden.Point, n int) (inside, near []testHit) {
	zs := ix.Zones()
	in := ix.Contains(p, nil)
	hit := func(i int32) testHit {
		z := zs[i]
		return testHit{ID: z.ID, Name: z.Name, Class: z.Class, Set: z.Set, Distance: ix.Distance(p, i)}
	}
	for _, i := range in {
		h := hit(i)
		h.Inside = true
		inside = append(inside, h)
	}
	if n <= 0 {
		return inside, nil
	}
	// Zones in order of a lower bound of their distance: the distance in
	// latitude from p to the zone's latitude range, grown by its buffer
	// (no path on the sphere is shorter than its change of latitude).
	// Exact distances are computed until the bound passes the n-th best.
	type cand struct {
		i  int32
		lb float64
	}
	cands := make([]cand, 0, len(zs))
	for i, z := range zs {
		if slices.Contains(in, int32(i)) {
			continue
		}
		lo, hi := latRange(z)
		gap := math.Max(0, math.Max(lo-p.Lat, p.Lat-hi))
		cands = append(cands, cand{int32(i), math.Max(0, gap*math.Pi/180*zone.EarthRadius-z.BufferM)})
	}
	slices.SortFunc(cands, func(a, b cand) int { return cmp.Compare(a.lb, b.lb) })
	for _, c := range cands {
		if len(near) == n && c.lb > near[n-1].Distance {
			break
		}
		h := hit(c.i)
		if math.IsNaN(h.Distance) {
			continue
		}
		k, _ := slices.BinarySearchFunc(near, h, func(a, b testHit) int { return cmp.Compare(a.Distance, b.Distance) })
		if k >= n {
			continue
		}
		near = slices.Insert(near, k, h)
		if len(near) > n {
			near = near[:n]
		}
	}
	return inside, near
}
