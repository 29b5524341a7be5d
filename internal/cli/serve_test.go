package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// serveProc is a `geowarden serve` process.
type serveProc struct {
	cmd  *exec.Cmd
	url  string
	mu   sync.Mutex
	logs bytes.Buffer
	done chan struct{}
	code int
}

func (p *serveProc) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// startServe runs geowarden serve on 127.0.0.1:0 with the arguments and
// waits until it serves.
func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	p := &serveProc{done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.Write(sc.Bytes())
			p.logs.WriteByte('\n')
			p.mu.Unlock()
			var l struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "serving" {
				addr <- l.Addr
			}
		}
		p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.done })
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-p.done:
		t.Fatalf("serve exited %d:\n%s", p.code, p.Logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start:\n%s", p.Logs())
	}
	return p
}

// recorder is an upstream that records the NDJSON lines it receives.
type recorder struct {
	*httptest.Server
	mu    sync.Mutex
	lines map[string]int // line -> times received
	down  atomic.Bool
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{lines: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, err := io.ReadAll(req.Body)
		if err != nil || r.down.Load() {
			w.WriteHeader(503)
			return
		}
		r.mu.Lock()
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if l != "" {
				r.lines[l]++
			}
		}
		r.mu.Unlock()
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) snapshot() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := make(map[string]int, len(r.lines))
	for k, v := range r.lines {
		m[k] = v
	}
	return m
}

func post(url, token, ctype string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

const serveZones = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"base","class":"military","buffer_m":2000},"geometry":{"type":"Point","coordinates":[14.45,35.85]}}]}`

// crashLine is record id as an NDJSON feature, inside the zone when in.
func crashLine(id int, in bool) string {
	lon, lat := 14.2+float64(id%1000)*0.00001, 35.95
	if in {
		lon, lat = 14.451, 35.851
	}
	return fmt.Sprintf(`{"type":"Feature","geometry":{"type":"Point","coordinates":[%.5f,%.5f]},"properties":{"id":%d}}`, lon, lat, id)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestServeCrash kills the gateway with SIGKILL again and again while
// clients send records, restarting it on the same data folder each time:
// every record a client had an answer for, outside the zone, reaches the
// upstream, and no record inside the zone ever does. Duplicates (a batch
// forwarded again after a crash between delivery and its removal from
// the outbox) are counted and reported. GEOWARDEN_CRASH_RECORDS and
// GEOWARDEN_CRASH_KILLS set the load (default 20,000 records, 5 kills;
// the acceptance figure is 100,000 and 20). Halfway through, the
// upstream is down for GEOWARDEN_CRASH_OUTAGE seconds (default 2; the
// acceptance figure is 60) while the load goes on;
// GEOWARDEN_CRASH_RATE paces the clients to that many batches a second
// (default: as fast as the gateway answers), so that the load lasts.
func TestServeCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	records := envInt("GEOWARDEN_CRASH_RECORDS", 20000)
	kills := envInt("GEOWARDEN_CRASH_KILLS", 5)
	outage := time.Duration(envInt("GEOWARDEN_CRASH_OUTAGE", 2)) * time.Second
	var pace <-chan time.Time
	if r := envInt("GEOWARDEN_CRASH_RATE", 0); r > 0 {
		tick := time.NewTicker(time.Second / time.Duration(r))
		defer tick.Stop()
		pace = tick.C
	}
	const batch, clients = 100, 4
	dir := t.TempDir()
	zones := filepath.Join(dir, "zones.geojson")
	os.WriteFile(zones, []byte(serveZones), 0o600)
	data := filepath.Join(dir, "data")
	r := gw(t, "", "token", "create", "--data", data, "--role", "ingest", "--name", "load")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	token := strings.TrimSpace(r.stdout)
	up := newRecorder(t)
	args := []string{"--data", data, "--zones", zones, "--upstream", up.URL + "/in", "--config", writeFile(t, dir, "gw.yml", "limits: {rate: 0}\noutbox: {retry_min: 20ms, retry_max: 200ms}\n")}

	var url atomic.Value
	srv := startServe(t, args...)
	url.Store(srv.url)

	// Each client sends its share of the batches in order, resending a
	// batch until it is answered 200, as a device does.
	var acked sync.Map // line -> true (answered, outside the zone)
	var inside sync.Map
	var sent atomic.Int64
	batches := records / batch
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for b := c; b < batches; b += clients {
				if pace != nil {
					<-pace
				}
				var lines []string
				var body []byte
				for k := range batch {
					id := b*batch + k
					in := id%5 == 0
					l := crashLine(id, in)
					if in {
						inside.Store(l, true)
					} else {
						lines = append(lines, l)
					}
					body = append(body, l+"\n"...)
				}
				for {
					code, _, err := post(url.Load().(string)+"/v1/ingest", token, "application/x-ndjson", body)
					if err == nil && code == 200 {
						break
					}
					if err == nil && code != 503 {
						t.Errorf("batch %d: %d", b, code)
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
				for _, l := range lines {
					acked.Store(l, true)
				}
				sent.Add(batch)
			}
		})
	}
	var outageAcked int64
	for k := range kills {
		target := int64(records) * int64(k+1) / int64(kills+1)
		for sent.Load() < target {
			time.Sleep(2 * time.Millisecond)
		}
		if k == kills/2 {
			// The upstream goes down for a while; the clients go on
			// being answered from the outbox.
			up.down.Store(true)
			before := sent.Load()
			time.Sleep(outage)
			outageAcked = sent.Load() - before
			up.down.Store(false)
		}
		srv.cmd.Process.Signal(syscall.SIGKILL)
		<-srv.done
		srv = startServe(t, args...)
		url.Store(srv.url)
	}
	wg.Wait()
	var want int
	acked.Range(func(any, any) bool { want++; return true })
	deadline := time.Now().Add(2 * time.Minute)
	for {
		got := up.snapshot()
		missing := 0
		acked.Range(func(l, _ any) bool {
			if got[l.(string)] == 0 {
				missing++
			}
			return true
		})
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged records never reached the upstream", missing, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := up.snapshot()
	dups, leaked := 0, 0
	for l, n := range got {
		if _, in := inside.Load(l); in {
			leaked++
		}
		dups += n - 1
	}
	if leaked > 0 {
		t.Errorf("%d records inside the zone reached the upstream", leaked)
	}
	if outageAcked == 0 && sent.Load() < int64(records) {
		t.Errorf("no record was acknowledged while the upstream was down for %v", outage)
	}
	t.Logf("%d records sent in batches of %d by %d clients, %d SIGKILLs, upstream down %v (%d records acknowledged meanwhile): %d acknowledged outside the zone, all delivered; %d distinct records upstream, %d duplicates forwarded",
		records, batch, clients, kills, outage, outageAcked, want, len(got), dups)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	<-srv.done
	if srv.code != 0 {
		t.Errorf("SIGTERM: exit %d, want 0\n%s", srv.code, srv.Logs())
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestServeCLI: tokens made on the command line open the gateway; SIGHUP
// reloads changed zones (the decisions' revision changes); a revoked
// token is refused; SIGTERM stops it with exit 0.
func TestServeCLI(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	zones := writeFile(t, dir, "zones.geojson", serveZones)
	tok := func(name string, roles ...string) string {
		args := []string{"token", "create", "--data", data, "--name", name}
		for _, r := range roles {
			args = append(args, "--role", r)
		}
		r := gw(t, "", args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "gw_") {
			t.Fatalf("token create: %d %q %q", r.code, r.stdout, r.stderr)
		}
		return strings.TrimSpace(r.stdout)
	}
	ingest, audit := tok("phone", "ingest"), tok("ops", "auditor")
	if r := gw(t, "", "token", "create", "--data", data, "--name", "phone", "--role", "ingest"); r.code != 2 || !strings.Contains(r.stderr, "exists") {
		t.Errorf("a second token named phone: %d %q", r.code, r.stderr)
	}
	if r := gw(t, "", "token", "create", "--data", data, "--name", "x", "--role", "root"); r.code != 2 || !strings.Contains(r.stderr, `unknown role "root"`) {
		t.Errorf("unknown role: %d %q", r.code, r.stderr)
	}
	if st, err := os.Stat(data); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("data folder: %v %v, want mode 0700", st.Mode().Perm(), err)
	}
	up := newRecorder(t)
	srv := startServe(t, "--data", data, "--zones", zones, "--upstream", up.URL+"/in")
	body := []byte(crashLine(1, false) + "\n" + crashLine(2, true) + "\n")
	code, b, err := post(srv.url+"/v1/ingest", ingest, "application/x-ndjson", body)
	if err != nil || code != 200 || string(b) != `{"received":2,"kept":1,"modified":0,"dropped":1,"findings":1}`+"\n" {
		t.Fatalf("ingest: %d %s %v", code, b, err)
	}
	decisions := func() []struct{ Revision string } {
		req, _ := http.NewRequest("GET", srv.url+"/v1/decisions", nil)
		req.Header.Set("Authorization", "Bearer "+audit)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var d struct{ Decisions []struct{ Revision string } }
		json.NewDecoder(resp.Body).Decode(&d)
		return d.Decisions
	}
	rev1 := decisions()[0].Revision
	// The same file name, other zones: SIGHUP puts them in force.
	writeFile(t, dir, "zones.geojson", strings.Replace(serveZones, "[14.45,35.85]", "[14.2,35.95]", 1))
	srv.cmd.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(srv.Logs(), "policy reloaded") {
		if time.Now().After(deadline) {
			t.Fatalf("no reload:\n%s", srv.Logs())
		}
		time.Sleep(10 * time.Millisecond)
	}
	code, b, _ = post(srv.url+"/v1/ingest", ingest, "application/x-ndjson", []byte(crashLine(3, false)+"\n"))
	if code != 200 || !strings.Contains(string(b), `"dropped":1`) {
		t.Errorf("after SIGHUP: %d %s, want the record in the moved zone dropped", code, b)
	}
	if rev2 := decisions()[0].Revision; rev2 == rev1 || rev2 == "" {
		t.Errorf("revision after reload %q, before %q", rev2, rev1)
	}
	if r := gw(t, "", "token", "revoke", "--data", data, "phone"); r.code != 0 {
		t.Fatalf("revoke: %d %s", r.code, r.stderr)
	}
	time.Sleep(2100 * time.Millisecond) // the gateway caches token lookups for 2 s
	if code, _, _ := post(srv.url+"/v1/ingest", ingest, "application/x-ndjson", body); code != 401 {
		t.Errorf("revoked token: %d, want 401", code)
	}
	r := gw(t, "", "token", "list", "--data", data, "--format", "json")
	var list []struct {
		Name     string
		LastUsed *time.Time `json:"last_used"`
		Revoked  *time.Time
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 2 || list[0].Revoked == nil || list[1].Revoked != nil {
		t.Errorf("token list: %s %v", r.stdout, err)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	<-srv.done
	if srv.code != 0 {
		t.Errorf("exit %d after SIGTERM:\n%s", srv.code, srv.Logs())
	}
	if strings.Contains(srv.Logs(), ingest) || strings.Contains(srv.Logs(), audit) {
		t.Error("a token is in the logs")
	}
	got := up.snapshot()
	if len(got) != 1 || got[crashLine(1, false)] != 1 {
		t.Errorf("upstream got %v", got)
	}
}

// TestCheckConfig: check --config validates the gateway's configuration
// with file and line.
func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yml", "upstream: https://collector.example.org/in\nlimits:\n  body: 64 MiB\n")
	if r := gw(t, "", "check", "--config", good); r.code != 0 || !strings.Contains(r.stdout, "route ingest -> https://collector.example.org/in") {
		t.Errorf("good config: %d %q %q", r.code, r.stdout, r.stderr)
	}
	bad := writeFile(t, dir, "bad.yml", "upstream: https://collector.example.org/in\nlimits:\n  bodies: 64 MiB\n")
	if r := gw(t, "", "check", "--config", bad); r.code != 2 || !strings.Contains(r.stderr, "bad.yml:3: limits: unknown key \"bodies\"") {
		t.Errorf("bad config: %d %q", r.code, r.stderr)
	}
	if r := gw(t, "", "check"); r.code != 2 {
		t.Errorf("check with nothing to check: %d", r.code)
	}
}
