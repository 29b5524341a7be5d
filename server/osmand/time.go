package osmand

import (
	"errors"
	"strconv"
	"time"
)

// timeStyle is how a timestamp was written, so that a retimed record keeps
// it.
type timeStyle uint8

const (
	tsNone    timeStyle = iota
	tsSeconds           // unix seconds
	tsMillis            // unix milliseconds
	tsISO               // RFC 3339 with a zone
	tsISOFrac           // RFC 3339 with a fraction of a second
	tsSpace             // 2006-01-02 15:04:05, UTC
)

var errTime = errors.New("not a time (want unix seconds or milliseconds, ISO 8601 or yyyy-MM-dd HH:mm:ss)")

// Times before 1970 or after 9999 are refused: no device sends them, and
// they are where readers disagree.
var (
	minTime = time.Unix(0, 0).UTC()
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// parseTime reads an OsmAnd timestamp as Traccar does: an integer below
// 2^31-1 is unix seconds, a larger one milliseconds; text with a 'T' is ISO
// 8601, other text yyyy-MM-dd HH:mm:ss (read as UTC).
func parseTime(v []byte) (time.Time, timeStyle, error) {
	if len(v) == 0 {
		return time.Time{}, 0, errTime
	}
	if isDigits(v) {
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil || n > maxTime.UnixMilli() {
			return time.Time{}, 0, errTime
		}
		if n < 1<<31-1 {
			return time.Unix(n, 0).UTC(), tsSeconds, nil
		}
		return time.UnixMilli(n).UTC(), tsMillis, nil
	}
	var t time.Time
	var err error
	style := tsSpace
	if i := indexByte(v, 'T'); i >= 0 {
		t, err = parseISO(string(v))
		style = tsISO
		if indexByte(v, '.') >= 0 {
			style = tsISOFrac
		}
	} else {
		t, err = time.Parse(time.DateTime, string(v))
	}
	if err != nil || t.Before(minTime) || t.After(maxTime) {
		return time.Time{}, 0, errTime
	}
	return t.UTC(), style, nil
}

// isoLayouts are the forms of ISO 8601 date-times read, with or without a
// fraction of a second (time.Parse accepts one after the seconds).
var isoLayouts = [...]string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05", // no zone: UTC
}

func parseISO(s string) (time.Time, error) {
	var err error
	for _, l := range isoLayouts {
		var t time.Time
		if t, err = time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// appendTime writes t in style.
func appendTime(dst []byte, t time.Time, style timeStyle) []byte {
	t = t.UTC()
	switch style {
	case tsMillis:
		return strconv.AppendInt(dst, t.UnixMilli(), 10)
	case tsISO:
		return t.AppendFormat(dst, "2006-01-02T15:04:05Z07:00")
	case tsISOFrac:
		return t.AppendFormat(dst, "2006-01-02T15:04:05.000Z07:00")
	case tsSpace:
		return t.AppendFormat(dst, time.DateTime)
	}
	return strconv.AppendInt(dst, t.Unix(), 10)
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
