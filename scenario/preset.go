package scenario

// A preset is a real area of Europe that a scenario's synthetic region is
// laid over: its centre, its country's mobile networks, and the sounds of
// its place names. Towns, lines, roads and sites are drawn from the seed;
// only the setting is real.
type preset struct {
	name     string
	lat, lon float64
	mcc      int
	networks []network // public mobile networks
	railMNC  int       // the railway's private GSM-R network, same MCC
	railName string
	// Place names: prefix + stem + suffix.
	prefixes, stems, suffixes []string
	// Wi-Fi network names: a pattern per family, '#' a hex digit, '9' a
	// decimal digit, 'A' an upper-case letter.
	ssids []string
}

type network struct {
	mnc  int
	name string
}

// presets are the settings a seed picks from. The GSM-R network codes
// are those the railways publish in the ITU's list of mobile network
// codes.
var presets = []preset{
	{
		name: "Lower Saxony, Germany", lat: 52.45, lon: 9.95, mcc: 262,
		networks: []network{{1, "Telekom.de"}, {2, "Vodafone.de"}, {3, "o2-de"}},
		railMNC:  10, railName: "DB Netz GSM-R",
		prefixes: []string{"", "", "", "Alt ", "Neu", "Ober", "Nieder", "Groß ", "Klein ", "Bad ", "Hohen"},
		stems:    []string{"Lin", "Hal", "Wes", "Ros", "Bren", "Sar", "Mar", "Wil", "Eld", "Gar", "Ham", "Kre", "Lau", "Mol", "Ost", "Stein", "Wald", "Eich", "Birk", "Tann", "Hild", "Sul", "Wen", "Dor", "Lüb"},
		suffixes: []string{"bach", "berg", "burg", "dorf", "feld", "hausen", "heim", "stedt", "stadt", "au", "walde", "büttel", "hagen", "rode", "ingen", "beck", "horst"},
		ssids:    []string{"FRITZ!Box 7590 AA", "FRITZ!Box 7530 AA", "Vodafone-####", "o2-WLAN99", "WLAN-999999", "Telekom_FON", "EasyBox-######", "DIRECT-AA-HP OfficeJet", "Gäste, Café 9"},
	},
	{
		name: "Burgundy, France", lat: 47.05, lon: 4.75, mcc: 208,
		networks: []network{{1, "Orange F"}, {10, "SFR"}, {20, "Bouygues"}, {15, "Free"}},
		railMNC:  14, railName: "SNCF Réseau GSM-R",
		prefixes: []string{"", "", "", "Saint-", "Le ", "La ", "Mont", "Beau"},
		stems:    []string{"Bel", "Cha", "Vil", "Ro", "Mar", "Cour", "Fon", "Gre", "Lan", "Mor", "Sau", "Ver", "Bris", "Cler", "Dam", "Jou", "Lor", "Sen", "Tour", "Vau"},
		suffixes: []string{"ville", "court", "mont", "ac", "y", "ay", "ières", "eau", "ange", "ignac", "enay", "oux", "in", "euil"},
		ssids:    []string{"Livebox-####", "Freebox-######", "SFR_####", "Bbox-########", "SFR WiFi FON", "orange", "DIRECT-AA-Canon", "Wifi, Mairie 9"},
	},
	{
		name: "Po Valley, Italy", lat: 45.1, lon: 10.4, mcc: 222,
		networks: []network{{1, "TIM"}, {10, "Vodafone IT"}, {88, "WINDTRE"}, {50, "Iliad"}},
		railMNC:  30, railName: "RFI GSM-R",
		prefixes: []string{"", "", "", "San ", "Castel", "Borgo ", "Villa ", "Ponte ", "Monte"},
		stems:    []string{"Roc", "Ser", "Gal", "Cas", "Mon", "Ter", "Val", "Bor", "Cre", "Fon", "Lam", "Mar", "Pio", "Riv", "Sab", "Tor", "Vig", "Cor", "Lu"},
		suffixes: []string{"ano", "ello", "ina", "ate", "ara", "iglio", "one", "asco", "ena", "ago", "ezzo", "olo", "ino"},
		ssids:    []string{"TIM-99999999", "FASTWEB-AAAAAA", "Vodafone-A99999999", "WINDTRE-######", "Iliadbox-######", "DIRECT-AA-Brother", "Bar, Caffè 9"},
	},
	{
		name: "Gelderland, Netherlands", lat: 52.1, lon: 5.85, mcc: 204,
		networks: []network{{8, "KPN"}, {4, "Vodafone NL"}, {16, "Odido"}},
		railMNC:  21, railName: "ProRail GSM-R",
		prefixes: []string{"", "", "", "", "Nieuw-", "Oud-", "Groot-", "Sint-"},
		stems:    []string{"Bre", "Har", "Zwa", "Lee", "Dor", "Wes", "Hoo", "Ven", "Ach", "Ter", "Bos", "Ouw", "Mid", "Nij", "Elst", "Ede", "Bar", "Ap", "Wa"},
		suffixes: []string{"dam", "dijk", "veen", "wijk", "horst", "hoven", "drecht", "lo", "voort", "broek", "zijl", "um", "sel", "beek"},
		ssids:    []string{"Ziggo9999999", "KPN######", "H369A######", "Odido-####", "VGV7519######", "DIRECT-AA-HP", "Gasten, Café 9"},
	},
}
