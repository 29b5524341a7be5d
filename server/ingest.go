package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/store"
	"github.com/geowarden/geowarden/verify"
)

// inlineMax is the largest sanitized body kept in memory and in the
// database; a larger one is written to a blob as it is produced.
const inlineMax = 4 << 20

// ingestResult is the answer to POST /v1/ingest.
type ingestResult struct {
	Received  int64 `json:"received"`
	Kept      int64 `json:"kept"`
	Modified  int64 `json:"modified"`
	Dropped   int64 `json:"dropped"`
	Findings  int64 `json:"findings"`
	Duplicate bool  `json:"duplicate,omitempty"`
}

// mediaFormats maps a body's media type to the codec that reads it;
// other types (none, text/plain, application/octet-stream) are recognised
// by content.
var mediaFormats = map[string]string{
	"application/x-ndjson":                 "geojson",
	"application/ndjson":                   "geojson",
	"application/jsonl":                    "geojson",
	"application/json":                     "geojson",
	"application/geo+json":                 "geojson",
	"application/geo+json-seq":             "geojson",
	"text/csv":                             "csv",
	"text/tab-separated-values":            "csv",
	"application/x-nmea":                   "nmea",
	"text/x-nmea":                          "nmea",
	"application/gpx+xml":                  "gpx",
	"application/vnd.google-earth.kml+xml": "kml",
	"application/vnd.google-earth.kmz":     "kml",
}

// ingest is POST /v1/ingest: a body in any format geowarden reads goes
// through the pipeline's runner, streamed (the sanitized copy is spooled
// to a file with no name, scanned again and checked byte by byte before
// it is taken); the copy goes to the outbox as one message, and the
// answer counts the records.
func (s *Server) ingest(w http.ResponseWriter, r *http.Request, c *call, rt *route) {
	limit := s.cfg.Limits.Body
	if !s.admit(w, r, c, limit, "limits.body") {
		return
	}
	ctype := r.Header.Get("Content-Type")
	pol := s.Policy()
	runner := *pol.Runner
	if mt, _, err := mime.ParseMediaType(ctype); err == nil {
		runner.Format = mediaFormats[mt]
	}
	findings := map[string]int{}
	runner.Options.Finding = func(f *geowarden.Finding) { findings[f.Rule]++ }
	runner.Options.KeepGoing = false
	runner.Progress = nil

	key := ""
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		key = "idem:" + k
	}
	hash := sha256.New()
	io.WriteString(hash, ctype+"\n") // the same bytes as another type may be other records
	in := io.TeeReader(http.MaxBytesReader(w, r.Body, limit), hash)
	out := &spill{store: s.store, sum: newDigest()}
	st, err := runner.SanitizeStream(r.Context(), "body", in, out)
	if err == nil {
		err = out.err
	}
	if err != nil {
		out.abort()
		s.refuse(w, r, c, err, out.err != nil)
		return
	}
	if key == "" {
		key = "sha256:" + hex.EncodeToString(hash.Sum(nil))
	}
	now := time.Now().UTC()
	b := &store.Batch{Decision: store.Decision{
		Time: now, Route: rt.name, Token: c.token.Name, Request: c.id, Revision: pol.Revision,
		Received: st.Records, Kept: st.Kept, Modified: st.Modified, Dropped: st.Dropped, Findings: st.Findings,
	}}
	if st.Kept+st.Modified > 0 {
		m := store.Message{Route: rt.name, Key: key, Type: ctype, Revision: pol.Revision, Request: c.id, Created: now}
		if err := out.finish(&m); err != nil {
			s.log.Error("storing a body failed", "id", c.id, "err", err)
			httpError(w, http.StatusInternalServerError, "storing the records failed")
			return
		}
		b.Messages = []store.Message{m}
	} else {
		out.abort()
	}
	if err := s.outbox.Put(r.Context(), b, batchEntry(b, findings, out.sum)); err != nil {
		removeBlobs(s.store, b)
		s.putFailed(w, c, err)
		return
	}
	dup := b.Decision.Duplicate
	s.count(rt.name, st.Kept, st.Modified, st.Dropped, findings)
	writeJSON(w, http.StatusOK, ingestResult{
		Received: st.Records, Kept: st.Kept, Modified: st.Modified, Dropped: st.Dropped, Findings: st.Findings, Duplicate: dup,
	})
}

// count adds a request's records and findings to the metrics.
func (s *Server) count(route string, kept, modified, dropped int64, findings map[string]int) {
	for _, a := range []struct {
		action string
		n      int64
	}{{"kept", kept}, {"modified", modified}, {"dropped", dropped}} {
		if a.n > 0 {
			s.metrics.Records.WithLabelValues(route, a.action).Add(float64(a.n))
		}
	}
	for rule, n := range findings {
		s.metrics.Findings.WithLabelValues(rule).Add(float64(n))
	}
}

// admit answers the requests a route does not take on at all: 503 when
// the outbox's budget is spent, 413 when the body's declared length is
// over the limit (setting names the limit in the answer).
func (s *Server) admit(w http.ResponseWriter, r *http.Request, c *call, limit int64, setting string) bool {
	w.Header().Set("X-Request-Id", c.id)
	if s.outbox.full() {
		s.unavailable(w)
		return false
	}
	if r.ContentLength > limit {
		tooLarge(w, limit, setting)
		return false
	}
	return true
}

func tooLarge(w http.ResponseWriter, limit int64, setting string) {
	httpError(w, http.StatusRequestEntityTooLarge, "body larger than "+strconv.FormatInt(limit, 10)+" bytes ("+setting+")")
}

// unavailable answers 503 when the outbox's budget is spent.
func (s *Server) unavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(int(max(s.cfg.Outbox.RetryMin, 5*time.Second).Seconds())))
	httpError(w, http.StatusServiceUnavailable, errBudget.Error())
}

// putFailed answers for a batch the outbox did not store.
func (s *Server) putFailed(w http.ResponseWriter, c *call, err error) {
	switch {
	case errors.Is(err, errBudget):
		s.unavailable(w)
	case errors.Is(err, errAudit):
		auditFailed(w)
	case errors.Is(err, errClosed):
		w.Header().Set("Retry-After", "1")
		httpError(w, http.StatusServiceUnavailable, "shutting down")
	default:
		s.log.Error("outbox commit failed", "id", c.id, "err", err)
		httpError(w, http.StatusInternalServerError, "storing the records failed")
	}
}

// refuse answers a body the runner refused. Nothing of it is stored.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, c *call, err error, local bool) {
	var tooBig *http.MaxBytesError
	var blocked *pipeline.BlockedError
	switch {
	case local:
		s.log.Error("spooling a sanitized body failed", "id", c.id, "err", err)
		httpError(w, http.StatusInsufficientStorage, "no room to store the records")
	case r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		httpError(w, http.StatusBadRequest, "request cancelled")
	case errors.As(err, &tooBig):
		tooLarge(w, tooBig.Limit, "limits.body")
	case errors.Is(err, pipeline.ErrExpansion):
		httpError(w, http.StatusRequestEntityTooLarge, err.Error())
	case errors.Is(err, pipeline.ErrUnrecognised):
		httpError(w, http.StatusUnsupportedMediaType, err.Error())
	case errors.As(err, &blocked):
		httpError(w, http.StatusUnprocessableEntity, err.Error())
	case pipeline.IsSurvived(err) || errors.Is(err, verify.ErrLeak):
		s.log.Warn("sanitized body refused by the release check", "id", c.id, "err", err)
		httpError(w, http.StatusUnprocessableEntity, err.Error())
	default:
		var pe *format.ParseError
		if !errors.As(err, &pe) {
			s.log.Info("body refused", "id", c.id, "err", err)
		}
		httpError(w, http.StatusBadRequest, err.Error())
	}
}

// removeBlobs removes the blobs of a batch that was not stored.
func removeBlobs(o store.Outbox, b *store.Batch) {
	for _, m := range b.Messages {
		if m.Blob != "" {
			o.RemoveBlob(m.Blob)
		}
	}
}

// spill holds a sanitized body in memory up to inlineMax bytes, and
// beyond that in a blob of the store.
type spill struct {
	store store.Outbox
	buf   bytes.Buffer
	blob  store.Blob
	err   error     // a failure to write the blob
	sum   hash.Hash // the SHA-256 of what was written
}

func (w *spill) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	w.sum.Write(p)
	if w.blob == nil && w.buf.Len()+len(p) <= inlineMax {
		return w.buf.Write(p)
	}
	if w.blob == nil {
		if w.blob, w.err = w.store.NewBlob(); w.err != nil {
			return 0, w.err
		}
		if _, w.err = w.blob.Write(w.buf.Bytes()); w.err != nil {
			return 0, w.err
		}
		w.buf = bytes.Buffer{}
	}
	n, err := w.blob.Write(p)
	if err != nil {
		w.err = err
	}
	return n, err
}

// finish puts the body into m: its bytes, or its sealed blob.
func (w *spill) finish(m *store.Message) error {
	if w.blob == nil {
		m.Body = w.buf.Bytes()
		m.Size = int64(len(m.Body))
		return nil
	}
	name, size, err := w.blob.Seal()
	if err != nil {
		return err
	}
	m.Blob, m.Size = name, size
	return nil
}

func (w *spill) abort() {
	if w.blob != nil {
		w.blob.Abort()
	}
}
