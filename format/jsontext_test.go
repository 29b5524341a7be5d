package format

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// TestJSONEscapeU: a \u escape decodes as encoding/json decodes it, pairs
// of surrogates included, and says how many bytes it read.
func TestJSONEscapeU(t *testing.T) {
	for _, c := range []struct {
		in string
		n  int
	}{
		{`\u0041x`, 6},
		{`\u00e9`, 6},
		{`\ud83d\ude00`, 12},     // a pair
		{`\uD83D\uDE00tail`, 12}, // upper-case digits
		{`\ud83dx`, 6},           // a high surrogate alone
		{`\ude00\ud83d`, 6},      // a low surrogate first
		{`\ud83d\u0041`, 6},      // a high surrogate, then no low one
		{`\ud83d\n`, 6},
	} {
		r, n := JSONEscapeU([]byte(c.in))
		var want string
		if err := json.Unmarshal([]byte(`"`+c.in[:c.n]+`"`), &want); err != nil {
			t.Fatal(err)
		}
		if wr, _ := utf8.DecodeRuneInString(want); r != wr || n != c.n {
			t.Errorf("JSONEscapeU(%q) = %U, %d; want %U, %d", c.in, r, n, wr, c.n)
		}
		if got := string(AppendUnquoted(nil, []byte(`"`+c.in+`"`))); got != jsonString(t, c.in) {
			t.Errorf("AppendUnquoted(%q) = %q, want %q", c.in, got, jsonString(t, c.in))
		}
	}
}

func jsonString(t *testing.T, s string) string {
	t.Helper()
	var v string
	if err := json.Unmarshal([]byte(`"`+s+`"`), &v); err != nil {
		t.Fatal(err)
	}
	return v
}
