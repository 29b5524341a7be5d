// Package browsertest opens geowarden's HTML reports in headless Chromium
// for tests: it waits until the page has drawn, reads its state, clicks,
// and records what the page wrote to its console and every request it
// made, so that tests can assert that a report loads nothing from outside.
//
// Chromium is an external tool: a test without it skips, unless
// GEOWARDEN_REQUIRE_TOOLS=1 (as in CI), where it fails. Screenshots are
// written to the test's temporary folder and, when GEOWARDEN_SCREENSHOTS
// names a folder, kept there too.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Chromium returns the path of the chromium program, or ends the test:
// skipped, or failed under GEOWARDEN_REQUIRE_TOOLS=1.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("GEOWARDEN_REQUIRE_TOOLS") == "1" {
		t.Fatalf("chromium is required (GEOWARDEN_REQUIRE_TOOLS=1) but not found in PATH (Debian package chromium)")
	}
	t.Skip("chromium not installed")
	return ""
}

// Page is a report open in a headless Chromium tab.
type Page struct {
	t   testing.TB
	ctx context.Context
	url string

	mu       sync.Mutex
	console  []string // errors and warnings the page logged, and exceptions
	requests []string // URLs the page requested, other than itself and data: URLs
}

// Timeout bounds everything a Page does, from starting Chromium to the
// last check: generous, as it only guards against a page that never
// finishes.
const Timeout = 3 * time.Minute

// Open starts Chromium with a window of width×height pixels, loads the
// HTML file at path and waits until the page says it is ready (its body's
// data-state is "ready") or has failed ("error", which fails the test).
// Chromium is stopped when the test ends.
func Open(t testing.TB, path string, width, height int) *Page {
	t.Helper()
	bin := Chromium(t)
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.WindowSize(width, height),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, Timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	p := &Page{t: t, ctx: ctx, url: "file://" + filepath.ToSlash(abs)}
	if err := chromedp.Do(ctx); err != nil { // starts the browser and the tab
		t.Fatalf("starting chromium: %v", err)
	}
	if err := chromedp.Listen(ctx, p.listen); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(p.url)); err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	var state string
	for {
		state = p.Eval(`document.body ? document.body.dataset.state || "" : ""`)
		if state == "ready" || state == "error" {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: the page did not get ready within %v (state %q); console: %v", path, Timeout, state, p.Console())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if state == "error" {
		t.Fatalf("%s: the page failed: %s; console: %v", path, p.Eval(`document.getElementById("gw-fatal").textContent`), p.Console())
	}
	return p
}

func (p *Page) listen(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			p.console = append(p.console, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		p.console = append(p.console, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
	case *log.EventEntryAdded:
		// The browser's own log: blocked loads, CSP violations.
		if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
			p.console = append(p.console, fmt.Sprintf("%s (%s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	case *network.EventRequestWillBeSent:
		u := ev.Request.URL
		if u != p.url && !strings.HasPrefix(u, "data:") {
			p.requests = append(p.requests, u)
		}
	}
}

// Console returns what the page logged as errors or warnings, its
// uncaught exceptions and the browser's errors about it (such as loads that
// its Content-Security-Policy refused), so far.
func (p *Page) Console() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.console...)
}

// Requests returns the URLs the page requested, other than the page itself
// and data: URLs, so far.
func (p *Page) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// Eval evaluates a JavaScript expression in the page and returns its
// value as a string (String(value)), or ends the test.
func (p *Page) Eval(expr string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`String(`+expr+`)`))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// Body returns the page's body data attribute name (data-NAME, in
// camelCase as in dataset), or "".
func (p *Page) Body(name string) string {
	p.t.Helper()
	return p.Eval(`document.body.dataset.` + name + ` || ""`)
}

// Click clicks, with the mouse, the centre of the first element the CSS
// selector finds, and waits for the page to have drawn a frame since.
func (p *Page) Click(selector string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		p.t.Fatalf("clicking %s: %v", selector, err)
	}
	p.Settle()
}

// ClickAt clicks with the mouse at x, y in the window (CSS pixels), and
// waits for the page to have drawn a frame since.
func (p *Page) ClickAt(x, y float64) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.MouseClickXY(x, y)); err != nil {
		p.t.Fatalf("clicking at %v,%v: %v", x, y, err)
	}
	p.Settle()
}

// Settle waits until the page has drawn two frames, so that what a click
// or a change set off has been drawn.
func (p *Page) Settle() {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](
		`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`,
		chromedp.EvalAsValue, chromedp.EvalAwaitPromise)); err != nil {
		p.t.Fatalf("waiting for a frame: %v", err)
	}
}

// Screenshot takes a PNG of the window, writes it to the test's temporary
// folder as name, and also to $GEOWARDEN_SCREENSHOTS when that is set. It
// returns the PNG.
func (p *Page) Screenshot(name string) []byte {
	p.t.Helper()
	// Let CSS transitions (a popup fading in) end: the picture is for
	// people to look at, nothing is measured.
	if err := chromedp.Do(p.ctx, chromedp.Sleep(400*time.Millisecond)); err != nil {
		p.t.Fatal(err)
	}
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		p.t.Fatalf("screenshot %s is not a PNG (%d bytes)", name, len(png))
	}
	dirs := []string{p.t.TempDir()}
	if d := os.Getenv("GEOWARDEN_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			p.t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, name), png, 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
	p.t.Logf("screenshot %s (%d bytes)", filepath.Join(dirs[len(dirs)-1], name), len(png))
	return png
}
