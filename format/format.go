// Package format defines the streaming reader/rewriter that every input
// format implements, and a registry that recognises formats by content.
//
// A Codec reads records from an input and, in the same pass, writes the
// input back with the edits a Handler asks for. Everything the codec does
// not understand passes through untouched, and a record whose Edit is the
// zero Edit is written back byte for byte. Scanning is the same pass with no
// writer. Codecs hold a bounded amount of the input in memory, whatever its
// size.
package format

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/geowarden/geowarden"
)

// A Handler decides what happens to each record a Codec reads.
type Handler interface {
	// Record is called once for each record, in input order. The record and
	// everything it points to are owned by the codec and valid only during
	// the call. The returned Edit is applied when the record is written.
	Record(rec *geowarden.Record) geowarden.Edit
	// Bad is called for a record that cannot be parsed (a malformed row, a
	// coordinate out of range). Returning nil drops the record from the
	// output and goes on; returning an error stops the codec, which then
	// returns that error. Errors that make the rest of the input unreadable
	// (invalid JSON syntax, an I/O error) are returned without calling Bad.
	Bad(err *ParseError) error
}

// Options tune how a codec reads an input. The zero value means defaults.
type Options struct {
	// Name is the input's name as the user gave it; it goes into Ref.File
	// and error messages. "-" is standard input.
	Name string
	// Columns maps a role (lat, lon, time, source, radio, mcc, mnc, area,
	// cell, freq, arfcn, strength, ssid, bssid, alt, accuracy) to the name
	// of the column or property that holds it, overriding the built-in
	// aliases.
	Columns map[string]string
	// Delimiter is the CSV field delimiter; 0 sniffs it from the header.
	Delimiter rune
	// MaxRecordBytes caps the size of one record (a CSV row, a GeoJSON
	// feature); 0 means the codec's default. Larger records are errors.
	MaxRecordBytes int
	// DropBinary removes from the output the binary data a text input
	// holds between its records (u-blox, SiRF or RTCM frames in an NMEA
	// log): geowarden cannot read the positions such frames carry. Codecs
	// report the binary data with a Notice either way.
	DropBinary bool
	// KeepUnreadable lets pass what a codec cannot read but may hold a
	// position (a proprietary NMEA sentence of unknown layout, a corrupt
	// AIS payload). When false, the default, codecs that know such things
	// remove them. Codecs report each with a Notice either way.
	KeepUnreadable bool
}

// A Codec reads and rewrites one format.
type Codec interface {
	// Name is the format's short name: "csv", "geojson".
	Name() string
	// Detect reports whether an input with this name, whose first bytes are
	// head (up to 8 KiB, fewer for short inputs), is in this format.
	Detect(name string, head []byte) bool
	// Rewrite reads r, calls h for each record, and writes r back to w with
	// the edits applied. w may be nil: the input is only scanned. Rewrite
	// checks ctx between records and returns ctx.Err() when it is done.
	Rewrite(ctx context.Context, r io.Reader, w io.Writer, h Handler, opts *Options) error
}

// ParseError locates a problem in an input.
type ParseError struct {
	File   string // input name
	Line   int    // 1-based line; 0 when unknown
	Column int    // 1-based column (byte) in the line; 0 when unknown
	Offset int64  // byte offset from the start of the input; -1 when unknown
	Err    error
}

func (e *ParseError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	case e.Offset >= 0:
		return fmt.Sprintf("%s: byte %d: %v", e.File, e.Offset, e.Err)
	default:
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
}

func (e *ParseError) Unwrap() error { return e.Err }

// Errors shared by codecs, for errors.Is.
var (
	ErrRange      = errors.New("coordinate out of range")
	ErrNaN        = errors.New("coordinate is not a finite number")
	ErrTooLong    = errors.New("record too long")
	ErrUnknown    = errors.New("unrecognised format")
	ErrNoPosition = errors.New("no position columns")
	// ErrUnsupported: the input's format is recognised but geowarden
	// cannot rewrite it (HEIC photos): sanitize refuses it.
	ErrUnsupported = errors.New("format recognised but not supported")
)

// CheckPoint returns ErrNaN or ErrRange (wrapped with the values) when a
// position is not a finite WGS-84 coordinate. Codecs call it for every
// position they read.
func CheckPoint(lon, lat float64) error {
	if lon != lon || lat != lat || lon > 1e308 || lon < -1e308 || lat > 1e308 || lat < -1e308 {
		return fmt.Errorf("%w: lon %v, lat %v", ErrNaN, lon, lat)
	}
	if lat < -90 || lat > 90 {
		return fmt.Errorf("%w: latitude %v outside -90..90", ErrRange, lat)
	}
	if lon < -180 || lon > 180 {
		return fmt.Errorf("%w: longitude %v outside -180..180", ErrRange, lon)
	}
	return nil
}
