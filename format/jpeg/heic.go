package jpeg

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
)

// HEICCodec recognises HEIC/HEIF (and AVIF) images so that they are never
// passed as clean: a scan reports each one with a notice of kind
// "unsupported" (with the EXIF item's GPS position, when it can find one),
// and a rewrite (sanitize) refuses it with an error wrapping ErrHEIC. It
// produces no records: the position is not classified against zones.
type HEICCodec struct{}

// Interface guards.
var _ format.Codec = HEICCodec{}

// Name returns "heic".
func (HEICCodec) Name() string { return "heic" }

// heifBrands are the ftyp brands of HEIF images.
var heifBrands = map[string]bool{
	"heic": true, "heix": true, "heim": true, "heis": true,
	"hevc": true, "hevx": true, "hevm": true, "hevs": true,
	"mif1": true, "mif2": true, "msf1": true, "miaf": true,
	"avif": true, "avis": true,
}

// Detect reports whether head starts with an ISO media "ftyp" box whose
// major brand, or one of whose compatible brands, is a HEIF brand.
func (HEICCodec) Detect(_ string, head []byte) bool {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return false
	}
	n := int(binary.BigEndian.Uint32(head))
	if n < 16 || n > len(head) {
		n = min(len(head), 256)
	}
	if heifBrands[string(head[8:12])] {
		return true
	}
	for i := 16; i+4 <= n; i += 4 {
		if heifBrands[string(head[i:i+4])] {
			return true
		}
	}
	return false
}

// Rewrite reports the image as unsupported when scanning (w == nil) and
// returns nil; with a writer it returns a *format.ParseError wrapping
// ErrHEIC, so that sanitize refuses the file.
func (HEICCodec) Rewrite(ctx context.Context, r io.Reader, w io.Writer, h format.Handler, opts *format.Options) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	name := ""
	if opts != nil {
		name = opts.Name
	}
	if w == nil {
		n := &format.Notice{
			Ref:     geowarden.Ref{File: name, Feature: -1},
			Kind:    "unsupported",
			Message: "HEIC/HEIF image: not supported; its positions are not checked against zones and it cannot be sanitized",
		}
		p, ok, err := heifPosition(r)
		if err != nil {
			return err
		}
		if ok {
			n.Pos = &p
			n.Message = fmt.Sprintf("HEIC/HEIF image with an EXIF position (%.7f, %.7f): not supported; it is not checked against zones and cannot be sanitized", p.Lat, p.Lon)
		}
		format.Notify(h, n)
		return nil
	}
	return &format.ParseError{File: name, Offset: 0, Err: ErrHEIC}
}
