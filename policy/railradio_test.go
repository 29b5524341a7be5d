package policy

import (
	"testing"

	"github.com/geowarden/geowarden"
)

// TestDefaultRailwayRadio checks the built-in railway radio class (gsm-r)
// against the channel plans: every GSM-R, E-GSM-R and FRMCS channel is in
// it, whether a record gives the channel number or the frequency, and the
// public channels next to them are not.
func TestDefaultRailwayRadio(t *testing.T) {
	p := Default()
	var class *geowarden.SignalClass
	for i := range p.Signals {
		if p.Signals[i].ID == "gsm-r" {
			class = &p.Signals[i]
		}
	}
	if class == nil {
		t.Fatal("the default policy has no gsm-r class")
	}
	match := func(radio string, n int) (float64, bool) {
		s := geowarden.Signal{Radio: radio, ARFCN: n, HasARFCN: true}
		s.FreqMHz, _ = geowarden.ChannelMHz(radio, n)
		return s.FreqMHz, class.Match(&s)
	}
	type span struct {
		what        string
		radio       string
		first, last int
		step        int
		in          bool
	}
	spans := []span{
		// TS 45.005: R-GSM 955-974 (GSM-R), ER-GSM 940-954 (E-GSM-R).
		{"GSM-R", "GSM", 955, 974, 1, true},
		{"E-GSM-R", "GSM", 940, 954, 1, true},
		// TS 38.104 table 5.4.2.3-1: n100 downlink 183880-185000 and
		// uplink 174880-176000, n101 380000-382000, every 20 (100 kHz).
		{"FRMCS n100 downlink", "NR", 183880, 185000, 20, true},
		{"FRMCS n100 uplink", "NR", 174880, 176000, 20, true},
		{"FRMCS n101", "NR", 380000, 382000, 20, true},
		// Public channels beside them, among them GSM-R in China (885-889
		// / 930-934 MHz, ARFCN 999-1019), public E-GSM in Europe.
		{"E-GSM 900", "GSM", 975, 1023, 1, false},
		{"P-GSM 900", "GSM", 1, 124, 1, false},
		{"LTE band 8 (925.5-959.9 MHz)", "LTE", 3455, 3799, 1, false},
		{"LTE band 20 (791-820.9 MHz)", "LTE", 6150, 6449, 1, false},
		{"LTE band 3 (1805-1879.9 MHz)", "LTE", 1200, 1949, 1, false},
		{"NR n78", "NR", 620000, 653333, 1000, false},
		{"UMTS band VIII (927.4-957.6 MHz)", "UMTS", 2937, 3088, 1, false},
		{"UMTS band I", "UMTS", 10562, 10838, 1, false},
	}
	for _, sp := range spans {
		for n := sp.first; n <= sp.last; n += sp.step {
			if f, in := match(sp.radio, n); in != sp.in {
				t.Errorf("%s: %s channel %d (%v MHz) in the class: %v, want %v", sp.what, sp.radio, n, f, in, sp.in)
			}
		}
	}
	// An LTE record whose EARFCN is an uplink one in band 8 at 880 MHz:
	// GSM-R's top uplink channel.
	if f, in := match("LTE", 21450); f != 880 || !in {
		t.Errorf("LTE uplink EARFCN 21450: %v MHz, in class %v; want 880, true", f, in)
	}
}
