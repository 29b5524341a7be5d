package audit_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/audit"
	"github.com/geowarden/geowarden/audit/audittest"
)

func TestHandler(t *testing.T) {
	l, _, vkey := newLog(t, 4)
	srv := httptest.NewServer(audit.Handler(l))
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == 200 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("%s: Content-Type %q", path, resp.Header.Get("Content-Type"))
		}
		return resp.StatusCode, string(b)
	}
	if code, body := get("/v1/audit/checkpoint"); code != 200 || body != string(l.Checkpoint()) {
		t.Errorf("checkpoint: %d %q", code, body)
	}
	if code, body := get("/v1/audit/key"); code != 200 || strings.TrimSpace(body) != vkey {
		t.Errorf("key: %d %q", code, body)
	}
	code, body := get("/v1/audit/proof/2")
	if code != 200 {
		t.Fatalf("proof: %d %q", code, body)
	}
	if _, e, err := audit.VerifyProof([]byte(body), vkey, nil); err != nil || e.Index != 2 {
		t.Errorf("served proof: %v", err)
	}
	// The checkpoint follows appends.
	if _, err := l.Append(context.Background(), audittest.Entry(4)); err != nil {
		t.Fatal(err)
	}
	if code, _ := get("/v1/audit/proof/4"); code != 200 {
		t.Errorf("proof of the new entry: %d", code)
	}
	for path, want := range map[string]int{
		"/v1/audit/proof/5":                    404,
		"/v1/audit/proof/-1":                   400,
		"/v1/audit/proof/01":                   400,
		"/v1/audit/proof/x":                    400,
		"/v1/audit/proof/99999999999999999999": 400,
		"/v1/audit/nothing":                    404,
	} {
		if code, body := get(path); code != want {
			t.Errorf("%s: %d %q, want %d", path, code, body, want)
		}
	}
	resp, err := http.Post(srv.URL+"/v1/audit/checkpoint", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST checkpoint: %d", resp.StatusCode)
	}
}
