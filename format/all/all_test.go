package all

import (
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/csv"
	"github.com/geowarden/geowarden/format/geojson"
)

// TestOrder pins the detection order: changing it changes which codec
// reads an input that two codecs would accept.
func TestOrder(t *testing.T) {
	var got []string
	for _, c := range Registry().Codecs() {
		got = append(got, c.Name())
	}
	want := []string{"geojson", "gpx", "kml", "kmz", "jpeg", "heic", "plt", "nmea", "csv"}
	if !slices.Equal(got, want) {
		t.Fatalf("detection order %v, want %v", got, want)
	}
}

func TestDetect(t *testing.T) {
	kmzHead := append([]byte("PK\x03\x04"), make([]byte, 22)...)
	kmzHead = append(kmzHead, 7, 0, 0, 0)
	kmzHead = append(kmzHead, "doc.kml"...)
	tests := []struct {
		name, file, head, want string
	}{
		{"geojson", "a.txt", `{"type":"FeatureCollection","features":[]}`, "geojson"},
		{"geojson seq", "a", "\x1e{\"type\":\"Feature\"}\n", "geojson"},
		{"gpx", "a.xml", `<?xml version="1.0"?><gpx version="1.1" creator="x"><trk></trk></gpx>`, "gpx"},
		{"kml", "a.xml", `<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>`, "kml"},
		{"kmz by name", "a.kmz", "PK\x03\x04rest", "kmz"},
		{"kmz by content", "a.zip", string(kmzHead), "kmz"},
		{"jpeg", "a.csv", "\xff\xd8\xff\xe1\x00\x10Exif\x00\x00", "jpeg"},
		{"heic", "a.jpg", "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "heic"},
		{"plt", "a.csv", "Geolife trajectory\nWGS 84\nAltitude is in Feet\nReserved 3\n0,2,255,My Track,0,0,2,8421376\n0\n39.999976,116.326565,0,492,39755.4261111111,2008-11-03,10:13:36\n", "plt"},
		{"nmea", "a.csv", "$PMGNTRK,4415.163,N,07631.126,W,00095,M,110833.53,A,,030409*68\r\n$PMGNTRK,4414.765,N,07631.087,W,00100,M,110905.52,A,,030409*6B\r\n", "nmea"},
		{"csv", "a.geojson", "lat,lon,time\n50.1,10.2,2024-01-01T00:00:00Z\n", "csv"},
		{"zip without kml", "a.zip", "PK\x03\x04\x14\x00", ""},
		{"binary", "a.bin", "\x00\x01\x02\x03", ""},
		{"empty", "a.csv", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if c := Registry().Detect(tt.file, []byte(tt.head)); c != nil {
				got = c.Name()
			}
			if got != tt.want {
				t.Errorf("Detect(%q, ...) = %q, want %q", tt.file, got, tt.want)
			}
		})
	}
}

func TestByName(t *testing.T) {
	for _, c := range Registry().Codecs() {
		if got := Registry().ByName(c.Name()); got != c {
			t.Errorf("ByName(%q) = %v, want %v", c.Name(), got, c)
		}
	}
	if got := Registry().ByName("shapefile"); got != nil {
		t.Errorf("ByName(shapefile) = %v, want nil", got)
	}
}

func TestNewRegistryRefusesAmbiguity(t *testing.T) {
	tests := []struct {
		name    string
		entries []format.Entry
	}{
		{"same priority", []format.Entry{{Priority: 1, Codec: csv.Codec{}}, {Priority: 1, Codec: geojson.Codec{}}}},
		{"same name", []format.Entry{{Priority: 1, Codec: csv.Codec{}}, {Priority: 2, Codec: csv.Codec{}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("NewRegistry did not panic")
				}
			}()
			format.NewRegistry(tt.entries...)
		})
	}
}

func TestPriorityNotOrder(t *testing.T) {
	r := format.NewRegistry(format.Entry{Priority: 9, Codec: csv.Codec{}}, format.Entry{Priority: 1, Codec: geojson.Codec{}})
	if got := r.Codecs()[0].Name(); got != "geojson" {
		t.Errorf("first codec %q, want geojson (lowest priority)", got)
	}
}

// notInSet are the codecs that are not for detection, and why.
var notInSet = map[string]string{
	"plaintext": "accepts any text; pipeline reads with it (Runner.PlainText) the files no codec of the set reads",
}

// TestEveryCodec: every package under format/ that has a codec (a type
// with a Rewrite method) is in the set, or in notInSet, so that a new
// format cannot be forgotten here.
func TestEveryCodec(t *testing.T) {
	inSet := map[string]bool{}
	for _, c := range Registry().Codecs() {
		inSet[path.Base(reflect.TypeOf(c).PkgPath())] = true
	}
	dirs, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, err := filepath.Glob(filepath.Join("..", d.Name(), "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if rewrite.Match(src) {
				n++
				if _, ok := notInSet[d.Name()]; ok {
					n--
				} else if !inSet[d.Name()] {
					t.Errorf("format/%s has a codec (%s) that the set does not hold", d.Name(), f)
				}
				break
			}
		}
	}
	if n < len(inSet) {
		t.Errorf("found codecs in %d packages, fewer than the set's %d: the search is broken", n, len(inSet))
	}
}

var rewrite = regexp.MustCompile(`(?m)^func \(\w* ?\*?\w+\) Rewrite\(`)
