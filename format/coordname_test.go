package format

import "testing"

func TestParseCoordName(t *testing.T) {
	tests := []struct {
		name string
		want CoordName
		ok   bool
	}{
		{"lat", CoordName{Axis: RoleLat}, true},
		{"Latitude", CoordName{Axis: RoleLat}, true},
		{"LNG", CoordName{Axis: RoleLon}, true},
		{"x", CoordName{Axis: RoleLon}, true},
		{"y", CoordName{Axis: RoleLat}, true},
		{"dest_lat", CoordName{Axis: RoleLat, Stem: "dest"}, true},
		{"dest_lon", CoordName{Axis: RoleLon, Stem: "dest"}, true},
		{"start_lng", CoordName{Axis: RoleLon, Stem: "start"}, true},
		{"end-latitude", CoordName{Axis: RoleLat, Stem: "end"}, true},
		{"home.longitude", CoordName{Axis: RoleLon, Stem: "home"}, true},
		{"origin_long", CoordName{Axis: RoleLon, Stem: "origin"}, true},
		{"homeLat", CoordName{Axis: RoleLat, Stem: "home"}, true},
		{"DestLongitude", CoordName{Axis: RoleLon, Stem: "dest"}, true},
		{"GpsLatitude", CoordName{Axis: RoleLat, Stem: "gps"}, true},
		{"cell2Lat", CoordName{Axis: RoleLat, Stem: "cell2"}, true},
		{"latitudeE7", CoordName{Axis: RoleLat, E7: true}, true},
		{"longitudeE7", CoordName{Axis: RoleLon, E7: true}, true},
		{"dest_lat_e7", CoordName{Axis: RoleLat, Stem: "dest", E7: true}, true},
		{"__lat", CoordName{}, false},
		{"along", CoordName{}, false},
		{"flat", CoordName{}, false},
		{"platform", CoordName{}, false},
		{"colon", CoordName{}, false},
		{"lat2", CoordName{}, false},
		{"max_x", CoordName{}, false},
		{"xE7", CoordName{}, false},
		{"e7", CoordName{}, false},
		{"", CoordName{}, false},
		{"ÉtéLat", CoordName{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseCoordName(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseCoordName(%q) = %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
