package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/verify"
)

// noteCodec reads lines "lon lat | note" where a note of the form "at
// LON LAT" holds a position written in text, and writes the lines back
// with the edits: dropped lines go, redacted notes lose their position.
// With leak set it writes notes unredacted, as a faulty codec would.
type noteCodec struct{ leak bool }

func (noteCodec) Name() string               { return "note" }
func (noteCodec) Detect(string, []byte) bool { return true }
func (c noteCodec) Rewrite(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, _ *format.Options) error {
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		pos, note, _ := strings.Cut(text, " | ")
		var rec geowarden.Record
		rec.Ref = geowarden.Ref{File: "notes", Line: line, Feature: -1}
		f := strings.Fields(pos)
		lon, _ := strconv.ParseFloat(f[0], 64)
		lat, _ := strconv.ParseFloat(f[1], 64)
		rec.Shape, rec.Pos, rec.Kind = geowarden.ShapePoint, geowarden.Point{Lon: lon, Lat: lat}, geowarden.KindImage
		if rest, ok := strings.CutPrefix(note, "at "); ok {
			g := strings.Fields(rest)
			tlon, _ := strconv.ParseFloat(g[0], 64)
			tlat, _ := strconv.ParseFloat(g[1], 64)
			rec.Text = []geowarden.TextPos{{Pos: geowarden.Point{Lon: tlon, Lat: tlat}, Field: "note", Start: 0, End: len(note)}}
		}
		ed := h.Record(&rec)
		if w == nil || ed.Drop {
			continue
		}
		if len(ed.Redact) > 0 && !c.leak {
			note = geowarden.RedactedText
		}
		fmt.Fprintf(w, "%s | %s\n", pos, note)
	}
	return sc.Err()
}

// TestTextPositions: positions written in text are redacted, refused or
// kept as the engine's text mode says, each is a finding, and the re-scan
// of the sanitized output fails when a codec leaves one in place.
func TestTextPositions(t *testing.T) {
	const in = "11 51 | nothing\n11 51 | at 10 50\n11 51 | at 12 52\n"
	for _, c := range []struct {
		mode     geowarden.TextMode
		leak     bool
		out      string
		err      string
		findings int
	}{
		{geowarden.TextRedact, false, "11 51 | nothing\n11 51 | " + geowarden.RedactedText + "\n11 51 | at 12 52\n", "", 1},
		{geowarden.TextRefuse, false, "", "text: refuse", 1},
		{geowarden.TextKeep, false, in, "", 1},
		{geowarden.TextRedact, true, "", "re-scan of the sanitized output", 1},
	} {
		t.Run(fmt.Sprintf("mode %d leak %v", c.mode, c.leak), func(t *testing.T) {
			r := testRunner(t)
			r.Engine.Text = c.mode
			r.Formats = format.NewRegistry(format.Entry{Codec: noteCodec{leak: c.leak}})
			var got []geowarden.Finding
			r.Options.Finding = func(f *geowarden.Finding) { got = append(got, *f) }
			var out strings.Builder
			_, err := r.SanitizeStream(context.Background(), "notes", strings.NewReader(in), &out)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one that says %q", err, c.err)
				}
				if c.mode == geowarden.TextRefuse && !errors.As(err, new(*BlockedError)) {
					t.Errorf("err = %T, want a *BlockedError", err)
				}
				if out.Len() != 0 {
					t.Errorf("%d bytes written despite the error", out.Len())
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if c.err == "" && out.String() != c.out {
				t.Errorf("output %q, want %q", out.String(), c.out)
			}
			if len(got) != c.findings {
				t.Fatalf("%d findings, want %d: %+v", len(got), c.findings, got)
			}
			if f := got[0]; f.Line != 2 || f.Detail != "position written in note" || *f.Lat != 50 || len(f.Zones) != 1 {
				t.Errorf("finding %+v: want line 2, the note, the text's position and its zone", f)
			}
		})
	}
}

// noteChunks is noteCodec cut in pieces at line ends, so that a run can
// take it on several cores.
type noteChunks struct{ noteCodec }

func (noteChunks) Preamble([]byte, bool, *format.Options) (int, bool) { return 0, true }
func (noteChunks) Boundary(_, buf []byte, _ *format.Options) int {
	return bytes.LastIndexByte(buf, '\n') + 1
}

// TestIndependentCheck: a codec that leaves a position inside a protected
// zone in its output is caught by the check of the output's bytes while
// they are written (package verify), whole or in pieces on several cores,
// and nothing is released.
func TestIndependentCheck(t *testing.T) {
	var in strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&in, "11 51 | row %d\n", i)
	}
	in.WriteString("11 51 | at 10.00100 50.00100\n") // lon lat of a point in the zone
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&in, "11 51 | row %d\n", i)
	}
	for _, c := range []struct {
		name   string
		codec  format.Codec
		pieces int
	}{
		{"whole", noteCodec{leak: true}, 1},
		{"in pieces", noteChunks{noteCodec{leak: true}}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			PieceSize = 64 << 10
			defer func() { PieceSize = 4 << 20 }()
			r := testRunner(t)
			r.PieceWorkers = c.pieces
			r.Formats = format.NewRegistry(format.Entry{Codec: c.codec})
			var out strings.Builder
			_, err := r.SanitizeStream(context.Background(), "notes", strings.NewReader(in.String()), &out)
			var le *verify.LeakError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want a *verify.LeakError", err)
			}
			if want := int64(strings.Index(in.String(), "10.00100")); le.Offset != want || le.ZoneID != "c" {
				t.Errorf("leak at byte %d in zone %q, want byte %d in zone c: %v", le.Offset, le.ZoneID, want, err)
			}
			if out.Len() != 0 {
				t.Errorf("%d bytes released", out.Len())
			}
			// Without the leak the same input is released.
			r.Formats = format.NewRegistry(format.Entry{Codec: noteCodec{}})
			if _, err := r.SanitizeStream(context.Background(), "notes", strings.NewReader(in.String()), &out); err != nil {
				t.Fatal(err)
			}
		})
	}
}
