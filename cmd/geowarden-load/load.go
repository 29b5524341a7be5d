package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/bits"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// config is a run's settings.
type config struct {
	mode     string // ndjson or osmand
	base     *url.URL
	path     string
	token    string
	conns    int
	n        int64
	duration time.Duration
	batch    int
	file     string
	method   string
	devices  int
	bbox     [4]float64 // min lon, min lat, max lon, max lat
	timeout  time.Duration
	seed     uint64
	jsonOut  bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "geowarden-load:", err)
		}
		return 2
	}
	rep, err := load(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "geowarden-load:", err)
		return 2
	}
	if cfg.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	} else {
		rep.writeText(stdout)
	}
	if rep.Errors > 0 {
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("geowarden-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	mode := fs.String("mode", "osmand", "`mode`: ndjson (batches to /v1/ingest) or osmand (single points to /osmand)")
	base := fs.String("url", "http://127.0.0.1:8080", "the gateway's base `URL`")
	fs.StringVar(&c.path, "path", "", "the route's `path` (default /v1/ingest or /osmand)")
	fs.StringVar(&c.token, "token", "", "an ingest `token`")
	fs.IntVar(&c.conns, "c", 8, "`connections`: requests in flight at once")
	fs.Int64Var(&c.n, "n", 0, "stop after `N` requests (0: run for -duration)")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "how long to run, when -n is 0")
	fs.IntVar(&c.batch, "batch", 1000, "ndjson: `records` a request")
	fs.StringVar(&c.file, "file", "", "ndjson: read records from this `file`, one a line (default: generated)")
	fs.StringVar(&c.method, "method", "GET", "osmand: `GET` or POST (parameters in the query string, as Traccar Client sends them)")
	fs.IntVar(&c.devices, "devices", 1000, "devices to simulate")
	bbox := fs.String("bbox", "116.2,39.8,116.5,40.05", "where generated positions lie: `minlon,minlat,maxlon,maxlat`")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "time limit of one request")
	fs.Uint64Var(&c.seed, "seed", 1, "random `seed` of the generated positions")
	fs.BoolVar(&c.jsonOut, "json", false, "write the report as JSON")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.mode = *mode
	switch c.mode {
	case "ndjson":
		if c.path == "" {
			c.path = "/v1/ingest"
		}
	case "osmand":
		if c.path == "" {
			c.path = "/osmand"
		}
	default:
		return nil, fmt.Errorf("-mode %q: want ndjson or osmand", c.mode)
	}
	var err error
	if c.base, err = url.Parse(*base); err != nil || c.base.Scheme == "" || c.base.Host == "" {
		return nil, fmt.Errorf("-url %q: want http://host:port", *base)
	}
	c.method = strings.ToUpper(c.method)
	switch {
	case c.method != "GET" && c.method != "POST":
		return nil, fmt.Errorf("-method %q: want GET or POST", c.method)
	case c.conns < 1:
		return nil, fmt.Errorf("-c %d: want at least 1", c.conns)
	case c.batch < 1:
		return nil, fmt.Errorf("-batch %d: want at least 1", c.batch)
	case c.devices < 1:
		return nil, fmt.Errorf("-devices %d: want at least 1", c.devices)
	case c.n < 0 || c.n == 0 && c.duration <= 0:
		return nil, errors.New("give -n N or a positive -duration")
	}
	f := strings.Split(*bbox, ",")
	if len(f) != 4 {
		return nil, fmt.Errorf("-bbox %q: want minlon,minlat,maxlon,maxlat", *bbox)
	}
	for i, s := range f {
		if c.bbox[i], err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
			return nil, fmt.Errorf("-bbox %q: %v", *bbox, err)
		}
	}
	if b := c.bbox; !(b[0] < b[2] && b[1] < b[3] && b[0] >= -180 && b[2] <= 180 && b[1] >= -90 && b[3] <= 90) {
		return nil, fmt.Errorf("-bbox %q: not a box of WGS-84 coordinates", *bbox)
	}
	return c, nil
}

// report is what a run measured.
type report struct {
	Mode          string         `json:"mode"`
	URL           string         `json:"url"`
	Connections   int            `json:"connections"`
	Seconds       float64        `json:"seconds"`
	Requests      int64          `json:"requests"`
	Records       int64          `json:"records"`
	Errors        int64          `json:"errors"`
	Statuses      map[string]int `json:"statuses"`
	RequestsPerS  float64        `json:"requests_per_second"`
	RecordsPerS   float64        `json:"records_per_second"`
	P50ms         float64        `json:"p50_ms"`
	P90ms         float64        `json:"p90_ms"`
	P99ms         float64        `json:"p99_ms"`
	MaxMs         float64        `json:"max_ms"`
	FirstErrorMsg string         `json:"first_error,omitempty"`
}

func (r *report) writeText(w io.Writer) {
	fmt.Fprintf(w, "%s %s, %d connections, %.2f s\n", r.Mode, r.URL, r.Connections, r.Seconds)
	fmt.Fprintf(w, "requests  %d (%.0f/s)\n", r.Requests, r.RequestsPerS)
	fmt.Fprintf(w, "records   %d (%.0f/s)\n", r.Records, r.RecordsPerS)
	fmt.Fprintf(w, "latency   p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n", r.P50ms, r.P90ms, r.P99ms, r.MaxMs)
	keys := make([]string, 0, len(r.Statuses))
	for k := range r.Statuses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, r.Statuses[k]))
	}
	fmt.Fprintf(w, "errors    %d", r.Errors)
	if len(parts) > 0 {
		fmt.Fprintf(w, " (statuses %s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	if r.FirstErrorMsg != "" {
		fmt.Fprintf(w, "first error: %s\n", r.FirstErrorMsg)
	}
}

// load runs the workers and gathers their counts.
func load(ctx context.Context, c *config) (*report, error) {
	var lines [][]byte
	if c.mode == "ndjson" && c.file != "" {
		var err error
		if lines, err = readLines(c.file); err != nil {
			return nil, err
		}
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        c.conns,
		MaxIdleConnsPerHost: c.conns,
		MaxConnsPerHost:     c.conns,
		DisableCompression:  true,
		IdleConnTimeout:     90 * time.Second,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: c.timeout}
	if c.n == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.duration)
		defer cancel()
	}
	var claimed atomic.Int64
	workers := make([]*worker, c.conns)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range workers {
		w := newWorker(c, i, client, lines)
		workers[i] = w
		wg.Go(func() {
			for ctx.Err() == nil {
				if c.n > 0 && claimed.Add(1) > c.n {
					return
				}
				w.do(ctx)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	rep := &report{Mode: c.mode, URL: c.base.JoinPath(c.path).String(), Connections: c.conns, Seconds: elapsed.Seconds(), Statuses: map[string]int{}}
	var h hist
	for _, w := range workers {
		rep.Requests += w.requests
		rep.Records += w.records
		rep.Errors += w.errors
		for k, v := range w.statuses {
			rep.Statuses[k] += v
		}
		if rep.FirstErrorMsg == "" {
			rep.FirstErrorMsg = w.firstErr
		}
		h.merge(&w.lat)
	}
	if s := elapsed.Seconds(); s > 0 {
		rep.RequestsPerS = float64(rep.Requests) / s
		rep.RecordsPerS = float64(rep.Records) / s
	}
	rep.P50ms, rep.P90ms, rep.P99ms = h.quantile(0.50), h.quantile(0.90), h.quantile(0.99)
	rep.MaxMs = float64(h.max) / 1e6
	return rep, nil
}

// readLines reads the non-blank lines of a file.
func readLines(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		if l := bytes.TrimSpace(sc.Bytes()); len(l) > 0 {
			lines = append(lines, bytes.Clone(l))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s: no records", path)
	}
	return lines, nil
}

// device is one simulated device: a random walk, one fix a second.
type device struct {
	id       string
	lon, lat float64
	t        int64
	heading  float64
}

// worker sends requests one after the other on its connection.
type worker struct {
	c        *config
	id       int
	client   *http.Client
	rng      *rand.Rand
	devices  []device
	lines    [][]byte
	next     int
	seq      int64
	buf      []byte
	target   string
	requests int64
	records  int64
	errors   int64
	statuses map[string]int
	firstErr string
	lat      hist
}

func newWorker(c *config, id int, client *http.Client, lines [][]byte) *worker {
	w := &worker{c: c, id: id, client: client, lines: lines, statuses: map[string]int{}, rng: rand.New(rand.NewPCG(c.seed, uint64(id)))}
	w.target = c.base.JoinPath(c.path).String()
	// Each worker has its own devices, so that no two workers send the
	// same device's reports.
	n := max(1, c.devices/c.conns)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for k := range n {
		w.devices = append(w.devices, device{
			id:      fmt.Sprintf("load-%d-%d", id, k),
			lon:     c.bbox[0] + w.rng.Float64()*(c.bbox[2]-c.bbox[0]),
			lat:     c.bbox[1] + w.rng.Float64()*(c.bbox[3]-c.bbox[1]),
			t:       t0,
			heading: w.rng.Float64() * 360,
		})
	}
	w.next = id * 7919 // spread the workers over a file's lines
	return w
}

// step moves device d one second on.
func (w *worker) step(d *device) {
	d.t++
	d.heading = math.Mod(d.heading+w.rng.NormFloat64()*10+360, 360)
	const speed = 10.0 // m/s
	rad := d.heading * math.Pi / 180
	d.lat += speed * math.Cos(rad) / 111320
	d.lon += speed * math.Sin(rad) / (111320 * math.Cos(d.lat*math.Pi/180))
	b := w.c.bbox
	if d.lon < b[0] || d.lon > b[2] || d.lat < b[1] || d.lat > b[3] {
		d.heading = math.Mod(d.heading+180, 360)
		d.lon = min(max(d.lon, b[0]), b[2])
		d.lat = min(max(d.lat, b[1]), b[3])
	}
}

func appendFixed(dst []byte, v float64, prec int) []byte {
	return strconv.AppendFloat(dst, v, 'f', prec, 64)
}

// ndjsonBody writes the next batch.
func (w *worker) ndjsonBody() []byte {
	b := w.buf[:0]
	for i := 0; i < w.c.batch; i++ {
		if w.lines != nil {
			b = append(append(b, w.lines[w.next%len(w.lines)]...), '\n')
			w.next++
			continue
		}
		d := &w.devices[w.next%len(w.devices)]
		w.next++
		w.step(d)
		b = append(b, `{"type":"Feature","geometry":{"type":"Point","coordinates":[`...)
		b = appendFixed(b, d.lon, 6)
		b = append(b, ',')
		b = appendFixed(b, d.lat, 6)
		b = append(b, `]},"properties":{"device":"`...)
		b = append(b, d.id...)
		b = append(b, `","time":"`...)
		b = time.Unix(d.t, 0).UTC().AppendFormat(b, time.RFC3339)
		b = append(b, `","speed":10}}`+"\n"...)
	}
	w.buf = b
	return b
}

// osmandQuery writes the next report's parameters.
func (w *worker) osmandQuery() string {
	d := &w.devices[w.next%len(w.devices)]
	w.next++
	w.step(d)
	b := w.buf[:0]
	if w.c.token != "" {
		b = append(append(append(b, "token="...), url.QueryEscape(w.c.token)...), '&')
	}
	b = append(append(b, "id="...), d.id...)
	b = strconv.AppendInt(append(b, "&timestamp="...), d.t, 10)
	b = appendFixed(append(b, "&lat="...), d.lat, 6)
	b = appendFixed(append(b, "&lon="...), d.lon, 6)
	b = append(b, "&speed=19.4&bearing="...)
	b = appendFixed(b, d.heading, 1)
	b = append(b, "&altitude=44.0&accuracy=5&batt=87"...)
	w.buf = b
	return string(b)
}

// do sends one request and records what became of it.
func (w *worker) do(ctx context.Context) {
	var req *http.Request
	var err error
	records := int64(1)
	if w.c.mode == "ndjson" {
		body := w.ndjsonBody()
		records = int64(w.c.batch)
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, w.target, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-ndjson")
			w.seq++
			req.Header.Set("Idempotency-Key", fmt.Sprintf("load-%d-%d-%d", w.c.seed, w.id, w.seq))
			if w.c.token != "" {
				req.Header.Set("Authorization", "Bearer "+w.c.token)
			}
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, w.c.method, w.target+"?"+w.osmandQuery(), nil)
	}
	if err != nil {
		w.fail("request", err.Error())
		return
	}
	t0 := time.Now()
	resp, err := w.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return // the run ended while the request was in flight
		}
		w.fail("transport", err.Error())
		w.lat.add(time.Since(t0))
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	w.lat.add(time.Since(t0))
	w.requests++
	if resp.StatusCode/100 != 2 {
		w.fail(strconv.Itoa(resp.StatusCode), resp.Status)
		return
	}
	w.records += records
}

func (w *worker) fail(status, msg string) {
	if status == "request" || status == "transport" {
		w.requests++
	}
	w.errors++
	w.statuses[status]++
	if w.firstErr == "" {
		w.firstErr = msg
	}
}

// hist is a latency histogram in nanoseconds: 32 sub-buckets per power of
// two, so a quantile is within about 3 % of the latency it stands for.
type hist struct {
	counts [64 * 32]int64
	n      int64
	max    int64
}

const subBits = 5

func bucketOf(v int64) int {
	if v < 1<<subBits {
		return int(v)
	}
	e := bits.Len64(uint64(v)) - subBits - 1
	return (e+1)<<subBits + int(v>>e)&(1<<subBits-1)
}

// bucketValue is the middle of bucket i.
func bucketValue(i int) float64 {
	if i < 1<<subBits {
		return float64(i)
	}
	e := i>>subBits - 1
	lo := (int64(1)<<subBits | int64(i&(1<<subBits-1))) << e
	return float64(lo) + float64(int64(1)<<e)/2
}

func (h *hist) add(d time.Duration) {
	v := max(int64(d), 0)
	h.counts[bucketOf(v)]++
	h.n++
	h.max = max(h.max, v)
}

func (h *hist) merge(o *hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the q-quantile in milliseconds.
func (h *hist) quantile(q float64) float64 {
	if h.n == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.n)))
	var seen int64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			return math.Min(bucketValue(i), float64(h.max)) / 1e6
		}
	}
	return float64(h.max) / 1e6
}
