package server

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden/internal/policyfile"
)

var testRoutes = []string{RouteIngest, "test"}

// TestConfigBad loads each testdata/config/*.bad.yml, whose first line is
// "# error: " followed by the exact error LoadConfig must return.
func TestConfigBad(t *testing.T) {
	files, _ := filepath.Glob("testdata/config/*.bad.yml")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := bytes.Cut(data, []byte("\n"))
			want, ok := strings.CutPrefix(string(first), "# error: ")
			if !ok {
				t.Fatalf("first line %q does not start with %q", first, "# error: ")
			}
			_, err = LoadConfig(file, testRoutes)
			if err == nil {
				t.Fatalf("LoadConfig succeeded, want %q", want)
			}
			if got := err.Error(); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			var perr *policyfile.Error
			if !errors.As(err, &perr) {
				t.Errorf("error of type %T, want *policyfile.Error", err)
			}
		})
	}
}

func TestConfigGood(t *testing.T) {
	c, err := LoadConfig("testdata/config/full.good.yml", testRoutes)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Upstream.String(); got != "https://collector.example.org/in" {
		t.Errorf("upstream %s", got)
	}
	if up := c.UpstreamOf(RouteIngest); up.Dir != "/var/spool/geowarden/ingest" {
		t.Errorf("ingest upstream %+v, want the file folder", up)
	}
	if up := c.UpstreamOf("test"); up != c.Upstream {
		t.Errorf("test route upstream %v, want the default", up)
	}
	if k := c.Routes["test"].Key; k == nil || k.File != filepath.Join("testdata", "config", "secrets", "owntracks.key") || k.Env != "" {
		t.Errorf("test route key %+v, want the file beside the configuration", k)
	}
	want := Limits{Body: 64 << 20, DeviceBody: 256 << 10, Rate: 50, Burst: 100}
	if c.Limits != want {
		t.Errorf("limits %+v, want %+v", c.Limits, want)
	}
	wantOut := OutboxConfig{Budget: 2 << 30, DedupWindow: 12 * time.Hour, MaxKeys: 1000000, CommitWindow: time.Millisecond,
		RetryMin: time.Second, RetryMax: 5 * time.Minute, DecisionsKept: 720 * time.Hour}
	if c.Outbox != wantOut {
		t.Errorf("outbox %+v, want %+v", c.Outbox, wantOut)
	}
	if c.Webhook.String() != "https://alerts.example.org/geowarden" || !slices.Equal(c.Home, []string{"DE", "AT"}) {
		t.Errorf("webhook %v home %v", c.Webhook, c.Home)
	}
	c, err = LoadConfig("testdata/config/nats.good.yml", testRoutes)
	if err != nil {
		t.Fatal(err)
	}
	if up := c.UpstreamOf(RouteIngest); up.Subject != "positions.clean" || up.URL.Host != "127.0.0.1:4222" {
		t.Errorf("nats upstream %+v", up)
	}
	if c.UpstreamOf("test") != nil {
		t.Error("a route with no upstream and no default has one")
	}
}
