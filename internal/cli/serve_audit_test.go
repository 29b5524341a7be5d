package cli_test

import (
	"database/sql"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	_ "modernc.org/sqlite"
)

// TestServeAudit: the gateway appends what it decides to the audit log in
// its data folder; audit verify --data checks it, while the gateway runs
// and after, and finds a byte edited in an entry's row.
func TestServeAudit(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	zones := writeFile(t, dir, "zones.geojson", serveZones)
	// The first token is logged before the gateway ever ran: the command
	// creates the log's key, which serve then signs with.
	var toks []string
	for _, a := range [][2]string{{"phone", "ingest"}, {"ops", "auditor"}} {
		r := gw(t, "", "token", "create", "--data", data, "--name", a[0], "--role", a[1])
		if r.code != 0 {
			t.Fatalf("token create: %d %s", r.code, r.stderr)
		}
		toks = append(toks, strings.TrimSpace(r.stdout))
	}
	up := newRecorder(t)
	srv := startServe(t, "--data", data, "--zones", zones, "--upstream", up.URL+"/in")
	for i := range 3 {
		body := []byte(crashLine(2*i, false) + "\n" + crashLine(2*i+1, true) + "\n")
		if code, b, err := post(srv.url+"/v1/ingest", toks[0], "application/x-ndjson", body); err != nil || code != 200 {
			t.Fatalf("ingest: %d %s %v", code, b, err)
		}
	}
	req, _ := http.NewRequest("GET", srv.url+"/v1/audit/checkpoint", nil)
	req.Header.Set("Authorization", "Bearer "+toks[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	cp, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// 2 tokens, the policy at start, 3 batches.
	if resp.StatusCode != 200 || !strings.Contains(string(cp), "\n6\n") {
		t.Fatalf("GET /v1/audit/checkpoint: %d %q, want a checkpoint of 6 entries", resp.StatusCode, cp)
	}
	if r := gw(t, "", "audit", "verify", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "ok: ") || !strings.Contains(r.stdout, "6 entries") {
		t.Fatalf("audit verify --data while serving: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := gw(t, "", "token", "revoke", "--data", data, "phone"); r.code != 0 {
		t.Fatalf("revoke while serving: %d %s", r.code, r.stderr)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	<-srv.done

	if r := gw(t, "", "audit", "checkpoint", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "\n7\n") {
		t.Errorf("audit checkpoint --data: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r := gw(t, "", "audit", "proof", "--data", data, "3")
	_, extra, _ := strings.Cut(r.stdout, "\nextra ")
	extra, _, _ = strings.Cut(extra, "\n")
	e, _ := base64.StdEncoding.DecodeString(extra)
	if r.code != 0 || !strings.Contains(string(e), `"type":"ingest_batch"`) || !strings.Contains(string(e), `"actor":"token:phone"`) {
		t.Errorf("audit proof --data 3: %d %q %q, entry %s", r.code, r.stdout, r.stderr, e)
	}
	if strings.Contains(string(e), toks[0]) {
		t.Error("the token is in the log")
	}
	if r := gw(t, "", "audit", "key", "--data", data); r.code != 0 || !strings.HasPrefix(r.stdout, "geowarden.example/audit/") {
		t.Errorf("audit key --data: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := gw(t, "", "audit", "verify", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "7 entries") {
		t.Fatalf("audit verify --data: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := gw(t, "", "audit", "verify", "--data", data, "--dir", data); r.code != 2 {
		t.Errorf("--data with --dir: %d %q", r.code, r.stderr)
	}

	// A log with entries and no signing key: serve refuses to start.
	if err := os.Rename(filepath.Join(data, "audit.key"), filepath.Join(dir, "audit.key")); err != nil {
		t.Fatal(err)
	}
	r = gw(t, "", "serve", "--addr", "127.0.0.1:0", "--data", data, "--zones", zones, "--upstream", up.URL+"/in")
	if r.code != 2 || !strings.Contains(r.stderr, "signing key") {
		t.Errorf("serve without the log's key: %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "audit.key")); err == nil {
		t.Error("serve made a new key for a log that has entries")
	}

	// One byte of entry 4: a count of kept records changed from 1 to 2.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "geowarden.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var entry []byte
	if err := db.QueryRow(`SELECT entry FROM audit_entries WHERE n = 4`).Scan(&entry); err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(entry), `"kept":1`)
	if i < 0 {
		t.Fatalf("entry 4 %s has no kept count of 1", entry)
	}
	entry[i+len(`"kept":`)] = '2'
	if _, err := db.Exec(`UPDATE audit_entries SET entry = ? WHERE n = 4`, entry); err != nil {
		t.Fatal(err)
	}
	r = gw(t, "", "audit", "verify", "--data", data)
	if r.code != 1 || !strings.Contains(r.stdout, "TAMPERED") || !strings.Contains(r.stdout, "entry 4") {
		t.Errorf("audit verify --data after an edit: %d %q %q, want exit 1 naming entry 4", r.code, r.stdout, r.stderr)
	}
}
