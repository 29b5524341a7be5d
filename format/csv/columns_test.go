package csv

import (
	"reflect"
	"testing"
)

// TestAliases pins the header names of each role: they are user-visible
// (doc.go lists them), and the table now lives in package format, shared
// with the other codecs, so a change there must not change CSV silently.
func TestAliases(t *testing.T) {
	want := map[string][]string{
		"lat":      {"lat", "latitude", "y"},
		"lon":      {"lon", "lng", "long", "longitude", "x"},
		"time":     {"ts", "time", "timestamp", "datetime", "created"},
		"source":   {"source", "device", "device_id", "contributor", "user"},
		"radio":    {"radio", "networkmode", "network_mode", "technology"},
		"mcc":      {"mcc"},
		"mnc":      {"mnc", "net"},
		"area":     {"lac", "area", "tac"},
		"cell":     {"cell", "cid", "ci", "cellid", "cell_id", "ecellid", "eci"},
		"freq":     {"freq_mhz", "frequency"},
		"arfcn":    {"earfcn", "arfcn", "uarfcn", "nrarfcn", "dl_earfcn", "dl_uarfcn", "dl_arfcn", "nr_arfcn", "ssb_arfcn"},
		"strength": {"rsrp", "rssi", "averagesignal", "signal", "dbm"},
		"ssid":     {"ssid"},
		"bssid":    {"bssid", "mac"},
		"alt":      {"alt", "altitude", "ele", "elevation"},
		"accuracy": {"accuracy", "acc"},
	}
	got := map[string][]string{}
	for r, a := range aliases {
		if r != 0 {
			got[role(r).String()] = a
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("aliases:\ngot  %v\nwant %v", got, want)
	}
}
