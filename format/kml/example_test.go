package kml_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/kml"
)

// dropWest drops every record west of the prime meridian.
type dropWest struct{}

func (dropWest) Record(r *geowarden.Record) geowarden.Edit {
	fmt.Printf("%s %s %.1f,%.1f\n", r.Ref, r.Kind, r.Pos.Lon, r.Pos.Lat)
	return geowarden.Edit{Drop: r.Pos.Lon < 0}
}

func (dropWest) Bad(err *format.ParseError) error { return err }

func Example() {
	in := `<kml><Document>
  <Placemark><name>west</name><Point><coordinates>-1.5,50</coordinates></Point></Placemark>
  <Placemark><name>east</name><Point><coordinates>2.5,50</coordinates></Point></Placemark>
</Document></kml>
`
	err := kml.Codec{}.Rewrite(context.Background(), strings.NewReader(in), os.Stdout, dropWest{}, &format.Options{Name: "a.kml"})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// a.kml:2 feature -1.5,50.0
	// a.kml:3 feature 2.5,50.0
	// <kml><Document>
	//   <Placemark><name>east</name><Point><coordinates>2.5,50</coordinates></Point></Placemark>
	// </Document></kml>
}
