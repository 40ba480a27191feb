package refdata

import (
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// kind describes one level (county or municipality) of one country for the finders.
type kind struct {
	names    map[string][]string
	index    map[string]int
	width    int      // digits in a number
	suffixes []string // normalized, with the leading space
	genitive bool     // Swedish "Österåkers kommun" is the kommun "Österåker"
}

func (t *table) countyKind(country string) kind {
	if country == "SE" {
		return kind{t.countyNames, t.countyIdx, 2, []string{" län"}, true}
	}
	return kind{t.countyNames, t.countyIdx, 2, []string{" fylkeskommune", " fylke"}, false}
}

func (t *table) muniKind(country string) kind {
	if country == "SE" {
		return kind{t.muniNames, t.muniIdx, 4, []string{" kommun"}, true}
	}
	return kind{t.muniNames, t.muniIdx, 4, []string{" kommune"}, false}
}

// indexNames maps every accepted spelling to numbers. A spelling shared by two places
// (Herøy, Våler in Norway) keeps both numbers, and the finders then refuse it.
func (t *table) indexNames() {
	t.countyNames, t.muniNames = map[string][]string{}, map[string][]string{}
	for _, c := range t.counties {
		add(t.countyNames, c.Name, c.Number)
		if base, ok := strings.CutSuffix(c.Name, " län"); ok {
			// SCB's short form drops the genitive s as well: "Stockholms län" → "Stockholm".
			add(t.countyNames, base, c.Number)
			add(t.countyNames, strings.TrimSuffix(base, "s"), c.Number)
		}
	}
	for _, m := range t.munis {
		add(t.muniNames, m.Name, m.Number)
		add(t.muniNames, m.ParallelName, m.Number)
	}
}

func add(names map[string][]string, name, number string) {
	key := normalize(name)
	if key != "" && !slices.Contains(names[key], number) {
		names[key] = append(names[key], number)
	}
}

// normalize folds what differs between spreadsheets but not between places:
// case, Unicode composition, repeated or non-breaking spaces, and the dash or
// slash between the two forms of a bilingual name.
func normalize(s string) string {
	s = strings.ToLower(norm.NFC.String(s))
	s = strings.NewReplacer("–", " - ", "—", " - ", "/", " - ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// FindCounty resolves a county as people write it: "3", "03", "Oslo",
// "Stockholms län", "Stockholm", "Nordland fylke", or "03 Oslo".
func FindCounty(country, s string) (County, bool) {
	t := get(country)
	if t == nil {
		return County{}, false
	}
	nums := t.countyKind(strings.ToUpper(country)).resolve(normalize(s))
	if len(nums) != 1 {
		return County{}, false
	}
	return t.counties[t.countyIdx[nums[0]]], true
}

// FindMunicipality resolves a municipality as people write it: "301", "0301",
// "tromsø", "Upplands Väsby kommun", "Guovdageaidnu", "Guovdageaidnu - Kautokeino",
// or "0301 Oslo". A name used by two municipalities resolves only with its county,
// written the way SSB does: "Herøy (Nordland)".
func FindMunicipality(country, s string) (Municipality, bool) {
	t := get(country)
	if t == nil {
		return Municipality{}, false
	}
	s = normalize(s)
	county := ""
	if i := strings.LastIndex(s, "("); i > 0 && strings.HasSuffix(s, ")") {
		c, ok := FindCounty(country, s[i+1:len(s)-1])
		if !ok {
			return Municipality{}, false
		}
		county, s = c.Number, strings.TrimSpace(s[:i])
	}
	nums := t.muniKind(strings.ToUpper(country)).resolve(s)
	nums = slices.DeleteFunc(nums, func(n string) bool { return !strings.HasPrefix(n, county) })
	if len(nums) != 1 {
		return Municipality{}, false
	}
	return t.munis[t.muniIdx[nums[0]]], true
}

// resolve returns every number s may mean; the caller accepts exactly one.
func (k kind) resolve(s string) []string {
	if s == "" {
		return nil
	}
	if isDigits(s) {
		return k.number(s)
	}
	if num, rest, ok := strings.Cut(s, " "); ok && isDigits(num) {
		return intersect(k.number(num), k.resolve(rest))
	}
	if nums := k.name(s); nums != nil {
		return nums
	}
	// Bilingual forms such as "Gáivuotna - Kåfjord - Kaivuono" may include a Kven
	// or Sámi name we do not have, so unknown parts are skipped, but the known
	// parts must agree.
	var out []string
	known := false
	for _, part := range strings.Split(s, " - ") {
		if nums := k.name(part); nums != nil {
			if known {
				out = intersect(out, nums)
			} else {
				out, known = nums, true
			}
		}
	}
	return out
}

func (k kind) name(s string) []string {
	if nums := k.names[s]; nums != nil {
		return slices.Clone(nums)
	}
	for _, suf := range k.suffixes {
		base, ok := strings.CutSuffix(s, suf)
		if !ok {
			continue
		}
		if nums := k.names[base]; nums != nil {
			return slices.Clone(nums)
		}
		if short, ok := strings.CutSuffix(base, "s"); ok && k.genitive {
			return slices.Clone(k.names[short])
		}
	}
	return nil
}

// number pads because spreadsheets drop leading zeros ("301" for 0301).
func (k kind) number(s string) []string {
	if len(s) > k.width {
		return nil
	}
	s = strings.Repeat("0", k.width-len(s)) + s
	if _, ok := k.index[s]; !ok {
		return nil
	}
	return []string{s}
}

func intersect(a, b []string) []string {
	return slices.DeleteFunc(a, func(x string) bool { return !slices.Contains(b, x) })
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
