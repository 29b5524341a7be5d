package policyfile

import "testing"

func TestParseDistance(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr string
	}{
		{"100m", 100, ""},
		{"100 m", 100, ""},
		{"1 km", 1000, ""},
		{"0.5km", 500, ""},
		{"1.5KM", 1500, ""},
		{"250", 250, ""},
		{"0.1", 0.1, ""},
		{"100 ft", 0, `"100 ft" is not a distance (want metres or kilometres, such as 100m or 1 km)`},
		{"km", 0, `"km" is not a distance (want metres or kilometres, such as 100m or 1 km)`},
		{"-1m", 0, `"-1m" is not a distance (want metres or kilometres, such as 100m or 1 km)`},
		{"0", 0, `"0": grid must be above zero`},
		{"20001 km", 0, `"20001 km": grid must be at most 20000 km`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, msg := ParseDistance(tt.in)
			if got != tt.want || msg != tt.wantErr {
				t.Errorf("got %v %q, want %v %q", got, msg, tt.want, tt.wantErr)
			}
		})
	}
}
