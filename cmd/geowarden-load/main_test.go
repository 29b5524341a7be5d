package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// counter is a gateway stand-in that counts and checks what it is sent.
type counter struct {
	mu       sync.Mutex
	requests int
	records  int
	keys     map[string]bool
	reports  map[string]bool
	bad      []string
	fail     func(n int) bool // answer 503 to the n-th request
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests++
	if c.fail != nil && c.fail(c.requests) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	switch r.URL.Path {
	case "/v1/ingest":
		if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer gw_test" || r.Header.Get("Content-Type") != "application/x-ndjson" {
			c.bad = append(c.bad, "ingest headers")
		}
		k := r.Header.Get("Idempotency-Key")
		if k == "" || c.keys[k] {
			c.bad = append(c.bad, "idempotency key "+k)
		}
		c.keys[k] = true
		sc := bufio.NewScanner(r.Body)
		for sc.Scan() {
			var f struct {
				Type     string
				Geometry struct{ Coordinates []float64 }
			}
			if err := json.Unmarshal(sc.Bytes(), &f); err != nil || f.Type != "Feature" && !bytes.Contains(sc.Bytes(), []byte("lat")) {
				c.bad = append(c.bad, "record "+sc.Text())
			}
			c.records++
		}
	case "/osmand":
		q := r.URL.Query()
		if q.Get("token") != "gw_test" || q.Get("lat") == "" || q.Get("lon") == "" {
			c.bad = append(c.bad, "query "+r.URL.RawQuery)
		}
		k := q.Get("id") + "|" + q.Get("timestamp")
		if c.reports[k] {
			c.bad = append(c.bad, "report sent twice: "+k)
		}
		c.reports[k] = true
		c.records++
	default:
		c.bad = append(c.bad, "path "+r.URL.Path)
	}
}

// newCounter starts the stand-in. stop closes it and waits for the
// requests still in its hands: read the counts only after it.
func newCounter(t *testing.T) (c *counter, url string, stop func()) {
	c = &counter{keys: map[string]bool{}, reports: map[string]bool{}}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv.URL, srv.Close
}

func runLoad(t *testing.T, args ...string) (int, *report, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append(args, "-json"), &out, &errb)
	var rep report
	if code != 2 {
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("report %q: %v (%s)", out.String(), err, errb.String())
		}
	}
	return code, &rep, errb.String()
}

func TestNDJSON(t *testing.T) {
	c, u, stop := newCounter(t)
	code, rep, stderr := runLoad(t, "-mode", "ndjson", "-url", u, "-token", "gw_test", "-n", "40", "-c", "4", "-batch", "25")
	stop()
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if c.requests != 40 || c.records != 1000 || len(c.bad) > 0 {
		t.Fatalf("server got %d requests, %d records, problems %q", c.requests, c.records, c.bad)
	}
	if rep.Requests != 40 || rep.Records != 1000 || rep.Errors != 0 || rep.RecordsPerS <= 0 || rep.P50ms <= 0 || rep.P99ms < rep.P50ms || rep.MaxMs < rep.P99ms {
		t.Errorf("report %+v", rep)
	}
}

func TestNDJSONFile(t *testing.T) {
	c, u, stop := newCounter(t)
	f := filepath.Join(t.TempDir(), "in.ndjson")
	os.WriteFile(f, []byte(`{"lat":1.5,"lon":2.5}`+"\n\n"+`{"lat":3.5,"lon":4.5}`+"\n"), 0o600)
	code, rep, stderr := runLoad(t, "-mode", "ndjson", "-url", u, "-token", "gw_test", "-n", "5", "-c", "2", "-batch", "3", "-file", f)
	stop()
	if code != 0 || c.records != 15 || len(c.bad) > 0 || rep.Records != 15 {
		t.Fatalf("exit %d (%s): %d records, %q", code, stderr, c.records, c.bad)
	}
}

func TestOsmAndDuration(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		c, u, stop := newCounter(t)
		start := time.Now()
		code, rep, stderr := runLoad(t, "-mode", "osmand", "-url", u, "-token", "gw_test", "-duration", "300ms", "-c", "8", "-method", method, "-devices", "16")
		stop()
		// -duration ends the run: not a measure of speed, a bound far
		// above any machine's time for 300 ms of requests.
		if took := time.Since(start); took > 30*time.Second {
			t.Errorf("a 300 ms run took %v", took)
		}
		if code != 0 || len(c.bad) > 0 {
			t.Fatalf("%s: exit %d (%s), problems %q", method, code, stderr, c.bad)
		}
		if c.requests == 0 || int64(c.requests) < rep.Requests || rep.Requests < int64(c.requests)-8 || rep.Records != rep.Requests {
			t.Errorf("%s: server counted %d requests, report %+v", method, c.requests, rep)
		}
	}
}

func TestErrorsCounted(t *testing.T) {
	c, u, _ := newCounter(t)
	c.fail = func(n int) bool { return n%5 == 0 }
	code, rep, _ := runLoad(t, "-mode", "osmand", "-url", u, "-token", "gw_test", "-n", "50", "-c", "1")
	if code != 1 || rep.Requests != 50 || rep.Errors != 10 || rep.Statuses["503"] != 10 || rep.Records != 40 || !strings.Contains(rep.FirstErrorMsg, "503") {
		t.Errorf("exit %d, report %+v", code, rep)
	}
	var out bytes.Buffer
	rep.writeText(&out)
	if !strings.Contains(out.String(), "errors    10 (statuses 503: 10)") || !strings.Contains(out.String(), "requests  50") {
		t.Errorf("text report:\n%s", out.String())
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-mode", "mqtt"},
		{"-url", "nowhere"},
		{"-c", "0"},
		{"-method", "PUT"},
		{"-bbox", "1,2,3"},
		{"-bbox", "10,10,5,5"},
		{"-n", "0", "-duration", "0"},
		{"extra"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 2 || errb.Len() == 0 {
			t.Errorf("%q: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

func TestHistogram(t *testing.T) {
	var h hist
	for i := 1; i <= 1000; i++ {
		h.add(time.Duration(i) * time.Millisecond)
	}
	for _, c := range []struct{ q, want float64 }{{0.5, 500}, {0.9, 900}, {0.99, 990}} {
		if got := h.quantile(c.q); got < c.want*0.97 || got > c.want*1.03 {
			t.Errorf("p%v = %v ms, want about %v", c.q*100, got, c.want)
		}
	}
	if h.max != int64(time.Second) {
		t.Errorf("max %v", h.max)
	}
}
