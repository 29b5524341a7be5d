package suppress

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// IgnoreFile is the name of the ignore file looked up in the current
// folder.
const IgnoreFile = ".geowardenignore"

// MaxLineLen caps the length of a line of an ignore file.
const MaxLineLen = 64 << 10

// Fingerprint lengths accepted, in hex digits. A scan finding's
// fingerprint has 24.
const (
	MinFingerprintLen = 16
	MaxFingerprintLen = 64
)

// ParseError is an error in an ignore or baseline file, at a line.
type ParseError struct {
	File string
	Line int // 1-based; 0 when the error is about the whole file
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrSyntax is wrapped by every ParseError about a malformed line.
var ErrSyntax = errors.New("malformed line")

// ParseIgnore reads an ignore file: one fingerprint a line, each with an
// optional expiry date and an optional reason after '#':
//
//	# accepted findings
//	3f9a0c1e2b4d5a6f7e8d9c0b  expires=2027-01-31  # survey contractor, DPO ticket 4411
//	9c0b3f9a0c1e2b4d5a6f7e8d
//
// Blank lines and lines that start with '#' are comments. A fingerprint
// is 16 to 64 hex digits (upper case is read as lower case); a
// fingerprint listed twice, an unknown key, a bad date or anything else
// on a line is an error naming name and the line.
func ParseIgnore(name string, r io.Reader) ([]Entry, error) {
	var out []Entry
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLineLen)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		e, ok, err := parseIgnoreLine(text)
		if err != nil {
			return nil, &ParseError{File: name, Line: line, Err: err}
		}
		if !ok {
			continue
		}
		if prev, dup := seen[e.Fingerprint]; dup {
			return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("%w: fingerprint %s is already listed on line %d", ErrSyntax, e.Fingerprint, prev)}
		}
		seen[e.Fingerprint] = line
		e.File, e.Line = name, line
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &ParseError{File: name, Line: line + 1, Err: fmt.Errorf("%w: line longer than %d bytes", ErrSyntax, MaxLineLen)}
		}
		return nil, &ParseError{File: name, Err: err}
	}
	return out, nil
}

// parseIgnoreLine parses one line; ok is false for a blank or comment line.
func parseIgnoreLine(text string) (e Entry, ok bool, err error) {
	body, reason, _ := strings.Cut(text, "#")
	fields := strings.Fields(body)
	if len(fields) == 0 {
		return e, false, nil // blank or comment
	}
	fp, err := ParseFingerprint(fields[0])
	if err != nil {
		return e, false, err
	}
	e = Entry{Fingerprint: fp, Kind: Ignore, Reason: strings.TrimSpace(reason)}
	for _, f := range fields[1:] {
		key, val, isKV := strings.Cut(f, "=")
		switch {
		case !isKV:
			return e, false, fmt.Errorf("%w: unexpected %q after the fingerprint (want expires=YYYY-MM-DD, then # reason)", ErrSyntax, f)
		case key == "expires":
			if !e.Expires.IsZero() {
				return e, false, fmt.Errorf("%w: expires given twice", ErrSyntax)
			}
			t, err := time.Parse(time.DateOnly, val)
			if err != nil {
				return e, false, fmt.Errorf("%w: expires=%q: want a date YYYY-MM-DD", ErrSyntax, val)
			}
			e.Expires = t
		default:
			return e, false, fmt.Errorf("%w: unknown key %q (want expires)", ErrSyntax, key)
		}
	}
	return e, true, nil
}

// ParseFingerprint checks that s is a fingerprint (16 to 64 hex digits)
// and returns it in lower case.
func ParseFingerprint(s string) (string, error) {
	if len(s) < MinFingerprintLen || len(s) > MaxFingerprintLen {
		return "", fmt.Errorf("%w: %q is not a fingerprint (want %d to %d hex digits)", ErrSyntax, clip(s), MinFingerprintLen, MaxFingerprintLen)
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		case c >= 'A' && c <= 'F':
			b[i] = c + 'a' - 'A'
		default:
			return "", fmt.Errorf("%w: %q is not a fingerprint (want hex digits, found %q)", ErrSyntax, clip(s), rune(c))
		}
	}
	return string(b), nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// LoadIgnore reads the ignore file at path.
func LoadIgnore(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseIgnore(path, f)
}
