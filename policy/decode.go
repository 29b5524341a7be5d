package policy

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/internal/policyfile"
)

// decoder walks the YAML node tree of one policy. Paths in error messages
// are dotted ("signals[0].bands[1]") except inside a rule, which is named
// by its id (`rule "x": when.kind`).
type decoder struct {
	policyfile.Decoder
	p       *Policy
	zoneIDs map[string]int // zone set id -> line
	signals map[string]int // signal id -> line
}

// checkID checks an id written in the policy: rule, signal and zone set
// ids appear in reports and command-line lists.
func (d *decoder) checkID(n *yaml.Node, path, id string) error {
	if id == "" {
		return d.Errf(n, path, "empty id")
	}
	for _, r := range id {
		if r == ',' || unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar {
			return d.Errf(n, path, "id %q must not contain spaces, commas or control characters", id)
		}
	}
	return nil
}

var topKeys = []string{"version", "zones", "signals", "rules", "export", "default", "pseudonymise_key", "binary", "text", "unreadable", "detect"}

func (d *decoder) parse(data []byte) (*Policy, error) {
	root, err := d.Document(data)
	if err != nil {
		return nil, err
	}
	m, err := d.Fields(root, "", topKeys...)
	if err != nil {
		return nil, err
	}
	d.p = &Policy{}
	if f, ok := m["version"]; ok {
		v, err := d.Str(f.Val, "version")
		if err != nil {
			return nil, err
		}
		if v != "1" {
			return nil, d.Errf(f.Val, "version", "unsupported version %q (only 1 is supported)", v)
		}
	}
	if f, ok := m["zones"]; ok {
		if err := d.zones(f.Val); err != nil {
			return nil, err
		}
	}
	if f, ok := m["signals"]; ok {
		if err := d.signalClasses(f.Val); err != nil {
			return nil, err
		}
	}
	if f, ok := m["pseudonymise_key"]; ok {
		if err := d.key(f.Val); err != nil {
			return nil, err
		}
	}
	if f, ok := m["rules"]; ok {
		if err := d.rules(f.Val); err != nil {
			return nil, err
		}
	}
	if f, ok := m["export"]; ok {
		// Package review decodes its own section.
		d.p.Export = f.Val
	}
	if f, ok := m["detect"]; ok {
		// Package detect decodes its own section.
		d.p.Detect = f.Val
	}
	d.p.DropBinary = true
	if f, ok := m["binary"]; ok {
		v, err := d.Str(f.Val, "binary")
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(v) {
		case "keep":
			d.p.DropBinary = false
		case "drop":
		default:
			return nil, d.Errf(f.Val, "binary", "unknown value %q (want keep or drop)", v)
		}
	}
	if f, ok := m["text"]; ok {
		v, err := d.Str(f.Val, "text")
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(v) {
		case "redact":
			d.p.Text = geowarden.TextRedact
		case "refuse":
			d.p.Text = geowarden.TextRefuse
		case "keep":
			d.p.Text = geowarden.TextKeep
		default:
			return nil, d.Errf(f.Val, "text", "unknown value %q (want redact, refuse or keep)", v)
		}
	}
	if f, ok := m["unreadable"]; ok {
		v, err := d.Str(f.Val, "unreadable")
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(v) {
		case "keep":
			d.p.KeepUnreadable = true
		case "drop":
		default:
			return nil, d.Errf(f.Val, "unreadable", "unknown value %q (want keep or drop)", v)
		}
	}
	f, hasDefault := m["default"]
	if hasDefault {
		v, err := d.Str(f.Val, "default")
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(v) {
		case "keep":
			d.p.Default = geowarden.Action{Type: geowarden.ActKeep}
		case "drop":
			d.p.Default = geowarden.Action{Type: geowarden.ActDrop}
		default:
			return nil, d.Errf(f.Val, "default", "unknown default %q (want keep or drop)", v)
		}
	}
	if len(d.p.Rules) == 0 && !hasDefault {
		n, path := root, ""
		if f, ok := m["rules"]; ok {
			n, path = f.Key, "rules"
		}
		return nil, d.Errf(n, path, "no rules and no default: give rules, or a default of keep or drop")
	}
	return d.p, nil
}

func (d *decoder) zones(n *yaml.Node) error {
	items, err := d.List(n, "zones")
	if err != nil {
		return err
	}
	d.zoneIDs = make(map[string]int, len(items))
	for i, it := range items {
		path := policyfile.Index("zones", i)
		m, err := d.Fields(it, path, "id", "file", "builtin")
		if err != nil {
			return err
		}
		z := ZoneSet{Line: it.Line}
		for _, kd := range []struct {
			key string
			dst *string
		}{{"file", &z.File}, {"builtin", &z.Builtin}} {
			if f, ok := m[kd.key]; ok {
				if *kd.dst, err = d.Str(f.Val, policyfile.Join(path, kd.key)); err != nil {
					return err
				}
				if *kd.dst == "" {
					return d.Errf(f.Val, policyfile.Join(path, kd.key), "empty string")
				}
			}
		}
		switch {
		case z.File != "" && z.Builtin != "":
			return d.Errf(it, path, "give file or builtin, not both")
		case z.File == "" && z.Builtin == "":
			return d.Errf(it, path, "missing file or builtin")
		}
		if f, ok := m["id"]; ok {
			if z.ID, err = d.Str(f.Val, policyfile.Join(path, "id")); err != nil {
				return err
			}
			if err := d.checkID(f.Val, policyfile.Join(path, "id"), z.ID); err != nil {
				return err
			}
		} else if z.Builtin != "" {
			z.ID = z.Builtin
		} else if z.ID = baseID(z.File); z.ID == "" {
			return d.Errf(it, path, "cannot take an id from file %q: give an id", z.File)
		}
		if line, dup := d.zoneIDs[z.ID]; dup {
			return d.Errf(it, path, "zone set id %q already used at line %d", z.ID, line)
		}
		d.zoneIDs[z.ID] = z.Line
		d.p.Zones = append(d.p.Zones, z)
	}
	return nil
}

// baseID is a zone file's base name without its extension (and without a
// compression suffix): "zones/rail.geojson.gz" gives "rail".
func baseID(file string) string {
	base := path.Base(strings.ReplaceAll(file, `\`, "/"))
	for _, ext := range []string{".gz", ".zst", ".bz2", ".xz"} {
		base = strings.TrimSuffix(base, ext)
	}
	base = strings.TrimSuffix(base, path.Ext(base))
	if base == "." || base == "/" {
		return ""
	}
	return base
}

func (d *decoder) signalClasses(n *yaml.Node) error {
	items, err := d.List(n, "signals")
	if err != nil {
		return err
	}
	d.signals = make(map[string]int, len(items))
	for i, it := range items {
		path := policyfile.Index("signals", i)
		m, err := d.Fields(it, path, "id", "description", "bands", "networks")
		if err != nil {
			return err
		}
		var c geowarden.SignalClass
		f, ok := m["id"]
		if !ok {
			return d.Errf(it, path, "missing id")
		}
		if c.ID, err = d.Str(f.Val, policyfile.Join(path, "id")); err != nil {
			return err
		}
		if err := d.checkID(f.Val, policyfile.Join(path, "id"), c.ID); err != nil {
			return err
		}
		if line, dup := d.signals[c.ID]; dup {
			return d.Errf(f.Val, policyfile.Join(path, "id"), "signal id %q already used at line %d", c.ID, line)
		}
		d.signals[c.ID] = f.Val.Line
		if f, ok := m["description"]; ok {
			desc, err := d.Str(f.Val, policyfile.Join(path, "description"))
			if err != nil {
				return err
			}
			if desc = strings.TrimSpace(desc); desc != "" {
				if d.p.SignalDescriptions == nil {
					d.p.SignalDescriptions = make(map[string]string)
				}
				d.p.SignalDescriptions[c.ID] = desc
			}
		}
		if f, ok := m["bands"]; ok {
			items, err := d.Strs(f.Val, policyfile.Join(path, "bands"), true)
			if err != nil {
				return err
			}
			for _, it := range items {
				b, msg := parseBand(it.S)
				if msg != "" {
					return d.Errf(it.N, it.Path, "%s", msg)
				}
				c.Bands = append(c.Bands, b)
			}
		}
		if f, ok := m["networks"]; ok {
			items, err := d.Strs(f.Val, policyfile.Join(path, "networks"), true)
			if err != nil {
				return err
			}
			for _, it := range items {
				nw, ok := parseNetwork(it.S)
				if !ok {
					return d.Errf(it.N, it.Path, "%q is not a network (want MCC or MCC-MNC, such as 262 or 460-20)", it.S)
				}
				c.Networks = append(c.Networks, nw)
			}
		}
		if len(c.Bands) == 0 && len(c.Networks) == 0 {
			return d.Errf(it, path, "signal %q needs bands or networks", c.ID)
		}
		d.p.Signals = append(d.p.Signals, c)
	}
	return nil
}

var ruleKeys = []string{"id", "description", "when", "action", "severity"}

func (d *decoder) rules(n *yaml.Node) error {
	items, err := d.List(n, "rules")
	if err != nil {
		return err
	}
	seen := make(map[string]int, len(items))
	catchAll := -1
	for i, it := range items {
		path := policyfile.Index("rules", i)
		ps, err := d.Pairs(it, path)
		if err != nil {
			return err
		}
		r := Rule{Line: it.Line}
		var idNode *yaml.Node
		for _, p := range ps {
			if p.Key.Value == "id" {
				idNode = p.Val
			}
		}
		if idNode == nil {
			return d.Errf(it, path, "missing id")
		}
		if r.ID, err = d.Str(idNode, policyfile.Join(path, "id")); err != nil {
			return err
		}
		if err := d.checkID(idNode, policyfile.Join(path, "id"), r.ID); err != nil {
			return err
		}
		path = fmt.Sprintf("rule %q", r.ID)
		if line, dup := seen[r.ID]; dup {
			return d.Errf(idNode, path, "id already used by the rule at line %d", line)
		}
		seen[r.ID] = it.Line
		m, err := d.Known(ps, path, ruleKeys...)
		if err != nil {
			return err
		}
		if f, ok := m["description"]; ok {
			if r.Description, err = d.Str(f.Val, policyfile.Join(path, "description")); err != nil {
				return err
			}
			r.Description = strings.TrimSpace(r.Description)
		}
		if f, ok := m["when"]; ok {
			if r.When, err = d.cond(f.Val, policyfile.Join(path, "when")); err != nil {
				return err
			}
		}
		f, ok := m["action"]
		if !ok {
			return d.Errf(it, path, "missing action")
		}
		if r.Action, err = d.action(f.Val, policyfile.Join(path, "action")); err != nil {
			return err
		}
		if r.Action.Type == geowarden.ActPseudonymise && d.p.Key.IsZero() {
			return d.Errf(f.Val, policyfile.Join(path, "action"), "pseudonymise needs a pseudonymise_key (env or file)")
		}
		if f, ok := m["severity"]; ok {
			v, err := d.Str(f.Val, policyfile.Join(path, "severity"))
			if err != nil {
				return err
			}
			if r.Severity, err = geowarden.ParseSeverity(v); err != nil {
				return d.Errf(f.Val, policyfile.Join(path, "severity"), "%v", err)
			}
		}
		if catchAll >= 0 {
			c := &d.p.Rules[catchAll]
			return d.Errf(it, path, "unreachable: rule %q at line %d matches every record", c.ID, c.Line)
		}
		if r.When.IsZero() {
			catchAll = len(d.p.Rules)
		}
		d.p.Rules = append(d.p.Rules, r)
	}
	return nil
}

var condKeys = []string{"zone", "zone_class", "zone_set", "in_zone", "kind", "signal", "attr", "source"}

func (d *decoder) cond(n *yaml.Node, path string) (Cond, error) {
	var c Cond
	m, err := d.Fields(n, path, condKeys...)
	if err != nil {
		return c, err
	}
	for _, kd := range []struct {
		key string
		dst *[]string
	}{{"zone", &c.Zones}, {"zone_class", &c.ZoneClasses}, {"source", &c.Sources}} {
		if f, ok := m[kd.key]; ok {
			items, err := d.Strs(f.Val, policyfile.Join(path, kd.key), kd.key == "source")
			if err != nil {
				return c, err
			}
			*kd.dst = policyfile.Values(items)
		}
	}
	if f, ok := m["zone_set"]; ok {
		items, err := d.Strs(f.Val, policyfile.Join(path, "zone_set"), true)
		if err != nil {
			return c, err
		}
		for _, it := range items {
			if _, ok := d.zoneIDs[it.S]; !ok {
				return c, d.Errf(it.N, it.Path, "unknown zone set %q (%s)", it.S, defined("zone sets", d.zoneIDs))
			}
		}
		c.ZoneSets = policyfile.Values(items)
	}
	if f, ok := m["signal"]; ok {
		items, err := d.Strs(f.Val, policyfile.Join(path, "signal"), true)
		if err != nil {
			return c, err
		}
		for _, it := range items {
			if _, ok := d.signals[it.S]; !ok {
				return c, d.Errf(it.N, it.Path, "unknown signal %q (%s)", it.S, defined("signals", d.signals))
			}
		}
		c.Signals = policyfile.Values(items)
	}
	if f, ok := m["kind"]; ok {
		items, err := d.Strs(f.Val, policyfile.Join(path, "kind"), true)
		if err != nil {
			return c, err
		}
		for _, it := range items {
			k, err := geowarden.ParseKind(it.S)
			if err != nil {
				return c, d.Errf(it.N, it.Path, "%v", err)
			}
			c.Kinds |= KindSetOf(k)
		}
	}
	if f, ok := m["attr"]; ok {
		ps, err := d.Pairs(f.Val, policyfile.Join(path, "attr"))
		if err != nil {
			return c, err
		}
		if len(ps) == 0 {
			return c, d.Errf(f.Val, policyfile.Join(path, "attr"), "no attributes given")
		}
		seen := make(map[string]int, len(ps))
		for _, p := range ps {
			name := strings.ToLower(p.Key.Value)
			if name == "" {
				return c, d.Errf(p.Key, policyfile.Join(path, "attr"), "empty attribute name")
			}
			if line, dup := seen[name]; dup {
				return c, d.Errf(p.Key, policyfile.Join(path, "attr"), "attribute %q given twice (first at line %d; names are case-insensitive)", p.Key.Value, line)
			}
			seen[name] = p.Key.Line
			items, err := d.Strs(p.Val, policyfile.Join(path, "attr."+p.Key.Value), true)
			if err != nil {
				return c, err
			}
			c.Attrs = append(c.Attrs, AttrCond{Name: name, Values: policyfile.Values(items)})
		}
	}
	if f, ok := m["in_zone"]; ok {
		v := d.Deref(f.Val)
		b, err := strconv.ParseBool(v.Value)
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || err != nil {
			return c, d.Expected(v, policyfile.Join(path, "in_zone"), "true or false")
		}
		if !b && (c.Zones != nil || c.ZoneClasses != nil || c.ZoneSets != nil) {
			return c, d.Errf(v, policyfile.Join(path, "in_zone"), "false cannot be combined with zone, zone_class or zone_set")
		}
		c.InZone = &b
	}
	return c, nil
}

// defined lists the ids of a kind for an "unknown id" error.
func defined(what string, ids map[string]int) string {
	if len(ids) == 0 {
		return "no " + what + " are defined"
	}
	names := make([]string, 0, len(ids))
	for id := range ids {
		names = append(names, id)
	}
	// Sort by definition line, then name, for a stable message.
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && (ids[names[j]] < ids[names[j-1]] ||
			ids[names[j]] == ids[names[j-1]] && names[j] < names[j-1]); j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return "defined: " + strings.Join(names, ", ")
}

const actionNames = "keep, drop, block, coarsen, strip or pseudonymise"

func (d *decoder) action(n *yaml.Node, path string) (geowarden.Action, error) {
	var a geowarden.Action
	n = d.Deref(n)
	switch {
	case n.Kind == yaml.ScalarNode && !policyfile.IsNull(n):
		switch v := strings.ToLower(n.Value); v {
		case "keep":
			a.Type = geowarden.ActKeep
		case "drop":
			a.Type = geowarden.ActDrop
		case "block":
			a.Type = geowarden.ActBlock
		case "coarsen":
			return a, d.Errf(n, path, "coarsen needs a grid size or a time step, such as {coarsen: 100m}")
		case "strip", "pseudonymise":
			return a, d.Errf(n, path, "%s needs attribute names, such as {%s: [ssid]}", v, v)
		default:
			return a, d.Errf(n, path, "unknown action %q (want %s)", n.Value, actionNames)
		}
		return a, nil
	case n.Kind == yaml.MappingNode:
	default:
		return a, d.Expected(n, path, "an action name or a mapping")
	}
	ps, err := d.Pairs(n, path)
	if err != nil {
		return a, err
	}
	switch len(ps) {
	case 0:
		return a, d.Errf(n, path, "empty action")
	case 1:
	default:
		return a, d.Errf(ps[1].Key, path, "one action per rule, got %d", len(ps))
	}
	k, v := ps[0].Key, ps[0].Val
	base := path
	path = policyfile.Join(path, k.Value)
	switch name := strings.ToLower(k.Value); name {
	case "coarsen":
		a.Type = geowarden.ActCoarsen
		return a, d.coarsen(&a, v, path)
	case "strip", "pseudonymise":
		a.Type = geowarden.ActStrip
		if name == "pseudonymise" {
			a.Type = geowarden.ActPseudonymise
		}
		items, err := d.Strs(v, path, false)
		if err != nil {
			return a, err
		}
		a.Attrs = policyfile.Values(items)
		return a, nil
	case "keep", "drop", "block":
		return a, d.Errf(k, path, "takes no parameters: write action: %s", name)
	}
	return a, d.Errf(k, base, "unknown action %q (want %s)", k.Value, actionNames)
}

func (d *decoder) coarsen(a *geowarden.Action, n *yaml.Node, path string) error {
	if n.Kind != yaml.MappingNode && (n.Kind != yaml.ScalarNode || policyfile.IsNull(n)) {
		return d.Expected(n, path, "a grid size or a mapping")
	}
	gridNode := n
	var timeNode *yaml.Node
	if n.Kind == yaml.MappingNode {
		m, err := d.Fields(n, path, "grid", "time")
		if err != nil {
			return err
		}
		gridNode = nil
		if f, ok := m["grid"]; ok {
			gridNode = f.Val
		}
		if f, ok := m["time"]; ok {
			timeNode = f.Val
		}
		if gridNode == nil && timeNode == nil {
			return d.Errf(n, path, "give grid, time or both")
		}
	}
	if gridNode != nil {
		gp := path
		if gridNode != n {
			gp = policyfile.Join(path, "grid")
		}
		s, err := d.Str(gridNode, gp)
		if err != nil {
			return err
		}
		m, msg := policyfile.ParseDistance(s)
		if msg != "" {
			return d.Errf(gridNode, gp, "%s", msg)
		}
		a.GridM = m
	}
	if timeNode != nil {
		tp := policyfile.Join(path, "time")
		s, err := d.Str(timeNode, tp)
		if err != nil {
			return err
		}
		t, err := time.ParseDuration(strings.TrimSpace(s))
		switch {
		case err != nil:
			return d.Errf(timeNode, tp, "%q is not a duration (want such as 30s, 5m or 1h)", s)
		case t < 0:
			return d.Errf(timeNode, tp, "%q: time step must not be negative", s)
		}
		a.TimeStep = t
	}
	if a.GridM == 0 && a.TimeStep == 0 {
		return d.Errf(n, path, "changes nothing: give a grid, or a time step above zero")
	}
	return nil
}

// literalKeys are keys that would hold the key itself.
var literalKeys = []string{"value", "key", "secret", "literal", "hex", "base64", "password"}

const literalKeyMsg = "a literal key is not allowed: the key must come from an environment variable (env: NAME) or a file (file: PATH)"

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (d *decoder) key(n *yaml.Node) error {
	const path = "pseudonymise_key"
	n = d.Deref(n)
	if n.Kind == yaml.ScalarNode && !policyfile.IsNull(n) {
		return d.Errf(n, path, literalKeyMsg)
	}
	ps, err := d.Pairs(n, path)
	if err != nil {
		return err
	}
	for _, p := range ps {
		for _, l := range literalKeys {
			if strings.EqualFold(p.Key.Value, l) {
				return d.Errf(p.Key, path, literalKeyMsg)
			}
		}
	}
	m, err := d.Known(ps, path, "env", "file")
	if err != nil {
		return err
	}
	k := KeySource{Line: n.Line}
	if f, ok := m["env"]; ok {
		if k.Env, err = d.Str(f.Val, path+".env"); err != nil {
			return err
		}
		if !envName.MatchString(k.Env) {
			return d.Errf(f.Val, path+".env", "not an environment variable name (want letters, digits and _)")
		}
	}
	if f, ok := m["file"]; ok {
		if k.File, err = d.Str(f.Val, path+".file"); err != nil {
			return err
		}
		if k.File == "" {
			return d.Errf(f.Val, path+".file", "empty string")
		}
	}
	switch {
	case k.Env != "" && k.File != "":
		return d.Errf(n, path, "give env or file, not both")
	case k.IsZero():
		return d.Errf(n, path, "missing env or file")
	}
	d.p.Key = k
	return nil
}
