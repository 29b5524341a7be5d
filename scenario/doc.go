// Package scenario generates synthetic but realistic scenarios for
// geowarden's campaign detection, with their ground truth: a region with
// protected zones, a policy, weeks of location and radio records from a
// few hundred sources, and which of those sources are collection
// campaigns (actors), which only look like them (decoys) and which are
// ordinary (background).
//
//	truth, err := scenario.Generate("out", scenario.Config{Seed: 7, Days: 30, Scale: 1})
//
// or, from the command line, geowarden-scenario -seed 7 -o out.
//
// Everything is drawn from the seed with math/rand/v2's PCG, one stream
// per part (region, radio, each source), so the same Config always gives
// byte-identical files (on one CPU architecture: Go may fuse
// floating-point operations differently on another) and adding a source
// of one kind does not change the others. Nothing is tuned to one seed: the region, the numbers of
// actors and decoys, their places, start days, durations, speeds,
// sampling rates and GPS noise all vary with it, within realistic ranges,
// so that a detector can be judged on seeds it was not tuned on.
//
// # Files
//
//	zones.geojson        protected zones: 4-8 rail lines (LineString, class rail,
//	                     buffer_m 500, 40-250 km with curves), military areas
//	                     (Polygon), energy, telecom and government sites (Point,
//	                     buffer_m 300-1500)
//	roads.geojson        towns and roads: scenery, not zones
//	policy.yml           version 1 policy over zones.geojson: the gsm-r band class of
//	                     the built-in policy, the railway's private network as a
//	                     second class, and rules like the built-in ones
//	records.csv          source,time,lat,lon,accuracy,radio,mcc,mnc,lac,cell,arfcn,
//	                     freq_mhz,rsrp,rssi,ssid,bssid; every source but a few,
//	                     interleaved and sorted by time, as a platform exports them
//	per-source/ID.csv    the same columns without source: the file is the source
//	truth.json           the ground truth (below)
//
// A plain fix leaves the signal columns empty. A cell measurement fills
// radio (GSM, UMTS, LTE, NR), mcc, mnc, lac, cell and arfcn (EARFCN,
// UARFCN, NR-ARFCN or GSM ARFCN) and rsrp (LTE, NR) or rssi (GSM, UMTS),
// and freq_mhz for devices that write it; a Wi-Fi row fills ssid, bssid
// and rssi. A receiver that only measures a frequency writes freq_mhz and
// rssi. Times are RFC 3339 UTC to the second; positions have six decimals.
//
// # Region
//
// A 150 × 150 km square laid over a real area (Lower Saxony, Burgundy, the
// Po valley or Gelderland, shifted by up to 30 km) with that country's
// MCC, mobile networks and the railway's GSM-R network code. Towns, rail
// lines through them, roads between them and the protected sites are
// drawn from the seed; most sites lie beside a road, none in a rail
// corridor. Base stations of each network cover the region (denser in
// towns), GSM-R masts stand every 4-7 km along the lines, and Wi-Fi
// access points are as dense as the buildings.
//
// # Actors
//
// Each detector gets several actors at scale 1 (fewer at small scales):
//
//   - corridor: drive-tester-road and drive-tester-train follow rail lines
//     50-400 km a day on 3-10 days, sampling every 1-5 s, recording serving
//     and neighbour cells on one to three networks, some of them GSM-R
//     too. Some ride one line back and forth, others several lines on
//     different days. Cars drive a road beside the line (mostly within
//     450 m, leaving it now and then), trains the line itself.
//   - convergence: crowd-collector: a bounty pulls 15-80 distinct sources to
//     one site within 1-4 hours of one day, from all sides, each staying
//     10-60 minutes inside the zone or within 200 m of it and recording
//     cells and Wi-Fi. Up to half of a crowd are regular contributors
//     (background drivers living within 30 km); the crowd is at least
//     three times what the plans bring there in the same hours of other
//     days. Each crowd is an event in the truth.
//   - fixed_site: fixed-site-capture parks within about 30 m (GPS noise)
//     for 2-10 hours, 50 m to 2.8 km from a zone (a site, or a rail line),
//     on one to three days, recording cells and Wi-Fi every 1-10 s.
//   - protected_signal: gsm-r-scanner (drives near the lines writing GSM-R
//     and E-GSM-R frequencies and ARFCNs, and the FRMCS carrier as an NR
//     record with only its NR-ARFCN), railway-network-logger (a phone whose app
//     logs the railway network's cells), gsm-r-receiver (a receiver beside
//     a line measuring GSM-R uplink and downlink frequencies).
//   - volume: bulk-collector records a steady 150-600 rows a day for a week
//     or more, then on one to three days 10-100 times as much (capped at
//     40,000 rows a day at scale 1).
//
// # Decoys
//
// Decoys look like actors of one detector but are not:
//
//   - corridor: rail-commuter (two train rides of 15-60 km on the same
//     stretch every workday, fixes every 5-60 s, some with the serving
//     cell), long-distance-traveller (one long train trip, sometimes the
//     way back days later), driver-crossing-rail (roads that cross the
//     lines), driver-parallel-to-rail (a road beside a line, where the map
//     has one), rail-town-courier (a delivery van in the town where most
//     lines meet).
//   - convergence: road-traffic (many distinct vehicles pass a site on a
//     road every day at steady rates, with rush hours), market-visitor (a
//     weekly market of a few dozen people, most of them regulars,
//     in a town far from every zone).
//   - fixed_site: parked-car (hours near a zone, fixes only),
//     resident-near-zone (home 0.5-3 km from a zone at night for 10-14 h,
//     a fix every few minutes and a Wi-Fi scan every one to three hours),
//     site-worker (by day inside a site, fixes only).
//   - protected_signal: near-band-measurements (ordinary GSM, LTE and NR
//     900 channels just outside the railway radio bands: ARFCN 975-998,
//     935-936 MHz, LTE at 925.5-929.5 MHz, NR band n8 at 925.5-929.5 MHz
//     as NR-ARFCNs only, uplink 880-885 MHz).
//   - volume: variable-contributor (0.5-2 times its usual volume from day
//     to day, less at weekends), new-big-source (starts big and stays so).
//
// # Background
//
// About 220 sources at scale 1 (commuting drivers, pedestrians, delivery
// vans, people making trips), over the whole period, logging fixes and
// for a third of them cells. They are built not to trigger any detector
// by the definitions above: no protected signals, no day of 20 km mostly
// in rail corridors (their routes keep off roads that run beside a
// line), no day of 100 rows or more at six times their usual volume, no
// signals recorded standing still near a zone.
//
// # Truth
//
// truth.json (type Truth) holds:
//
//	seed, days, scale       the Config
//	start, end              the period, UTC midnights
//	region                  name, center, bbox [w, s, e, n], mcc, networks,
//	                        railway_network ("262-10"), rail_lines and sites (zone ids)
//	files                   records, zones, policy, roads, and per_source:
//	                        {source: "per-source/ID.csv"}; those sources are in no other file
//	records, sources        totals
//	actors                  [{source, role, detector, also?, ...details}]
//	decoys                  [{source, role, could_be_mistaken_for, ...details}]
//	background              [source, ...]
//	events                  [{detector: "convergence", zone, start, end, margin_m,
//	                          sources, in_window, background_in_window,
//	                          other_days_median, other_days_max}]
//
// Detector names are corridor, convergence, fixed_site, protected_signal
// and volume. An actor's also lists other detectors its records rightly
// trigger (a drive-tester that records GSM-R is also a protected_signal
// actor). Every source with records is listed exactly once, in actors,
// decoys or background.
//
// Details, measured on the records as written, not on the plan:
//
//	file                    per-source file, when the source has one
//	start, end              its span: all its records; for crowd collectors
//	                        their stay; for protected-signal actors their
//	                        first and last protected record
//	records, signal_records, protected_records
//	                        rows; rows with radio attributes; rows in a
//	                        signal class of policy.yml
//	sampling_s              [min, max] seconds between samples of its
//	                        characteristic activity
//	zone, event, lines      the zone it works at, its crowd event, the rail
//	                        lines it follows
//	corridor                km, corridor_km, share and per UTC day {date,
//	                        km, corridor_km, records}: track length and the
//	                        part inside rail corridors, measured with
//	                        zone/cell's CorridorLength over consecutive rows
//	                        at most five minutes apart
//	stays                   [{start, end, lat, lon, zone, distance_m (to the
//	                        zone's edge, negative inside), radius_m (farthest
//	                        row from the position), records, signal_records}]
//	volume                  baseline_per_day (median before the first spike),
//	                        factor (largest spike over it), spike_days and
//	                        per_day [{date, records, bytes}]
//
// An event's sources are the crowd members seen inside its zone or within
// margin_m of it in the window; in_window counts every distinct source
// seen there then, background_in_window those not in the crowd, and
// other_days_median and other_days_max the distinct sources there in the
// same hours of the other days.
//
// The crowd's regulars are listed under background, not as actors, yet
// appear in their event's sources.
package scenario
