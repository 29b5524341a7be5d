package nmea

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/geowarden/geowarden/format"
)

// DefaultMaxLine is the longest line, in bytes without its terminator,
// when format.Options.MaxRecordBytes is 0. NMEA sentences are at most 82
// bytes; longer text lines are bad records.
const DefaultMaxLine = 4096

// Limits on one epoch, the sentences held until its positions are decided.
// An epoch that grows past them is written in parts (see the package
// documentation).
const (
	MaxEpochSentences = 1024
	MaxEpochBytes     = 256 << 10
)

// Codec reads and rewrites NMEA 0183 logs. The zero value is ready to use.
type Codec struct {
	// DropBinary removes binary data found between sentences (u-blox UBX,
	// SiRF, RTCM 3, Ashtech and other frames, or garbage) from the output.
	// When false, binary data is written back unchanged. Either way every
	// run of binary data is reported with a format.Notice of kind "binary",
	// whose Dropped field says which.
	DropBinary bool
	// KeepUnreadable lets pass the sentences that may hold a position this
	// package cannot read (see the package documentation); when false,
	// they are removed. Either way each is reported with a format.Notice
	// of kind "unreadable", whose Dropped field says which.
	KeepUnreadable bool
}

var _ format.Codec = Codec{}

// Name returns "nmea".
func (Codec) Name() string { return "nmea" }

// nmeaExt are the file name extensions of NMEA logs.
var nmeaExt = map[string]bool{".nmea": true, ".nma": true, ".log": true, ".txt": true}

var bom = []byte("\xEF\xBB\xBF")

// maxDetectText is how many text lines that are not sentences Detect
// skips in a file with an NMEA extension.
const maxDetectText = 10

// Detect reports whether an input is an NMEA log: its first line that is
// not empty, not a '#' comment and not binary data starts like a sentence
// ('$' and five to eight capital letters or digits and a comma, or '!' and
// five, as in !AIVDM), or a sentence starts inside the binary data before
// it. With the extension .nmea, .nma, .log or .txt, up to ten other text
// lines may come before the first sentence (a title, a device banner).
func (Codec) Detect(name string, head []byte) bool {
	ext := nmeaExt[strings.ToLower(filepath.Ext(name))]
	text := 0
	for len(head) > 0 {
		line := head
		if i := eol(head); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = bytes.TrimLeft(bytes.TrimPrefix(line, bom), " \t")
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if !isText(line) {
			for i, c := range line {
				if (c == '$' || c == '!') && looksLikeSentence(line[i:]) {
					return true
				}
			}
			continue
		}
		if looksLikeSentence(line) {
			return true
		}
		if text++; !ext || text > maxDetectText {
			return false
		}
	}
	return false
}

// looksLikeSentence reports whether b starts with a sentence's address and
// a comma.
func looksLikeSentence(b []byte) bool {
	lo, hi := 5, 8
	if b[0] == '!' {
		hi = 5
	}
	n := 0
	for _, c := range b[1:] {
		if c == ',' {
			break
		}
		if !('A' <= c && c <= 'Z' || n > 0 && '0' <= c && c <= '9') {
			return false
		}
		n++
	}
	return n >= lo && n <= hi && len(b) > n+1
}

// isText reports whether a line is text: no control bytes but tab, and
// valid UTF-8.
func isText(b []byte) bool {
	high := false
	for _, c := range b {
		switch {
		case c < 0x20:
			if c != '\t' {
				return false
			}
		case c == 0x7F:
			return false
		case c >= 0x80:
			high = true
		}
	}
	return !high || utf8.Valid(b)
}

// Rewrite reads an NMEA log from r, calls h for each position and, when w
// is not nil, writes r to w with the edits applied. See the package
// documentation.
func (c Codec) Rewrite(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, opts *format.Options) error {
	if opts == nil {
		opts = &format.Options{}
	}
	limit := opts.MaxRecordBytes
	if limit <= 0 {
		limit = DefaultMaxLine
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rw := &rewriter{
		ctx:        ctx,
		h:          h,
		name:       opts.Name,
		dropBinary: c.DropBinary || opts.DropBinary,
		keepUnread: c.KeepUnreadable || opts.KeepUnreadable,
		lx:         newLexer(r, limit),
	}
	rw.attrs.rw = rw
	if w != nil {
		rw.out = bufio.NewWriterSize(w, 32<<10)
	}
	if err := rw.run(); err != nil {
		return err
	}
	if rw.out != nil {
		if err := rw.out.Flush(); err != nil {
			return fmt.Errorf("nmea: writing %s: %w", rw.name, err)
		}
	}
	return nil
}
