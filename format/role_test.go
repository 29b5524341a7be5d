package format

import (
	"slices"
	"testing"

	"github.com/geowarden/geowarden"
)

func TestRoleByName(t *testing.T) {
	for i, n := range RoleNames() {
		if r := RoleByName(n); r != Role(i+1) || r.String() != n {
			t.Errorf("RoleByName(%q) = %d (%q), want %d", n, r, r, i+1)
		}
		if !slices.Contains(Role(i+1).Aliases(), n) && n != "freq" && n != "strength" {
			t.Errorf("role %q is not among its own aliases %v", n, Role(i+1).Aliases())
		}
	}
	if r := RoleByName("ARFCN"); r != RoleARFCN {
		t.Errorf("RoleByName(ARFCN) = %v, want arfcn", r)
	}
	if r := RoleByName("earfcn"); r != RoleNone {
		t.Errorf("RoleByName(earfcn) = %v, want none (an alias is not a role name)", r)
	}
}

// TestAliasesUnique checks that no name is an alias of two roles, which
// would make the codecs disagree on what it holds.
func TestAliasesUnique(t *testing.T) {
	seen := map[string]Role{}
	for r := RoleLat; r < NumRoles; r++ {
		for _, a := range r.Aliases() {
			if o, ok := seen[a]; ok {
				t.Errorf("alias %q of both %v and %v", a, o, r)
			}
			seen[a] = r
		}
	}
}

func TestSignal(t *testing.T) {
	tests := []struct {
		name   string
		in     geowarden.Signal
		freq   float64
		kind   geowarden.Kind
		hasKnd bool
	}{
		{"nothing", geowarden.Signal{}, 0, 0, false},
		{"strength alone", geowarden.Signal{Strength: -70, HasStrength: true}, 0, 0, false},
		{"GSM ARFCN", geowarden.Signal{Radio: "gsm", ARFCN: 975, HasARFCN: true}, 925.2, geowarden.KindCell, true},
		{"frequency kept", geowarden.Signal{Radio: "GSM", ARFCN: 975, HasARFCN: true, FreqMHz: 1}, 1, geowarden.KindCell, true},
		{"ARFCN without radio", geowarden.Signal{ARFCN: 10, HasARFCN: true}, 0, geowarden.KindCell, true},
		{"LTE EARFCN", geowarden.Signal{Radio: "LTE", ARFCN: 6300, HasARFCN: true}, 806, geowarden.KindCell, true},
		{"LTE uplink EARFCN", geowarden.Signal{Radio: "LTE", ARFCN: 21450, HasARFCN: true}, 880, geowarden.KindCell, true},
		{"NR-ARFCN in n100", geowarden.Signal{Radio: "NR", ARFCN: 184000, HasARFCN: true}, 920, geowarden.KindCell, true},
		{"UMTS UARFCN", geowarden.Signal{Radio: "UMTS", ARFCN: 10700, HasARFCN: true}, 2140, geowarden.KindCell, true},
		{"Wi-Fi channel", geowarden.Signal{Radio: "wifi", ARFCN: 6, HasARFCN: true}, 0, geowarden.KindWifi, true},
		{"MCC", geowarden.Signal{MCC: 262}, 0, geowarden.KindCell, true},
		{"BSSID over radio", geowarden.Signal{Radio: "LTE", BSSID: "x"}, 0, geowarden.KindWifi, true},
		{"radio wifi", geowarden.Signal{Radio: "WIFI"}, 0, geowarden.KindWifi, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.in
			FillFreq(&s)
			if s.FreqMHz != tt.freq {
				t.Errorf("FreqMHz = %v, want %v", s.FreqMHz, tt.freq)
			}
			if k, ok := SignalKind(&s); k != tt.kind || ok != tt.hasKnd {
				t.Errorf("SignalKind = %v, %v; want %v, %v", k, ok, tt.kind, tt.hasKnd)
			}
		})
	}
}
