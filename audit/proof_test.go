package audit_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
)

func TestProofRoundTrip(t *testing.T) {
	ctx := context.Background()
	l, m, vkey := newLog(t, 11)
	for n := range int64(11) {
		text, err := l.Proof(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		p, err := audit.ParseProof(text)
		if err != nil {
			t.Fatalf("ParseProof of entry %d: %v\n%s", n, err, text)
		}
		if p.Index != n || !bytes.Equal(p.Extra, m.Entries[n]) || !bytes.Equal(p.Checkpoint, l.Checkpoint()) {
			t.Errorf("proof of %d parsed as %+v", n, p)
		}
		if !bytes.Equal(p.Marshal(), text) {
			t.Errorf("Marshal(ParseProof(text)) differs from text")
		}
		c, e, err := audit.VerifyProof(text, vkey, nil)
		if err != nil {
			t.Fatalf("VerifyProof of entry %d: %v", n, err)
		}
		if c.Size != 11 || e.Index != n || e.Actor != audittest.Entry(int(n)).Actor {
			t.Errorf("VerifyProof = %+v, %+v", c, e)
		}
		// The entry given apart from the proof.
		if _, _, err := audit.VerifyProof(text, vkey, m.Entries[n]); err != nil {
			t.Errorf("VerifyProof with the entry given: %v", err)
		}
	}
	if _, err := l.Proof(ctx, 11); !errors.Is(err, audit.ErrNoEntry) {
		t.Errorf("Proof(11) of 11 entries: %v, want ErrNoEntry", err)
	}
	if _, err := l.Proof(ctx, -1); !errors.Is(err, audit.ErrNoEntry) {
		t.Errorf("Proof(-1): %v, want ErrNoEntry", err)
	}
}

// TestProofLayout: the text follows c2sp.org/tlog-proof line by line.
func TestProofLayout(t *testing.T) {
	l, _, _ := newLog(t, 5)
	text, err := l.Proof(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	head, cp, ok := strings.Cut(string(text), "\n\n")
	if !ok || cp != string(l.Checkpoint()) {
		t.Fatalf("proof does not end with an empty line and the checkpoint:\n%s", text)
	}
	lines := strings.Split(head, "\n")
	// Tree of 5: entry 2's proof is its sibling 3, the subtree 0..1, and
	// the subtree 4.
	if len(lines) != 6 || lines[0] != "c2sp.org/tlog-proof@v1" || !strings.HasPrefix(lines[1], "extra ") || lines[2] != "index 2" {
		t.Fatalf("proof lines %q", lines)
	}
	for _, h := range lines[3:] {
		if len(h) != 44 || !strings.HasSuffix(h, "=") {
			t.Errorf("proof hash line %q", h)
		}
	}
}

func TestProofRejected(t *testing.T) {
	ctx := context.Background()
	l, m, vkey := newLog(t, 6)
	text, err := l.Proof(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := audit.ParseProof(text)
	other := func(change func(p *audit.Proof)) []byte {
		q := p
		q.Hashes = append(q.Hashes[:0:0], p.Hashes...)
		change(&q)
		return q.Marshal()
	}
	_, otherV := seededKey(t, testOrigin, "other")
	cases := []struct {
		name  string
		text  []byte
		vkey  string
		entry []byte
		want  error
	}{
		{"another entry's bytes", text, vkey, m.Entries[2], audit.ErrProof},
		{"extra data changed", other(func(p *audit.Proof) { p.Extra = m.Entries[4] }), vkey, nil, audit.ErrProof},
		{"index changed", other(func(p *audit.Proof) { p.Index = 2 }), vkey, nil, audit.ErrProof},
		{"index past the tree", other(func(p *audit.Proof) { p.Index = 6 }), vkey, nil, audit.ErrProof},
		{"a proof hash changed", other(func(p *audit.Proof) { p.Hashes[1][5] ^= 0x20 }), vkey, nil, audit.ErrProof},
		{"a proof hash dropped", other(func(p *audit.Proof) { p.Hashes = p.Hashes[1:] }), vkey, nil, audit.ErrProof},
		{"other key", text, otherV, nil, audit.ErrSignature},
		{"checkpoint of another size", other(func(p *audit.Proof) {
			l2, _, _ := newLog(t, 7)
			p.Checkpoint = l2.Checkpoint()
		}), vkey, nil, audit.ErrProof},
	}
	for _, c := range cases {
		if _, _, err := audit.VerifyProof(c.text, c.vkey, c.entry); !errors.Is(err, c.want) {
			t.Errorf("%s: VerifyProof = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestParseProof(t *testing.T) {
	const h = "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ="
	const cp = "example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n— example.com/fancylog hI2DJw==\n"
	good := map[string]audit.Proof{
		"c2sp.org/tlog-proof@v1\nextra YWJj\nindex 73894\n" + h + "\n" + h + "\n\n" + cp: {Index: 73894, Extra: []byte("abc"), Checkpoint: []byte(cp)},
		"c2sp.org/tlog-proof@v1\nindex 0\n\n" + cp:                                       {Index: 0, Checkpoint: []byte(cp)},
	}
	for text, want := range good {
		p, err := audit.ParseProof([]byte(text))
		if err != nil {
			t.Errorf("ParseProof(%q): %v", text, err)
			continue
		}
		p.Hashes = nil
		if !reflect.DeepEqual(p, want) {
			t.Errorf("ParseProof(%q) = %+v, want %+v", text, p, want)
		}
	}
	bad := map[string]string{
		"empty":             "",
		"other version":     "c2sp.org/tlog-proof@v2\nindex 0\n\n" + cp,
		"no index":          "c2sp.org/tlog-proof@v1\n" + h + "\n\n" + cp,
		"index leading 0":   "c2sp.org/tlog-proof@v1\nindex 01\n\n" + cp,
		"index negative":    "c2sp.org/tlog-proof@v1\nindex -1\n\n" + cp,
		"extra after index": "c2sp.org/tlog-proof@v1\nindex 1\nextra YWJj\n\n" + cp,
		"extra not base64":  "c2sp.org/tlog-proof@v1\nextra ###\nindex 1\n\n" + cp,
		"short hash":        "c2sp.org/tlog-proof@v1\nindex 1\nYWJj\n\n" + cp,
		"no empty line":     "c2sp.org/tlog-proof@v1\nindex 1\n" + h + "\n",
		"no checkpoint":     "c2sp.org/tlog-proof@v1\nindex 1\n" + h + "\n\n",
		"CRLF":              "c2sp.org/tlog-proof@v1\r\nindex 1\r\n\r\n" + cp,
		"64 hashes":         "c2sp.org/tlog-proof@v1\nindex 1\n" + strings.Repeat(h+"\n", 64) + "\n" + cp,
	}
	for name, text := range bad {
		if _, err := audit.ParseProof([]byte(text)); !errors.Is(err, audit.ErrProof) {
			t.Errorf("%s: ParseProof(%q) = %v, want ErrProof", name, text, err)
		}
	}
}
