package csv_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/csv"
)

// boxHandler drops the records inside a box and coarsens the time of the
// others to the hour.
type boxHandler struct {
	minLon, minLat, maxLon, maxLat float64
}

func (h boxHandler) Record(r *geowarden.Record) geowarden.Edit {
	p := r.Pos
	if r.Shape == geowarden.ShapePoint && p.Lon >= h.minLon && p.Lon <= h.maxLon && p.Lat >= h.minLat && p.Lat <= h.maxLat {
		fmt.Fprintf(os.Stderr, "dropped %s (%s)\n", r.Ref, r.Kind)
		return geowarden.Edit{Drop: true}
	}
	return geowarden.Edit{Retime: true, Time: r.Time.Truncate(3600e9)}
}

func (h boxHandler) Bad(err *format.ParseError) error { return err }

func ExampleCodec_Rewrite() {
	in := "id,ts,lat,lon,mcc,mnc,cell,rsrp,freq_mhz\n" +
		"1,2024-03-01T10:20:30Z,52.5163,13.3777,262,1,12345,-95,1800\n" +
		"2,2024-03-01T10:21:30Z,48.1374,11.5755,262,2,67890,-101,800\n"
	h := boxHandler{minLon: 13.3, minLat: 52.5, maxLon: 13.5, maxLat: 52.6}
	err := csv.Codec{}.Rewrite(context.Background(), strings.NewReader(in), os.Stdout, h, &format.Options{Name: "cells.csv"})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// id,ts,lat,lon,mcc,mnc,cell,rsrp,freq_mhz
	// 2,2024-03-01T10:00:00Z,48.1374,11.5755,262,2,67890,-101,800
}
