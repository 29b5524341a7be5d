// Package server is the gateway, `geowarden serve`: it takes location
// records from devices and collection apps over HTTP, takes each through
// the pipeline's stages (classify, decide, act, and the release check of
// the bytes that will leave), stores what the policy lets out in a durable
// outbox and forwards it from there to each route's upstream.
//
// The handlers are thin: a request's records go through pipeline.Runner
// (POST /v1/ingest, any format geowarden reads) or a pipeline.Session (a
// device protocol's messages, server/proto); the outbox is a store.Store.
// Nothing reaches an upstream that has not been through the stages and
// the check, and a request is answered only once what it let out is on
// disk.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/internal/telemetry"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/server/geosubmit"
	"github.com/geowarden/geowarden/server/osmand"
	"github.com/geowarden/geowarden/server/owntracks"
	"github.com/geowarden/geowarden/server/proto"
	"github.com/geowarden/geowarden/store"
	"golang.org/x/time/rate"
)

// ProtocolRoute puts a device protocol at a path.
type ProtocolRoute struct {
	Path     string
	Protocol proto.Protocol
	// Keyed, for a protocol whose messages may be encrypted, returns the
	// protocol with the secret of the route's key (routes.NAME.key);
	// without a key, encrypted messages are refused.
	Keyed func(secret []byte) (proto.Protocol, error)
}

// protocolRoutes is the table of the device protocols the gateway
// speaks: a protocol is served by adding its line here.
var protocolRoutes = []ProtocolRoute{
	{"/osmand", osmand.Protocol{}, nil},
	{"/owntracks", &owntracks.Protocol{}, func(secret []byte) (proto.Protocol, error) { return owntracks.New(owntracks.WithKey(secret)) }},
	{"/v2/geosubmit", geosubmit.Protocol{}, nil},
}

// Protocols returns the built-in table of device protocol routes.
func Protocols() []ProtocolRoute { return slices.Clone(protocolRoutes) }

// RouteNames returns the names of the routes of a protocol table, after
// ingest's: the route names a configuration may use.
func RouteNames(protocols []ProtocolRoute) []string {
	names := []string{RouteIngest}
	for _, p := range protocols {
		names = append(names, p.Protocol.Name())
	}
	return names
}

// Policy is what decides: a runner over the engine of the loaded policy
// and zones, and the policy's revision, which every stored decision and
// message carries. It is read-only once loaded.
type Policy struct {
	Runner   *pipeline.Runner
	Revision string
}

// Options are what New needs.
type Options struct {
	Config *Config
	Store  store.Store
	// Load loads the policy and its zones: at start and on Reload.
	Load func() (*Policy, error)
	Log  *slog.Logger
	// Protocols are the device protocol routes; nil means Protocols().
	Protocols []ProtocolRoute
	// Client sends to HTTP upstreams; nil means a client of the
	// gateway's own.
	Client *http.Client
	// Audit is the audit log: every ingest batch and every policy put in
	// force is appended to it before it takes effect. Required.
	Audit *audit.Log
	// TokenTTL is how long a token lookup is cached: a revoked token is
	// refused at most this long after it was revoked. 0 means 2s.
	TokenTTL time.Duration
}

// Server is the gateway. Make one with New, run it with Serve.
type Server struct {
	cfg     *Config
	store   store.Store
	audit   *audit.Log
	load    func() (*Policy, error)
	log     *slog.Logger
	auth    *Auth
	metrics *telemetry.Metrics
	policy  atomic.Pointer[Policy]
	outbox  *outbox
	routes  []*route
	client  *http.Client
	mux     *http.ServeMux
	ready   atomic.Bool

	limitMu  sync.Mutex
	limiters map[int64]*rate.Limiter
}

// route is one route: ingest, or a device protocol at its path.
type route struct {
	name     string
	path     string
	proto    proto.Protocol // nil for ingest
	upstream *Upstream
	depth    *depth
	fwd      *forwarder
}

// New builds the gateway: it loads the policy, reads the outbox's depth
// and sets up a forwarder for every route that has an upstream. Routes
// without one are not served. It fails when no route has an upstream.
func New(ctx context.Context, opts Options) (*Server, error) {
	s := &Server{
		cfg:      opts.Config,
		store:    opts.Store,
		audit:    opts.Audit,
		load:     opts.Load,
		log:      opts.Log,
		client:   opts.Client,
		limiters: map[int64]*rate.Limiter{},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.client == nil {
		s.client = newClient()
	}
	ttl := opts.TokenTTL
	if ttl <= 0 {
		ttl = 2 * time.Second
	}
	s.auth = NewAuth(s.store, ttl)
	p, err := s.load()
	if err != nil {
		return nil, err
	}
	s.policy.Store(p)
	protocols := opts.Protocols
	if protocols == nil {
		protocols = Protocols()
	}
	if rc := s.cfg.Routes[RouteIngest]; rc.Key != nil {
		return nil, fmt.Errorf("route %s takes no key", RouteIngest)
	}
	all := []*route{{name: RouteIngest, path: "/v1/ingest"}}
	for _, pr := range protocols {
		p := pr.Protocol
		if k := s.cfg.Routes[p.Name()].Key; k != nil {
			if pr.Keyed == nil {
				return nil, fmt.Errorf("route %s takes no key", p.Name())
			}
			secret, err := k.Load()
			if err != nil {
				return nil, fmt.Errorf("route %s: %w", p.Name(), err)
			}
			if p, err = pr.Keyed(secret); err != nil {
				return nil, fmt.Errorf("route %s: %w", pr.Protocol.Name(), err)
			}
		}
		all = append(all, &route{name: p.Name(), path: pr.Path, proto: p})
	}
	for _, r := range all {
		if r.upstream = s.cfg.UpstreamOf(r.name); r.upstream == nil {
			s.log.Warn("route not served: no upstream", "route", r.name, "path", r.path)
			continue
		}
		r.depth = &depth{}
		s.routes = append(s.routes, r)
	}
	if len(s.routes) == 0 {
		return nil, errors.New("serve: no route has an upstream (give --upstream URL, or routes in --config)")
	}
	if s.audit == nil {
		return nil, errors.New("serve: no audit log")
	}
	s.metrics = telemetry.NewMetrics(s.outboxDepth)
	if err := s.auditPolicy(ctx, p, "", "start"); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	s.outbox = newOutbox(s.store, s.audit, &s.cfg.Outbox, s.metrics, s.log)
	if err := s.outbox.load(ctx, s.routes); err != nil {
		return nil, err
	}
	for _, r := range s.routes {
		t, err := s.newTarget(r)
		if err != nil {
			s.closeTargets()
			return nil, fmt.Errorf("route %s: %w", r.name, err)
		}
		r.fwd = newForwarder(r, s.store, t, s.outbox, &s.cfg.Outbox, s.metrics, s.log)
	}
	s.mux = s.newMux()
	s.ready.Store(true)
	return s, nil
}

func (s *Server) closeTargets() {
	for _, r := range s.routes {
		if r.fwd != nil {
			r.fwd.target.Close()
		}
	}
}

// newClient returns the client for HTTP upstreams: keep-alive
// connections, a bound on how long an upstream may take to answer.
func newClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	tr.ResponseHeaderTimeout = 30 * time.Second
	return &http.Client{Transport: tr}
}

// Policy returns the policy in force.
func (s *Server) Policy() *Policy { return s.policy.Load() }

// Reload loads the policy and its zones again and puts them in force at
// once for every request that starts afterwards; a request under way
// finishes under the policy it started with. The new policy is appended
// to the audit log before it is put in force. On an error the policy in
// force stays.
func (s *Server) Reload() error {
	p, err := s.load()
	if err == nil {
		err = s.auditPolicy(context.Background(), p, s.Policy().Revision, "reload")
	}
	if err != nil {
		s.log.Error("reload failed; the policy in force stays", "err", err, "revision", s.Policy().Revision)
		return err
	}
	old := s.policy.Swap(p)
	s.log.Info("policy reloaded", "revision", p.Revision, "previous", old.Revision)
	return nil
}

// Metrics returns the gateway's metrics.
func (s *Server) Metrics() *telemetry.Metrics { return s.metrics }

// Handler returns the gateway's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

func (s *Server) newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !s.ready.Load() || s.Policy() == nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready\n"))
			return
		}
		w.Write([]byte("ready\n"))
	})
	for _, r := range s.routes {
		r := r
		if r.proto == nil {
			mux.Handle("POST "+r.path, s.guard(r.name, []string{RoleIngest}, true, func(w http.ResponseWriter, req *http.Request, c *call) {
				s.ingest(w, req, c, r)
			}))
			continue
		}
		mux.Handle(r.path, s.guard(r.name, []string{RoleIngest}, true, func(w http.ResponseWriter, req *http.Request, c *call) {
			s.device(w, req, c, r)
		}))
	}
	metrics := s.metrics.Handler()
	mux.Handle("GET /metrics", s.guard("metrics", []string{RoleAdmin, RoleAuditor}, false, func(w http.ResponseWriter, r *http.Request, _ *call) {
		metrics.ServeHTTP(w, r)
	}))
	mux.Handle("GET /v1/decisions", s.guard("decisions", []string{RoleAdmin, RoleAuditor}, false, s.decisions))
	auditViews := audit.Handler(s.audit)
	for _, p := range auditPaths {
		mux.Handle("GET "+p, s.guard("audit", []string{RoleAdmin, RoleAuditor}, false, func(w http.ResponseWriter, r *http.Request, _ *call) {
			auditViews.ServeHTTP(w, r)
		}))
	}
	return mux
}

// Endpoints returns the method and path of every endpoint that needs a
// token, with the roles it accepts.
func (s *Server) Endpoints() []Endpoint {
	var out []Endpoint
	for _, r := range s.routes {
		m := http.MethodPost
		if r.proto != nil {
			m = ""
		}
		out = append(out, Endpoint{m, r.path, []string{RoleIngest}})
	}
	out = append(out, Endpoint{http.MethodGet, "/metrics", []string{RoleAdmin, RoleAuditor}},
		Endpoint{http.MethodGet, "/v1/decisions", []string{RoleAdmin, RoleAuditor}})
	for _, p := range auditPaths {
		out = append(out, Endpoint{http.MethodGet, p, []string{RoleAdmin, RoleAuditor}})
	}
	return out
}

// Endpoint is one endpoint that needs a token.
type Endpoint struct {
	Method string // "" for any method
	Path   string
	Roles  []string
}

// call is one authenticated request.
type call struct {
	id    string
	route string
	token *store.Token
	start time.Time
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// guard wraps a handler: it authenticates the request's token and checks
// its roles (401, 403), takes geowarden's own credentials off the request,
// applies the token's rate limit (429) when limited, and counts, times and
// logs the request. The token's text is never logged.
func (s *Server) guard(name string, roles []string, limited bool, h func(http.ResponseWriter, *http.Request, *call)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{id: requestID(), route: name, start: time.Now()}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			code := sw.code
			if code == 0 {
				code = http.StatusOK
			}
			d := time.Since(c.start)
			s.metrics.Requests.WithLabelValues(name, strconv.Itoa(code)).Inc()
			s.metrics.Latency.WithLabelValues(name).Observe(d.Seconds())
			level := slog.LevelDebug
			if code >= 500 {
				level = slog.LevelWarn
			} else if code >= 400 {
				level = slog.LevelInfo
			}
			if s.log.Enabled(r.Context(), level) {
				tok := ""
				if c.token != nil {
					tok = c.token.Name
				}
				s.log.Log(r.Context(), level, "request", "id", c.id, "route", name, "method", r.Method, "path", r.URL.Path,
					"token", tok, "status", code, "duration", d, "remote", r.RemoteAddr)
			}
		}()
		tok, err := s.auth.Authenticate(r.Context(), r)
		stripCredentials(r)
		switch {
		case errors.Is(err, errNoToken) || errors.Is(err, errBadToken):
			sw.Header().Set("WWW-Authenticate", `Bearer realm="geowarden"`)
			httpError(sw, http.StatusUnauthorized, err.Error())
			return
		case err != nil:
			s.log.Error("token lookup failed", "id", c.id, "err", err)
			httpError(sw, http.StatusInternalServerError, "token lookup failed")
			return
		}
		c.token = tok
		if !hasRole(tok, roles) {
			httpError(sw, http.StatusForbidden, fmt.Sprintf("token %q lacks the role for this endpoint (one of: %v)", tok.Name, roles))
			return
		}
		if limited {
			if wait, ok := s.allow(tok.ID); !ok {
				sw.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
				httpError(sw, http.StatusTooManyRequests, "rate limit of this token reached")
				return
			}
		}
		h(sw, r, c)
	})
}

// allow takes one request from the token's rate limit; when none is left
// it says how long to wait.
func (s *Server) allow(id int64) (time.Duration, bool) {
	if s.cfg.Limits.Rate <= 0 {
		return 0, true
	}
	s.limitMu.Lock()
	l, ok := s.limiters[id]
	if !ok {
		l = rate.NewLimiter(rate.Limit(s.cfg.Limits.Rate), s.cfg.Limits.Burst)
		s.limiters[id] = l
	}
	s.limitMu.Unlock()
	now := time.Now()
	res := l.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

func requestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// httpError answers with a status and a JSON error.
func httpError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// decisions lists the latest decisions: GET /v1/decisions?n=100.
func (s *Server) decisions(w http.ResponseWriter, r *http.Request, _ *call) {
	n := 100
	if v := r.URL.Query().Get("n"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 1 || k > 10000 {
			httpError(w, http.StatusBadRequest, "n: want a number from 1 to 10000")
			return
		}
		n = k
	}
	ds, err := s.store.Decisions(r.Context(), n)
	if err != nil {
		httpError(w, http.StatusInternalServerError, "reading decisions failed")
		return
	}
	type decision struct {
		Time      time.Time `json:"time"`
		Route     string    `json:"route"`
		Token     string    `json:"token"`
		Request   string    `json:"request"`
		Revision  string    `json:"revision"`
		Received  int64     `json:"received"`
		Kept      int64     `json:"kept"`
		Modified  int64     `json:"modified"`
		Dropped   int64     `json:"dropped"`
		Findings  int64     `json:"findings"`
		Duplicate bool      `json:"duplicate,omitempty"`
	}
	out := make([]decision, len(ds))
	for i, d := range ds {
		out[i] = decision(d)
	}
	writeJSON(w, http.StatusOK, map[string]any{"decisions": out})
}

// outboxDepth is the outbox's depth by route, for the metrics.
func (s *Server) outboxDepth() map[string][3]float64 {
	now := time.Now()
	out := map[string][3]float64{}
	for _, r := range s.routes {
		age := 0.0
		if o := r.depth.oldest.Load(); o != 0 {
			age = max(0, now.Sub(time.Unix(0, o)).Seconds())
		}
		out[r.name] = [3]float64{float64(r.depth.messages.Load()), float64(r.depth.bytes.Load()), age}
	}
	return out
}

// ServeOptions tune Serve.
type ServeOptions struct {
	// TLSCert and TLSKey are the files of the certificate and key to
	// serve HTTPS with; empty for plain HTTP.
	TLSCert, TLSKey string
	// DrainTimeout bounds how long a shutdown waits for requests under
	// way; 0 means 30s.
	DrainTimeout time.Duration
}

// Serve answers requests on ln until ctx is done, then shuts down
// gracefully: it stops accepting, lets the requests under way finish
// (their records are stored before they are answered), stops the
// forwarders and records when tokens were last used. It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener, opts ServeOptions) error {
	bg, stopBg := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	commitDone := make(chan struct{})
	go func() {
		defer close(commitDone)
		s.outbox.run()
	}()
	for _, r := range s.routes {
		wg.Go(func() { r.fwd.run(bg) })
	}
	wg.Go(func() { s.maintain(bg) })

	hs := &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		var err error
		if opts.TLSCert != "" {
			err = hs.ServeTLS(ln, opts.TLSCert, opts.TLSKey)
		} else {
			err = hs.Serve(ln)
		}
		errc <- err
	}()
	s.log.Info("serving", "addr", ln.Addr().String(), "tls", opts.TLSCert != "", "revision", s.Policy().Revision)
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	s.ready.Store(false)
	drain := opts.DrainTimeout
	if drain <= 0 {
		drain = 30 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain)
	defer cancel()
	s.log.Info("shutting down: draining requests")
	if serr := hs.Shutdown(sctx); serr != nil && err == nil {
		err = serr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	s.outbox.close()
	<-commitDone
	stopBg()
	wg.Wait()
	s.closeTargets()
	if ferr := s.auth.Flush(context.WithoutCancel(ctx)); ferr != nil {
		s.log.Warn("recording token use failed", "err", ferr)
	}
	s.log.Info("stopped")
	return err
}

// maintain runs the periodic work: records token use, forgets old
// de-duplication keys and decisions.
func (s *Server) maintain(ctx context.Context) {
	flush := time.NewTicker(10 * time.Second)
	defer flush.Stop()
	prune := time.NewTicker(time.Minute)
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-flush.C:
			if err := s.auth.Flush(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("recording token use failed", "err", err)
			}
		case <-prune.C:
			now := time.Now()
			if _, err := s.store.ForgetKeys(ctx, now.Add(-s.cfg.Outbox.DedupWindow), s.cfg.Outbox.MaxKeys); err != nil && ctx.Err() == nil {
				s.log.Warn("forgetting old keys failed", "err", err)
			}
			if _, err := s.store.ForgetDecisions(ctx, now.Add(-s.cfg.Outbox.DecisionsKept)); err != nil && ctx.Err() == nil {
				s.log.Warn("forgetting old decisions failed", "err", err)
			}
		}
	}
}
