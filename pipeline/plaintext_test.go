package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/plaintext"
)

// textFolder writes a folder of files that no codec reads as records,
// beside one that the CSV codec reads, and returns it.
func textFolder(t *testing.T) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "in")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("packed at 50.0010, 10.0010\n"))
	zw.Close()
	for name, body := range map[string]string{
		"README":       "Drive logs.\nTaken at 50.0010, 10.0010 near the base; 51.0000, 11.0000 is far.\n",
		"NOTICE":       "Licensed under the terms below.\n",
		"notes.csv":    "label,note\nbase,\"at 50.0010, 10.0010\"\n",
		"track.csv":    "lat,lon\n51,11\n",
		"blob.bin":     "\x00\x01\x02 at 50.0010, 10.0010\n",
		"notes.txt.gz": gz.String(),
	} {
		if err := os.MkdirAll(in, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

// TestScanFound: in a folder, files that no codec reads as records and
// that hold text are read as plain text, each position inside a zone a
// finding with its file and line; binary files and files a codec reads
// are as with Scan.
func TestScanFound(t *testing.T) {
	in := textFolder(t)
	r := testRunner(t)
	r.PlainText = plaintext.Codec{}
	var got []string
	r.Options.Finding = func(f *geowarden.Finding) {
		got = append(got, fmt.Sprintf("%s:%d %s %s", filepath.Base(f.File), f.Line, f.Action, f.Detail))
	}
	for _, c := range []struct {
		name, text string
		err        error
		findings   []string
	}{
		{"README", "unrecognised format", nil, []string{"README:2 redact position written in text"}},
		{"NOTICE", "unrecognised format", nil, nil},
		{"notes.csv", "no position columns", nil, []string{"notes.csv:2 redact position written in text"}},
		{"notes.txt.gz", "unrecognised format", nil, []string{"notes.txt.gz:1 redact position written in text"}},
		{"track.csv", "", nil, nil},
		{"blob.bin", "", ErrUnrecognised, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got = nil
			_, text, err := r.ScanFound(context.Background(), filepath.Join(in, c.name))
			if !errors.Is(err, c.err) {
				t.Fatalf("err %v, want %v", err, c.err)
			}
			if !strings.Contains(text, c.text) || (c.text == "") != (text == "") {
				t.Errorf("text %q, want %q", text, c.text)
			}
			if !slices.Equal(got, c.findings) {
				t.Errorf("findings %q, want %q", got, c.findings)
			}
		})
	}
	r.PlainText = nil
	if _, text, err := r.ScanFound(context.Background(), filepath.Join(in, "README")); !errors.Is(err, ErrUnrecognised) || text != "" {
		t.Errorf("without PlainText: %q, %v; want ErrUnrecognised", text, err)
	}
}

// leakyText is the plain-text codec with a faulty writer: it keeps every
// position it is asked to redact.
type leakyText struct{ plaintext.Codec }

func (c leakyText) Rewrite(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, opts *format.Options) error {
	return c.Codec.Rewrite(ctx, r, w, keepAll{h}, opts)
}

type keepAll struct{ format.Handler }

func (k keepAll) Record(rec *geowarden.Record) geowarden.Edit {
	k.Handler.Record(rec)
	return geowarden.Keep
}

// TestTreeText: sanitize of a folder copies the files that hold text and
// no records with the policy's text setting applied: redacted, refused or
// kept; the release check reads the copies; binary files are not copied.
func TestTreeText(t *testing.T) {
	in := textFolder(t)
	gunzip := func(b []byte) string {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		s, _ := io.ReadAll(zr)
		return string(s)
	}
	const gone = geowarden.RedactedText
	for _, c := range []struct {
		name  string
		mode  geowarden.TextMode
		codec format.Codec
		err   string
		files map[string]string // copies, as text
	}{
		{"redact", geowarden.TextRedact, plaintext.Codec{}, "", map[string]string{
			"README":       "Drive logs.\nTaken at " + gone + " near the base; 51.0000, 11.0000 is far.\n",
			"NOTICE":       "Licensed under the terms below.\n",
			"notes.csv":    "label,note\nbase,\"at " + gone + "\"\n",
			"notes.txt.gz": "packed at " + gone + "\n",
			"track.csv":    "lat,lon\n51,11\n",
		}},
		{"keep", geowarden.TextKeep, plaintext.Codec{}, "", map[string]string{
			"README":       "Drive logs.\nTaken at 50.0010, 10.0010 near the base; 51.0000, 11.0000 is far.\n",
			"NOTICE":       "Licensed under the terms below.\n",
			"notes.csv":    "label,note\nbase,\"at 50.0010, 10.0010\"\n",
			"notes.txt.gz": "packed at 50.0010, 10.0010\n",
			"track.csv":    "lat,lon\n51,11\n",
		}},
		{"refuse", geowarden.TextRefuse, plaintext.Codec{}, "input refused: a position written in text", nil},
		{"a copy that leaks", geowarden.TextRedact, leakyText{}, "sanitized output refused", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := testRunner(t)
			r.Engine.Text = c.mode
			r.PlainText = c.codec
			out := filepath.Join(t.TempDir(), "out")
			_, skipped, err := r.SanitizeTree(context.Background(), in, out, nil)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				if _, err := os.Stat(out); err == nil {
					t.Error("the output folder was made")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			ents, _ := os.ReadDir(out)
			for _, e := range ents {
				b, _ := os.ReadFile(filepath.Join(out, e.Name()))
				if strings.HasSuffix(e.Name(), ".gz") {
					got[e.Name()] = gunzip(b)
				} else {
					got[e.Name()] = string(b)
				}
			}
			for name, want := range c.files {
				if got[name] != want {
					t.Errorf("%s: %q, want %q", name, got[name], want)
				}
			}
			if len(got) != len(c.files) {
				t.Errorf("copies %v, want %d", slices.Sorted(maps.Keys(got)), len(c.files))
			}
			reasons := map[string]string{}
			for _, s := range skipped {
				reasons[filepath.Base(s.Path)] = s.Reason
			}
			for name, want := range map[string]string{
				"README":       "copied as plain text",
				"NOTICE":       "copied as plain text",
				"notes.csv":    "no position columns",
				"notes.txt.gz": "copied as plain text",
				"blob.bin":     "not copied",
			} {
				if !strings.Contains(reasons[name], want) {
					t.Errorf("%s listed with %q, want %q", name, reasons[name], want)
				}
			}
			if _, ok := reasons["track.csv"]; ok {
				t.Error("track.csv is listed as skipped")
			}
		})
	}
}
