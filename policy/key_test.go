package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeySourceLoad(t *testing.T) {
	const key = "0123456789abcdef-secret"
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("keys/good.key", key+"\r\n\n")
	write("keys/short.key", "tooshort\n")
	write("keys/empty.key", "\n")
	write("keys/big.key", strings.Repeat("k", maxKeyLen+1))
	t.Setenv("GW_TEST_KEY", key)
	t.Setenv("GW_TEST_SHORT", "abc")
	t.Setenv("GW_TEST_EMPTY", "")

	tests := []struct {
		name    string
		k       KeySource
		want    string
		wantErr string
	}{
		{"env", KeySource{Env: "GW_TEST_KEY"}, key, ""},
		{"file relative to dir, line breaks trimmed", KeySource{File: "keys/good.key"}, key, ""},
		{"absolute file", KeySource{File: filepath.Join(dir, "keys", "good.key")}, key, ""},
		{"env not set", KeySource{Env: "GW_TEST_UNSET"}, "", "policy: pseudonymise key: environment variable GW_TEST_UNSET is not set"},
		{"env empty", KeySource{Env: "GW_TEST_EMPTY"}, "", "policy: pseudonymise key from environment variable GW_TEST_EMPTY is empty"},
		{"env short", KeySource{Env: "GW_TEST_SHORT"}, "", "policy: pseudonymise key from environment variable GW_TEST_SHORT is too short (3 bytes; need at least 16)"},
		{"file short", KeySource{File: "keys/short.key"}, "", "policy: pseudonymise key from file keys/short.key is too short (8 bytes; need at least 16)"},
		{"file empty", KeySource{File: "keys/empty.key"}, "", "policy: pseudonymise key from file keys/empty.key is empty"},
		{"file too big", KeySource{File: "keys/big.key"}, "", "policy: pseudonymise key: file " + filepath.Join(dir, "keys", "big.key") + " is larger than 65536 bytes"},
		{"no source", KeySource{}, "", "policy: no pseudonymise_key configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.k.Load(dir)
			switch {
			case tt.wantErr != "":
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("got error %v, want %s", err, tt.wantErr)
				}
				if err != nil && (strings.Contains(err.Error(), "tooshort") || strings.Contains(err.Error(), "abc")) {
					t.Errorf("error %q reveals the key", err)
				}
			case err != nil:
				t.Errorf("got error %v", err)
			case string(got) != tt.want:
				t.Errorf("got key %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKeySourceMissingFile(t *testing.T) {
	_, err := KeySource{File: "nope.key"}.Load(t.TempDir())
	if err == nil || !strings.HasPrefix(err.Error(), "policy: pseudonymise key: open ") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want a not-exist error", err)
	}
}

// TestKeyFromPolicy loads the key of a policy file through its Dir.
func TestKeyFromPolicy(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys", "hmac.key"), []byte("0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("testdata/keyfile.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p.yml"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Load(filepath.Join(dir, "p.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Key.String(), "file keys/hmac.key"; got != want {
		t.Errorf("Key.String: got %q, want %q", got, want)
	}
	key, err := p.Key.Load(p.Dir)
	if err != nil || string(key) != "0123456789abcdef" {
		t.Errorf("got %q %v, want the key", key, err)
	}
}
