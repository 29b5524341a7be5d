package gpx_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/gpx"
)

// eastOf drops the points east of a longitude.
type eastOf float64

func (e eastOf) Record(r *geowarden.Record) geowarden.Edit {
	if r.Pos.Lon > float64(e) {
		return geowarden.Edit{Drop: true}
	}
	return geowarden.Keep
}

func (eastOf) Bad(err *format.ParseError) error { return err }

// A dropped track point splits its segment, so that no line is drawn
// across the gap; everything else is written back as it was.
func ExampleCodec_Rewrite() {
	in := `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="example" xmlns="http://www.topografix.com/GPX/1/1">
  <trk>
    <name>morning run</name>
    <trkseg>
      <trkpt lat="52.5160" lon="13.3770"><time>2024-03-01T07:00:00Z</time></trkpt>
      <trkpt lat="52.5162" lon="13.3790"><time>2024-03-01T07:00:10Z</time></trkpt>
      <trkpt lat="52.5164" lon="13.3775"><time>2024-03-01T07:00:20Z</time></trkpt>
    </trkseg>
  </trk>
</gpx>
`
	err := gpx.Codec{}.Rewrite(context.Background(), strings.NewReader(in), os.Stdout, eastOf(13.378), &format.Options{Name: "run.gpx"})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <gpx version="1.1" creator="example" xmlns="http://www.topografix.com/GPX/1/1">
	//   <trk>
	//     <name>morning run</name>
	//     <trkseg>
	//       <trkpt lat="52.5160" lon="13.3770"><time>2024-03-01T07:00:00Z</time></trkpt>
	//     </trkseg>
	//     <trkseg>
	//       <trkpt lat="52.5164" lon="13.3775"><time>2024-03-01T07:00:20Z</time></trkpt>
	//     </trkseg>
	//   </trk>
	// </gpx>
}
