package server

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/server/proto"
	"github.com/geowarden/geowarden/store"
)

// device serves a device protocol's route: the protocol decodes the
// request into messages, each message's record goes through a pipeline
// Session (classify, decide, act), a kept message keeps its bytes, a
// modified one is rewritten by the protocol, and every message that is to
// leave passes the release check of its bytes; what passes goes to the
// outbox, and the protocol answers the device once it is stored.
func (s *Server) device(w http.ResponseWriter, r *http.Request, c *call, rt *route) {
	limit := s.cfg.Limits.DeviceBody
	if !s.admit(w, r, c, limit, "limits.device_body") {
		return
	}
	lb := &limitedBody{r: http.MaxBytesReader(w, r.Body, limit)}
	msgs, err := rt.proto.Decode(r, lb)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) || errors.As(lb.err, &tooBig) {
			tooLarge(w, limit, "limits.device_body")
			return
		}
		httpError(w, http.StatusBadRequest, rt.name+": "+err.Error())
		return
	}
	pol := s.Policy()
	findings := map[string]int{}
	ses := pol.Runner.Engine.NewSession(pipeline.Options{Finding: func(f *geowarden.Finding) { findings[f.Rule]++ }})
	now := time.Now().UTC()
	res := proto.Result{Received: len(msgs)}
	var out []store.Message
	for i := range msgs {
		m := &msgs[i]
		if m.Record.Ref.File == "" {
			m.Record.Ref.File = rt.name
		}
		ed := ses.Record(&m.Record)
		if err := ses.Blocked(); err != nil {
			httpError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		b, modified := m.Raw, false
		switch {
		case ed.Drop:
			res.Dropped++
			continue
		case !ed.IsKeep():
			if b, err = rt.proto.Rewrite(m, &ed); err != nil {
				s.log.Info("message dropped: its edit cannot be written in the protocol", "id", c.id, "route", rt.name, "message", i, "err", err)
				res.Dropped++
				continue
			}
			modified = true
		}
		if err := pol.Runner.Engine.Check(b); err != nil {
			s.log.Warn("message dropped by the release check", "id", c.id, "route", rt.name, "message", i, "err", err)
			s.metrics.Refused.WithLabelValues(rt.name).Inc()
			res.Dropped++
			continue
		}
		if modified {
			res.Modified++
		} else {
			res.Kept++
		}
		out = append(out, store.Message{Route: rt.name, Key: m.Key, Body: b, Size: int64(len(b)), Meta: m.Meta, Revision: pol.Revision, Request: c.id, Created: now})
	}
	res.Findings = int(ses.Stats().Findings)
	b := &store.Batch{
		Decision: store.Decision{Time: now, Route: rt.name, Token: c.token.Name, Request: c.id, Revision: pol.Revision,
			Received: int64(res.Received), Kept: int64(res.Kept), Modified: int64(res.Modified), Dropped: int64(res.Dropped), Findings: int64(res.Findings)},
		Messages: out,
	}
	sum := newDigest()
	for _, m := range out {
		sum.Write(m.Body)
	}
	if err := s.outbox.Put(r.Context(), b, batchEntry(b, findings, sum)); err != nil {
		s.putFailed(w, c, err)
		return
	}
	s.count(rt.name, int64(res.Kept), int64(res.Modified), int64(res.Dropped), findings)
	rt.proto.Reply(w, r, res)
}

// limitedBody remembers the error of the body it reads, so that a body
// over the limit is answered 413 whatever error the protocol made of it.
type limitedBody struct {
	r   io.Reader
	err error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}
