package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/pipeline"
	"github.com/geowarden/geowarden/policy"
	"github.com/geowarden/geowarden/suppress"
)

// sarifReporter writes a SARIF 2.1.0 log for code-scanning tools (GitHub
// code scanning and others): one run, one rule per policy rule that
// reports, one result per finding, located by a URI relative to the
// current folder and a line (or a byte offset for formats without lines).
type sarifReporter struct {
	w        *bufio.Writer
	p        *policy.Policy
	findings []sarifFinding
}

type sarifFinding struct {
	f   geowarden.Finding
	sup *suppress.Entry // nil unless suppressed
}

// Interface guard.
var _ suppressedReporter = (*sarifReporter)(nil)

func (r *sarifReporter) Finding(f *geowarden.Finding) error {
	r.findings = append(r.findings, sarifFinding{f: *f})
	return nil
}

func (r *sarifReporter) Suppressed(f *geowarden.Finding, e *suppress.Entry) error {
	r.findings = append(r.findings, sarifFinding{f: *f, sup: e})
	return nil
}

// The parts of SARIF 2.1.0 that geowarden writes.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool               sarifTool                        `json:"tool"`
		Invocations        []sarifInvocation                `json:"invocations"`
		OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
		Results            []sarifResult                    `json:"results"`
		Properties         map[string]any                   `json:"properties,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifMessage struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifRule struct {
		ID                   string             `json:"id"`
		Name                 string             `json:"name"`
		ShortDescription     sarifMessage       `json:"shortDescription"`
		FullDescription      sarifMessage       `json:"fullDescription"`
		Help                 sarifMessage       `json:"help"`
		DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
		Properties           sarifRuleProps     `json:"properties"`
	}
	sarifConfiguration struct {
		Level string `json:"level"`
	}
	sarifRuleProps struct {
		Tags []string `json:"tags"`
		// SecuritySeverity is GitHub's score (0.0 to 10.0) that ranks an
		// alert as low, medium, high or critical.
		SecuritySeverity string `json:"security-severity,omitempty"`
		Severity         string `json:"geowarden-severity"`
		Action           string `json:"geowarden-action"`
	}
	sarifResult struct {
		RuleID              string             `json:"ruleId"`
		RuleIndex           int                `json:"ruleIndex"`
		Level               string             `json:"level"`
		Message             sarifMessage       `json:"message"`
		Locations           []sarifLocation    `json:"locations"`
		PartialFingerprints map[string]string  `json:"partialFingerprints"`
		Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
		Properties          sarifResultProps   `json:"properties"`
	}
	sarifResultProps struct {
		Severity string   `json:"severity"`
		Action   string   `json:"action"`
		Kind     string   `json:"kind"`
		Zones    []string `json:"zones,omitempty"`
		Signals  []string `json:"signals,omitempty"`
		Lat      *float64 `json:"lat,omitempty"`
		Lon      *float64 `json:"lon,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           *sarifRegion          `json:"region,omitempty"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine  int    `json:"startLine,omitempty"`
		ByteOffset *int64 `json:"byteOffset,omitempty"`
	}
	sarifSuppression struct {
		Kind          string         `json:"kind"`
		Status        string         `json:"status"`
		Justification string         `json:"justification,omitempty"`
		Location      *sarifLocation `json:"location,omitempty"`
	}
	sarifInvocation struct {
		ExecutionSuccessful            bool                `json:"executionSuccessful"`
		ExitCode                       int                 `json:"exitCode"`
		ToolExecutionNotifications     []sarifNotification `json:"toolExecutionNotifications,omitempty"`
		ToolConfigurationNotifications []sarifNotification `json:"toolConfigurationNotifications,omitempty"`
	}
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
)

// srcRoot is the uriBaseId of artifact URIs relative to the folder
// geowarden ran in (the repository root, in CI).
const srcRoot = "%SRCROOT%"

func sarifLevel(s geowarden.Severity) string {
	switch {
	case s >= geowarden.SeverityHigh:
		return "error"
	case s == geowarden.SeverityMedium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub's score for a severity: over 9.0 critical,
// 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to 3.9 low; none for info.
func securitySeverity(s geowarden.Severity) string {
	switch s {
	case geowarden.SeverityCritical:
		return "9.5"
	case geowarden.SeverityHigh:
		return "8.0"
	case geowarden.SeverityMedium:
		return "5.5"
	case geowarden.SeverityLow:
		return "3.0"
	}
	return ""
}

// ruleName turns a rule id into the PascalCase name SARIF viewers show:
// rail-signal becomes RailSignal.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	if b.Len() == 0 {
		return "Rule"
	}
	return b.String()
}

// sarifRuleOf describes a policy rule.
func sarifRuleOf(id, desc, action string, sev geowarden.Severity) sarifRule {
	short := desc
	if short == "" {
		short = fmt.Sprintf("Records that match policy rule %s.", id)
	}
	full := fmt.Sprintf("%s. Action: %s. Severity: %s.", strings.TrimSuffix(short, "."), action, sev)
	const fix = "Run `geowarden sanitize` with the same policy to write a copy without these records, " +
		"or accept a finding by adding its fingerprint to `.geowardenignore` with a reason and an expiry date."
	return sarifRule{
		ID:                   id,
		Name:                 ruleName(id),
		ShortDescription:     sarifMessage{Text: short},
		FullDescription:      sarifMessage{Text: full},
		Help:                 sarifMessage{Text: full + " " + fix, Markdown: fmt.Sprintf("%s\n\n**Action:** `%s` · **Severity:** %s\n\n%s", short, action, sev, fix)},
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(sev)},
		Properties: sarifRuleProps{
			Tags:             []string{"security", "privacy", "location-data"},
			SecuritySeverity: securitySeverity(sev),
			Severity:         sev.String(),
			Action:           action,
		},
	}
}

// sarifArtifact locates a file: relative to the current folder (uriBaseId
// %SRCROOT%) when it lies below it, an absolute file URI otherwise.
func sarifArtifact(path, cwd string) sarifArtifactLocation {
	if path == pipeline.Stdin {
		return sarifArtifactLocation{URI: "stdin"}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return sarifArtifactLocation{URI: (&url.URL{Path: filepath.ToSlash(path)}).String()}
	}
	if cwd != "" {
		if rel, err := filepath.Rel(cwd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return sarifArtifactLocation{URI: (&url.URL{Path: filepath.ToSlash(rel)}).String(), URIBaseID: srcRoot}
		}
	}
	return sarifArtifactLocation{URI: fileURI(abs, false)}
}

// fileURI is the file: URI of an absolute path; dir adds the trailing
// slash a base URI needs.
func fileURI(abs string, dir bool) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/x
	}
	if dir && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

func sarifFindingLocation(f *geowarden.Finding, cwd string) sarifLocation {
	reg := &sarifRegion{}
	if f.Line > 0 {
		reg.StartLine = f.Line
	} else {
		off := f.Offset
		reg.ByteOffset = &off
	}
	return sarifLocation{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: sarifArtifact(f.File, cwd), Region: reg}}
}

func sarifEntryLocation(e *suppress.Entry, cwd string) *sarifLocation {
	loc := &sarifLocation{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: sarifArtifact(e.File, cwd)}}
	if e.Line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: e.Line}
	}
	return loc
}

func sarifText(f *geowarden.Finding) string {
	text := fmt.Sprintf("%s record %s by rule %s", f.Kind, actionPast(f.Action), f.Rule)
	if len(f.Zones) > 0 {
		text += " (in zone " + strings.Join(f.Zones, ", ") + ")"
	}
	if len(f.Signals) > 0 {
		text += " (signal class " + strings.Join(f.Signals, ", ") + ")"
	}
	if f.Lat != nil && f.Lon != nil {
		text += fmt.Sprintf(" at %.5f,%.5f", *f.Lat, *f.Lon)
	}
	text += "."
	if f.Detail != "" {
		text += " " + f.Detail
	}
	return text
}

func (r *sarifReporter) Close(s *summary) error {
	cwd, _ := os.Getwd()
	var rules []sarifRule
	ruleIndex := map[string]int{}
	for _, pr := range r.p.Rules {
		if pr.Severity == geowarden.SeverityNone {
			continue // transforms records, reports nothing
		}
		ruleIndex[pr.ID] = len(rules)
		rules = append(rules, sarifRuleOf(pr.ID, pr.Description, pr.Action.Type.String(), pr.Severity))
	}
	results := make([]sarifResult, 0, len(r.findings))
	for i := range r.findings {
		f, sup := &r.findings[i].f, r.findings[i].sup
		ri, ok := ruleIndex[f.Rule]
		if !ok {
			// A rule outside the policy's list: a reader's notice.
			ri = len(rules)
			ruleIndex[f.Rule] = ri
			rules = append(rules, sarifRuleOf(f.Rule, "Notices of the "+strings.TrimPrefix(f.Rule, "notice:")+" kind from the reader of an input.", f.Action, f.Severity))
		}
		res := sarifResult{
			RuleID:              f.Rule,
			RuleIndex:           ri,
			Level:               sarifLevel(f.Severity),
			Message:             sarifMessage{Text: sarifText(f)},
			Locations:           []sarifLocation{sarifFindingLocation(f, cwd)},
			PartialFingerprints: map[string]string{suppress.SARIFFingerprintKey: f.Fingerprint},
			Properties: sarifResultProps{
				Severity: f.Severity.String(), Action: f.Action, Kind: f.Kind,
				Zones: f.Zones, Signals: f.Signals, Lat: f.Lat, Lon: f.Lon,
			},
		}
		if sup != nil {
			res.Suppressions = []sarifSuppression{{
				Kind:          "external",
				Status:        "accepted",
				Justification: suppressionText(sup),
				Location:      sarifEntryLocation(sup, cwd),
			}}
		}
		results = append(results, res)
	}
	if rules == nil {
		rules = []sarifRule{}
	}
	inv := sarifInvocation{ExecutionSuccessful: s.exitCode != ExitError, ExitCode: s.exitCode}
	for _, e := range s.Errors {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{Level: "error", Message: sarifMessage{Text: e}})
	}
	for _, e := range s.Stats.BadErrors {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{Level: "warning", Message: sarifMessage{Text: "skipped bad record: " + e}})
	}
	for _, sk := range s.Skipped {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:     "note",
			Message:   sarifMessage{Text: fmt.Sprintf("skipped %s: %s", sk.Path, sk.Reason)},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{ArtifactLocation: sarifArtifact(sk.Path, cwd)}}},
		})
	}
	if sp := s.Suppressed; sp != nil {
		for _, x := range sp.Expired {
			inv.ToolConfigurationNotifications = append(inv.ToolConfigurationNotifications, sarifNotification{
				Level:     "warning",
				Message:   sarifMessage{Text: x.message()},
				Locations: []sarifLocation{*sarifEntryLocation(x.entry, cwd)},
			})
		}
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "geowarden",
			Version:        Version,
			InformationURI: "https://github.com/geowarden/geowarden",
			Rules:          rules,
		}},
		Invocations: []sarifInvocation{inv},
		Results:     results,
	}
	props := map[string]any{
		"policy":          s.Policy,
		"policy_revision": s.Revision,
		"files":           s.Files,
		"records":         s.Stats.Records,
		"findings":        s.reported(),
	}
	if s.Suppressed != nil {
		props["suppressed"] = s.Suppressed
	}
	run.Properties = map[string]any{"geowarden": props}
	if cwd != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{srcRoot: {URI: fileURI(cwd, true)}}
	}
	enc := json.NewEncoder(r.w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	}); err != nil {
		return err
	}
	return r.w.Flush()
}
