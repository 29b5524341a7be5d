package zone

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/geowarden/geowarden"
)

// MaxZoneFileBytes caps the size of a GeoJSON zone file.
const MaxZoneFileBytes = 1 << 30

// LoadFile reads a zone set from a GeoJSON file (a FeatureCollection, a
// single Feature, or newline-delimited features). The set's id is the
// file's base name without its extension.
func LoadFile(path string) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("zone: %w", err)
	}
	defer f.Close()
	id := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return ReadGeoJSON(path, id, f)
}

type gjFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Properties map[string]any  `json:"properties"`
	Geometry   *gjGeometry     `json:"geometry"`
	Features   []gjFeature     `json:"features"`
	CRS        *struct {
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	} `json:"crs"`
	// A bare geometry at the top level.
	Coordinates json.RawMessage `json:"coordinates"`
	Geometries  []gjGeometry    `json:"geometries"`
}

type gjGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
	Geometries  []gjGeometry    `json:"geometries"`
}

// ReadGeoJSON reads a zone set named id from r. name is used in errors.
//
// Each feature becomes one zone. Properties: "id" (or the feature's own
// id), "name", "class" (or "zone_class"; default "custom") and "buffer_m".
// Polygon and MultiPolygon features are areas, grown by buffer_m when it is
// given; LineString and MultiLineString features with buffer_m are
// corridors; Point and MultiPoint features with buffer_m are circles. A
// feature with an invalid geometry is refused with an error naming it.
func ReadGeoJSON(name, id string, r io.Reader) (*Set, error) {
	var buf bytes.Buffer
	if f, ok := r.(interface{ Stat() (os.FileInfo, error) }); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() <= MaxZoneFileBytes {
			buf.Grow(int(fi.Size()) + bytes.MinRead)
		}
	}
	_, err := buf.ReadFrom(io.LimitReader(r, MaxZoneFileBytes+1))
	data := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("zone: %s: %w", name, err)
	}
	if len(data) > MaxZoneFileBytes {
		return nil, fmt.Errorf("zone: %s: larger than %d bytes", name, MaxZoneFileBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	set := &Set{ID: id}
	text := data
	if bytes.IndexByte(data, 0x1e) >= 0 {
		// GeoJSON text sequences: record separators are blanks here.
		text = bytes.ReplaceAll(data, []byte{0x1e}, []byte{' '})
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	// Features become zones a batch at a time on every core; the error
	// reported is the first in file order, as if they were read one by
	// one.
	nfeat := 0
	var batch []*gjFeature
	flush := func() error {
		zs, err := zonesOf(id, batch, nfeat)
		if err != nil {
			return fmt.Errorf("zone: %s: %w", name, err)
		}
		set.Zones = append(set.Zones, zs...)
		nfeat += len(batch)
		batch = batch[:0]
		return nil
	}
	for {
		var top gjFeature
		err := dec.Decode(&top)
		if err == io.EOF {
			break
		}
		if err != nil {
			if ferr := flush(); ferr != nil {
				return nil, ferr
			}
			return nil, jsonError(name, data, dec, err)
		}
		if top.CRS != nil {
			if n := top.CRS.Properties.Name; !isWGS84(n) {
				if ferr := flush(); ferr != nil {
					return nil, ferr
				}
				return nil, fmt.Errorf("zone: %s: crs %q is not WGS-84 longitude/latitude; convert the file first (e.g. ogr2ogr -t_srs EPSG:4326)", name, n)
			}
		}
		switch top.Type {
		case "FeatureCollection":
			for i := range top.Features {
				batch = append(batch, &top.Features[i])
			}
			if err := flush(); err != nil {
				return nil, err
			}
		case "Feature":
			batch = append(batch, &top)
			if len(batch) == 256 {
				if err := flush(); err != nil {
					return nil, err
				}
			}
		default:
			if ferr := flush(); ferr != nil {
				return nil, ferr
			}
			return nil, fmt.Errorf("zone: %s: top-level %q: a zone file holds features (a FeatureCollection, a Feature, or one feature per line)", name, top.Type)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if nfeat == 0 {
		return nil, fmt.Errorf("zone: %s: no features", name)
	}
	// Each zone was validated as its feature was read.
	if err := set.checkIDs(); err != nil {
		return nil, fmt.Errorf("zone: %s: %w", name, err)
	}
	return set, nil
}

func isWGS84(name string) bool {
	switch strings.ToUpper(name) {
	case "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:OGC::CRS84", "URN:OGC:DEF:CRS:EPSG::4326", "EPSG:4326", "CRS84", "OGC:CRS84":
		return true
	}
	return false
}

// jsonError turns a decoding error into one that names the line and column.
func jsonError(name string, data []byte, dec *json.Decoder, err error) error {
	off := dec.InputOffset()
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset - 1 // Offset counts the offending byte
	case errors.As(err, &te):
		off = te.Offset
		err = fmt.Errorf("%s must be %v, not %s", te.Field, te.Type, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(data))
		err = errors.New("unexpected end of input")
	}
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Errorf("zone: %s:%d:%d: invalid JSON: %v", name, line, col, err)
}

// zonesOf turns features into zones, on every core. The first feature is
// number first in the file. The error is the first feature's, in order.
func zonesOf(set string, feats []*gjFeature, first int) ([]*Zone, error) {
	zs := make([]*Zone, len(feats))
	errs := make([]error, len(feats))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(feats)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(feats) {
					return
				}
				zs[i], errs[i] = newZone(set, feats[i], first+i)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return zs, nil
}

// newZone makes the zone of feature f, number index in set.
func newZone(set string, f *gjFeature, index int) (*Zone, error) {
	z := &Zone{Set: set, Class: "custom"}
	p := f.Properties
	z.ID = propString(p, "id")
	if z.ID == "" && len(f.ID) > 0 && string(f.ID) != "null" {
		var v any
		if json.Unmarshal(f.ID, &v) == nil {
			z.ID = fmt.Sprint(v)
		}
	}
	if z.ID == "" {
		z.ID = set + "#" + strconv.Itoa(index)
	}
	what := fmt.Sprintf("feature %d (id %q)", index, z.ID)
	z.Name = propString(p, "name")
	if z.Name == "" {
		z.Name = z.ID
	}
	if c := propString(p, "class"); c != "" {
		z.Class = c
	} else if c := propString(p, "zone_class"); c != "" {
		z.Class = c
	}
	if v, ok := p["buffer_m"]; ok && v != nil {
		switch b := v.(type) {
		case float64:
			z.BufferM = b
		case string:
			x, err := strconv.ParseFloat(strings.TrimSpace(b), 64)
			if err != nil {
				return nil, fmt.Errorf("%s: buffer_m %q is not a number", what, b)
			}
			z.BufferM = x
		default:
			return nil, fmt.Errorf("%s: buffer_m must be a number of metres", what)
		}
	}
	if f.Geometry == nil {
		return nil, fmt.Errorf("%s: no geometry", what)
	}
	if err := z.setGeometry(f.Geometry); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := z.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return z, nil
}

func propString(p map[string]any, key string) string {
	switch v := p[key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func (z *Zone) setGeometry(g *gjGeometry) error {
	var err error
	switch g.Type {
	case "Polygon":
		var c [][][]float64
		if err = decodeCoords(g.Coordinates, &c); err == nil {
			var poly [][]geowarden.Point
			if poly, err = rings(c); err == nil {
				z.Polygons = append(z.Polygons, poly)
			}
		}
		z.Geometry = Area
	case "MultiPolygon":
		var c [][][][]float64
		if err = decodeCoords(g.Coordinates, &c); err == nil {
			for _, pc := range c {
				var poly [][]geowarden.Point
				if poly, err = rings(pc); err != nil {
					break
				}
				z.Polygons = append(z.Polygons, poly)
			}
		}
		z.Geometry = Area
	case "LineString":
		var c [][]float64
		if err = decodeCoords(g.Coordinates, &c); err == nil {
			var l []geowarden.Point
			if l, err = points(c); err == nil {
				z.Lines = append(z.Lines, l)
			}
		}
		z.Geometry = Corridor
	case "MultiLineString":
		var c [][][]float64
		if err = decodeCoords(g.Coordinates, &c); err == nil {
			for _, lc := range c {
				var l []geowarden.Point
				if l, err = points(lc); err != nil {
					break
				}
				z.Lines = append(z.Lines, l)
			}
		}
		z.Geometry = Corridor
	case "Point":
		var c []float64
		if err = decodeCoords(g.Coordinates, &c); err == nil {
			var pts []geowarden.Point
			if pts, err = points([][]float64{c}); err == nil {
				z.Points = pts
			}
		}
		z.Geometry = Circle
	case "MultiPoint":
		var c [][]float64
		if err = decodeCoords(g.Coordinates, &c); err == nil {
			z.Points, err = points(c)
		}
		z.Geometry = Circle
	case "":
		return errors.New("geometry has no type")
	default:
		return fmt.Errorf("geometry type %q cannot be a zone (use Polygon, MultiPolygon, LineString, MultiLineString, Point or MultiPoint)", g.Type)
	}
	if err != nil {
		return fmt.Errorf("%s coordinates: %w", g.Type, err)
	}
	return nil
}

func points(c [][]float64) ([]geowarden.Point, error) {
	pts := make([]geowarden.Point, len(c))
	for i, p := range c {
		if len(p) < 2 {
			return nil, fmt.Errorf("position %d has %d numbers; want longitude and latitude", i, len(p))
		}
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) {
			return nil, fmt.Errorf("position %d is not a number", i)
		}
		pts[i] = geowarden.Point{Lon: p[0], Lat: p[1]}
	}
	return pts, nil
}

func rings(c [][][]float64) ([][]geowarden.Point, error) {
	out := make([][]geowarden.Point, 0, len(c))
	for i, rc := range c {
		r, err := points(rc)
		if err != nil {
			return nil, fmt.Errorf("ring %d: %w", i, err)
		}
		out = append(out, r)
	}
	return out, nil
}
