package csv

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/geowarden/geowarden/format"
)

// role is what a column holds: format's shared vocabulary.
type role = format.Role

// aliases are the header names (lower case) each role is found by, best
// first: format's shared table. Keep doc.go in step.
var aliases = func() (a [format.NumRoles][]string) {
	for r := range a {
		a[r] = role(r).Aliases()
	}
	return a
}()

// roleByName returns the role named name, ignoring case.
func roleByName(name string) (role, bool) {
	r := format.RoleByName(name)
	return r, r != format.RoleNone
}

// headerName normalises a header field's value for matching: surrounding
// blanks and a byte order mark removed, lower case.
func headerName(v []byte) string {
	v = bytes.TrimPrefix(trimBlank(v), bom)
	return strings.ToLower(string(trimBlank(v)))
}

// resolve finds the column of each role (-1 when none) in a header of
// normalised names; written are the names as written, for messages. Options.Columns wins over the aliases; among the
// aliases of a role, the one listed first wins, and for one alias the
// leftmost column.
func resolve(names, written []string, columns map[string]string) ([format.NumRoles]int, error) {
	var col [format.NumRoles]int
	for r := range col {
		col[r] = -1
		for _, a := range aliases[r] {
			if i := slices.Index(names, a); i >= 0 {
				col[r] = i
				break
			}
		}
	}
	// Sorted for a deterministic first error.
	keys := make([]string, 0, len(columns))
	for k := range columns {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		r, ok := roleByName(k)
		if !ok {
			return col, fmt.Errorf("csv: unknown column role %q in options (want one of %s)", k, strings.Join(format.RoleNames(), ", "))
		}
		want := strings.ToLower(strings.TrimSpace(columns[k]))
		i := slices.Index(names, want)
		if i < 0 {
			return col, fmt.Errorf("csv: column %q for role %s is not in the header (%s)", columns[k], r, listNames(written))
		}
		col[r] = i
	}
	return col, nil
}

// listNames formats header names for an error message.
func listNames(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 12 && len(names) > 14 {
			fmt.Fprintf(&b, "... %d more", len(names)-i)
			break
		}
		fmt.Fprintf(&b, "%q", n)
	}
	return b.String()
}

// errNoPosition explains a header without latitude or longitude.
func errNoPosition(names []string, col [format.NumRoles]int) error {
	var missing string
	switch {
	case col[format.RoleLat] < 0 && col[format.RoleLon] < 0:
		missing = "latitude and longitude columns"
	case col[format.RoleLat] < 0:
		missing = "latitude column"
	default:
		missing = "longitude column"
	}
	return fmt.Errorf("csv: %w: no %s among %s; the built-in names are %s for latitude and %s for longitude",
		format.ErrNoPosition, missing, listNames(names),
		strings.Join(aliases[format.RoleLat], "/"), strings.Join(aliases[format.RoleLon], "/"))
}
