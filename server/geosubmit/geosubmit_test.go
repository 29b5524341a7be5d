package geosubmit

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/server/proto"
)

// row is one line of the G-NetTrack drive log.
type row struct {
	t          time.Time
	lat, lon   string
	speed      string
	cell       string // RAWCELLID: the LTE cell identity
	tac        int64
	rsrp, mode string
}

func drive(t testing.TB) []row {
	t.Helper()
	f, err := os.Open("testdata/ucc-5g-B_2019.12.14_10.16.30-120.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []row
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		c := strings.Split(sc.Text(), ",")
		tm, err := time.Parse("2006.01.02_15.04.05", c[0])
		if err != nil {
			t.Fatal(err)
		}
		tac, err := strconv.ParseInt(c[22], 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row{t: tm, lon: c[1], lat: c[2], speed: c[3], cell: c[23], tac: tac, rsrp: c[7], mode: c[6]})
	}
	if len(rows) != 120 {
		t.Fatalf("%d rows", len(rows))
	}
	return rows
}

// testItem is an item as a device posts it, and what must arrive upstream
// of it when its GSM-R neighbour (if any) is dropped.
type testItem struct {
	r             row
	text, noGSMR  string
	gsmr, noMap   bool
	cells, wifis  int // observations that make messages
	lat, lon      float64
	ms            int64
	gsmrCellIndex int
}

// arrayText writes an array as the device does (one element a line), or,
// when it lost elements, as Forward joins what is left.
func arrayText(elems []string, whole bool) string {
	if !whole {
		return "[" + strings.Join(elems, ",") + "]"
	}
	return "[\n      " + strings.Join(elems, ",\n      ") + "\n    ]"
}

// makeItem builds the report of row i: the serving LTE cell of the log;
// every third row a GSM-R neighbour (made up: ARFCN 960 is 922.2 MHz, in
// the GSM-R band); two Wi-Fi access points (made up), and every fourth row
// a third whose SSID ends in _nomap.
func makeItem(i int, r row) testItem {
	it := testItem{r: r, gsmr: i%3 == 0, noMap: i%4 == 0}
	it.lat, _ = strconv.ParseFloat(r.lat, 64)
	it.lon, _ = strconv.ParseFloat(r.lon, 64)
	it.ms = r.t.UnixMilli() + int64(i%2)*250
	lte := fmt.Sprintf(`{"radioType": "lte", "mobileCountryCode": 272, "locationAreaCode": %d, "cellId": %s, "signalStrength": %s, "serving": 1}`, r.tac, r.cell, r.rsrp)
	gsmr := fmt.Sprintf(`{"radioType": "gsm", "mobileCountryCode": 272, "mobileNetworkCode": 1, "locationAreaCode": 2110, "cellId": %d, "arfcn": 960, "signalStrength": -95, "serving": 0}`, 31000+i)
	cells := []string{lte}
	if it.gsmr {
		cells = append(cells, gsmr)
	}
	wifis := []string{
		fmt.Sprintf(`{"macAddress": "02:1a:11:f0:%02x:01", "ssid": "Cork-Guest", "frequency": 2437, "channel": 6, "signalStrength": %d}`, i, -60-i%20),
		fmt.Sprintf(`{"macAddress": "02:1a:11:f0:%02x:02", "ssid": "Eir-7F21", "frequency": 5180, "signalStrength": -80}`, i),
	}
	kept := wifis
	if it.noMap {
		wifis = append(wifis[:2:2], fmt.Sprintf(`{"macAddress": "02:1a:11:f0:%02x:03", "ssid": "Home_NoMap", "frequency": 2462, "signalStrength": -58}`, i))
	}
	it.cells, it.wifis = len(cells), len(kept)
	head := fmt.Sprintf(`{
    "timestamp": %d,
    "position": {"latitude": %s, "longitude": %s, "accuracy": %d, "altitude": 12.5, "speed": %s, "source": "gps"},
    "cellTowers": `, it.ms, r.lat, r.lon, 4+i%5, r.speed)
	mid := `,
    "wifiAccessPoints": `
	it.text = head + arrayText(cells, true) + mid + arrayText(wifis, true) + "\n  }"
	it.noGSMR = head + arrayText(cells[:1], !it.gsmr) + mid + arrayText(kept, !it.noMap) + "\n  }"
	return it
}

// body is a request of items.
func body(items []testItem) string {
	var s []string
	for _, it := range items {
		s = append(s, it.text)
	}
	return "{\"items\": [\n  " + strings.Join(s, ",\n  ") + "\n]}\n"
}

func items(t testing.TB) []testItem {
	var out []testItem
	for i, r := range drive(t) {
		out = append(out, makeItem(i, r))
	}
	return out
}

func decode(t testing.TB, b string) []proto.Message {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/v2/geosubmit?key=test", strings.NewReader(b))
	msgs, err := Protocol{}.Decode(r, r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestDecodeDrive(t *testing.T) {
	its := items(t)
	for from := 0; from < len(its); from += 10 {
		batch := its[from : from+10]
		msgs := decode(t, body(batch))
		k := 0
		for _, it := range batch {
			n := 1 + it.cells + it.wifis
			if k+n > len(msgs) {
				t.Fatalf("%d messages", len(msgs))
			}
			pos := geowarden.Point{Lon: it.lon, Lat: it.lat}
			for j, m := range msgs[k : k+n] {
				rec := m.Record
				if rec.Shape != geowarden.ShapePoint || rec.Pos != pos || !rec.Time.Equal(time.UnixMilli(it.ms)) || rec.Ref.Feature != k+j {
					t.Fatalf("message %d: %+v", k+j, rec)
				}
				if strings.Contains(strings.ToLower(string(m.Raw)), "_nomap") {
					t.Fatalf("message %d holds a _nomap access point: %s", k+j, m.Raw)
				}
				var v struct {
					Cells []json.RawMessage `json:"cellTowers"`
					Wifis []json.RawMessage `json:"wifiAccessPoints"`
				}
				if err := json.Unmarshal(m.Raw, &v); err != nil {
					t.Fatalf("message %d is not an item: %v", k+j, err)
				}
				obs := len(v.Cells) + len(v.Wifis)
				switch {
				case j == 0:
					if rec.Kind != geowarden.KindFix || obs != 0 || !rec.HasAccuracy || rec.Alt != 12.5 {
						t.Errorf("fix %d: %+v, %d observations", k, rec, obs)
					}
				case j <= it.cells:
					s := rec.Signal
					if rec.Kind != geowarden.KindCell || obs != 1 || s.MCC != 272 {
						t.Errorf("cell %d: %+v", k+j, rec)
					}
					if j == 1 && (strconv.FormatInt(s.Cell, 10) != it.r.cell || s.Area != it.r.tac || s.Radio != "lte" || !s.HasStrength) {
						t.Errorf("serving cell: %+v", s)
					}
					if j == 2 && (s.FreqMHz != 922.2 || !s.HasMNC || s.MNC != 1 || s.Radio != "gsm") {
						t.Errorf("GSM-R neighbour: %+v", s)
					}
				default:
					if rec.Kind != geowarden.KindWifi || obs != 1 || rec.Signal.BSSID == "" || rec.Signal.SSID == "" || rec.Signal.FreqMHz == 0 {
						t.Errorf("wifi %d: %+v", k+j, rec)
					}
				}
				if v, ok := rec.Attrs.Attr("source"); !ok || v != "gps" {
					t.Errorf("position source %q", v)
				}
			}
			k += n
		}
		if k != len(msgs) {
			t.Fatalf("%d messages, want %d", len(msgs), k)
		}
	}
}

// upstream records the items it is posted.
type upstream struct {
	*httptest.Server
	mu    sync.Mutex
	posts int
	items []string
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var v struct{ Items []json.RawMessage }
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.URL.Query().Get("key") != "up" || json.Unmarshal(b, &v) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		u.mu.Lock()
		u.posts++
		for _, it := range v.Items {
			u.items = append(u.items, string(it))
		}
		u.mu.Unlock()
		w.Write([]byte("{}"))
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) forward(t *testing.T, outs []proto.Out) {
	t.Helper()
	base, _ := url.Parse(u.URL + "/v2/geosubmit?key=up")
	reqs, err := Protocol{}.Forward(context.Background(), base, outs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("upstream: %s", resp.Status)
		}
	}
}

func outsOf(msgs []proto.Message) []proto.Out {
	var outs []proto.Out
	for _, m := range msgs {
		outs = append(outs, proto.Out{Body: m.Raw, Meta: m.Meta})
	}
	return outs
}

// TestForwardKeptWhole: messages all kept go upstream as the items the
// device sent, byte for byte, less the _nomap access points.
func TestForwardKeptWhole(t *testing.T) {
	up := newUpstream(t)
	its := items(t)
	up.forward(t, outsOf(decode(t, body(its))))
	if len(up.items) != len(its) {
		t.Fatalf("upstream got %d items, want %d", len(up.items), len(its))
	}
	if want := (len(its) + MaxBatch - 1) / MaxBatch; up.posts != want {
		t.Errorf("%d posts, want %d", up.posts, want)
	}
	whole := 0
	for i, it := range its {
		want := it.text
		if it.noMap {
			want = makeItemKeepingCells(it) // only the Wi-Fi array lost an element
		} else {
			whole++
		}
		if up.items[i] != want {
			t.Errorf("item %d:\n got %s\nwant %s", i, up.items[i], want)
		}
	}
	if whole == 0 {
		t.Fatal("no item kept whole")
	}
}

// makeItemKeepingCells is the item with its _nomap access point gone and
// its cells as sent.
func makeItemKeepingCells(it testItem) string {
	cellsStart := strings.Index(it.text, `"cellTowers": `)
	wifiStart := strings.Index(it.text, `,
    "wifiAccessPoints": `)
	noGSMRWifi := strings.Index(it.noGSMR, `,
    "wifiAccessPoints": `)
	return it.text[:cellsStart] + it.text[cellsStart:wifiStart] + it.noGSMR[noGSMRWifi:]
}

func TestReply(t *testing.T) {
	w := httptest.NewRecorder()
	Protocol{}.Reply(w, httptest.NewRequest(http.MethodPost, "/", nil), proto.Result{})
	if w.Code != 200 || w.Body.String() != "{}" {
		t.Errorf("reply %d %q", w.Code, w.Body.String())
	}
}

func BenchmarkDecode(b *testing.B) {
	var its []testItem
	for len(its) < 1000 {
		its = append(its, items(b)...)
	}
	body := body(its[:1000])
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/v2/geosubmit", strings.NewReader(body))
		if _, err := (Protocol{}).Decode(r, r.Body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkForward(b *testing.B) {
	var its []testItem
	for len(its) < 1000 {
		its = append(its, items(b)...)
	}
	r := httptest.NewRequest(http.MethodPost, "/v2/geosubmit", strings.NewReader(body(its[:1000])))
	msgs, _ := Protocol{}.Decode(r, r.Body)
	outs := outsOf(msgs)
	u, _ := url.Parse("http://127.0.0.1/v2/geosubmit")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Protocol{}).Forward(context.Background(), u, outs); err != nil {
			b.Fatal(err)
		}
	}
}
