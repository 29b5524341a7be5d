// Package audit is geowarden's tamper-evident decision log: every decision
// that lets data out, holds it or drops it is appended, as an Entry, before
// it takes effect.
//
// The log is an RFC 6962 Merkle tree (golang.org/x/mod/sumdb/tlog). After
// every append the Log signs a checkpoint of the tree with an Ed25519 key,
// in the C2SP tlog-checkpoint and signed-note formats, and it never signs a
// checkpoint that is not consistent with the one before. Anyone with the
// verifier key can check a checkpoint and an entry's inclusion proof (C2SP
// tlog-proof) offline, and Verify checks a whole log: every entry's hash,
// the tree against the latest signed checkpoint, and consistency with an
// earlier checkpoint an auditor kept. docs/audit-format.md specifies the
// formats.
//
// The log keeps nothing itself: a Storage does (audit/filelog keeps it in
// files, the server's store in its database). audit/audittest is the
// conformance suite of Storage implementations.
package audit
