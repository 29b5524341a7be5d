package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/geowarden/geowarden/store"
)

// Roles a token may carry.
const (
	RoleIngest   = "ingest"   // send records to the ingest and device routes
	RoleExport   = "export"   // request exports
	RoleReviewer = "reviewer" // review held exports
	RoleAdmin    = "admin"    // operate the gateway: metrics, decisions
	RoleAuditor  = "auditor"  // read metrics, decisions and the audit log
)

// Roles lists every role, in the order help texts show them.
var Roles = []string{RoleIngest, RoleExport, RoleReviewer, RoleAdmin, RoleAuditor}

// TokenPrefix begins every token, so that a token is recognised when it
// turns up where it should not (a log, a repository).
const TokenPrefix = "gw_"

// tokenBytes is how many random bytes a token holds.
const tokenBytes = 32

// HashToken returns the SHA-256 of a token's text: what the store keeps.
func HashToken(text string) []byte {
	h := sha256.Sum256([]byte(text))
	return h[:]
}

// CreateToken makes a new random token with the roles, stores its hash
// under name and returns the token's text, which is never stored and
// cannot be shown again.
func CreateToken(ctx context.Context, s store.Tokens, name string, roles []string, now time.Time) (string, *store.Token, error) {
	text, t, err := NewToken(name, roles, now)
	if err != nil {
		return "", nil, err
	}
	if err := s.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return text, t, nil
}

// NewToken checks a token's name and roles and makes a random token for
// them: its text, and the token as it is to be stored (CreateToken stores
// it).
func NewToken(name string, roles []string, now time.Time) (string, *store.Token, error) {
	if name == "" || strings.ContainsAny(name, ",\n\r\t") || len(name) > 128 {
		return "", nil, fmt.Errorf("token name %q: want 1 to 128 characters, no commas or line breaks", name)
	}
	if len(roles) == 0 {
		return "", nil, fmt.Errorf("token %q: no role (want one or more of %s)", name, strings.Join(Roles, ", "))
	}
	var rs []string
	for _, r := range roles {
		if !slices.Contains(Roles, r) {
			return "", nil, fmt.Errorf("unknown role %q (want one of %s)", r, strings.Join(Roles, ", "))
		}
		if !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	text := TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return text, &store.Token{Name: name, Roles: rs, Hash: HashToken(text), Created: now.UTC()}, nil
}

// credential returns the token a request carries: the bearer token of
// its Authorization header, else its Basic-auth password, else its
// "token" query parameter (for apps that cannot set headers). ok is false
// when it carries none.
func credential(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, tok, found := strings.Cut(h, " "); found && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok), true
		}
		if _, pw, ok := r.BasicAuth(); ok {
			return pw, true
		}
		return "", false
	}
	if tok := queryToken(r.URL.RawQuery); tok != "" {
		return tok, true
	}
	return "", false
}

// queryToken returns the value of the first "token" parameter of a query.
func queryToken(raw string) string {
	for part := range strings.SplitSeq(raw, "&") {
		k, v, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(k); err == nil && k == "token" {
			if v, err := url.QueryUnescape(v); err == nil {
				return v
			}
		}
	}
	return ""
}

// stripCredentials removes geowarden's own credentials from a request
// before anything of it is decoded, stored, forwarded or logged: the
// Authorization header and every "token" query parameter. The other
// parameters keep their bytes and order.
func stripCredentials(r *http.Request) {
	r.Header.Del("Authorization")
	if !strings.Contains(r.URL.RawQuery, "token") && !strings.Contains(r.URL.RawQuery, "%") {
		return // no parameter can be named token, escaped or not
	}
	var keep []string
	for part := range strings.SplitSeq(r.URL.RawQuery, "&") {
		k, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(k); err == nil && k == "token" {
			continue
		}
		keep = append(keep, part)
	}
	u := *r.URL
	u.RawQuery = strings.Join(keep, "&")
	r.URL = &u
	r.RequestURI = u.RequestURI()
}

// Errors of Authenticate. Both make a 401: the answer does not say which.
var (
	errNoToken  = errors.New("no token")
	errBadToken = errors.New("unknown or revoked token")
)

// Auth checks the tokens of requests against the store. Lookups are
// cached for TTL, so a revoked token is refused at most TTL after it was
// revoked. It is safe for concurrent use.
type Auth struct {
	store store.Tokens
	ttl   time.Duration
	now   func() time.Time

	mu    sync.Mutex
	cache map[string]cached // by hash
	used  map[int64]time.Time
}

type cached struct {
	tok     *store.Token // nil: no such token
	expires time.Time
}

// maxCached bounds the cache; it is emptied when it grows past.
const maxCached = 10000

// NewAuth returns an Auth over the store's tokens.
func NewAuth(s store.Tokens, ttl time.Duration) *Auth {
	return &Auth{store: s, ttl: ttl, now: time.Now, cache: map[string]cached{}, used: map[int64]time.Time{}}
}

// Authenticate returns the token a request carries. It fails with
// errNoToken or errBadToken (401), or with the store's error (500).
func (a *Auth) Authenticate(ctx context.Context, r *http.Request) (*store.Token, error) {
	text, ok := credential(r)
	if !ok || text == "" {
		return nil, errNoToken
	}
	h := HashToken(text)
	key := string(h)
	now := a.now()
	a.mu.Lock()
	c, hit := a.cache[key]
	a.mu.Unlock()
	if !hit || now.After(c.expires) {
		tok, err := a.store.TokenByHash(ctx, h)
		switch {
		case errors.Is(err, store.ErrNotFound):
			tok = nil
		case err != nil:
			return nil, err
		}
		c = cached{tok: tok, expires: now.Add(a.ttl)}
		a.mu.Lock()
		if len(a.cache) >= maxCached {
			clear(a.cache)
		}
		a.cache[key] = c
		a.mu.Unlock()
	}
	// The lookup was by hash; compare the hashes once more in constant
	// time, so that nothing about a stored hash depends on timing.
	if c.tok == nil || subtle.ConstantTimeCompare(c.tok.Hash, h) != 1 || !c.tok.Revoked.IsZero() {
		return nil, errBadToken
	}
	a.mu.Lock()
	a.used[c.tok.ID] = now
	a.mu.Unlock()
	return c.tok, nil
}

// Flush writes when tokens were last used to the store.
func (a *Auth) Flush(ctx context.Context) error {
	a.mu.Lock()
	used := a.used
	a.used = map[int64]time.Time{}
	a.mu.Unlock()
	return a.store.TouchTokens(ctx, used)
}

// hasRole reports whether t carries one of the roles.
func hasRole(t *store.Token, roles []string) bool {
	for _, r := range t.Roles {
		if slices.Contains(roles, r) {
			return true
		}
	}
	return false
}
