package geotext_test

import (
	"fmt"

	"github.com/geowarden/geowarden/geotext"
)

func ExampleAll() {
	text := []byte(`Meet at 35.8506, 14.4506 or at 35°51'02"N 14°27'01"E; ` +
		`track <trkpt lat="35.8510" lon="14.4512"/>, POINT(14.4502 35.8502).`)
	for m := range geotext.All(text) {
		fmt.Printf("%d-%d %-7s %q lat %.4f lon %.4f\n", m.Start, m.End, m.Kind, text[m.Start:m.End], m.Point.Lat, m.Point.Lon)
	}
	// Output:
	// 8-24 decimal "35.8506, 14.4506" lat 35.8506 lon 14.4506
	// 31-54 dms     "35°51'02\"N 14°27'01\"E" lat 35.8506 lon 14.4503
	// 69-95 named   "lat=\"35.8510\" lon=\"14.4512" lat 35.8510 lon 14.4512
	// 106-121 wkt     "14.4502 35.8502" lat 35.8502 lon 14.4502
}
