package review

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

// iso3166 is the list of ISO 3166-1 alpha-2 codes and names, one a line
// ("DE\tGermany"), lines starting with # are comments. See PROVENANCE.md.
//
//go:embed iso3166.tab
var iso3166 string

// countries maps each assigned code to its English name.
var countries = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, 250)
	for line := range strings.SplitSeq(iso3166, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		code, name, ok := strings.Cut(line, "\t")
		if !ok || len(code) != 2 {
			panic("review: bad line in iso3166.tab: " + line)
		}
		m[code] = name
	}
	return m
})

// Country returns s, an ISO 3166-1 alpha-2 country code in any case, in
// upper case. It refuses anything that is not two letters, and two letters
// that ISO 3166-1 does not assign to a country (user-assigned codes such
// as XK or EU, reserved ones such as UK).
func Country(s string) (string, error) {
	cc, msg := country(s)
	if msg != "" {
		return "", fmt.Errorf("review: %s", msg)
	}
	return cc, nil
}

// country is Country with the reason as a message, for policy errors.
func country(s string) (string, string) {
	if len(s) != 2 || !isLetter(s[0]) || !isLetter(s[1]) {
		return "", fmt.Sprintf("%q is not a two-letter country code (ISO 3166-1)", s)
	}
	cc := strings.ToUpper(s)
	if _, ok := countries()[cc]; !ok {
		return "", fmt.Sprintf("%q is not an assigned ISO 3166-1 country code", s)
	}
	return cc, ""
}

// CountryName returns the English name of an assigned code ("Germany" for
// DE), "" for any other string.
func CountryName(code string) string {
	return countries()[code]
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
