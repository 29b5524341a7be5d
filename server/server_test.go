package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/server/proto"
)

// zone50 is the default test zone: 5 km around 50N 10E.
var inZone, outZone = "50.001,10.001", "45.0,3.0"

func pointLine(i int, latlon string) string {
	lat, lon, _ := strings.Cut(latlon, ",")
	return fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Point","coordinates":[%s,%s]},"properties":{"id":%d}}`+"\n", lon, lat, i)
}

// TestDeviceRoute: a device protocol's messages go through the stages one
// by one: kept ones leave with their bytes and meta, dropped ones never,
// a resend is forwarded once, and a message whose bytes hold a protected
// position that its record does not show is stopped by the release check.
func TestDeviceRoute(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{})
	tok := g.token(t, "phone", RoleIngest)
	body := "1," + outZone + "\n2," + inZone + "\n3," + outZone + ",note 50.001 10.001\n4,46.5,4.5\n"
	code, b, _ := g.do(t, "POST", "/test", tok, "text/plain", strings.NewReader(body))
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	var res struct{ Received, Kept, Modified, Dropped, Findings int }
	json.Unmarshal(b, &res)
	if res.Received != 4 || res.Kept != 2 || res.Dropped != 2 || res.Findings != 1 {
		t.Errorf("result %+v, want 4 received, 2 kept, 2 dropped (one by the policy, one by the release check), 1 finding", res)
	}
	waitFor(t, "two messages upstream", func() bool { return up.count.Load() >= 2 })
	// A resend of message 1 and a new one: only the new one goes.
	code, b, _ = g.do(t, "POST", "/test", tok, "text/plain", strings.NewReader("1,"+outZone+"\n5,47,5\n"))
	if code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	waitFor(t, "three messages upstream", func() bool { return up.count.Load() >= 3 })
	time.Sleep(50 * time.Millisecond)
	var got []string
	for _, r := range up.received() {
		if r.path != "/up/test" {
			t.Errorf("upstream path %q", r.path)
		}
		got = append(got, string(r.body))
	}
	// The messages of one batch go upstream in parallel, in any order.
	slices.Sort(got)
	if want := []string{"1," + outZone, "4,46.5,4.5", "5,47,5"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("upstream got %q, want %q", got, want)
	}
	if !strings.Contains(g.logs.String(), "message dropped by the release check") {
		t.Error("the release check's drop is not logged")
	}
}

// TestUpstreamDown: while the upstream is down, requests are answered
// from the outbox and nothing is lost; once it is back, everything is
// delivered, in order, and nothing inside the zone.
func TestUpstreamDown(t *testing.T) {
	up := newUpstream(t)
	up.down.Store(true)
	g := startGateway(t, up, gwOptions{})
	tok := g.token(t, "phone", RoleIngest)
	var want []byte
	for i := range 50 {
		var body []byte
		for k := range 10 {
			pt := outZone
			if k%3 == 0 {
				pt = inZone
			} else {
				want = append(want, pointLine(i*10+k, pt)...)
			}
			body = append(body, pointLine(i*10+k, pt)...)
		}
		g.ingest(t, tok, "application/x-ndjson", body)
	}
	time.Sleep(300 * time.Millisecond)
	if n := up.count.Load(); n != 0 {
		t.Fatalf("upstream down, yet %d requests arrived", n)
	}
	depth := g.outboxDepth()[RouteIngest]
	if depth[0] != 50 || depth[2] <= 0 {
		t.Errorf("outbox depth %v, want 50 messages and an age", depth)
	}
	up.down.Store(false)
	waitFor(t, "delivery after the upstream came back", func() bool { return up.count.Load() >= 50 })
	if got := up.bodies(); !bytes.Equal(got, want) {
		t.Errorf("delivered %d bytes, want the %d bytes of the records outside the zone, in order", len(got), len(want))
	}
	waitFor(t, "an empty outbox", func() bool { return g.outboxDepth()[RouteIngest][0] == 0 })
}

// TestBudget: once the outbox's budget is spent, ingest answers 503 with
// Retry-After and stores nothing; what was accepted is delivered filtered
// once the upstream is back.
func TestBudget(t *testing.T) {
	up := newUpstream(t)
	up.down.Store(true)
	g := startGateway(t, up, gwOptions{config: func(c *Config) { c.Outbox.Budget = 1000 }})
	tok := g.token(t, "phone", RoleIngest)
	var want []byte
	accepted, refused := 0, 0
	for i := range 40 {
		body := []byte(pointLine(2*i, outZone) + pointLine(2*i+1, inZone))
		code, b, h := g.do(t, "POST", "/v1/ingest", tok, "application/x-ndjson", bytes.NewReader(body))
		switch code {
		case 200:
			accepted++
			want = append(want, pointLine(2*i, outZone)...)
		case 503:
			refused++
			if ra, err := strconv.Atoi(h.Get("Retry-After")); err != nil || ra < 1 {
				t.Errorf("503 with Retry-After %q", h.Get("Retry-After"))
			}
		default:
			t.Fatalf("ingest %d: %d %s", i, code, b)
		}
	}
	if accepted == 0 || refused == 0 {
		t.Fatalf("%d accepted, %d refused; want both", accepted, refused)
	}
	if b := g.outbox.bytes.Load(); b > 1000 {
		t.Errorf("outbox holds %d bytes, over the budget", b)
	}
	up.down.Store(false)
	waitFor(t, "delivery", func() bool { return up.count.Load() >= int64(accepted) })
	time.Sleep(50 * time.Millisecond)
	if got := up.bodies(); !bytes.Equal(got, want) {
		t.Errorf("delivered:\n%s\nwant the %d accepted requests' records outside the zone:\n%s", got, accepted, want)
	}
	// With room again, ingest is accepted.
	waitFor(t, "an empty outbox", func() bool { return g.outbox.bytes.Load() == 0 })
	g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(0, outZone)))
}

// TestParseError: a malformed body is refused with 400 naming its line,
// and nothing of it is stored or forwarded.
func TestParseError(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{})
	tok := g.token(t, "phone", RoleIngest)
	body := pointLine(0, outZone) + pointLine(1, outZone) + "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[3,x]}}\n" + pointLine(3, outZone)
	code, b, _ := g.do(t, "POST", "/v1/ingest", tok, "application/x-ndjson", strings.NewReader(body))
	if code != 400 || !strings.Contains(string(b), "body:3") {
		t.Errorf("got %d %s, want 400 naming body:3", code, b)
	}
	csvBody := "lat,lon\n45,3\n45,north\n"
	code, b, _ = g.do(t, "POST", "/v1/ingest", tok, "text/csv", strings.NewReader(csvBody))
	if code != 400 || !strings.Contains(string(b), "body:3") {
		t.Errorf("CSV: got %d %s, want 400 naming body:3", code, b)
	}
	code, b, _ = g.do(t, "POST", "/v1/ingest", tok, "", strings.NewReader("\x00\x01 not a format"))
	if code != 415 {
		t.Errorf("unrecognised body: got %d %s, want 415", code, b)
	}
	time.Sleep(100 * time.Millisecond)
	if n := up.count.Load(); n != 0 {
		t.Errorf("%d requests reached the upstream", n)
	}
	if st, _ := g.db.Stats(t.Context()); len(st) != 0 {
		t.Errorf("outbox holds %+v", st)
	}
}

// TestIngestDuplicate: the same body sent twice (a client's retry), or
// with the same Idempotency-Key, is forwarded once.
func TestIngestDuplicate(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{})
	tok := g.token(t, "phone", RoleIngest)
	body := []byte(pointLine(1, outZone))
	if res := g.ingest(t, tok, "application/x-ndjson", body); res.Duplicate {
		t.Error("first send marked duplicate")
	}
	if res := g.ingest(t, tok, "application/x-ndjson", body); !res.Duplicate || res.Kept != 1 {
		t.Errorf("resend: %+v, want duplicate with its counts", res)
	}
	for i, b := range []string{pointLine(2, outZone), pointLine(3, outZone)} {
		req, _ := http.NewRequest("POST", g.url+"/v1/ingest", strings.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Idempotency-Key", "batch-7")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("send %d: %d", i, resp.StatusCode)
		}
	}
	waitFor(t, "delivery", func() bool { return up.count.Load() >= 2 })
	time.Sleep(100 * time.Millisecond)
	if got, want := string(up.bodies()), pointLine(1, outZone)+pointLine(2, outZone); got != want {
		t.Errorf("upstream got %q, want %q", got, want)
	}
	if !strings.Contains(metricsText(t, g), `geowarden_duplicates_total{route="ingest"} 2`) {
		t.Error("duplicates not counted")
	}
}

func metricsText(t *testing.T, g *gateway) string {
	t.Helper()
	tok := g.token(t, fmt.Sprint("auditor-", time.Now().UnixNano()), RoleAuditor)
	code, b, _ := g.do(t, "GET", "/metrics", tok, "", nil)
	if code != 200 {
		t.Fatalf("/metrics: %d %s", code, b)
	}
	return string(b)
}

// TestMetrics: /metrics (auditor or admin) has records by route and
// action, findings by rule, the outbox's depth and age, upstream errors
// and request latencies.
func TestMetrics(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{})
	tok := g.token(t, "phone", RoleIngest)
	g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(0, outZone)+pointLine(1, inZone)))
	waitFor(t, "delivery", func() bool { return up.count.Load() >= 1 })
	up.down.Store(true)
	g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(2, outZone)))
	waitFor(t, "an upstream error", func() bool {
		return strings.Contains(metricsText(t, g), `geowarden_upstream_errors_total{route="ingest"}`)
	})
	m := metricsText(t, g)
	for _, want := range []string{
		`geowarden_records_total{action="kept",route="ingest"} 2`,
		`geowarden_records_total{action="dropped",route="ingest"} 1`,
		`geowarden_findings_total{rule="in-site"} 1`,
		`geowarden_outbox_messages{route="ingest"} 1`,
		`geowarden_outbox_oldest_age_seconds{route="ingest"}`,
		`geowarden_forwarded_messages_total{route="ingest"} 1`,
		`geowarden_request_duration_seconds_bucket{route="ingest",le="0.1"}`,
		`geowarden_requests_total{code="200",route="ingest"} 2`,
		`go_goroutines`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestReload: a reload puts new zones in force at once; decisions carry
// the revision they were taken under; a bad policy on reload leaves the
// one in force.
func TestReload(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{})
	tok := g.token(t, "phone", RoleIngest)
	rev1 := g.Policy().Revision
	if res := g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(0, outZone))); res.Kept != 1 {
		t.Fatalf("before reload: %+v", res)
	}
	// Move the zone onto the point that was outside.
	moved := circle{geowarden.Point{Lon: 3, Lat: 45}, 1000}
	if err := os.WriteFile(g.zones, []byte(moved.geojson()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := g.Reload(); err != nil {
		t.Fatal(err)
	}
	rev2 := g.Policy().Revision
	if rev2 == rev1 {
		t.Fatal("the revision did not change")
	}
	if res := g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(1, outZone))); res.Dropped != 1 {
		t.Errorf("after reload: %+v, want the point dropped", res)
	}
	ds, _ := g.db.Decisions(t.Context(), 2)
	if len(ds) != 2 || ds[0].Revision != rev2 || ds[1].Revision != rev1 {
		t.Errorf("decisions %+v, want revisions %s then %s", ds, rev2, rev1)
	}
	if err := os.WriteFile(g.zones, []byte("not geojson"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := g.Reload(); err == nil {
		t.Error("a bad zone file reloaded")
	}
	if g.Policy().Revision != rev2 {
		t.Error("a failed reload changed the policy in force")
	}
}

// TestHealth: /healthz and /readyz need no token.
func TestHealth(t *testing.T) {
	g := startGateway(t, newUpstream(t), gwOptions{})
	for _, p := range []string{"/healthz", "/readyz"} {
		if code, b, _ := g.do(t, "GET", p, "", "", nil); code != 200 {
			t.Errorf("%s: %d %s", p, code, b)
		}
	}
}

// TestTLS: with a certificate and key, the gateway serves HTTPS only.
func TestTLS(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{tls: true})
	tok := g.token(t, "phone", RoleIngest)
	if res := g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(0, outZone)+pointLine(1, inZone))); res.Kept != 1 || res.Dropped != 1 {
		t.Errorf("over HTTPS: %+v", res)
	}
	resp, err := http.Get(strings.Replace(g.url, "https://", "http://", 1) + "/healthz")
	if err == nil {
		if resp.StatusCode == 200 {
			t.Error("plain HTTP answered 200 on the TLS listener")
		}
		resp.Body.Close()
	}
	waitFor(t, "delivery", func() bool { return up.count.Load() >= 1 })
}

// TestRateLimit: past its rate a token gets 429 with Retry-After; other
// tokens are not affected.
func TestRateLimit(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{config: func(c *Config) { c.Limits.Rate = 1; c.Limits.Burst = 3 }})
	a, b := g.token(t, "a", RoleIngest), g.token(t, "b", RoleIngest)
	codes := ""
	var retry string
	for range 5 {
		code, _, h := g.do(t, "POST", "/test", a, "", strings.NewReader("1,"+outZone+"\n"))
		codes += strconv.Itoa(code) + " "
		if code == 429 {
			retry = h.Get("Retry-After")
		}
	}
	if codes != "200 200 200 429 429 " || retry == "" {
		t.Errorf("codes %s, Retry-After %q; want three 200 then 429 with Retry-After", codes, retry)
	}
	if code, _, _ := g.do(t, "POST", "/test", b, "", strings.NewReader("1,"+outZone+"\n")); code != 200 {
		t.Errorf("another token: %d", code)
	}
}

// TestFileUpstream: a file:// upstream gets rotating NDJSON lines, synced.
func TestFileUpstream(t *testing.T) {
	dir := t.TempDir()
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{config: ingestTo(t, "file://"+dir)})
	tok := g.token(t, "phone", RoleIngest)
	g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(0, outZone)+pointLine(1, inZone)+pointLine(2, outZone)))
	g.ingest(t, tok, "text/csv", []byte("lat,lon\n45,3\n50.001,10.001\n"))
	var lines []string
	waitFor(t, "files", func() bool {
		files, _ := filepath.Glob(filepath.Join(dir, "ingest-*.ndjson"))
		lines = nil
		for _, f := range files {
			b, _ := os.ReadFile(f)
			lines = append(lines, strings.Split(strings.TrimSpace(string(b)), "\n")...)
		}
		return len(lines) >= 3
	})
	if len(lines) != 3 {
		t.Fatalf("lines %q", lines)
	}
	var e struct {
		Route string
		Type  string
		Body  json.RawMessage
	}
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil || e.Route != "ingest" || !strings.Contains(string(e.Body), `"id":0`) {
		t.Errorf("line 0 %s: %+v %v", lines[0], e, err)
	}
	if err := json.Unmarshal([]byte(lines[2]), &e); err != nil || string(e.Body) != `"lat,lon\n45,3\n"` || e.Type != "text/csv" {
		t.Errorf("line 2 %s: %+v %v", lines[2], e, err)
	}
	for _, l := range lines {
		if strings.Contains(l, "50.001") {
			t.Errorf("a record inside the zone reached the file: %s", l)
		}
	}
}

// TestLargeBody: a body whose sanitized copy is larger than what is held
// in memory goes through a blob, and arrives whole.
func TestLargeBody(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{})
	tok := g.token(t, "phone", RoleIngest)
	var body, want bytes.Buffer
	body.WriteString("lat,lon,note\n")
	want.WriteString("lat,lon,note\n")
	pad := strings.Repeat("x", 200)
	for i := 0; body.Len() < 3*inlineMax; i++ {
		line := fmt.Sprintf("45.%d,3.%d,%s\n", i%1000, i%997, pad)
		if i%10 == 0 {
			line = fmt.Sprintf("50.001,10.001,%s\n", pad)
		} else {
			want.WriteString(line)
		}
		body.WriteString(line)
	}
	res := g.ingest(t, tok, "text/csv", body.Bytes())
	if res.Dropped == 0 || res.Kept == 0 {
		t.Fatalf("%+v", res)
	}
	waitFor(t, "delivery", func() bool { return up.count.Load() >= 1 })
	if got := up.bodies(); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("delivered %d bytes, want %d", len(got), want.Len())
	}
	waitFor(t, "the blob removed", func() bool {
		ents, _ := os.ReadDir(filepath.Join(g.dir, "data", "blobs"))
		return len(ents) == 0
	})
}

// TestShutdownDrains: a request under way when the gateway is told to
// stop is finished and answered, and its records are stored.
func TestShutdownDrains(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{})
	tok := g.token(t, "phone", RoleIngest)
	pr, pw := io.Pipe()
	type answer struct {
		code int
		body []byte
	}
	done := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest("POST", g.url+"/v1/ingest", pr)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- answer{0, []byte(err.Error())}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- answer{resp.StatusCode, b}
	}()
	pw.Write([]byte(pointLine(0, outZone)))
	time.Sleep(100 * time.Millisecond)
	stopped := make(chan struct{})
	go func() { g.shutdown(t); close(stopped) }()
	time.Sleep(100 * time.Millisecond)
	pw.Write([]byte(pointLine(1, outZone)))
	pw.Close()
	a := <-done
	<-stopped
	if a.code != 200 || !strings.Contains(string(a.body), `"kept":2`) {
		t.Errorf("request under way at shutdown: %d %s", a.code, a.body)
	}
}

// forwardCounter is the test protocol, recording how many messages each
// Forward call gets.
type forwardCounter struct {
	testProtocol
	mu    *sync.Mutex
	calls *[][2]string // the first and last message's id
}

func (p forwardCounter) Forward(ctx context.Context, upstream *url.URL, msgs []proto.Out) ([]*http.Request, error) {
	id := func(o proto.Out) string { s, _, _ := strings.Cut(string(o.Body), ","); return s }
	p.mu.Lock()
	*p.calls = append(*p.calls, [2]string{id(msgs[0]), id(msgs[len(msgs)-1])})
	p.mu.Unlock()
	return p.testProtocol.Forward(ctx, upstream, msgs)
}

// TestForwardWholeRequests: the messages of one request reach the
// protocol's Forward in one call (a protocol may put them back together),
// however the outbox's batches fall; a request larger than a batch goes
// whole.
func TestForwardWholeRequests(t *testing.T) {
	up := newUpstream(t)
	up.down.Store(true)
	var mu sync.Mutex
	var calls [][2]string
	p := forwardCounter{mu: &mu, calls: &calls}
	g := startGateway(t, up, gwOptions{protocols: []ProtocolRoute{{Path: "/test", Protocol: p}}, config: func(c *Config) { c.Limits.DeviceBody = 1 << 20 }})
	tok := g.token(t, "phone", RoleIngest)
	id := 0
	send := func(n int) {
		var b strings.Builder
		for range n {
			id++
			fmt.Fprintf(&b, "%d,45.%d,3.%d\n", id, id, id)
		}
		if code, body, _ := g.do(t, "POST", "/test", tok, "", strings.NewReader(b.String())); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
	}
	send(200)
	send(100)
	send(600)
	send(3)
	up.down.Store(false)
	waitFor(t, "delivery", func() bool { return up.count.Load() >= int64(id) })
	mu.Lock()
	defer mu.Unlock()
	starts := map[string]bool{"1": true, "201": true, "301": true, "901": true}
	ends := map[string]bool{"200": true, "300": true, "900": true, "903": true}
	for _, c := range calls {
		if !starts[c[0]] || !ends[c[1]] {
			t.Errorf("a Forward call took messages %s to %s, across a request's bounds (requests 1-200, 201-300, 301-900, 901-903)", c[0], c[1])
		}
	}
}
