package format

import (
	"slices"
	"strings"

	"github.com/geowarden/geowarden"
)

// A Role is what a column, property or ExtendedData value means to
// geowarden: the record field a codec reads it into. The role names are
// those of Options.Columns and of geowarden.Edit Strip and Set; every codec
// that reads named attributes (CSV columns, GeoJSON properties, KML
// ExtendedData) finds them by the same names and aliases, so that a
// "device_id" or an "earfcn" means the same in every format.
type Role uint8

// Roles, in the order RoleNames lists them.
const (
	RoleNone     Role = iota // no role: a name that is not a role
	RoleLat                  // latitude, decimal degrees
	RoleLon                  // longitude, decimal degrees
	RoleTime                 // time of the record
	RoleSource               // device, contributor: geowarden.Record.Source
	RoleRadio                // radio technology: GSM, LTE, NR, WIFI, ...
	RoleMCC                  // mobile country code
	RoleMNC                  // mobile network code
	RoleArea                 // LAC or TAC
	RoleCell                 // cell id
	RoleFreq                 // carrier frequency, MHz
	RoleARFCN                // channel number: (E/U/NR-)ARFCN
	RoleStrength             // RSSI or RSRP, dBm
	RoleSSID                 // Wi-Fi network name
	RoleBSSID                // Wi-Fi access point address
	RoleAlt                  // altitude, metres
	RoleAccuracy             // horizontal accuracy, metres
	NumRoles                 // the number of roles, RoleNone included
)

var roleNames = [NumRoles]string{
	"", "lat", "lon", "time", "source", "radio", "mcc", "mnc", "area",
	"cell", "freq", "arfcn", "strength", "ssid", "bssid", "alt", "accuracy",
}

// aliases are the names (lower case) each role is found by, best first:
// where an input has several, CSV takes the column of the alias listed
// first. Codecs list them in their package doc; keep those in step.
var aliases = [NumRoles][]string{
	RoleLat:      {"lat", "latitude", "y"},
	RoleLon:      {"lon", "lng", "long", "longitude", "x"},
	RoleTime:     {"ts", "time", "timestamp", "datetime", "created"},
	RoleSource:   {"source", "device", "device_id", "contributor", "user"},
	RoleRadio:    {"radio", "networkmode", "network_mode", "technology"},
	RoleMCC:      {"mcc"},
	RoleMNC:      {"mnc", "net"},
	RoleArea:     {"lac", "area", "tac"},
	RoleCell:     {"cell", "cid", "ci", "cellid", "cell_id", "ecellid", "eci"},
	RoleFreq:     {"freq_mhz", "frequency"},
	RoleARFCN:    {"earfcn", "arfcn", "uarfcn", "nrarfcn", "dl_earfcn", "dl_uarfcn", "dl_arfcn", "nr_arfcn", "ssb_arfcn"},
	RoleStrength: {"rsrp", "rssi", "averagesignal", "signal", "dbm"},
	RoleSSID:     {"ssid"},
	RoleBSSID:    {"bssid", "mac"},
	RoleAlt:      {"alt", "altitude", "ele", "elevation"},
	RoleAccuracy: {"accuracy", "acc"},
}

// String returns the role's name ("" for RoleNone).
func (r Role) String() string {
	if r < NumRoles {
		return roleNames[r]
	}
	return ""
}

// Aliases returns the names (lower case) the role is found by, best first.
// The slice is a copy.
func (r Role) Aliases() []string {
	if r < NumRoles {
		return slices.Clone(aliases[r])
	}
	return nil
}

// RoleNames returns the names of the roles, RoleLat to RoleAccuracy.
func RoleNames() []string {
	return slices.Clone(roleNames[1:])
}

// RoleByName returns the role named name (ignoring case), or RoleNone.
func RoleByName(name string) Role {
	for r := RoleLat; r < NumRoles; r++ {
		if strings.EqualFold(name, roleNames[r]) {
			return r
		}
	}
	return RoleNone
}

// FillFreq sets s.FreqMHz, when it is unknown, from the channel number and
// the radio (geowarden.ChannelMHz): the downlink carrier of a GSM ARFCN, a
// UMTS UARFCN or an LTE EARFCN, the uplink carrier of an LTE uplink
// EARFCN, the raster frequency of an NR-ARFCN. A channel number with no
// radio, or a radio with no channel plan there, leaves the frequency
// unknown: the same number is a different carrier in each plan. Every
// codec that reads a channel number calls it, so that a record gets the
// same frequency, and so the same signal classes, whatever format it came
// in.
func FillFreq(s *geowarden.Signal) {
	if s.FreqMHz == 0 && s.HasARFCN {
		s.FreqMHz, _ = geowarden.ChannelMHz(s.Radio, s.ARFCN)
	}
}

// SignalKind returns the kind a record with signal s is: geowarden.KindWifi
// when it has an SSID, a BSSID or the radio "wifi" (in any case),
// geowarden.KindCell when it has another radio, an MCC, a cell id, a
// frequency or a channel number. Otherwise ok is false and the codec keeps
// its own kind (a fix, a feature).
func SignalKind(s *geowarden.Signal) (k geowarden.Kind, ok bool) {
	switch {
	case s.SSID != "" || s.BSSID != "" || strings.EqualFold(s.Radio, "wifi"):
		return geowarden.KindWifi, true
	case s.Radio != "" || s.MCC != 0 || s.Cell != 0 || s.FreqMHz != 0 || s.HasARFCN:
		return geowarden.KindCell, true
	}
	return 0, false
}
