// Package refdata ships the Norwegian and Swedish counties and municipalities,
// with population, inside the binary. See data/README.md for sources and dates.
package refdata

import (
	"slices"
	"strings"
)

// County is a Norwegian fylke or a Swedish län.
type County struct {
	Country string `json:"country"` // "NO" or "SE"
	Number  string `json:"number"`  // 2 digits, kept as a string for the leading zero
	Name    string `json:"name"`    // SE names carry " län"
}

// Municipality is a Norwegian kommune or a Swedish kommun.
type Municipality struct {
	Country      string `json:"country"`
	Number       string `json:"number"` // 4 digits; the first two are CountyNumber
	Name         string `json:"name"`   // Norwegian form in NO; no " kommun" suffix in SE
	CountyNumber string `json:"county_number"`
	ParallelName string `json:"parallel_name,omitempty"` // Sámi name where it differs (NO only)
	Population   int    `json:"population"`
	Year         int    `json:"year"` // year of the population count; see data/README.md for the day
}

// Countries lists the supported country codes.
var Countries = []string{"NO", "SE"}

func get(country string) *table { return tables()[strings.ToUpper(country)] }

// Counties returns a copy, so callers may sort or modify it.
func Counties(country string) []County {
	if t := get(country); t != nil {
		return slices.Clone(t.counties)
	}
	return nil
}

func CountyByNumber(country, number string) (County, bool) {
	if t := get(country); t != nil {
		if i, ok := t.countyIdx[number]; ok {
			return t.counties[i], true
		}
	}
	return County{}, false
}

// Municipalities returns a copy, so callers may sort or modify it.
func Municipalities(country string) []Municipality {
	if t := get(country); t != nil {
		return slices.Clone(t.munis)
	}
	return nil
}

func MunicipalitiesIn(country, countyNumber string) []Municipality {
	var out []Municipality
	if t := get(country); t != nil {
		for _, m := range t.munis {
			if m.CountyNumber == countyNumber {
				out = append(out, m)
			}
		}
	}
	return out
}

func MunicipalityByNumber(country, number string) (Municipality, bool) {
	if t := get(country); t != nil {
		if i, ok := t.muniIdx[number]; ok {
			return t.munis[i], true
		}
	}
	return Municipality{}, false
}

// CountyPopulation sums the municipalities, so it always agrees with them
// (cost-sharing keys are computed from both levels).
func CountyPopulation(country, countyNumber string) int {
	sum := 0
	for _, m := range MunicipalitiesIn(country, countyNumber) {
		sum += m.Population
	}
	return sum
}
