// Package policy reads geowarden policies and decides what happens to each
// classified record.
//
// A policy is one YAML document. It names the zone sets and protected
// signal classes that records are classified against, and lists rules
// that map a classified record to an action: keep, drop, coarsen, strip,
// pseudonymise or block. [Parse] and [Load] decode it strictly and
// validate it; [Policy.Decide] applies it. [Default] is the policy
// geowarden uses when it is given none (default.yml in this package).
//
// The policy does not read zone files or keys: zone sets are returned as
// references ([ZoneSet]) for the caller to load, and the pseudonymisation
// key is located by a [KeySource] that the caller loads when it needs it.
//
// # Example
//
//	version: 1
//	zones:
//	  - id: rail
//	    file: zones/rail.geojson
//	  - builtin: default
//	signals:
//	  - id: gsm-r
//	    description: GSM-R railway radio
//	    bands: ["876-880 MHz", "921-925 MHz"]
//	rules:
//	  - id: military
//	    description: Inside a military zone.
//	    when: { zone_class: military }
//	    action: drop
//	    severity: critical
//	  - id: rail-radio
//	    when: { zone_set: rail, kind: [cell, wifi, rf] }
//	    action: { coarsen: { grid: 1km, time: 15m } }
//	    severity: high
//	  - id: hash-contributors
//	    when: { in_zone: true }
//	    action: { pseudonymise: [source] }
//	default: keep
//	pseudonymise_key:
//	  env: GEOWARDEN_KEY
//
// # Top-level keys
//
// version is optional; only 1 is accepted.
//
// zones lists zone sets. An entry has a file (a path resolved against the
// policy file's folder, unless absolute) or a builtin (the name of a zone
// set built into geowarden, checked by the caller), and an optional id.
// The id defaults to the file's base name without its extension (and
// without a .gz, .zst, .bz2 or .xz suffix), or to the builtin's name. Ids
// must be unique.
//
// signals lists protected signal classes. An entry has an id, an optional
// description, and bands, networks or both (a string or a list each). A
// band is a frequency range with a unit (Hz, kHz, MHz or GHz, any case):
// "876-880 MHz", "876–880 MHz" (en dash), "1.8-1.9 GHz", "900 MHz-1.2 GHz",
// or a single frequency "935 MHz", which is the range [935, 935]. Both
// ends are included. A network is an MCC ("262") or MCC-MNC ("460-20").
// A record belongs to a class when its frequency lies in one of the bands
// or its network is one of the networks.
//
// rules lists the rules, read top to bottom: the first rule whose
// conditions hold decides. A rule has an id (unique; no spaces or commas),
// an optional description (help text in reports), an optional when, an
// action (required) and an optional severity (none, the default; info;
// low; medium; high; critical). A rule with severity none transforms
// records without reporting them. A rule without conditions matches every
// record, so a rule after it is an error.
//
// default is the action for records no rule matches: keep (the default)
// or drop. A policy with neither rules nor default is an error.
//
// pseudonymise_key says where the HMAC key for pseudonymise comes from:
// {env: NAME} or {file: PATH} (relative to the policy's folder). It is
// required when a rule pseudonymises. The key itself never appears in a
// policy: a literal value is refused.
//
// detect and export are sections the policy carries without reading them:
// package detect decodes the campaign detectors' settings
// (detect.DecodeConfig) and package review the export gate's rules
// (review.DecodeConfig). The command line refuses a policy with an error
// in either, as with an error anywhere else.
//
// # Conditions
//
// A when-clause is a mapping of conditions. All conditions present must
// hold (AND); a condition given as a list holds when any of its values
// does (OR). Values are matched exactly, except names of kinds and
// severities, which ignore case.
//
//	zone        zone ids (from the zone files)
//	zone_class  zone classes: military, rail, airport, energy, ...
//	zone_set    zone set ids; each must be defined under zones
//	in_zone     true: in at least one zone; false: in none
//	kind        record kinds: fix, cell, wifi, iot, rf, image, feature
//	signal      signal class ids; each must be defined under signals
//	attr        {name: value or list}: raw attributes (CSV columns, GeoJSON
//	            properties); names ignore case, values are exact
//	source      record sources (contributor, device or file)
//
// zone, zone_class and zone_set must hold for the same zone: a record in
// zone A of class rail and zone B of class military matches
// {zone: A, zone_class: rail} but not {zone: B, zone_class: rail}.
// in_zone: false cannot be combined with them.
//
// # Actions
//
//	keep                          leave the record as it is
//	drop                          remove the record
//	block                         refuse the whole input
//	{coarsen: 100m}               snap the position to a 100 m grid
//	{coarsen: {grid: 1km, time: 5m}}  snap position and time
//	{strip: [ssid, bssid]}        remove these attributes
//	{pseudonymise: [source]}      replace these attributes by a keyed hash
//
// A grid is a distance in m or km ("100m", "1 km", "0.5km"; a bare number
// is metres), above zero and at most 20000 km. A time step uses Go
// duration syntax ("30s", "5m", "1h") and must not be negative. Coarsen
// needs a grid, a time step above zero, or both. strip and pseudonymise
// take an attribute name or a list of them: raw names or the roles source,
// ssid, bssid, cell, area, mcc, mnc, time.
//
// # Errors
//
// Decoding is strict: an unknown key, a value of the wrong type, a
// duplicate key or id, or a reference to an undefined signal or zone set
// is an error. Errors are *[Error] values that name the file and line:
//
//	policy: rules.yml:12: rule "x": unknown key "acton"
//	policy: rules.yml:7: signals[0].bands[1]: "88x-889 MHz" is not a frequency range
//
// YAML anchors and aliases are allowed; merge keys (<<) are not.
//
// # Revision
//
// [Policy.Revision] is the hex SHA-256 of the policy's bytes; audit
// records and reports name the policy by it. [Policy.AddZoneSet] folds its
// arguments into the revision.
package policy
