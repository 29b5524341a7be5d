// Package all is geowarden's default format set: every codec it has, each
// with its detection priority. The command line, the tests that need every
// codec, and library users of pipeline take their codecs from Registry.
//
// To add a format, write its codec in a package of its own under format/
// (see format.Codec), then add one line to the set below, with a priority
// that places its Detect among the others: lower priorities are tried
// first, so a format recognised by a magic number or a root element goes
// before the text formats, and CSV, which accepts any text with a
// coordinate header, stays last.
package all

import (
	"sync"

	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/csv"
	"github.com/geowarden/geowarden/format/geojson"
	"github.com/geowarden/geowarden/format/gpx"
	"github.com/geowarden/geowarden/format/jpeg"
	"github.com/geowarden/geowarden/format/kml"
	"github.com/geowarden/geowarden/format/nmea"
	"github.com/geowarden/geowarden/format/plt"
)

// set is every codec with its priority. GeoJSON starts with '{' or RS,
// GPX and KML are told by their root element, KMZ, JPEG and HEIC by their
// magic numbers, GeoLife PLT by its title line, NMEA by its sentences;
// CSV comes last.
var set = []format.Entry{
	{Priority: 10, Codec: geojson.Codec{}},
	{Priority: 20, Codec: gpx.Codec{}},
	{Priority: 30, Codec: kml.Codec{}},
	{Priority: 40, Codec: kml.KMZCodec{}},
	{Priority: 50, Codec: jpeg.Codec{}},
	{Priority: 60, Codec: jpeg.HEICCodec{}},
	{Priority: 70, Codec: plt.Codec{}},
	{Priority: 80, Codec: nmea.Codec{}},
	{Priority: 1000, Codec: csv.Codec{}},
}

var registry = sync.OnceValue(func() *format.Registry { return format.NewRegistry(set...) })

// Registry returns the default format set. Every call returns the same
// registry, which does not change.
func Registry() *format.Registry { return registry() }
