package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"github.com/geowarden/geowarden/audit"
	"io"
	"log/slog"
	"math"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/format/all"
	"github.com/geowarden/geowarden/internal/telemetry"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/server/proto"
	"github.com/geowarden/geowarden/store/sqlite"
	"github.com/geowarden/geowarden/zone"
)

// circle is a protected circle zone drawn by a test.
type circle struct {
	Center geowarden.Point
	Radius float64 // metres
}

// distance is the great-circle distance in metres on the sphere the zone
// package uses, computed here independently of it.
func distance(a, b geowarden.Point) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dlat := (b.Lat - a.Lat) * rad
	dlon := (b.Lon - a.Lon) * rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

// inside reports whether p is in the circle; it fails the test for a
// point within a metre of the edge, whose side would be a matter of
// rounding.
func (c circle) inside(t testing.TB, p geowarden.Point) bool {
	d := distance(c.Center, p)
	if math.Abs(d-c.Radius) < 1 {
		t.Fatalf("point %v is %.2f m from the zone's centre, within a metre of its edge (radius %.0f m): pick another radius", p, d, c.Radius)
	}
	return d < c.Radius
}

func (c circle) geojson() string {
	return fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"site","name":"test site","class":"military","buffer_m":%g},"geometry":{"type":"Point","coordinates":[%v,%v]}}]}`,
		c.Radius, c.Center.Lon, c.Center.Lat)
}

// testPolicy is a Load function: the zones, and a policy that drops every
// record inside them (severity high) and keeps the rest. Each call reads
// the zones file again, so that a test can change it and reload.
func testPolicy(t testing.TB, zonesFile string) func() (*Policy, error) {
	return func() (*Policy, error) {
		data, err := os.ReadFile(zonesFile)
		if err != nil {
			return nil, err
		}
		set, err := zone.ReadGeoJSON("site", "site", bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		src := fmt.Sprintf("# zones %x\nrules:\n  - id: in-site\n    when: {in_zone: true}\n    action: drop\n    severity: high\ndefault: keep\n", data)
		p, err := policy.Parse("test-policy", []byte(src))
		if err != nil {
			return nil, err
		}
		e := &pipeline.Engine{Classifier: classify.New(zone.NewIndex(set), p.Signals), Policy: p}
		return &Policy{Runner: &pipeline.Runner{Engine: e, Formats: all.Registry(), SpoolDir: t.TempDir()}, Revision: p.Revision}, nil
	}
}

// upstream is a real HTTP server that records what it receives. While
// down is set it answers 503.
type upstream struct {
	*httptest.Server
	down  atomic.Bool
	mu    sync.Mutex
	reqs  []received
	count atomic.Int64
}

type received struct {
	method, path, query, ctype string
	body                       []byte
}

func newUpstream(t testing.TB) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if u.down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		u.mu.Lock()
		u.reqs = append(u.reqs, received{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), body})
		u.mu.Unlock()
		u.count.Add(1)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) received() []received {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]received(nil), u.reqs...)
}

// bodies returns the concatenated bodies received.
func (u *upstream) bodies() []byte {
	var b []byte
	for _, r := range u.received() {
		b = append(b, r.body...)
	}
	return b
}

// waitFor waits until cond holds, up to 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// gateway is a gateway under test, serving on 127.0.0.1:0.
type gateway struct {
	*Server
	url    string
	client *http.Client
	dir    string
	db     *sqlite.DB
	logs   *syncBuffer
	stop   context.CancelFunc
	done   chan error
	zones  string
	audit  *audit.Log
	vkey   string // the audit log's verifier key
}

type gwOptions struct {
	zone      circle
	config    func(*Config)
	protocols []ProtocolRoute
	tls       bool // serve HTTPS with a certificate made for the test
	// audit wraps the audit log's storage (the store's) when not nil.
	audit func(audit.Storage) audit.Storage
}

// ingestTo is a gwOptions.config that forwards the ingest route to an
// upstream of its own.
func ingestTo(t testing.TB, upstream string) func(*Config) {
	return func(c *Config) {
		u, err := ParseUpstream(upstream)
		if err != nil {
			t.Fatal(err)
		}
		c.Routes[RouteIngest] = RouteConfig{Upstream: u}
	}
}

// startGateway starts a gateway with the zone, a SQLite store in a
// temporary folder, the upstream as every route's, and the test
// protocol at /test.
func startGateway(t testing.TB, up *upstream, o gwOptions) *gateway {
	t.Helper()
	dir := t.TempDir()
	g := &gateway{dir: dir, logs: &syncBuffer{}, zones: filepath.Join(dir, "zones.geojson")}
	if o.zone.Radius == 0 {
		o.zone = circle{geowarden.Point{Lon: 10, Lat: 50}, 5000}
	}
	if err := os.WriteFile(g.zones, []byte(o.zone.geojson()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	u, err := ParseUpstream(up.URL + "/up")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Upstream = u
	cfg.Limits.Rate = 0
	cfg.Outbox.RetryMin = 20 * time.Millisecond
	cfg.Outbox.RetryMax = 200 * time.Millisecond
	if o.config != nil {
		o.config(cfg)
	}
	g.db, err = sqlite.Open(context.Background(), filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	var storage audit.Storage = g.db.Audit()
	if o.audit != nil {
		storage = o.audit(storage)
	}
	skey, vkey, err := audit.GenerateKey("geowarden.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	key, err := audit.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	if g.audit, err = audit.Open(context.Background(), storage, key); err != nil {
		t.Fatal(err)
	}
	g.vkey = vkey
	protocols := o.protocols
	if protocols == nil {
		protocols = []ProtocolRoute{{Path: "/test", Protocol: testProtocol{}}}
	}
	g.Server, err = New(context.Background(), Options{
		Config: cfg, Store: g.db, Load: testPolicy(t, g.zones), Protocols: protocols,
		Log: telemetry.NewLogger(g.logs, true, slog.LevelDebug), TokenTTL: time.Millisecond, Audit: g.audit,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g.url, g.client = "http://"+ln.Addr().String(), http.DefaultClient
	var so ServeOptions
	if o.tls {
		so.TLSCert, so.TLSKey, g.client = testCert(t, dir)
		g.url = "https://" + ln.Addr().String()
	}
	ctx, cancel := context.WithCancel(context.Background())
	g.stop = cancel
	g.done = make(chan error, 1)
	go func() { g.done <- g.Serve(ctx, ln, so) }()
	t.Cleanup(func() { g.shutdown(t) })
	waitFor(t, "the gateway to be ready", func() bool {
		resp, err := g.client.Get(g.url + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return g
}

// shutdown stops the gateway (once) and closes its store.
func (g *gateway) shutdown(t testing.TB) {
	if g.stop == nil {
		return
	}
	g.stop()
	g.stop = nil
	if err := <-g.done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if err := g.db.Close(); err != nil {
		t.Errorf("closing the store: %v", err)
	}
}

// token creates a token with the roles and returns its text.
func (g *gateway) token(t testing.TB, name string, roles ...string) string {
	t.Helper()
	text, _, err := CreateToken(context.Background(), g.db, name, roles, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// do sends a request with a bearer token ("" for none) and returns the
// status and body.
func (g *gateway) do(t testing.TB, method, path, token, ctype string, body io.Reader) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, g.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// ingest posts a body to /v1/ingest and decodes the answer.
func (g *gateway) ingest(t testing.TB, token, ctype string, body []byte) ingestResult {
	t.Helper()
	code, b, _ := g.do(t, "POST", "/v1/ingest", token, ctype, bytes.NewReader(body))
	if code != 200 {
		t.Fatalf("ingest: %d %s", code, b)
	}
	var res ingestResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("ingest answer %s: %v", b, err)
	}
	return res
}

// testProtocol is a device protocol for tests: a body of lines
// "id,lat,lon[,note]", one message each, keyed by id; a rewritten message
// is "id,lat,lon"; forwarded one POST per message.
type testProtocol struct{}

var _ proto.Protocol = testProtocol{}

func (testProtocol) Name() string { return "test" }

func (testProtocol) Decode(r *http.Request, body io.Reader) ([]proto.Message, error) {
	var msgs []proto.Message
	sc := bufio.NewScanner(body)
	for i := 0; sc.Scan(); i++ {
		line := sc.Text()
		f := strings.Split(line, ",")
		if len(f) < 3 {
			return nil, fmt.Errorf("message %d: want id,lat,lon", i)
		}
		lat, err1 := strconv.ParseFloat(f[1], 64)
		lon, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return nil, fmt.Errorf("message %d: bad position", i)
		}
		msgs = append(msgs, proto.Message{
			Record: geowarden.Record{Shape: geowarden.ShapePoint, Pos: geowarden.Point{Lon: lon, Lat: lat}, Source: "dev",
				Attrs: attrs{}, Ref: geowarden.Ref{Feature: i}},
			Raw: []byte(line), Key: "dev/" + f[0], Meta: []byte("meta-" + f[0]),
		})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return msgs, nil
}

type attrs struct{}

func (attrs) Attr(string) (string, bool) { return "", false }

func (testProtocol) Rewrite(m *proto.Message, e *geowarden.Edit) ([]byte, error) {
	id, _, _ := strings.Cut(string(m.Raw), ",")
	if !e.Move {
		return nil, fmt.Errorf("only moves")
	}
	return []byte(fmt.Sprintf("%s,%v,%v", id, e.Pos.Lat, e.Pos.Lon)), nil
}

func (testProtocol) Forward(ctx context.Context, upstream *url.URL, msgs []proto.Out) ([]*http.Request, error) {
	var reqs []*http.Request
	for _, m := range msgs {
		req, err := http.NewRequestWithContext(ctx, "POST", upstream.String()+"/test", bytes.NewReader(m.Body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("X-Meta", string(m.Meta))
		reqs = append(reqs, req)
	}
	return reqs, nil
}

func (testProtocol) Reply(w http.ResponseWriter, r *http.Request, res proto.Result) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(res)
}

// testCert writes a self-signed certificate for 127.0.0.1 and its key to
// dir, and returns their files and a client that trusts the certificate.
func testCert(t testing.TB, dir string) (string, string, *http.Client) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "geowarden test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}
