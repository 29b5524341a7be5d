package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/geowarden/geowarden"
)

// benchBody is n NDJSON point features, one in ten inside the test zone.
func benchBody(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		lon, lat := 3+float64(i%1000)*0.001, 45+float64(i%997)*0.001
		if i%10 == 0 {
			lon, lat = 10.001, 50.001
		}
		fmt.Fprintf(&b, `{"type":"Feature","geometry":{"type":"Point","coordinates":[%.6f,%.6f]},"properties":{"id":%d,"device":"d%d","time":"2026-03-01T12:00:00Z"}}`+"\n", lon, lat, i, i%50)
	}
	return b.Bytes()
}

// benchCSV is n CSV rows, one in ten inside the test zone.
func benchCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("id,lat,lon,device,time\n")
	for i := range n {
		lon, lat := 3+float64(i%1000)*0.001, 45+float64(i%997)*0.001
		if i%10 == 0 {
			lon, lat = 10.001, 50.001
		}
		fmt.Fprintf(&b, "%d,%.6f,%.6f,d%d,2026-03-01T12:00:00Z\n", i, lat, lon, i%50)
	}
	return b.Bytes()
}

// BenchmarkIngestNDJSON posts batches of 10,000 NDJSON records to
// /v1/ingest from several clients over loopback, and reports records a
// second: answered (stored in the outbox) and delivered to a local HTTP
// upstream.
func BenchmarkIngestNDJSON(b *testing.B) {
	benchmarkIngest(b, "application/x-ndjson", benchBody(10000), 10000)
}

// BenchmarkIngestCSV is BenchmarkIngestNDJSON with CSV bodies.
func BenchmarkIngestCSV(b *testing.B) {
	benchmarkIngest(b, "text/csv", benchCSV(10000), 10000)
}

func benchmarkIngest(b *testing.B, ctype string, body []byte, perBatch int) {
	up := newUpstream(b)
	g := startGateway(b, up, gwOptions{zone: circle{geowarden.Point{Lon: 10, Lat: 50}, 5000}, config: func(c *Config) {
		c.Outbox.Budget = 64 << 30
	}})
	tok := g.token(b, "bench", RoleIngest)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", g.url+"/v1/ingest", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", ctype)
			// Each batch is new to the outbox (no de-duplication).
			req.Header.Set("Idempotency-Key", fmt.Sprint(time.Now().UnixNano(), "-", &req))
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	answered := time.Since(start)
	waitFor(b, "delivery", func() bool { return up.count.Load() >= int64(b.N) })
	delivered := time.Since(start)
	b.StopTimer()
	n := float64(b.N) * float64(perBatch)
	b.ReportMetric(n/answered.Seconds(), "records/s")
	b.ReportMetric(n/delivered.Seconds(), "delivered-records/s")
}

// BenchmarkDeviceSingle sends one-message requests to a device protocol
// route (the test protocol) from 64 clients at once over loopback, and
// reports requests a second and the 99th percentile of their latency:
// the gateway's cost per device request (auth, the stages, the release
// check, the group commit), without a real protocol's decoding.
func BenchmarkDeviceSingle(b *testing.B) {
	up := newUpstream(b)
	g := startGateway(b, up, gwOptions{config: func(c *Config) { c.Outbox.Budget = 64 << 30 }})
	tok := g.token(b, "bench", RoleIngest)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	var mu sync.Mutex
	var lat []time.Duration
	var seq atomic.Int64
	b.SetParallelism(32) // 64 clients on 2 CPUs
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			i := seq.Add(1)
			body := fmt.Sprintf("%d,%.5f,%.5f\n", i, 45+float64(i%1000)*0.0001, 3+float64(i%997)*0.0001)
			req, _ := http.NewRequest("POST", g.url+"/test", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mine = append(mine, time.Since(t0))
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "requests/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
