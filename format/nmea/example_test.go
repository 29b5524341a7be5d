package nmea_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/nmea"
)

// dropNorth drops every fix north of 48°N and reports binary data.
type dropNorth struct{}

func (dropNorth) Record(r *geowarden.Record) geowarden.Edit {
	typ, _ := r.Attrs.Attr("type")
	fmt.Printf("line %d: %s %.5f,%.5f %s\n", r.Ref.Line, typ, r.Pos.Lat, r.Pos.Lon, r.Time.Format("2006-01-02T15:04:05Z"))
	return geowarden.Edit{Drop: r.Pos.Lat > 48}
}

func (dropNorth) Bad(err *format.ParseError) error { return err }

func (dropNorth) Notice(n *format.Notice) { fmt.Printf("line %d: %s\n", n.Ref.Line, n.Message) }

func Example() {
	log := "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n" +
		"$GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1*39\r\n" +
		"$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n" +
		"\xb5\x62\x01\x07\x00\x00\r\n" +
		"$GPGGA,123520,4759.000,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*42\r\n"
	err := nmea.Codec{DropBinary: true}.Rewrite(context.Background(), strings.NewReader(log), os.Stdout, dropNorth{}, &format.Options{Name: "log.nmea"})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// line 1: GGA 48.11730,11.51667 1994-03-23T12:35:19Z
	// line 3: RMC 48.11730,11.51667 1994-03-23T12:35:19Z
	// line 4: 8 bytes of binary data (UBX?), not read: removed
	// line 5: GGA 47.98333,11.51667 1994-03-23T12:35:20Z
	// $GPGGA,123520,4759.000,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*42
}
