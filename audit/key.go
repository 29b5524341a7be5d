package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// Key is the log's signing key: an Ed25519 key with a name, the log's
// origin, in the signed-note key formats of golang.org/x/mod/sumdb/note.
type Key struct {
	signer note.Signer
	vkey   string
}

// GenerateKey makes a new signing key named origin and returns its private
// form (PRIVATE+KEY+name+hash+key, a secret) and its verifier key
// (name+hash+key, public).
func GenerateKey(origin string) (skey, vkey string, err error) {
	if err := CheckOrigin(origin); err != nil {
		return "", "", err
	}
	skey, vkey, err = note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", "", fmt.Errorf("audit: key name %q: %w", origin, err)
	}
	return skey, vkey, nil
}

// CheckOrigin reports whether origin can name a log and its key: it must
// be non-empty valid UTF-8 without spaces or "+" (signed-note key names);
// a schema-less URL such as geowarden.example/audit/7f3a9c1e is best.
func CheckOrigin(origin string) error {
	if origin == "" || !utf8.ValidString(origin) || strings.IndexFunc(origin, unicode.IsSpace) >= 0 || strings.Contains(origin, "+") {
		return fmt.Errorf("audit: key name %q: want a non-empty name without spaces or \"+\", such as geowarden.example/audit/7f3a9c1e", origin)
	}
	return nil
}

// ParseKey reads a private key in the form GenerateKey returns.
func ParseKey(skey string) (*Key, error) {
	skey = strings.TrimSpace(skey)
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("audit: private key: %w", err)
	}
	// PRIVATE+KEY+name+hash+base64(0x01 || seed): derive the public key.
	// The name and hash hold no "+"; the base64 key may.
	fields := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(fields[len(fields)-1])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, errors.New("audit: private key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return nil, fmt.Errorf("audit: private key: %w", err)
	}
	return &Key{signer: s, vkey: vkey}, nil
}

// Origin is the key's name, which is the log's origin line.
func (k *Key) Origin() string { return k.signer.Name() }

// VerifierKey returns the public verifier key, name+hash+key, that anyone
// checks the log's checkpoints with.
func (k *Key) VerifierKey() string { return k.vkey }

// CreateKeyFile generates a key named origin and writes its private form
// to path, readable by its owner only (0600). It refuses to replace a file
// that exists.
func CreateKeyFile(path, origin string) (*Key, error) {
	skey, _, err := GenerateKey(origin)
	if err != nil {
		return nil, err
	}
	k, err := ParseKey(skey)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: key file: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("audit: key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("audit: key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("audit: key file %s: %w", path, err)
	}
	return k, nil
}

// ReadKeyFile reads a private key written by CreateKeyFile. On systems
// with Unix permissions, a key file that its group or others may read is
// refused.
func ReadKeyFile(path string) (*Key, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("audit: key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("audit: key file %s: not a regular file", path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("audit: key file %s: mode %v lets others read it; want 0600", path, fi.Mode().Perm())
	}
	b, err := readSmall(path, 4096)
	if err != nil {
		return nil, fmt.Errorf("audit: key file: %w", err)
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// ReadVerifierKey reads a verifier key (name+hash+key) from a file: the
// first line that is not empty and does not start with #.
func ReadVerifierKey(path string) (string, error) {
	b, err := readSmall(path, 4096)
	if err != nil {
		return "", fmt.Errorf("audit: verifier key: %w", err)
	}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if _, err := ParseVerifierKey(line); err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		return line, nil
	}
	return "", fmt.Errorf("audit: verifier key %s: no key in the file", path)
}

// readSmall reads a file of at most limit bytes.
func readSmall(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: more than %d bytes", path, limit)
	}
	return b, nil
}

// ParseVerifierKey checks a verifier key, name+hash+key, and returns it
// without the space around it.
func ParseVerifierKey(vkey string) (string, error) {
	vkey = strings.TrimSpace(vkey)
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", fmt.Errorf("audit: verifier key %q: %w", vkey, err)
	}
	return vkey, nil
}
