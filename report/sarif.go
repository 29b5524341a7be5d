package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/suppress"
)

var sarifFormat = format{name: "sarif", findings: newSARIF}

// Interface guard.
var _ Reporter = (*sarifReporter)(nil)

// sarifReporter writes a SARIF 2.1.0 log for code-scanning tools (GitHub
// code scanning and others): one run, one rule per policy rule that
// reports, one result per finding, located by a URI relative to the
// current folder and a line (or a byte offset for formats without lines).
//
// SARIF puts the rules and the invocation (errors, skipped inputs) before
// the results, and both are complete only at the end: each result is
// encoded when its finding comes and spooled, in memory up to spoolMemory
// bytes and in a temporary file beyond, until Close.
type sarifReporter struct {
	w         *bufio.Writer
	version   string
	cwd       string
	rules     []sarifRule
	ruleIndex map[string]int
	results   spool
	n         int
}

func newSARIF(w *bufio.Writer, o *Options) (Reporter, error) {
	r := &sarifReporter{w: w, version: o.Version, cwd: o.Dir, ruleIndex: map[string]int{}}
	if r.cwd == "" {
		r.cwd, _ = os.Getwd()
	}
	for _, pr := range o.Rules {
		if pr.Severity == geowarden.SeverityNone {
			continue // transforms records, reports nothing
		}
		r.ruleIndex[pr.ID] = len(r.rules)
		r.rules = append(r.rules, sarifRuleOf(pr.ID, pr.Description, pr.Action, pr.Severity))
	}
	return r, nil
}

func (r *sarifReporter) Finding(f *geowarden.Finding) error { return r.Suppressed(f, nil) }

// resultPrefix starts the lines of a result: four levels deep.
const resultPrefix = "        "

func (r *sarifReporter) Suppressed(f *geowarden.Finding, sup *suppress.Entry) error {
	ri, ok := r.ruleIndex[f.Rule]
	if !ok {
		// A rule outside the policy's list: a reader's notice.
		ri = len(r.rules)
		r.ruleIndex[f.Rule] = ri
		r.rules = append(r.rules, sarifRuleOf(f.Rule, "Notices of the "+strings.TrimPrefix(f.Rule, "notice:")+" kind from the reader of an input.", f.Action, f.Severity))
	}
	res := sarifResult{
		RuleID:              f.Rule,
		RuleIndex:           ri,
		Level:               sarifLevel(f.Severity),
		Message:             sarifMessage{Text: sarifText(f)},
		Locations:           []sarifLocation{sarifFindingLocation(f, r.cwd)},
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
			Location:      sarifEntryLocation(sup, r.cwd),
		}}
	}
	b, err := json.MarshalIndent(&res, resultPrefix, "  ")
	if err != nil {
		return err
	}
	if r.n > 0 {
		if _, err := r.results.WriteString(",\n" + resultPrefix); err != nil {
			return err
		}
	}
	r.n++
	_, err = r.results.Write(b)
	return err
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
// geowarden ran in (the repository root, in CI), or Options.Dir.
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

// sarifArtifact locates a file: relative to the folder cwd (uriBaseId
// %SRCROOT%) when it lies below it, an absolute file URI otherwise. A
// relative path is relative to cwd; "-" is standard input.
func sarifArtifact(path, cwd string) sarifArtifactLocation {
	if path == "-" {
		return sarifArtifactLocation{URI: "stdin"}
	}
	if !filepath.IsAbs(path) && filepath.IsAbs(cwd) {
		path = filepath.Join(cwd, path)
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

// resultsKey is where the results of the run start in a log marshalled
// with no results; Close writes the spooled results there.
const resultsKey = "\n      \"results\": []"

func (r *sarifReporter) Close(s *Summary) error {
	defer r.results.Close()
	cwd := r.cwd
	rules := r.rules
	if rules == nil {
		rules = []sarifRule{}
	}
	inv := sarifInvocation{ExecutionSuccessful: s.ExitCode < 2, ExitCode: s.ExitCode}
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
				Message:   sarifMessage{Text: x.Message()},
				Locations: []sarifLocation{*sarifEntryLocation(x.Entry, cwd)},
			})
		}
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "geowarden",
			Version:        r.version,
			InformationURI: "https://github.com/geowarden/geowarden",
			Rules:          rules,
		}},
		Invocations: []sarifInvocation{inv},
		Results:     []sarifResult{},
	}
	props := map[string]any{
		"policy":          s.Policy,
		"policy_revision": s.Revision,
		"files":           s.Files,
		"records":         s.Stats.Records,
		"findings":        s.Reported(),
	}
	if s.Suppressed != nil {
		props["suppressed"] = s.Suppressed
	}
	run.Properties = map[string]any{"geowarden": props}
	if cwd != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{srcRoot: {URI: fileURI(cwd, true)}}
	}
	b, err := json.MarshalIndent(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	}, "", "  ")
	if err != nil {
		return err
	}
	// The key is the first of its kind: strings before it have their
	// quotes escaped.
	i := bytes.Index(b, []byte(resultsKey))
	if i < 0 {
		return fmt.Errorf("report: sarif: no results in the log")
	}
	i += len(resultsKey) - 1 // at the closing bracket
	r.w.Write(b[:i])
	if r.n > 0 {
		r.w.WriteString("\n" + resultPrefix)
		if err := r.results.writeTo(r.w); err != nil {
			return err
		}
		r.w.WriteString("\n      ")
	}
	r.w.Write(b[i:])
	r.w.WriteByte('\n')
	return r.w.Flush()
}

func actionPast(a string) string {
	switch a {
	case "drop":
		return "to be dropped"
	case "block":
		return "blocks its input"
	case "cut":
		return "to be cut"
	}
	return "to " + a
}

// spoolMemory is how many bytes of encoded results a SARIF report keeps
// in memory before it spools them to a temporary file. Tests lower it.
var spoolMemory = 4 << 20

// spool keeps bytes in memory up to spoolMemory, and in a temporary file
// beyond.
type spool struct {
	mem      bytes.Buffer
	file     *os.File
	fw       *bufio.Writer
	unlinked bool
}

func (s *spool) Write(p []byte) (int, error) {
	if s.fw == nil && s.mem.Len()+len(p) > spoolMemory {
		f, err := os.CreateTemp("", "geowarden-sarif-*")
		if err != nil {
			return 0, fmt.Errorf("report: sarif: spooling results: %w", err)
		}
		// Where the system allows it, the file goes at once: it lives on
		// while open, and nothing is left behind by a reporter that is
		// never closed.
		s.unlinked = os.Remove(f.Name()) == nil
		s.file, s.fw = f, bufio.NewWriterSize(f, bufSize)
		if _, err := s.mem.WriteTo(s.fw); err != nil {
			return 0, fmt.Errorf("report: sarif: spooling results: %w", err)
		}
	}
	if s.fw != nil {
		return s.fw.Write(p)
	}
	return s.mem.Write(p)
}

func (s *spool) WriteString(p string) (int, error) { return s.Write([]byte(p)) }

// writeTo copies what was spooled to w.
func (s *spool) writeTo(w io.Writer) error {
	if s.fw == nil {
		_, err := s.mem.WriteTo(w)
		return err
	}
	if err := s.fw.Flush(); err != nil {
		return fmt.Errorf("report: sarif: spooling results: %w", err)
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("report: sarif: spooling results: %w", err)
	}
	_, err := io.Copy(w, s.file)
	return err
}

// Close closes and removes the temporary file, if there is one.
func (s *spool) Close() error {
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	if !s.unlinked {
		err = os.Remove(s.file.Name())
	}
	return err
}
