package kml

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/url"
	"os"
	"path"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/internal/safefile"
)

// KMZCodec reads and rewrites KMZ: a zip archive holding KML and the files
// it uses (images, models). The zero value is ready to use.
type KMZCodec struct{}

var _ format.Codec = KMZCodec{}

// Name returns "kmz".
func (KMZCodec) Name() string { return "kmz" }

// Errors of KMZ archives, inside a *format.ParseError (errors.Is).
var (
	// ErrZip: the input is not a zip archive geowarden can read (a broken
	// directory, a checksum or size that does not match the data, an
	// encrypted member, a compression method other than store and
	// deflate).
	ErrZip = errors.New("kmz: invalid archive")
	// ErrZipSlip: a member name that would be written outside the folder
	// the archive is extracted to (absolute, with "..", a drive letter).
	ErrZipSlip = errors.New("kmz: member path leads out of the archive")
	// ErrZipBomb: the archive exceeds a limit on members, sizes or
	// compression ratio.
	ErrZipBomb = errors.New("kmz: archive too large")
	// ErrNested: a member is itself an archive (.zip, .kmz, .gz, or zip
	// or gzip data under another name), whose content geowarden would not
	// check.
	ErrNested = errors.New("kmz: nested archive")
	// ErrNoKML: the archive holds no .kml member.
	ErrNoKML = errors.New("kmz: no KML in the archive")
)

// Limits of KMZ archives. Sizes are counted on the bytes actually
// decompressed, never taken from the archive's headers.
const (
	// MaxKMZBytes caps the size of a KMZ input.
	MaxKMZBytes = 1 << 30
	// MaxMembers caps the number of members of an archive.
	MaxMembers = 10000
	// MaxUncompressed caps the total decompressed size of the members.
	MaxUncompressed = 1 << 30
	// MaxRatio caps the compression ratio of a member larger than
	// RatioMinBytes once decompressed.
	MaxRatio      = 100
	RatioMinBytes = 1 << 20
	// SpoolMemBytes is how much of a KMZ input (and of a rewritten KML
	// member) is held in memory; beyond it, it is spooled to a file with
	// no name in the temporary folder.
	SpoolMemBytes = 32 << 20
)

var zipMagic = []byte("PK\x03\x04")

// maxUncompressed is MaxUncompressed; tests lower it.
var maxUncompressed int64 = MaxUncompressed

// Detect reports whether head starts a zip archive and either the name
// ends in .kmz or the archive's first member is a .kml file.
func (KMZCodec) Detect(name string, head []byte) bool {
	if !bytes.HasPrefix(head, zipMagic) {
		return false
	}
	if strings.EqualFold(extOf(name), ".kmz") {
		return true
	}
	if len(head) < 30 {
		return false
	}
	n := int(binary.LittleEndian.Uint16(head[26:28]))
	if len(head) < 30+n {
		return false
	}
	return strings.HasSuffix(strings.ToLower(string(head[30:30+n])), ".kml")
}

// kmzErr is a ParseError about the archive or one of its members.
func kmzErr(name, member string, kind error, msg string, args ...any) *format.ParseError {
	m := fmt.Sprintf(msg, args...)
	if member != "" {
		m = fmt.Sprintf("member %q: %s", member, m)
	}
	return &format.ParseError{File: name, Offset: -1, Err: &kmzError{kind: kind, msg: m}}
}

// kmzError is the Err of a KMZ ParseError: "kmz: " + msg; errors.Is
// matches its kind.
type kmzError struct {
	kind error
	msg  string
}

func (e *kmzError) Error() string { return "kmz: " + e.msg }
func (e *kmzError) Unwrap() error { return e.kind }

func refOf(name string) geowarden.Ref { return geowarden.Ref{File: name, Feature: -1} }

// Rewrite reads a KMZ archive. Every .kml member is read with the KML
// codec (Ref.File is "NAME!MEMBER") and, with a writer, rewritten; the
// other members are copied as they are (their compressed bytes, names,
// times, methods, comments and order kept), except files that only
// dropped features used (see the package documentation). The input is
// spooled to memory, or to a temporary file when larger than
// SpoolMemBytes, because a zip archive's directory is at its end.
func (KMZCodec) Rewrite(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, opts *format.Options) error {
	if opts == nil {
		opts = &format.Options{}
	}
	name := opts.Name
	in, err := spoolInput(r, name)
	if err != nil {
		return err
	}
	defer in.close()
	k := &kmz{ctx: ctx, name: name, h: h, opts: opts}
	return k.run(in, w)
}

type kmz struct {
	ctx   context.Context
	name  string
	h     format.Handler
	opts  *format.Options
	total int64 // bytes decompressed so far

	kept, dropped map[string]bool // hrefs, as member names
}

func (k *kmz) run(in *spool, w io.Writer) error {
	ra, size := in.readerAt()
	if err := k.countMembers(ra, size); err != nil {
		return err
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return kmzErr(k.name, "", ErrZip, "%v", err)
	}
	if len(zr.File) > MaxMembers {
		return kmzErr(k.name, "", ErrZipBomb, "%d members (at most %d)", len(zr.File), MaxMembers)
	}
	var kmls []*zip.File
	for _, f := range zr.File {
		if err := k.checkName(f); err != nil {
			return err
		}
		if isKML(f.Name) {
			kmls = append(kmls, f)
		}
	}
	if len(kmls) == 0 {
		return kmzErr(k.name, "", ErrNoKML, "no .kml member among %d", len(zr.File))
	}
	k.kept, k.dropped = map[string]bool{}, map[string]bool{}
	outs := make(map[*zip.File]*spool, len(kmls))
	defer func() {
		for _, s := range outs {
			s.close()
		}
	}()
	for _, f := range kmls {
		var out *spool
		if w != nil {
			out = &spool{}
			outs[f] = out
		}
		if err := k.kml(f, out); err != nil {
			return err
		}
	}
	if w == nil {
		return nil
	}
	zw := zip.NewWriter(w)
	if err := zw.SetComment(zr.Comment); err != nil {
		return kmzErr(k.name, "", ErrZip, "%v", err)
	}
	for _, f := range zr.File {
		if err := k.ctx.Err(); err != nil {
			return err
		}
		if out, ok := outs[f]; ok {
			if err := k.writeKML(zw, f, out); err != nil {
				return err
			}
			continue
		}
		if err := k.copyMember(zw, f); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("kmz: writing: %w", err)
	}
	return nil
}

func isKML(name string) bool {
	return strings.HasSuffix(strings.ToLower(name), ".kml") && !strings.HasSuffix(name, "/")
}

// countMembers reads the member count of the end-of-central-directory
// record before the zip reader allocates anything for the members.
func (k *kmz) countMembers(ra io.ReaderAt, size int64) error {
	const eocdLen, maxComment = 22, 1<<16 - 1
	n := min(size, eocdLen+maxComment)
	tail := make([]byte, n)
	if _, err := ra.ReadAt(tail, size-n); err != nil && err != io.EOF {
		return kmzErr(k.name, "", ErrZip, "%v", err)
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < eocdLen {
		return kmzErr(k.name, "", ErrZip, "no end of central directory record (not a zip archive, or truncated)")
	}
	count := uint64(binary.LittleEndian.Uint16(tail[i+10:]))
	dirOff := int64(binary.LittleEndian.Uint32(tail[i+16:]))
	if count == 0xFFFF && i >= 20 && bytes.Equal(tail[i-20:i-16], []byte("PK\x06\x07")) {
		off := int64(binary.LittleEndian.Uint64(tail[i-20+8:]))
		var z [56]byte
		if off >= 0 && off+56 <= size {
			if _, err := ra.ReadAt(z[:], off); err == nil && bytes.Equal(z[:4], []byte("PK\x06\x06")) {
				count = binary.LittleEndian.Uint64(z[32:])
				dirOff = int64(binary.LittleEndian.Uint64(z[48:]))
			}
		}
	}
	if count > MaxMembers {
		return kmzErr(k.name, "", ErrZipBomb, "%d members (at most %d)", count, MaxMembers)
	}
	// The count in the end record may be forged: count the directory's
	// entries as they are, the way archive/zip will read them (until a
	// record that is not a directory entry), before it reads them.
	if dirOff < 0 || dirOff >= size {
		return nil // archive/zip refuses it
	}
	br := bufio.NewReaderSize(io.NewSectionReader(ra, dirOff, size-dirOff), 64<<10)
	var hdr [46]byte
	real := 0
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil || !bytes.Equal(hdr[:4], []byte("PK\x01\x02")) {
			break
		}
		real++
		if real > MaxMembers {
			return kmzErr(k.name, "", ErrZipBomb, "more than %d members in the central directory (its end record says %d)", MaxMembers, count)
		}
		skip := int(binary.LittleEndian.Uint16(hdr[28:])) + int(binary.LittleEndian.Uint16(hdr[30:])) + int(binary.LittleEndian.Uint16(hdr[32:]))
		if _, err := br.Discard(skip); err != nil {
			break
		}
	}
	return nil
}

// checkName refuses member names that lead out of the archive and
// members that are archives.
func (k *kmz) checkName(f *zip.File) error {
	n := f.Name
	s := strings.ReplaceAll(n, `\`, "/")
	switch {
	case n == "" || strings.IndexByte(n, 0) >= 0:
		return kmzErr(k.name, n, ErrZipSlip, "empty name or NUL byte in the name")
	case strings.HasPrefix(s, "/"):
		return kmzErr(k.name, n, ErrZipSlip, "absolute path")
	case len(s) >= 2 && s[1] == ':':
		return kmzErr(k.name, n, ErrZipSlip, "drive letter in the path")
	}
	for _, e := range strings.Split(s, "/") {
		if e == ".." {
			return kmzErr(k.name, n, ErrZipSlip, `".." in the path`)
		}
	}
	if f.Flags&1 != 0 {
		return kmzErr(k.name, n, ErrZip, "encrypted member (its content cannot be checked)")
	}
	if f.Method != zip.Store && f.Method != zip.Deflate {
		return kmzErr(k.name, n, ErrZip, "compression method %d (only store and deflate are read)", f.Method)
	}
	l := strings.ToLower(s)
	for _, ext := range []string{".zip", ".kmz", ".gz", ".tgz", ".7z", ".rar"} {
		if strings.HasSuffix(l, ext) {
			return kmzErr(k.name, n, ErrNested, "an archive inside the archive is not read")
		}
	}
	return nil
}

// guard decompresses a member, counting the bytes actually read and
// written, and checks its checksum at the end.
type guard struct {
	k      *kmz
	f      *zip.File
	raw    *counter
	r      io.Reader
	out    int64
	crc    uint32
	head   []byte // the first bytes, to spot nested archives
	err    error  // a limit or format error, sticky
	closer io.Closer
}

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (k *kmz) open(f *zip.File) (*guard, error) {
	raw, err := f.OpenRaw()
	if err != nil {
		return nil, kmzErr(k.name, f.Name, ErrZip, "%v", err)
	}
	g := &guard{k: k, f: f, raw: &counter{r: raw}}
	switch f.Method {
	case zip.Store:
		g.r = g.raw
	case zip.Deflate:
		fr := flate.NewReader(g.raw)
		g.r, g.closer = fr, fr
	}
	return g, nil
}

func (g *guard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if err := g.k.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := g.r.Read(p)
	if n > 0 {
		g.crc = crc32.Update(g.crc, crc32.IEEETable, p[:n])
		if len(g.head) < 8 {
			g.head = append(g.head, p[:min(n, 8-len(g.head))]...)
		}
		g.out += int64(n)
		g.k.total += int64(n)
		name := g.k.name
		switch {
		case g.k.total > maxUncompressed:
			g.err = kmzErr(name, g.f.Name, ErrZipBomb, "the members decompress to more than %d bytes", maxUncompressed)
		case g.out > RatioMinBytes && g.out > MaxRatio*max(g.raw.n, 1):
			g.err = kmzErr(name, g.f.Name, ErrZipBomb, "compression ratio above %d:1 (%d bytes from %d)", MaxRatio, g.out, g.raw.n)
		case len(g.head) >= 4 && (bytes.HasPrefix(g.head, zipMagic) || g.head[0] == 0x1f && g.head[1] == 0x8b):
			g.err = kmzErr(name, g.f.Name, ErrNested, "the member is a zip or gzip archive, which is not read")
		}
		if g.err != nil {
			return 0, g.err
		}
	}
	if err == io.EOF {
		if g.out != int64(g.f.UncompressedSize64) || g.crc != g.f.CRC32 {
			g.err = kmzErr(g.k.name, g.f.Name, ErrZip, "the data does not match the archive's size or checksum")
			return n, g.err
		}
	} else if err != nil {
		g.err = kmzErr(g.k.name, g.f.Name, ErrZip, "%v", err)
		return n, g.err
	}
	return n, err
}

func (g *guard) close() {
	if g.closer != nil {
		g.closer.Close()
	}
}

// kml reads (and rewrites into out) one KML member.
func (k *kmz) kml(f *zip.File, out *spool) error {
	g, err := k.open(f)
	if err != nil {
		return err
	}
	defer g.close()
	sub := *k.opts
	sub.Name = k.name + "!" + f.Name
	var w io.Writer
	if out != nil {
		w = out
	}
	rw := newRewriter(k.ctx, g, w, k.h, &sub, sub.Name)
	dir := path.Dir(strings.ReplaceAll(f.Name, `\`, "/"))
	rw.hrefs = func(href string, dropped bool) {
		m, ok := memberOf(dir, href)
		if !ok {
			return
		}
		if dropped {
			k.dropped[m] = true
		} else {
			k.kept[m] = true
		}
	}
	err = rw.run()
	if g.err != nil {
		return g.err
	}
	if err != nil {
		return err
	}
	if out != nil {
		return out.err
	}
	return nil
}

// memberOf turns a link in a KML member of folder dir into the name of the
// member it points to; ok is false for links out of the archive.
func memberOf(dir, href string) (string, bool) {
	if href == "" || strings.Contains(href, "://") || strings.HasPrefix(href, "/") || strings.HasPrefix(href, "#") {
		return "", false
	}
	if i := strings.IndexAny(href, "?#"); i >= 0 {
		href = href[:i]
	}
	if u, err := url.PathUnescape(href); err == nil {
		href = u
	}
	href = strings.ReplaceAll(href, `\`, "/")
	return path.Clean(path.Join(dir, href)), true
}

// writeKML writes a rewritten KML member with the original's name,
// method, times and comment; an unchanged one is copied as it was.
func (k *kmz) writeKML(zw *zip.Writer, f *zip.File, out *spool) error {
	if out.size == int64(f.UncompressedSize64) && out.crc == f.CRC32 {
		if same, err := out.equal(f); err != nil {
			return err
		} else if same {
			return k.copyRaw(zw, f)
		}
	}
	fh := zip.FileHeader{
		Name:           f.Name,
		Comment:        f.Comment,
		NonUTF8:        f.NonUTF8,
		Method:         f.Method,
		Modified:       f.Modified,
		ModifiedTime:   f.ModifiedTime,
		ModifiedDate:   f.ModifiedDate,
		CreatorVersion: f.CreatorVersion,
		ExternalAttrs:  f.ExternalAttrs,
	}
	mw, err := zw.CreateHeader(&fh)
	if err != nil {
		return fmt.Errorf("kmz: writing %s: %w", f.Name, err)
	}
	r, err := out.reader()
	if err != nil {
		return fmt.Errorf("kmz: writing %s: %w", f.Name, err)
	}
	if _, err := io.Copy(mw, r); err != nil {
		return fmt.Errorf("kmz: writing %s: %w", f.Name, err)
	}
	return nil
}

// copyMember checks a member (decompressing it and counting) and copies
// its compressed bytes, unless only dropped features used it.
func (k *kmz) copyMember(zw *zip.Writer, f *zip.File) error {
	if !strings.HasSuffix(f.Name, "/") {
		g, err := k.open(f)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, g)
		g.close()
		if g.err != nil {
			return g.err
		}
		if err != nil {
			return kmzErr(k.name, f.Name, ErrZip, "%v", err)
		}
		m := path.Clean(strings.ReplaceAll(f.Name, `\`, "/"))
		if k.dropped[m] && !k.kept[m] {
			format.Notify(k.h, &format.Notice{
				Ref:     refOf(k.name),
				Kind:    "kmz-member",
				Message: fmt.Sprintf("member %q is left out: only features that were dropped used it", f.Name),
				Dropped: true,
			})
			return nil
		}
		if isImage(m) {
			format.Notify(k.h, &format.Notice{
				Ref:     refOf(k.name),
				Kind:    "unsupported",
				Message: fmt.Sprintf("member %q is copied unchecked: positions in its own metadata (EXIF) are not read here", f.Name),
			})
		}
	}
	return k.copyRaw(zw, f)
}

// copyRaw copies a member's compressed bytes and header.
func (k *kmz) copyRaw(zw *zip.Writer, f *zip.File) error {
	fh := f.FileHeader
	mw, err := zw.CreateRaw(&fh)
	if err != nil {
		return fmt.Errorf("kmz: writing %s: %w", f.Name, err)
	}
	raw, err := f.OpenRaw()
	if err != nil {
		return kmzErr(k.name, f.Name, ErrZip, "%v", err)
	}
	if _, err := io.Copy(mw, raw); err != nil {
		return fmt.Errorf("kmz: writing %s: %w", f.Name, err)
	}
	return nil
}

// isImage reports whether a member may carry EXIF positions.
func isImage(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg", ".tif", ".tiff", ".heic", ".heif", ".webp":
		return true
	}
	return false
}

// spool holds bytes in memory up to SpoolMemBytes, then in a temporary
// file.
type spool struct {
	mem  bytes.Buffer
	file *os.File
	size int64
	crc  uint32
	err  error
}

func (s *spool) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	s.size += int64(len(p))
	s.crc = crc32.Update(s.crc, crc32.IEEETable, p)
	if s.file == nil && s.mem.Len()+len(p) <= SpoolMemBytes {
		return s.mem.Write(p)
	}
	if s.file == nil {
		// The spool holds the input, unsanitized: it has no name, so
		// that nothing of it outlives the process, however it ends.
		f, err := safefile.Scratch("")
		if err != nil {
			s.err = fmt.Errorf("kmz: spooling: %w", err)
			return 0, s.err
		}
		s.file = f
		if _, err := f.Write(s.mem.Bytes()); err != nil {
			s.err = fmt.Errorf("kmz: spooling: %w", err)
			return 0, s.err
		}
		s.mem = bytes.Buffer{}
	}
	if _, err := s.file.Write(p); err != nil {
		s.err = fmt.Errorf("kmz: spooling: %w", err)
		return 0, s.err
	}
	return len(p), nil
}

func (s *spool) readerAt() (io.ReaderAt, int64) {
	if s.file != nil {
		return s.file, s.size
	}
	return bytes.NewReader(s.mem.Bytes()), s.size
}

func (s *spool) reader() (io.Reader, error) {
	if s.file != nil {
		return io.NewSectionReader(s.file, 0, s.size), nil
	}
	return bytes.NewReader(s.mem.Bytes()), nil
}

func (s *spool) close() {
	if s.file != nil {
		s.file.Close()
		s.file = nil
	}
}

// spoolInput reads a KMZ input into a spool, up to MaxKMZBytes.
func spoolInput(r io.Reader, name string) (*spool, error) {
	s := &spool{}
	n, err := io.Copy(s, io.LimitReader(r, MaxKMZBytes+1))
	if s.err != nil {
		s.close()
		return nil, s.err
	}
	if err != nil {
		s.close()
		return nil, fmt.Errorf("kmz: reading %s: %w", name, err)
	}
	if n > MaxKMZBytes {
		s.close()
		return nil, kmzErr(name, "", ErrZipBomb, "the archive is larger than %d bytes", int64(MaxKMZBytes))
	}
	return s, nil
}

// equal reports whether the spooled bytes are the member's content (the
// checksums agree; this makes sure).
func (s *spool) equal(f *zip.File) (bool, error) {
	rc, err := f.Open()
	if err != nil {
		return false, fmt.Errorf("kmz: reading %s: %w", f.Name, err)
	}
	defer rc.Close()
	r, err := s.reader()
	if err != nil {
		return false, err
	}
	var a, b [32 << 10]byte
	for {
		n, err1 := io.ReadFull(rc, a[:])
		m, err2 := io.ReadFull(r, b[:n])
		if m != n || !bytes.Equal(a[:n], b[:m]) {
			return false, nil
		}
		if err1 == io.EOF || err1 == io.ErrUnexpectedEOF {
			_, err2 = r.Read(b[:1])
			return err2 == io.EOF, nil
		}
		if err1 != nil {
			return false, fmt.Errorf("kmz: reading %s: %w", f.Name, err1)
		}
		if err2 != nil {
			return false, nil
		}
	}
}
