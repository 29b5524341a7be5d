// Package nmea reads and rewrites NMEA 0183 logs as receivers write them:
// one sentence a line, LF, CRLF or CR line ends, mixed with comments and
// with binary frames of other protocols. Codec implements format.Codec;
// format/all registers it in the default codec set.
//
// Line numbers count LF, CRLF and, outside binary data, a lone CR; columns
// are 1-based byte columns.
//
// # Sentences
//
// A sentence is '$' or '!', an address, comma-separated fields and an
// optional checksum ("*" and two hex digits, the XOR of the bytes between
// '$' and '*'). Any talker is accepted (GP, GL, GA, GB, BD, GN, GQ, ...).
// A sentence that starts its line is read even without a checksum, and
// may be preceded by blanks; one that follows other text or binary data on
// its line is recognised only with a valid checksum. Text that some AIS
// receivers append after the checksum (",s36310,d-081") is kept as it is.
//
// These sentences give one record each, with the sentence's line (Ref.Line),
// the byte offset of its '$' (Ref.Offset) and Ref.Feature -1:
//
//	fix (Kind fix):        GGA, RMC, GLL, GNS, and the proprietary
//	                       PMGNTRK (Magellan), PASHR,POS (Ashtech), PUBX,00 (u-blox),
//	                       PGRMF (Garmin), PSTI,030 (SkyTraq RTK)
//	waypoint (Kind feature): WPL, RMB, BWC, BWR, TLL, PMGNWPL, PGRMI (Garmin:
//	                       the position a receiver is initialised with)
//	AIS (Kind fix):        !AIVDM, !AIVDO position reports (see AIS below)
//
// Of Garmin's other sentences none carries a position: PGRME (errors),
// PGRMZ (altitude alone), PGRMM (datum), PGRMT (status), PGRMV (velocity),
// PGRMB (beacon), PGRMH (heights), PGRMW (a waypoint's altitude, symbol
// and comment; its position is in the WPL that goes with it), PGRMC,
// PGRMC1 and PGRMO (configuration). They pass as they are.
//
// Positions are ddmm.mmmm / dddmm.mmmm with N/S and E/W. A sentence whose
// coordinates are both empty (no fix yet) gives no record. A fix of
// quality 0 (GGA) or status V (RMC, GLL) is still a position when its
// coordinates are set: it is a record, since it places the receiver as
// much as a valid fix does. Altitude comes from GGA, GNS and PMGNTRK
// (feet converted to metres), PASHR,POS, PUBX,00 and PSTI,030.
//
// Record.Time is the fix's UTC time of day on the date of its own sentence
// (RMC, PMGNTRK, PGRMF, PSTI,030), else of its epoch (RMC or ZDA), else the running date of
// the log: the last date seen, a day later when the time of day goes back
// by more than 12 hours. Before the log's first date Record.Time is zero
// (the time of day is still in the "time" attribute). Two-digit years
// 80-99 are 1980-1999, the others 2000-2079; a date of zeros is no date.
// Waypoints have no Time.
//
// Record.Attrs gives, by name: talker ("GP"; "P" for proprietary
// sentences), type ("GGA"), sentence (the whole text), time (hhmmss.ss as
// written), and where the sentence has them quality, sats, hdop, alt,
// status, mode, speed, course, date and name (waypoint).
//
// Other sentences pass through unchanged within their epoch; they are
// checked for syntax and checksum only, and for what they may hide (see
// Unreadable sentences). Comment lines ('#', as in gpsd logs), other text
// and empty lines pass through and are never dropped.
//
// # AIS
//
// !AIVDM (other vessels) and !AIVDO (own vessel) sentences of any talker
// carry AIS messages (ITU-R M.1371), six bits to a payload character. The
// codec decodes the payload, with its fill bits; a message cut into
// fragments is reassembled from fragments 1 to n with the same address,
// sequence id and channel, and other sentences (and fragments of other
// messages) may come between them. Message types 1, 2, 3 (class A
// position report), 9 (search and rescue aircraft), 4 and 11 (base
// station, UTC response), 17 (DGNSS broadcast: the reference station), 18
// and 19 (class B), 21 (aid to navigation) and 27 (long-range broadcast)
// give one record each: Kind fix, the position (1/10000 minute; 1/10
// minute for 17 and 27), Source the MMSI, Attrs mmsi and msgtype, and for
// types 4 and 11 Time the station's UTC date and time. The record is on the
// line of the message's last fragment. A longitude of 181 or a latitude of
// 91 (not available) gives no record. Types 5, 7, 10, 12, 13, 14, 15, 16,
// 20 and 24 hold no position and pass as they are. AIS sentences do not
// open or close epochs, but an epoch is not closed while a message is
// incomplete, so that its fragments are decided together.
//
// # Unreadable sentences
//
// A sentence that may hold a position this package does not read is
// unreadable:
//
//   - an AIS message whose payload is corrupt (a character outside the
//     armour, fill bits or fragment numbers out of range, a payload too
//     short for its type's position, a position out of range), a fragment
//     without the fragments before it, or a message whose last fragment did
//     not come (within 64 lines, before another message with its sequence
//     id began, or at the end of the input);
//   - an AIS message of type 6, 8 (binary messages, whose applications
//     carry positions of their own), 22, 23 (areas), 25, 26 or of a type
//     the standard does not define;
//   - a proprietary sentence ($P...) not listed above, not known to hold no
//     position (Garmin's above; u-blox PUBX,03, 04, 40, 41; Magellan PMGNST,
//     PMGNCMD; MediaTek PMTK001, 010, 011, 705; GlobalTop PGTOP; SiRF
//     PSRFEPE, PSRFTXT; True North PTNTHTM, PTNTHPR; Ashtech PASHR,ATT,
//     PASHR,SAT and the attitude PASHR,hhmmss) and with at least two fields
//     that hold digits: $PMTKLOX (MediaTek track dumps, positions in hex),
//     $PASHR,PBN (ECEF), $PSRF104 (decimal degrees), $PFEC and others;
//   - any other sentence with four fields that read like a position,
//     ddmm.m,N,dddmm.m,E (RMA, GXA and other types this package does not
//     read).
//
// Each one is reported with format.Notify(h, &format.Notice{Kind:
// "unreadable", ...}). It is removed from the output, unless
// Codec.KeepUnreadable or format.Options.KeepUnreadable is set (geowarden
// sets the latter from the policy's unreadable key, drop by default); then
// it passes unchanged. Notice.Dropped says which. A sentence with a bad
// checksum is a bad record, not an unreadable one.
//
// # Epochs
//
// A receiver sends the sentences of one fix together: GGA, RMC, GLL or GNS
// with the same UTC time, and GSA, GSV, VTG, ZDA and others around them.
// Such a group is an epoch. The codec holds one epoch, presents its
// records to the handler when it is complete, then writes it. When the
// handler drops any fix of an epoch, or a fix sentence of it is bad and
// Bad returns nil, the whole epoch is dropped (every sentence of it, so
// that satellites, speed and time cannot place the fix); comments, text
// and binary data in it stay. Dropping a waypoint removes only its own
// sentence.
//
// Epoch boundaries, as they appear in real logs:
//
//   - A fix sentence starts a new epoch when the epoch already has a fix
//     sentence with the same address (a second GPGGA), or one with a
//     different time.
//   - Before the epoch's first fix, a fix or timed sentence (ZDA, GST, GBS,
//     GRS) starts a new epoch when its time is in another second than the
//     epoch's first time; so a ZDA that comes just before its GGA
//     (032908 then 032908.379) opens the GGA's epoch.
//   - After the epoch's first fix, a timed sentence in another second
//     starts a new epoch.
//   - Every other sentence, and every sentence without a time, belongs to
//     the epoch it sits in, the one opened by the sentences before it.
//
// An epoch holds at most MaxEpochSentences items and MaxEpochBytes bytes.
// A longer one is written in parts: the part so far is decided and
// written, and the epoch goes on (dropped still, when the part was); a fix
// dropped later in it no longer removes the sentences already written. The
// handler then gets a notice of kind "long-epoch".
//
// # Edits
//
//   - Drop removes the epoch (fix) or the sentence (waypoint); an AIS
//     message's record removes every fragment of the message.
//   - Move rewrites the latitude, longitude and hemisphere fields of the
//     record's sentence as ddmm.mmmm / dddmm.mmmm, zero-padded, with as many
//     decimals as the fields had (Pos rounded to them), and recomputes the
//     checksum; other fields are unchanged. A Move to a position that is
//     not a valid coordinate drops the epoch instead. For AIS, the longitude
//     and latitude bits of the message are rewritten (rounded to the
//     type's unit), the payload re-armoured into the same fragments and
//     each fragment's checksum recomputed; every other bit, field and the
//     text after the checksum stay.
//   - Retime rewrites the hhmmss(.ss) field with the same number of
//     decimals (truncated), the date of RMC, PMGNTRK, PGRMF, PGRMI and
//     PSTI,030, and the checksum; PGRMF's GPS week and seconds follow the
//     new time (with its leap seconds; a week below 1024 is written modulo
//     1024), and so do the date and time bits of AIS types 4 and 11. The
//     first retimed fix of an epoch also retimes the other times of the
//     epoch that no record's own edit covers: ZDA (time and date), GST,
//     GBS, GRS, BWC, BWR, TLL and fixes without coordinates. Empty time
//     fields stay empty.
//   - Strip of "time" or "date" empties those same fields instead (and
//     sets an AIS type 4 or 11 time to "not available").
//   - Set, and Strip of other names, change nothing: NMEA sentences carry
//     no free-text attribute but a waypoint's name.
//
// A sentence without a checksum is written without one; a lower-case
// checksum is written in lower case.
//
// # Bad records
//
// A bad checksum ("nmea: checksum 4A, computed 4B", ErrChecksum), a
// malformed sentence (ErrSyntax), a malformed coordinate, hemisphere, time,
// date or altitude in a sentence this package reads (ErrField), a
// coordinate out of range (ErrField and format.ErrRange) and a line longer
// than format.Options.MaxRecordBytes (DefaultMaxLine, 4 KiB, when 0;
// ErrSyntax and format.ErrTooLong) go to Handler.Bad as a
// *format.ParseError with the line, the byte column and offset of the
// fault. When Bad returns nil the sentence is left out of the output, and
// so is its epoch when it was a fix sentence. Read errors are returned
// directly.
//
// # Binary data
//
// Bytes that are not text (control bytes other than tab, invalid UTF-8) are
// binary data: u-blox UBX (0xB5 0x62), SiRF (0xA0 0xA2), RTCM 3 (0xD3),
// TSIP and Garmin (DLE), Ashtech $PASHR binary messages, or garbage. They
// are never parsed; reading resumes at the next sentence: at a '$' or '!'
// that starts a line, or anywhere in the binary data where a sentence with a
// valid checksum runs up to the end of the line or to more binary data (a
// UBX frame directly followed by "$GNRMC,...*7D"). Empty lines and text
// lines between binary data (binary frames hold line-end bytes) belong to
// it, except '#' comments. A line that starts like a fix or waypoint
// sentence and turns into binary data is read as far as it is text, so
// that its position is checked (it is usually a bad record). A line longer
// than MaxRecordBytes that holds binary data is read in slices: sentences
// are looked for only in its last MaxRecordBytes, where a receiver resumes
// NMEA output after a binary frame; memory stays bounded.
//
// Each run of binary data is reported to the handler with
// format.Notify(h, &format.Notice{Kind: "binary", ...}), with the line and
// offset where it starts, its size and a guess of its protocol. It is
// written back unchanged, unless Codec.DropBinary or format.Options.DropBinary
// is set (geowarden sets the latter from the policy's binary key): then it is
// removed (a line end stays where it kept a sentence apart from what
// followed) and Notice.Dropped is true. Binary data stays when its epoch is
// dropped. Whether binary data may leave at all is a policy decision; the
// policy's "binary" setting (drop by default) decides.
//
// # Detection
//
// Detect accepts an input whose first line that is not empty, a '#'
// comment or binary data starts with '$' and five to eight capital letters
// or digits and a comma ("$GPGGA,", "$PMGNTRK,"), or "!" and five ("!AIVDM,"),
// or whose leading binary data holds such a start. With the extension
// .nmea, .nma, .log or .txt, up to ten other text lines may come first.
//
// # Limits
//
// The codec holds one epoch (at most MaxEpochBytes, plus a buffer of 16 KiB
// or twice the line cap) whatever the size of the input. While an AIS
// message is incomplete the epoch may hold 64 more items and up to twice
// MaxEpochBytes; at most 16 messages are incomplete at once (a 17th
// abandons the oldest). Positions in binary frames are not read (see
// Binary data), nor those of unreadable sentences. The UTC second of AIS
// position reports is not a record's time and is not retimed.
package nmea
