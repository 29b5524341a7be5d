package protojson

import (
	"strings"

	"github.com/geowarden/geowarden"
)

// Fields maps role names (as geowarden.Edit Strip and Set name them, lower
// case) to the member names that hold the role in a protocol.
type Fields map[string][]string

// Named returns the members within root that name stands for: those whose
// name equals it ignoring case, and those that roles gives for it.
func (d *Doc) Named(root int, name string, roles Fields) []int {
	var out []int
	rs := roles[strings.ToLower(name)]
	var buf []byte
	for n, end := root+1, d.End(root); n < end; n++ {
		if d.Nodes[n].KeyStart < 0 {
			continue
		}
		buf = d.Key(n, buf)
		match := strings.EqualFold(string(buf), name)
		for _, r := range rs {
			match = match || string(buf) == r
		}
		if match {
			out = append(out, n)
		}
	}
	return out
}

// Attr returns the text of the first member within root that name stands
// for (Named) and that is not an object or an array.
func (d *Doc) Attr(root int, name string, roles Fields) (string, bool) {
	for _, n := range d.Named(root, name, roles) {
		if k := d.Nodes[n].Kind; k != Object && k != Array {
			return string(d.Text(n, nil)), true
		}
	}
	return "", false
}

// Texts appends to texts the positions written in the strings within root
// (AppendTexts), each with its string's path from root as its field, and
// to nodes the string node of each. Strings for which skip returns true
// are left out.
func (d *Doc) Texts(texts []geowarden.TextPos, nodes []int, root int, skip func(n int) bool) ([]geowarden.TextPos, []int) {
	var buf []byte
	for n, end := root, d.End(root); n < end; n++ {
		if d.Nodes[n].Kind != String || skip != nil && skip(n) {
			continue
		}
		buf = d.Text(n, buf)
		if !mayHoldPosition(buf) {
			continue
		}
		k := len(texts)
		if texts = AppendTexts(texts, "", buf); len(texts) == k {
			continue
		}
		path := d.PathFrom(root, n)
		for i := k; i < len(texts); i++ {
			texts[i].Field = path
			nodes = append(nodes, n)
		}
	}
	return texts, nodes
}

// Redact replaces the strings that hold the text positions idx (indexes in
// texts, whose string nodes are nodes) with the positions redacted, except
// strings already edited.
func (e *Editor) Redact(texts []geowarden.TextPos, nodes []int, idx []int) {
	spans := map[int][]Span{}
	var order []int
	for _, k := range idx {
		if k < 0 || k >= len(nodes) {
			continue
		}
		n := nodes[k]
		if _, seen := spans[n]; !seen {
			order = append(order, n)
		}
		spans[n] = append(spans[n], Span{Start: texts[k].Start, End: texts[k].End})
	}
	for _, n := range order {
		if !e.Edited(n) {
			e.Replace(n, AppendQuote(nil, Redact(e.d.Text(n, nil), spans[n])))
		}
	}
}

// Attrs removes the members within root that strip names and writes the
// values of set (as JSON strings) into the members they name, except
// members already edited or removed (Named, with roles).
func (e *Editor) Attrs(root int, strip []string, set []geowarden.Attr, roles Fields) {
	for _, name := range strip {
		for _, n := range e.d.Named(root, name, roles) {
			e.Remove(n)
		}
	}
	for _, a := range set {
		for _, n := range e.d.Named(root, a.Name, roles) {
			if !e.Edited(n) && !e.Removed(n) {
				e.Replace(n, AppendQuote(nil, []byte(a.Value)))
			}
		}
	}
}
