package server

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/internal/policyfile"
)

// FuzzParseConfig: any bytes either decode to a configuration that passes
// its own checks, or fail with a *policyfile.Error; never a panic.
func FuzzParseConfig(f *testing.F) {
	files, _ := filepath.Glob("testdata/config/*.yml")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("limits: &a {body: 1 MB}\noutbox: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig("fuzz.yml", data, testRoutes)
		if err != nil {
			var pe *policyfile.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if !strings.HasPrefix(err.Error(), "config: fuzz.yml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if err := c.check(); err != nil {
			t.Fatalf("decoded configuration fails its checks: %v", err)
		}
		for name, r := range c.Routes {
			if r.Upstream == nil {
				continue
			}
			if _, err := ParseUpstream(r.Upstream.URL.String()); err != nil {
				t.Fatalf("route %s: upstream %s does not parse again: %v", name, r.Upstream.URL, err)
			}
		}
	})
}

// FuzzStripCredentials: whatever a query string holds, once geowarden's
// credentials are taken off, no "token" parameter is left in it, the other
// parameters keep their order and bytes, and the token found before is
// nowhere in the query (unless it is also another parameter's text).
func FuzzStripCredentials(f *testing.F) {
	for _, q := range []string{"id=1&token=gw_abc&lat=1", "token=a&token=b", "to%6Ben=x&a=1", "a=1&&b=2", "token", "token=%zz&x=1", "=token&token="} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := &http.Request{URL: &url.URL{Path: "/osmand", RawQuery: raw}, Header: http.Header{}}
		r.Header.Set("Authorization", "Bearer x")
		var kept []string
		for part := range strings.SplitSeq(raw, "&") {
			k, _, _ := strings.Cut(part, "=")
			if k, err := url.QueryUnescape(k); err == nil && k == "token" {
				continue
			}
			kept = append(kept, part)
		}
		stripCredentials(r)
		if r.Header.Get("Authorization") != "" {
			t.Fatal("Authorization header left")
		}
		if got, want := r.URL.RawQuery, strings.Join(kept, "&"); got != want {
			t.Fatalf("query %q, want %q", got, want)
		}
		for part := range strings.SplitSeq(r.URL.RawQuery, "&") {
			k, _, _ := strings.Cut(part, "=")
			if k, err := url.QueryUnescape(k); err == nil && k == "token" {
				t.Fatalf("a token parameter is left: %q", r.URL.RawQuery)
			}
		}
		if queryToken(r.URL.RawQuery) != "" {
			t.Fatalf("a token is still found in %q", r.URL.RawQuery)
		}
	})
}
