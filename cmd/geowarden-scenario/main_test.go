package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run([]string{"-seed", "3", "-days", "2", "-scale", "0.02", "-o", dir}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "records of") {
		t.Errorf("summary %q", out.String())
	}
	for _, f := range []string{"zones.geojson", "roads.geojson", "policy.yml", "records.csv", "truth.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestRunErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-seed", "3"},                            // no -o
		{"-o", t.TempDir(), "extra"},              // a stray argument
		{"-o", t.TempDir(), "-days", "-1"},        // a bad period
		{"-o", t.TempDir(), "-scale", "1000"},     // a bad scale
		{"-o", t.TempDir(), "-seed", "minus-one"}, // not a number
	} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
		if errOut.Len() == 0 {
			t.Errorf("%q: nothing on standard error", args)
		}
	}
}
