package policy

import (
	"slices"
	"strings"

	"github.com/geowarden/geowarden"
)

// Cond is a rule's when-clause. Every condition that is set must hold
// (AND); a condition with several values holds when any of them does
// (OR). The zero Cond holds for every record.
type Cond struct {
	// Zones, ZoneClasses and ZoneSets are zone ids, zone classes and zone
	// set ids. Those that are set must hold for the same zone hit.
	Zones       []string
	ZoneClasses []string
	ZoneSets    []string
	// InZone, when set, requires the record to be in some zone (true) or
	// in none (false).
	InZone *bool
	// Kinds are the record kinds; the empty set means any kind.
	Kinds KindSet
	// Signals are ids of signal classes, one of which the record must
	// belong to.
	Signals []string
	// Attrs are raw attribute conditions; all must hold.
	Attrs []AttrCond
	// Sources are record sources.
	Sources []string
}

// AttrCond requires the raw attribute Name (matched case-insensitively;
// Parse lowercases it) to be present with one of Values (matched exactly).
type AttrCond struct {
	Name   string
	Values []string
}

// IsZero reports whether the condition holds for every record.
func (c *Cond) IsZero() bool {
	return len(c.Zones) == 0 && len(c.ZoneClasses) == 0 && len(c.ZoneSets) == 0 &&
		c.InZone == nil && c.Kinds == 0 && len(c.Signals) == 0 && len(c.Attrs) == 0 &&
		len(c.Sources) == 0
}

// Match reports whether the condition holds for x. A condition on the
// record itself (kind, source, attr) does not hold when x.Rec is nil.
// Match does not allocate (unless x.Rec.Attrs does).
func (c *Cond) Match(x *geowarden.Classified) bool {
	r := x.Rec
	if c.Kinds != 0 && (r == nil || !c.Kinds.Has(r.Kind)) {
		return false
	}
	if c.InZone != nil && *c.InZone != (len(x.Zones) > 0) {
		return false
	}
	if (len(c.Zones) > 0 || len(c.ZoneClasses) > 0 || len(c.ZoneSets) > 0) && !c.matchHit(x.Zones) {
		return false
	}
	if len(c.Signals) > 0 && !c.matchSignal(x.Signals) {
		return false
	}
	if len(c.Sources) > 0 && (r == nil || !slices.Contains(c.Sources, r.Source)) {
		return false
	}
	for i := range c.Attrs {
		a := &c.Attrs[i]
		if r == nil || r.Attrs == nil {
			return false
		}
		v, ok := r.Attrs.Attr(a.Name)
		if !ok || !slices.Contains(a.Values, v) {
			return false
		}
	}
	return true
}

// matchHit reports whether one zone hit satisfies all zone conditions.
func (c *Cond) matchHit(hits []geowarden.ZoneHit) bool {
	for i := range hits {
		h := &hits[i]
		if (len(c.Zones) == 0 || slices.Contains(c.Zones, h.ID)) &&
			(len(c.ZoneClasses) == 0 || slices.Contains(c.ZoneClasses, h.Class)) &&
			(len(c.ZoneSets) == 0 || slices.Contains(c.ZoneSets, h.Set)) {
			return true
		}
	}
	return false
}

func (c *Cond) matchSignal(ids []string) bool {
	for _, id := range ids {
		if slices.Contains(c.Signals, id) {
			return true
		}
	}
	return false
}

// Decide returns the decision of the first rule whose conditions hold for
// c, or the policy default (Rule "", Severity none) when none does. It
// does not allocate. The returned Action shares its Attrs with the rule:
// callers must not modify it.
func (p *Policy) Decide(c *geowarden.Classified) geowarden.Decision {
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.When.Match(c) {
			return geowarden.Decision{Rule: r.ID, Action: r.Action, Severity: r.Severity}
		}
	}
	return geowarden.Decision{Action: p.Default}
}

// KindSet is a set of record kinds, one bit per kind.
type KindSet uint32

// KindSetOf returns the set of the given kinds.
func KindSetOf(kinds ...geowarden.Kind) KindSet {
	var s KindSet
	for _, k := range kinds {
		if k < 32 {
			s |= 1 << k
		}
	}
	return s
}

// Has reports whether k is in the set.
func (s KindSet) Has(k geowarden.Kind) bool {
	return k < 32 && s&(1<<k) != 0
}

// Kinds returns the kinds in the set, lowest first.
func (s KindSet) Kinds() []geowarden.Kind {
	var ks []geowarden.Kind
	for k := geowarden.Kind(0); k < 32; k++ {
		if s.Has(k) {
			ks = append(ks, k)
		}
	}
	return ks
}

// String returns the kind names separated by commas, as in "cell,wifi".
func (s KindSet) String() string {
	var b strings.Builder
	for _, k := range s.Kinds() {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k.String())
	}
	return b.String()
}
