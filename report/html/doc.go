// Package html writes a geowarden report as one self-contained HTML page: a
// map of the protected zones and of the findings (or campaign alerts), a
// table that filters them by rule, severity, zone and file, and the run's
// summary.
//
// The page needs no network when it is opened. It embeds Leaflet (the map
// library, with its styles and images as data: URLs) and an offline base
// layer of Natural Earth land and country outlines, and its
// Content-Security-Policy forbids every load from outside the page
// (default-src 'none'; only inline scripts, inline styles and data: images).
// Nothing is fetched from tile servers, CDNs or font services.
//
// Scale: items are streamed into the page as compact JSON arrays (strings
// such as rules, files and zone ids are written once, in dictionaries, and
// items refer to them by number), never as one DOM node each. The page
// aggregates them on a canvas by zoom level and renders only the visible
// rows of its table, so a report of 100,000 findings stays responsive.
// Zone geometries are simplified to a vertex budget (DisplayZones).
//
// Use Write for a report held in memory, or NewWriter, Writer.Add for each
// item and Writer.Close to stream one in constant memory.
//
// The page's JavaScript reads only the JSON embedded in it and writes text
// with textContent, so file names, zone names and reasons taken from hostile
// inputs cannot inject markup; the embedded JSON escapes '<', '>' and '&'.
package html
