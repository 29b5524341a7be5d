package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/builtin"
	"github.com/geowarden/geowarden/zone/cell"
	"github.com/geowarden/geowarden/zone/gwz"
	"github.com/geowarden/geowarden/zone/kmlzone"
	"github.com/geowarden/geowarden/zone/osm"
)

// Zones are the zones of one source, as loaded.
type Zones struct {
	// Path is the file the zones were read from, or "builtin:" and the
	// name of a built-in set.
	Path string
	// Format is what the source was recognised as: "gwz", "kml" (KML,
	// KMZ, or gzip-compressed KML), "osm", "geojson", or "builtin".
	Format string
	// Set holds the zones. Its id is the file's base name without its
	// extension, except that a .gwz file keeps the id it was compiled
	// with and a built-in set is "builtin:" and its name.
	Set *zone.Set
	// Index is the index a .gwz file brings, over Set's zones; nil for
	// the other formats (build one with cell.Build).
	Index *cell.Index
	// Version, Size and Checksum describe a .gwz file: its format
	// version, its size in bytes, and the checksum it stores and that
	// loading verified. They are zero for the other formats.
	Version  int
	Size     int64
	Checksum string
}

// Options tune File. The zero value reads every format but OpenStreetMap.
type Options struct {
	// OSM reads OpenStreetMap extracts; its Selections say what to take
	// from them. When OSM is nil, an extract is refused with an
	// *OSMError.
	OSM *osm.Reader
	// MaxBytes is the largest zone file read, checked before it is read;
	// 0 means DefaultMaxBytes. Compiled .gwz files and OpenStreetMap
	// extracts, which are not held whole as text, have their own limits
	// (gwz.MaxFileBytes; the extract is streamed).
	MaxBytes int64
}

// DefaultMaxBytes is the default limit on a zone file in a text format
// (GeoJSON, KML, KMZ): parsing one takes about fifteen times its size in
// memory, so 256 MiB of GeoJSON needs about 4 GB.
const DefaultMaxBytes = 256 << 20

func (o *Options) maxBytes(format string) int64 {
	switch format {
	case "gwz":
		return gwz.MaxFileBytes
	case "osm":
		return 1 << 62
	}
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

// OSMError refuses an OpenStreetMap extract that File was given no
// osm.Reader for: what to take from it was not said.
type OSMError struct {
	Path     string
	Encoding osm.Encoding
}

func (e *OSMError) Error() string {
	return fmt.Sprintf("zone: %s is an OpenStreetMap extract (%s); compile the zones you want from it first: geowarden zones import %s --select railway=rail ... -o zones.gwz", e.Path, e.Encoding, e.Path)
}

// headSize is how many leading bytes of a file the sources see.
const headSize = 8 << 10

// A source is one kind of zone file: detect tells it by the file's name
// and first bytes (up to headSize), read loads it.
type source struct {
	format string
	detect func(path string, head []byte) bool
	read   func(ctx context.Context, path string, opts *Options) (*Zones, error)
}

// sources are tried in order; the first whose detect accepts a file reads
// it. OpenStreetMap goes before KML, which accepts any XML in a file named
// .kml; GeoJSON, which has no magic, accepts whatever is left.
var sources = []source{
	{"gwz", func(_ string, head []byte) bool { return gwz.IsGWZ(head) }, readGWZ},
	{"osm", isOSM, readOSM},
	{"kml", kmlzone.Detect, setReader(kmlzone.LoadFile)},
	{"geojson", func(string, []byte) bool { return true }, setReader(zone.LoadFile)},
}

// File loads the zone file at path, recognised by its content. opts may
// be nil. An error opening or reading the file is returned as it is (an
// *fs.PathError); the others name the file. When an OpenStreetMap extract
// is read with an opts.OSM whose Warn is nil and elements were left out or
// changed, File returns the zones together with an *osm.ProblemsError
// listing them.
func File(ctx context.Context, path string, opts *Options) (*Zones, error) {
	if opts == nil {
		opts = &Options{}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		what := "a device, FIFO or socket"
		if st.IsDir() {
			what = "a folder"
		}
		return nil, &fs.PathError{Op: "read zones", Path: path, Err: fmt.Errorf("not a regular file (%s); zones are read from files only", what)}
	}
	head, err := readHead(path)
	if err != nil {
		return nil, err
	}
	for _, s := range sources {
		if !s.detect(path, head) {
			continue
		}
		if max := opts.maxBytes(s.format); st.Size() > max {
			return nil, fmt.Errorf("zone: %s: %s file of %d bytes, more than the limit of %d (compile it once with `geowarden zones import`, or raise the limit with --max-zone-bytes)", path, s.format, st.Size(), max)
		}
		zs, err := s.read(ctx, path, opts)
		if zs != nil {
			zs.Path, zs.Format = path, s.format
		}
		return zs, err
	}
	return nil, fmt.Errorf("zone: %s: not a zone file", path)
}

// Builtin loads the zone set built into geowarden under name (see
// zone/builtin).
func Builtin(name string) (*Zones, error) {
	s, err := builtin.Load(name)
	if err != nil {
		return nil, err
	}
	return &Zones{Path: "builtin:" + name, Format: "builtin", Set: s}, nil
}

// readHead reads the first bytes of a file, for recognising it.
func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, headSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return head[:n], nil
}

// setReader adapts a reader that loads only a set.
func setReader(load func(path string) (*zone.Set, error)) func(context.Context, string, *Options) (*Zones, error) {
	return func(_ context.Context, path string, _ *Options) (*Zones, error) {
		s, err := load(path)
		if err != nil {
			return nil, err
		}
		return &Zones{Set: s}, nil
	}
}

func readGWZ(_ context.Context, path string, _ *Options) (*Zones, error) {
	f, err := gwz.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &Zones{Set: f.Set, Index: f.Index, Version: f.Version, Size: f.Size, Checksum: f.Checksum}, nil
}

// isOSM tells an OpenStreetMap extract. It opens the file again, since
// telling one inside bzip2 or gzip means decompressing its start; a file
// that cannot be decompressed is left to the next sources.
func isOSM(path string, _ []byte) bool {
	enc, err := osm.Sniff(path)
	return err == nil && enc != osm.Unknown
}

func readOSM(ctx context.Context, path string, opts *Options) (*Zones, error) {
	if opts.OSM == nil {
		enc, err := osm.Sniff(path)
		if err != nil {
			return nil, err
		}
		return nil, &OSMError{Path: path, Encoding: enc}
	}
	// tiny.osm.pbf, andorra.osm.bz2: the id is the name before ".osm".
	id := filepath.Base(path)
	if i := strings.Index(strings.ToLower(id), ".osm"); i > 0 {
		id = id[:i]
	} else {
		id = strings.TrimSuffix(id, filepath.Ext(id))
	}
	s, err := opts.OSM.Read(ctx, path, id)
	var pe *osm.ProblemsError
	if err != nil && !errors.As(err, &pe) {
		return nil, err
	}
	return &Zones{Set: s}, err
}
