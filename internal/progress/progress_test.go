package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newBar(o Options) (*Bar, *bytes.Buffer, *clock) {
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	o.Now = c.now
	var w bytes.Buffer
	return New(&w, o), &w, c
}

const MiB = 1 << 20

// frames splits what the bar wrote into the lines it drew.
func frames(out string) []string {
	var fs []string
	for _, f := range strings.Split(out, "\r") {
		if f = strings.TrimSuffix(f, "\x1b[K"); f != "" {
			fs = append(fs, f)
		}
	}
	return fs
}

func TestDelay(t *testing.T) {
	b, w, c := newBar(Options{Total: 10 * MiB})
	c.advance(400 * time.Millisecond)
	b.AddBytes(MiB)
	b.AddRecords(1000)
	if w.Len() != 0 {
		t.Fatalf("drew %q before the 500 ms delay", w.String())
	}
	b.Finish()
	if w.Len() != 0 {
		t.Errorf("Finish of a bar never shown wrote %q", w.String())
	}
}

func TestLine(t *testing.T) {
	b, w, c := newBar(Options{Total: 100 * MiB, Width: 100})
	c.advance(10 * time.Second)
	b.AddBytes(25 * MiB)
	b.AddRecords(250000)
	bar := "[" + strings.Repeat("=", 10) + ">" + strings.Repeat(" ", 29) + "]" // 40 columns, a quarter full
	fs := frames(w.String())
	if len(fs) != 1 {
		t.Fatalf("frames %q, want one (the first Add draws, the second is within the interval)", fs)
	}
	if want := bar + "  25%  25.0 MiB / 100 MiB  0 records/s  ETA 30s"; fs[0] != want {
		t.Errorf("frame\n got %q\nwant %q", fs[0], want)
	}
	// 25 of 100 MiB in 10 s: 30 s left; 250000 records in 10 s.
	want := bar + "  25%  25.0 MiB / 100 MiB  25.0k records/s  ETA 30s"
	if got := b.Line(c.now()); got != want {
		t.Errorf("line\n got %q\nwant %q", got, want)
	}
	if !strings.HasPrefix(w.String(), "\r") || !strings.HasSuffix(w.String(), "\x1b[K") {
		t.Errorf("a frame is not drawn in place: %q", w.String())
	}
	if got := b.Line(c.now()); len(got) > 99 {
		t.Errorf("line of %d columns on a 100-column terminal", len(got))
	}
}

func TestLineNarrowAndDone(t *testing.T) {
	b, _, c := newBar(Options{Total: 3 * MiB, Width: 40})
	c.advance(2 * time.Second)
	b.AddBytes(4 * MiB) // more than announced: a file that grew
	got := b.Line(c.now())
	if want := "100%  4.00 MiB / 3.00 MiB  0 records/s  ETA 0s"; got != want {
		t.Errorf("narrow line\n got %q\nwant %q", got, want)
	}
}

func TestUnknownTotal(t *testing.T) {
	b, _, c := newBar(Options{})
	c.advance(65 * time.Second)
	b.AddBytes(1536)
	b.AddRecords(130)
	if got, want := b.Line(c.now()), "1.50 KiB read  2 records/s  1m05s"; got != want {
		t.Errorf("line\n got %q\nwant %q", got, want)
	}
}

// TestRedrawRate: however often counts arrive, the bar redraws at most
// once per interval.
func TestRedrawRate(t *testing.T) {
	b, w, c := newBar(Options{Total: 1000 * MiB, Delay: -1})
	for i := 0; i < 1000; i++ {
		c.advance(time.Millisecond)
		b.AddBytes(MiB)
	}
	// One second of counts: draws at 1 ms, 101 ms, …, 901 ms.
	if n := len(frames(w.String())); n != 10 {
		t.Errorf("%d redraws in one second, want 10", n)
	}
}

func TestWriteAndFinish(t *testing.T) {
	b, w, c := newBar(Options{Total: 10 * MiB, Delay: -1})
	c.advance(time.Second)
	b.AddBytes(MiB)
	drawn := w.Len()
	if drawn == 0 {
		t.Fatal("nothing drawn")
	}
	b.Write([]byte("geowarden: a.csv:3: bad latitude\n"))
	if got := w.String()[drawn:]; got != "\r\x1b[Kgeowarden: a.csv:3: bad latitude\n" {
		t.Errorf("message written as %q, want the bar cleared first", got)
	}
	c.advance(time.Second)
	b.AddBytes(MiB)
	if fs := frames(w.String()[drawn:]); len(fs) != 2 || !strings.Contains(fs[1], "2.00 MiB / 10.0 MiB") {
		t.Errorf("the bar did not come back after the message: %q", fs)
	}
	b.Finish()
	if !strings.HasSuffix(w.String(), "\r\x1b[K") {
		t.Errorf("Finish did not clear the line: %q", w.String())
	}
	end := w.Len()
	c.advance(time.Second)
	b.AddBytes(MiB)
	b.Finish()
	if w.Len() != end {
		t.Errorf("drew %q after Finish", w.String()[end:])
	}
	b.Write([]byte("summary\n"))
	if got := w.String()[end:]; got != "summary\n" {
		t.Errorf("Write after Finish wrote %q", got)
	}
}

// TestConcurrent: counts from many goroutines all arrive (run with -race).
func TestConcurrent(t *testing.T) {
	b, _, c := newBar(Options{Total: 64 * MiB, Delay: -1})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				c.advance(time.Millisecond)
				b.AddBytes(8)
				b.AddRecords(1)
				if i%100 == 0 {
					b.Write([]byte("x\n"))
				}
			}
		}()
	}
	wg.Wait()
	b.Finish()
	if b.Bytes() != 64000 || b.Records() != 8000 {
		t.Errorf("counted %d bytes, %d records; want 64000, 8000", b.Bytes(), b.Records())
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Size(0), "0 B"}, {Size(1023), "1023 B"}, {Size(1024), "1.00 KiB"},
		{Size(500 * 1 << 30), "500 GiB"}, {Size(5 << 40), "5.00 TiB"},
		{count(850), "850"}, {count(12345), "12.3k"}, {count(4567890), "4.57M"},
		{Duration(42 * time.Second), "42s"}, {Duration(185 * time.Second), "3m05s"}, {Duration(3720 * time.Second), "1h02m"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
