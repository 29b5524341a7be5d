package verify_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/geowarden/geowarden/verify"
	"github.com/geowarden/geowarden/zone"
)

func ExampleWriter() {
	set, err := zone.ReadGeoJSON("zones", "zones", strings.NewReader(`{"type":"Feature",
		"properties":{"id":"harbour","name":"Grand Harbour"},
		"geometry":{"type":"Polygon","coordinates":[[[14.44,35.84],[14.46,35.84],[14.46,35.86],[14.44,35.86],[14.44,35.84]]]}}`))
	if err != nil {
		panic(err)
	}
	v := verify.New(zone.NewIndex(set))

	// The release path writes the sanitized output through the verifier;
	// here a position is split across two writes.
	w := v.NewWriter(io.Discard)
	io.WriteString(w, "id,lat,lon,note\n1,35.9100,14.5000,ok\n2,35.9200,14.5100,taken at 35.85")
	io.WriteString(w, "06 14.4506\n")
	fmt.Println(w.Close())
	// Output:
	// verify: byte 64: decimal position "35.8506 14.4506" (lat 35.850600, lon 14.450600) is inside zone "harbour" (Grand Harbour)
}
