// Package policyfile walks the YAML of a policy file strictly: only known
// keys, no key twice, the kind of value each key takes, a cap on the nodes
// visited after expanding aliases, and errors that carry the file and
// line. Package policy decodes the file with it; a stage that owns a
// section of the policy (detect, its detect section) decodes that section
// with it, so that every error about a policy file reads the same.
package policyfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxNodes caps the YAML nodes a Decoder visits, counting each use of an
// alias again, so that aliases cannot blow a small file up.
const MaxNodes = 1_000_000

// Error is an error in a policy file (or another file decoded the same
// way), with its position. Line is 0 when unknown.
type Error struct {
	// Kind is what the file is, the prefix of the message: "" means
	// "policy".
	Kind string
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	kind := e.Kind
	if kind == "" {
		kind = "policy"
	}
	where := e.File
	if e.Line > 0 {
		if where == "" {
			where = "line " + strconv.Itoa(e.Line)
		} else {
			where += ":" + strconv.Itoa(e.Line)
		}
	}
	if where == "" {
		return kind + ": " + e.Msg
	}
	return kind + ": " + where + ": " + e.Msg
}

// Decoder walks the nodes of one policy file. Paths in error messages are
// dotted ("signals[0].bands[1]"), or follow `rule "x": ` inside a rule
// (see Join). A Decoder is not safe for concurrent use.
type Decoder struct {
	// Name is the file's name in errors: the path of a loaded policy.
	Name string
	// Kind is what the file is, in errors: "" means "policy"; the
	// gateway's configuration says "config".
	Kind  string
	nodes int
}

// kind returns what the file is called in messages.
func (d *Decoder) kind() string {
	if d.Kind == "" {
		return "policy"
	}
	return d.Kind
}

// Err returns an *Error with no line.
func (d *Decoder) Err(msg string) error {
	return &Error{Kind: d.Kind, File: d.Name, Msg: msg}
}

var yamlLine = regexp.MustCompile(`(?s)^yaml: line (\d+): (.*)$`)

// yamlError turns an error of the YAML parser into an *Error.
func (d *Decoder) yamlError(err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{Kind: d.Kind, File: d.Name, Line: line, Msg: m[2]}
	}
	return d.Err(strings.TrimPrefix(msg, "yaml: "))
}

// Document parses data, which must hold one YAML document that is not
// empty, into the document's root node, aliases resolved.
func (d *Decoder) Document(data []byte) (*yaml.Node, error) {
	empty := d.kind() + " is empty"
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, d.Err(empty)
		}
		return nil, d.yamlError(err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, d.Errf(&next, "", "more than one YAML document: a %s is one document", d.kind())
	case !errors.Is(err, io.EOF):
		return nil, d.yamlError(err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, d.Err(empty)
		}
		root = root.Content[0]
	}
	root = d.Deref(root)
	if IsNull(root) {
		return nil, d.Err(empty)
	}
	return root, nil
}

// Pair is one key and value of a mapping, aliases resolved.
type Pair struct {
	Key, Val *yaml.Node
}

// Item is one string of a string-or-list value, with its node and path.
type Item struct {
	S    string
	N    *yaml.Node
	Path string
}

// Errf returns an *Error at n's line (0 when n is nil), its message
// prefixed with path.
func (d *Decoder) Errf(n *yaml.Node, path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{Kind: d.Kind, File: d.Name, Line: line, Msg: msg}
}

// Join appends key to path: with a dot, or with ": " after a rule's
// `rule "id"`.
func Join(path, key string) string {
	switch {
	case path == "":
		return key
	case strings.HasSuffix(path, `"`):
		return path + ": " + key
	}
	return path + "." + key
}

// Index appends a list index to path.
func Index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// Deref follows aliases (at most 100) to the node they name.
func (d *Decoder) Deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// Count charges k visited nodes against MaxNodes.
func (d *Decoder) Count(n *yaml.Node, k int) error {
	d.nodes += k
	if d.nodes > MaxNodes {
		return d.Errf(n, "", "policy too complex: more than %d YAML nodes after expanding aliases", MaxNodes)
	}
	return nil
}

// IsNull reports whether n is null: "~", "null" or nothing at all.
func IsNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// Describe names the type of a node for "expected ..., got ..." errors.
func Describe(n *yaml.Node) string {
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

// Expected reports that n is not what was wanted: a missing value when
// it is null, else "expected what, got" its type.
func (d *Decoder) Expected(n *yaml.Node, path, what string) error {
	if IsNull(n) {
		return d.Errf(n, path, "missing value")
	}
	return d.Errf(n, path, "expected %s, got %s", what, Describe(n))
}

// Pairs returns the pairs of a mapping, in order; keys must be distinct
// strings.
func (d *Decoder) Pairs(n *yaml.Node, path string) ([]Pair, error) {
	n = d.Deref(n)
	if n.Kind != yaml.MappingNode {
		return nil, d.Expected(n, path, "a mapping")
	}
	if err := d.Count(n, len(n.Content)/2); err != nil {
		return nil, err
	}
	ps := make([]Pair, 0, len(n.Content)/2)
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := d.Deref(n.Content[i]), d.Deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || IsNull(k) {
			return nil, d.Errf(k, path, "keys must be strings, got %s", Describe(k))
		}
		if line, dup := seen[k.Value]; dup {
			return nil, d.Errf(k, path, "key %q given twice (first at line %d)", k.Value, line)
		}
		seen[k.Value] = k.Line
		ps = append(ps, Pair{k, v})
	}
	return ps, nil
}

// Known checks that every key is one of allowed and returns the pairs by
// key.
func (d *Decoder) Known(ps []Pair, path string, allowed ...string) (map[string]Pair, error) {
	m := make(map[string]Pair, len(ps))
	for _, p := range ps {
		ok := false
		for _, a := range allowed {
			if p.Key.Value == a {
				ok = true
				break
			}
		}
		if !ok {
			return nil, d.Errf(p.Key, path, "unknown key %q", p.Key.Value)
		}
		m[p.Key.Value] = p
	}
	return m, nil
}

// Fields is Pairs followed by Known.
func (d *Decoder) Fields(n *yaml.Node, path string, allowed ...string) (map[string]Pair, error) {
	ps, err := d.Pairs(n, path)
	if err != nil {
		return nil, err
	}
	return d.Known(ps, path, allowed...)
}

// List returns the items of a sequence; null is the empty list.
func (d *Decoder) List(n *yaml.Node, path string) ([]*yaml.Node, error) {
	n = d.Deref(n)
	if IsNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, d.Expected(n, path, "a list")
	}
	if err := d.Count(n, len(n.Content)); err != nil {
		return nil, err
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, it := range n.Content {
		items[i] = d.Deref(it)
	}
	return items, nil
}

// Str returns the text of a scalar other than null.
func (d *Decoder) Str(n *yaml.Node, path string) (string, error) {
	n = d.Deref(n)
	if n.Kind != yaml.ScalarNode || IsNull(n) {
		return "", d.Expected(n, path, "a string")
	}
	return n.Value, nil
}

// Strs reads a string or a non-empty list of strings. Unless allowEmpty,
// the strings must not be empty.
func (d *Decoder) Strs(n *yaml.Node, path string, allowEmpty bool) ([]Item, error) {
	n = d.Deref(n)
	var items []Item
	switch {
	case n.Kind == yaml.ScalarNode && !IsNull(n):
		items = []Item{{n.Value, n, path}}
	case n.Kind == yaml.SequenceNode:
		if len(n.Content) == 0 {
			return nil, d.Errf(n, path, "empty list")
		}
		if err := d.Count(n, len(n.Content)); err != nil {
			return nil, err
		}
		for i, c := range n.Content {
			c = d.Deref(c)
			ip := Index(path, i)
			if c.Kind != yaml.ScalarNode || IsNull(c) {
				return nil, d.Expected(c, ip, "a string")
			}
			items = append(items, Item{c.Value, c, ip})
		}
	default:
		return nil, d.Expected(n, path, "a string or a list of strings")
	}
	if !allowEmpty {
		for _, it := range items {
			if it.S == "" {
				return nil, d.Errf(it.N, it.Path, "empty string")
			}
		}
	}
	return items, nil
}

// Values returns the strings of items.
func Values(items []Item) []string {
	s := make([]string, len(items))
	for i, it := range items {
		s[i] = it.S
	}
	return s
}
