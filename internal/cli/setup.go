package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/classify"
	"github.com/geowarden/geowarden/detect"
	"github.com/geowarden/geowarden/format"
	"github.com/geowarden/geowarden/format/all"
	"github.com/geowarden/geowarden/format/plaintext"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/review"
	"github.com/geowarden/geowarden/zone"
	"github.com/geowarden/geowarden/zone/cell"
	"github.com/geowarden/geowarden/zone/load"
	"github.com/spf13/pflag"
)

// engineFlags are the flags every command that reads records shares.
type engineFlags struct {
	policy    string
	zones     []string
	format    string
	columns   []string
	latCol    string
	lonCol    string
	timeCol   string
	sourceCol string
	delimiter string
	keepGoing bool
	workers   int
	// maxZoneBytes is the largest zone file in a text format read.
	maxZoneBytes int64
	// maxExpansion is how many times its size a gzip input may expand to.
	maxExpansion int
}

func (f *engineFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.policy, "policy", "", "policy `FILE` (YAML), or \"default\" for the built-in policy; default: the built-in policy, unless --zones is given")
	fs.StringArrayVar(&f.zones, "zones", nil, "add a zone `FILE` (.gwz, GeoJSON, KML or KMZ) with the rule: drop any record inside these zones, severity high (repeatable); without --policy, only these zones are checked")
	fs.StringVar(&f.format, "input-format", "", "read inputs as this `FORMAT` (csv, geojson) instead of recognising them by content")
	fs.StringArrayVar(&f.columns, "column", nil, "name the column or property for a `ROLE=NAME` (lat, lon, time, source, radio, mcc, mnc, area, cell, freq, arfcn, strength, ssid, bssid, alt, accuracy); repeatable")
	fs.StringVar(&f.latCol, "lat-col", "", "name of the latitude `COLUMN`")
	fs.StringVar(&f.lonCol, "lon-col", "", "name of the longitude `COLUMN`")
	fs.StringVar(&f.timeCol, "time-col", "", "name of the time `COLUMN`")
	fs.StringVar(&f.sourceCol, "source-col", "", "name of the source (device, contributor) `COLUMN`")
	fs.IntVar(&f.workers, "jobs", 0, "process this many files of a folder at once (0: one per CPU)")
	fs.StringVar(&f.delimiter, "delimiter", "", "CSV field delimiter (one character, or \"tab\"); default: sniffed from the header")
	fs.IntVar(&f.maxExpansion, "max-expansion", pipeline.DefaultMaxExpansion, "refuse a gzip input that expands to more than this many `TIMES` its size")
	fs.Int64Var(&f.maxZoneBytes, "max-zone-bytes", load.DefaultMaxBytes, "refuse a zone file in a text format (GeoJSON, KML, KMZ) larger than this many `BYTES`, before reading it")
}

var roles = []string{"lat", "lon", "time", "source", "radio", "mcc", "mnc", "area", "cell", "freq", "arfcn", "strength", "ssid", "bssid", "alt", "accuracy"}

func (f *engineFlags) formatOptions() (format.Options, error) {
	var o format.Options
	o.Columns = map[string]string{}
	for _, c := range f.columns {
		role, name, ok := strings.Cut(c, "=")
		role = strings.ToLower(strings.TrimSpace(role))
		if !ok || name == "" {
			return o, fmt.Errorf("--column %q: want ROLE=NAME", c)
		}
		valid := false
		for _, r := range roles {
			valid = valid || r == role
		}
		if !valid {
			return o, fmt.Errorf("--column %q: unknown role %q (want one of %s)", c, role, strings.Join(roles, ", "))
		}
		o.Columns[role] = name
	}
	for role, name := range map[string]string{"lat": f.latCol, "lon": f.lonCol, "time": f.timeCol, "source": f.sourceCol} {
		if name != "" {
			o.Columns[role] = name
		}
	}
	switch d := f.delimiter; {
	case d == "":
	case d == "tab" || d == `\t`:
		o.Delimiter = '\t'
	case utf8.RuneCountInString(d) == 1:
		o.Delimiter, _ = utf8.DecodeRuneInString(d)
	default:
		return o, fmt.Errorf("--delimiter %q: want one character or \"tab\"", d)
	}
	if f.format != "" && all.Registry().ByName(f.format) == nil {
		return o, fmt.Errorf("--input-format %q: unknown format", f.format)
	}
	return o, nil
}

// loadPolicy loads the policy named by --policy (or the default) and adds
// the --zones sets to it.
func (f *engineFlags) loadPolicy() (*policy.Policy, error) {
	var p *policy.Policy
	switch {
	case f.policy == "" && len(f.zones) > 0:
		// Only the zones given: "which records lie in these zones".
		var err error
		if p, err = policy.Parse("zones", []byte("default: keep\n")); err != nil {
			return nil, err
		}
	case f.policy == "" || f.policy == "default":
		p = policy.Default()
	default:
		var err error
		if p, err = policy.Load(f.policy); err != nil {
			return nil, err
		}
	}
	if err := checkSections(p); err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, z := range p.Zones {
		used[z.ID] = true
	}
	for _, file := range f.zones {
		id := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		for n := 2; used[id]; n++ {
			id = fmt.Sprintf("%s-%d", strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)), n)
		}
		used[id] = true
		p.AddZoneSet(id, file)
	}
	return p, nil
}

// checkSections decodes the sections the policy carries for other
// packages: detect's and the export gate's. Every command refuses a policy
// with an error there, as with an error anywhere else in it.
func checkSections(p *policy.Policy) error {
	if _, err := detect.DecodeConfig(p.Name, p.Detect); err != nil {
		return err
	}
	_, err := review.DecodeConfig(p.Name, p.Export)
	return err
}

// describeExport says which export rules a policy that checkSections
// accepted has.
func describeExport(p *policy.Policy) string {
	c, err := review.DecodeConfig(p.Name, p.Export)
	switch {
	case err != nil:
		return "export section in error"
	case c.Builtin:
		return "built-in export rules"
	}
	return fmt.Sprintf("%d export rule(s)", len(c.Rules))
}

// loadZones loads every zone set a policy names, each with its index: the
// one a compiled .gwz file brings, or a cell index built now.
func loadZones(p *policy.Policy, maxBytes int64) ([]*zone.Set, classify.Index, error) {
	var sets []*zone.Set
	var parts []classify.Index
	for _, zs := range p.Zones {
		var src *load.Zones
		var err error
		if zs.Builtin != "" {
			src, err = load.Builtin(zs.Builtin)
		} else {
			src, err = load.File(context.Background(), zs.File, &load.Options{MaxBytes: maxBytes})
		}
		if err != nil {
			if zs.Line > 0 {
				return nil, nil, fmt.Errorf("%s:%d: zone set %q: %w", p.Name, zs.Line, zs.ID, err)
			}
			return nil, nil, err
		}
		s, ix := src.Set, src.Index
		s.ID = zs.ID
		for _, z := range s.Zones {
			z.Set = zs.ID
		}
		if ix == nil {
			ix = cell.Build(s)
		}
		sets = append(sets, s)
		parts = append(parts, ix)
	}
	switch len(parts) {
	case 0:
		return sets, zone.NewIndex(), nil
	case 1:
		return sets, parts[0], nil
	}
	return sets, classify.NewMulti(parts...), nil
}

// setup builds the engine and the runner from the flags.
func (f *engineFlags) setup() (*pipeline.Runner, *policy.Policy, error) {
	fo, err := f.formatOptions()
	if err != nil {
		return nil, nil, err
	}
	p, err := f.loadPolicy()
	if err != nil {
		return nil, nil, err
	}
	_, ix, err := loadZones(p, f.maxZoneBytes)
	if err != nil {
		return nil, nil, err
	}
	e := &pipeline.Engine{
		Classifier: classify.New(ix, p.Signals),
		Policy:     p,
		Text:       p.Text,
	}
	if needsKey(p) {
		if e.Key, err = p.Key.Load(p.Dir); err != nil {
			return nil, nil, err
		}
	}
	fo.DropBinary = p.DropBinary
	fo.KeepUnreadable = p.KeepUnreadable
	r := &pipeline.Runner{
		Engine:       e,
		Formats:      all.Registry(),
		PlainText:    plaintext.Codec{},
		Workers:      f.workers,
		Format:       f.format,
		Options:      pipeline.Options{Format: fo, KeepGoing: f.keepGoing},
		MaxExpansion: f.maxExpansion,
	}
	return r, p, nil
}

func needsKey(p *policy.Policy) bool {
	return p.Uses(geowarden.ActPseudonymise)
}
