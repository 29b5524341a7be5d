package all_test

import (
	"fmt"

	"github.com/geowarden/geowarden/format/all"
)

// A GPX file named .txt is still GPX: codecs are picked by content, the
// most specific first.
func ExampleRegistry() {
	head := []byte(`<?xml version="1.0"?><gpx version="1.1" creator="x"></gpx>`)
	fmt.Println(all.Registry().Detect("track.txt", head).Name())
	fmt.Println(all.Registry().Detect("track.txt", []byte("lat,lon\n50.1,10.2\n")).Name())
	// Output:
	// gpx
	// csv
}
