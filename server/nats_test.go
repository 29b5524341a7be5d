package server

import (
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/geowarden/geowarden/format/formattest"
	"github.com/geowarden/geowarden/internal/testenv"
	"github.com/nats-io/nats.go"
)

// natsServer starts a nats-server on a free loopback port and returns its
// URL.
func natsServer(t *testing.T, port int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(formattest.Tool(t, "nats-server"), "-a", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitFor(t, "nats-server", func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return cmd
}

// subscribe subscribes to a subject of the NATS server at url, until the
// test ends.
func subscribe(t *testing.T, url, subject string) *nats.Subscription {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	sub, err := nc.SubscribeSync(subject)
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return sub
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestNATSUpstream: a nats:// upstream (the test nats-server) gets the
// kept records on its subject, with the body's media type, and nothing
// inside the zone.
func TestNATSUpstream(t *testing.T) {
	base := testenv.NATS(t)
	subject := fmt.Sprintf("geowarden.test.%d", time.Now().UnixNano())
	sub := subscribe(t, base, subject)
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{config: ingestTo(t, base+"/"+subject)})
	tok := g.token(t, "phone", RoleIngest)
	g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(0, outZone)+pointLine(1, inZone)))
	g.ingest(t, tok, "text/csv", []byte("lat,lon\n50.001,10.001\n45,3\n"))
	var got []string
	for range 2 {
		m, err := sub.NextMsg(10 * time.Second)
		if err != nil {
			t.Fatalf("no message: %v (got %q)", err, got)
		}
		got = append(got, m.Header.Get("Content-Type")+" "+string(m.Data))
	}
	if want := []string{"application/x-ndjson " + pointLine(0, outZone), "text/csv lat,lon\n45,3\n"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("NATS got %q, want %q", got, want)
	}
	if n := up.count.Load(); n != 0 {
		t.Errorf("the HTTP upstream got %d requests; the route forwards to NATS", n)
	}
}

// TestNATSDownThenUp: records for a NATS server that is down when the
// gateway starts wait in the outbox, and go once it is up. The test runs
// a nats-server of its own, to start it late.
func TestNATSDownThenUp(t *testing.T) {
	formattest.Tool(t, "nats-server")
	port := freePort(t)
	subject := "positions.clean"
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{config: ingestTo(t, fmt.Sprintf("nats://127.0.0.1:%d/%s", port, subject))})
	tok := g.token(t, "phone", RoleIngest)
	// The NATS server is not running yet: the records wait in the outbox.
	g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(0, outZone)+pointLine(1, inZone)))
	time.Sleep(200 * time.Millisecond)
	if d := g.outboxDepth()[RouteIngest]; d[0] != 1 {
		t.Fatalf("outbox depth %v with NATS down, want 1 message", d)
	}
	natsServer(t, port)
	sub := subscribe(t, fmt.Sprintf("nats://127.0.0.1:%d", port), subject)
	// The waiting message goes once the gateway has reconnected (whether
	// it reaches this subscriber depends on who connected first: core NATS
	// keeps nothing for subscribers to come).
	waitFor(t, "the outbox to drain", func() bool { return g.outboxDepth()[RouteIngest][0] == 0 })
	g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(2, outZone)+pointLine(3, inZone)))
	var got []string
	var ctype string
	for len(got) == 0 || got[len(got)-1] != pointLine(2, outZone) {
		m, err := sub.NextMsg(10 * time.Second)
		if err != nil {
			t.Fatalf("no message: %v (got %q)", err, got)
		}
		got = append(got, string(m.Data))
		ctype = m.Header.Get("Content-Type")
	}
	if want := []string{pointLine(0, outZone), pointLine(2, outZone)}; strings.Join(got, "") != strings.Join(want, "") && strings.Join(got, "") != want[1] {
		t.Errorf("NATS got %q, want %q", got, want)
	}
	if ctype != "application/x-ndjson" {
		t.Errorf("Content-Type header %q", ctype)
	}
	if n := up.count.Load(); n != 0 {
		t.Errorf("the HTTP upstream got %d requests; the route forwards to NATS", n)
	}
}
