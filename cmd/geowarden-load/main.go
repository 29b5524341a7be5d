// Command geowarden-load drives a geowarden gateway on loopback and
// measures it: requests and records per second, latency percentiles and
// errors.
//
//	geowarden-load -mode ndjson -url http://127.0.0.1:8080 -token T [-batch 1000] [-file F.ndjson] [-c 8] [-duration 30s | -n N] [-json]
//	geowarden-load -mode osmand -url http://127.0.0.1:8080 -token T [-method GET|POST] [-c 64] [-duration 30s | -n N] [-json]
//
// ndjson posts batches of newline-delimited GeoJSON features to
// /v1/ingest (-path), each request with its own Idempotency-Key so that
// the gateway's de-duplication does not hide work: -batch records a
// request, read in turn from -file (one record a line) or generated (a
// random walk of -devices devices in -bbox, one fix a second each). The
// token goes in an Authorization: Bearer header.
//
// osmand sends single-point OsmAnd reports to /osmand (-path) as an
// OsmAnd or Traccar client does: GET, or POST with the parameters in the
// query string (-method), each device's timestamps one second apart so
// that no two reports are the same. The token goes in the token
// parameter.
//
// -c requests are in flight at once, each worker on its own connection.
// The run ends after -n requests or -duration, whichever is given (-n
// wins). The report gives requests, records, errors by status, requests
// and records per second, and the latency percentiles p50, p90 and p99
// (and the maximum) of the requests; -json writes it as one JSON object.
//
// The exit status is 0 when every request got a 2xx answer, 1 when some
// did not, 2 on a usage error.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
