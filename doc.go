// Package geowarden is the shared vocabulary of geowarden, a firewall for
// location and radio-signal data.
//
// Data flows one way through small stages, each in its own package:
//
//		source ─▶ format ─▶ Record ─▶ classify ─▶ policy ─▶ sanitize ─▶ sink
//		          (reader/            (zones,      (first    (drop,      (cleaned copy,
//		           rewriter)           signals)     match)    coarsen…)   findings)
//
//	  - format and its sub-packages (format/csv, format/geojson) stream Records
//	    out of an input and, in the same pass, write the input back with
//	    per-record Edits. Bytes they do not understand pass through untouched.
//	  - zone holds protected zones and answers which zones contain a point or
//	    cross a segment. It knows nothing about formats or policies.
//	  - classify turns a Record into its zone and signal-class hits.
//	  - policy maps a classified Record to a Decision (first matching rule wins).
//	  - sanitize turns a Decision into an Edit.
//	  - report writes findings and detect's alerts in each output format
//	    (table, json, ndjson, sarif, html), streaming.
//	  - pipeline wires the stages over files, folders, standard input and
//	    streams, and scans every sanitized output again before it is
//	    released.
//
// No stage imports another; docs/architecture.md gives the rules and
// architecture_test.go checks them. This package holds the types (Record,
// Edit, Classified, Decision, Finding, Alert, Stats, Severity, Action) and
// the radio vocabulary every stage shares (DownlinkMHz, UplinkMHz,
// ChannelMHz).
package geowarden
