package validate

import (
	"math"
	"testing"
)

func TestCoordinates(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		lat, lon float64
		codes    []string
	}{
		{59.9139, 10.7522, nil}, // Oslo
		{59.3293, 18.0686, nil}, // Stockholm
		{-33.9, -70.6, nil},
		{90, 180, nil},
		{-90, -180, nil},
		{0, 0, nil},
		{90.0001, 10, []string{CodeLatitude}},
		{-90.5, 10, []string{CodeLatitude}},
		{59, 180.5, []string{CodeLongitude}},
		{59, -181, []string{CodeLongitude}},
		{10.7522, 359.9, []string{CodeLongitude}},
		{nan, 10, []string{CodeLatitude}},
		{59, nan, []string{CodeLongitude}},
		{inf, -inf, []string{CodeLatitude, CodeLongitude}},
		{100, 200, []string{CodeLatitude, CodeLongitude}},
	}
	for _, tt := range tests {
		ps := Coordinates(tt.lat, tt.lon)
		if len(ps) != len(tt.codes) {
			t.Errorf("Coordinates(%v, %v) = %v, want %v", tt.lat, tt.lon, ps, tt.codes)
			continue
		}
		for i, p := range ps {
			wantCode(t, p, tt.codes[i])
			wantField := map[string]string{CodeLatitude: "latitude", CodeLongitude: "longitude"}[p.Code]
			if p.Field != wantField {
				t.Errorf("field %q, want %q", p.Field, wantField)
			}
		}
	}
	p := Coordinates(91, 0)[0]
	if p.Value != "91" || p.Args["Min"] != -90 || p.Args["Max"] != 90 {
		t.Errorf("latitude problem %+v", p)
	}
	p = Coordinates(0, -200.25)[0]
	if p.Value != "-200.25" || p.Args["Min"] != -180 || p.Args["Max"] != 180 {
		t.Errorf("longitude problem %+v", p)
	}
}

func TestParseCoordinate(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		bad  bool
	}{
		{"59.9139", 59.9139, false},
		{"59,9139", 59.9139, false},
		{" 10,7522 ", 10.7522, false},
		{"-33.9", -33.9, false},
		{"−33,9", -33.9, false}, // typographic minus
		{"+18.0686", 18.0686, false},
		{"59", 59, false},
		{"59.", 59, false},
		{".5", 0.5, false},
		{"59.9139°", 59.9139, false},
		{"200", 200, false}, // the range is Coordinates' business
		{"", 0, true},
		{"  ", 0, true},
		{"-", 0, true},
		{".", 0, true},
		{"59,913,9", 0, true},
		{"59.913,9", 0, true},
		{"1 000", 0, true},
		{"NaN", 0, true},
		{"Inf", 0, true},
		{"1e2", 0, true},
		{"0x1p-2", 0, true},
		{"59°54′N", 0, true},
		{"N59.9", 0, true},
		{"5_9", 0, true},
		{"--5", 0, true},
	}
	for _, tt := range tests {
		got, p := ParseCoordinate("latitude", tt.in)
		if tt.bad {
			wantCode(t, p, CodeCoordNumber)
			if p != nil && (p.Field != "latitude" || p.Value != tt.in) {
				t.Errorf("ParseCoordinate(%q): problem %+v", tt.in, p)
			}
			continue
		}
		wantCode(t, p, "")
		if got != tt.want {
			t.Errorf("ParseCoordinate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if _, p := ParseCoordinate("longitude", "x"); p == nil || p.Field != "longitude" {
		t.Errorf("field not passed through: %+v", p)
	}
}
