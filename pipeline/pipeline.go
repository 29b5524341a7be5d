// Package pipeline wires the stages together: it finds inputs (files,
// folders, standard input, streams such as HTTP request bodies), recognises
// their format, takes every record through classify, decide, act and
// record (Engine), and writes sanitized outputs so that nothing is left
// half-written and nothing is released before it is scanned again. It is,
// with the command line and the server, the only package that imports
// across stages.
package pipeline

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/internal/safefile"
)

// Stdin is the path that names standard input.
const Stdin = "-"

// Runner runs inputs through an engine.
type Runner struct {
	Engine  *Engine
	Options Options
	// Formats holds the codecs that inputs are read with, in detection
	// order; all.Registry() of format/all has every codec geowarden has.
	// It must be set.
	Formats *format.Registry
	// Format forces a codec of Formats by name; "" recognises each input
	// by content.
	Format string
	// PlainText, when set, reads the files of a folder that no codec of
	// Formats reads as records (their format is not recognised, or they
	// have no position columns) and whose content it recognises as text:
	// ScanFound checks the positions written in them, PrepareTree copies
	// them with those positions handled as Engine.Text says. Other files
	// (binary ones) stay unread. format/plaintext is the codec for it.
	PlainText format.Codec
	// Stdin is read for the path "-"; nil means os.Stdin.
	Stdin io.Reader
	// MaxExpansion is how many times its stored size a gzip input may
	// expand to before it is refused; 0 means DefaultMaxExpansion.
	MaxExpansion int
	// FollowOutputSymlink lets SanitizeFile write to the file a symbolic
	// link at its output points to; by default such an output is refused.
	FollowOutputSymlink bool
	// SpoolDir is the folder where SanitizeStream holds the sanitized copy
	// of a stream while it is checked; "" means the system's temporary
	// folder.
	SpoolDir string
	// Workers is how many files a folder run processes at once; 0 means
	// one per CPU.
	Workers int
	// PieceWorkers is how many pieces of one large input (CSV) are
	// processed at once; 0 means one per CPU, 1 reads inputs whole.
	PieceWorkers int
	// Progress, when set, is called with the number of bytes read from an
	// input each time a buffer is filled (about every MiB), counted as
	// stored: compressed bytes for a gzip input. It is called from the
	// goroutines that read, several at once in a folder run. The re-scan
	// of a sanitized output is not counted.
	Progress func(n int64)
}

// DefaultMaxExpansion is how many times its stored size a compressed
// input may expand to: real location data compresses 5 to 20 times, a
// decompression bomb thousands of times.
const DefaultMaxExpansion = 200

// expansionFloor is what any compressed input may expand to, however
// small it is.
const expansionFloor = 64 << 20

// ErrExpansion is returned (wrapped) for a compressed input that expands
// past the limit.
var ErrExpansion = errors.New("expands past the limit")

// expansionLimit refuses a decompressed stream that grows past ratio times
// the compressed bytes read so far (plus expansionFloor).
type expansionLimit struct {
	r      io.Reader
	stored *int64
	out    int64
	ratio  int64
	name   string
}

func (e *expansionLimit) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.out += int64(n)
	if e.out > expansionFloor && e.out > e.ratio**e.stored {
		return 0, fmt.Errorf("%s: gzip: %w: %d bytes from %d compressed, more than %d times (raise it with --max-expansion)", e.name, ErrExpansion, e.out, *e.stored, e.ratio)
	}
	return n, err
}

// countingReader reports the bytes read through it to a progress function.
type countingReader struct {
	r        io.Reader
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.progress(int64(n))
	}
	return n, err
}

// chunker returns the codec's Chunker when inputs are to be cut.
func (r *Runner) chunker(c format.Codec) (format.Chunker, bool) {
	if r.PieceWorkers == 1 || (r.PieceWorkers <= 0 && runtime.GOMAXPROCS(0) < 2) {
		return nil, false
	}
	ch, ok := c.(format.Chunker)
	return ch, ok
}

// run reads one opened input through the engine, in pieces on several
// cores when its codec allows, whole otherwise.
func (r *Runner) run(ctx context.Context, c format.Codec, in io.Reader, w io.Writer, opts Options, verify bool) (geowarden.Stats, error) {
	if ch, ok := r.chunker(c); ok {
		br := bufio.NewReaderSize(in, 1<<20)
		st, ok, err := r.runChunked(ctx, c, ch, br, w, opts, verify, r.PieceWorkers)
		if ok {
			return st, err
		}
		in = br
	}
	if verify {
		return geowarden.Stats{}, r.Engine.Verify(ctx, c, in, opts.Format)
	}
	if opts.check == nil || w == nil {
		return r.Engine.Run(ctx, c, in, w, opts)
	}
	// The independent check reads the output's bytes as they are written.
	vw := opts.check.NewWriter(w)
	st, err := r.Engine.Run(ctx, c, in, vw, opts)
	if cerr := vw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("sanitized output refused: %w", cerr)
	}
	return st, err
}

// Skipped is an input that was not processed because its format is not
// recognised.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Inputs expands paths into the files to process: a file stands for
// itself, a folder for every regular file below it (sorted, hidden files
// and folders excluded), "-" for standard input. A symbolic link in a
// folder is followed when it leads to a regular file inside that folder;
// one that leads outside it, to a folder or nowhere, and any other file
// that is not a regular file (a FIFO, a device), is returned as skipped
// with the reason, never dropped silently.
func Inputs(paths []string) ([]string, []Skipped, error) {
	var out []string
	var skipped []Skipped
	for _, p := range paths {
		if p == Stdin {
			out = append(out, p)
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		root, err := filepath.EvalSymlinks(p)
		if err != nil {
			return nil, nil, err
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != p && len(d.Name()) > 0 && d.Name()[0] == '.' {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			switch t := d.Type(); {
			case t.IsRegular():
				files = append(files, path)
			case t&fs.ModeSymlink != 0:
				if why := linkProblem(root, path); why != "" {
					skipped = append(skipped, Skipped{Path: path, Reason: why})
				} else {
					files = append(files, path)
				}
			case !t.IsDir():
				skipped = append(skipped, Skipped{Path: path, Reason: "not a regular file (" + t.String() + ")"})
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		sort.Strings(files)
		out = append(out, files...)
	}
	return out, skipped, nil
}

// linkProblem says why the symbolic link at path is not followed, or ""
// when it leads to a regular file inside root.
func linkProblem(root, path string) string {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "symbolic link that leads nowhere"
	}
	rel, err := filepath.Rel(root, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "symbolic link that leads outside the folder (" + target + "); not followed"
	}
	st, err := os.Stat(target)
	if err != nil || !st.Mode().IsRegular() {
		return "symbolic link to something other than a file; not followed"
	}
	return ""
}

// ErrUnrecognised is returned (wrapped) for an input whose format no codec
// recognises.
var ErrUnrecognised = errors.New("unrecognised format")

// source is an opened input.
type source struct {
	codec  format.Codec
	r      io.Reader
	closer io.Closer
	gzip   bool // the input is gzip-compressed; r yields the decompressed bytes
}

func (s *source) Close() error { return s.closer.Close() }

var gzipMagic = []byte{0x1f, 0x8b}

// open opens an input, undoes gzip compression, and picks its codec.
func (r *Runner) open(path string) (*source, error) {
	if r.Formats == nil {
		return nil, errors.New("pipeline: Runner.Formats is nil (all.Registry() of format/all has every codec)")
	}
	var rc io.ReadCloser
	if path == Stdin {
		in := r.Stdin
		if in == nil {
			in = os.Stdin
		}
		rc = io.NopCloser(in)
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		rc = f
	}
	return r.openReader(path, rc, nil)
}

// errNotText: the content of a file is not text (PlainText does not
// recognise it).
var errNotText = errors.New("not text")

// asText opens a file that failed with cause, to read it as plain text
// (r.PlainText). It returns nil and cause when the file is not to be read
// so: a codec read it as records, or its content is not text.
func (r *Runner) asText(path string, cause error) (*source, error) {
	if !r.readsAsText(cause) {
		return nil, cause
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	src, err := r.openReader(path, f, r.PlainText)
	if errors.Is(err, errNotText) {
		return nil, cause
	}
	return src, err
}

// openReader undoes gzip compression of an opened input and picks its
// codec by the name (its extension) and the content; with force set, the
// codec is force when it recognises the content, else it fails with
// errNotText. It closes rc when it fails.
func (r *Runner) openReader(path string, rc io.ReadCloser, force format.Codec) (*source, error) {
	src := &source{closer: rc}
	var stored int64 // bytes read from the input as stored
	var in io.Reader = &countingReader{rc, func(n int64) {
		stored += n
		if r.Progress != nil {
			r.Progress(n)
		}
	}}
	br := bufio.NewReaderSize(in, 1<<20)
	name := path
	if head, _ := br.Peek(2); bytes.Equal(head, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("%s: gzip: %w", path, err)
		}
		zr.Multistream(true)
		src.gzip = true
		ratio := int64(r.MaxExpansion)
		if ratio <= 0 {
			ratio = DefaultMaxExpansion
		}
		src.r = &expansionLimit{r: zr, stored: &stored, ratio: ratio, name: path}
		name = strings.TrimSuffix(strings.TrimSuffix(path, ".gz"), ".GZ")
	} else {
		src.r = br
	}
	if force != nil {
		c, sr, err := format.NewRegistry(format.Entry{Codec: force}).Sniff(name, src.r)
		if err != nil || c == nil {
			rc.Close()
			return nil, cmp.Or(err, errNotText)
		}
		src.codec, src.r = c, sr
		return src, nil
	}
	if r.Format != "" {
		if src.codec = r.Formats.ByName(r.Format); src.codec == nil {
			rc.Close()
			return nil, fmt.Errorf("unknown format %q", r.Format)
		}
		return src, nil
	}
	c, sr, err := r.Formats.Sniff(name, src.r)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if c == nil {
		rc.Close()
		return nil, fmt.Errorf("%s: %w (supported: %s)", path, ErrUnrecognised, codecNames(r.Formats))
	}
	src.codec, src.r = c, sr
	return src, nil
}

func codecNames(formats *format.Registry) string {
	s := ""
	for i, c := range formats.Codecs() {
		if i > 0 {
			s += ", "
		}
		s += c.Name()
	}
	return s
}

func (r *Runner) options(path string) Options {
	o := r.Options
	o.Format.Name = path
	return o
}

// Scan runs one input through the engine without writing anything.
func (r *Runner) Scan(ctx context.Context, path string) (geowarden.Stats, error) {
	src, err := r.open(path)
	if err != nil {
		return geowarden.Stats{}, err
	}
	defer src.Close()
	return r.run(ctx, src.codec, src.r, nil, r.options(path), false)
}

// readsAsText reports whether a file that failed with err is to be read
// as plain text: no codec reads it as records.
func (r *Runner) readsAsText(err error) bool {
	return r.PlainText != nil && (errors.Is(err, ErrUnrecognised) || errors.Is(err, format.ErrNoPosition))
}

// noRecords says why no codec read a file as records, from its error.
func noRecords(err error) string {
	if errors.Is(err, ErrUnrecognised) {
		return "unrecognised format"
	}
	return err.Error()
}

// ScanFound is Scan for a file found in a folder. A file that no codec
// reads as records (ErrUnrecognised, format.ErrNoPosition) and whose
// content r.PlainText recognises as text is scanned as plain text, for
// the positions written in it: text then says why no codec read it (it is
// "" when a codec did). A file that is not text fails as Scan does.
func (r *Runner) ScanFound(ctx context.Context, path string) (st geowarden.Stats, text string, err error) {
	st, err = r.Scan(ctx, path)
	if err == nil {
		return st, "", nil
	}
	src, terr := r.asText(path, err)
	if src == nil {
		return st, "", terr
	}
	defer src.Close()
	st, terr = r.run(ctx, src.codec, src.r, nil, r.options(path), false)
	return st, noRecords(err), terr
}

// Read runs one input's records through h, writing nothing: the reader
// for stages that are not the sanitize engine (campaign detection). The
// codec is picked as for Scan; gzip is undone.
func (r *Runner) Read(ctx context.Context, path string, h format.Handler) error {
	src, err := r.open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	opts := r.options(path).Format
	return src.codec.Rewrite(ctx, src.r, nil, h, &opts)
}

// ScanStream runs a stream (an HTTP request body, a pipe) through the
// engine without writing anything. name stands for the stream in findings
// and errors, and its extension helps to recognise the format.
func (r *Runner) ScanStream(ctx context.Context, name string, in io.Reader) (geowarden.Stats, error) {
	src, err := r.openReader(name, io.NopCloser(in), nil)
	if err != nil {
		return geowarden.Stats{}, err
	}
	return r.run(ctx, src.codec, src.r, nil, r.options(name), false)
}

// SanitizeStream writes the sanitized copy of a stream to w, in the
// stream's format. The copy is spooled to a temporary file that has no
// name (it is removed as soon as it is created, so nothing outlives the
// process), scanned again, and copied to w only when that scan is clean:
// on any error nothing at all has been written to w. Only the sanitized
// copy is spooled, never the input. name stands for the stream in
// findings and errors, and its extension helps to recognise the format.
func (r *Runner) SanitizeStream(ctx context.Context, name string, in io.Reader, w io.Writer) (geowarden.Stats, error) {
	src, err := r.openReader(name, io.NopCloser(in), nil)
	if err != nil {
		return geowarden.Stats{}, err
	}
	tmp, err := safefile.Scratch(r.SpoolDir)
	if err != nil {
		return geowarden.Stats{}, err
	}
	defer tmp.Close()
	st, err := r.sanitizeInto(ctx, src, name, name, tmp)
	if err != nil {
		return st, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return st, err
	}
	_, err = io.Copy(w, tmp)
	return st, err
}

// sanitizeInto writes the sanitized copy of src to tmp and scans it again
// from tmp: the copy is good only when it returns nil. in and out name the
// input and the output in findings and errors.
func (r *Runner) sanitizeInto(ctx context.Context, src *source, in, out string, tmp *os.File) (geowarden.Stats, error) {
	bw := bufio.NewWriterSize(safefile.WriteBehind(tmp), 1<<20)
	var w io.Writer = bw
	var zw *gzip.Writer
	if src.gzip {
		zw = gzip.NewWriter(bw)
		w = zw
	}
	opts := r.options(in)
	opts.check = r.Engine.verifier()
	st, err := r.run(ctx, src.codec, src.r, w, opts, false)
	if err != nil {
		return st, err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return st, err
		}
	}
	if err := bw.Flush(); err != nil {
		return st, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return st, err
	}
	var check io.Reader = bufio.NewReaderSize(tmp, 1<<20)
	if src.gzip {
		zr, err := gzip.NewReader(check)
		if err != nil {
			return st, fmt.Errorf("sanitized output refused: %w", err)
		}
		check = zr
	}
	if _, err := r.run(ctx, src.codec, check, nil, Options{Format: r.options(out).Format}, true); err != nil {
		return st, fmt.Errorf("sanitized output refused: %w", err)
	}
	return st, nil
}

// SanitizeFile writes the sanitized copy of in to out. The copy is written
// to a file that has no name (safefile), scanned again, and linked into
// place at out only when that scan is clean: on any error, and whatever
// ends the process, nothing is left at out or beside it, and an old out is
// untouched. An out that exists and is not a regular file is refused.
func (r *Runner) SanitizeFile(ctx context.Context, in, out string) (geowarden.Stats, error) {
	f, err := safefile.Create(out, safefile.Options{Mode: InputMode(in), FollowSymlink: r.FollowOutputSymlink})
	if err != nil {
		return geowarden.Stats{}, err
	}
	defer f.Abort()
	st, err := r.SanitizeInto(ctx, in, f.File())
	if err != nil {
		return st, err
	}
	return st, f.Commit()
}

// InputMode returns the permission bits a sanitized copy of the input
// path gets: the input's, or 0644 for standard input.
func InputMode(path string) fs.FileMode {
	if path != Stdin {
		if st, err := os.Stat(path); err == nil {
			return st.Mode().Perm()
		}
	}
	return 0o644
}

// SanitizeInto writes the sanitized copy of in to tmp, an empty file
// opened for reading and writing, and scans it again from there: the copy
// is good only when it returns nil. The caller decides where the copy
// goes (safefile commits it, or it is copied to standard output).
func (r *Runner) SanitizeInto(ctx context.Context, in string, tmp *os.File) (geowarden.Stats, error) {
	src, err := r.open(in)
	if err != nil {
		return geowarden.Stats{}, err
	}
	defer src.Close()
	return r.sanitizeInto(ctx, src, in, in, tmp)
}

// SanitizeTree sanitizes every file below the folder in into a folder out
// of the same shape: PrepareTree, then Tree.Commit.
func (r *Runner) SanitizeTree(ctx context.Context, in, out string, each func(path string)) (geowarden.Stats, []Skipped, error) {
	t, total, skipped, err := r.PrepareTree(ctx, in, out)
	if err != nil {
		return total, skipped, err
	}
	defer t.Abort()
	if err := t.Commit(); err != nil {
		return total, skipped, err
	}
	if each != nil {
		for _, c := range t.copies {
			each(c.path)
		}
	}
	return total, skipped, nil
}

// Tree is the sanitized copy of a folder, prepared and not yet in place.
type Tree struct {
	out    string
	tmpDir string // the hidden folder the copies are named in: from the start for a large tree, from Commit for a small one
	copies []treeCopy
	done   bool
}

type treeCopy struct {
	path, rel string
	f         *safefile.File
	text      bool // copied as plain text
}

// Files returns the paths of the inputs read as records whose copies the
// tree holds, in input order. Files copied as plain text are not among
// them: PrepareTree returns them as skipped.
func (t *Tree) Files() []string {
	var out []string
	for _, c := range t.copies {
		if !c.text {
			out = append(out, c.path)
		}
	}
	return out
}

// PrepareTree sanitizes every file below the folder in, several files at a
// time, for a folder out of the same shape. Each sanitized copy is written
// to a file with no name in out's parent folder; Commit makes out and
// links every copy into place, Abort drops them: a run that fails, or is
// killed, before Commit leaves no folder and no file behind (on Linux; see
// package safefile). Trees of more than MaxAnonymousFiles files are built
// in a hidden temporary folder beside out instead, renamed into place by
// Commit. Files that no codec reads as records are copied as plain text
// when r.PlainText recognises them (see sanitizeFound), and returned as
// skipped with the reason either way; other files in no recognised
// format (binary files) are not copied.
func (r *Runner) PrepareTree(ctx context.Context, in, out string) (*Tree, geowarden.Stats, []Skipped, error) {
	var total geowarden.Stats
	if st, err := os.Lstat(out); err == nil {
		if !st.IsDir() {
			return nil, total, nil, fmt.Errorf("%s exists and is not a folder", out)
		}
		if ents, _ := os.ReadDir(out); len(ents) > 0 {
			return nil, total, nil, fmt.Errorf("%s exists and is not empty; name a new folder", out)
		}
	}
	files, skippedLinks, err := Inputs([]string{in})
	if err != nil {
		return nil, total, nil, err
	}
	t := &Tree{out: out}
	ok := false
	defer func() {
		if !ok {
			t.Abort()
		}
	}()
	parent := filepath.Dir(filepath.Clean(out))
	dir := parent
	if len(files) > MaxAnonymousFiles {
		if t.tmpDir, err = os.MkdirTemp(parent, "."+filepath.Base(out)+".geowarden-*"); err != nil {
			return nil, total, nil, err
		}
		dir = t.tmpDir
	}
	skipped := skippedLinks
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var firstErr error
	var mu sync.Mutex
	made := map[string]*safefile.File{}
	texts := map[string]string{} // files copied as plain text: why no codec read them
	r.Each(ctx, files, r.Workers, func(ctx context.Context, rr *Runner, f string) (geowarden.Stats, error) {
		if _, err := filepath.Rel(in, f); err != nil {
			return geowarden.Stats{}, err
		}
		sf, st, text, err := rr.sanitizeFound(ctx, f, dir)
		if err != nil {
			return st, err
		}
		// Synced now, so that Commit only names the copies.
		if err := sf.File().Sync(); err != nil {
			sf.Abort()
			return st, err
		}
		mu.Lock()
		made[f] = sf
		if text != "" {
			texts[f] = text
		}
		mu.Unlock()
		return st, nil
	}, func(res Result) {
		total.Add(res.Stats)
		mu.Lock()
		sf := made[res.Path]
		delete(made, res.Path)
		text := texts[res.Path]
		mu.Unlock()
		if res.Err == nil && text != "" {
			skipped = append(skipped, Skipped{Path: res.Path, Reason: "holds no records (" + text + "); copied as plain text, the positions written in it handled as the policy's text setting says"})
		}
		switch {
		case errors.Is(res.Err, ErrUnrecognised):
			skipped = append(skipped, Skipped{Path: res.Path, Reason: "unrecognised format; not copied to the output"})
		case errors.Is(res.Err, format.ErrNoPosition):
			skipped = append(skipped, Skipped{Path: res.Path, Reason: "holds no position (" + res.Err.Error() + "); not copied to the output"})
		case res.Err != nil && firstErr == nil:
			firstErr = res.Err
			cancel()
		case res.Err == nil && sf != nil:
			rel, _ := filepath.Rel(in, res.Path)
			t.copies = append(t.copies, treeCopy{res.Path, rel, sf, text != ""})
		}
	})
	for _, sf := range made {
		sf.Abort()
	}
	if firstErr != nil {
		return nil, total, skipped, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, total, skipped, err
	}
	ok = true
	return t, total, skipped, nil
}

// sanitizeFound writes the sanitized copy of a file found in a folder to
// a file with no name in dir. A file that no codec reads as records, and
// whose content r.PlainText recognises as text, is copied as plain text:
// text then says why no codec read it.
func (r *Runner) sanitizeFound(ctx context.Context, path, dir string) (sf *safefile.File, st geowarden.Stats, text string, err error) {
	sf, err = safefile.CreateIn(dir, InputMode(path))
	if err != nil {
		return nil, st, "", err
	}
	st, err = r.SanitizeInto(ctx, path, sf.File())
	if err == nil {
		return sf, st, "", nil
	}
	sf.Abort()
	src, terr := r.asText(path, err)
	if src == nil {
		return nil, st, "", terr
	}
	defer src.Close()
	if sf, terr = safefile.CreateIn(dir, InputMode(path)); terr != nil {
		return nil, st, "", terr
	}
	if st, terr = r.sanitizeInto(ctx, src, path, path, sf.File()); terr != nil {
		sf.Abort()
		return nil, st, "", terr
	}
	return sf, st, noRecords(err), nil
}

// Commit puts the output folder in place with every copy in it. The
// copies, synced while they had no name, are named in a hidden folder
// beside it (made now for a small tree), which is then renamed to the
// output folder in one step: the folder appears whole or not at all. A
// run killed in the moment the copies are named (about a millisecond for
// a few files) leaves that hidden folder, holding complete copies.
func (t *Tree) Commit() (err error) {
	if t.done {
		return errors.New("pipeline: commit of a finished tree")
	}
	t.done = true
	defer func() {
		if err != nil {
			t.abort()
		}
	}()
	if t.tmpDir == "" {
		if t.tmpDir, err = os.MkdirTemp(filepath.Dir(filepath.Clean(t.out)), "."+filepath.Base(t.out)+".geowarden-*"); err != nil {
			return err
		}
	}
	dirs := map[string]bool{".": true}
	for _, c := range t.copies {
		dst := filepath.Join(t.tmpDir, c.rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := c.f.LinkTo(dst); err != nil {
			return err
		}
		for d := filepath.Dir(c.rel); !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	if err := os.Chmod(t.tmpDir, 0o755); err != nil {
		return err
	}
	// rename(2) replaces an empty folder at t.out in the same step (os.Rename
	// refuses to).
	if err := syscall.Rename(t.tmpDir, t.out); err != nil {
		return &os.LinkError{Op: "rename", Old: t.tmpDir, New: t.out, Err: err}
	}
	t.tmpDir = ""
	for d := range dirs {
		if err := safefile.SyncDir(filepath.Join(t.out, d)); err != nil {
			return err
		}
	}
	return safefile.SyncDir(filepath.Dir(filepath.Clean(t.out)))
}

// Abort drops every copy; nothing of the tree is left. It does nothing
// after Commit, so it can be deferred.
func (t *Tree) Abort() {
	if t.done {
		return
	}
	t.done = true
	t.abort()
}

func (t *Tree) abort() {
	for _, c := range t.copies {
		c.f.Abort()
	}
	if t.tmpDir != "" {
		os.RemoveAll(t.tmpDir)
	}
}

// MaxAnonymousFiles is how many files SanitizeTree holds open, unnamed,
// until the run succeeds; a larger tree is built in a hidden temporary
// folder instead (which a killed process can leave behind).
var MaxAnonymousFiles = 4096
