// Package progress draws a one-line progress bar for long runs: bytes read
// of the total, records per second and the time left, redrawn in place a
// few times a second and cleared at the end.
//
// A Bar is fed by counts from the goroutines that do the work (AddBytes,
// AddRecords); it draws from whichever goroutine adds when the redraw
// interval has passed, so it needs no goroutine of its own. Callers batch
// their counts (per buffer read, per thousand records): an Add costs an
// atomic add and a clock read.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Bar. The zero value is usable.
type Options struct {
	// Total is the number of bytes the run will read; 0 means unknown (a
	// stream): the bar then shows no percentage and no time left.
	Total int64
	// Width is the terminal's width in columns; 0 means 80.
	Width int
	// Interval is the least time between two redraws; 0 means 100 ms.
	Interval time.Duration
	// Delay is how long a run goes before the bar first shows, so that
	// short runs show nothing; 0 means 500 ms, a negative value none.
	Delay time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Bar is a progress bar on a terminal. Its methods are safe for
// concurrent use.
type Bar struct {
	w       io.Writer
	o       Options
	start   time.Time
	bytes   atomic.Int64
	records atomic.Int64

	mu    sync.Mutex // held while writing to w
	last  time.Time  // last draw
	shown bool       // a bar is on the line
	done  bool
	buf   []byte
}

// New returns a bar that draws on w (a terminal), starting now.
func New(w io.Writer, o Options) *Bar {
	if o.Width <= 0 {
		o.Width = 80
	}
	if o.Interval <= 0 {
		o.Interval = 100 * time.Millisecond
	}
	if o.Delay == 0 {
		o.Delay = 500 * time.Millisecond
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Bar{w: w, o: o, start: o.Now()}
}

// AddBytes counts n more bytes read, and redraws when it is time.
func (b *Bar) AddBytes(n int64) {
	b.bytes.Add(n)
	b.tick()
}

// AddRecords counts n more records handled, and redraws when it is time.
func (b *Bar) AddRecords(n int64) {
	b.records.Add(n)
	b.tick()
}

// Bytes returns the number of bytes counted so far.
func (b *Bar) Bytes() int64 { return b.bytes.Load() }

// Records returns the number of records counted so far.
func (b *Bar) Records() int64 { return b.records.Load() }

func (b *Bar) tick() {
	if !b.mu.TryLock() {
		return // another goroutine is drawing or writing
	}
	defer b.mu.Unlock()
	if b.done {
		return
	}
	now := b.o.Now()
	if now.Sub(b.start) < b.o.Delay || (!b.last.IsZero() && now.Sub(b.last) < b.o.Interval) {
		return
	}
	b.last = now
	b.buf = append(append(b.buf[:0], '\r'), b.Line(now)...)
	b.buf = append(b.buf, "\x1b[K"...)
	b.w.Write(b.buf)
	b.shown = true
}

const clearLine = "\r\x1b[K"

// Write writes p to the terminal below a cleared bar, so that messages
// printed during a run do not mix with it; the bar comes back at the next
// redraw.
func (b *Bar) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.shown {
		io.WriteString(b.w, clearLine)
		b.shown = false
	}
	return b.w.Write(p)
}

// Finish clears the bar; it draws no more. It may be called more than
// once.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.shown {
		io.WriteString(b.w, clearLine)
		b.shown = false
	}
	b.done = true
}

// Line is the text of the bar at now, without control characters.
func (b *Bar) Line(now time.Time) string {
	elapsed := now.Sub(b.start)
	n, recs := b.bytes.Load(), b.records.Load()
	rate := "-"
	if s := elapsed.Seconds(); s > 0 {
		rate = count(float64(recs) / s)
	}
	total := b.o.Total
	if total <= 0 {
		return fmt.Sprintf("%s read  %s records/s  %s", Size(n), rate, Duration(elapsed))
	}
	frac := min(float64(n)/float64(total), 1)
	eta := "--"
	if n > 0 && n < total {
		eta = Duration(time.Duration(float64(elapsed) * float64(total-n) / float64(n)))
	} else if n >= total {
		eta = "0s"
	}
	text := fmt.Sprintf(" %3d%%  %s / %s  %s records/s  ETA %s", int(frac*100), Size(n), Size(total), rate, eta)
	width := min(b.o.Width-1-len(text)-2, 40)
	if width < 5 {
		return strings.TrimPrefix(text, " ")
	}
	fill := int(frac * float64(width))
	bar := strings.Repeat("=", fill)
	if fill < width {
		bar += ">" + strings.Repeat(" ", width-fill-1)
	}
	return "[" + bar + "]" + text
}

// Size formats a byte count with binary units.
func Size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	prec := 0 // three significant digits: 4.56, 45.6, 456
	switch {
	case v < 10:
		prec = 2
	case v < 100:
		prec = 1
	}
	return fmt.Sprintf("%.*f %ciB", prec, v, "KMGTP"[i])
}

// count formats a rate: 850, 12.3k, 4.56M.
func count(v float64) string {
	switch {
	case v < 10000:
		return fmt.Sprintf("%.0f", v)
	case v < 1e6:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.2fM", v/1e6)
}

// Duration formats a duration to the second: 42s, 3m05s, 1h02m.
func Duration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
}
