package dbg

import (
	"os"
	"strings"
	"testing"

	"github.com/geowarden/geowarden/report/html/browsertest"
)

func TestDbg(t *testing.T) {
	p := browsertest.Open(t, os.Getenv("PAGE"), 1400, 1000)
	for _, c := range strings.Split(os.Getenv("CLICKS"), ";") {
		if c != "" {
			p.Click(c)
		}
	}
	for _, e := range strings.Split(os.Getenv("EVAL"), ";;") {
		if e != "" {
			t.Logf("%s => %s", e, p.Eval(e))
		}
	}
	p.Screenshot("dbg.png")
	t.Log(p.Console(), p.Requests())
}
