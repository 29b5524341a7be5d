package plt_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/plt"
)

// boxHandler drops the points inside a box and coarsens the time of the
// others to the minute.
type boxHandler struct {
	minLon, minLat, maxLon, maxLat float64
}

func (h boxHandler) Record(r *geowarden.Record) geowarden.Edit {
	p := r.Pos
	if p.Lon >= h.minLon && p.Lon <= h.maxLon && p.Lat >= h.minLat && p.Lat <= h.maxLat {
		fmt.Fprintf(os.Stdout, "dropped %s of user %s\n", r.Ref, r.Source)
		return geowarden.Edit{Drop: true}
	}
	return geowarden.Edit{Retime: true, Time: r.Time.Truncate(time.Minute)}
}

func (h boxHandler) Bad(err *format.ParseError) error { return err }

func ExampleCodec_Rewrite() {
	in := "Geolife trajectory\nWGS 84\nAltitude is in Feet\nReserved 3\n0,2,255,My Track,0,0,2,8421376\n0\n" +
		"39.984702,116.318417,0,492,39744.1201851852,2008-10-23,02:53:04\n" +
		"39.984094,116.319236,0,492,39744.1202893519,2008-10-23,02:53:13\n"
	h := boxHandler{minLon: 116.319, minLat: 39.98, maxLon: 116.32, maxLat: 39.99}
	err := plt.Codec{}.Rewrite(context.Background(), strings.NewReader(in), os.Stdout, h,
		&format.Options{Name: "Data/000/Trajectory/20081023025304.plt"})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// dropped Data/000/Trajectory/20081023025304.plt:8 of user 000
	// Geolife trajectory
	// WGS 84
	// Altitude is in Feet
	// Reserved 3
	// 0,2,255,My Track,0,0,2,8421376
	// 0
	// 39.984702,116.318417,0,492,39744.1201388889,2008-10-23,02:53:00
}
