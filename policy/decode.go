package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/detect"
)

// maxNodes caps the YAML nodes the decoder visits, counting each use of
// an alias again, so that aliases cannot blow a small file up.
const maxNodes = 1_000_000

// decoder walks the YAML node tree of one policy. Paths in error messages
// are dotted ("signals[0].bands[1]") except inside a rule, which is named
// by its id (`rule "x": when.kind`).
type decoder struct {
	name    string
	nodes   int
	p       *Policy
	zoneIDs map[string]int // zone set id -> line
	signals map[string]int // signal id -> line
}

// pair is one key and value of a mapping.
type pair struct {
	key, val *yaml.Node
}

func (d *decoder) errf(n *yaml.Node, path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{File: d.name, Line: line, Msg: msg}
}

var yamlLine = regexp.MustCompile(`(?s)^yaml: line (\d+): (.*)$`)

// yamlError turns an error of the YAML parser into an *Error.
func (d *decoder) yamlError(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: d.name, Line: line, Msg: m[2]}
	}
	return &Error{File: d.name, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// join appends key to path: with a dot, or with ": " after a rule's
// `rule "id"`.
func join(path, key string) string {
	switch {
	case path == "":
		return key
	case strings.HasSuffix(path, `"`):
		return path + ": " + key
	}
	return path + "." + key
}

func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// document parses data into the root node of its single document.
func (d *decoder) document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: d.name, Msg: "policy is empty"}
		}
		return nil, d.yamlError(err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, d.errf(&next, "", "more than one YAML document: a policy is one document")
	case !errors.Is(err, io.EOF):
		return nil, d.yamlError(err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, &Error{File: d.name, Msg: "policy is empty"}
		}
		root = root.Content[0]
	}
	root = d.deref(root)
	if isNull(root) {
		return nil, &Error{File: d.name, Msg: "policy is empty"}
	}
	return root, nil
}

func (d *decoder) deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// count charges k visited nodes against maxNodes.
func (d *decoder) count(n *yaml.Node, k int) error {
	d.nodes += k
	if d.nodes > maxNodes {
		return d.errf(n, "", "policy too complex: more than %d YAML nodes after expanding aliases", maxNodes)
	}
	return nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names the type of a node for "expected ..., got ..." errors.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
		return "a string"
	}
	return "an unsupported YAML node"
}

func (d *decoder) expected(n *yaml.Node, path, what string) error {
	if isNull(n) {
		return d.errf(n, path, "missing value")
	}
	return d.errf(n, path, "expected %s, got %s", what, describe(n))
}

// pairs returns the pairs of a mapping, in order; keys must be distinct
// strings.
func (d *decoder) pairs(n *yaml.Node, path string) ([]pair, error) {
	n = d.deref(n)
	if n.Kind != yaml.MappingNode {
		return nil, d.expected(n, path, "a mapping")
	}
	if err := d.count(n, len(n.Content)/2); err != nil {
		return nil, err
	}
	ps := make([]pair, 0, len(n.Content)/2)
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := d.deref(n.Content[i]), d.deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || isNull(k) {
			return nil, d.errf(k, path, "keys must be strings, got %s", describe(k))
		}
		if line, dup := seen[k.Value]; dup {
			return nil, d.errf(k, path, "key %q given twice (first at line %d)", k.Value, line)
		}
		seen[k.Value] = k.Line
		ps = append(ps, pair{k, v})
	}
	return ps, nil
}

// known checks that every key is one of allowed and returns the pairs by
// key.
func (d *decoder) known(ps []pair, path string, allowed ...string) (map[string]pair, error) {
	m := make(map[string]pair, len(ps))
	for _, p := range ps {
		ok := false
		for _, a := range allowed {
			if p.key.Value == a {
				ok = true
				break
			}
		}
		if !ok {
			return nil, d.errf(p.key, path, "unknown key %q", p.key.Value)
		}
		m[p.key.Value] = p
	}
	return m, nil
}

// fields is pairs followed by known.
func (d *decoder) fields(n *yaml.Node, path string, allowed ...string) (map[string]pair, error) {
	ps, err := d.pairs(n, path)
	if err != nil {
		return nil, err
	}
	return d.known(ps, path, allowed...)
}

// list returns the items of a sequence; null is the empty list.
func (d *decoder) list(n *yaml.Node, path string) ([]*yaml.Node, error) {
	n = d.deref(n)
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, d.expected(n, path, "a list")
	}
	if err := d.count(n, len(n.Content)); err != nil {
		return nil, err
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, it := range n.Content {
		items[i] = d.deref(it)
	}
	return items, nil
}

// str returns the text of a scalar other than null.
func (d *decoder) str(n *yaml.Node, path string) (string, error) {
	n = d.deref(n)
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return "", d.expected(n, path, "a string")
	}
	return n.Value, nil
}

// item is one string of a string-or-list value, with its node and path.
type item struct {
	s    string
	n    *yaml.Node
	path string
}

// strs reads a string or a non-empty list of strings. Unless allowEmpty,
// the strings must not be empty.
func (d *decoder) strs(n *yaml.Node, path string, allowEmpty bool) ([]item, error) {
	n = d.deref(n)
	var items []item
	switch {
	case n.Kind == yaml.ScalarNode && !isNull(n):
		items = []item{{n.Value, n, path}}
	case n.Kind == yaml.SequenceNode:
		if len(n.Content) == 0 {
			return nil, d.errf(n, path, "empty list")
		}
		if err := d.count(n, len(n.Content)); err != nil {
			return nil, err
		}
		for i, c := range n.Content {
			c = d.deref(c)
			ip := index(path, i)
			if c.Kind != yaml.ScalarNode || isNull(c) {
				return nil, d.expected(c, ip, "a string")
			}
			items = append(items, item{c.Value, c, ip})
		}
	default:
		return nil, d.expected(n, path, "a string or a list of strings")
	}
	if !allowEmpty {
		for _, it := range items {
			if it.s == "" {
				return nil, d.errf(it.n, it.path, "empty string")
			}
		}
	}
	return items, nil
}

func values(items []item) []string {
	s := make([]string, len(items))
	for i, it := range items {
		s[i] = it.s
	}
	return s
}

// checkID checks an id written in the policy: rule, signal and zone set
// ids appear in reports and command-line lists.
func (d *decoder) checkID(n *yaml.Node, path, id string) error {
	if id == "" {
		return d.errf(n, path, "empty id")
	}
	for _, r := range id {
		if r == ',' || unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar {
			return d.errf(n, path, "id %q must not contain spaces, commas or control characters", id)
		}
	}
	return nil
}

var topKeys = []string{"version", "zones", "signals", "rules", "export", "default", "pseudonymise_key", "binary", "detect"}

func (d *decoder) parse(data []byte) (*Policy, error) {
	root, err := d.document(data)
	if err != nil {
		return nil, err
	}
	m, err := d.fields(root, "", topKeys...)
	if err != nil {
		return nil, err
	}
	d.p = &Policy{}
	if f, ok := m["version"]; ok {
		v, err := d.str(f.val, "version")
		if err != nil {
			return nil, err
		}
		if v != "1" {
			return nil, d.errf(f.val, "version", "unsupported version %q (only 1 is supported)", v)
		}
	}
	if f, ok := m["zones"]; ok {
		if err := d.zones(f.val); err != nil {
			return nil, err
		}
	}
	if f, ok := m["signals"]; ok {
		if err := d.signalClasses(f.val); err != nil {
			return nil, err
		}
	}
	if f, ok := m["pseudonymise_key"]; ok {
		if err := d.key(f.val); err != nil {
			return nil, err
		}
	}
	if f, ok := m["rules"]; ok {
		if err := d.rules(f.val); err != nil {
			return nil, err
		}
	}
	if f, ok := m["export"]; ok {
		if err := d.export(f.val); err != nil {
			return nil, err
		}
	}
	d.p.Detect = detect.Defaults()
	if f, ok := m["detect"]; ok {
		if err := d.detectSection(f.val); err != nil {
			return nil, err
		}
	}
	d.p.DropBinary = true
	if f, ok := m["binary"]; ok {
		v, err := d.str(f.val, "binary")
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(v) {
		case "keep":
			d.p.DropBinary = false
		case "drop":
		default:
			return nil, d.errf(f.val, "binary", "unknown value %q (want keep or drop)", v)
		}
	}
	f, hasDefault := m["default"]
	if hasDefault {
		v, err := d.str(f.val, "default")
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(v) {
		case "keep":
			d.p.Default = geowarden.Action{Type: geowarden.ActKeep}
		case "drop":
			d.p.Default = geowarden.Action{Type: geowarden.ActDrop}
		default:
			return nil, d.errf(f.val, "default", "unknown default %q (want keep or drop)", v)
		}
	}
	if len(d.p.Rules) == 0 && !hasDefault {
		n, path := root, ""
		if f, ok := m["rules"]; ok {
			n, path = f.key, "rules"
		}
		return nil, d.errf(n, path, "no rules and no default: give rules, or a default of keep or drop")
	}
	return d.p, nil
}

func (d *decoder) zones(n *yaml.Node) error {
	items, err := d.list(n, "zones")
	if err != nil {
		return err
	}
	d.zoneIDs = make(map[string]int, len(items))
	for i, it := range items {
		path := index("zones", i)
		m, err := d.fields(it, path, "id", "file", "builtin")
		if err != nil {
			return err
		}
		z := ZoneSet{Line: it.Line}
		for _, kd := range []struct {
			key string
			dst *string
		}{{"file", &z.File}, {"builtin", &z.Builtin}} {
			if f, ok := m[kd.key]; ok {
				if *kd.dst, err = d.str(f.val, join(path, kd.key)); err != nil {
					return err
				}
				if *kd.dst == "" {
					return d.errf(f.val, join(path, kd.key), "empty string")
				}
			}
		}
		switch {
		case z.File != "" && z.Builtin != "":
			return d.errf(it, path, "give file or builtin, not both")
		case z.File == "" && z.Builtin == "":
			return d.errf(it, path, "missing file or builtin")
		}
		if f, ok := m["id"]; ok {
			if z.ID, err = d.str(f.val, join(path, "id")); err != nil {
				return err
			}
			if err := d.checkID(f.val, join(path, "id"), z.ID); err != nil {
				return err
			}
		} else if z.Builtin != "" {
			z.ID = z.Builtin
		} else if z.ID = baseID(z.File); z.ID == "" {
			return d.errf(it, path, "cannot take an id from file %q: give an id", z.File)
		}
		if line, dup := d.zoneIDs[z.ID]; dup {
			return d.errf(it, path, "zone set id %q already used at line %d", z.ID, line)
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
	items, err := d.list(n, "signals")
	if err != nil {
		return err
	}
	d.signals = make(map[string]int, len(items))
	for i, it := range items {
		path := index("signals", i)
		m, err := d.fields(it, path, "id", "description", "bands", "networks")
		if err != nil {
			return err
		}
		var c geowarden.SignalClass
		f, ok := m["id"]
		if !ok {
			return d.errf(it, path, "missing id")
		}
		if c.ID, err = d.str(f.val, join(path, "id")); err != nil {
			return err
		}
		if err := d.checkID(f.val, join(path, "id"), c.ID); err != nil {
			return err
		}
		if line, dup := d.signals[c.ID]; dup {
			return d.errf(f.val, join(path, "id"), "signal id %q already used at line %d", c.ID, line)
		}
		d.signals[c.ID] = f.val.Line
		if f, ok := m["description"]; ok {
			desc, err := d.str(f.val, join(path, "description"))
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
			items, err := d.strs(f.val, join(path, "bands"), true)
			if err != nil {
				return err
			}
			for _, it := range items {
				b, msg := parseBand(it.s)
				if msg != "" {
					return d.errf(it.n, it.path, "%s", msg)
				}
				c.Bands = append(c.Bands, b)
			}
		}
		if f, ok := m["networks"]; ok {
			items, err := d.strs(f.val, join(path, "networks"), true)
			if err != nil {
				return err
			}
			for _, it := range items {
				nw, ok := parseNetwork(it.s)
				if !ok {
					return d.errf(it.n, it.path, "%q is not a network (want MCC or MCC-MNC, such as 262 or 460-20)", it.s)
				}
				c.Networks = append(c.Networks, nw)
			}
		}
		if len(c.Bands) == 0 && len(c.Networks) == 0 {
			return d.errf(it, path, "signal %q needs bands or networks", c.ID)
		}
		d.p.Signals = append(d.p.Signals, c)
	}
	return nil
}

var ruleKeys = []string{"id", "description", "when", "action", "severity"}

func (d *decoder) rules(n *yaml.Node) error {
	items, err := d.list(n, "rules")
	if err != nil {
		return err
	}
	seen := make(map[string]int, len(items))
	catchAll := -1
	for i, it := range items {
		path := index("rules", i)
		ps, err := d.pairs(it, path)
		if err != nil {
			return err
		}
		r := Rule{Line: it.Line}
		var idNode *yaml.Node
		for _, p := range ps {
			if p.key.Value == "id" {
				idNode = p.val
			}
		}
		if idNode == nil {
			return d.errf(it, path, "missing id")
		}
		if r.ID, err = d.str(idNode, join(path, "id")); err != nil {
			return err
		}
		if err := d.checkID(idNode, join(path, "id"), r.ID); err != nil {
			return err
		}
		path = fmt.Sprintf("rule %q", r.ID)
		if line, dup := seen[r.ID]; dup {
			return d.errf(idNode, path, "id already used by the rule at line %d", line)
		}
		seen[r.ID] = it.Line
		m, err := d.known(ps, path, ruleKeys...)
		if err != nil {
			return err
		}
		if f, ok := m["description"]; ok {
			if r.Description, err = d.str(f.val, join(path, "description")); err != nil {
				return err
			}
			r.Description = strings.TrimSpace(r.Description)
		}
		if f, ok := m["when"]; ok {
			if r.When, err = d.cond(f.val, join(path, "when")); err != nil {
				return err
			}
		}
		f, ok := m["action"]
		if !ok {
			return d.errf(it, path, "missing action")
		}
		if r.Action, err = d.action(f.val, join(path, "action")); err != nil {
			return err
		}
		if r.Action.Type == geowarden.ActPseudonymise && d.p.Key.IsZero() {
			return d.errf(f.val, join(path, "action"), "pseudonymise needs a pseudonymise_key (env or file)")
		}
		if f, ok := m["severity"]; ok {
			v, err := d.str(f.val, join(path, "severity"))
			if err != nil {
				return err
			}
			if r.Severity, err = geowarden.ParseSeverity(v); err != nil {
				return d.errf(f.val, join(path, "severity"), "%v", err)
			}
		}
		if catchAll >= 0 {
			c := &d.p.Rules[catchAll]
			return d.errf(it, path, "unreachable: rule %q at line %d matches every record", c.ID, c.Line)
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
	m, err := d.fields(n, path, condKeys...)
	if err != nil {
		return c, err
	}
	for _, kd := range []struct {
		key string
		dst *[]string
	}{{"zone", &c.Zones}, {"zone_class", &c.ZoneClasses}, {"source", &c.Sources}} {
		if f, ok := m[kd.key]; ok {
			items, err := d.strs(f.val, join(path, kd.key), kd.key == "source")
			if err != nil {
				return c, err
			}
			*kd.dst = values(items)
		}
	}
	if f, ok := m["zone_set"]; ok {
		items, err := d.strs(f.val, join(path, "zone_set"), true)
		if err != nil {
			return c, err
		}
		for _, it := range items {
			if _, ok := d.zoneIDs[it.s]; !ok {
				return c, d.errf(it.n, it.path, "unknown zone set %q (%s)", it.s, defined("zone sets", d.zoneIDs))
			}
		}
		c.ZoneSets = values(items)
	}
	if f, ok := m["signal"]; ok {
		items, err := d.strs(f.val, join(path, "signal"), true)
		if err != nil {
			return c, err
		}
		for _, it := range items {
			if _, ok := d.signals[it.s]; !ok {
				return c, d.errf(it.n, it.path, "unknown signal %q (%s)", it.s, defined("signals", d.signals))
			}
		}
		c.Signals = values(items)
	}
	if f, ok := m["kind"]; ok {
		items, err := d.strs(f.val, join(path, "kind"), true)
		if err != nil {
			return c, err
		}
		for _, it := range items {
			k, err := geowarden.ParseKind(it.s)
			if err != nil {
				return c, d.errf(it.n, it.path, "%v", err)
			}
			c.Kinds |= KindSetOf(k)
		}
	}
	if f, ok := m["attr"]; ok {
		ps, err := d.pairs(f.val, join(path, "attr"))
		if err != nil {
			return c, err
		}
		if len(ps) == 0 {
			return c, d.errf(f.val, join(path, "attr"), "no attributes given")
		}
		seen := make(map[string]int, len(ps))
		for _, p := range ps {
			name := strings.ToLower(p.key.Value)
			if name == "" {
				return c, d.errf(p.key, join(path, "attr"), "empty attribute name")
			}
			if line, dup := seen[name]; dup {
				return c, d.errf(p.key, join(path, "attr"), "attribute %q given twice (first at line %d; names are case-insensitive)", p.key.Value, line)
			}
			seen[name] = p.key.Line
			items, err := d.strs(p.val, join(path, "attr."+p.key.Value), true)
			if err != nil {
				return c, err
			}
			c.Attrs = append(c.Attrs, AttrCond{Name: name, Values: values(items)})
		}
	}
	if f, ok := m["in_zone"]; ok {
		v := d.deref(f.val)
		b, err := strconv.ParseBool(v.Value)
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || err != nil {
			return c, d.expected(v, join(path, "in_zone"), "true or false")
		}
		if !b && (c.Zones != nil || c.ZoneClasses != nil || c.ZoneSets != nil) {
			return c, d.errf(v, join(path, "in_zone"), "false cannot be combined with zone, zone_class or zone_set")
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
	n = d.deref(n)
	switch {
	case n.Kind == yaml.ScalarNode && !isNull(n):
		switch v := strings.ToLower(n.Value); v {
		case "keep":
			a.Type = geowarden.ActKeep
		case "drop":
			a.Type = geowarden.ActDrop
		case "block":
			a.Type = geowarden.ActBlock
		case "coarsen":
			return a, d.errf(n, path, "coarsen needs a grid size or a time step, such as {coarsen: 100m}")
		case "strip", "pseudonymise":
			return a, d.errf(n, path, "%s needs attribute names, such as {%s: [ssid]}", v, v)
		default:
			return a, d.errf(n, path, "unknown action %q (want %s)", n.Value, actionNames)
		}
		return a, nil
	case n.Kind == yaml.MappingNode:
	default:
		return a, d.expected(n, path, "an action name or a mapping")
	}
	ps, err := d.pairs(n, path)
	if err != nil {
		return a, err
	}
	switch len(ps) {
	case 0:
		return a, d.errf(n, path, "empty action")
	case 1:
	default:
		return a, d.errf(ps[1].key, path, "one action per rule, got %d", len(ps))
	}
	k, v := ps[0].key, ps[0].val
	base := path
	path = join(path, k.Value)
	switch name := strings.ToLower(k.Value); name {
	case "coarsen":
		a.Type = geowarden.ActCoarsen
		return a, d.coarsen(&a, v, path)
	case "strip", "pseudonymise":
		a.Type = geowarden.ActStrip
		if name == "pseudonymise" {
			a.Type = geowarden.ActPseudonymise
		}
		items, err := d.strs(v, path, false)
		if err != nil {
			return a, err
		}
		a.Attrs = values(items)
		return a, nil
	case "keep", "drop", "block":
		return a, d.errf(k, path, "takes no parameters: write action: %s", name)
	}
	return a, d.errf(k, base, "unknown action %q (want %s)", k.Value, actionNames)
}

func (d *decoder) coarsen(a *geowarden.Action, n *yaml.Node, path string) error {
	if n.Kind != yaml.MappingNode && (n.Kind != yaml.ScalarNode || isNull(n)) {
		return d.expected(n, path, "a grid size or a mapping")
	}
	gridNode := n
	var timeNode *yaml.Node
	if n.Kind == yaml.MappingNode {
		m, err := d.fields(n, path, "grid", "time")
		if err != nil {
			return err
		}
		gridNode = nil
		if f, ok := m["grid"]; ok {
			gridNode = f.val
		}
		if f, ok := m["time"]; ok {
			timeNode = f.val
		}
		if gridNode == nil && timeNode == nil {
			return d.errf(n, path, "give grid, time or both")
		}
	}
	if gridNode != nil {
		gp := path
		if gridNode != n {
			gp = join(path, "grid")
		}
		s, err := d.str(gridNode, gp)
		if err != nil {
			return err
		}
		m, msg := parseDistance(s)
		if msg != "" {
			return d.errf(gridNode, gp, "%s", msg)
		}
		a.GridM = m
	}
	if timeNode != nil {
		tp := join(path, "time")
		s, err := d.str(timeNode, tp)
		if err != nil {
			return err
		}
		t, err := time.ParseDuration(strings.TrimSpace(s))
		switch {
		case err != nil:
			return d.errf(timeNode, tp, "%q is not a duration (want such as 30s, 5m or 1h)", s)
		case t < 0:
			return d.errf(timeNode, tp, "%q: time step must not be negative", s)
		}
		a.TimeStep = t
	}
	if a.GridM == 0 && a.TimeStep == 0 {
		return d.errf(n, path, "changes nothing: give a grid, or a time step above zero")
	}
	return nil
}

// literalKeys are keys that would hold the key itself.
var literalKeys = []string{"value", "key", "secret", "literal", "hex", "base64", "password"}

const literalKeyMsg = "a literal key is not allowed: the key must come from an environment variable (env: NAME) or a file (file: PATH)"

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (d *decoder) key(n *yaml.Node) error {
	const path = "pseudonymise_key"
	n = d.deref(n)
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		return d.errf(n, path, literalKeyMsg)
	}
	ps, err := d.pairs(n, path)
	if err != nil {
		return err
	}
	for _, p := range ps {
		for _, l := range literalKeys {
			if strings.EqualFold(p.key.Value, l) {
				return d.errf(p.key, path, literalKeyMsg)
			}
		}
	}
	m, err := d.known(ps, path, "env", "file")
	if err != nil {
		return err
	}
	k := KeySource{Line: n.Line}
	if f, ok := m["env"]; ok {
		if k.Env, err = d.str(f.val, path+".env"); err != nil {
			return err
		}
		if !envName.MatchString(k.Env) {
			return d.errf(f.val, path+".env", "not an environment variable name (want letters, digits and _)")
		}
	}
	if f, ok := m["file"]; ok {
		if k.File, err = d.str(f.val, path+".file"); err != nil {
			return err
		}
		if k.File == "" {
			return d.errf(f.val, path+".file", "empty string")
		}
	}
	switch {
	case k.Env != "" && k.File != "":
		return d.errf(n, path, "give env or file, not both")
	case k.IsZero():
		return d.errf(n, path, "missing env or file")
	}
	d.p.Key = k
	return nil
}

func (d *decoder) export(n *yaml.Node) error {
	if isNull(d.deref(n)) {
		return nil
	}
	m, err := d.fields(n, "export", "review_when")
	if err != nil {
		return err
	}
	f, ok := m["review_when"]
	if !ok {
		return nil
	}
	const path = "export.review_when"
	rm, err := d.fields(f.val, path, "destination", "findings_at_least")
	if err != nil {
		return err
	}
	rw := &ReviewWhen{Destination: "any", Line: d.deref(f.val).Line}
	if f, ok := rm["destination"]; ok {
		v, err := d.str(f.val, path+".destination")
		if err != nil {
			return err
		}
		switch rw.Destination = strings.ToLower(v); rw.Destination {
		case "foreign", "any":
		default:
			return d.errf(f.val, path+".destination", "unknown destination %q (want foreign or any)", v)
		}
	}
	if f, ok := rm["findings_at_least"]; ok {
		v, err := d.str(f.val, path+".findings_at_least")
		if err != nil {
			return err
		}
		if rw.FindingsAtLeast, err = geowarden.ParseSeverity(v); err != nil {
			return d.errf(f.val, path+".findings_at_least", "%v", err)
		}
	}
	d.p.Export.ReviewWhen = rw
	return nil
}
