package osm

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmxml"
)

// Encoding is how an OSM file is written.
type Encoding uint8

// OSM encodings.
const (
	Unknown Encoding = iota
	PBF              // OSM PBF (.osm.pbf)
	XML              // OSM XML (.osm), possibly bzip2- or gzip-compressed
)

func (e Encoding) String() string {
	switch e {
	case PBF:
		return "pbf"
	case XML:
		return "xml"
	}
	return "unknown"
}

// sniffBytes is how much of a (decompressed) file is looked at to tell its
// encoding.
const sniffBytes = 4096

// Sniff reports how the file at path is encoded, looking at its content:
// PBF by its first blob header ("OSMHeader"), XML by an <osm> root element
// (an osmChange file is not an extract and is Unknown), either one inside
// bzip2 or gzip compression. A file that is neither is Unknown, with a nil
// error.
func Sniff(path string) (Encoding, error) {
	src, err := openSource(path)
	if err != nil {
		var ue *unknownError
		if errors.As(err, &ue) {
			return Unknown, nil
		}
		return Unknown, err
	}
	src.Close()
	return src.enc, nil
}

type unknownError struct{ path string }

func (e *unknownError) Error() string {
	return fmt.Sprintf("osm: %s: not an OpenStreetMap file (want OSM PBF, or OSM XML with an <osm> root, possibly bzip2- or gzip-compressed)", e.path)
}

// detect returns the encoding of an uncompressed OSM file's first bytes.
func detect(head []byte) Encoding {
	// PBF: a 4-byte big-endian length, then a BlobHeader whose first
	// field (1, a string) is the blob type "OSMHeader".
	if len(head) >= 15 && head[4] == 0x0a && head[5] == 9 && string(head[6:15]) == "OSMHeader" {
		return PBF
	}
	h := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	h = bytes.TrimLeft(h, " \t\r\n")
	if len(h) == 0 || h[0] != '<' {
		return Unknown
	}
	// The first element that is not a declaration, comment or DOCTYPE.
	for len(h) > 0 {
		h = bytes.TrimLeft(h, " \t\r\n")
		switch {
		case bytes.HasPrefix(h, []byte("<?")):
			i := bytes.Index(h, []byte("?>"))
			if i < 0 {
				return Unknown
			}
			h = h[i+2:]
		case bytes.HasPrefix(h, []byte("<!--")):
			i := bytes.Index(h, []byte("-->"))
			if i < 0 {
				return Unknown
			}
			h = h[i+3:]
		case bytes.HasPrefix(h, []byte("<!")):
			i := bytes.IndexByte(h, '>')
			if i < 0 {
				return Unknown
			}
			h = h[i+1:]
		case bytes.HasPrefix(h, []byte("<osm")) && len(h) > 4 && (h[4] == '>' || h[4] == ' ' || h[4] == '\t' || h[4] == '\r' || h[4] == '\n' || h[4] == '/'):
			return XML
		default:
			return Unknown
		}
	}
	return Unknown
}

// opener opens the file being read, once per pass.
type opener func() (io.ReadCloser, error)

func fileOpener(path string) opener {
	return func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("osm: %w", err)
		}
		return f, nil
	}
}

// source is an opened OSM file, decompressed.
type source struct {
	f   io.ReadCloser
	r   io.Reader
	enc Encoding
	gz  *gzip.Reader
}

func (s *source) Close() {
	if s.gz != nil {
		s.gz.Close()
	}
	s.f.Close()
}

func openSource(path string) (*source, error) {
	return openFrom(path, fileOpener(path))
}

// openFrom opens a file with open; path names it in errors.
func openFrom(path string, open opener) (*source, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	s := &source{f: f}
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(sniffBytes)
	var r io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte("BZh")):
		r = bzip2.NewReader(br)
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("osm: %s: %w", path, err)
		}
		s.gz, r = gz, gz
	}
	if r != io.Reader(br) {
		br2 := bufio.NewReaderSize(r, 64<<10)
		head, err = br2.Peek(sniffBytes)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			s.Close()
			return nil, fmt.Errorf("osm: %s: decompressing: %w", path, err)
		}
		r = br2
	}
	s.r = r
	if s.enc = detect(head); s.enc == Unknown {
		s.Close()
		return nil, &unknownError{path}
	}
	return s, nil
}

// pass says which element types one reading of the file wants, with
// filters that run (concurrently, for PBF) before an element is handed on.
type pass struct {
	nodes, ways, relations bool
	node                   func(*osm.Node) bool
	way                    func(*osm.Way) bool
	relation               func(*osm.Relation) bool
}

// scan reads the file once and calls fn for each element the pass wants
// and its filters accept, in file order.
func (rd *reading) scan(ctx context.Context, path string, p pass, fn func(osm.Object) error) error {
	src, err := openFrom(path, rd.open)
	if err != nil {
		return err
	}
	defer src.Close()
	var sc *osmxml.Scanner
	switch src.enc {
	case PBF:
		procs := rd.Procs
		if procs <= 0 {
			procs = min(runtime.GOMAXPROCS(0), 4)
		}
		if err := scanPBF(ctx, src.r, p, procs, fn); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var pe *pbfError
			if errors.As(err, &pe) {
				return fmt.Errorf("osm: %s: invalid PBF at %w", path, err)
			}
			return fmt.Errorf("osm: %s: %w", path, err)
		}
		return nil
	default:
		sc = osmxml.New(ctx, src.r)
	}
	defer sc.Close()
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			if !p.nodes || (src.enc == XML && p.node != nil && !p.node(o)) {
				continue
			}
		case *osm.Way:
			if !p.ways || (src.enc == XML && p.way != nil && !p.way(o)) {
				continue
			}
		case *osm.Relation:
			if !p.relations || (src.enc == XML && p.relation != nil && !p.relation(o)) {
				continue
			}
		default:
			continue
		}
		if err := fn(sc.Object()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return xmlError(path, err)
	}
	return nil
}

// xmlError names the file and, where known, the line of an XML error.
func xmlError(path string, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("osm: %s:%d: invalid XML: %s", path, se.Line, se.Msg)
	}
	return fmt.Errorf("osm: %s: invalid OSM XML: %w", path, err)
}
