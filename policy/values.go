package policy

import (
	"strconv"
	"strings"

	"github.com/geowarden/geowarden"
	"github.com/geowarden/geowarden/internal/policyfile"
)

// freqExp gives the power of ten from a frequency unit to MHz.
var freqExp = map[string]int{"hz": -6, "khz": -3, "mhz": 0, "ghz": 3}

// parseFreq parses "880", "880 MHz" or "1.8GHz". unit is false when no
// unit was written; v is then the bare number.
func parseFreq(s string) (num string, exp int, unit, ok bool) {
	num, rest, ok := policyfile.SplitNumber(s)
	if !ok {
		return "", 0, false, false
	}
	if rest == "" {
		return num, 0, false, true
	}
	exp, ok = freqExp[strings.ToLower(rest)]
	return num, exp, true, ok
}

// parseBand parses a frequency range such as "876-880 MHz", "876–880 MHz"
// (en dash), "1.8-1.9 GHz", "900 MHz-1.2 GHz" or a single frequency
// "935 MHz". A unit is required; one written only after the high end
// applies to both ends. Both ends must be positive, low <= high.
func parseBand(s string) (b geowarden.Band, msg string) {
	bad := strconv.Quote(s) + " is not a frequency range"
	t := strings.NewReplacer("\u2013", "-", "\u2014", "-").Replace(s)
	loS, hiS, isRange := strings.Cut(t, "-")
	if !isRange {
		hiS = loS
	}
	loN, loE, loU, ok1 := parseFreq(loS)
	hiN, hiE, hiU, ok2 := parseFreq(hiS)
	if !ok1 || !ok2 || !hiU {
		return b, bad
	}
	if !loU {
		loE = hiE
	}
	lo, ok1 := policyfile.Scaled(loN, loE)
	hi, ok2 := policyfile.Scaled(hiN, hiE)
	switch {
	case !ok1 || !ok2:
		return b, bad
	case lo <= 0:
		return b, strconv.Quote(s) + ": frequency must be above zero"
	case lo > hi:
		return b, strconv.Quote(s) + ": low end is above high end"
	}
	return geowarden.Band{LoMHz: lo, HiMHz: hi}, ""
}

// parseNetwork parses "262" (MCC) or "460-20" (MCC-MNC): a three-digit
// MCC and a two- or three-digit MNC.
func parseNetwork(s string) (geowarden.Network, bool) {
	mcc, mnc, hasMNC := strings.Cut(strings.TrimSpace(s), "-")
	if len(mcc) != 3 || !allDigits(mcc) || (hasMNC && (len(mnc) < 2 || len(mnc) > 3 || !allDigits(mnc))) {
		return geowarden.Network{}, false
	}
	n := geowarden.Network{HasMNC: hasMNC}
	n.MCC, _ = strconv.Atoi(mcc)
	if hasMNC {
		n.MNC, _ = strconv.Atoi(mnc)
	}
	return n, n.MCC != 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
