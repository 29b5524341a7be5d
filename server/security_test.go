package server

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestEndpointsNeedTokens: every endpoint but /healthz and /readyz
// refuses a request with no token, a wrong token or a revoked token
// (401), and a token without the endpoint's role (403); with the right
// role it is served.
func TestEndpointsNeedTokens(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{protocols: append(Protocols(), ProtocolRoute{Path: "/test", Protocol: testProtocol{}})})
	revoked := g.token(t, "old", Roles...)
	if _, err := g.db.RevokeToken(t.Context(), "old", time.Now()); err != nil {
		t.Fatal(err)
	}
	byRole := map[string]string{}
	for _, r := range Roles {
		byRole[r] = g.token(t, "only-"+r, r)
	}
	endpoints := g.Endpoints()
	if len(endpoints) < 7 {
		t.Fatalf("endpoints %v", endpoints)
	}
	// A valid request of each device protocol.
	valid := map[string]struct{ path, ctype, body string }{
		"/osmand":       {"/osmand?id=7&timestamp=1576318590&lat=45&lon=3", "", ""},
		"/owntracks":    {"/owntracks", "application/json", `{"_type":"location","tid":"p7","lat":45,"lon":3,"tst":1576318590}`},
		"/v2/geosubmit": {"/v2/geosubmit", "application/json", `{"items":[{"timestamp":1576318590000,"position":{"latitude":45,"longitude":3}}]}`},
		"/test":         {"/test", "", "1," + outZone + "\n"},
		"/v1/ingest":    {"/v1/ingest", "application/x-ndjson", pointLine(0, outZone)},
		// Entry 0: the policy put in force at start.
		"/v1/audit/proof/{n}": {"/v1/audit/proof/0", "", ""},
	}
	for _, ep := range endpoints {
		method := ep.Method
		if method == "" {
			method = "POST"
		}
		path, ctype := ep.Path, ""
		body := func() io.Reader {
			if method == "GET" {
				return nil
			}
			return strings.NewReader(valid[ep.Path].body)
		}
		if v, ok := valid[ep.Path]; ok {
			path, ctype = v.path, v.ctype
		} else if method != "GET" {
			t.Fatalf("no valid request for %s", ep.Path)
		}
		cases := []struct {
			name string
			tok  string
			want int
		}{
			{"no token", "", 401},
			{"wrong token", TokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 401},
			{"not a token", "hello", 401},
			{"revoked token", revoked, 401},
		}
		for _, r := range Roles {
			want := 403
			for _, ok := range ep.Roles {
				if ok == r {
					want = 200
				}
			}
			cases = append(cases, struct {
				name string
				tok  string
				want int
			}{"role " + r, byRole[r], want})
		}
		for _, tc := range cases {
			t.Run(method+" "+ep.Path+"/"+tc.name, func(t *testing.T) {
				code, b, h := g.do(t, method, path, tc.tok, ctype, body())
				if code != tc.want {
					t.Errorf("got %d %s, want %d", code, b, tc.want)
				}
				if code == 401 && h.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			})
		}
	}
	// The other ways of carrying a token: Basic auth's password and the
	// token query parameter.
	ingest := byRole[RoleIngest]
	req, _ := http.NewRequest("POST", g.url+"/test", strings.NewReader("1,"+outZone+"\n"))
	req.SetBasicAuth("any-user", ingest)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("Basic auth: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	req, _ = http.NewRequest("POST", g.url+"/test?a=1&token="+ingest+"&b=2", strings.NewReader("2,"+outZone+"\n"))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("token parameter: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	req, _ = http.NewRequest("POST", g.url+"/test?token="+revoked, strings.NewReader("3,"+outZone+"\n"))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("revoked token parameter: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

// TestRevokeTakesEffect: a token revoked while the gateway runs is
// refused from then on (after the lookup cache's lifetime).
func TestRevokeTakesEffect(t *testing.T) {
	g := startGateway(t, newUpstream(t), gwOptions{})
	tok := g.token(t, "phone", RoleIngest)
	if code, b, _ := g.do(t, "POST", "/test", tok, "", strings.NewReader("1,"+outZone+"\n")); code != 200 {
		t.Fatalf("%d %s", code, b)
	}
	if _, err := g.db.RevokeToken(t.Context(), "phone", time.Now()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // the test gateway caches lookups for 1 ms
	if code, _, _ := g.do(t, "POST", "/test", tok, "", strings.NewReader("2,"+outZone+"\n")); code != 401 {
		t.Errorf("revoked token: %d, want 401", code)
	}
}

// TestTokensNotInClear: the tokens a gateway has seen, valid or not, are
// in neither its database files nor its logs (at debug level), nor in
// what it forwards.
func TestTokensNotInClear(t *testing.T) {
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{})
	tok := g.token(t, "phone", RoleIngest)
	wrong := TokenPrefix + "wrongwrongwrongwrongwrongwrongwrongwrongwro"
	for _, tk := range []string{tok, wrong} {
		g.do(t, "POST", "/test", tk, "", strings.NewReader("1,"+outZone+"\n"))
		g.do(t, "POST", "/v1/ingest", tk, "application/x-ndjson", strings.NewReader(pointLine(1, outZone)))
		req, _ := http.NewRequest("POST", g.url+"/test?token="+tk+"&x=1", strings.NewReader("2,"+outZone+"\n"))
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	waitFor(t, "delivery", func() bool { return up.count.Load() >= 3 })
	if err := g.auth.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	logs := g.logs.String()
	if !strings.Contains(logs, `"token":"phone"`) {
		t.Error("the logs do not name the token by its name; is debug logging on?")
	}
	g.shutdown(t)
	secrets := []string{tok, wrong, strings.TrimPrefix(tok, TokenPrefix)}
	if raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, TokenPrefix)); err == nil {
		secrets = append(secrets, string(raw))
	}
	files, _ := filepath.Glob(filepath.Join(g.dir, "data", "*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a token in clear", filepath.Base(f))
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Error("the logs hold a token in clear")
		}
	}
	for _, r := range up.received() {
		for _, s := range secrets[:2] {
			if strings.Contains(r.query, s) || bytes.Contains(r.body, []byte(s)) {
				t.Errorf("a token was forwarded: %s?%s", r.path, r.query)
			}
		}
	}
}

// countingReader counts the bytes read from it and yields up to n.
type countingReader struct {
	n    int64
	read atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.read.Load() >= c.n {
		return 0, io.EOF
	}
	k := int64(len(p))
	if rest := c.n - c.read.Load(); k > rest {
		k = rest
	}
	for i := range p[:k] {
		p[i] = ' '
	}
	c.read.Add(k)
	return int(k), nil
}

// TestOversized: a body over the limit gets 413, without being read
// whole: at once when its length is declared, and soon after the limit
// when it is streamed without one.
func TestOversized(t *testing.T) {
	g := startGateway(t, newUpstream(t), gwOptions{config: func(c *Config) { c.Limits.Body = 1 << 20; c.Limits.DeviceBody = 4 << 10 }})
	tok := g.token(t, "phone", RoleIngest)
	for _, tc := range []struct {
		name     string
		path     string
		size     int64
		declared bool
	}{
		{"ingest, declared 1 GB", "/v1/ingest", 1 << 30, true},
		{"ingest, streamed 1 GB", "/v1/ingest", 1 << 30, false},
		{"device, declared", "/test", 1 << 20, true},
		{"device, streamed", "/test", 1 << 30, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &countingReader{n: tc.size}
			var body io.Reader = src
			if !tc.declared {
				body = struct{ io.Reader }{src} // hides the length
			}
			req, _ := http.NewRequest("POST", g.url+tc.path, body)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/x-ndjson")
			if tc.declared {
				req.ContentLength = tc.size
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				// The gateway may close the connection before the client
				// has written everything; the answer is still read below
				// by a client that sends the length only.
				t.Logf("client: %v", err)
			} else {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 413 {
					t.Errorf("got %d %s, want 413", resp.StatusCode, b)
				}
			}
			if got := src.read.Load(); got > 64<<20 {
				t.Errorf("the client wrote %d bytes before the gateway refused; want it stopped near the limit", got)
			}
		})
	}
	// The answer to a declared oversized body comes before the body.
	conn, err := net.Dial("tcp", strings.TrimPrefix(g.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /v1/ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+tok+"\r\nContent-Length: "+strconv.Itoa(1<<30)+"\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.Contains(status, "413") {
		t.Errorf("status line %q, %v; want 413 before any body byte", status, err)
	}
}

// TestFuzzCorpora: every input of the codecs' fuzz corpora, sent as a body
// to /v1/ingest (as it is, and as each codec's media type), gets a 2xx or
// a 4xx answer: none crashes the gateway or makes it fail.
func TestFuzzCorpora(t *testing.T) {
	files, err := filepath.Glob("../format/*/testdata/fuzz/*/*")
	if err != nil || len(files) < 100 {
		t.Fatalf("%d corpus files, %v", len(files), err)
	}
	up := newUpstream(t)
	g := startGateway(t, up, gwOptions{})
	tok := g.token(t, "fuzz", RoleIngest)
	types := []string{"", "application/x-ndjson", "text/csv", "application/x-nmea", "application/gpx+xml", "application/vnd.google-earth.kml+xml"}
	n := 0
	for i, f := range files {
		inputs, err := corpusInputs(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, in := range inputs {
			ctype := types[i%len(types)]
			code, b, _ := g.do(t, "POST", "/v1/ingest", tok, ctype, bytes.NewReader(in))
			n++
			if code >= 500 || code < 200 {
				t.Errorf("%s (%q): %d %s", f, ctype, code, b)
			}
		}
	}
	// The gateway still serves.
	if res := g.ingest(t, tok, "application/x-ndjson", []byte(pointLine(0, outZone))); res.Kept != 1 {
		t.Errorf("after the corpora: %+v", res)
	}
	t.Logf("%d bodies from %d corpus files", n, len(files))
	if strings.Contains(g.logs.String(), "panic") {
		t.Error("the logs mention a panic")
	}
}

// corpusInputs reads the []byte and string values of a Go fuzz corpus
// file ("go test fuzz v1").
func corpusInputs(file string) ([][]byte, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for i, line := range strings.Split(string(data), "\n") {
		if i == 0 {
			continue
		}
		for _, prefix := range []string{"[]byte(", "string("} {
			if v, ok := strings.CutPrefix(line, prefix); ok {
				s, err := strconv.Unquote(strings.TrimSuffix(v, ")"))
				if err != nil {
					return nil, err
				}
				out = append(out, []byte(s))
			}
		}
	}
	return out, nil
}
