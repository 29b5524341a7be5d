package geotext

import (
	"testing"
)

// FuzzFind: on any input, matches come in order, within the input, no
// longer than MaxLen, with valid positions; and each match is decided by
// its Context bytes on either side (what a streaming caller relies on).
func FuzzFind(f *testing.F) {
	for _, tt := range findTests {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := range b {
			var m Match
			if ok, decided, skip := fast(b, i, &m); decided {
				if pm, pok := pair(b, i); pok != ok || pm != m {
					t.Fatalf("%q at %d: fast %+v (%v), pair %+v (%v)", b, i, m, ok, pm, pok)
				}
				for k := i + 1; !ok && k < skip; k++ {
					if pm, pok := pair(b, k); pok && !word(b[k-1]) && b[k-1] != '-' && b[k-1] != '+' {
						t.Fatalf("%q: fast skips from %d to %d past a coordinate at %d: %+v", b, i, skip, k, pm)
					}
				}
			}
		}
		last := -1
		for i := 0; ; {
			m, ok := Find(b, i)
			if !ok {
				break
			}
			if m.Start < i || m.Start <= last || m.End <= m.Start || m.End > len(b) || m.Next < m.Start || m.Next > m.End || m.Next <= i && m.Next == m.Start {
				t.Fatalf("from %d: start %d end %d next %d (len %d)", i, m.Start, m.End, m.Next, len(b))
			}
			if m.End-m.Start > MaxLen {
				t.Fatalf("match of %d bytes > MaxLen", m.End-m.Start)
			}
			p := m.Point
			if !(p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180) || m.Kind == 0 || !(m.Res > 0) {
				t.Fatalf("%q: bad match %+v", b[m.Start:m.End], m)
			}
			// the same match in a window of Context bytes around it
			lo, hi := max(0, m.Start-Context), min(len(b), m.End+Context)
			w, ok := Find(b[lo:hi], m.Start-lo)
			if !ok || w.Start+lo != m.Start || w.End+lo != m.End || w.Point != m.Point || w.Kind != m.Kind {
				t.Fatalf("%q: in its window, %+v (found %v), want %+v", b[lo:hi], w, ok, m)
			}
			last = m.Start
			i = m.Next
		}
	})
}
