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
//	  - sanitize turns a Decision into an Edit and runs whole files through a
//	    codec, scanning the result again before it is released.
//	  - report writes findings and detect's alerts in each output format
//	    (table, json, ndjson, sarif, html), streaming.
//
// This package holds only types: Record, Edit, Finding, Alert, Severity,
// Action.
package geowarden
