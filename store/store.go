// Package store is the contract between the gateway and the database that
// holds its state: access tokens (only their hashes), the outbox of
// messages on their way upstream with the keys that de-duplicate them, and
// the decisions taken on each request.
//
// An implementation is safe for concurrent use. Every method that writes
// returns only once what it wrote is durable (on disk, synced), so that
// the gateway may answer a request after Put and a crash cannot lose what
// was answered. store/sqlite is the default implementation; every
// implementation passes the conformance suite of store/storetest.
package store

import (
	"context"
	"errors"
	"io"
	"time"
)

// Errors for errors.Is.
var (
	// ErrNotFound: no token (or message) matches.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: a token of that name exists and is not revoked.
	ErrExists = errors.New("store: exists")
)

// Store is the gateway's state.
type Store interface {
	Tokens
	Outbox
	// Close releases the store. Nothing may be called after it.
	Close() error
}

// Token is an access token as stored: its SHA-256 hash, never the token.
type Token struct {
	ID   int64
	Name string
	// Roles are the token's roles (ingest, export, reviewer, admin,
	// auditor), in the order given.
	Roles []string
	// Hash is the SHA-256 of the token's text.
	Hash     []byte
	Created  time.Time
	LastUsed time.Time // zero: never used
	Revoked  time.Time // zero: not revoked
}

// Tokens stores access tokens.
type Tokens interface {
	// CreateToken stores t and sets its ID. It fails with ErrExists when a
	// token of the same name is not revoked, or the same hash is stored.
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns the token with that hash, revoked or not, or
	// ErrNotFound.
	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	// Tokens returns every token, revoked ones too, by ID.
	Tokens(ctx context.Context) ([]Token, error)
	// RevokeToken revokes the token with that name (the one not yet
	// revoked) or, when ref is a number, that ID, and returns it. It
	// fails with ErrNotFound when none matches; revoking a revoked token
	// again changes nothing.
	RevokeToken(ctx context.Context, ref string, at time.Time) (*Token, error)
	// TouchTokens records when tokens were last used, by ID.
	TouchTokens(ctx context.Context, used map[int64]time.Time) error
}

// Message is one message of the outbox: bytes that passed the pipeline
// and the release check, on their way to a route's upstream.
type Message struct {
	ID    int64 // set by Put, in order of arrival
	Route string
	// Key de-duplicates resends: a message whose key its route has seen
	// within the window (Outbox.ForgetKeys) is not stored again. "" never
	// matches.
	Key string
	// Type is the body's media type, for upstreams that want it (the
	// Content-Type an ingest body came with).
	Type string
	// Body holds the bytes, unless they are in a blob.
	Body []byte
	// Blob names a sealed blob (Outbox.NewBlob) that holds the bytes of a
	// body too large to hold in memory; "" when Body holds them.
	Blob string
	// Size is the body's length in bytes: len(Body), or the blob's size.
	Size int64
	// Meta is what a device protocol keeps beside the body to forward it
	// (proto.Message.Meta).
	Meta []byte
	// Revision is the policy revision the message was decided under.
	Revision string
	// Request is the id of the request the message came in, so that the
	// messages of one request can be forwarded together.
	Request string
	Created time.Time
}

// Decision is what one request's records became, under which policy.
type Decision struct {
	Time     time.Time
	Route    string
	Token    string // the token's name
	Request  string // the request's id, as in the logs
	Revision string // the policy revision

	Received, Kept, Modified, Dropped, Findings int64
	// Duplicate: the request had messages and all of them had been
	// stored before (a resend); nothing new went to the outbox. Put sets
	// it.
	Duplicate bool
}

// Batch is what one request leaves in the store: the decision on it and
// the messages it lets out.
type Batch struct {
	Decision Decision
	Messages []Message
	// Dups is set by Put: Dups[i] says that Messages[i] was a resend
	// and was not stored.
	Dups []bool
}

// RouteStats describes the outbox of one route.
type RouteStats struct {
	Route    string
	Messages int64
	Bytes    int64
	Oldest   time.Time // Created of the oldest message; zero when empty
}

// Outbox holds messages until their upstream acknowledges them.
type Outbox interface {
	// Put stores the batches in one transaction, durably when it returns
	// nil, and sets their messages' IDs and the batches' Dups. On an
	// error nothing of any batch is stored. The blobs of messages not
	// stored (resends) are removed.
	Put(ctx context.Context, batches []*Batch) error
	// Pending returns up to limit messages of route with an ID above
	// after, in ID order.
	Pending(ctx context.Context, route string, after int64, limit int) ([]Message, error)
	// Ack removes delivered messages, and their blobs.
	Ack(ctx context.Context, ids []int64) error
	// Stats returns the messages and bytes waiting, per route.
	Stats(ctx context.Context) ([]RouteStats, error)
	// ForgetKeys forgets the de-duplication keys seen before the time,
	// and the oldest beyond max keys; it returns how many it forgot.
	ForgetKeys(ctx context.Context, before time.Time, max int64) (int64, error)
	// Decisions returns the last n decisions, newest first.
	Decisions(ctx context.Context, n int) ([]Decision, error)
	// ForgetDecisions removes the decisions taken before the time.
	ForgetDecisions(ctx context.Context, before time.Time) (int64, error)
	// NewBlob starts a blob for a body too large for memory.
	NewBlob() (Blob, error)
	// OpenBlob opens a sealed blob for reading.
	OpenBlob(name string) (io.ReadCloser, error)
	// RemoveBlob removes a sealed blob that no stored message names (its
	// message was refused).
	RemoveBlob(name string) error
}

// Blob is a message body being written. Write it, then Seal it and name
// it in a Message, or Abort it. A sealed blob that no stored message
// names is removed when the store is opened again.
type Blob interface {
	io.Writer
	// Seal makes the bytes durable and returns the blob's name and size.
	Seal() (name string, size int64, err error)
	// Abort discards the blob. It does nothing after Seal.
	Abort()
}
