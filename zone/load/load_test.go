package load

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/gwz"
	"github.com/geowarden/geowarden/zone/osm"
	"golang.org/x/sys/unix"
)

// malta is how many zones the Malta test files hold.
const malta = 14

// copyAs writes the test file src, or data when src is "", to a file
// named name in dir, and returns its path.
func copyAs(t *testing.T, dir, src, name string, data []byte) string {
	t.Helper()
	if src != "" {
		var err error
		if data, err = os.ReadFile(filepath.Join("testdata", src)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// compiled returns the Malta zones compiled to .gwz.
func compiled(t *testing.T) []byte {
	t.Helper()
	set, err := zone.LoadFile(filepath.Join("testdata", "malta_protected_zones.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := gwz.Write(&buf, set); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipped(t *testing.T, src string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", src))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestFileByContent loads each kind of zone file under its own name and
// under a misleading one: the content decides.
func TestFileByContent(t *testing.T) {
	dir := t.TempDir()
	gwzData := compiled(t)
	kmlGZ := gzipped(t, "malta_protected_zones.kml")
	rails := &osm.Reader{Selections: []osm.Selection{{Key: "railway", Values: []string{"rail"}}}, Warn: func(*osm.Problem) {}}
	tests := []struct {
		name   string
		src    string // test file, or "" for data
		data   []byte
		as     string // name it is loaded under
		opts   *Options
		format string
		zones  int // -1: some
		id     string
	}{
		{"geojson", "malta_protected_zones.geojson", nil, "a.geojson", nil, "geojson", malta, "a"},
		{"geojson named kml", "malta_protected_zones.geojson", nil, "b.kml", nil, "geojson", malta, "b"},
		{"kml", "malta_protected_zones.kml", nil, "c.kml", nil, "kml", malta, "c"},
		{"kml named geojson", "malta_protected_zones.kml", nil, "d.geojson", nil, "kml", malta, "d"},
		{"kmz", "malta_protected_zones.kmz", nil, "e.kmz", nil, "kml", malta, "e"},
		{"kmz named json", "malta_protected_zones.kmz", nil, "f.json", nil, "kml", malta, "f"},
		{"kml gzip", "", kmlGZ, "g.kml.gz", nil, "kml", malta, "g"},
		{"kml gzip named gwz", "", kmlGZ, "h.gwz", nil, "kml", malta, "h"},
		{"gwz", "", gwzData, "i.gwz", nil, "gwz", malta, "malta_protected_zones"},
		{"gwz named geojson", "", gwzData, "j.geojson", nil, "gwz", malta, "malta_protected_zones"},
		{"osm xml", "tiny.osm", nil, "k.osm", &Options{OSM: rails}, "osm", -1, "k"},
		{"osm xml named kml", "tiny.osm", nil, "l.kml", &Options{OSM: rails}, "osm", -1, "l"},
		{"osm pbf", "tiny.osm.pbf", nil, "m.osm.pbf", &Options{OSM: rails}, "osm", -1, "m"},
		{"osm pbf named geojson", "tiny.osm.pbf", nil, "n.geojson", &Options{OSM: rails}, "osm", -1, "n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := copyAs(t, dir, tt.src, tt.as, tt.data)
			zs, err := File(context.Background(), path, tt.opts)
			if err != nil {
				t.Fatalf("File: %v", err)
			}
			if zs.Format != tt.format {
				t.Errorf("format %q, want %q", zs.Format, tt.format)
			}
			if zs.Path != path {
				t.Errorf("path %q, want %q", zs.Path, path)
			}
			if got := len(zs.Set.Zones); got != tt.zones && (tt.zones >= 0 || got == 0) {
				t.Errorf("%d zones, want %d", got, tt.zones)
			}
			if zs.Set.ID != tt.id {
				t.Errorf("set id %q, want %q", zs.Set.ID, tt.id)
			}
			if isGWZ := tt.format == "gwz"; (zs.Index != nil) != isGWZ || (zs.Version > 0) != isGWZ || strings.HasPrefix(zs.Checksum, "crc32c:") != isGWZ || (zs.Size == int64(len(gwzData))) != isGWZ {
				t.Errorf("index %v, version %d, size %d, checksum %q: want the .gwz file's only for a .gwz file", zs.Index != nil, zs.Version, zs.Size, zs.Checksum)
			}
		})
	}
}

// TestOSMNeedsReader: without Options.OSM, an extract is refused, with the
// advice to compile it.
func TestOSMNeedsReader(t *testing.T) {
	tests := []struct {
		file string
		enc  osm.Encoding
	}{
		{"tiny.osm", osm.XML},
		{"tiny.osm.pbf", osm.PBF},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			zs, err := File(context.Background(), path, &Options{})
			var oe *OSMError
			if !errors.As(err, &oe) {
				t.Fatalf("File = %v, %v; want an *OSMError", zs, err)
			}
			if oe.Path != path || oe.Encoding != tt.enc {
				t.Errorf("OSMError{%q, %v}, want {%q, %v}", oe.Path, oe.Encoding, path, tt.enc)
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "zones import") {
				t.Errorf("error %q: want the file and the advice to import it", msg)
			}
		})
	}
}

// TestHostile: inputs that are no zone file, or a broken one, are refused
// with an error that names the file.
func TestHostile(t *testing.T) {
	dir := t.TempDir()
	gwzData := compiled(t)
	kmz, err := os.ReadFile(filepath.Join("testdata", "malta_protected_zones.kmz"))
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(10, 3))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	tests := []struct {
		name string
		as   string
		data []byte
		is   error // wrapped, when not nil
	}{
		{"empty", "empty.geojson", nil, nil},
		{"random", "random.bin", random, nil},
		{"random named gwz", "random.gwz", random, nil},
		{"truncated gwz", "trunc.gwz", gwzData[:200], gwz.ErrFormat},
		{"gwz magic only", "magic.gwz", gwzData[:len(gwz.Magic)], gwz.ErrFormat},
		{"gwz bit flipped", "flip.gwz", flip(gwzData, len(gwzData)/2), gwz.ErrFormat},
		{"truncated kmz", "trunc.kmz", kmz[:len(kmz)/2], nil},
		{"gzip header only", "bad.gz", []byte{0x1f, 0x8b}, nil},
		{"truncated bzip2", "trunc.osm.bz2", []byte("BZh91AY&SY\x00\x01"), nil},
		{"json array", "array.geojson", []byte("[1,2,3]"), nil},
		{"truncated geojson", "trunc.geojson", []byte(`{"type":"FeatureCollection","features":[`), nil},
		{"kml root only", "root.kml", []byte(`<kml xmlns="http://www.opengis.net/kml/2.2">`), nil},
		{"osm root only", "root.osm", []byte(`<osm version="0.6">`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := copyAs(t, dir, "", tt.as, tt.data)
			rails := &osm.Reader{Selections: []osm.Selection{{Key: "railway"}}}
			zs, err := File(context.Background(), path, &Options{OSM: rails})
			if err == nil {
				t.Fatalf("File = %+v, want an error", zs)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q does not wrap %q", err, tt.is)
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	b = bytes.Clone(b)
	b[i] ^= 0x40
	return b
}

func TestUnreadable(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, path string
	}{
		{"missing", filepath.Join(dir, "missing.geojson")},
		{"directory", dir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := File(context.Background(), tt.path, nil)
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != tt.path {
				t.Errorf("File(%q) = %v, want an *fs.PathError for it", tt.path, err)
			}
		})
	}
}

func TestBuiltin(t *testing.T) {
	zs, err := Builtin("default")
	if err != nil {
		t.Fatal(err)
	}
	if zs.Format != "builtin" || zs.Path != "builtin:default" || zs.Set.ID != "builtin:default" || len(zs.Set.Zones) == 0 || zs.Index != nil {
		t.Errorf("Builtin(default) = {%q %q %q %d zones}", zs.Format, zs.Path, zs.Set.ID, len(zs.Set.Zones))
	}
	if _, err := Builtin("nosuch"); err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("Builtin(nosuch) = %v, want an error naming it", err)
	}
}

// TestLimitsBeforeReading: a device, a FIFO and a zone file past the size
// limit are refused before they are read; a .gwz whose header does not
// match its size is refused without reading the rest.
func TestLimitsBeforeReading(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "zones.geojson")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// A FIFO with no writer would block a reader forever: refusing it
	// without opening it is the point.
	if _, err := File(context.Background(), fifo, nil); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("FIFO: %v, want a refusal", err)
	}
	if _, err := File(context.Background(), "/dev/urandom", nil); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("/dev/urandom: %v, want a refusal", err)
	}
	big := filepath.Join(dir, "big.geojson")
	if err := os.WriteFile(big, []byte(`{"type":"Feature","properties":{"id":"c","buffer_m":100},"geometry":{"type":"Point","coordinates":[10,50]}}`+strings.Repeat(" ", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := File(context.Background(), big, &Options{MaxBytes: 100}); err == nil || !strings.Contains(err.Error(), "more than the limit of 100") {
		t.Errorf("over the limit: %v, want a refusal naming the limit", err)
	}
	if _, err := File(context.Background(), big, &Options{MaxBytes: 1 << 20}); err != nil {
		t.Errorf("under the limit: %v", err)
	}
	// A sparse 1 GiB .gwz whose header says it has 64 bytes.
	sparse := filepath.Join(dir, "sparse.gwz")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 64)
	copy(head, gwz.Magic)
	binary.LittleEndian.PutUint32(head[8:], gwz.Version)
	binary.LittleEndian.PutUint32(head[12:], 64)
	binary.LittleEndian.PutUint64(head[16:], 64)
	f.Write(head)
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = File(context.Background(), sparse, nil)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "header says 64 bytes") {
		t.Errorf("sparse .gwz: %v, want the size mismatch", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("refusing the sparse .gwz allocated %d bytes", grew)
	}
}
