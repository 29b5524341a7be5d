// Package telemetry holds what the gateway tells its operators: its
// Prometheus metrics, on a registry of their own (never the global one),
// and the structured logger.
package telemetry

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the gateway's metrics. Every metric is registered on
// Registry only.
type Metrics struct {
	Registry *prometheus.Registry

	// Records counts records by route and action (kept, modified,
	// dropped).
	Records *prometheus.CounterVec
	// Findings counts findings by rule.
	Findings *prometheus.CounterVec
	// Requests counts answered requests by route and status code.
	Requests *prometheus.CounterVec
	// Latency is the time from a request's arrival to its answer, by
	// route.
	Latency *prometheus.HistogramVec
	// Duplicates counts messages not stored because their key was seen
	// (a device's resend), by route.
	Duplicates *prometheus.CounterVec
	// Refused counts messages that failed the release check and were
	// dropped, by route.
	Refused *prometheus.CounterVec
	// Forwarded counts messages the upstream acknowledged, by route.
	Forwarded *prometheus.CounterVec
	// UpstreamErrors counts failed deliveries, by route.
	UpstreamErrors *prometheus.CounterVec
	// CommitBatches is the number of requests that shared one commit.
	CommitBatches prometheus.Histogram
	// AuditFailures counts decisions refused because their audit entry
	// could not be appended.
	AuditFailures prometheus.Counter
}

// NewMetrics registers the gateway's metrics on a new registry, with the
// Go runtime's and the process's. outbox is called at each scrape for the
// outbox's depth: messages, bytes and the age in seconds of the oldest
// message, by route.
func NewMetrics(outbox func() map[string][3]float64) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		Records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geowarden_records_total", Help: "Records received, by route and action (kept, modified, dropped).",
		}, []string{"route", "action"}),
		Findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geowarden_findings_total", Help: "Findings, by policy rule.",
		}, []string{"rule"}),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geowarden_requests_total", Help: "Requests answered, by route and HTTP status code.",
		}, []string{"route", "code"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "geowarden_request_duration_seconds", Help: "Time from a request's arrival to its answer, by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		Duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geowarden_duplicates_total", Help: "Messages not stored again because their key was seen within the window (device resends), by route.",
		}, []string{"route"}),
		Refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geowarden_release_refused_total", Help: "Messages dropped because the release check found a protected position in their bytes, by route.",
		}, []string{"route"}),
		Forwarded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geowarden_forwarded_messages_total", Help: "Messages the upstream acknowledged, by route.",
		}, []string{"route"}),
		UpstreamErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "geowarden_upstream_errors_total", Help: "Failed attempts to deliver to an upstream, by route.",
		}, []string{"route"}),
		CommitBatches: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "geowarden_outbox_commit_requests", Help: "Requests stored by one outbox commit (group commit).",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
		AuditFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "geowarden_audit_append_failures_total", Help: "Decisions refused because their audit entry could not be appended.",
		}),
	}
	reg.MustRegister(m.Records, m.Findings, m.Requests, m.Latency, m.Duplicates, m.Refused, m.Forwarded, m.UpstreamErrors, m.CommitBatches, m.AuditFailures,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&outboxCollector{f: outbox})
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

var (
	depthDesc  = prometheus.NewDesc("geowarden_outbox_messages", "Messages in the outbox, waiting for their upstream, by route.", []string{"route"}, nil)
	bytesDesc  = prometheus.NewDesc("geowarden_outbox_bytes", "Bytes of message bodies in the outbox, by route.", []string{"route"}, nil)
	oldestDesc = prometheus.NewDesc("geowarden_outbox_oldest_age_seconds", "Age of the oldest message in the outbox, by route; 0 when empty.", []string{"route"}, nil)
)

// outboxCollector reads the outbox's depth at each scrape.
type outboxCollector struct {
	f func() map[string][3]float64
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- depthDesc
	ch <- bytesDesc
	ch <- oldestDesc
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	for route, v := range c.f() {
		ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, v[0], route)
		ch <- prometheus.MustNewConstMetric(bytesDesc, prometheus.GaugeValue, v[1], route)
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, v[2], route)
	}
}

// NewLogger returns a logger that writes JSON lines (json true) or
// key=value text to w, at level and above.
func NewLogger(w io.Writer, json bool, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if json {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
