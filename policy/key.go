package policy

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// MinKeyLen is the shortest pseudonymisation key KeySource.Load accepts.
const MinKeyLen = 16

// maxKeyLen caps the size of a key file.
const maxKeyLen = 64 << 10

// KeySource says where the pseudonymisation (HMAC) key comes from: an
// environment variable or a file. A policy never holds the key itself.
// The zero KeySource names no key.
type KeySource struct {
	Env  string // name of the environment variable
	File string // path of the key file, as written in the policy
	Line int
}

// IsZero reports whether no key source is set.
func (k KeySource) IsZero() bool { return k.Env == "" && k.File == "" }

// String describes the source without revealing the key, as in
// "environment variable GEOWARDEN_KEY" or "file keys/hmac.key".
func (k KeySource) String() string {
	switch {
	case k.Env != "":
		return "environment variable " + k.Env
	case k.File != "":
		return "file " + k.File
	}
	return "no key source"
}

// Load reads the key. A relative File is resolved against dir (normally
// the policy's Dir). Trailing line breaks (\n, \r\n) are removed from a
// file's content; nothing else is. The key must be at least MinKeyLen
// bytes long. Errors never contain the key.
func (k KeySource) Load(dir string) ([]byte, error) {
	var key []byte
	switch {
	case k.Env != "":
		v, ok := os.LookupEnv(k.Env)
		if !ok {
			return nil, fmt.Errorf("policy: pseudonymise key: environment variable %s is not set", k.Env)
		}
		key = []byte(v)
	case k.File != "":
		path := resolve(dir, k.File)
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("policy: pseudonymise key: %w", err)
		}
		defer f.Close()
		key, err = io.ReadAll(io.LimitReader(f, maxKeyLen+1))
		if err != nil {
			return nil, fmt.Errorf("policy: pseudonymise key: %w", err)
		}
		if len(key) > maxKeyLen {
			return nil, fmt.Errorf("policy: pseudonymise key: file %s is larger than %d bytes", path, maxKeyLen)
		}
		for bytes.HasSuffix(key, []byte("\n")) {
			key = bytes.TrimSuffix(bytes.TrimSuffix(key, []byte("\n")), []byte("\r"))
		}
	default:
		return nil, fmt.Errorf("policy: no pseudonymise_key configured")
	}
	switch {
	case len(key) == 0:
		return nil, fmt.Errorf("policy: pseudonymise key from %s is empty", k)
	case len(key) < MinKeyLen:
		return nil, fmt.Errorf("policy: pseudonymise key from %s is too short (%d bytes; need at least %d)", k, len(key), MinKeyLen)
	}
	return key, nil
}
