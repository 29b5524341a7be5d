package csv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// splitRec is what the splitter returned for one record.
type splitRec struct {
	Kind   kind
	Raw    string
	Fields []string // unquoted values
	Line   int
	Off    int64
}

// splitAll runs a splitter over in to the end and returns the records and
// the error that stopped it (nil at EOF).
func splitAll(r io.Reader, delim byte, max int) ([]splitRec, error) {
	s := newSplitter(r, "in.csv", max)
	if err := s.start(); err != nil {
		return nil, err
	}
	s.delim = delim
	var out []splitRec
	for {
		k, err := s.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		rec := splitRec{Kind: k, Raw: string(s.rec), Line: s.recLine, Off: s.recOff}
		if k == kindRow {
			for _, f := range s.fields {
				rec.Fields = append(rec.Fields, string(unquote(nil, s.rec[f.s:f.e])))
			}
		}
		out = append(out, rec)
	}
}

func row(raw string, line int, off int64, fields ...string) splitRec {
	return splitRec{Kind: kindRow, Raw: raw, Fields: fields, Line: line, Off: off}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		delim   byte
		max     int
		want    []splitRec
		wantErr string // substring; "" for none
	}{
		{
			name: "lf",
			in:   "a,b\n1,2\n",
			want: []splitRec{row("a,b\n", 1, 0, "a", "b"), row("1,2\n", 2, 4, "1", "2")},
		},
		{
			name: "crlf",
			in:   "a,b\r\n1,2\r\n",
			want: []splitRec{row("a,b\r\n", 1, 0, "a", "b"), row("1,2\r\n", 2, 5, "1", "2")},
		},
		{
			name: "mixed line endings",
			in:   "a,b\r\n1,2\n3,4\r\n",
			want: []splitRec{row("a,b\r\n", 1, 0, "a", "b"), row("1,2\n", 2, 5, "1", "2"), row("3,4\r\n", 3, 9, "3", "4")},
		},
		{
			name: "no trailing newline",
			in:   "a,b\n1,2",
			want: []splitRec{row("a,b\n", 1, 0, "a", "b"), row("1,2", 2, 4, "1", "2")},
		},
		{
			name: "final cr",
			in:   "a,b\n1,2\r",
			want: []splitRec{row("a,b\n", 1, 0, "a", "b"), row("1,2\r", 2, 4, "1", "2")},
		},
		{
			name: "cr inside a field",
			in:   "a,b\rc\n",
			want: []splitRec{row("a,b\rc\n", 1, 0, "a", "b\rc")},
		},
		{
			name: "quoted delimiter",
			in:   "\"a,b\",c\n",
			want: []splitRec{row("\"a,b\",c\n", 1, 0, "a,b", "c")},
		},
		{
			name: "doubled quotes",
			in:   "\"say \"\"hi\"\"\",\"\"\"\"\n",
			want: []splitRec{row("\"say \"\"hi\"\"\",\"\"\"\"\n", 1, 0, `say "hi"`, `"`)},
		},
		{
			name: "quoted empty field",
			in:   "\"\",x\n",
			want: []splitRec{row("\"\",x\n", 1, 0, "", "x")},
		},
		{
			name: "embedded newlines and line numbers",
			in:   "h1,h2\n\"a\nb\nc\",1\nx,2\n\"p\r\nq\",3\r\ny,4",
			want: []splitRec{
				row("h1,h2\n", 1, 0, "h1", "h2"),
				row("\"a\nb\nc\",1\n", 2, 6, "a\nb\nc", "1"),
				row("x,2\n", 5, 16, "x", "2"),
				row("\"p\r\nq\",3\r\n", 6, 20, "p\r\nq", "3"),
				row("y,4", 8, 30, "y", "4"),
			},
		},
		{
			name: "bom",
			in:   "\xEF\xBB\xBFlat,lon\n1,2\n",
			want: []splitRec{row("\xEF\xBB\xBFlat,lon\n", 1, 0, "lat", "lon"), row("1,2\n", 2, 11, "1", "2")},
		},
		{
			name: "bom alone",
			in:   "\xEF\xBB\xBF",
			want: []splitRec{{Kind: kindEmpty, Raw: "\xEF\xBB\xBF", Line: 1}},
		},
		{
			name:  "semicolon",
			in:    "a;b,c\n1;2,5\n",
			delim: ';',
			want:  []splitRec{row("a;b,c\n", 1, 0, "a", "b,c"), row("1;2,5\n", 2, 6, "1", "2,5")},
		},
		{
			name:  "tab",
			in:    "a\tb c\n1\t\"2\t3\"\n",
			delim: '\t',
			want:  []splitRec{row("a\tb c\n", 1, 0, "a", "b c"), row("1\t\"2\t3\"\n", 2, 6, "1", "2\t3")},
		},
		{
			name: "empty lines",
			in:   "\na,b\n\n\r\n1,2\n\n",
			want: []splitRec{
				{Kind: kindEmpty, Raw: "\n", Line: 1, Off: 0},
				row("a,b\n", 2, 1, "a", "b"),
				{Kind: kindEmpty, Raw: "\n", Line: 3, Off: 5},
				{Kind: kindEmpty, Raw: "\r\n", Line: 4, Off: 6},
				row("1,2\n", 5, 8, "1", "2"),
				{Kind: kindEmpty, Raw: "\n", Line: 6, Off: 12},
			},
		},
		{
			name: "empty fields",
			in:   ",\n,,\r\na,\n",
			want: []splitRec{row(",\n", 1, 0, "", ""), row(",,\r\n", 2, 2, "", "", ""), row("a,\n", 3, 6, "a", "")},
		},
		{
			name: "trailing delimiter at eof",
			in:   "a,",
			want: []splitRec{row("a,", 1, 0, "a", "")},
		},
		{
			name: "quote inside an unquoted field",
			in:   "a\"b,c\"\n",
			want: []splitRec{row("a\"b,c\"\n", 1, 0, "a\"b", "c\"")},
		},
		{
			name: "text after a closing quote",
			in:   "\"ab\"c,d\n",
			want: []splitRec{row("\"ab\"c,d\n", 1, 0, "abc", "d")},
		},
		{
			name: "closing quote at eof",
			in:   "a,\"b\"",
			want: []splitRec{row("a,\"b\"", 1, 0, "a", "b")},
		},
		{
			name: "quoted field then crlf",
			in:   "\"a\"\r\n\"b\r\"\n",
			want: []splitRec{row("\"a\"\r\n", 1, 0, "a"), row("\"b\r\"\n", 2, 5, "b\r")},
		},
		{
			name:    "unterminated quote",
			in:      "a,b\n1,2\nx,\"open\n\nmore,3\n",
			wantErr: "in.csv:3:3: csv: unterminated quoted field: the quote opened here is never closed",
		},
		{
			name:    "unterminated quote at eof",
			in:      "a,\"",
			wantErr: "in.csv:1:3: csv: unterminated quoted field",
		},
		{
			name: "record over the cap",
			in:   "a,b\n1234567890,1234567890\n1,2\n",
			max:  20,
			want: []splitRec{
				row("a,b\n", 1, 0, "a", "b"),
				{Kind: kindTooLong, Line: 2, Off: 4},
				row("1,2\n", 3, 26, "1", "2"),
			},
		},
		{
			name: "record at the cap",
			in:   "a,b\n123456789,123456789\r\n1,2\n",
			max:  19,
			want: []splitRec{
				row("a,b\n", 1, 0, "a", "b"),
				row("123456789,123456789\r\n", 2, 4, "123456789", "123456789"),
				row("1,2\n", 3, 25, "1", "2"),
			},
		},
		{
			name: "multi-line record over the cap",
			in:   "a,b\n\"12345\n67890\n12345\",x\n1,2\n",
			max:  10,
			want: []splitRec{
				row("a,b\n", 1, 0, "a", "b"),
				{Kind: kindTooLong, Line: 2, Off: 4},
				row("1,2\n", 5, 26, "1", "2"),
			},
		},
		{
			name:    "unterminated quote over the cap",
			in:      "a,b\n\"12345678901234567890",
			max:     10,
			wantErr: "in.csv:2: csv: unterminated quoted field: the quote opened here is never closed",
		},
	}
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"whole", func(r io.Reader) io.Reader { return r }},
		{"one byte", iotest.OneByteReader},
		{"data with eof", iotest.DataErrReader},
		{"half", iotest.HalfReader},
	}
	for _, tt := range tests {
		for _, rd := range readers {
			t.Run(tt.name+"/"+rd.name, func(t *testing.T) {
				delim := tt.delim
				if delim == 0 {
					delim = ','
				}
				max := tt.max
				if max == 0 {
					max = DefaultMaxRecordBytes
				}
				got, err := splitAll(rd.wrap(strings.NewReader(tt.in)), delim, max)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
					}
					if !errors.Is(err, ErrQuote) {
						t.Errorf("error %v does not wrap ErrQuote", err)
					}
					return
				}
				if err != nil {
					t.Fatalf("error = %v", err)
				}
				for i := range got {
					if got[i].Kind == kindTooLong {
						got[i].Raw = "" // only its tail is left
					}
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("got\n%s\nwant\n%s", dump(got), dump(tt.want))
				}
			})
		}
	}
}

func dump(recs []splitRec) string {
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "  kind %d line %d off %d raw %q fields %q\n", r.Kind, r.Line, r.Off, r.Raw, r.Fields)
	}
	return b.String()
}

func TestSplitLargeRecords(t *testing.T) {
	// Records bigger than the initial buffer make it grow; the data around
	// them must come through intact.
	big := strings.Repeat("x", 3*initialBufSize)
	quoted := "\"" + strings.Repeat("y\n", initialBufSize) + "\""
	in := "a,b\n1," + big + "\n" + quoted + ",2\n3,4\n"
	got, err := splitAll(iotest.HalfReader(strings.NewReader(in)), ',', DefaultMaxRecordBytes)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("got %d records, want 4", len(got))
	}
	if got[1].Fields[1] != big {
		t.Errorf("big field: got %d bytes, want %d", len(got[1].Fields[1]), len(big))
	}
	if want := strings.Repeat("y\n", initialBufSize); got[2].Fields[0] != want {
		t.Errorf("quoted field: got %d bytes, want %d", len(got[2].Fields[0]), len(want))
	}
	if got[3].Line != 3+initialBufSize+1 || got[3].Raw != "3,4\n" {
		t.Errorf("last record: got line %d %q, want line %d \"3,4\\n\"", got[3].Line, got[3].Raw, 3+initialBufSize+1)
	}
	if want := int64(len(in) - 4); got[3].Off != want {
		t.Errorf("last record: got offset %d, want %d", got[3].Off, want)
	}
}

func TestSplitBoundedMemory(t *testing.T) {
	// A 64 MiB record with a 1 KiB cap must not grow the buffer.
	const size = 64 << 20
	r := io.MultiReader(strings.NewReader("a,b\n\""), &repeatReader{b: 'z', n: size}, strings.NewReader("\",1\n1,2\n"))
	s := newSplitter(r, "big.csv", 1<<10)
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	s.delim = ','
	var kinds []kind
	for {
		k, err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, k)
	}
	if want := []kind{kindRow, kindTooLong, kindRow}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds = %v, want %v", kinds, want)
	}
	if len(s.buf) > initialBufSize {
		t.Errorf("buffer grew to %d bytes", len(s.buf))
	}
}

// repeatReader yields n copies of b.
type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	n := min(len(p), r.n)
	for i := range n {
		p[i] = r.b
	}
	r.n -= n
	return n, nil
}

func TestSplitReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("a,b\n1,2\n"), iotest.ErrReader(boom))
	_, err := splitAll(r, ',', DefaultMaxRecordBytes)
	if !errors.Is(err, boom) {
		t.Errorf("error = %v, want one wrapping %v", err, boom)
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want byte
	}{
		{"comma", "a,b,c\n", ','},
		{"semicolon", "a;b;c\n1,5;2,5;3\n", ';'},
		{"tab", "a\tb\tc\n", '\t'},
		{"quoted delimiters do not count", "\"a;b;c\",d,e\n", ','},
		{"after empty lines", "\n\r\n\na;b\n", ';'},
		{"after a bom", "\xEF\xBB\xBFa\tb\n", '\t'},
		{"no delimiter", "abc\n", ','},
		{"tie", "a,b;c\n", ','},
		{"empty", "", ','},
		{"only a cr", "\r", ','},
		{"only empty lines", "\n\r\n\r", ','},
		{"no newline", "a;b", ';'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSplitter(iotest.OneByteReader(strings.NewReader(tt.in)), "x", DefaultMaxRecordBytes)
			if err := s.start(); err != nil {
				t.Fatal(err)
			}
			got, err := s.sniff()
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			// Sniffing consumes nothing.
			s.delim = got
			var all []byte
			for {
				if _, err := s.next(); err != nil {
					break
				}
				all = append(all, s.rec...)
			}
			if !bytes.Equal(all, []byte(tt.in)) {
				t.Errorf("records after sniffing: got %q, want %q", all, tt.in)
			}
		})
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, ``},
		{`abc`, `abc`},
		{`a"b`, `a"b`},
		{`"abc"`, `abc`},
		{`""`, ``},
		{`""""`, `"`},
		{`"a""b"`, `a"b`},
		{`"ab"c`, `abc`},
		{`"ab`, `ab`},
	}
	for _, tt := range tests {
		if got := string(unquote(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("unquote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFieldPos(t *testing.T) {
	in := "h1,h2,h3\n\"a\nbc\",x,y\n"
	s := newSplitter(strings.NewReader(in), "x", DefaultMaxRecordBytes)
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	s.delim = ','
	s.next()
	s.next()
	type pos struct {
		line, col int
		off       int64
	}
	want := []pos{{2, 1, 9}, {3, 5, 16}, {3, 7, 18}}
	for i, w := range want {
		line, col, off := s.fieldPos(i)
		if got := (pos{line, col, off}); got != w {
			t.Errorf("field %d: got %+v, want %+v", i, got, w)
		}
	}
}

// TestIndexDelim: the eight-bytes-at-a-time search finds what a byte loop
// finds, for every start, end and delimiter place.
func TestIndexDelim(t *testing.T) {
	buf := []byte(`1,2024-05-01T03:05:03Z,29.803975,110.941590,,460;11,"54699827",-113,700` + "\t\xff\x80,\x00,")
	for _, d := range []byte{',', ';', '\t', 0x80, 0xff, 0, 'x'} {
		for i := 0; i <= len(buf); i++ {
			for lim := i; lim <= len(buf); lim++ {
				want := i
				for want < lim && buf[want] != d {
					want++
				}
				if got := indexDelim(buf, i, lim, d); got != want {
					t.Fatalf("indexDelim(%q, %d, %d, %q) = %d, want %d", buf, i, lim, d, got, want)
				}
			}
		}
	}
}
