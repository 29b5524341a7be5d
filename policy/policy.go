package policy

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/internal/policyfile"
	"go.yaml.in/yaml/v3"
)

// Policy is a parsed policy. Build one with [Parse], [Load] or [Default];
// after that it is read-only, except for [Policy.AddZoneSet], and safe for
// concurrent use by [Policy.Decide].
type Policy struct {
	// Name is the name given to Parse: the path for Load, "default" for
	// the built-in policy. It is used in error messages and reports.
	Name string
	// Revision is the hex SHA-256 of the policy's source bytes. AddZoneSet
	// folds its arguments in, so that the revision always identifies the
	// rules in effect.
	Revision string
	// Zones are the zone sets the policy refers to, in file order. The
	// caller loads them; the policy only names them.
	Zones []ZoneSet
	// Signals are the protected signal classes, in file order.
	Signals []geowarden.SignalClass
	// SignalDescriptions maps a signal class id to its description, for
	// classes that have one.
	SignalDescriptions map[string]string
	// Rules are read top to bottom; the first one whose conditions hold
	// decides.
	Rules []Rule
	// Default is the action for records no rule matches: keep or drop.
	Default geowarden.Action
	// Export is the export section as written, nil when the policy has
	// none. The policy does not read it: package review decodes it
	// (review.DecodeConfig), so a policy that loads may still have an
	// export section in error.
	Export *yaml.Node
	// DropBinary says that binary data found between the records of a
	// text input (u-blox, SiRF or RTCM frames in an NMEA log), whose
	// positions geowarden cannot read, is removed from sanitized outputs:
	// "binary: drop", the default. "binary: keep" lets it pass.
	DropBinary bool
	// Text says what happens to a position written in free text (a
	// description, a note, an unknown column) that the policy would drop
	// or block where it lies: "text: redact" (the default) removes the
	// text of the position and keeps the record, "refuse" refuses the
	// whole input, "keep" lets it pass and reports it.
	Text geowarden.TextMode
	// KeepUnreadable says that sentences or elements a codec cannot read
	// but that may hold a position (a proprietary NMEA sentence of unknown
	// layout, a corrupt AIS payload) pass into sanitized outputs:
	// "unreadable: keep". The default, "unreadable: drop", removes them.
	KeepUnreadable bool
	// Detect is the detect section as written, nil when the policy has
	// none. The policy does not read it: package detect decodes it
	// (detect.DecodeConfig), so a policy that loads may still have a
	// detect section in error.
	Detect *yaml.Node
	// Key says where the pseudonymisation key comes from. It is set when a
	// rule pseudonymises (and may be set otherwise).
	Key KeySource
	// Dir is the folder relative paths are resolved against: the folder
	// of the policy file for Load, "" for Parse and Default.
	Dir string
}

// ZoneSet names a set of protected zones: a file for the caller to load,
// or a set built into geowarden. Exactly one of File and Builtin is set.
type ZoneSet struct {
	// ID is the zone set's id, referred to by the zone_set condition. It
	// defaults to the file's base name without its extension, or to the
	// builtin's name.
	ID string
	// File is the zone file's path. Load joins a relative path to the
	// policy's folder; Parse keeps it as written.
	File string
	// Builtin is the name of a zone set built into geowarden. The policy
	// does not check it: the caller does.
	Builtin string
	// Line is the line of the entry in the policy file (0 when added by
	// AddZoneSet).
	Line int
}

// Rule is one policy rule. Decide matches its When conditions against a
// classified record; ID, Description, Severity and Action are what
// reports show about it.
type Rule struct {
	ID          string
	Description string // one line of help text; may be empty
	When        Cond
	Action      geowarden.Action
	Severity    geowarden.Severity
	Line        int // line of the rule in the policy file; 0 when added by AddZoneSet
}

// Error is a policy error with its position. Line is 0 when unknown. The
// errors of a section another package decodes (detect, export) are of
// this type too.
type Error = policyfile.Error

// maxSize caps the size of a policy file.
const maxSize = 1 << 20

// Parse parses and validates a policy. name is used in error messages and
// as the policy's Name; zone files are kept as written and Dir is empty.
// Errors are of type *Error and carry the line they are about.
func Parse(name string, data []byte) (*Policy, error) {
	if len(data) > maxSize {
		return nil, &Error{File: name, Msg: fmt.Sprintf("policy too large (%d bytes; at most %d)", len(data), maxSize)}
	}
	d := &decoder{Decoder: policyfile.Decoder{Name: name}}
	p, err := d.parse(data)
	if err != nil {
		return nil, err
	}
	p.Name = name
	sum := sha256.Sum256(data)
	p.Revision = hex.EncodeToString(sum[:])
	return p, nil
}

// Load reads and parses the policy file at path. Dir is set to the file's
// folder and relative zone files are joined to it.
func Load(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	p, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	p.Dir = filepath.Dir(path)
	for i := range p.Zones {
		if z := &p.Zones[i]; z.File != "" {
			z.File = resolve(p.Dir, z.File)
		}
	}
	return p, nil
}

// resolve joins a relative path written in a policy to dir.
func resolve(dir, path string) string {
	path = filepath.FromSlash(path)
	if filepath.IsAbs(path) || dir == "" {
		return path
	}
	return filepath.Join(dir, path)
}

//go:embed default.yml
var defaultSource []byte

// Default returns a new copy of the built-in default policy (default.yml
// in this package), named "default".
func Default() *Policy {
	p, err := Parse("default.yml", defaultSource)
	if err != nil {
		panic("policy: built-in default policy: " + err.Error())
	}
	p.Name = "default"
	return p
}

// DefaultSource returns the YAML source of the built-in default policy, a
// starting point for writing one's own.
func DefaultSource() []byte {
	return slices.Clone(defaultSource)
}

// AddZoneSet appends the zone set file under id and puts a rule in front
// of all others that drops, with severity high, every record inside one
// of its zones:
//
//	{id: zones-<id>, when: {zone_set: <id>}, action: drop, severity: high}
//
// The CLI's --zones flag uses it. id must not already name a zone set of
// the policy (see [Policy.ZoneSet]). file is kept as given.
func (p *Policy) AddZoneSet(id, file string) {
	p.Zones = append(p.Zones, ZoneSet{ID: id, File: file})
	p.Rules = slices.Insert(p.Rules, 0, Rule{
		ID:          "zones-" + id,
		Description: "record inside a zone of " + file,
		When:        Cond{ZoneSets: []string{id}},
		Action:      geowarden.Action{Type: geowarden.ActDrop},
		Severity:    geowarden.SeverityHigh,
	})
	sum := sha256.Sum256([]byte(p.Revision + "\x00zones\x00" + id + "\x00" + file))
	p.Revision = hex.EncodeToString(sum[:])
}

// ZoneSet returns the zone set with the given id.
func (p *Policy) ZoneSet(id string) (ZoneSet, bool) {
	for _, z := range p.Zones {
		if z.ID == id {
			return z, true
		}
	}
	return ZoneSet{}, false
}

// Rule returns the rule with the given id, or nil. Reports use it to find
// the description of the rule named in a Decision.
func (p *Policy) Rule(id string) *Rule {
	for i := range p.Rules {
		if p.Rules[i].ID == id {
			return &p.Rules[i]
		}
	}
	return nil
}

// Uses reports whether a rule or the default has an action of type t:
// Uses(ActBlock) tells whether a whole input may be refused,
// Uses(ActPseudonymise) whether the key must be loaded.
func (p *Policy) Uses(t geowarden.ActionType) bool {
	if p.Default.Type == t {
		return true
	}
	for i := range p.Rules {
		if p.Rules[i].Action.Type == t {
			return true
		}
	}
	return false
}
