package testenv

import (
	"net"
	"testing"
)

// TestServices: under `make test` both services answer; elsewhere the
// test skips as the services' users do.
func TestServices(t *testing.T) {
	for _, get := range []func(testing.TB) string{Postgres, NATS} {
		if u := get(t); u == "" {
			t.Fatal("an empty URL was returned without a skip or a failure")
		}
	}
}

// TestServiceDown: a configured service that does not answer is a skip
// outside CI and a failure in it.
func TestServiceDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Setenv("GEOWARDEN_TEST_NATS", "nats://"+addr)
	for _, required := range []string{"0", "1"} {
		t.Setenv("GEOWARDEN_REQUIRE_TOOLS", required)
		ft := &fakeT{TB: t}
		func() {
			defer func() { recover() }()
			NATS(ft)
		}()
		if required == "1" && !ft.failed || required == "0" && !ft.skipped {
			t.Errorf("GEOWARDEN_REQUIRE_TOOLS=%s: failed=%v skipped=%v", required, ft.failed, ft.skipped)
		}
	}
}

// fakeT records a failure or a skip and stops the call as testing does.
type fakeT struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(string, ...any) {
	f.failed = true
	panic("fatal")
}
func (f *fakeT) Skipf(string, ...any) {
	f.skipped = true
	panic("skip")
}
