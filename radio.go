package geowarden

import (
	"math"
	"strings"
)

// DownlinkMHz returns the downlink carrier frequency, in MHz, of channel
// number n of the radio technology radio (as in Signal.Radio, compared
// case-insensitively), and whether the pair names a known carrier.
//
// It lives in this package, beside Signal, because a channel plan belongs to
// the radio standard and not to a file format: every codec that reads a
// channel number without a frequency fills Signal.FreqMHz with it, and any
// stage may use it the same way.
//
// Known today:
//
//   - GSM (3GPP TS 45.005): P-GSM 900 (ARFCN 0-124, 935+0.2n), E-GSM and
//     R-GSM 900 (955-1023, 935+0.2(n-1024)) and DCS 1800 (512-885,
//     1805.2+0.2(n-512)). ARFCNs 512-810 are taken as DCS 1800, never
//     PCS 1900, which reuses them.
//
// Any other radio, and channel numbers outside these ranges, give false.
func DownlinkMHz(radio string, n int) (float64, bool) {
	switch {
	case strings.EqualFold(radio, "GSM"):
		return gsmDownlinkMHz(n)
	}
	return 0, false
}

// gsmDownlinkMHz is the downlink carrier of a GSM ARFCN, rounded to 0.1 MHz.
func gsmDownlinkMHz(n int) (float64, bool) {
	var f float64
	switch {
	case n >= 0 && n <= 124:
		f = 935 + 0.2*float64(n)
	case n >= 955 && n <= 1023:
		f = 935 + 0.2*float64(n-1024)
	case n >= 512 && n <= 885:
		f = 1805.2 + 0.2*float64(n-512)
	default:
		return 0, false
	}
	return math.Round(f*10) / 10, true
}
