package protojson

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "byte 0: no JSON value"},
		{"blank", "  \n", "byte 3: no JSON value"},
		{"trailing", `{} x`, `byte 3: unexpected 'x' after the JSON value`},
		{"two values", `1 2`, `byte 2: unexpected '2' after the JSON value`},
		{"duplicate", `{"lat":1,"lat":2}`, `byte 9: duplicate member "lat"`},
		{"duplicate escaped", `{"lat":1,"l\u0061t":2}`, `byte 9: duplicate member "lat"`},
		{"leading zero", `[01]`, "byte 1: invalid number: leading zero"},
		{"nan", `[NaN]`, "byte 1: unexpected 'N', want a JSON value"},
		{"plus", `[+1]`, "byte 1: unexpected '+', want a JSON value"},
		{"dot", `[1.]`, "byte 1: invalid number: no digit after '.'"},
		{"exp", `[1e]`, "byte 1: invalid number: no digit in the exponent"},
		{"control", "[\"a\tb\"]", "byte 3: control character byte 0x09 in a string"},
		{"bad utf8", "[\"a\xffb\"]", "byte 3: invalid UTF-8 in a string"},
		{"bad escape", `["\x"]`, `byte 2: invalid escape 'x'`},
		{"bad u", `["\u12g4"]`, `byte 2: invalid \u escape`},
		{"unterminated", `{"a":"b`, "byte 5: unterminated string"},
		{"missing colon", `{"a" 1}`, "byte 5: want ':' after a member name"},
		{"trailing comma", `[1,]`, "byte 3: unexpected ']', want a JSON value"},
		{"object trailing comma", `{"a":1,}`, "byte 7: unexpected '}', want a member name"},
		{"deep", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), "byte 32: nesting deeper than 32"},
		{"long number", "[" + strings.Repeat("1", MaxNumber+1) + "]", "byte 1: number of 401 bytes (at most 400)"},
		{"bom", "\ufeff{}", "byte 0: unexpected byte 0xef, want a JSON value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.in))
			if err == nil || err.Error() != c.want {
				t.Errorf("got %v, want %s", err, c.want)
			}
		})
	}
}

func TestParseTree(t *testing.T) {
	src := []byte(` {"a": [1, "x\"y", {"b": null}], "c\u0064": true} `)
	d, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	a := d.Get(0, "a")
	if a < 0 || d.Nodes[a].Kind != Array || d.Nodes[a].Len != 3 {
		t.Fatalf("a: %+v", d.Nodes[a])
	}
	kids := d.Children(a, nil)
	if got := string(d.Text(kids[1], nil)); got != `x"y` {
		t.Errorf("text %q", got)
	}
	if v, ok := d.Int(kids[0]); !ok || v != 1 {
		t.Errorf("int %v %v", v, ok)
	}
	if d.Get(kids[2], "b") < 0 || d.Index(kids[2]) != 2 {
		t.Error("b")
	}
	if cd := d.Get(0, "cd"); cd < 0 || d.Nodes[cd].Kind != Bool {
		t.Error("escaped key not found")
	}
	if d.Get(0, "zz") != -1 || d.Get(a, "a") != -1 {
		t.Error("missing member found")
	}
}

func TestRemoval(t *testing.T) {
	cases := []struct{ in, name, want string }{
		{`{"a":1, "b":2, "c":3}`, "a", `{"b":2, "c":3}`},
		{`{"a":1, "b":2, "c":3}`, "b", `{"a":1, "c":3}`},
		{`{"a":1, "b":2, "c":3}`, "c", `{"a":1, "b":2}`},
		{`{ "a" : 1 }`, "a", `{  }`},
	}
	for _, c := range cases {
		d, err := Parse([]byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		out, err := Apply(d.Src, []Splice{d.Removal(d.Get(0, c.name))})
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != c.want {
			t.Errorf("remove %s from %s: got %s, want %s", c.name, c.in, out, c.want)
		}
		if !json.Valid(out) {
			t.Errorf("%s: not valid JSON", out)
		}
	}
}

func TestApplyOverlap(t *testing.T) {
	if _, err := Apply([]byte("abcdef"), []Splice{{1, 3, nil}, {2, 4, nil}}); err == nil {
		t.Error("overlapping splices accepted")
	}
	out, err := Apply([]byte("abcdef"), []Splice{{4, 5, []byte("X")}, {0, 1, []byte("YY")}})
	if err != nil || string(out) != "YYbcdXf" {
		t.Errorf("got %q, %v", out, err)
	}
}

func TestQuoteRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", "a\"b\\c", "tab\tnl\n\x01", "é 😀", "bad\xffutf8"} {
		q := AppendQuote(nil, []byte(s))
		var back string
		if err := json.Unmarshal(q, &back); err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		d, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(d.Text(0, nil)); got != back {
			t.Errorf("%q: Text %q, encoding/json %q", q, got, back)
		}
	}
}

func TestRedact(t *testing.T) {
	got := string(Redact([]byte("at 35.85, 14.45 and 1.5"), []Span{{3, 9}, {5, 15}, {20, 23}}))
	if want := "at [position removed] and [position removed]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAppendTexts(t *testing.T) {
	tp := AppendTexts(nil, "desc", []byte("meet at 35.8506, 14.4506 please"))
	if len(tp) == 0 || tp[0].Field != "desc" || tp[0].Pos.Lat != 35.8506 {
		t.Fatalf("got %+v", tp)
	}
	if tp := AppendTexts(nil, "n", []byte("7")); len(tp) != 0 {
		t.Errorf("got %+v", tp)
	}
}

// FuzzParse: what Parse accepts encoding/json accepts, strings decode as
// encoding/json decodes them, and every node's bytes are a JSON value.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,"x\u00e9\ud83d\ude00"],"b":{"c":null}}`, `[]`, `"\ud800"`, `{"a":1,"a":2}`, `-0.0e+1`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("Parse accepted what encoding/json refuses: %q", b)
		}
		for i := range d.Nodes {
			raw := d.Raw(i)
			if !json.Valid(raw) {
				t.Fatalf("node %d: %q is not a JSON value", i, raw)
			}
			if d.Nodes[i].Kind == String {
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					t.Fatal(err)
				}
				if got := string(d.Text(i, nil)); got != s {
					t.Fatalf("%q: Text %q, encoding/json %q", raw, got, s)
				}
			}
			if d.Nodes[i].Parent >= 0 {
				out, err := Apply(b, []Splice{d.Removal(i)})
				if err != nil || !json.Valid(out) {
					t.Fatalf("removing node %d of %q: %q, %v", i, b, out, err)
				}
			}
		}
	})
}

func TestEditorRemovals(t *testing.T) {
	src := `{"a":1, "b":[1, 2, 3], "c":3, "d":4}`
	cases := []struct {
		rm   []string // members, or b[i] elements
		want string
	}{
		{[]string{"a", "b"}, `{"c":3, "d":4}`},
		{[]string{"a", "b", "c", "d"}, `{}`},
		{[]string{"c", "d"}, `{"a":1, "b":[1, 2, 3]}`},
		{[]string{"b", "d"}, `{"a":1, "c":3}`},
		{[]string{"b[0]", "b[1]"}, `{"a":1, "b":[3], "c":3, "d":4}`},
		{[]string{"b[1]", "b[2]"}, `{"a":1, "b":[1], "c":3, "d":4}`},
		{[]string{"b[1]", "b"}, `{"a":1, "c":3, "d":4}`},
	}
	for _, c := range cases {
		d, err := Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		e := NewEditor(d)
		b := d.Get(0, "b")
		e.Replace(d.Get(0, "a"), []byte("10"))
		e.Replace(d.Children(b, nil)[1], []byte("20"))
		for _, r := range c.rm {
			if strings.HasPrefix(r, "b[") {
				e.Remove(d.Children(b, nil)[int(r[2]-'0')])
			} else {
				e.Remove(d.Get(0, r))
			}
		}
		out, err := e.Bytes()
		if err != nil {
			t.Fatalf("%v: %v", c.rm, err)
		}
		want := strings.Replace(strings.Replace(c.want, `"a":1`, `"a":10`, 1), "[1, 2, 3]", "[1, 20, 3]", 1)
		if string(out) != want || !json.Valid(out) {
			t.Errorf("remove %v: got %s, want %s", c.rm, out, want)
		}
	}
}
