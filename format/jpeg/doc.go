// Package jpeg reads and rewrites the positions in JPEG photos (JFIF and
// EXIF files) for geowarden, without ever re-encoding the image: a photo's
// pixels come out bit for bit as they went in. Codec implements
// format.Codec (name "jpeg"); HEICCodec (name "heic") recognises HEIC/HEIF
// images only to refuse them. format/all registers both in the default
// codec set.
//
// # Records
//
// A file is one record, of kind geowarden.KindImage, with Ref{File, Line 0,
// Offset 0, Feature -1}:
//
//   - Pos: the photo's own position: the EXIF GPS IFD
//     (GPSLatitude/GPSLatitudeRef, GPSLongitude/GPSLongitudeRef); when the
//     EXIF holds none, the XMP packet's top-level GPSLatitude/GPSLongitude
//     (exif:GPSLatitude / exif:GPSLongitude in the "DDD,MM.mmmmk" or
//     "DDD,MM,SSk" forms, or the decimal drone-dji:GpsLatitude /
//     GpsLongitude of DJI drones); else the thumbnail's. Shape is
//     geowarden.ShapeNone when there is none; a GPS IFD whose coordinates
//     are all 0/0 (a camera without a fix) holds none.
//   - More: every other copy of a position, in the order they are found
//     (see "Every copy of a position" below): the XMP copies of the
//     photo's own position, GPSDestLatitude/GPSDestLongitude (EXIF and
//     XMP), the positions of Iptc4xmpExt:LocationShown and LocationCreated,
//     drone tags, the thumbnail's. A photo whose only positions are of
//     this kind (a GPSDest, a LocationShown) has Shape ShapeNone and its
//     positions in More.
//   - Text: the positions written in the free text of the XMP packets
//     (dc:description, dc:title, photoshop:Headline, Iptc4xmpCore:Location,
//     keywords, any other value) and of the EXIF ImageDescription and
//     UserComment (ASCII or undefined character code), found with package
//     geotext. Field is "XMP " and the property's name (with the value's
//     own name after a "/" inside a structure), or "EXIF ImageDescription"
//     and "EXIF UserComment"; Start and End are offsets in the value (XMP:
//     with its XML entities resolved; UserComment: after its 8-byte
//     character code). A position that reads both ways (two bare numbers)
//     is two entries with the same Start and End.
//   - Alt: GPSAltitude, negative when GPSAltitudeRef is 1.
//   - Time: GPSDateStamp + GPSTimeStamp (UTC); else DateTimeOriginal with
//     OffsetTimeOriginal (taken as UTC when there is no offset); else the
//     XMP exif:GPSTimeStamp.
//   - Source: the camera's BodySerialNumber, when there is one.
//   - Attrs: make, model, software, artist, copyright, imagedescription,
//     modifydate, datetimeoriginal, createdate, serialnumber (also "source",
//     "bodyserialnumber"), cameraownername, imageuniqueid, lensmake,
//     lensmodel, lensserialnumber: the EXIF ASCII tags of that name.
//
// # Every copy of a position
//
// A position may sit in several places in one file, and every one is read
// and edited:
//
//   - every EXIF APP1 segment, and in it every GPS IFD that IFD0, IFD1 (and
//     the IFDs after it) or the Exif IFD points to: GPSLatitude/
//     GPSLongitude, and GPSDestLatitude/GPSDestLongitude (a destination
//     of all zeros is none);
//   - the EXIF thumbnail (the JPEG that IFD1 points to), with its own EXIF
//     and XMP segments, edited in place (its size never changes);
//   - every XMP packet in APP1 (the standard header, and the non-standard
//     ones ExifTool also reads) and the extended XMP
//     (http://ns.adobe.com/xmp/extension/) reassembled from its chunks:
//     every element or attribute whose local name, in any namespace and at
//     any depth, ends with "Latitude" or "Longitude" (or "Longtitude", as
//     DJI spells it in some firmware) is a coordinate: exif:GPSLatitude,
//     exif:GPSDestLatitude, drone-dji:GpsLatitude, drone-dji:Latitude, the
//     exif:GPSLatitude of each Iptc4xmpExt:LocationShown and
//     LocationCreated, and those of namespaces geowarden has not seen.
//     Latitudes and longitudes pair in document order by the part of their
//     name before "Latitude"/"Longitude" (GPS, GPSDest, ...) and, inside
//     a structure or an array, by the top-level property they belong to;
//     a latitude without its longitude, or a value that is neither
//     DDD,MM.mmmmk, DDD,MM,SSk nor decimal degrees, makes the photo a bad
//     record (ErrXMP);
//   - images embedded after the first image's EOI marker (MPF secondary
//     images, previews): each is read like the first and edited in place.
//     They are read after the photo's record is decided, so each of their
//     copies must lie within MaxDisagreementM (30 m) of one of the record's
//     positions, and goes where that one goes; a copy that is none of them
//     makes the embedded image a bad record (ErrMismatch), whose positions
//     are then dropped.
//
// # Edits
//
// Drop means "remove every position", not "delete the photo":
//
//   - each GPS IFD pointer (tag 0x8825) is removed from its IFD: the later
//     entries and the next-IFD offset move up 12 bytes, the entry count
//     drops by one, and the 12 bytes freed are zeroed; the orphaned GPS IFD
//     and its out-of-line values (GPSDest* included) are overwritten with
//     zeros, so no reader finds a GPS tag and no coordinate remains in the
//     bytes; an EXIF block with a GPS IFD that could not be read, or that
//     does not read cleanly and without a position after the drop (GPS
//     values overlapping the header, the IFDs or the thumbnail, in hostile
//     input), is removed whole (in embedded images, zeroed);
//   - every GPS property (local name starting with "GPS", any case) and
//     every latitude or longitude property is removed from the XMP
//     packets, structures' ones included (a LocationShown keeps its City,
//     without coordinates); the bytes removed become padding before
//     <?xpacket end ...?>, so the segment keeps its length and every
//     offset after it stays valid (a packet without that trailer shrinks,
//     where nothing counts on its size; where sizes must not change, the
//     properties are overwritten with blanks); an edited extended XMP gets
//     a new GUID (the MD5 of its text) in its chunks and in the standard
//     packet's xmpNote:HasExtendedXMP;
//   - every position written in XMP text is redacted, as for Redact;
//   - orientation, dates, camera, maker notes and every other tag stay.
//
// Move rewrites each copy in place, in its own types and sizes: the
// primary copy gets Edit.Pos and the copy behind More[i] gets
// Edit.More[i]; when Edit.More is empty, the copies within
// MaxDisagreementM of Pos follow Pos and the others stay. EXIF coordinates
// are written as d/1 m/1 s*10000/10000 for three rationals (with their Ref
// tags), XMP coordinates in their own style with as many decimals as fill
// the old value's width. Redact replaces the text of each listed position
// with geowarden.RedactedText, the rest of the value kept and the new
// value escaped for XML; the packet's padding absorbs the change. Where
// sizes must not change and the padding cannot absorb it (a thumbnail, an
// embedded image, a packet without padding after an MPF segment), the
// position's own bytes are overwritten instead, with RedactedText when it
// fits and with blanks padding it, or with blanks alone when the position
// is shorter. EXIF text is always redacted so, in place. Retime rewrites GPSTimeStamp and GPSDateStamp,
// DateTimeOriginal and CreateDate (in their OffsetTime, else UTC),
// ModifyDate when it equals DateTimeOriginal, and exif:GPSTimeStamp;
// retiming to the zero time removes them. Strip removes the named EXIF
// attributes (the entry and its value; "time" names the time fields
// above); Set overwrites an ASCII attribute's value in place when it fits,
// and otherwise appends it to the EXIF data (the segment grows). Names that
// match no tag are ignored. Strip and Set do not touch XMP.
//
// Segment lengths change only where nothing else counts on them: an
// embedded image or a thumbnail, and the segments after an MPF segment
// (whose offsets count from it), are edited in place or not at all; an
// edit that cannot be made so is an error wrapping ErrEdit. So is an edit
// after which an EXIF block does not read back with each position where
// the edit put it (values that overlap, in hostile input, so that a new
// time stamp lands on a coordinate or a coordinate on an IFD).
//
// # Passed through
//
// Every segment that is not edited is copied byte for byte, and so is
// everything from the first SOS marker on: the entropy-coded data, the
// tables between progressive scans and the EOI marker are copied verbatim
// without decoding (only markers are followed, to find EOI). A keep-all
// rewrite reproduces the input exactly.
//
// Positions geowarden does not rewrite are passed through and, where they
// can be seen, reported with format.Notify (kind "unsupported"):
//
//   - data after the last image's EOI marker that is not another JPEG (16
//     bytes or more, and not all zeros or all 0xFF):
//     Samsung, AFCP, FotoStation or Photo Mechanic trailers, and the MP4
//     video of "motion photos", which carries its own position;
//   - FLIR segments (a FLIR camera's GPS record) and any other APPn or COM
//     segment that mentions GPSLatitude, GPSLongitude or GPSPosition (a
//     C2PA/JUMBF manifest's EXIF assertion, XMP inside a Photoshop APP13
//     block);
//   - maker notes are not parsed: some (Pentax, Sony, Samsung, DJI) hold a
//     copy of the position, and it passes through unchanged, unreported;
//   - positions written in other EXIF text (Artist, Copyright, the
//     Windows XPComment and XPTitle, a Unicode UserComment) and in the IPTC
//     APP13 block are not read; the release verifier still sees them in
//     the bytes;
//   - a position split over two XMP values (the keywords "geo:lat=..." and
//     "geo:lon=..." as two items) is not read as text;
//   - the text positions of embedded images are not part of the record:
//     they are redacted when the photo is dropped, or when they lie within
//     MaxDisagreementM of a text position the photo's edit redacts;
//   - IPTC location names (City, Sub-location, Province-State, Country) in
//     APP13 and XMP photoshop:City are names, not coordinates, and stay;
//   - segments after the first SOS marker (an APP1 between progressive
//     scans) are not examined.
//
// # Bad input
//
// The input is hostile: offsets are checked against the segment before
// they are followed, IFD chains stop at a repeated offset (and after 8
// directories), counts are bounded by the bytes that hold them, nothing is
// allocated from a count in the input, both byte orders are read, and a
// thumbnail's own thumbnail is not read.
//
// An EXIF block that ExifTool would join from several APP1 segments
// (multi-segment EXIF) is read as a corrupt one, and a GPS IFD pointer with
// a count of 0 as no pointer (ExifTool ignores it too).
//
// A photo whose position cannot be read reliably is a bad record
// (format.Handler.Bad with the byte offset and what was wrong): an EXIF
// segment without a TIFF header, an unreadable IFD0 or GPS IFD, a
// coordinate with a zero denominator, a wrong type or no hemisphere
// reference (ErrEXIF); an XMP packet that mentions GPS but does not lex, or
// a GPS value that does not parse, or a latitude without its longitude
// (ErrXMP); an embedded image's copy that is none of the record's
// positions (ErrMismatch). When Bad returns nil, the photo is written
// with every copy of its position removed, as for Drop; segments that
// cannot be edited are removed whole (in embedded images, zeroed). A scan never
// reports a position it could not parse.
//
// A file that does not start with SOI is an error wrapping ErrNotJPEG; one
// that ends inside a segment, or before the EOI marker after its image
// data, wraps ErrTruncated; a byte that is not a marker where one must be,
// or a segment length under 2, wraps ErrStructure. These are fatal
// *format.ParseError values with the byte offset. The metadata before the
// image data is held in memory, at most format.Options.MaxRecordBytes
// (DefaultMaxHeaderBytes when 0), so that the record is decided before any
// of it is written; the image data streams in 64 KiB buffers.
//
// # HEIC and HEIF
//
// HEICCodec detects ISO media files whose ftyp brands name HEIF (heic,
// heix, mif1, msf1, avif, ...). It does not rewrite them and gives no
// records: a scan reports each file with a notice of kind "unsupported"
// (whose Pos is the EXIF item's GPS position, when the meta box and the
// item can be found and read) and returns nil; a rewrite returns a
// *format.ParseError wrapping ErrHEIC, so sanitize refuses such a file
// instead of passing it as clean. XMP items and positions elsewhere in the
// file are not read.
package jpeg
