package gpx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/formattest"
)

const head = `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
`

func TestRecords(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string // got.String() of each record
	}{
		{"waypoint with children",
			head + `  <wpt lat="52.5" lon="13.25">
    <ele>34.5</ele>
    <time>2020-05-06T07:08:09Z</time>
    <name>Gate &amp; fence</name>
    <desc><![CDATA[a <b> c]]></desc>
    <cmt>x<!-- hidden -->y</cmt>
    <src>dev-1</src>
    <sym>Flag</sym>
    <type>t</type>
    <hdop>1.5</hdop>
    <sat>7</sat>
    <link href="http://e.org/?a=1&amp;b=2"><text>site</text></link>
  </wpt>
</gpx>`,
			[]string{`3@118 lat=52.5 lon=13.25 alt=34.5 time=2020-05-06T07:08:09Z src="dev-1" name="Gate & fence" desc="a <b> c" cmt="xy" sym="Flag" type="t" ele="34.5" time="2020-05-06T07:08:09Z" hdop="1.5" sat="7" link="http://e.org/?a=1&b=2" source="dev-1"`}},
		{"route and track points",
			head + `<rte><rtept lat="1" lon="2"/><rtept lat="-3.5" lon="-4"><name>b</name></rtept></rte>
<trk><trkseg><trkpt lat="5" lon="6"><ele>-1.</ele></trkpt></trkseg><trkseg/></trk></gpx>`,
			[]string{`3@121 lat=1 lon=2`, `3@145 lat=-3.5 lon=-4 name="b"`, `4@214 lat=5 lon=6 alt=-1 ele="-1."`}},
		{"GPX 1.0, no declaration, prefixed names",
			`<g:gpx xmlns:g="http://www.topografix.com/GPX/1/0" version="1.0"><g:wpt lon="7" lat="8"><g:name>n</g:name></g:wpt></g:gpx>`,
			[]string{`1@65 lat=8 lon=7 name="n"`}},
		{"times",
			head + `<wpt lat="1" lon="1"><time>2020-01-02T03:04:05.123+02:00</time></wpt>
<wpt lat="1" lon="1"><time> 2020-01-02T03:04:05 </time></wpt>
<wpt lat="1" lon="1"><time>yesterday</time></wpt></gpx>`,
			[]string{`3@116 lat=1 lon=1 time=2020-01-02T01:04:05.123Z time="2020-01-02T03:04:05.123+02:00"`,
				`4@186 lat=1 lon=1 time=2020-01-02T03:04:05Z time="2020-01-02T03:04:05"`,
				`5@248 lat=1 lon=1 time="yesterday"`}},
		{"references and white space in coordinates",
			head + `<wpt lat=" &#52;5.5 " lon='1e1'/></gpx>`,
			[]string{`3@116 lat=45.5 lon=10`}},
		{"elements with lat and lon inside points and elsewhere",
			head + `<wpt lat="1" lon="2"><extensions><x:rpt xmlns:x="u" lat="3" lon="4"><x:n>in</x:n></x:rpt></extensions></wpt>
<extensions><y:site xmlns:y="v" lat="5" lon="6"/></extensions></gpx>`,
			[]string{`3@116 lat=1 lon=2`, `3@149 lat=3 lon=4`, `4@237 lat=5 lon=6`}},
		{"extension values by name",
			head + `<trk><trkseg><trkpt lat="1" lon="2"><extensions><gpxtpx:TrackPointExtension xmlns:gpxtpx="u"><gpxtpx:hr>120</gpxtpx:hr><gpxtpx:cad>80</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt></trkseg></trk></gpx>`,
			[]string{`3@129 lat=1 lon=2 hr="120" cad="80"`}},
		{"BOM and CRLF",
			"\xef\xbb\xbf<?xml version=\"1.0\"?>\r\n<gpx>\r\n<wpt lat=\"1\" lon=\"2\"><name>a\r\nb</name></wpt>\r\n</gpx>\r\n",
			[]string{`3@33 lat=1 lon=2 name="a\nb"`}},
		{"ISO-8859-1",
			"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<gpx><wpt lat=\"1\" lon=\"2\"><name>Z\xfcrich &#x263A;</name></wpt></gpx>",
			[]string{`2@49 lat=1 lon=2 name="Zürich ☺"`}},
		{"windows-1252",
			"<?xml version='1.0' encoding='windows-1252'?><gpx><wpt lat=\"1\" lon=\"2\"><name>\x80 5</name></wpt></gpx>",
			[]string{`1@50 lat=1 lon=2 name="€ 5"`}},
		{"Shift_JIS",
			"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><gpx><wpt lat=\"1\" lon=\"2\"><name>\x93\x8c\x8b\x9e</name></wpt></gpx>",
			[]string{`1@47 lat=1 lon=2 name="東京"`}},
		{"empty document", head + `</gpx>`, nil},
		{"empty root", `<gpx/>`, nil},
		{"points out of place are still points",
			head + `<trk><trkpt lat="1" lon="2"/></trk><metadata><bounds minlat="1" minlon="1" maxlat="2" maxlon="2"/></metadata></gpx>`,
			[]string{`3@121 lat=1 lon=2`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := &recorder{}
			out, err := rewrite(c.in, h)
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if out != c.in {
				t.Errorf("keep-all output differs:\n got %q\nwant %q", out, c.in)
			}
			var gots []string
			for _, r := range h.recs {
				gots = append(gots, r.String())
			}
			if strings.Join(gots, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("records:\n got %s\nwant %s", strings.Join(gots, "\n     "), strings.Join(c.want, "\n     "))
			}
			for _, r := range h.recs {
				if r.Ref.File != "t.gpx" || r.Ref.Feature != -1 {
					t.Errorf("Ref = %+v, want File t.gpx, Feature -1", r.Ref)
				}
				if !strings.HasPrefix(c.in[r.Ref.Offset:], "<") {
					t.Errorf("Ref.Offset %d does not point at '<'", r.Ref.Offset)
				}
			}
		})
	}
}

// byIndex returns a handler that applies edits[i] to record i.
func byIndex(edits map[int]geowarden.Edit) *funcHandler {
	return &funcHandler{f: func(i int, _ *geowarden.Record) geowarden.Edit { return edits[i] }}
}

var drop = geowarden.Edit{Drop: true}

const track = head + `  <trk>
    <name>t</name>
    <trkseg>
      <trkpt lat="1" lon="1"/>
      <trkpt lat="2" lon="2"/>
      <!-- c -->
      <trkpt lat="3" lon="3"/>
      <trkpt lat="4" lon="4"/>
    </trkseg>
  </trk>
</gpx>
`

const route = head + `  <rte>
    <name>r</name>
    <number>1</number>
    <rtept lat="1" lon="1"/>
    <rtept lat="2" lon="2"/>
    <rtept lat="3" lon="3"/>
    <rtept lat="4" lon="4"/>
  </rte>
</gpx>
`

func TestEdits(t *testing.T) {
	when := time.Date(2021, 2, 3, 4, 5, 6, 0, time.UTC)
	cases := []struct {
		name  string
		in    string
		edits map[int]geowarden.Edit
		want  string
	}{
		{"drop a waypoint with its indentation",
			head + "  <wpt lat=\"1\" lon=\"1\"/>\n  <wpt lat=\"2\" lon=\"2\">\n    <name>b</name>\n  </wpt>\n  <wpt lat=\"3\" lon=\"3\"/>\n</gpx>\n",
			map[int]geowarden.Edit{1: drop},
			head + "  <wpt lat=\"1\" lon=\"1\"/>\n  <wpt lat=\"3\" lon=\"3\"/>\n</gpx>\n"},
		{"drop inside a segment splits it",
			track, map[int]geowarden.Edit{1: drop},
			head + `  <trk>
    <name>t</name>
    <trkseg>
      <trkpt lat="1" lon="1"/>
      <!-- c -->
    </trkseg>
    <trkseg>
      <trkpt lat="3" lon="3"/>
      <trkpt lat="4" lon="4"/>
    </trkseg>
  </trk>
</gpx>
`},
		{"drops at the ends do not split",
			track, map[int]geowarden.Edit{0: drop, 3: drop},
			head + `  <trk>
    <name>t</name>
    <trkseg>
      <trkpt lat="2" lon="2"/>
      <!-- c -->
      <trkpt lat="3" lon="3"/>
    </trkseg>
  </trk>
</gpx>
`},
		{"two gaps, two splits",
			track, map[int]geowarden.Edit{1: drop, 3: drop},
			head + `  <trk>
    <name>t</name>
    <trkseg>
      <trkpt lat="1" lon="1"/>
      <!-- c -->
    </trkseg>
    <trkseg>
      <trkpt lat="3" lon="3"/>
    </trkseg>
  </trk>
</gpx>
`},
		{"a segment left empty is removed",
			track, map[int]geowarden.Edit{0: drop, 1: drop, 2: drop, 3: drop},
			head + `  <trk>
    <name>t</name>
  </trk>
</gpx>
`},
		{"a split segment keeps its prefix",
			`<g:gpx xmlns:g="http://www.topografix.com/GPX/1/1"><g:trk><g:trkseg a="1"><g:trkpt lat="1" lon="1"/><g:trkpt lat="2" lon="2"/><g:trkpt lat="3" lon="3"/></g:trkseg></g:trk></g:gpx>`,
			map[int]geowarden.Edit{1: drop},
			`<g:gpx xmlns:g="http://www.topografix.com/GPX/1/1"><g:trk><g:trkseg a="1"><g:trkpt lat="1" lon="1"/></g:trkseg><g:trkseg a="1"><g:trkpt lat="3" lon="3"/></g:trkseg></g:trk></g:gpx>`},
		{"a route is split, repeating its header",
			route, map[int]geowarden.Edit{1: drop, 2: drop},
			head + `  <rte>
    <name>r</name>
    <number>1</number>
    <rtept lat="1" lon="1"/>
  </rte>
  <rte>
    <name>r</name>
    <number>1</number>
    <rtept lat="4" lon="4"/>
  </rte>
</gpx>
`},
		{"a route with no point left is removed",
			route, map[int]geowarden.Edit{0: drop, 1: drop, 2: drop, 3: drop},
			head + "</gpx>\n"},
		{"a segment without points stays",
			head + "<trk><trkseg>\n</trkseg></trk><rte><name>x</name></rte></gpx>",
			nil,
			head + "<trk><trkseg>\n</trkseg></trk><rte><name>x</name></rte></gpx>"},
		{"a kept misplaced point keeps its segment",
			`<gpx><trk><trkseg><x lat="5" lon="5"/><trkpt lat="1" lon="1"/></trkseg></trk></gpx>`,
			map[int]geowarden.Edit{1: drop},
			`<gpx><trk><trkseg><x lat="5" lon="5"/></trkseg></trk></gpx>`},
		{"a route header does not repeat a misplaced point",
			`<gpx><rte><name>r</name><x lat="5" lon="5"/><rtept lat="1" lon="1"/><rtept lat="2" lon="2"/><rtept lat="3" lon="3"/></rte></gpx>`,
			map[int]geowarden.Edit{2: drop},
			`<gpx><rte><name>r</name><x lat="5" lon="5"/><rtept lat="1" lon="1"/></rte><rte><name>r</name><rtept lat="3" lon="3"/></rte></gpx>`},
		{"move rewrites lat and lon only",
			head + `<wpt lon='1.5'  lat="2.5"><name>a</name></wpt></gpx>`,
			map[int]geowarden.Edit{0: {Move: true, Pos: geowarden.Point{Lon: -0.000000001, Lat: 12.345678951}}},
			head + `<wpt lon='0'  lat="12.345679"><name>a</name></wpt></gpx>`},
		{"retime",
			head + `<wpt lat="1" lon="1"><time>2020-01-01T00:00:00+01:00</time></wpt><wpt lat="1" lon="1"><time/></wpt><wpt lat="1" lon="1"/></gpx>`,
			map[int]geowarden.Edit{0: {Retime: true, Time: when}, 1: {Retime: true, Time: when.Add(time.Millisecond)}, 2: {Retime: true, Time: when}},
			head + `<wpt lat="1" lon="1"><time>2021-02-03T04:05:06Z</time></wpt><wpt lat="1" lon="1"><time>2021-02-03T04:05:06.001Z</time></wpt><wpt lat="1" lon="1"/></gpx>`},
		{"strip roles and names",
			head + "<wpt lat=\"1\" lon=\"1\">\n <time>t</time>\n <name>a</name>\n <src>s</src>\n <link href=\"h\"><text>x</text></link>\n <link href=\"i\"/>\n <sym>y</sym>\n</wpt></gpx>",
			map[int]geowarden.Edit{0: {Strip: []string{"time", "NAME", "source", "link"}}},
			head + "<wpt lat=\"1\" lon=\"1\">\n <sym>y</sym>\n</wpt></gpx>"},
		{"strip link in GPX 1.0",
			`<gpx version="1.0"><wpt lat="1" lon="1"><url>u</url><urlname>n</urlname><sym>s</sym></wpt></gpx>`,
			map[int]geowarden.Edit{0: {Strip: []string{"link"}}},
			`<gpx version="1.0"><wpt lat="1" lon="1"><sym>s</sym></wpt></gpx>`},
		{"strip reaches into extensions when no child has the name",
			head + "<wpt lat=\"1\" lon=\"1\"><name>n</name><extensions><a:x xmlns:a=\"u\"><a:name>m</a:name><a:owner>o</a:owner></a:x></extensions></wpt></gpx>",
			map[int]geowarden.Edit{0: {Strip: []string{"owner", "name"}}},
			head + "<wpt lat=\"1\" lon=\"1\"><extensions><a:x xmlns:a=\"u\"><a:name>m</a:name></a:x></extensions></wpt></gpx>"},
		{"set escapes and fills empty elements",
			head + `<wpt lat="1" lon="1"><name>a</name><desc/><cmt><![CDATA[x]]></cmt><link href='h&amp;'>t</link></wpt></gpx>`,
			map[int]geowarden.Edit{0: {Set: []geowarden.Attr{{Name: "name", Value: `<&>"'`}, {Name: "desc", Value: "d"}, {Name: "cmt", Value: "c"}, {Name: "link", Value: `x'y`}, {Name: "missing", Value: "m"}}}},
			head + `<wpt lat="1" lon="1"><name>&lt;&amp;&gt;"'</name><desc>d</desc><cmt>c</cmt><link href='x&apos;y'>t</link></wpt></gpx>`},
		{"set in ISO-8859-1",
			"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><gpx><wpt lat=\"1\" lon=\"1\"><name>\xe9</name></wpt></gpx>",
			map[int]geowarden.Edit{0: {Set: []geowarden.Attr{{Name: "name", Value: "é☺"}}}},
			"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><gpx><wpt lat=\"1\" lon=\"1\"><name>\xe9&#x263A;</name></wpt></gpx>"},
		{"strip wins over set and retime",
			head + `<wpt lat="1" lon="1"><time>x</time></wpt></gpx>`,
			map[int]geowarden.Edit{0: {Strip: []string{"time"}, Set: []geowarden.Attr{{Name: "time", Value: "y"}}, Retime: true, Time: when}},
			head + `<wpt lat="1" lon="1"></wpt></gpx>`},
		{"drop an embedded position",
			head + "<rte><rtept lat=\"1\" lon=\"1\"><extensions>\n <x:rpt xmlns:x=\"u\" lat=\"2\" lon=\"2\"/>\n <x:rpt xmlns:x=\"u\" lat=\"3\" lon=\"3\"/>\n</extensions></rtept></rte></gpx>",
			map[int]geowarden.Edit{1: drop, 2: {Move: true, Pos: geowarden.Point{Lon: 9, Lat: 9}}},
			head + "<rte><rtept lat=\"1\" lon=\"1\"><extensions>\n <x:rpt xmlns:x=\"u\" lat=\"9\" lon=\"9\"/>\n</extensions></rtept></rte></gpx>"},
		{"a dropped point takes its embedded positions along",
			head + "<wpt lat=\"1\" lon=\"1\"><extensions><x:rpt xmlns:x=\"u\" lat=\"2\" lon=\"2\"/></extensions></wpt><wpt lat=\"3\" lon=\"3\"/></gpx>",
			map[int]geowarden.Edit{0: drop, 1: {Move: true, Pos: geowarden.Point{Lon: 9, Lat: 9}}},
			strings.TrimSuffix(head, "\n") + "<wpt lat=\"9\" lon=\"9\"/></gpx>"},
		{"a move outside WGS-84 drops the point",
			head + "<wpt lat=\"1\" lon=\"1\"/></gpx>",
			map[int]geowarden.Edit{0: {Move: true, Pos: geowarden.Point{Lon: 200, Lat: 0}}},
			strings.TrimSuffix(head, "\n") + "</gpx>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := rewrite(c.in, byIndex(c.edits))
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if out != c.want {
				t.Errorf("got\n%s\nwant\n%s", out, c.want)
			}
			if _, err := rewrite(out, &formattest.KeepAll{}); err != nil {
				t.Errorf("output does not read again: %v", err)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string // the error, after "t.gpx:"
	}{
		{"empty input", "", "1:1: gpx: no root element: expected <gpx>"},
		{"white space only", " \n", "2:1: gpx: no root element: expected <gpx>"},
		{"not GPX", `<?xml version="1.0"?><kml/>`, "1:22: gpx: the root element is <kml>, not <gpx>"},
		{"mismatched end tag", "<gpx>\n<wpt lat=\"1\" lon=\"2\"></wtp></gpx>", "2:22: gpx: end tag </wtp> does not match <wpt> at 2:1"},
		{"mismatched root end tag", "<gpx>\n</ggpx>", "2:1: gpx: end tag </ggpx> does not match <gpx> at 1:1"},
		{"unclosed root", "<gpx>\n<trk>", "2:6: gpx: unexpected end of input: <trk> at 2:1 is not closed"},
		{"unclosed point", "<gpx><wpt lat=\"1\" lon=\"1\"><name>", "1:33: gpx: unexpected end of input: <name> at 1:27 is not closed"},
		{"truncated tag", "<gpx><wpt lat=\"1", "1:6: gpx: unexpected end of input in start tag"},
		{"second root", "<gpx/><gpx/>", "1:7: gpx: a second root element <gpx>: a document has one root element"},
		{"text after the root", "<gpx/>\nx", "2:1: gpx: text outside the root element"},
		{"undefined entity", "<gpx><wpt lat=\"1\" lon=\"1\"><name>&nbsp;</name></wpt></gpx>", "1:33: gpx: undefined entity &nbsp; (only the five predefined entities and character references are allowed)"},
		{"bare ampersand", "<gpx>\n<x a=\"b & c\"/></gpx>", "2:9: gpx: '&' that does not begin an entity or character reference (write &amp;)"},
		{"bad character reference", "<gpx>&#0;</gpx>", "1:6: gpx: character reference &#0; is not an XML character"},
		{"less-than in attribute", "<gpx a=\"<\"/>", "1:9: gpx: '<' is not allowed in an attribute value (write &lt;)"},
		{"duplicate attribute", "<gpx><wpt lat=\"1\" lon=\"1\" lat=\"2\"/></gpx>", "1:27: gpx: duplicate attribute lat in <wpt"},
		{"duplicate among many attributes", "<gpx a0=\"\" a1=\"\" a2=\"\" a3=\"\" a4=\"\" a5=\"\" a6=\"\" a7=\"\" a8=\"\" a9=\"\" b0=\"\" b1=\"\" b2=\"\" b3=\"\" b4=\"\" b5=\"\" b6=\"\" b7=\"\" a3=\"\"/>", "1:114: gpx: duplicate attribute a3 in <gpx"},
		{"attributes without white space", "<gpx a=\"\"b=\"\"/>", "1:10: gpx: expected white space, '/>' or '>' in <gpx, found 'b'"},
		{"unquoted attribute", "<gpx><wpt lat=1/></gpx>", "1:15: gpx: expected a quoted value for attribute lat in <wpt, found '1'"},
		{"control character", "<gpx>\x01</gpx>", "1:6: gpx: invalid character U+0001"},
		{"invalid UTF-8", "<gpx><wpt lat=\"1\" lon=\"1\"><name>\xff</name></wpt></gpx>", "1:33: gpx: invalid UTF-8 (byte 0xFF)"},
		{"double hyphen in comment", "<gpx><!-- a -- b --></gpx>", "1:13: gpx: '--' is not allowed inside a comment"},
		{"CDATA end in text", "<gpx>]]></gpx>", "1:6: gpx: ']]>' is not allowed in text"},
		{"declaration not first", " <?xml version=\"1.0\"?><gpx/>", "1:2: gpx: the XML declaration <?xml ...?> may only stand at the very start of the input"},
		{"declaration without version", "<?xml encoding=\"UTF-8\"?><gpx/>", "1:7: gpx: expected version, encoding or standalone (in that order) in the XML declaration"},
		{"declaration out of order", "<?xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"?><gpx/>", "1:38: gpx: expected version, encoding or standalone (in that order) in the XML declaration"},
		{"empty declaration", "<?xml ?><gpx/>", "1:1: gpx: the XML declaration has no version"},
		{"XML 2.0", "<?xml version=\"2.0\"?><gpx/>", "1:1: gpx: unsupported XML version \"2.0\""},
		{"unknown encoding", "<?xml version=\"1.0\" encoding=\"klingon\"?><gpx/>", "1:1: gpx: unknown encoding \"klingon\""},
		{"UTF-16 declared", "<?xml version=\"1.0\" encoding=\"UTF-16\"?><gpx/>", "1:1: gpx: encoding \"UTF-16\": only encodings in which ASCII characters are single bytes are read (convert the file to UTF-8)"},
		{"UTF-16 BOM", "\xff\xfe<\x00g\x00", "1:1: gpx: UTF-16 and UTF-32 input is not read (convert the file to UTF-8)"},
		{"BOM against declaration", "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><gpx/>", "1:4: gpx: the byte-order mark says UTF-8 but the XML declaration says \"ISO-8859-1\""},
		{"DOCTYPE with entities", "<!DOCTYPE gpx [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;\">]><gpx>&b;</gpx>", "1:15: gpx: a DOCTYPE with an internal subset (entity or attribute declarations) is refused"},
		{"DOCTYPE after the root", "<gpx><!DOCTYPE gpx SYSTEM \"x\"></gpx>", "1:6: gpx: a DOCTYPE declaration may only stand once, before the root element"},
		{"bad name character", "<gpx><wpt∂/></gpx>", "1:10: gpx: character '∂' (U+2202) is not allowed in a name (in <wpt)"},
		{"end tag without start", "<gpx></gpx></gpx>", "1:12: gpx: end tag </gpx> without a start tag"},
		{"CDATA outside the root", "<![CDATA[x]]><gpx/>", "1:1: gpx: CDATA section outside the root element"},
		{"reserved PI target", "<gpx><?XML x?></gpx>", "1:6: gpx: the XML declaration <?xml ...?> may only stand at the very start of the input"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, scan := range []bool{false, true} {
				var w io.Writer = io.Discard
				if scan {
					w = nil
				}
				err := Codec{}.Rewrite(context.Background(), strings.NewReader(c.in), w, &formattest.KeepAll{}, &format.Options{Name: "t.gpx"})
				var pe *format.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("err = %v, want a *format.ParseError", err)
				}
				if got := strings.TrimPrefix(err.Error(), "t.gpx:"); got != c.want {
					t.Errorf("err = %q\n      want %q", got, c.want)
				}
				if want := offsetOf(c.in, pe.Line, pe.Column); pe.Offset != want {
					t.Errorf("Offset = %d, want %d for %d:%d", pe.Offset, want, pe.Line, pe.Column)
				}
			}
		})
	}
}

// offsetOf returns the byte offset of line:col in s.
func offsetOf(s string, line, col int) int64 {
	off := 0
	for l := 1; l < line; l++ {
		k := strings.IndexByte(s[off:], '\n')
		if k < 0 {
			return -1
		}
		off += k + 1
	}
	return int64(off + col - 1)
}

func TestBadPoints(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string
		is   error
	}{
		{"no lat", `<wpt lon="1"/>`, "3:1: gpx: <wpt> has no lat attribute", ErrPoint},
		{"no lon", `<trk><trkseg><trkpt lat="1"/></trkseg></trk>`, "3:14: gpx: <trkpt> has no lon attribute", ErrPoint},
		{"not a number", `<wpt lat="1" lon="east"/>`, "3:19: gpx: lon=\"east\" in <wpt> is not a decimal number", ErrPoint},
		{"hex", `<wpt lat="0x1p2" lon="1"/>`, "3:11: gpx: lat=\"0x1p2\" in <wpt> is not a decimal number", ErrPoint},
		{"NaN", `<wpt lat="NaN" lon="1"/>`, "3:11: gpx: lat=\"NaN\" in <wpt> is not a decimal number", ErrPoint},
		{"out of range", `<wpt lat="91" lon="1"/>`, "3:1: gpx: <wpt>: coordinate out of range: latitude 91 outside -90..90", format.ErrRange},
		{"huge", `<wpt lat="1" lon="1e999"/>`, "3:1: gpx: <wpt>: coordinate is not a finite number: lon +Inf, lat 1", format.ErrNaN},
		{"embedded", `<wpt lat="1" lon="1"><x lat="1" lon="x"/></wpt>`, "3:38: gpx: lon=\"x\" in <x> is not a decimal number", ErrPoint},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := head + c.in + "\n<wpt lat=\"5\" lon=\"5\"/></gpx>"
			_, err := rewrite(in, &formattest.KeepAll{})
			if err == nil || strings.TrimPrefix(err.Error(), "t.gpx:") != c.want {
				t.Fatalf("err = %v, want %s", err, c.want)
			}
			if !errors.Is(err, c.is) {
				t.Errorf("errors.Is(err, %v) = false", c.is)
			}
			// With a handler that skips bad records, the point goes and
			// the rest stays.
			var bad []string
			h := &funcHandler{f: func(int, *geowarden.Record) geowarden.Edit { return geowarden.Keep },
				bad: func(err *format.ParseError) error { bad = append(bad, err.Error()); return nil }}
			out, err := rewrite(in, h)
			if err != nil {
				t.Fatalf("with Bad returning nil: %v", err)
			}
			if len(bad) != 1 {
				t.Errorf("Bad called %d times, want 1", len(bad))
			}
			if strings.Contains(out, c.in) || !strings.Contains(out, `<wpt lat="5" lon="5"/>`) {
				t.Errorf("output %q", out)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	deep := "<gpx>" + strings.Repeat("<a>", MaxDepth) + strings.Repeat("</a>", MaxDepth) + "</gpx>"
	big := head + `<wpt lat="1" lon="1"><desc>` + strings.Repeat("x", 2000) + `</desc></wpt></gpx>`
	longTag := head + `<metadata a="` + strings.Repeat("x", 2000) + `"/></gpx>`
	longComment := head + `<!--` + strings.Repeat("x", 2000) + `--></gpx>`
	longText := head + `<metadata>` + strings.Repeat("x", 20000) + `</metadata></gpx>`
	longSpace := head + `<metadata>` + strings.Repeat(" ", 20000) + `</metadata></gpx>`
	manyAttrs := "<gpx" + strings.Repeat(" a=\"\"", 1) + "/>"
	cases := []struct {
		name string
		in   string
		max  int
		is   error
		want string
	}{
		{"depth", deep, 0, ErrDepth, "1:771: gpx: elements nest deeper than 256"},
		{"point size", big, 1000, format.ErrTooLong, "3:1: gpx: <wpt> element longer than 1000 bytes"},
		{"tag size", longTag, 1000, format.ErrTooLong, "3:1: gpx: start tag longer than 1000 bytes"},
		{"comment size", longComment, 1000, format.ErrTooLong, "3:1: gpx: comment longer than 1000 bytes"},
		{"text size", longText, 1000, format.ErrTooLong, "3:11: gpx: text longer than 1000 bytes outside points: positions in it could not be checked"},
		{"long white space streams", longSpace, 1000, nil, ""},
		{"attributes", manyAttrs, 0, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Codec{}.Rewrite(context.Background(), strings.NewReader(c.in), &out, &formattest.KeepAll{}, &format.Options{Name: "t.gpx", MaxRecordBytes: c.max})
			if c.is == nil {
				if err != nil || out.String() != c.in {
					t.Fatalf("err = %v, output equal %v", err, out.String() == c.in)
				}
				return
			}
			if !errors.Is(err, c.is) {
				t.Fatalf("err = %v, want %v", err, c.is)
			}
			if got := strings.TrimPrefix(err.Error(), "t.gpx:"); got != c.want {
				t.Errorf("err = %q, want %q", got, c.want)
			}
		})
	}
	t.Run("too many attributes", func(t *testing.T) {
		in := "<gpx" + strings.Repeat(" a=\"\"", 1)
		for i := 0; i <= MaxAttrs; i++ {
			in += " a" + strings.Repeat("b", i%5) + itoa(i) + "=\"\""
		}
		in += "/>"
		_, err := rewrite(in, &formattest.KeepAll{})
		if !errors.Is(err, format.ErrTooLong) {
			t.Fatalf("err = %v, want ErrTooLong", err)
		}
	})
	t.Run("billion laughs", func(t *testing.T) {
		in := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><gpx>&lol2;</gpx>`
		_, err := rewrite(in, &formattest.KeepAll{})
		if !errors.Is(err, ErrDTD) {
			t.Fatalf("err = %v, want ErrDTD", err)
		}
	})
	t.Run("external DOCTYPE passes through, unread", func(t *testing.T) {
		in := `<?xml version="1.0"?><!DOCTYPE gpx SYSTEM "file:///etc/passwd"><gpx><wpt lat="1" lon="1"/></gpx>`
		h := &formattest.KeepAll{}
		out, err := rewrite(in, h)
		if err != nil || out != in || h.N != 1 {
			t.Fatalf("err = %v, out %q, %d records", err, out, h.N)
		}
	})
}

func itoa(i int) string {
	return string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name, file, head string
		want             bool
	}{
		{"plain", "x", `<gpx version="1.1">`, true},
		{"declaration and comments", "x", "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- hi -->\n<?pi x?>\n<!DOCTYPE gpx>\n<gpx>", true},
		{"prefixed", "x", `<g:gpx xmlns:g="u">`, true},
		{"truncated root name", "x", `<gp`, false},
		{"other root", "x", `<?xml version="1.0"?><kml>`, false},
		{"gpxfoo", "x", `<gpxfoo>`, false},
		{"gpx name, long prologue", "a.GPX", `<?xml version="1.0"?><!-- ` + strings.Repeat("x", 100), true},
		{"gpx name, not XML", "a.gpx", `lat,lon`, false},
		{"JSON", "a.json", `{"type":"FeatureCollection"}`, false},
		{"UTF-16", "x", "\xff\xfe<\x00g\x00p\x00x\x00>\x00", true},
		{"empty", "x", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := (Codec{}).Detect(c.file, []byte(c.head)); got != c.want {
				t.Errorf("Detect(%q, %q) = %v, want %v", c.file, c.head, got, c.want)
			}
		})
	}
}

func TestContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Codec{}.Rewrite(ctx, strings.NewReader(track), io.Discard, &formattest.KeepAll{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	h := &funcHandler{f: func(i int, _ *geowarden.Record) geowarden.Edit {
		if i == 1 {
			cancel()
		}
		return geowarden.Keep
	}}
	err = Codec{}.Rewrite(ctx, strings.NewReader(track), io.Discard, h, nil)
	if !errors.Is(err, context.Canceled) || h.n != 2 {
		t.Fatalf("err = %v after %d records, want context.Canceled after 2", err, h.n)
	}
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

func (w *failWriter) Write(b []byte) (int, error) {
	if len(b) > w.n {
		return w.n, errors.New("disk full")
	}
	w.n -= len(b)
	return len(b), nil
}

// failReader returns an error after its data.
type failReader struct{ r io.Reader }

func (r *failReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if err == io.EOF {
		return n, errors.New("connection reset")
	}
	return n, err
}

func TestIOErrors(t *testing.T) {
	big := head + strings.Repeat("<wpt lat=\"1\" lon=\"1\"/>\n", 10000) + "</gpx>"
	err := Codec{}.Rewrite(context.Background(), strings.NewReader(big), &failWriter{n: 1000}, &formattest.KeepAll{}, &format.Options{Name: "t.gpx"})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write error: %v", err)
	}
	err = Codec{}.Rewrite(context.Background(), &failReader{strings.NewReader(track)}, io.Discard, &formattest.KeepAll{}, &format.Options{Name: "t.gpx"})
	if err == nil || !strings.Contains(err.Error(), "connection reset") || !strings.Contains(err.Error(), "t.gpx") {
		t.Errorf("read error: %v", err)
	}
}

// TestAttrsAfterCall: a handler that keeps Attrs past its call gets
// nothing rather than another record's values.
func TestAttrsAfterCall(t *testing.T) {
	var kept geowarden.Attrs
	h := &funcHandler{f: func(i int, r *geowarden.Record) geowarden.Edit {
		kept = r.Attrs
		return geowarden.Keep
	}}
	if _, err := rewrite(head+`<wpt lat="1" lon="1"><name>a</name></wpt></gpx>`, h); err != nil {
		t.Fatal(err)
	}
	if v, ok := kept.Attr("name"); ok {
		t.Errorf("Attr after the call = %q, true", v)
	}
}

// TestChunkedReader: the same output whatever the reads return.
func TestChunkedReader(t *testing.T) {
	in := head + "<wpt lat=\"1\" lon=\"1\"><name>\u00e9&amp;</name></wpt>\n<!-- c -->" + strings.Repeat(" ", 70000) + "<![CDATA[x]]></gpx>"
	in = strings.Replace(in, "<!-- c -->", "<!-- c --><metadata>"+strings.Repeat("ab&amp;\u00e9", 30000)+"</metadata>", 1)
	for _, n := range []int{1, 2, 3, 7, 4096} {
		var out bytes.Buffer
		h := &recorder{}
		err := Codec{}.Rewrite(context.Background(), &oneByte{s: in, n: n}, &out, h, &format.Options{Name: "t.gpx"})
		if err != nil {
			t.Fatalf("reads of %d: %v", n, err)
		}
		if out.String() != in {
			t.Errorf("reads of %d: output differs", n)
		}
		if len(h.recs) != 1 || h.recs[0].Attrs["name"] != "é&" {
			t.Errorf("reads of %d: records %v", n, h.recs)
		}
	}
}

type oneByte struct {
	s string
	n int
}

func (r *oneByte) Read(b []byte) (int, error) {
	if len(r.s) == 0 {
		return 0, io.EOF
	}
	n := copy(b[:min(len(b), r.n)], r.s)
	r.s = r.s[n:]
	return n, nil
}
