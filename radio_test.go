package geowarden

import "testing"

func TestDownlinkMHz(t *testing.T) {
	tests := []struct {
		radio string
		arfcn int
		want  float64
		ok    bool
	}{
		{"GSM", 0, 935, true},
		{"GSM", 1, 935.2, true},
		{"GSM", 124, 959.8, true},
		{"GSM", 975, 925.2, true},
		{"GSM", 1023, 934.8, true},
		{"GSM", 955, 921.2, true},
		{"GSM", 512, 1805.2, true},
		{"GSM", 885, 1879.8, true},
		{"GSM", 125, 0, false},
		{"GSM", 886, 0, false},
		{"GSM", 954, 0, false},
		{"GSM", -1, 0, false},
		{"gsm", 100, 955, true},
		{"LTE", 100, 0, false},
		{"", 100, 0, false},
	}
	for _, tt := range tests {
		got, ok := DownlinkMHz(tt.radio, tt.arfcn)
		if got != tt.want || ok != tt.ok {
			t.Errorf("DownlinkMHz(%q, %d) = %v, %v; want %v, %v", tt.radio, tt.arfcn, got, ok, tt.want, tt.ok)
		}
	}
}
