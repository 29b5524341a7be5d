package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	"github.com/geowarden/geowarden/store"
)

// fileTarget appends a route's messages to rotating NDJSON files in a
// folder: one line per message, {"route", "time", "type", "body"}, the
// body as JSON when it is a JSON value and as a string otherwise; a body
// whose every line is a JSON value (NDJSON) gives one line per line. A
// file is synced before Send returns, and a new one is started when it
// passes MaxFileBytes or the UTC day changes.
type fileTarget struct {
	dir   string
	route string
	store store.Outbox
	max   int64

	f    *os.File
	size int64
	day  string
	seq  int
}

// maxFileBytes is the size at which a file target starts a new file.
const maxFileBytes = 64 << 20

func newFileTarget(dir, route string, s store.Outbox) (*fileTarget, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &fileTarget{dir: dir, route: route, store: s, max: maxFileBytes}, nil
}

type envelope struct {
	Route string          `json:"route"`
	Time  time.Time       `json:"time"`
	Type  string          `json:"type,omitempty"`
	Body  json.RawMessage `json:"body"`
}

func (t *fileTarget) Send(ctx context.Context, msgs []store.Message) error {
	if err := t.open(); err != nil {
		return err
	}
	w := &countWriter{w: bufio.NewWriterSize(t.f, 256<<10)}
	for i := range msgs {
		if err := t.write(w, &msgs[i]); err != nil {
			t.size += w.n
			return err
		}
	}
	t.size += w.n
	if err := w.w.Flush(); err != nil {
		return err
	}
	return t.f.Sync()
}

type countWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// maxJSONLine is the longest line of a body that is written as a JSON
// value of its own.
const maxJSONLine = 16 << 20

// write writes the lines of one message, reading its body as a stream.
func (t *fileTarget) write(w io.Writer, m *store.Message) error {
	e := envelope{Route: t.route, Time: m.Created, Type: m.Type}
	lines, err := t.isJSONLines(m)
	if err != nil {
		return err
	}
	rc, err := body(t.store, m)
	if err != nil {
		return err
	}
	defer rc.Close()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if lines {
		br := bufio.NewReaderSize(rc, 64<<10)
		for {
			l, err := readLine(br)
			if len(l) > 0 {
				e.Body = l
				if err := enc.Encode(&e); err != nil {
					return err
				}
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}
	// The body as one JSON string, escaped piece by piece.
	e.Body = json.RawMessage(`""`)
	head, _ := json.Marshal(&e)
	head = bytes.TrimSuffix(head, []byte(`""}`))
	if _, err := w.Write(append(head, '"')); err != nil {
		return err
	}
	buf := make([]byte, 64<<10)
	var carry []byte
	for {
		n, rerr := rc.Read(buf[len(carry):])
		chunk := buf[:len(carry)+n]
		cut := len(chunk)
		if rerr == nil {
			// Keep an incomplete UTF-8 sequence for the next piece.
			for k := 1; k <= 3 && k <= len(chunk); k++ {
				if utf8.RuneStart(chunk[len(chunk)-k]) {
					if !utf8.FullRune(chunk[len(chunk)-k:]) {
						cut = len(chunk) - k
					}
					break
				}
			}
		}
		q, _ := json.Marshal(string(chunk[:cut]))
		if _, err := w.Write(q[1 : len(q)-1]); err != nil {
			return err
		}
		carry = append(carry[:0], chunk[cut:]...)
		copy(buf, carry)
		if rerr == io.EOF {
			_, err := w.Write([]byte("\"}\n"))
			return err
		}
		if rerr != nil {
			return rerr
		}
	}
}

// isJSONLines reports whether every line of m's body that is not blank is
// a JSON value of at most maxJSONLine bytes (NDJSON, GeoJSON text
// sequences).
func (t *fileTarget) isJSONLines(m *store.Message) (bool, error) {
	rc, err := body(t.store, m)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	some := false
	for {
		l, err := readLine(br)
		if err != nil && err != io.EOF {
			if err == errLongLine {
				return false, nil
			}
			return false, err
		}
		if len(l) > 0 {
			if !json.Valid(l) {
				return false, nil
			}
			some = true
		}
		if err == io.EOF {
			return some, nil
		}
	}
}

var errLongLine = errors.New("line too long")

// readLine returns the next line, trimmed of white space and of a text
// sequence's record separator; io.EOF with the last one.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > maxJSONLine {
			return nil, errLongLine
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimSpace(bytes.TrimLeft(bytes.TrimSpace(line), "\x1e")), err
	}
}

// open opens the file to append to, starting a new one when the current
// one is full or of another day.
func (t *fileTarget) open() error {
	day := time.Now().UTC().Format("20060102")
	if t.f != nil && t.size < t.max && t.day == day {
		return nil
	}
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
	for {
		t.seq++
		name := filepath.Join(t.dir, fmt.Sprintf("%s-%s-%s-%04d.ndjson", t.route, day, time.Now().UTC().Format("150405"), t.seq))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
		if os.IsExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		if d, err := os.Open(t.dir); err == nil {
			d.Sync()
			d.Close()
		}
		t.f, t.size, t.day = f, 0, day
		return nil
	}
}

func (t *fileTarget) Close() error {
	if t.f == nil {
		return nil
	}
	err := t.f.Close()
	t.f = nil
	return err
}
