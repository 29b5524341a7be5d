package cli_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// channelRows are records that carry a radio and a channel number but no
// frequency, and whether the built-in policy's railway radio class (gsm-r)
// must find them.
var channelRows = []struct {
	radio, col string // the radio and the name of the channel's column or property
	n          int
	found      bool
	why        string
}{
	{"NR", "nrarfcn", 184000, true, "FRMCS n100 downlink, 920 MHz"},
	{"NR", "nrarfcn", 175000, true, "FRMCS n100 uplink, 875 MHz"},
	{"NR", "ssb_arfcn", 381000, true, "FRMCS n101, 1905 MHz"},
	{"LTE", "earfcn", 36050, true, "LTE band 33 (TDD), 1905 MHz: FRMCS n101"},
	{"LTE", "dl_earfcn", 38500, true, "LTE band 39 (TDD), 1905 MHz: FRMCS n101"},
	{"LTE", "earfcn", 21450, true, "LTE band 8 uplink EARFCN, 880 MHz: GSM-R uplink"},
	{"GSM", "arfcn", 945, true, "E-GSM-R, 919 MHz"},
	{"GSM", "arfcn", 960, true, "GSM-R, 922 MHz"},
	{"UMTS", "uarfcn", 2937, false, "UMTS band VIII, 927.4 MHz"},
	{"LTE", "earfcn", 3500, false, "LTE band 8, 930 MHz: GSM-R in China, not in the default"},
	{"LTE", "earfcn", 6300, false, "LTE band 20, 806 MHz"},
	{"NR", "nrarfcn", 636666, false, "NR n78, 3549.99 MHz"},
	{"", "earfcn", 184000, false, "no radio: the number means nothing alone"},
	{"5G", "nrarfcn", 184000, false, "5G: maybe an LTE anchor's channel"},
}

// TestScanChannelNumbers scans the rows above as CSV (one file per
// channel column name, as a real log has one), GeoJSON features and KML
// placemarks with the built-in policy, outside every zone, and checks that
// exactly the rows in a railway radio band are found.
func TestScanChannelNumbers(t *testing.T) {
	dir := t.TempDir()
	type key struct {
		file string
		line int
	}
	want := map[key]string{} // the rows that must be found, by file and line
	csvs := map[string][]string{}
	var features, placemarks []string
	for i, r := range channelRows {
		name := "cells-" + r.col + ".csv"
		if csvs[name] == nil {
			csvs[name] = []string{"radio," + r.col + ",lat,lon"}
		}
		csvs[name] = append(csvs[name], fmt.Sprintf("%s,%d,48.1,11.5", r.radio, r.n))
		features = append(features, fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Point","coordinates":[11.5,48.1]},"properties":{"radio":%q,%q:%d}}`, r.radio, r.col, r.n))
		placemarks = append(placemarks, fmt.Sprintf(`<Placemark><ExtendedData><Data name="radio"><value>%s</value></Data><Data name=%q><value>%d</value></Data></ExtendedData><Point><coordinates>11.5,48.1</coordinates></Point></Placemark>`, r.radio, r.col, r.n))
		if r.found {
			want[key{name, len(csvs[name])}] = r.why
			want[key{"cells.geojson", i + 2}] = r.why
			want[key{"cells.kml", i + 3}] = r.why
		}
	}
	files := map[string]string{
		"cells.geojson": "{\"type\":\"FeatureCollection\",\"features\":[\n" + strings.Join(features, ",\n") + "\n]}\n",
		"cells.kml":     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document>\n" + strings.Join(placemarks, "\n") + "\n</Document></kml>\n",
	}
	for name, lines := range csvs {
		files[name] = strings.Join(lines, "\n") + "\n"
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	res := gwDir(t, dir, "", "scan", "--format", "ndjson", ".")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1 (findings)\n%s", res.code, res.stderr)
	}
	got := map[key]bool{}
	sc := bufio.NewScanner(strings.NewReader(res.stdout))
	for sc.Scan() {
		var f struct {
			File    string   `json:"file"`
			Line    int      `json:"line"`
			Rule    string   `json:"rule"`
			Signals []string `json:"signals"`
		}
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("finding %q: %v", sc.Text(), err)
		}
		k := key{filepath.Base(f.File), f.Line}
		got[k] = true
		if why, ok := want[k]; !ok {
			t.Errorf("%s:%d found (rule %s), want not found", k.file, k.line, f.Rule)
		} else if f.Rule != "gsm-r" || len(f.Signals) != 1 || f.Signals[0] != "gsm-r" {
			t.Errorf("%s:%d (%s): rule %s, signals %v; want gsm-r, [gsm-r]", k.file, k.line, why, f.Rule, f.Signals)
		}
	}
	for k, why := range want {
		if !got[k] {
			t.Errorf("%s:%d (%s) not found", k.file, k.line, why)
		}
	}
}
