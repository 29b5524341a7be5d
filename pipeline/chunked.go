package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/verify"
)

// PieceSize is the size of the pieces a large input is cut into for
// parallel processing. Memory stays bounded by about 3 pieces per worker
// (input, output, findings), whatever the size of the input.
var PieceSize = 4 << 20

// piece is one cut of the input and, once processed, its results.
type piece struct {
	data     []byte // preamble + the piece's bytes
	line     int    // global line number of the piece's first line
	off      int64  // global offset of the piece's first byte
	out      bytes.Buffer
	findings []geowarden.Finding
	leak     error // what the independent check found in out, offsets from the end of the preamble
	stats    geowarden.Stats
	err      error
	done     chan struct{}
}

// shifter moves the references a codec gives, local to one piece, to
// where they stand in the whole input.
type shifter struct {
	h      *handler
	lines  int   // lines of the preamble, which the codec counts first
	preLen int64 // bytes of the preamble
	line   int
	off    int64
	// shifted is the last error Bad handed back: already global, not to
	// be shifted again when the codec returns it.
	shifted *format.ParseError
}

func (s *shifter) line2(l int) int {
	if l <= s.lines {
		return l
	}
	return l - s.lines + s.line - 1
}

func (s *shifter) off2(o int64) int64 {
	if o < s.preLen {
		return o
	}
	return o - s.preLen + s.off
}

func (s *shifter) Record(rec *geowarden.Record) geowarden.Edit {
	ref := rec.Ref
	if ref.Line > 0 {
		rec.Ref.Line = s.line2(ref.Line)
	}
	rec.Ref.Offset = s.off2(ref.Offset)
	ed := s.h.Record(rec)
	rec.Ref = ref
	return ed
}

func (s *shifter) Bad(err *format.ParseError) error {
	e := *err
	if e.Line > 0 {
		e.Line = s.line2(e.Line)
	}
	if e.Offset >= 0 {
		e.Offset = s.off2(e.Offset)
	}
	s.shifted = &e
	return s.h.Bad(&e)
}

func (s *shifter) Notice(n *format.Notice) {
	m := *n
	if m.Ref.Line > 0 {
		m.Ref.Line = s.line2(m.Ref.Line)
	}
	m.Ref.Offset = s.off2(m.Ref.Offset)
	s.h.Notice(&m)
}

// runChunked runs a Chunker codec over in (buffered with at least 1 MiB) in pieces on several cores, in
// verify (recheck) mode or not, writing the pieces' outputs to w (nil to scan) and
// findings to opts.Finding in input order. ok is false, and nothing is
// read, when the input cannot be cut: the caller then runs it whole.
func (r *Runner) runChunked(ctx context.Context, c format.Codec, ch format.Chunker, in *bufio.Reader,
	w io.Writer, opts Options, recheck bool, workers int) (st geowarden.Stats, ok bool, err error) {
	head, perr := in.Peek(1 << 20)
	if perr != nil && perr != io.EOF && !errors.Is(perr, bufio.ErrBufferFull) {
		return st, false, perr
	}
	n, ok := ch.Preamble(head, perr == io.EOF, &opts.Format)
	if !ok {
		return st, false, nil
	}
	preamble := append([]byte(nil), head[:n]...)
	if _, err := in.Discard(n); err != nil {
		return st, true, err
	}
	preLines := bytes.Count(preamble, []byte{'\n'})
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	pieces := make(chan *piece, workers)
	work := make(chan *piece, workers)
	// Pieces' input and output buffers go round: at most a few pieces are
	// in flight, and a fresh 4 MiB buffer per piece costs more to clear
	// and collect than the codec takes to read it.
	// Findings are only valid during Options.Finding, so their slices go
	// round too.
	ins, outs := newRing[byte](workers+2), newRing[byte](workers+2)
	finds := newRing[geowarden.Finding](workers + 2)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range work {
				r.runPiece(ctx, c, p, preamble, preLines, w != nil, opts, recheck)
				close(p.done)
			}
		}()
	}
	// Cutter: reads the input, cuts it at record boundaries, and queues
	// pieces in order.
	var cutErr error
	go func() {
		defer close(work)
		defer close(pieces)
		line, off := preLines+1, int64(n)
		var carry []byte
		for {
			buf := ins.get(len(preamble) + len(carry) + PieceSize)
			buf = append(buf, preamble...)
			buf = append(buf, carry...)
			m, rerr := io.ReadFull(in, buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+m]
			eof := rerr == io.EOF || errors.Is(rerr, io.ErrUnexpectedEOF)
			if rerr != nil && !eof {
				cutErr = rerr
				return
			}
			body := buf[len(preamble):]
			cut := len(body)
			if !eof {
				cut = ch.Boundary(preamble, body, &opts.Format)
				if cut == 0 {
					// No record ends in this piece: read on, up to the
					// codec's record cap.
					if len(body) > 64<<20 {
						cutErr = fmt.Errorf("%s: a record longer than %d bytes at line %d", opts.Format.Name, 64<<20, line)
						return
					}
					carry = body
					continue
				}
			}
			carry = append([]byte(nil), body[cut:]...)
			p := &piece{data: buf[:len(preamble)+cut], line: line, off: off, done: make(chan struct{})}
			if w != nil {
				p.out = *bytes.NewBuffer(outs.get(len(p.data) + len(p.data)/8))
			}
			p.findings = finds.get(0)
			line += bytes.Count(body[:cut], []byte{'\n'})
			off += int64(cut)
			// Cancelled, the cutter stops with the context's error: the
			// pieces queued so far are not the whole input.
			select {
			case pieces <- p:
			case <-ctx.Done():
				cutErr = ctx.Err()
				return
			}
			select {
			case work <- p:
			case <-ctx.Done():
				cutErr = ctx.Err()
				return
			}
			if eof {
				return
			}
		}
	}()

	// Collector: results in input order.
	first := true
	var written int64 // bytes of the output after the preamble
	if w != nil && opts.check != nil {
		if lerr := opts.check.Check(preamble, 0); lerr != nil {
			return st, true, fmt.Errorf("sanitized output refused: %w", lerr)
		}
	}
	for p := range pieces {
		// Once the run is cancelled (a piece failed), a queued piece may
		// never reach a worker: do not wait for it.
		done := false
		if err == nil {
			select {
			case <-p.done:
				done = true
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		if err == nil {
			if p.err != nil {
				err = p.err
				cancel()
			} else {
				st.Add(p.stats)
				if opts.Finding != nil {
					for i := range p.findings {
						opts.Finding(&p.findings[i])
					}
				}
				if w != nil && p.leak != nil {
					var le *verify.LeakError
					if errors.As(p.leak, &le) {
						le.Offset += int64(len(preamble)) + written
					}
					err = fmt.Errorf("sanitized output refused: %w", p.leak)
					cancel()
				} else if w != nil {
					out := p.out.Bytes()
					if !bytes.HasPrefix(out, preamble) {
						err = fmt.Errorf("%s: piece at line %d: the %s codec did not write the preamble back unchanged", opts.Format.Name, p.line, c.Name())
						cancel()
					} else {
						written += int64(len(out) - len(preamble))
						if !first {
							out = out[len(preamble):]
						}
						if _, werr := w.Write(out); werr != nil {
							err = werr
							cancel()
						}
					}
				}
				first = false
			}
		}
		if done {
			// Let the piece's memory go; a piece not waited for may still
			// be in a worker's hands and is left to the garbage collector.
			ins.put(p.data)
			outs.put(p.out.Bytes())
			clear(p.findings)
			finds.put(p.findings)
			p.data, p.findings = nil, nil
			p.out = bytes.Buffer{}
		}
	}
	wg.Wait()
	if err == nil {
		err = cutErr
	}
	if err == nil && first && w != nil {
		// An input with a preamble and no records.
		_, err = w.Write(preamble)
	}
	return st, true, err
}

func (r *Runner) runPiece(ctx context.Context, c format.Codec, p *piece, preamble []byte, preLines int,
	write bool, opts Options, recheck bool) {
	if ctx.Err() != nil {
		p.err = ctx.Err()
		return
	}
	o := opts
	o.Finding = func(f *geowarden.Finding) { p.findings = append(p.findings, *f) }
	h := r.Engine.newHandler(o, recheck)
	s := &shifter{h: h, lines: preLines, preLen: int64(len(preamble)), line: p.line, off: p.off}
	var w io.Writer
	if write {
		p.out.Grow(len(p.data) + len(p.data)/8)
		w = &p.out
	}
	fo := opts.Format
	err := c.Rewrite(ctx, bytes.NewReader(p.data), w, s, &fo)
	var pe *format.ParseError
	if errors.As(err, &pe) && pe != s.shifted {
		if pe.Line > 0 {
			pe.Line = s.line2(pe.Line)
		}
		if pe.Offset >= 0 {
			pe.Offset = s.off2(pe.Offset)
		}
	}
	p.stats, p.err = h.finish(err)
	if p.err == nil && write && opts.check != nil {
		if body := p.out.Bytes(); len(body) >= len(preamble) {
			p.leak = opts.check.Check(body[len(preamble):], 0)
		}
	}
}

// ring is a bounded free list of slices.
type ring[T any] chan []T

func newRing[T any](n int) ring[T] { return make(ring[T], n) }

// get returns an empty slice with room for at least n elements.
func (r ring[T]) get(n int) []T {
	select {
	case b := <-r:
		if cap(b) >= n {
			return b[:0]
		}
	default:
	}
	return make([]T, 0, n)
}

// put gives b back once nothing refers to it any more.
func (r ring[T]) put(b []T) {
	if cap(b) == 0 {
		return
	}
	select {
	case r <- b[:0]:
	default:
	}
}
