package validate

import (
	"math"
	"strconv"
	"strings"
)

// Coordinates checks a WGS84 position in decimal degrees. It returns nil when
// both are fine, else one Problem per bad value.
func Coordinates(lat, lon float64) []*Problem {
	var ps []*Problem
	if !inRange(lat, 90) {
		ps = append(ps, problem("latitude", CodeLatitude, formatFloat(lat), map[string]any{"Min": -90, "Max": 90}))
	}
	if !inRange(lon, 180) {
		ps = append(ps, problem("longitude", CodeLongitude, formatFloat(lon), map[string]any{"Min": -180, "Max": 180}))
	}
	return ps
}

// inRange is false for NaN and ±Inf, which fail both comparisons or the bound.
func inRange(v, limit float64) bool {
	return v >= -limit && v <= limit
}

func formatFloat(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// ParseCoordinate parses one coordinate in decimal degrees, as typed: "59.9139",
// the Norwegian and Swedish decimal comma "59,9139", a typographic minus
// "−10.5", or a trailing degree sign. It checks only that s is a plain decimal
// number; call Coordinates for the range. field names the Problem's field
// ("latitude" or "longitude").
//
// strconv.ParseFloat alone would also take "NaN", "Inf", "1e3" and hex floats,
// none of which anyone means as a position.
func ParseCoordinate(field, s string) (float64, *Problem) {
	v := strings.TrimSpace(s)
	v = strings.TrimSpace(strings.TrimSuffix(v, "°"))
	v = strings.Replace(v, "−", "-", 1)
	v = strings.Replace(v, ",", ".", 1)
	if !isDecimal(v) {
		return 0, problem(field, CodeCoordNumber, s, nil)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, problem(field, CodeCoordNumber, s, nil)
	}
	return f, nil
}

// isDecimal reports whether s is an optional sign, digits, and optionally a
// point and more digits, with at least one digit overall.
func isDecimal(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return false
	}
	return (intPart == "" || allDigits(intPart)) && (frac == "" || allDigits(frac))
}
