package osm

// A streaming OSM PBF decoder (https://wiki.openstreetmap.org/wiki/PBF_Format)
// that checks every length, index and count it reads, so that a damaged or
// hostile file is an error naming its byte offset, never a panic. Blocks
// are decompressed and decoded by several goroutines; elements are handed
// on in file order.

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/paulmach/osm"
)

// PBF limits, from the format's specification.
const (
	maxBlobHeaderBytes = 64 << 10 // a BlobHeader is shorter than 64 KiB
	maxBlobBytes       = 32 << 20 // a Blob, compressed or not, is at most 32 MiB
)

// Limits on elements, far above what OpenStreetMap allows (2,000 nodes a
// way, 32,000 members a relation, 5,000 tags are never seen).
const (
	MaxWayNodes        = 100_000
	MaxRelationMembers = 100_000
	MaxTags            = 10_000
	// MaxBlockElements caps the elements of one PBF block (writers put
	// 8,000 in a block, as the format recommends).
	MaxBlockElements = 1 << 20
	// maxKeysVals caps a dense node group's tag list.
	maxKeysVals = 8 << 20
)

// errPBF marks errors in the PBF structure.
var errPBF = errors.New("invalid PBF")

// pbfError is a structural problem at a byte offset of the file.
type pbfError struct {
	off int64
	msg string
}

func (e *pbfError) Error() string { return fmt.Sprintf("byte %d: %s", e.off, e.msg) }
func (e *pbfError) Unwrap() error { return errPBF }

// wire reads protobuf messages: fields of varints and length-delimited
// bytes, the only wire types PBF uses (fixed-width ones are skipped).
type wire struct {
	b   []byte
	err error
}

const (
	wtVarint = 0
	wt64     = 1
	wtBytes  = 2
	wt32     = 5
)

// next reads the next field's number and wire type, and its value: v for
// a varint, data for bytes. It returns false at the end or on an error.
func (w *wire) next() (num int, wt int, v uint64, data []byte, ok bool) {
	if w.err != nil || len(w.b) == 0 {
		return 0, 0, 0, nil, false
	}
	key, n := binary.Uvarint(w.b)
	if n <= 0 {
		w.err = errors.New("bad field key")
		return 0, 0, 0, nil, false
	}
	w.b = w.b[n:]
	num, wt = int(key>>3), int(key&7)
	if num == 0 || key>>3 > math.MaxInt32 {
		w.err = fmt.Errorf("bad field number %d", key>>3)
		return 0, 0, 0, nil, false
	}
	switch wt {
	case wtVarint:
		v, n = binary.Uvarint(w.b)
		if n <= 0 {
			w.err = fmt.Errorf("field %d: bad varint", num)
			return 0, 0, 0, nil, false
		}
		w.b = w.b[n:]
	case wtBytes:
		l, n := binary.Uvarint(w.b)
		if n <= 0 || l > uint64(len(w.b)-n) {
			w.err = fmt.Errorf("field %d: length runs past the end of its message", num)
			return 0, 0, 0, nil, false
		}
		data = w.b[n : n+int(l)]
		w.b = w.b[n+int(l):]
	case wt64, wt32:
		size := 8
		if wt == wt32 {
			size = 4
		}
		if len(w.b) < size {
			w.err = fmt.Errorf("field %d: truncated", num)
			return 0, 0, 0, nil, false
		}
		w.b = w.b[size:]
	default:
		w.err = fmt.Errorf("field %d: unsupported wire type %d", num, wt)
		return 0, 0, 0, nil, false
	}
	return num, wt, v, data, true
}

// varints appends the varints of a repeated field, packed (wire type 2)
// or not (one varint per field), to dst; more than max in all is an
// error.
func varints(dst []uint64, wt int, v uint64, data []byte, max int) ([]uint64, error) {
	if wt == wtVarint {
		if len(dst) >= max {
			return dst, fmt.Errorf("more than %d values in a list", max)
		}
		return append(dst, v), nil
	}
	if wt != wtBytes {
		return dst, errors.New("repeated integer field with wrong wire type")
	}
	// Each varint takes at least one byte.
	if n := len(dst) + countVarints(data); n > max {
		return dst, fmt.Errorf("%d values in a list; at most %d", n, max)
	}
	for len(data) > 0 {
		x, n := binary.Uvarint(data)
		if n <= 0 {
			return dst, errors.New("bad packed varint")
		}
		dst = append(dst, x)
		data = data[n:]
	}
	return dst, nil
}

// countVarints counts the varints of packed data: the bytes without the
// continuation bit.
func countVarints(data []byte) int {
	n := 0
	for _, b := range data {
		if b < 0x80 {
			n++
		}
	}
	return n
}

func zigzag(v uint64) int64 { return int64(v>>1) ^ -int64(v&1) }

// pbfBlock is one file block on its way through the decoder.
type pbfBlock struct {
	off  int64  // offset of the block's header length in the file
	blob []byte // the Blob message
	objs []osm.Object
	err  error
	done chan struct{}
}

// pbfDecoder decodes the blocks of one pass.
type pbfDecoder struct {
	p pass
}

// scanPBF reads an OSM PBF stream, calling fn in file order for each
// element that p wants and its filters accept. Filters run on several
// goroutines at once.
func scanPBF(ctx context.Context, r io.Reader, p pass, procs int, fn func(osm.Object) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *pbfBlock, procs)
	order := make(chan *pbfBlock, 2*procs)
	var wg sync.WaitGroup
	dec := &pbfDecoder{p: p}
	for range procs {
		wg.Go(func() {
			for b := range jobs {
				b.objs, b.err = dec.decodeBlob(b.blob, b.off)
				b.blob = nil
				close(b.done)
			}
		})
	}
	var readErr error
	wg.Go(func() {
		defer close(order)
		defer close(jobs)
		readErr = readBlocks(ctx, r, func(b *pbfBlock) bool {
			select {
			case order <- b:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- b:
			case <-ctx.Done():
				close(b.done)
				return false
			}
			return true
		})
	})
	var err error
	for b := range order {
		if err != nil {
			continue // drain
		}
		select {
		case <-b.done:
		case <-ctx.Done():
			err = ctx.Err()
			cancel()
			continue
		}
		if b.err != nil {
			err = b.err
			cancel()
			continue
		}
		for _, o := range b.objs {
			if err = fn(o); err != nil {
				cancel()
				break
			}
		}
		b.objs = nil
	}
	wg.Wait()
	if err == nil {
		err = readErr
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// readBlocks reads the file's blocks: it checks the header block and
// hands on each data block.
func readBlocks(ctx context.Context, r io.Reader, emit func(*pbfBlock) bool) error {
	var off int64
	var sizeBuf [4]byte
	first := true
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		start := off
		if _, err := io.ReadFull(r, sizeBuf[:]); err != nil {
			if errors.Is(err, io.EOF) && !first {
				return nil
			}
			if errors.Is(err, io.EOF) {
				return &pbfError{off, "empty file"}
			}
			return pbfIOError(start, "block header length", err)
		}
		off += 4
		hlen := binary.BigEndian.Uint32(sizeBuf[:])
		if hlen == 0 || hlen >= maxBlobHeaderBytes {
			return &pbfError{start, fmt.Sprintf("block header length %d outside 1..%d", hlen, maxBlobHeaderBytes-1)}
		}
		hdr := make([]byte, hlen)
		if _, err := io.ReadFull(r, hdr); err != nil {
			return pbfIOError(off, "block header", err)
		}
		off += int64(hlen)
		typ, size, err := parseBlobHeader(hdr)
		if err != nil {
			return &pbfError{start, "block header: " + err.Error()}
		}
		if size > maxBlobBytes {
			return &pbfError{start, fmt.Sprintf("block of %d bytes; at most %d", size, maxBlobBytes)}
		}
		blob := make([]byte, size)
		if _, err := io.ReadFull(r, blob); err != nil {
			return pbfIOError(off, "block", err)
		}
		off += int64(size)
		switch {
		case first && typ != "OSMHeader":
			return &pbfError{start, fmt.Sprintf("first block is %q, not OSMHeader", typ)}
		case first:
			first = false
			if err := checkHeader(blob); err != nil {
				return &pbfError{start, "OSMHeader: " + err.Error()}
			}
		case typ == "OSMData":
			if !emit(&pbfBlock{off: start, blob: blob, done: make(chan struct{})}) {
				return ctx.Err()
			}
		default:
			// Unknown block types are to be skipped, says the format.
		}
	}
}

func pbfIOError(off int64, what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &pbfError{off, "file ends inside a " + what}
	}
	return fmt.Errorf("byte %d: reading %s: %w", off, what, err)
}

func parseBlobHeader(b []byte) (typ string, size int, err error) {
	w := wire{b: b}
	hasSize := false
	for {
		num, wt, v, data, ok := w.next()
		if !ok {
			break
		}
		switch {
		case num == 1 && wt == wtBytes:
			typ = string(data)
		case num == 3 && wt == wtVarint:
			if v > maxBlobBytes {
				return "", 0, fmt.Errorf("datasize %d larger than %d", v, maxBlobBytes)
			}
			size, hasSize = int(v), true
		}
	}
	if w.err != nil {
		return "", 0, w.err
	}
	if typ == "" || !hasSize {
		return "", 0, errors.New("type or datasize missing")
	}
	return typ, size, nil
}

// blobData returns a Blob's uncompressed content.
func blobData(b []byte) ([]byte, error) {
	w := wire{b: b}
	var raw, zdata []byte
	rawSize := -1
	for {
		num, wt, v, data, ok := w.next()
		if !ok {
			break
		}
		switch {
		case num == 1 && wt == wtBytes:
			raw = data
		case num == 2 && wt == wtVarint:
			if v > maxBlobBytes {
				return nil, fmt.Errorf("raw_size %d larger than %d", v, maxBlobBytes)
			}
			rawSize = int(v)
		case num == 3 && wt == wtBytes:
			zdata = data
		case num >= 4 && num <= 7 && wt == wtBytes:
			name := map[int]string{4: "lzma", 5: "bzip2", 6: "lz4", 7: "zstd"}[num]
			return nil, fmt.Errorf("block compressed with %s, which geowarden does not read (convert the file with osmium cat)", name)
		}
	}
	if w.err != nil {
		return nil, w.err
	}
	switch {
	case raw != nil:
		return raw, nil
	case zdata != nil:
		if rawSize < 0 {
			return nil, errors.New("zlib block without raw_size")
		}
		zr, err := zlib.NewReader(bytes.NewReader(zdata))
		if err != nil {
			return nil, fmt.Errorf("zlib: %w", err)
		}
		out := make([]byte, 0, rawSize)
		buf := bytes.NewBuffer(out)
		n, err := buf.ReadFrom(io.LimitReader(zr, int64(rawSize)+1))
		if err != nil {
			return nil, fmt.Errorf("zlib: %w", err)
		}
		if int(n) != rawSize {
			return nil, fmt.Errorf("block decompresses to %d bytes, not its raw_size %d", n, rawSize)
		}
		return buf.Bytes(), nil
	}
	return nil, errors.New("block holds no data")
}

// checkHeader reads the OSMHeader block and refuses files that need
// features this decoder lacks.
func checkHeader(blob []byte) error {
	data, err := blobData(blob)
	if err != nil {
		return err
	}
	w := wire{b: data}
	for {
		num, wt, _, d, ok := w.next()
		if !ok {
			break
		}
		if num == 4 && wt == wtBytes { // required_features
			switch f := string(d); f {
			case "OsmSchema-V0.6", "DenseNodes", "LocationsOnWays":
			case "HistoricalInformation":
				return errors.New("the file holds history (several versions of elements); use an extract of current data")
			default:
				return fmt.Errorf("the file requires feature %q, which geowarden does not read", f)
			}
		}
	}
	return w.err
}

// block is the state of one PrimitiveBlock being decoded.
type block struct {
	strings                []string
	gran, latOff, lonOff   int64
	off                    int64
	count                  int // elements (or dense groups) seen
	objs                   []osm.Object
	keys, vals, refs, lats []uint64
	lons, ids, kv, types   []uint64
}

func (dec *pbfDecoder) decodeBlob(blob []byte, off int64) (objs []osm.Object, err error) {
	data, err := blobData(blob)
	if err != nil {
		return nil, &pbfError{off, "block: " + err.Error()}
	}
	b := &block{gran: 100, off: off}
	w := wire{b: data}
	var groups [][]byte
	for {
		num, wt, v, d, ok := w.next()
		if !ok {
			break
		}
		switch {
		case num == 1 && wt == wtBytes:
			sw := wire{b: d}
			for {
				n, t, _, s, ok := sw.next()
				if !ok {
					break
				}
				if n == 1 && t == wtBytes {
					b.strings = append(b.strings, string(s))
				}
			}
			if sw.err != nil {
				return nil, &pbfError{off, "string table: " + sw.err.Error()}
			}
		case num == 2 && wt == wtBytes:
			groups = append(groups, d)
		case num == 17 && wt == wtVarint:
			b.gran = int64(int32(v))
		case num == 19 && wt == wtVarint:
			b.latOff = int64(v)
		case num == 20 && wt == wtVarint:
			b.lonOff = int64(v)
		}
	}
	if w.err != nil {
		return nil, &pbfError{off, "block: " + w.err.Error()}
	}
	if b.gran <= 0 {
		return nil, &pbfError{off, fmt.Sprintf("granularity %d is not positive", b.gran)}
	}
	for _, g := range groups {
		if err := dec.group(b, g); err != nil {
			return nil, &pbfError{off, err.Error()}
		}
	}
	return b.objs, nil
}

func (dec *pbfDecoder) group(b *block, g []byte) error {
	w := wire{b: g}
	for {
		num, wt, _, d, ok := w.next()
		if !ok {
			break
		}
		if wt != wtBytes {
			continue
		}
		b.count++
		if b.count > MaxBlockElements {
			return fmt.Errorf("more than %d elements in a block", MaxBlockElements)
		}
		var err error
		switch num {
		case 1:
			if dec.p.nodes {
				err = dec.node(b, d)
			}
		case 2:
			if dec.p.nodes {
				err = dec.dense(b, d)
			}
		case 3:
			if dec.p.ways {
				err = dec.way(b, d)
			}
		case 4:
			if dec.p.relations {
				err = dec.relation(b, d)
			}
		}
		if err != nil {
			return err
		}
	}
	if w.err != nil {
		return fmt.Errorf("primitive group: %w", w.err)
	}
	return nil
}

func (b *block) str(i uint64) (string, error) {
	if i >= uint64(len(b.strings)) {
		return "", fmt.Errorf("string index %d outside the block's table of %d", i, len(b.strings))
	}
	return b.strings[i], nil
}

func (b *block) tags(keys, vals []uint64) (osm.Tags, error) {
	if len(keys) != len(vals) {
		return nil, fmt.Errorf("%d tag keys but %d values", len(keys), len(vals))
	}
	if len(keys) > MaxTags {
		return nil, fmt.Errorf("%d tags; at most %d", len(keys), MaxTags)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	t := make(osm.Tags, len(keys))
	for i := range keys {
		k, err := b.str(keys[i])
		if err != nil {
			return nil, err
		}
		v, err := b.str(vals[i])
		if err != nil {
			return nil, err
		}
		t[i] = osm.Tag{Key: k, Value: v}
	}
	return t, nil
}

func (b *block) coord(lat, lon int64) (float64, float64) {
	// Dividing (not multiplying by 1e-9) gives the double nearest the
	// decimal value, as parsing the same coordinate from XML does.
	return float64(b.latOff+b.gran*lat) / 1e9, float64(b.lonOff+b.gran*lon) / 1e9
}

func (dec *pbfDecoder) node(b *block, d []byte) error {
	w := wire{b: d}
	var id, lat, lon int64
	b.keys, b.vals = b.keys[:0], b.vals[:0]
	var err error
	for {
		num, wt, v, data, ok := w.next()
		if !ok {
			break
		}
		switch num {
		case 1:
			id = zigzag(v)
		case 2:
			b.keys, err = varints(b.keys, wt, v, data, MaxTags)
		case 3:
			b.vals, err = varints(b.vals, wt, v, data, MaxTags)
		case 8:
			lat = zigzag(v)
		case 9:
			lon = zigzag(v)
		}
		if err != nil {
			return fmt.Errorf("node %d: %w", id, err)
		}
	}
	if w.err != nil {
		return fmt.Errorf("node: %w", w.err)
	}
	tags, err := b.tags(b.keys, b.vals)
	if err != nil {
		return fmt.Errorf("node %d: %w", id, err)
	}
	n := &osm.Node{ID: osm.NodeID(id), Visible: true, Tags: tags}
	n.Lat, n.Lon = b.coord(lat, lon)
	if dec.p.node == nil || dec.p.node(n) {
		b.objs = append(b.objs, n)
	}
	return nil
}

func (dec *pbfDecoder) dense(b *block, d []byte) error {
	w := wire{b: d}
	b.ids, b.lats, b.lons, b.kv = b.ids[:0], b.lats[:0], b.lons[:0], b.kv[:0]
	var err error
	for {
		num, wt, v, data, ok := w.next()
		if !ok {
			break
		}
		switch num {
		case 1:
			b.ids, err = varints(b.ids, wt, v, data, MaxBlockElements)
		case 8:
			b.lats, err = varints(b.lats, wt, v, data, MaxBlockElements)
		case 9:
			b.lons, err = varints(b.lons, wt, v, data, MaxBlockElements)
		case 10:
			b.kv, err = varints(b.kv, wt, v, data, maxKeysVals)
		}
		if err != nil {
			return fmt.Errorf("dense nodes: %w", err)
		}
	}
	if w.err != nil {
		return fmt.Errorf("dense nodes: %w", w.err)
	}
	if b.count += len(b.ids); b.count > MaxBlockElements {
		return fmt.Errorf("more than %d elements in a block", MaxBlockElements)
	}
	if len(b.lats) != len(b.ids) || len(b.lons) != len(b.ids) {
		return fmt.Errorf("dense nodes: %d ids, %d latitudes, %d longitudes", len(b.ids), len(b.lats), len(b.lons))
	}
	var id, lat, lon int64
	kv := b.kv
	var scratch osm.Node
	for i := range b.ids {
		id += zigzag(b.ids[i])
		lat += zigzag(b.lats[i])
		lon += zigzag(b.lons[i])
		// keys_vals: each node's key and value indices, then a 0. It is
		// empty when no node in the group has tags.
		var tags osm.Tags
		if len(b.kv) > 0 {
			j := 0
			for j < len(kv) && kv[j] != 0 {
				j += 2
			}
			if j >= len(kv) {
				return fmt.Errorf("dense node %d: tag list runs past the end (or has a key without a value)", id)
			}
			if j > 0 {
				if j/2 > MaxTags {
					return fmt.Errorf("dense node %d: %d tags; at most %d", id, j/2, MaxTags)
				}
				tags = make(osm.Tags, 0, j/2)
				for k := 0; k < j; k += 2 {
					key, err := b.str(kv[k])
					if err != nil {
						return fmt.Errorf("dense node %d: %w", id, err)
					}
					val, err := b.str(kv[k+1])
					if err != nil {
						return fmt.Errorf("dense node %d: %w", id, err)
					}
					tags = append(tags, osm.Tag{Key: key, Value: val})
				}
			}
			kv = kv[j+1:]
		}
		scratch = osm.Node{ID: osm.NodeID(id), Visible: true, Tags: tags}
		scratch.Lat, scratch.Lon = b.coord(lat, lon)
		if dec.p.node == nil || dec.p.node(&scratch) {
			n := scratch
			b.objs = append(b.objs, &n)
		}
	}
	return nil
}

func (dec *pbfDecoder) way(b *block, d []byte) error {
	w := wire{b: d}
	var id int64
	b.keys, b.vals, b.refs, b.lats, b.lons = b.keys[:0], b.vals[:0], b.refs[:0], b.lats[:0], b.lons[:0]
	var err error
	for {
		num, wt, v, data, ok := w.next()
		if !ok {
			break
		}
		switch num {
		case 1:
			id = int64(v)
		case 2:
			b.keys, err = varints(b.keys, wt, v, data, MaxTags)
		case 3:
			b.vals, err = varints(b.vals, wt, v, data, MaxTags)
		case 8:
			b.refs, err = varints(b.refs, wt, v, data, MaxWayNodes)
		case 9:
			b.lats, err = varints(b.lats, wt, v, data, MaxWayNodes)
		case 10:
			b.lons, err = varints(b.lons, wt, v, data, MaxWayNodes)
		}
		if err != nil {
			return fmt.Errorf("way %d: %w", id, err)
		}
		if len(b.refs) > MaxWayNodes {
			return fmt.Errorf("way %d: more than %d nodes", id, MaxWayNodes)
		}
	}
	if w.err != nil {
		return fmt.Errorf("way: %w", w.err)
	}
	tags, err := b.tags(b.keys, b.vals)
	if err != nil {
		return fmt.Errorf("way %d: %w", id, err)
	}
	locs := len(b.lats) > 0
	if locs && (len(b.lats) != len(b.refs) || len(b.lons) != len(b.refs)) {
		return fmt.Errorf("way %d: %d nodes but %d latitudes and %d longitudes", id, len(b.refs), len(b.lats), len(b.lons))
	}
	way := &osm.Way{ID: osm.WayID(id), Visible: true, Tags: tags, Nodes: make(osm.WayNodes, len(b.refs))}
	var ref, lat, lon int64
	for i, r := range b.refs {
		ref += zigzag(r)
		way.Nodes[i].ID = osm.NodeID(ref)
		if locs {
			lat += zigzag(b.lats[i])
			lon += zigzag(b.lons[i])
			way.Nodes[i].Lat, way.Nodes[i].Lon = b.coord(lat, lon)
			way.Nodes[i].Version = -1 // marks a location read from the way
		}
	}
	if dec.p.way == nil || dec.p.way(way) {
		b.objs = append(b.objs, way)
	}
	return nil
}

func (dec *pbfDecoder) relation(b *block, d []byte) error {
	w := wire{b: d}
	var id int64
	b.keys, b.vals, b.refs, b.kv, b.types = b.keys[:0], b.vals[:0], b.refs[:0], b.kv[:0], b.types[:0]
	var err error
	for {
		num, wt, v, data, ok := w.next()
		if !ok {
			break
		}
		switch num {
		case 1:
			id = int64(v)
		case 2:
			b.keys, err = varints(b.keys, wt, v, data, MaxTags)
		case 3:
			b.vals, err = varints(b.vals, wt, v, data, MaxTags)
		case 8:
			b.kv, err = varints(b.kv, wt, v, data, MaxRelationMembers) // roles_sid
		case 9:
			b.refs, err = varints(b.refs, wt, v, data, MaxRelationMembers) // memids
		case 10:
			b.types, err = varints(b.types, wt, v, data, MaxRelationMembers)
		}
		if err != nil {
			return fmt.Errorf("relation %d: %w", id, err)
		}
		if len(b.refs) > MaxRelationMembers {
			return fmt.Errorf("relation %d: more than %d members", id, MaxRelationMembers)
		}
	}
	if w.err != nil {
		return fmt.Errorf("relation: %w", w.err)
	}
	tags, err := b.tags(b.keys, b.vals)
	if err != nil {
		return fmt.Errorf("relation %d: %w", id, err)
	}
	if len(b.kv) != len(b.refs) || len(b.types) != len(b.refs) {
		return fmt.Errorf("relation %d: %d members but %d roles and %d types", id, len(b.refs), len(b.kv), len(b.types))
	}
	rel := &osm.Relation{ID: osm.RelationID(id), Visible: true, Tags: tags, Members: make(osm.Members, len(b.refs))}
	var ref int64
	for i := range b.refs {
		ref += zigzag(b.refs[i])
		role, err := b.str(b.kv[i])
		if err != nil {
			return fmt.Errorf("relation %d member %d: %w", id, i, err)
		}
		m := &rel.Members[i]
		m.Ref, m.Role = ref, role
		switch b.types[i] {
		case 0:
			m.Type = osm.TypeNode
		case 1:
			m.Type = osm.TypeWay
		case 2:
			m.Type = osm.TypeRelation
		default:
			return fmt.Errorf("relation %d member %d: unknown type %d", id, i, b.types[i])
		}
	}
	if dec.p.relation == nil || dec.p.relation(rel) {
		b.objs = append(b.objs, rel)
	}
	return nil
}
