package geotext

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRealSamples: the positions found in excerpts of real files
// (testdata/real, see PROVENANCE.md), as kind, text and lat/lon.
func TestRealSamples(t *testing.T) {
	for _, tt := range []struct {
		file string
		want []string
	}{
		{"gpsd-april6_2019.log", []string{
			`dm "48 29.0005 N, 000 22.0016 E" 48.483342 0.366693`,
			`dm "29.0005 N, 000 22.0016 E" 29.000500 0.366693`, // the minutes read as degrees, to be safe
			`nmea "4829.0005,N,00022.0015,E" 48.483342 0.366692`,
			`nmea "4829.0005,N,00022.0016,E" 48.483342 0.366693`,
		}},
		{"gpsbabel-kml-track-lookat.kml", []string{
			`named "longitude>-0.035329</longitude>\n      <latitude>51.506248" 51.506248 -0.035329`,
		}},
		{"exiftool-geotag-dji.csv", []string{
			`decimal "-44.69009395,170.42456545" -44.690094 170.424565`,
			`decimal "-44.69009389,170.42456538" -44.690094 170.424565`,
			`decimal "-44.69009368,170.42456536" -44.690094 170.424565`,
			`decimal "-44.69009359,170.42456529" -44.690094 170.424565`,
			`decimal "-44.69009355,170.42456542" -44.690094 170.424565`,
		}},
		{"geojsonhint-featurecollection-bbox.geojson", []string{
			`list "100.0, 0.5" 0.500000 100.000000`, // the bbox's first corner
			`list "102.0, 0.5" 0.500000 102.000000`,
			`list "100.0, 2.5" 2.500000 100.000000`,
		}},
		{"gpxgo-file.gpx", []string{
			`named "lat=\"37.085751\" lon=\"-121.170420" 37.085751 -121.170420`,
			`named "lat=\"37.085751\" lon=\"-121.170420" 37.085751 -121.170420`,
		}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile("testdata/real/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for m := range All(b) {
				got = append(got, fmt.Sprintf("%s %q %.6f %.6f", m.Kind, b[m.Start:m.End], m.Point.Lat, m.Point.Lon))
			}
			if g, w := strings.Join(got, "\n"), strings.Join(tt.want, "\n"); g != w {
				t.Errorf("got\n%s\nwant\n%s", g, w)
			}
		})
	}
}
