// Package review is the export gate: it decides whether a sanitized
// dataset may leave for the destinations a request names, and runs the
// review of what it holds.
//
// It is a pure library: no I/O, no clock, no storage. The server
// sanitizes the dataset with the same pipeline and verifier as
// `geowarden sanitize` (failing closed), builds a [Request] (the token's
// identity as requester, the destinations as ISO 3166-1 alpha-2 codes,
// the recipient, the purpose, the sanitized copy's digest and a
// [Findings] summary), and asks the [Gate]:
//
//	cfg, err := review.DecodeConfig(p.Name, p.Export)  // the policy's export section
//	cfg.Revision = p.Revision
//	gate, err := review.NewGate(cfg, home...)          // serve --home DE --home AT
//	x, t, err := gate.Open(req, now)                   // released, pending or refused
//	audit.Append(t); store.Put(x)
//	...
//	x, t, err = review.Apply(x, review.Event{Kind: review.Approve, By: reviewer, Reason: "checked the sample"}, now)
//	audit.Append(t); store.Put(x)
//
// # The gate
//
// The export section's rules are read top to bottom for each destination
// of a request, and the first rule that matches decides for it: release at
// once, hold for review (with a quorum of approvals, a denial threshold and
// optional reviewer filters), or refuse. A request to several destinations
// takes the strictest outcome: refuse over review over release; among
// review rules the most approvals, the fewest denials, and every rule's
// reviewer filter. A destination no rule matches is held for review with
// the defaults (two approvals, one denial): the gate fails closed.
//
// Destinations outside the home jurisdictions are foreign (cross-border).
// The home jurisdictions are the server's --home flags, else the export
// section's home; with none, every destination is foreign.
//
// A policy without export rules has the built-in ones ([BuiltinRules]): a
// cross-border export with any finding waits for two reviewers; an export
// without findings, and a domestic one, is released.
//
// # The review
//
// [Apply] is the state machine (see [State] for its diagram). It enforces
// a quorum of distinct reviewers, a required reason on every vote, that the
// requester never reviews their own request (by identity or by token), that
// one identity or token votes once, the reviewer filters, the denial
// threshold, the pending expiry and the download window (from the now it is
// given), and that terminal states stay terminal: a released export cannot
// be denied, an expired one cannot be approved, and nothing reaches
// released but the gate's immediate release or a quorum. Every step
// returns a [Transition] for the audit log, which the server appends
// before it stores the new state. The [Outcome] is fixed when the request
// is opened: a policy changed later does not change the quorum of a
// request already held.
//
// The server checks roles (export, reviewer); this package checks what the
// policy adds about who may review and when.
package review
