package geowarden

import (
	"math"
	"strings"
)

// DownlinkMHz returns the downlink carrier frequency, in MHz, of channel
// number n of the radio technology radio (as in Signal.Radio), read as a
// downlink channel number, and whether the pair names a known carrier.
//
// It lives in this package, beside Signal, because a channel plan belongs to
// the radio standard and not to a file format: every codec that reads a
// channel number without a frequency fills Signal.FreqMHz from it (through
// format.FillFreq, which uses ChannelMHz), and any stage may use it the
// same way.
//
// The radio selects the channel plan; names are compared ignoring case:
//
//   - "GSM", "GPRS", "EDGE": the GSM ARFCN (3GPP TS 45.005 §2): P-GSM 900
//     (0-124, 935+0.2n), E-GSM, R-GSM and ER-GSM 900 (940-1023,
//     935+0.2(n-1024); 955-974 are the GSM-R channels, 940-954 the
//     extended GSM-R ones), GSM 850 (128-251, 869.2+0.2(n-128)) and
//     DCS 1800 (512-885, 1805.2+0.2(n-512)). ARFCNs 512-810 are taken as
//     DCS 1800, never PCS 1900, which reuses them.
//   - "UMTS", "WCDMA", "HSPA", "HSPA+", "HSPAP", "HSDPA", "HSUPA": the UTRA
//     FDD UARFCN (3GPP TS 25.101 §5.4.4, tables 5.1, 5.1A and 5.2):
//     F = F_Offset + N/5 over each band's range, F_Offset 0 for the bands
//     of the general case (I, II, V, VI, IX) and the band's own offset for
//     the others (III, IV, VII, VIII, X-XIV, XIX-XXII, XXV, XXVI, XXXII),
//     and the additional channels of bands II, IV, V, VI, VII, X, XII-XIV,
//     XIX, XXV, XXVI and XXXII, centred 100 kHz off the 200 kHz raster.
//     The downlink UARFCN ranges of the bands do not overlap, so a
//     downlink UARFCN names one carrier.
//   - "LTE", "LTE-A", "LTE+", "LTE_CA": the E-UTRA EARFCN (3GPP TS 36.101
//     §5.7.3, table 5.7.3-1): F_DL = F_DL_low + 0.1(N_DL - N_Offs-DL) for
//     the FDD bands 1-14, 17-28, 30, 31, 65, 66, 68, 70-74, 85, 87 and 88,
//     the supplementary downlink bands 29, 32, 67, 69, 75 and 76, and the
//     TDD bands 33-53, whose one EARFCN serves both directions. Bands 103
//     and above (North America) are not included. An uplink EARFCN gives
//     false here (see UplinkMHz and ChannelMHz).
//   - "NR", "5G NR", "NR5G": the NR-ARFCN of the global frequency raster
//     (3GPP TS 38.104 §5.4.2.1, table 5.4.2.1-1): F_REF = F_REF-Offs +
//     ΔF_Global (N_REF - N_REF-Offs), with ΔF_Global 5 kHz for 1-599999
//     (up to 3000 MHz; 0 would be 0 MHz), 15 kHz from 3000 MHz for 600000-2016666 (up to
//     24250 MHz) and 60 kHz from 24250.08 MHz for 2016667-3279165 (up to
//     100 GHz). The raster is the same for both directions.
//
// Frequencies are rounded to 1 kHz, which every plan above lands on.
//
// A channel number without a radio, or with any other radio ("5G" as
// G-NetTrack writes it for a non-standalone cell, whose channel may be the
// LTE anchor's; "CDMA"; "TD-SCDMA"; "WIFI"), gives false: the same number
// is a different carrier in each plan (100 is 955 MHz as a GSM ARFCN,
// 2120 MHz as an EARFCN and 0.5 MHz as an NR-ARFCN), and a wrong frequency
// would put a record in a signal class it does not belong to, or keep it
// out of one it does. Channel numbers outside the ranges above give false
// too.
func DownlinkMHz(radio string, n int) (float64, bool) {
	return carrierMHz(radio, n, false)
}

// UplinkMHz is DownlinkMHz for a channel number read as an uplink one: the
// uplink carrier of GSM ARFCN n (45 MHz below the downlink at 850 and
// 900 MHz, 95 MHz at 1800 MHz), of uplink UARFCN n (TS 25.101 tables 5.1,
// 5.1A and 5.2, uplink columns), of uplink EARFCN n (TS 36.101 table
// 5.7.3-1, F_UL = F_UL_low + 0.1(N_UL - N_Offs-UL), and the TDD bands'
// EARFCNs) or of NR-ARFCN n (the same raster as the downlink).
//
// Unlike the downlink ones, the uplink UARFCN ranges of some bands overlap
// the downlink ranges of others (1162-1513 is band III downlink, 1312-1513
// also band IV uplink), so a UARFCN must be known to be an uplink one
// before it is given here.
func UplinkMHz(radio string, n int) (float64, bool) {
	return carrierMHz(radio, n, true)
}

// carrierMHz is DownlinkMHz, or UplinkMHz when uplink is set.
func carrierMHz(radio string, n int, uplink bool) (float64, bool) {
	switch techOf(radio) {
	case techGSM:
		return gsmMHz(n, uplink)
	case techUMTS:
		if uplink {
			return utraMHz(n, utraUL[:], utraULExtra[:])
		}
		return utraMHz(n, utraDL[:], utraDLExtra[:])
	case techLTE:
		if uplink {
			return eutraMHz(n, eutraUL)
		}
		return eutraMHz(n, eutraDL)
	case techNR:
		return nrMHz(n)
	}
	return 0, false
}

// ChannelMHz returns the carrier frequency a record's channel number n of
// radio names, as a codec that finds a channel number and no frequency
// should read it: the downlink carrier (DownlinkMHz), except for an LTE
// uplink EARFCN (18000-27809, 131072-134281), which gives its uplink
// carrier. The EARFCN ranges of the two directions are disjoint, so an
// EARFCN says by itself which direction it is; GSM ARFCNs and UARFCNs do
// not, and are read as downlink ones, as cell databases and phones report
// them.
func ChannelMHz(radio string, n int) (float64, bool) {
	if f, ok := DownlinkMHz(radio, n); ok {
		return f, true
	}
	if techOf(radio) == techLTE {
		return eutraMHz(n, eutraULOnly[:])
	}
	return 0, false
}

type tech uint8

const (
	techNone tech = iota
	techGSM
	techUMTS
	techLTE
	techNR
)

// techOf returns the channel plan of a radio technology name.
func techOf(radio string) tech {
	r := strings.TrimSpace(radio)
	for _, c := range radioNames {
		if strings.EqualFold(r, c.name) {
			return c.tech
		}
	}
	return techNone
}

var radioNames = [...]struct {
	name string
	tech tech
}{
	{"GSM", techGSM}, {"GPRS", techGSM}, {"EDGE", techGSM},
	{"UMTS", techUMTS}, {"WCDMA", techUMTS}, {"HSPA", techUMTS}, {"HSPA+", techUMTS},
	{"HSPAP", techUMTS}, {"HSDPA", techUMTS}, {"HSUPA", techUMTS},
	{"LTE", techLTE}, {"LTE-A", techLTE}, {"LTE+", techLTE}, {"LTE_CA", techLTE},
	{"NR", techNR}, {"5G NR", techNR}, {"NR5G", techNR},
}

// round1k rounds a frequency in MHz to 1 kHz.
func round1k(f float64) float64 { return math.Round(f*1000) / 1000 }

// gsmMHz is the downlink carrier of a GSM ARFCN, or its uplink one.
func gsmMHz(n int, uplink bool) (float64, bool) {
	var dl, duplex float64
	switch {
	case n >= 0 && n <= 124:
		dl, duplex = 935+0.2*float64(n), 45
	case n >= 128 && n <= 251:
		dl, duplex = 869.2+0.2*float64(n-128), 45
	case n >= 512 && n <= 885:
		dl, duplex = 1805.2+0.2*float64(n-512), 95
	case n >= 940 && n <= 1023:
		dl, duplex = 935+0.2*float64(n-1024), 45
	default:
		return 0, false
	}
	if uplink {
		return round1k(dl - duplex), true
	}
	return round1k(dl), true
}

// An eutraBand is one direction of an E-UTRA band in TS 36.101 table
// 5.7.3-1: EARFCNs first-last, the first at lowMHz (N_Offs is first in
// every row of the table).
type eutraBand struct {
	band        int
	first, last int
	lowMHz      float64
}

func eutraMHz(n int, bands []eutraBand) (float64, bool) {
	for _, b := range bands {
		if n >= b.first && n <= b.last {
			return round1k(b.lowMHz + 0.1*float64(n-b.first)), true
		}
	}
	return 0, false
}

// eutraTDD are the TDD bands, one EARFCN for both directions.
var eutraTDD = [...]eutraBand{
	{33, 36000, 36199, 1900}, {34, 36200, 36349, 2010}, {35, 36350, 36949, 1850},
	{36, 36950, 37549, 1930}, {37, 37550, 37749, 1910}, {38, 37750, 38249, 2570},
	{39, 38250, 38649, 1880}, {40, 38650, 39649, 2300}, {41, 39650, 41589, 2496},
	{42, 41590, 43589, 3400}, {43, 43590, 45589, 3600}, {44, 45590, 46589, 703},
	{45, 46590, 46789, 1447}, {46, 46790, 54539, 5150}, {47, 54540, 55239, 5855},
	{48, 55240, 56739, 3550}, {49, 56740, 58239, 3550}, {50, 58240, 59089, 1432},
	{51, 59090, 59139, 1427}, {52, 59140, 60139, 3300}, {53, 60140, 60254, 2483.5},
}

// eutraDL are the FDD and SDL bands' downlinks (F_DL_low, N_Offs-DL and
// N_DL range of TS 36.101 table 5.7.3-1), then the TDD bands.
var eutraDL = func() []eutraBand {
	fdd := []eutraBand{
		{1, 0, 599, 2110}, {2, 600, 1199, 1930}, {3, 1200, 1949, 1805},
		{4, 1950, 2399, 2110}, {5, 2400, 2649, 869}, {6, 2650, 2749, 875},
		{7, 2750, 3449, 2620}, {8, 3450, 3799, 925}, {9, 3800, 4149, 1844.9},
		{10, 4150, 4749, 2110}, {11, 4750, 4949, 1475.9}, {12, 5010, 5179, 729},
		{13, 5180, 5279, 746}, {14, 5280, 5379, 758}, {17, 5730, 5849, 734},
		{18, 5850, 5999, 860}, {19, 6000, 6149, 875}, {20, 6150, 6449, 791},
		{21, 6450, 6599, 1495.9}, {22, 6600, 7399, 3510}, {23, 7500, 7699, 2180},
		{24, 7700, 8039, 1525}, {25, 8040, 8689, 1930}, {26, 8690, 9039, 859},
		{27, 9040, 9209, 852}, {28, 9210, 9659, 758}, {29, 9660, 9769, 717},
		{30, 9770, 9869, 2350}, {31, 9870, 9919, 462.5}, {32, 9920, 10359, 1452},
		{65, 65536, 66435, 2110}, {66, 66436, 67335, 2110}, {67, 67336, 67535, 738},
		{68, 67536, 67835, 753}, {69, 67836, 68335, 2570}, {70, 68336, 68585, 1995},
		{71, 68586, 68935, 617}, {72, 68936, 68985, 461}, {73, 68986, 69035, 460},
		{74, 69036, 69465, 1475}, {75, 69466, 70315, 1432}, {76, 70316, 70365, 1427},
		{85, 70366, 70545, 728}, {87, 70546, 70595, 420}, {88, 70596, 70645, 422},
	}
	return append(fdd, eutraTDD[:]...)
}()

// eutraULOnly are the FDD bands' uplinks (F_UL_low, N_Offs-UL and N_UL
// range of TS 36.101 table 5.7.3-1); the SDL bands have none.
var eutraULOnly = [...]eutraBand{
	{1, 18000, 18599, 1920}, {2, 18600, 19199, 1850}, {3, 19200, 19949, 1710},
	{4, 19950, 20399, 1710}, {5, 20400, 20649, 824}, {6, 20650, 20749, 830},
	{7, 20750, 21449, 2500}, {8, 21450, 21799, 880}, {9, 21800, 22149, 1749.9},
	{10, 22150, 22749, 1710}, {11, 22750, 22949, 1427.9}, {12, 23010, 23179, 699},
	{13, 23180, 23279, 777}, {14, 23280, 23379, 788}, {17, 23730, 23849, 704},
	{18, 23850, 23999, 815}, {19, 24000, 24149, 830}, {20, 24150, 24449, 832},
	{21, 24450, 24599, 1447.9}, {22, 24600, 25399, 3410}, {23, 25500, 25699, 2000},
	{24, 25700, 26039, 1626.5}, {25, 26040, 26689, 1850}, {26, 26690, 27039, 814},
	{27, 27040, 27209, 807}, {28, 27210, 27659, 703}, {30, 27660, 27759, 2305},
	{31, 27760, 27809, 452.5},
	{65, 131072, 131971, 1920}, {66, 131972, 132671, 1710}, {68, 132672, 132971, 698},
	{70, 132972, 133121, 1695}, {71, 133122, 133471, 663}, {72, 133472, 133521, 451},
	{73, 133522, 133571, 450}, {74, 133572, 134001, 1427}, {85, 134002, 134181, 698},
	{87, 134182, 134231, 410}, {88, 134232, 134281, 412},
}

// eutraUL are the uplinks: the FDD bands' and the TDD bands'.
var eutraUL = append(eutraULOnly[:len(eutraULOnly):len(eutraULOnly)], eutraTDD[:]...)

// A utraBand is one direction of a UTRA FDD band in TS 25.101: UARFCNs
// first-last, the carrier at offsetMHz + N/5.
type utraBand struct {
	band        int
	first, last int
	offsetMHz   float64
}

// A utraExtra is a band's additional channels in one direction (TS 25.101
// table 5.1A): the listed UARFCNs, at offsetMHz + N/5.
type utraExtra struct {
	band      int
	channels  []int
	offsetMHz float64
}

func utraMHz(n int, bands []utraBand, extra []utraExtra) (float64, bool) {
	for _, b := range bands {
		if n >= b.first && n <= b.last {
			return round1k(b.offsetMHz + float64(n)/5), true
		}
	}
	for _, e := range extra {
		for _, c := range e.channels {
			if c == n {
				return round1k(e.offsetMHz + float64(n)/5), true
			}
		}
	}
	return 0, false
}

// every25 returns first, first+25, ... up to last.
func every25(first, last int) []int {
	var s []int
	for c := first; c <= last; c += 25 {
		s = append(s, c)
	}
	return s
}

// utraDL are the downlinks of TS 25.101 table 5.2 (UARFCN ranges) with the
// offsets of table 5.1 (general case: offset 0).
var utraDL = [...]utraBand{
	{1, 10562, 10838, 0}, {2, 9662, 9938, 0}, {3, 1162, 1513, 1575},
	{4, 1537, 1738, 1805}, {5, 4357, 4458, 0}, {6, 4387, 4413, 0},
	{7, 2237, 2563, 2175}, {8, 2937, 3088, 340}, {9, 9237, 9387, 0},
	{10, 3112, 3388, 1490}, {11, 3712, 3787, 736}, {12, 3842, 3903, -37},
	{13, 4017, 4043, -55}, {14, 4117, 4143, -63}, {19, 712, 763, 735},
	{20, 4512, 4638, -109}, {21, 862, 912, 1326}, {22, 4662, 5038, 2580},
	{25, 5112, 5413, 910}, {26, 5762, 5913, -291}, {32, 6617, 6813, 131},
}

// utraDLExtra are the downlink additional channels of TS 25.101 table 5.1A.
var utraDLExtra = [...]utraExtra{
	{2, every25(412, 687), 1850.1},
	{4, every25(1887, 2087), 1735.1},
	{5, []int{1007, 1012, 1032, 1037, 1062, 1087}, 670.1}, // band VI's 1037 and 1062 are among them
	{7, every25(2587, 2912), 2105.1},
	{10, every25(3412, 3687), 1430.1},
	{12, []int{3932, 3957, 3962, 3987, 3992}, -54.9},
	{13, []int{4067, 4092}, -64.9},
	{14, []int{4167, 4192}, -72.9},
	{19, []int{787, 812, 837}, 720.1},
	{25, every25(6292, 6592), 674.1},
	{26, []int{5937, 5962, 5987, 5992, 6012, 6017, 6037, 6042, 6062, 6067, 6087}, -325.9},
	{32, every25(6837, 7012), 87.1},
}

// utraUL are the uplinks of TS 25.101 table 5.2 with the offsets of table
// 5.1; band XXXII is downlink only.
var utraUL = [...]utraBand{
	{1, 9612, 9888, 0}, {2, 9262, 9538, 0}, {3, 937, 1288, 1525},
	{4, 1312, 1513, 1450}, {5, 4132, 4233, 0}, {6, 4162, 4188, 0},
	{7, 2012, 2338, 2100}, {8, 2712, 2863, 340}, {9, 8762, 8912, 0},
	{10, 2887, 3163, 1135}, {11, 3487, 3562, 733}, {12, 3617, 3678, -22},
	{13, 3792, 3818, 21}, {14, 3892, 3918, 12}, {19, 312, 363, 770},
	{20, 4287, 4413, -23}, {21, 462, 512, 1358}, {22, 4437, 4813, 2525},
	{25, 4887, 5188, 875}, {26, 5537, 5688, -291},
}

// utraULExtra are the uplink additional channels of TS 25.101 table 5.1A.
var utraULExtra = [...]utraExtra{
	{2, every25(12, 287), 1850.1},
	{4, every25(1662, 1862), 1380.1},
	{5, []int{782, 787, 807, 812, 837, 862}, 670.1}, // band VI's 812 and 837 are among them
	{7, every25(2362, 2687), 2030.1},
	{10, every25(3187, 3462), 1075.1},
	{12, []int{3707, 3732, 3737, 3762, 3767}, -39.9},
	{13, []int{3842, 3867}, 11.1},
	{14, []int{3942, 3967}, 2.1},
	{19, []int{387, 412, 437}, 755.1},
	{25, every25(6067, 6367), 639.1},
	{26, []int{5712, 5737, 5762, 5767, 5787, 5792, 5812, 5817, 5837, 5842, 5862}, -325.9},
}

// nrMHz is F_REF of NR-ARFCN n on the global frequency raster (TS 38.104
// table 5.4.2.1-1).
func nrMHz(n int) (float64, bool) {
	switch {
	case n > 0 && n <= 599999: // 0 would be 0 MHz: no carrier
		return round1k(0.005 * float64(n)), true
	case n >= 600000 && n <= 2016666:
		return round1k(3000 + 0.015*float64(n-600000)), true
	case n >= 2016667 && n <= 3279165:
		return round1k(24250.08 + 0.06*float64(n-2016667)), true
	}
	return 0, false
}
