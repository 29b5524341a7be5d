package osmand

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/server/internal/protojson"
	"github.com/geowarden/geowarden/server/proto"
)

// jsonReport is a parsed JSON-form report.
type jsonReport struct {
	doc protojson.Doc
	rec geowarden.Record
	// Nodes: the root's device_id and location; location's timestamp and
	// coords; coords' latitude and longitude; location's "_" string (-1
	// when absent).
	device, location, timestamp, coords, lat, lon, under int
	// under: the "_" query string, decoded, and its lat and lon
	// parameters (-1 when it has no position).
	underText        []byte
	underLat, underL int
	underParams      []param
	more             []protojson.Position // other coordinate pairs
	text             []int                // the string node of each rec.Text
}

// decodeJSON reads a JSON-form report.
func decodeJSON(r *http.Request, body io.Reader) ([]proto.Message, error) {
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("osmand: reading the body: %w", err)
	}
	j := new(jsonReport)
	if err := j.parse(raw); err != nil {
		return nil, fmt.Errorf("osmand: %w", err)
	}
	msg := proto.Message{Record: j.rec, Raw: raw, Meta: meta(r.Method, 'j', r.Header.Get("Content-Type"))}
	msg.Record.Attrs = j
	msg.Key = sourceAndKey([]byte(j.rec.Source), &msg.Record, raw)
	return []proto.Message{msg}, nil
}

func (j *jsonReport) member(obj int, name string, kinds ...protojson.Kind) (int, error) {
	n := j.doc.Get(obj, name)
	if n < 0 {
		return -1, nil
	}
	k := j.doc.Nodes[n].Kind
	if k == protojson.Null {
		return -1, nil
	}
	for _, want := range kinds {
		if k == want {
			return n, nil
		}
	}
	return -1, fmt.Errorf("%s: %s, want %s", j.doc.Path(n), k, kinds[0])
}

func (j *jsonReport) parse(raw []byte) error {
	*j = jsonReport{device: -1, location: -1, timestamp: -1, coords: -1, lat: -1, lon: -1, under: -1, underLat: -1, underL: -1}
	d := &j.doc
	if err := d.Parse(raw); err != nil {
		return err
	}
	if d.Nodes[0].Kind != protojson.Object {
		return fmt.Errorf("the body is a JSON %s, want an object", d.Nodes[0].Kind)
	}
	rec := &j.rec
	rec.Kind = geowarden.KindFix
	var err error
	if j.device, err = j.member(0, "device_id", protojson.String); err != nil {
		return err
	}
	if j.device < 0 {
		return errors.New("no device_id")
	}
	rec.Source = string(d.Text(j.device, nil))
	if j.location, err = j.member(0, "location", protojson.Object); err != nil {
		return err
	}
	if j.location < 0 {
		return errors.New("no location object")
	}
	if j.timestamp, err = j.member(j.location, "timestamp", protojson.String); err != nil {
		return err
	}
	if j.timestamp < 0 {
		return errors.New("no location.timestamp")
	}
	ts := d.Text(j.timestamp, nil)
	if rec.Time, err = parseISO(string(ts)); err != nil {
		return fmt.Errorf("location.timestamp: %q is not an ISO 8601 time", ts)
	}
	rec.Time = rec.Time.UTC()
	if j.coords, err = j.member(j.location, "coords", protojson.Object); err != nil {
		return err
	}
	if j.coords >= 0 {
		if err := j.readCoords(); err != nil {
			return err
		}
	}
	if err := j.readUnder(); err != nil {
		return err
	}
	primary := func(n int) bool { return n == j.lat || n == j.lon }
	j.more = d.Positions(j.more[:0], 0, primary)
	for _, p := range j.more {
		rec.More = append(rec.More, p.Pos)
	}
	skip := func(n int) bool {
		if n == j.under || n == j.timestamp {
			return true
		}
		for _, p := range j.more {
			if p.Lat == n || p.Lon == n {
				return true
			}
		}
		return false
	}
	rec.Text, j.text = d.Texts(rec.Text, j.text, 0, skip)
	return nil
}

// readCoords reads location.coords.
func (j *jsonReport) readCoords() error {
	d, rec := &j.doc, &j.rec
	var err error
	if j.lat, err = j.member(j.coords, "latitude", protojson.Number); err != nil {
		return err
	}
	if j.lon, err = j.member(j.coords, "longitude", protojson.Number); err != nil {
		return err
	}
	if j.lat < 0 || j.lon < 0 {
		return errors.New("location.coords without latitude and longitude")
	}
	lat, _ := d.Float(j.lat)
	lon, _ := d.Float(j.lon)
	if err := format.CheckPoint(lon, lat); err != nil {
		return fmt.Errorf("location.coords: %w", err)
	}
	rec.Shape, rec.Pos = geowarden.ShapePoint, geowarden.Point{Lon: lon, Lat: lat}
	for _, f := range [...]string{"accuracy", "altitude", "speed", "heading"} {
		n, err := j.member(j.coords, f, protojson.Number)
		if err != nil {
			return err
		}
		if n < 0 {
			continue
		}
		v, ok := d.Float(n)
		if !ok {
			return fmt.Errorf("location.coords.%s: %s is not a number", f, d.Raw(n))
		}
		switch f {
		case "accuracy":
			rec.Accuracy, rec.HasAccuracy = v, v >= 0
		case "altitude":
			rec.Alt, rec.HasAlt = v, true
		}
	}
	return nil
}

// readUnder reads location._, a query string that repeats the report: its
// lat and lon are a further position.
func (j *jsonReport) readUnder() error {
	d := &j.doc
	var err error
	if j.under, err = j.member(j.location, "_", protojson.String); err != nil || j.under < 0 {
		return err
	}
	j.underText = d.Text(j.under, nil)
	params, err := splitParams(j.underText, nil)
	if err != nil {
		j.underText = nil // not a query string: plain text
		return nil
	}
	j.underParams = params
	var lat, lon float64
	for i, p := range params {
		name, val := j.underText[p.s:p.eq], j.underText[min(p.eq+1, p.e):p.e]
		switch string(name) {
		case "lat", "lon":
		default:
			continue
		}
		v, dec, err := unescape(nil, val)
		f, ok := format.ParseDecimal(v)
		if err != nil || dec || !ok {
			return fmt.Errorf("location._: %s=%s is not a number", name, val)
		}
		if name[1] == 'a' {
			if j.underLat >= 0 {
				return errors.New("location._: lat given twice")
			}
			j.underLat, lat = i, f
		} else {
			if j.underL >= 0 {
				return errors.New("location._: lon given twice")
			}
			j.underL, lon = i, f
		}
	}
	if (j.underLat >= 0) != (j.underL >= 0) {
		return errors.New("location._: lat without lon, or lon without lat")
	}
	if j.underLat < 0 {
		return nil
	}
	if err := format.CheckPoint(lon, lat); err != nil {
		return fmt.Errorf("location._: %w", err)
	}
	j.rec.More = append(j.rec.More, geowarden.Point{Lon: lon, Lat: lat})
	return nil
}

// hasUnderPos reports whether "_" holds a position (More[0]).
func (j *jsonReport) hasUnderPos() bool { return j.underLat >= 0 }

// rewrite returns the report with e applied.
func (j *jsonReport) rewrite(e *geowarden.Edit) ([]byte, error) {
	d := &j.doc
	ed := protojson.NewEditor(d)
	if e.Move {
		more := e.More
		if len(more) > 0 && len(more) != len(j.rec.More) {
			return nil, fmt.Errorf("osmand: the edit moves %d other positions, the record has %d", len(more), len(j.rec.More))
		}
		if len(more) > 0 && j.hasUnderPos() {
			ed.Replace(j.under, protojson.AppendQuote(nil, j.movedUnder(more[0])))
			more = more[1:]
		}
		lat := j.lat
		if j.rec.Shape != geowarden.ShapePoint {
			lat = -1
		}
		if err := ed.Move(lat, j.lon, e.Pos, j.more, more); err != nil {
			return nil, fmt.Errorf("osmand: %w", err)
		}
	}
	if e.Retime && j.timestamp >= 0 {
		style := tsISO
		if strings.IndexByte(string(d.Text(j.timestamp, nil)), '.') >= 0 {
			style = tsISOFrac
		}
		ed.Replace(j.timestamp, protojson.AppendQuote(nil, appendTime(nil, e.Time.In(time.UTC), style)))
	}
	ed.Redact(j.rec.Text, j.text, e.Redact)
	ed.Attrs(0, e.Strip, e.Set, jsonRoles)
	return ed.Bytes()
}

// movedUnder returns the "_" query string with its lat and lon set to p.
func (j *jsonReport) movedUnder(p geowarden.Point) []byte {
	var text []byte
	at := 0
	for i, pr := range j.underParams {
		var v []byte
		switch i {
		case j.underLat:
			v = format.AppendCoord(nil, p.Lat)
		case j.underL:
			v = format.AppendCoord(nil, p.Lon)
		default:
			continue
		}
		text = append(text, j.underText[at:min(pr.eq+1, pr.e)]...)
		text = append(text, v...)
		at = pr.e
	}
	return append(text, j.underText[at:]...)
}

// jsonRoles are the members each role names.
var jsonRoles = protojson.Fields{
	"source":   {"device_id"},
	"time":     {"timestamp"},
	"alt":      {"altitude"},
	"accuracy": {"accuracy"},
}

// Attr implements geowarden.Attrs: a member by name (ignoring case) or
// role, at any depth.
func (j *jsonReport) Attr(name string) (string, bool) { return j.doc.Attr(0, name, jsonRoles) }
