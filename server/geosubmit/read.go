package geosubmit

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/server/internal/protojson"
)

// The observation arrays of an item, in the order of Meta's letters.
const (
	cellTowers = iota
	wifiAccessPoints
	bluetoothBeacons
	numArrays
)

var arrayNames = [numArrays]string{"cellTowers", "wifiAccessPoints", "bluetoothBeacons"}

func arrayOf(name []byte) int {
	for a, n := range arrayNames {
		if string(name) == n {
			return a
		}
	}
	return -1
}

// reader checks and reads the members of one document.
type reader struct{ d *protojson.Doc }

func (r reader) errf(n int, format string, args ...any) error {
	return fmt.Errorf("%s: %s", r.d.Path(n), fmt.Sprintf(format, args...))
}

// member returns obj's member name when it is there and not null, after
// checking its kind.
func (r reader) member(obj int, name string, kind protojson.Kind) (int, error) {
	n := r.d.Get(obj, name)
	if n < 0 || r.d.Nodes[n].Kind == protojson.Null {
		return -1, nil
	}
	if k := r.d.Nodes[n].Kind; k != kind {
		return -1, r.errf(n, "%s, want %s", k, kind)
	}
	return n, nil
}

// number reads obj's number member name.
func (r reader) number(obj int, name string) (int, float64, error) {
	n, err := r.member(obj, name, protojson.Number)
	if err != nil || n < 0 {
		return n, 0, err
	}
	v, ok := r.d.Float(n)
	if !ok || math.IsInf(v, 0) {
		return -1, 0, r.errf(n, "%s is not a finite number", r.d.Raw(n))
	}
	return n, v, nil
}

// maxCode bounds the codes of a cell (MCC, MNC, area, cell id, channel):
// an NR cell identity has 36 bits.
const maxCode = 1 << 40

// code reads obj's integer member name; ok is false when it is absent or
// says "unknown" as Android does (-1, 2^31-1).
func (r reader) code(obj int, name string) (v int64, ok bool, err error) {
	n, err := r.member(obj, name, protojson.Number)
	if err != nil || n < 0 {
		return 0, false, err
	}
	v, isInt := r.d.Int(n)
	if !isInt || v < -1 || v > maxCode {
		return 0, false, r.errf(n, "%s is not an integer between -1 and 2^40", r.d.Raw(n))
	}
	return v, v != -1 && v != math.MaxInt32, nil
}

func (r reader) text(obj int, name string) (string, error) {
	n, err := r.member(obj, name, protojson.String)
	if err != nil || n < 0 {
		return "", err
	}
	return string(r.d.Text(n, nil)), nil
}

// numbers checks that obj's members names, when there, are numbers.
func (r reader) numbers(obj int, names ...string) error {
	for _, name := range names {
		if _, _, err := r.number(obj, name); err != nil {
			return err
		}
	}
	return nil
}

func (r reader) texts(obj int, names ...string) error {
	for _, name := range names {
		if _, err := r.member(obj, name, protojson.String); err != nil {
			return err
		}
	}
	return nil
}

// maxMillis is the last millisecond of year 9999.
const maxMillis = 253402300799999

// item holds the nodes of an item that its messages' records come from.
type item struct {
	lat, lon, ts int
	arrays       [numArrays]int // the observation arrays (-1 when absent)
}

// readItem checks item it (its own members, not its observations) and
// reads its time and position into rec.
func (r reader) readItem(it int, rec *geowarden.Record) (item, error) {
	d := r.d
	x := item{lat: -1, lon: -1}
	var err error
	if x.ts, err = r.member(it, "timestamp", protojson.Number); err != nil {
		return x, err
	}
	if x.ts >= 0 {
		ms, ok := d.Int(x.ts)
		if !ok || ms < 0 || ms > maxMillis {
			return x, r.errf(x.ts, "%s is not a time in milliseconds since 1970", d.Raw(x.ts))
		}
		rec.Time = time.UnixMilli(ms).UTC()
	}
	pos, err := r.member(it, "position", protojson.Object)
	if err != nil {
		return x, err
	}
	if pos >= 0 {
		var lat, lon float64
		if x.lat, lat, err = r.number(pos, "latitude"); err != nil {
			return x, err
		}
		if x.lon, lon, err = r.number(pos, "longitude"); err != nil {
			return x, err
		}
		if (x.lat >= 0) != (x.lon >= 0) {
			return x, r.errf(pos, "latitude without longitude, or longitude without latitude")
		}
		if x.lat >= 0 {
			if err := format.CheckPoint(lon, lat); err != nil {
				return x, r.errf(pos, "%v", err)
			}
			rec.Shape, rec.Pos = geowarden.ShapePoint, geowarden.Point{Lon: lon, Lat: lat}
		}
		n, v, err := r.number(pos, "altitude")
		if err != nil {
			return x, err
		}
		rec.Alt, rec.HasAlt = v, n >= 0
		n, v, err = r.number(pos, "accuracy")
		if err != nil {
			return x, err
		}
		rec.Accuracy, rec.HasAccuracy = v, n >= 0
		if err := r.numbers(pos, "altitudeAccuracy", "age", "heading", "pressure", "speed"); err != nil {
			return x, err
		}
		if err := r.texts(pos, "source"); err != nil {
			return x, err
		}
	}
	for a, name := range arrayNames {
		if x.arrays[a], err = r.member(it, name, protojson.Array); err != nil {
			return x, err
		}
		if x.arrays[a] < 0 {
			continue
		}
		for c := d.Nodes[x.arrays[a]].First; c >= 0; c = d.Nodes[c].Next {
			if k := d.Nodes[c].Kind; k != protojson.Object {
				return x, r.errf(c, "a JSON %s, want an object", k)
			}
		}
	}
	return x, nil
}

// readObservation checks observation el of array a and reads its signal
// attributes into rec.
func (r reader) readObservation(a, el int, rec *geowarden.Record) error {
	s := &rec.Signal
	var err error
	switch a {
	case cellTowers:
		rec.Kind = geowarden.KindCell
		if s.Radio, err = r.text(el, "radioType"); err != nil {
			return err
		}
		var v int64
		var ok bool
		if v, ok, err = r.code(el, "mobileCountryCode"); err != nil {
			return err
		} else if ok {
			s.MCC = int(v)
		}
		if v, ok, err = r.code(el, "mobileNetworkCode"); err != nil {
			return err
		} else if ok {
			s.MNC, s.HasMNC = int(v), true
		}
		if v, ok, err = r.code(el, "locationAreaCode"); err != nil {
			return err
		} else if ok {
			s.Area = v
		}
		if v, ok, err = r.code(el, "cellId"); err != nil {
			return err
		} else if ok {
			s.Cell = v
		}
		if v, ok, err = r.code(el, "arfcn"); err != nil {
			return err
		} else if ok {
			s.ARFCN, s.HasARFCN = int(v), true
		}
		if _, _, err = r.code(el, "primaryScramblingCode"); err != nil {
			return err
		}
		if err := r.numbers(el, "age", "asu", "serving", "timingAdvance"); err != nil {
			return err
		}
		format.FillFreq(s)
	case wifiAccessPoints:
		rec.Kind = geowarden.KindWifi
		if s.BSSID, err = r.text(el, "macAddress"); err != nil {
			return err
		}
		if s.SSID, err = r.text(el, "ssid"); err != nil {
			return err
		}
		n, f, err := r.number(el, "frequency")
		if err != nil {
			return err
		}
		if n >= 0 {
			s.FreqMHz = f
		}
		if err := r.texts(el, "radioType"); err != nil {
			return err
		}
		if err := r.numbers(el, "age", "channel", "signalToNoiseRatio"); err != nil {
			return err
		}
	case bluetoothBeacons:
		rec.Kind = geowarden.KindIoT
		s.Radio = "bluetooth"
		if s.BSSID, err = r.text(el, "macAddress"); err != nil {
			return err
		}
		if err := r.texts(el, "name"); err != nil {
			return err
		}
		if err := r.numbers(el, "age"); err != nil {
			return err
		}
	}
	n, v, err := r.number(el, "signalStrength")
	if err != nil {
		return err
	}
	s.Strength, s.HasStrength = v, n >= 0
	return nil
}

// noMap reports whether Wi-Fi observation el has an SSID ending in
// "_nomap": its owner asked that it never be collected.
func noMap(d *protojson.Doc, el int) bool {
	n := d.Get(el, "ssid")
	return n >= 0 && d.Nodes[n].Kind == protojson.String &&
		strings.HasSuffix(strings.ToLower(string(d.Text(n, nil))), "_nomap")
}

// part is one message: an item with at most one observation, parsed.
type part struct {
	doc  protojson.Doc
	rec  geowarden.Record
	x    item
	obs  int // the observation's node, -1 for the fix
	more []protojson.Position
	text []int
}

var errParts = errors.New("a message holds more than one observation")

// notText are the members whose strings are not read for positions.
var notText = map[string]bool{"radioType": true, "macAddress": true, "source": true}

// read parses a message's bytes and reads its record.
func (p *part) read(body []byte) error {
	d := &p.doc
	if err := d.Parse(body); err != nil {
		return err
	}
	if d.Nodes[0].Kind != protojson.Object {
		return fmt.Errorf("a JSON %s, want an item object", d.Nodes[0].Kind)
	}
	r := reader{d}
	p.rec = geowarden.Record{Kind: geowarden.KindFix}
	var err error
	if p.x, err = r.readItem(0, &p.rec); err != nil {
		return err
	}
	p.obs = -1
	for a, an := range p.x.arrays {
		if an < 0 || d.Nodes[an].Len == 0 {
			continue
		}
		if p.obs >= 0 || d.Nodes[an].Len > 1 {
			return errParts
		}
		p.obs = d.Nodes[an].First
		if err := r.readObservation(a, p.obs, &p.rec); err != nil {
			return err
		}
	}
	primary := func(n int) bool { return n == p.x.lat || n == p.x.lon }
	p.more = d.Positions(p.more[:0], 0, primary)
	for _, q := range p.more {
		p.rec.More = append(p.rec.More, q.Pos)
	}
	skip := func(n int) bool {
		if k := d.Key(n, nil); k != nil && notText[string(k)] {
			return true
		}
		for _, q := range p.more {
			if q.Lat == n || q.Lon == n {
				return true
			}
		}
		return false
	}
	p.rec.Text, p.text = d.Texts(p.rec.Text, p.text, 0, skip)
	return nil
}

// roles are the members each role names.
var roles = protojson.Fields{
	"time":     {"timestamp"},
	"alt":      {"altitude"},
	"accuracy": {"accuracy"},
	"radio":    {"radioType"},
	"mcc":      {"mobileCountryCode"},
	"mnc":      {"mobileNetworkCode"},
	"area":     {"locationAreaCode"},
	"cell":     {"cellId"},
	"arfcn":    {"arfcn"},
	"freq":     {"frequency"},
	"strength": {"signalStrength"},
	"ssid":     {"ssid"},
	"bssid":    {"macAddress"},
}

// Attr implements geowarden.Attrs: a member by name (ignoring case) or
// role, the observation's first, then the item's.
func (p *part) Attr(name string) (string, bool) {
	if p.obs >= 0 {
		if v, ok := p.doc.Attr(p.obs, name, roles); ok {
			return v, true
		}
	}
	return p.doc.Attr(0, name, roles)
}

// rewrite returns the message with e applied.
func (p *part) rewrite(e *geowarden.Edit) ([]byte, error) {
	d := &p.doc
	ed := protojson.NewEditor(d)
	if e.Move {
		lat := p.x.lat
		if p.rec.Shape != geowarden.ShapePoint {
			lat = -1
		}
		if err := ed.Move(lat, p.x.lon, e.Pos, p.more, e.More); err != nil {
			return nil, fmt.Errorf("geosubmit: %w", err)
		}
	}
	if e.Retime && p.x.ts >= 0 {
		ed.Replace(p.x.ts, []byte(fmt.Sprint(e.Time.UnixMilli())))
	}
	ed.Redact(p.rec.Text, p.text, e.Redact)
	ed.Attrs(0, e.Strip, e.Set, roles)
	return ed.Bytes()
}
