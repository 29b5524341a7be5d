package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/geowarden/geowarden/internal/telemetry"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/server"
	"github.com/geowarden/geowarden/store/sqlite"
	"github.com/geowarden/geowarden/zone/load"
	"github.com/spf13/cobra"
)

// annotationSIGHUP marks a command that handles SIGHUP itself (serve
// reloads on it) instead of being stopped by it.
const annotationSIGHUP = "geowarden/sighup"

func serveCmd() *cobra.Command {
	var (
		ef        engineFlags
		addr      string
		data      string
		upstream  string
		config    string
		tlsCert   string
		tlsKey    string
		home      []string
		logFormat string
		logLevel  string
	)
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Run the gateway: filter live location streams before they leave",
		Long: `serve runs the gateway. Devices and collection apps send their records to it
instead of to their server; each request's records go through the same stages
as scan and sanitize (zones and signal classes, the policy, the edit, and a
check of the bytes that will leave), and only what the policy lets out is
stored in a durable outbox and forwarded to the route's upstream.

Routes:
  POST /v1/ingest   a body in any format geowarden reads (NDJSON, GeoJSON text
                    sequences, CSV, NMEA, GPX, KML), by Content-Type or by
                    content; the answer counts received, kept, modified,
                    dropped and findings
  GET  /healthz     alive; GET /readyz: ready (store open, policy loaded)
  GET  /metrics     Prometheus metrics (admin or auditor token)
  GET  /v1/decisions  the latest decisions (admin or auditor token)

Every route but /healthz and /readyz needs a token (geowarden token create).
An upstream is an http(s):// URL, nats://host:port/subject or file:///dir
(rotating NDJSON files); --upstream serves every route the configuration
gives no upstream of its own. SIGHUP reloads the policy and zones; SIGTERM
and SIGINT stop accepting, finish the requests under way and exit 0.

Every request's batch, and the policy at start and on each reload, is
appended to the audit log in the data folder's database before it takes
effect; its signing key is DATA/audit.key (created on first start, with
DATA/audit.pub). geowarden audit verify --data DATA checks the log.`,
		Example: `  geowarden serve --policy policy.yml --upstream https://collector.example.org/in
  geowarden serve --config gateway.yml --data /var/lib/geowarden --tls-cert cert.pem --tls-key key.pem`,
		Annotations: map[string]string{annotationSIGHUP: "reload"},
		Args:        cobra.NoArgs,
		RunE: run(func(cmd *cobra.Command, _ []string) (int, error) {
			ctx := cmd.Context()
			if (tlsCert == "") != (tlsKey == "") {
				return ExitError, fmt.Errorf("--tls-cert and --tls-key go together")
			}
			log, err := newLogger(cmd.ErrOrStderr(), logFormat, logLevel)
			if err != nil {
				return ExitError, err
			}
			cfg, err := serveConfig(config, upstream, home)
			if err != nil {
				return ExitError, err
			}
			if err := os.MkdirAll(data, 0o700); err != nil {
				return ExitError, err
			}
			loadPolicy := func() (*server.Policy, error) {
				r, p, err := ef.setup()
				if err != nil {
					return nil, err
				}
				rev, err := servedRevision(p)
				if err != nil {
					return nil, err
				}
				r.SpoolDir = data
				return &server.Policy{Runner: r, Revision: rev}, nil
			}
			db, err := sqlite.Open(ctx, data)
			if err != nil {
				return ExitError, err
			}
			defer db.Close()
			auditLog, err := openGatewayAudit(ctx, db)
			if err != nil {
				return ExitError, err
			}
			srv, err := server.New(ctx, server.Options{Config: cfg, Store: db, Load: loadPolicy, Log: log, Audit: auditLog})
			if err != nil {
				return ExitError, err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return ExitError, err
			}
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			go func() {
				for range hup {
					log.Info("SIGHUP: reloading the policy and zones")
					srv.Reload()
				}
			}()
			if err := srv.Serve(ctx, ln, server.ServeOptions{TLSCert: tlsCert, TLSKey: tlsKey}); err != nil {
				return ExitError, err
			}
			return ExitOK, nil
		}),
	}
	fs := cmd.Flags()
	fs.StringVar(&ef.policy, "policy", "", "policy `FILE` (YAML), or \"default\" for the built-in policy; default: the built-in policy, unless --zones is given")
	fs.StringArrayVar(&ef.zones, "zones", nil, "add a zone `FILE` (.gwz, GeoJSON, KML or KMZ) with the rule: drop any record inside these zones, severity high (repeatable); without --policy, only these zones are checked")
	fs.Int64Var(&ef.maxZoneBytes, "max-zone-bytes", load.DefaultMaxBytes, "refuse a zone file in a text format (GeoJSON, KML, KMZ) larger than this many `BYTES`, before reading it")
	ef.maxExpansion = pipeline.DefaultMaxExpansion
	fs.StringVar(&addr, "addr", "127.0.0.1:8474", "listen on this `HOST:PORT`")
	dataFlag(fs, &data)
	fs.StringVar(&upstream, "upstream", "", "forward every route that the configuration gives no upstream to this `URL` (http(s)://, nats://host/subject, file:///dir)")
	fs.StringVar(&config, "config", "", "the gateway's configuration `FILE` (YAML: routes, limits, outbox, webhook; geowarden check --config FILE checks it)")
	fs.StringVar(&tlsCert, "tls-cert", "", "serve HTTPS with this certificate `FILE` (PEM)")
	fs.StringVar(&tlsKey, "tls-key", "", "the private key `FILE` of --tls-cert (PEM)")
	fs.StringArrayVar(&home, "home", nil, "a home country (ISO 3166 `CODE`; repeatable): exports anywhere else are foreign")
	fs.StringVar(&logFormat, "log-format", "json", "log `FORMAT` on standard error: json or text")
	fs.StringVar(&logLevel, "log-level", "info", "log `LEVEL`: debug (every request), info, warn or error")
	return cmd
}

// serveConfig reads the configuration file, when one is given, and folds
// the flags in.
func serveConfig(file, upstream string, home []string) (*server.Config, error) {
	cfg := server.DefaultConfig()
	if file != "" {
		var err error
		if cfg, err = server.LoadConfig(file, server.RouteNames(server.Protocols())); err != nil {
			return nil, err
		}
	}
	if upstream != "" {
		u, err := server.ParseUpstream(upstream)
		if err != nil {
			return nil, fmt.Errorf("--upstream: %w", err)
		}
		cfg.Upstream = u
	}
	for _, h := range home {
		if len(h) != 2 {
			return nil, fmt.Errorf("--home %q: want a two-letter country code (ISO 3166-1)", h)
		}
		cfg.Home = append(cfg.Home, strings.ToUpper(h))
	}
	return cfg, nil
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	switch format {
	case "json":
		return telemetry.NewLogger(w, true, l), nil
	case "text":
		return telemetry.NewLogger(w, false, l), nil
	}
	return nil, fmt.Errorf("--log-format %q: want json or text", format)
}

// servedRevision is the revision the gateway's decisions carry: the
// SHA-256 of the policy's revision and of the contents of the zone files
// it names, so that new zones under the same file names, reloaded on
// SIGHUP, make a new revision.
func servedRevision(p *policy.Policy) (string, error) {
	h := sha256.New()
	io.WriteString(h, p.Revision+"\n")
	for _, z := range p.Zones {
		if z.Builtin != "" {
			io.WriteString(h, "builtin "+z.Builtin+"\n")
			continue
		}
		f, err := os.Open(z.File)
		if err != nil {
			return "", err
		}
		zh := sha256.New()
		_, err = io.Copy(zh, f)
		f.Close()
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "file %s %x\n", z.ID, zh.Sum(nil))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
