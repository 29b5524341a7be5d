package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/geowarden/geowarden/store"
	"github.com/nats-io/nats.go"
)

// natsTarget publishes a route's messages to a NATS subject, with the
// body's media type and the route in the headers. Send returns once the
// server has received every message (a flush round trip). A body larger
// than the server's payload limit is published in pieces cut at line
// ends; a single line larger than the limit cannot be sent.
type natsTarget struct {
	nc      *nats.Conn
	subject string
	route   string
	store   store.Outbox
}

func newNATSTarget(u *Upstream, route string, s store.Outbox, log *slog.Logger) (*natsTarget, error) {
	url := *u.URL
	url.Path = ""
	nc, err := nats.Connect(url.String(),
		nats.Name("geowarden"),
		nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(true),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", "route", route, "upstream", u.String(), "err", err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { log.Info("nats reconnected", "route", route, "upstream", u.String()) }),
	)
	if err != nil {
		return nil, err
	}
	return &natsTarget{nc: nc, subject: u.Subject, route: route, store: s}, nil
}

func (t *natsTarget) Send(ctx context.Context, msgs []store.Message) error {
	if !t.nc.IsConnected() {
		return fmt.Errorf("nats: not connected to %s", t.nc.Opts.Url)
	}
	limit := int(t.nc.MaxPayload()) - 1024 // room for the headers
	for i := range msgs {
		m := &msgs[i]
		if err := t.publish(m, limit); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return t.nc.FlushWithContext(ctx)
}

func (t *natsTarget) publish(m *store.Message, limit int) error {
	msg := nats.NewMsg(t.subject)
	msg.Header.Set("Geowarden-Route", t.route)
	if m.Type != "" {
		msg.Header.Set("Content-Type", m.Type)
	}
	if m.Blob == "" && len(m.Body) <= limit {
		msg.Data = m.Body
		return t.nc.PublishMsg(msg)
	}
	rc, err := body(t.store, m)
	if err != nil {
		return err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	var piece []byte
	for {
		line, err := br.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) && len(line) <= limit {
			var more []byte
			more, err = br.ReadSlice('\n')
			line = append(append([]byte(nil), line...), more...)
		}
		if len(line) > limit {
			return fmt.Errorf("nats: a line of %d bytes or more does not fit in the server's payload limit (%d bytes)", len(line), limit)
		}
		if len(piece)+len(line) > limit {
			msg.Data = piece
			if perr := t.nc.PublishMsg(msg); perr != nil {
				return perr
			}
			piece = nil
		}
		piece = append(piece, line...)
		if err != nil {
			if len(piece) > 0 {
				msg.Data = piece
				if perr := t.nc.PublishMsg(msg); perr != nil {
					return perr
				}
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func (t *natsTarget) Close() error {
	t.nc.Close()
	return nil
}
