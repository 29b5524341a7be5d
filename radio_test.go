package geowarden

import "testing"

// Where the numbers come from:
//
//   - spec: the first or last channel of a band's range in the table the
//     doc comment of DownlinkMHz names, with the band's F_low (TS 45.005
//     §2, TS 25.101 tables 5.1, 5.1A and 5.2, TS 36.101 table 5.7.3-1),
//     or, for NR, the first and last NR-ARFCN of a band in TS 38.104 table
//     5.4.2.3-1 (n1 422000-434000, n28 151600-160600, n78 620000-653333,
//     n100 downlink 183880-185000 and uplink 174880-176000, n101
//     380000-382000) and the ends of the raster's ranges in table
//     5.4.2.1-1;
//   - NSG: EARFCNs of Vodafone (VF-…) and Telefónica O2 (O2-…) cells in
//     Germany from the NSG 4G celldb (Germany_262-01_-02_-03.csv, in the
//     shared data corpus under cell/nsg-4g-celldb): Vodafone 6300 (band
//     20) and 125 (band 1), O2 6200 (band 20), 1600 (band 3) and 275
//     (band 1).
var radioTests = []struct {
	name  string
	radio string
	n     int
	dl    float64 // DownlinkMHz; 0: false
	ul    float64 // UplinkMHz; 0: false
}{
	// GSM, TS 45.005 §2 (spec).
	{"P-GSM first", "GSM", 0, 935, 890},
	{"P-GSM 1", "GSM", 1, 935.2, 890.2},
	{"P-GSM last", "GSM", 124, 959.8, 914.8},
	{"E-GSM first", "GSM", 975, 925.2, 880.2},
	{"E-GSM last", "GSM", 1023, 934.8, 889.8},
	{"R-GSM first: GSM-R", "GSM", 955, 921.2, 876.2},
	{"R-GSM last: GSM-R", "GSM", 974, 925, 880},
	{"ER-GSM first: extended GSM-R", "GSM", 940, 918.2, 873.2},
	{"ER-GSM last: extended GSM-R", "GSM", 954, 921, 876},
	{"GSM 850 first", "GSM", 128, 869.2, 824.2},
	{"GSM 850 last", "GSM", 251, 893.8, 848.8},
	{"DCS first", "GSM", 512, 1805.2, 1710.2},
	{"DCS last", "GSM", 885, 1879.8, 1784.8},
	{"GSM gap 125", "GSM", 125, 0, 0},
	{"GSM gap 886", "GSM", 886, 0, 0},
	{"GSM gap 939", "GSM", 939, 0, 0},
	{"GSM negative", "GSM", -1, 0, 0},
	{"gsm lower case", "gsm", 100, 955, 910},
	{"EDGE", "EDGE", 100, 955, 910},

	// UMTS, TS 25.101 (spec). A UARFCN is often a downlink channel of one
	// band and an uplink channel of another: the comments name the band of
	// the other direction.
	{"UMTS I first", "UMTS", 10562, 2112.4, 0},
	{"UMTS I last", "UMTS", 10838, 2167.6, 0},
	{"UMTS I uplink", "UMTS", 9612, 0, 1922.4},
	{"UMTS II first", "WCDMA", 9662, 1932.4, 1932.4},         // uplink: band I, same formula
	{"UMTS II additional first", "UMTS", 412, 1932.5, 837.5}, // uplink: band XIX additional
	{"UMTS II additional last", "UMTS", 687, 1987.5, 0},
	{"UMTS II not additional", "UMTS", 413, 0, 0},
	{"UMTS II additional uplink", "UMTS", 12, 0, 1852.5},
	{"UMTS III first", "UMTS", 1162, 1807.4, 1757.4}, // uplink: band III
	{"UMTS III downlink, IV uplink", "UMTS", 1312, 1837.4, 1712.4},
	{"UMTS IV first", "UMTS", 1537, 2112.4, 0},
	{"UMTS IV additional", "UMTS", 1887, 2112.5, 0},
	{"UMTS V first", "UMTS", 4357, 871.4, 848.4},                // uplink: band XX
	{"UMTS V additional", "UMTS", 1007, 871.5, 1726.4},          // uplink: band III
	{"UMTS VI additional", "UMTS", 1062, 882.5, 1737.4},         // uplink: band III
	{"UMTS VII first", "UMTS", 2237, 2622.4, 2547.4},            // uplink: band VII
	{"UMTS VII additional first", "UMTS", 2587, 2622.5, 2547.5}, // uplink: band VII additional
	{"UMTS VIII first", "UMTS", 2937, 927.4, 1722.4},            // uplink: band X
	{"UMTS VIII last", "UMTS", 3088, 957.6, 1752.6},             // uplink: band X
	{"UMTS VIII uplink first", "UMTS", 2712, 2647.5, 882.4},     // downlink: band VII additional
	{"UMTS XII additional", "UMTS", 3932, 731.5, 0},
	{"UMTS XIX first", "UMTS", 712, 877.4, 0},
	{"UMTS XIX additional", "UMTS", 787, 877.5, 827.5}, // uplink: band V additional
	{"UMTS XX first", "UMTS", 4512, 793.4, 3427.4},     // uplink: band XXII
	{"UMTS XXVI additional", "UMTS", 5937, 861.5, 0},
	{"UMTS XXXII first", "UMTS", 6617, 1454.4, 0},
	{"UMTS nothing", "UMTS", 0, 0, 0},
	{"HSPA+ is UMTS", "HSPA+", 10700, 2140, 0},

	// LTE, TS 36.101 table 5.7.3-1 (spec) and the NSG celldb.
	{"LTE 1 first", "LTE", 0, 2110, 0},
	{"LTE 1 Vodafone DE (NSG)", "LTE", 125, 2122.5, 0},
	{"LTE 1 O2 DE (NSG)", "LTE", 275, 2137.5, 0},
	{"LTE 1 uplink first", "LTE", 18000, 0, 1920},
	{"LTE 3 first", "LTE", 1200, 1805, 0},
	{"LTE 3 O2 DE (NSG)", "LTE", 1600, 1845, 0},
	{"LTE 3 last", "LTE", 1949, 1879.9, 0},
	{"LTE 7 first", "LTE", 2750, 2620, 0},
	{"LTE 8 first", "LTE", 3450, 925, 0},
	{"LTE 8 last", "LTE", 3799, 959.9, 0},
	{"LTE 8 uplink first", "LTE", 21450, 0, 880},
	{"LTE 9 first", "LTE", 3800, 1844.9, 0},
	{"LTE gap 4950", "LTE", 4950, 0, 0},
	{"LTE 20 first", "LTE", 6150, 791, 0},
	{"LTE 20 O2 DE (NSG)", "LTE", 6200, 796, 0},
	{"LTE 20 Vodafone DE (NSG)", "LTE", 6300, 806, 0},
	{"LTE 20 last", "LTE", 6449, 820.9, 0},
	{"LTE 20 uplink first", "LTE", 24150, 0, 832},
	{"LTE 28 first", "LTE", 9210, 758, 0},
	{"LTE 32 SDL last", "LTE", 10359, 1495.9, 0},
	{"LTE gap 10360", "LTE", 10360, 0, 0},
	{"LTE 31 uplink last", "LTE", 27809, 0, 457.4},
	{"LTE 33 TDD first", "LTE", 36000, 1900, 1900},
	{"LTE 38 TDD first", "LTE", 37750, 2570, 2570},
	{"LTE 39 TDD last", "LTE", 38649, 1919.9, 1919.9},
	{"LTE 40 TDD first", "LTE", 38650, 2300, 2300},
	{"LTE 41 TDD first", "LTE", 39650, 2496, 2496},
	{"LTE 42 TDD first", "LTE", 41590, 3400, 3400},
	{"LTE 53 TDD last", "LTE", 60254, 2494.9, 2494.9},
	{"LTE 65 first", "LTE", 65536, 2110, 0},
	{"LTE 66 first", "LTE", 66436, 2110, 0},
	{"LTE 66 uplink first", "LTE", 131972, 0, 1710},
	{"LTE 88 last", "LTE", 70645, 426.9, 0},
	{"LTE 88 uplink last", "LTE", 134281, 0, 416.9},
	{"LTE band 103 not known", "LTE", 70646, 0, 0},
	{"LTE negative", "LTE", -1, 0, 0},
	{"lte lower case, spaces", " lte ", 6300, 806, 0},
	{"LTE-A", "LTE-A", 6300, 806, 0},

	// NR, TS 38.104 tables 5.4.2.1-1 and 5.4.2.3-1 (spec).
	{"NR raster 0", "NR", 0, 0, 0}, // 0 MHz: a frequency of zero is no carrier
	{"NR n28 first", "NR", 151600, 758, 758},
	{"NR n100 uplink first", "NR", 174880, 874.4, 874.4},
	{"NR n100 uplink last", "NR", 176000, 880, 880},
	{"NR n100 downlink first", "NR", 183880, 919.4, 919.4},
	{"NR n100 downlink last", "NR", 185000, 925, 925},
	{"NR n101 first", "NR", 380000, 1900, 1900},
	{"NR n101 last", "NR", 382000, 1910, 1910},
	{"NR n1 first", "NR", 422000, 2110, 2110},
	{"NR 5 kHz raster last", "NR", 599999, 2999.995, 2999.995},
	{"NR 15 kHz raster first", "NR", 600000, 3000, 3000},
	{"NR n78 first", "NR", 620000, 3300, 3300},
	{"NR n78 last", "NR", 653333, 3799.995, 3799.995},
	{"NR 15 kHz raster last", "NR", 2016666, 24249.99, 24249.99},
	{"NR 60 kHz raster first", "NR", 2016667, 24250.08, 24250.08},
	{"NR 60 kHz raster last", "NR", 3279165, 99999.96, 99999.96},
	{"NR past the raster", "NR", 3279166, 0, 0},
	{"nr lower case", "nr", 183880, 919.4, 919.4},

	// No plan.
	{"no radio", "", 100, 0, 0},
	{"5G: maybe an LTE anchor", "5G", 6300, 0, 0},
	{"CDMA", "CDMA", 283, 0, 0},
	{"Wi-Fi channel", "WIFI", 6, 0, 0},
}

func TestDownlinkMHz(t *testing.T) {
	for _, tt := range radioTests {
		got, ok := DownlinkMHz(tt.radio, tt.n)
		if got != tt.dl || ok != (tt.dl != 0) {
			t.Errorf("%s: DownlinkMHz(%q, %d) = %v, %v; want %v, %v", tt.name, tt.radio, tt.n, got, ok, tt.dl, tt.dl != 0)
		}
	}
}

func TestUplinkMHz(t *testing.T) {
	for _, tt := range radioTests {
		got, ok := UplinkMHz(tt.radio, tt.n)
		if got != tt.ul || ok != (tt.ul != 0) {
			t.Errorf("%s: UplinkMHz(%q, %d) = %v, %v; want %v, %v", tt.name, tt.radio, tt.n, got, ok, tt.ul, tt.ul != 0)
		}
	}
}

// TestChannelMHz checks that a record's channel number is read as a
// downlink one, except an LTE uplink EARFCN.
func TestChannelMHz(t *testing.T) {
	for _, tt := range radioTests {
		want := tt.dl
		if want == 0 && techOf(tt.radio) == techLTE {
			want = tt.ul
		}
		got, ok := ChannelMHz(tt.radio, tt.n)
		if got != want || ok != (want != 0) {
			t.Errorf("%s: ChannelMHz(%q, %d) = %v, %v; want %v, %v", tt.name, tt.radio, tt.n, got, ok, want, want != 0)
		}
	}
}

// TestChannelRangesDisjoint checks what ChannelMHz relies on: within one
// direction no channel number belongs to two bands that give it different
// carriers, and no EARFCN is both an FDD downlink and an uplink one.
func TestChannelRangesDisjoint(t *testing.T) {
	const maxN = 140000
	for _, dir := range []struct {
		name  string
		bands []utraBand
		extra []utraExtra
	}{{"UMTS downlink", utraDL[:], utraDLExtra[:]}, {"UMTS uplink", utraUL[:], utraULExtra[:]}} {
		at := map[int]float64{}
		for _, b := range dir.bands {
			for n := b.first; n <= b.last; n++ {
				f := b.offsetMHz + float64(n)/5
				if g, ok := at[n]; ok && round1k(g) != round1k(f) {
					t.Errorf("%s: UARFCN %d is %v MHz and, in band %d, %v MHz", dir.name, n, g, b.band, f)
				}
				at[n] = f
			}
		}
		for _, e := range dir.extra {
			for _, n := range e.channels {
				f := e.offsetMHz + float64(n)/5
				if g, ok := at[n]; ok && round1k(g) != round1k(f) {
					t.Errorf("%s: UARFCN %d is %v MHz and, additional in band %d, %v MHz", dir.name, n, g, e.band, f)
				}
				at[n] = f
			}
		}
	}
	for _, dir := range []struct {
		name  string
		bands []eutraBand
	}{{"LTE downlink", eutraDL}, {"LTE uplink", eutraUL}, {"LTE FDD downlink and uplink", append(eutraDL[:len(eutraDL)-len(eutraTDD):len(eutraDL)-len(eutraTDD)], eutraULOnly[:]...)}} {
		var band [maxN]int
		for _, b := range dir.bands {
			if b.last >= maxN || b.first > b.last {
				t.Fatalf("%s: band %d: range %d-%d", dir.name, b.band, b.first, b.last)
			}
			for n := b.first; n <= b.last; n++ {
				if band[n] != 0 {
					t.Errorf("%s: EARFCN %d in bands %d and %d", dir.name, n, band[n], b.band)
					break
				}
				band[n] = b.band
			}
		}
	}
}
