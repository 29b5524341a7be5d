package server

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/geowarden/geowarden/internal/policyfile"
	"go.yaml.in/yaml/v3"
)

// Config is the gateway's configuration: what `geowarden serve` reads
// from --config, with the flags folded in. The zero value is not valid:
// start from DefaultConfig.
type Config struct {
	// Upstream is where every route forwards that names no upstream of
	// its own (--upstream, or "upstream" at the top of the file).
	Upstream *Upstream
	// Routes maps a route's name (ingest, or a device protocol's name)
	// to its settings.
	Routes map[string]RouteConfig
	Limits Limits
	Outbox OutboxConfig
	// Webhook is the URL alerts are posted to; nil for none.
	Webhook *url.URL
	// Home lists the ISO 3166 country codes that are home: an export to
	// anywhere else is foreign (--home, repeatable).
	Home []string
}

// RouteConfig is one route's settings.
type RouteConfig struct {
	Upstream *Upstream
	// Key says where the secret of a protocol that encrypts its messages
	// comes from (OwnTracks' encryptionKey); nil for none.
	Key  *KeySource
	Line int // where the route is in the file; 0 when not from a file
}

// KeySource names where a secret comes from: an environment variable or
// a file. A configuration never holds a secret itself.
type KeySource struct {
	Env  string
	File string // relative to the configuration file's folder
	Line int
}

// String describes the source without revealing the secret.
func (k *KeySource) String() string {
	if k.Env != "" {
		return "environment variable " + k.Env
	}
	return "file " + k.File
}

// maxSecret caps the size of a secret read from a file.
const maxSecret = 4 << 10

// Load reads the secret: the variable's value, or the file's content
// less trailing line breaks. Errors never contain the secret.
func (k *KeySource) Load() ([]byte, error) {
	var b []byte
	if k.Env != "" {
		v, ok := os.LookupEnv(k.Env)
		if !ok {
			return nil, fmt.Errorf("key: environment variable %s is not set", k.Env)
		}
		b = []byte(v)
	} else {
		f, err := os.Open(k.File)
		if err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		defer f.Close()
		if b, err = io.ReadAll(io.LimitReader(f, maxSecret+1)); err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		if len(b) > maxSecret {
			return nil, fmt.Errorf("key: file %s is larger than %d bytes", k.File, maxSecret)
		}
		b = bytes.TrimRight(b, "\r\n")
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("key: %s is empty", k)
	}
	return b, nil
}

// Upstream is where a route's kept messages go: an HTTP(S) URL (the
// same protocol as received), a NATS subject (nats://host:port/subject)
// or a folder of rotating NDJSON files (file:///dir).
type Upstream struct {
	URL *url.URL
	// Subject is the NATS subject of a nats:// upstream.
	Subject string
	// Dir is the folder of a file:// upstream.
	Dir string
}

// String returns the upstream's URL without its password.
func (u *Upstream) String() string { return u.URL.Redacted() }

// Limits guard the gateway against clients that send too much.
type Limits struct {
	// Body is the largest body /v1/ingest accepts, in bytes.
	Body int64
	// DeviceBody is the largest body a device protocol route accepts.
	DeviceBody int64
	// Rate is how many requests a second one token may send, on
	// average; 0 means no limit.
	Rate float64
	// Burst is how many requests a token may send at once above Rate.
	Burst int
}

// OutboxConfig tunes the outbox and its delivery.
type OutboxConfig struct {
	// Budget is the most bytes of message bodies the outbox holds; past
	// it ingest answers 503 and stores nothing.
	Budget int64
	// DedupWindow is how long a message's key is remembered to spot a
	// device's resends.
	DedupWindow time.Duration
	// MaxKeys caps the keys remembered, oldest forgotten first.
	MaxKeys int64
	// CommitWindow is how long a commit waits for other requests to
	// share its transaction once one is waiting.
	CommitWindow time.Duration
	// RetryMin and RetryMax bound the back-off between attempts to
	// deliver to an upstream that fails.
	RetryMin, RetryMax time.Duration
	// DecisionsKept is how long the decisions on requests are kept.
	DecisionsKept time.Duration
}

// DefaultConfig returns the defaults every setting falls back to.
func DefaultConfig() *Config {
	return &Config{
		Routes: map[string]RouteConfig{},
		Limits: Limits{Body: 256 << 20, DeviceBody: 1 << 20, Rate: 100, Burst: 200},
		Outbox: OutboxConfig{
			Budget:        1 << 30,
			DedupWindow:   24 * time.Hour,
			MaxKeys:       10_000_000,
			CommitWindow:  2 * time.Millisecond,
			RetryMin:      500 * time.Millisecond,
			RetryMax:      time.Minute,
			DecisionsKept: 30 * 24 * time.Hour,
		},
	}
}

// RouteIngest is the name of the /v1/ingest route.
const RouteIngest = "ingest"

// maxConfigSize caps the size of a configuration file.
const maxConfigSize = 1 << 20

// LoadConfig reads the configuration file at path over the defaults.
// routes lists the route names the gateway has (RouteNames).
func LoadConfig(path string, routes []string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ParseConfig(path, data, routes)
}

// ParseConfig decodes a configuration strictly (known keys only, no key
// twice, values checked) over the defaults; errors are *policyfile.Error
// with the file and line.
func ParseConfig(name string, data []byte, routes []string) (*Config, error) {
	d := &policyfile.Decoder{Name: name, Kind: "config"}
	if len(data) > maxConfigSize {
		return nil, d.Err(fmt.Sprintf("too large (%d bytes; at most %d)", len(data), maxConfigSize))
	}
	root, err := d.Document(data)
	if err != nil {
		return nil, err
	}
	c := DefaultConfig()
	top, err := d.Fields(root, "", "upstream", "routes", "limits", "outbox", "webhook", "home")
	if err != nil {
		return nil, err
	}
	if p, ok := top["upstream"]; ok {
		if c.Upstream, err = decodeUpstream(d, p.Val, "upstream"); err != nil {
			return nil, err
		}
	}
	if p, ok := top["routes"]; ok {
		ps, err := d.Pairs(p.Val, "routes")
		if err != nil {
			return nil, err
		}
		for _, rp := range ps {
			name := rp.Key.Value
			path := policyfile.Join("routes", name)
			if !slices.Contains(routes, name) {
				return nil, d.Errf(rp.Key, "routes", "unknown route %q (want one of %s)", name, strings.Join(routes, ", "))
			}
			fs, err := d.Fields(rp.Val, path, "upstream", "key")
			if err != nil {
				return nil, err
			}
			rc := RouteConfig{Line: rp.Key.Line}
			if u, ok := fs["upstream"]; ok {
				if rc.Upstream, err = decodeUpstream(d, u.Val, policyfile.Join(path, "upstream")); err != nil {
					return nil, err
				}
			}
			if k, ok := fs["key"]; ok {
				if rc.Key, err = decodeKey(d, k.Val, policyfile.Join(path, "key"), filepath.Dir(d.Name)); err != nil {
					return nil, err
				}
			}
			c.Routes[name] = rc
		}
	}
	if p, ok := top["limits"]; ok {
		fs, err := d.Fields(p.Val, "limits", "body", "device_body", "rate", "burst")
		if err != nil {
			return nil, err
		}
		for _, f := range []struct {
			key string
			dst *int64
		}{{"body", &c.Limits.Body}, {"device_body", &c.Limits.DeviceBody}} {
			if p, ok := fs[f.key]; ok {
				if *f.dst, err = size(d, p.Val, policyfile.Join("limits", f.key)); err != nil {
					return nil, err
				}
			}
		}
		if p, ok := fs["rate"]; ok {
			if c.Limits.Rate, err = number(d, p.Val, "limits.rate"); err != nil {
				return nil, err
			}
		}
		if p, ok := fs["burst"]; ok {
			b, err := number(d, p.Val, "limits.burst")
			if err != nil {
				return nil, err
			}
			if b != float64(int(b)) || b < 1 {
				return nil, d.Errf(p.Val, "limits.burst", "want a whole number of requests, at least 1")
			}
			c.Limits.Burst = int(b)
		}
	}
	if p, ok := top["outbox"]; ok {
		fs, err := d.Fields(p.Val, "outbox", "budget", "dedup_window", "max_keys", "commit_window", "retry_min", "retry_max", "decisions_kept")
		if err != nil {
			return nil, err
		}
		if p, ok := fs["budget"]; ok {
			if c.Outbox.Budget, err = size(d, p.Val, "outbox.budget"); err != nil {
				return nil, err
			}
		}
		if p, ok := fs["max_keys"]; ok {
			n, err := number(d, p.Val, "outbox.max_keys")
			if err != nil {
				return nil, err
			}
			c.Outbox.MaxKeys = int64(n)
		}
		for _, f := range []struct {
			key string
			dst *time.Duration
		}{{"dedup_window", &c.Outbox.DedupWindow}, {"commit_window", &c.Outbox.CommitWindow}, {"retry_min", &c.Outbox.RetryMin},
			{"retry_max", &c.Outbox.RetryMax}, {"decisions_kept", &c.Outbox.DecisionsKept}} {
			if p, ok := fs[f.key]; ok {
				if *f.dst, err = duration(d, p.Val, policyfile.Join("outbox", f.key)); err != nil {
					return nil, err
				}
			}
		}
	}
	if p, ok := top["webhook"]; ok {
		s, err := d.Str(p.Val, "webhook")
		if err != nil {
			return nil, err
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, d.Errf(p.Val, "webhook", "%q is not an http(s) URL", s)
		}
		c.Webhook = u
	}
	if p, ok := top["home"]; ok {
		items, err := d.Strs(p.Val, "home", false)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			cc, err := countryCode(it.S)
			if err != nil {
				return nil, d.Errf(it.N, it.Path, "%v", err)
			}
			c.Home = append(c.Home, cc)
		}
	}
	if err := c.check(); err != nil {
		return nil, d.Err(err.Error())
	}
	return c, nil
}

// check checks the settings that depend on each other.
func (c *Config) check() error {
	for _, f := range []struct {
		ok  bool
		msg string
	}{
		{c.Limits.Body > 0, "limits.body must be above zero"},
		{c.Limits.DeviceBody > 0, "limits.device_body must be above zero"},
		{c.Limits.Rate >= 0, "limits.rate must not be negative"},
		{c.Limits.Burst >= 1, "limits.burst must be at least 1"},
		{c.Outbox.Budget > 0, "outbox.budget must be above zero"},
		{c.Outbox.DedupWindow > 0, "outbox.dedup_window must be above zero"},
		{c.Outbox.MaxKeys > 0, "outbox.max_keys must be above zero"},
		{c.Outbox.CommitWindow >= 0 && c.Outbox.CommitWindow <= time.Second, "outbox.commit_window must be between 0 and 1s"},
		{c.Outbox.RetryMin > 0, "outbox.retry_min must be above zero"},
		{c.Outbox.RetryMax >= c.Outbox.RetryMin, "outbox.retry_max must not be below outbox.retry_min"},
		{c.Outbox.DecisionsKept > 0, "outbox.decisions_kept must be above zero"},
	} {
		if !f.ok {
			return fmt.Errorf("%s", f.msg)
		}
	}
	return nil
}

// UpstreamOf returns the upstream of a route: its own, else the default;
// nil when it has none.
func (c *Config) UpstreamOf(route string) *Upstream {
	if rc, ok := c.Routes[route]; ok && rc.Upstream != nil {
		return rc.Upstream
	}
	return c.Upstream
}

// ParseUpstream parses an upstream URL: http(s)://..., nats://host/subject
// or file:///dir.
func ParseUpstream(s string) (*Upstream, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("upstream %q: %v", s, err)
	}
	up := &Upstream{URL: u}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("upstream %q: no host", s)
		}
	case "nats":
		up.Subject = strings.TrimPrefix(u.Path, "/")
		if u.Host == "" || up.Subject == "" || strings.ContainsAny(up.Subject, " \t/") {
			return nil, fmt.Errorf("upstream %q: want nats://host:port/subject", s)
		}
	case "file":
		if u.Host != "" && u.Host != "localhost" || u.Path == "" || !filepath.IsAbs(u.Path) {
			return nil, fmt.Errorf("upstream %q: want file:///absolute/folder", s)
		}
		up.Dir = filepath.Clean(u.Path)
	default:
		return nil, fmt.Errorf("upstream %q: want an http://, https://, nats:// or file:// URL", s)
	}
	return up, nil
}

func decodeUpstream(d *policyfile.Decoder, n *yaml.Node, path string) (*Upstream, error) {
	s, err := d.Str(n, path)
	if err != nil {
		return nil, err
	}
	u, err := ParseUpstream(s)
	if err != nil {
		return nil, d.Errf(n, path, "%v", err)
	}
	return u, nil
}

// decodeKey reads a key source: {env: NAME} or {file: PATH}, a relative
// path taken from dir.
func decodeKey(d *policyfile.Decoder, n *yaml.Node, path, dir string) (*KeySource, error) {
	fs, err := d.Fields(n, path, "env", "file")
	if err != nil {
		return nil, err
	}
	if len(fs) != 1 {
		return nil, d.Errf(n, path, "want one of env or file (the secret itself never goes in the configuration)")
	}
	k := &KeySource{Line: n.Line}
	if p, ok := fs["env"]; ok {
		if k.Env, err = d.Str(p.Val, policyfile.Join(path, "env")); err != nil {
			return nil, err
		}
		return k, nil
	}
	p := fs["file"]
	if k.File, err = d.Str(p.Val, policyfile.Join(path, "file")); err != nil {
		return nil, err
	}
	if !filepath.IsAbs(k.File) {
		k.File = filepath.Join(dir, k.File)
	}
	return k, nil
}

func size(d *policyfile.Decoder, n *yaml.Node, path string) (int64, error) {
	s, err := d.Str(n, path)
	if err != nil {
		return 0, err
	}
	b, msg := policyfile.ParseBytes(s)
	if msg != "" {
		return 0, d.Errf(n, path, "%s", msg)
	}
	return b, nil
}

func number(d *policyfile.Decoder, n *yaml.Node, path string) (float64, error) {
	s, err := d.Str(n, path)
	if err != nil {
		return 0, err
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x != x || x < 0 {
		return 0, d.Errf(n, path, "%q is not a number of zero or more", s)
	}
	return x, nil
}

func duration(d *policyfile.Decoder, n *yaml.Node, path string) (time.Duration, error) {
	s, err := d.Str(n, path)
	if err != nil {
		return 0, err
	}
	t, err := time.ParseDuration(s)
	if err != nil {
		return 0, d.Errf(n, path, "%q is not a duration (want such as 500ms, 30s or 24h)", s)
	}
	return t, nil
}

// countryCode checks an ISO 3166-1 alpha-2 code and returns it in upper
// case.
func countryCode(s string) (string, error) {
	if len(s) != 2 || !isLetter(s[0]) || !isLetter(s[1]) {
		return "", fmt.Errorf("%q is not a two-letter country code (ISO 3166-1)", s)
	}
	return strings.ToUpper(s), nil
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
