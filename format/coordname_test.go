package format

import "testing"

func TestParseCoordName(t *testing.T) {
	tests := []struct {
		name string
		want CoordName
		ok   bool
	}{
		{"lat", CoordName{Axis: RoleLat, Key: "|"}, true},
		{"Latitude", CoordName{Axis: RoleLat, Key: "|"}, true},
		{"LNG", CoordName{Axis: RoleLon, Key: "|"}, true},
		{"long", CoordName{Axis: RoleLon, Key: "|"}, true},
		{"x", CoordName{Axis: RoleLon, Key: "xy"}, true},
		{" Y ", CoordName{Axis: RoleLat, Key: "xy"}, true},
		{"dest_lat", CoordName{Axis: RoleLat, Key: "dest|"}, true},
		{"dest_lon", CoordName{Axis: RoleLon, Key: "dest|"}, true},
		{"start_lng", CoordName{Axis: RoleLon, Key: "start|"}, true},
		{"end-latitude", CoordName{Axis: RoleLat, Key: "end|"}, true},
		{"home.longitude", CoordName{Axis: RoleLon, Key: "home|"}, true},
		{"origin_long", CoordName{Axis: RoleLon, Key: "origin|"}, true},
		{"homeLat", CoordName{Axis: RoleLat, Key: "home|"}, true},
		{"DestLongitude", CoordName{Axis: RoleLon, Key: "dest|"}, true},
		{"GpsLatitude", CoordName{Axis: RoleLat, Key: "gps|"}, true},
		{"GPSLatitude", CoordName{Axis: RoleLat, Key: "gps|"}, true},
		{"GPSLongitude", CoordName{Axis: RoleLon, Key: "gps|"}, true},
		{"GPSDestLatitude", CoordName{Axis: RoleLat, Key: "gps_dest|"}, true},
		{"LATITUDE", CoordName{Axis: RoleLat, Key: "|"}, true},
		{"HOME_LAT", CoordName{Axis: RoleLat, Key: "home|"}, true},
		{"lat2", CoordName{Axis: RoleLat, Key: "|2"}, true},
		{"lat_dest", CoordName{Axis: RoleLat, Key: "|dest"}, true},
		{"latitudeE7", CoordName{Axis: RoleLat, Key: "||e7", E7: true}, true},
		{"longitudeE7", CoordName{Axis: RoleLon, Key: "||e7", E7: true}, true},
		{"latitudee7", CoordName{Axis: RoleLat, Key: "||e7", E7: true}, true},
		{"dest_lat_e7", CoordName{Axis: RoleLat, Key: "dest||e7", E7: true}, true},
		{"latlon", CoordName{}, false},
		{"lat_lon", CoordName{}, false},
		{"along", CoordName{}, false},
		{"flat", CoordName{}, false},
		{"platform", CoordName{}, false},
		{"latency", CoordName{}, false},
		{"colon", CoordName{}, false},
		{"max_x", CoordName{}, false},
		{"e7", CoordName{}, false},
		{"", CoordName{}, false},
		{"ÉtéLat", CoordName{Axis: RoleLat, Key: "été|"}, true},
	}
	for _, tt := range tests {
		got, ok := ParseCoordName(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseCoordName(%q) = %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
