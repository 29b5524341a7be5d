package audit_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
	"golang.org/x/mod/sumdb/note"
)

const root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="

func TestParseCheckpoint(t *testing.T) {
	good := map[string]audit.Checkpoint{
		"example.com/behind-the-sofa\n20852163\n" + root + "\n": {Origin: "example.com/behind-the-sofa", Size: 20852163},
		"o\n0\n" + root + "\n": {Origin: "o", Size: 0},
		"o\n9223372036854775807\n" + root + "\next one\next 2\n": {Origin: "o", Size: 1<<63 - 1, Extensions: []string{"ext one", "ext 2"}},
	}
	for text, want := range good {
		c, err := audit.ParseCheckpoint(text)
		if err != nil {
			t.Errorf("ParseCheckpoint(%q): %v", text, err)
			continue
		}
		if c.Origin != want.Origin || c.Size != want.Size || strings.Join(c.Extensions, "|") != strings.Join(want.Extensions, "|") {
			t.Errorf("ParseCheckpoint(%q) = %+v", text, c)
		}
		if c.String() != text {
			t.Errorf("String() = %q, want %q", c.String(), text)
		}
	}
	bad := map[string]string{
		"no final newline":      "o\n1\n" + root,
		"two lines":             "o\n1\n",
		"empty origin":          "\n1\n" + root + "\n",
		"leading zero":          "o\n01\n" + root + "\n",
		"negative size":         "o\n-1\n" + root + "\n",
		"plus sign":             "o\n+1\n" + root + "\n",
		"size overflows":        "o\n9223372036854775808\n" + root + "\n",
		"short hash":            "o\n1\nAAAA\n",
		"url base64":            "o\n1\n" + strings.ReplaceAll(root, "/", "_") + "\n",
		"hash without padding":  "o\n1\n" + strings.TrimSuffix(root, "=") + "\n",
		"non-canonical padding": "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",
		"empty extension":       "o\n1\n" + root + "\n\n",
	}
	for name, text := range bad {
		if _, err := audit.ParseCheckpoint(text); !errors.Is(err, audit.ErrCheckpoint) {
			t.Errorf("%s: ParseCheckpoint(%q) = %v, want ErrCheckpoint", name, text, err)
		}
	}
}

func TestOpenCheckpoint(t *testing.T) {
	l, _, vkey := newLog(t, 5)
	signed := l.Checkpoint()
	c, err := audit.OpenCheckpoint(signed, vkey)
	if err != nil {
		t.Fatal(err)
	}
	if c.Origin != testOrigin || c.Size != 5 || !reflect.DeepEqual(c, l.Head()) {
		t.Errorf("OpenCheckpoint = %+v, head %+v", c, l.Head())
	}

	// A witness's cosignature (an unknown key) is ignored.
	wskey, _, err := note.GenerateKey(rand.Reader, "witness.example/w1")
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := note.NewSigner(wskey)
	n, err := note.Open(signed, note.VerifierList(mustVerifier(t, vkey)))
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := note.Sign(n, ws)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := audit.OpenCheckpoint(cosigned, vkey); err != nil {
		t.Errorf("cosigned checkpoint: %v", err)
	}

	_, otherV := seededKey(t, testOrigin, "other")
	other, _ := seededKey(t, "geowarden.example/audit/elsewhere", "elsewhere")
	ol, err := audit.Open(context.Background(), &audittest.Memory{}, other)
	if err != nil {
		t.Fatal(err)
	}
	// A checkpoint signed by the right key whose origin is another name.
	skey, _ := seededSkey(t, testOrigin, "test")
	wrongOrigin := signWith(t, skey, "geowarden.example/audit/elsewhere\n0\n"+strings.Repeat("A", 43)+"=\n")

	cases := []struct {
		name   string
		signed []byte
		vkey   string
		want   error
	}{
		{"other key, same name", signed, otherV, audit.ErrSignature},
		{"other log", ol.Checkpoint(), vkey, audit.ErrSignature},
		{"text changed", bytes.Replace(signed, []byte("\n5\n"), []byte("\n4\n"), 1), vkey, audit.ErrSignature},
		{"signature changed", append(bytes.Clone(signed[:len(signed)-3]), "AA\n"...), vkey, audit.ErrSignature},
		{"origin not the key's name", wrongOrigin, vkey, audit.ErrCheckpoint},
		{"no signature", []byte(l.Head().String()), vkey, audit.ErrCheckpoint},
		{"control character", append([]byte("\x01"), signed...), vkey, audit.ErrCheckpoint},
	}
	for _, c := range cases {
		if _, err := audit.OpenCheckpoint(c.signed, c.vkey); !errors.Is(err, c.want) {
			t.Errorf("%s: OpenCheckpoint = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := audit.OpenCheckpoint(signed, "bad key"); err == nil {
		t.Error("bad verifier key: no error")
	}
}

func mustVerifier(t *testing.T, vkey string) note.Verifier {
	t.Helper()
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// signWith signs any text with the private key skey: a checkpoint the log
// itself would never sign.
func signWith(t *testing.T, skey, text string) []byte {
	t.Helper()
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	b, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
