// Package testenv gives tests the services they run against (PostgreSQL,
// NATS) as `make test` starts them (scripts/services.sh). A test that needs
// a service skips when it is not configured, except in CI
// (GEOWARDEN_REQUIRE_TOOLS=1), where a missing service is a failure.
package testenv

import (
	"net"
	"net/url"
	"os"
	"testing"
	"time"
)

// Required reports whether missing tools and services fail tests instead
// of skipping them (GEOWARDEN_REQUIRE_TOOLS=1, as `make test` sets it).
func Required() bool { return os.Getenv("GEOWARDEN_REQUIRE_TOOLS") == "1" }

// Postgres returns the URL of the test database
// (GEOWARDEN_TEST_POSTGRES), checked to answer on its port.
func Postgres(t testing.TB) string {
	t.Helper()
	return service(t, "GEOWARDEN_TEST_POSTGRES", "PostgreSQL", "5432")
}

// NATS returns the URL of the test nats-server with JetStream
// (GEOWARDEN_TEST_NATS), checked to answer on its port.
func NATS(t testing.TB) string {
	t.Helper()
	return service(t, "GEOWARDEN_TEST_NATS", "nats-server", "4222")
}

func service(t testing.TB, env, what, port string) string {
	t.Helper()
	raw := os.Getenv(env)
	if raw == "" {
		missing(t, "%s: %s is not set; run `eval \"$(scripts/services.sh)\"` (make test does)", what, env)
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %s=%q: %v", what, env, raw, err)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), port)
	}
	c, err := net.DialTimeout("tcp", host, 3*time.Second)
	if err != nil {
		missing(t, "%s at %s does not answer: %v", what, host, err)
		return ""
	}
	c.Close()
	return raw
}

func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
