// Package detect finds collection campaigns: patterns across many records
// that no single record shows (a drive-test along a rail line, a crowd
// converging on a site, a device parked beside one for hours, protected
// signals, volume spikes).
//
// detect is a stage of its own. It consumes classified records
// (geowarden.Classified, from package classify): their zone hits and
// protected signal classes. For the geometry it still measures itself it
// declares the zone index it needs (Index), which zone.Index and the cell
// index of zone/cell provide. It owns the policy's detect section:
// DecodeConfig decodes it, package policy only carries it.
//
//	cl := classify.New(ix, p.Signals)
//	cfg, err := detect.DecodeConfig(p.Name, p.Detect)
//	e := detect.New(cfg, ix)
//	for each record rec, in time order per source:
//		cl.Classify(rec, &scratch, &c)
//		e.Observe(&c, size)
//	alerts := e.Alerts()
package detect
