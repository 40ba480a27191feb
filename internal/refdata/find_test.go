package refdata

import "testing"

func TestFindCounty(t *testing.T) {
	for _, tc := range []struct{ country, in, want string }{
		{"NO", "03", "03"},
		{"NO", "3", "03"},
		{"NO", " 3 ", "03"},
		{"NO", "oslo", "03"},
		{"NO", "MØRE OG ROMSDAL", "15"},
		{"NO", "Nordland fylke", "18"},
		{"NO", "Troms fylkeskommune", "55"},
		{"NO", "Troms - Romsa - Tromssa", "55"},
		{"NO", "55 Troms", "55"},
		{"NO", "0301", ""},
		{"NO", "Stockholm", ""},
		{"NO", "", ""},
		{"SE", "1", "01"},
		{"SE", "Stockholms län", "01"},
		{"SE", "stockholms  LÄN", "01"},
		{"SE", "Stockholms", "01"},
		// A county finder is asked for a county, so the short form SCB itself uses
		// is unambiguous even though Stockholm is also a kommun.
		{"SE", "Stockholm", "01"},
		{"SE", "Dalarna", "20"},
		{"SE", "Västra Götaland", "14"},
		{"SE", "Skåne län", "12"},
		{"SE", "Oslo", ""},
		{"SE", "Stockholm kommun", ""},
	} {
		c, ok := FindCounty(tc.country, tc.in)
		if got := c.Number; got != tc.want || ok != (tc.want != "") {
			t.Errorf("FindCounty(%q, %q) = %q, %v; want %q", tc.country, tc.in, got, ok, tc.want)
		}
	}
}

// SCB's county_name_short for every län (se-counties.source.csv upstream).
func TestFindCountySwedishShortNames(t *testing.T) {
	short := []string{"Stockholm", "Uppsala", "Södermanland", "Östergötland", "Jönköping",
		"Kronoberg", "Kalmar", "Gotland", "Blekinge", "Skåne", "Halland", "Västra Götaland",
		"Värmland", "Örebro", "Västmanland", "Dalarna", "Gävleborg", "Västernorrland",
		"Jämtland", "Västerbotten", "Norrbotten"}
	counties := Counties("SE")
	for i, name := range short {
		if c, ok := FindCounty("SE", name); !ok || c != counties[i] {
			t.Errorf("FindCounty(SE, %q) = %+v, %v; want %+v", name, c, ok, counties[i])
		}
	}
}

func TestFindMunicipality(t *testing.T) {
	for _, tc := range []struct{ country, in, want string }{
		{"NO", "0301", "0301"},
		{"NO", "301", "0301"},
		{"NO", "Oslo", "0301"},
		{"NO", "tromsø", "5501"},
		{"NO", "Tromsø kommune", "5501"},
		{"NO", "Kautokeino", "5612"},
		{"NO", "Guovdageaidnu", "5612"},
		{"NO", "Guovdageaidnu - Kautokeino", "5612"},
		{"NO", "Kautokeino – Guovdageaidnu", "5612"},
		{"NO", "Guovdageaidnu/Kautokeino", "5612"},
		{"NO", "Gáivuotna - Kåfjord - Kaivuono", "5540"},
		{"NO", "Aurskog-Høland", "3226"},
		{"NO", "5612 Kautokeino", "5612"},
		{"NO", "Ka\u0301ra\u0301s\u030cjohka", "5610"}, // decomposed accents
		{"NO", "Oslo\u00a0kommune", "0301"},
		// Two municipalities share these names; only the county disambiguates.
		{"NO", "Herøy", ""},
		{"NO", "Våler", ""},
		{"NO", "Herøy (Nordland)", "1818"},
		{"NO", "Herøy (Møre og Romsdal)", "1515"},
		{"NO", "Våler (Innlandet)", "3419"},
		{"NO", "Våler (Østfold)", "3114"},
		{"NO", "Herøy (Oslo)", ""},
		{"NO", "Herøy (Atlantis)", ""},
		{"NO", "Kautokeino - Tana", ""},
		{"NO", "0301 Bergen", ""},
		{"NO", "Nord-Tana", ""},
		{"NO", "03", ""},
		{"NO", "12345", ""},
		{"NO", "Stockholm", ""},
		{"SE", "0114", "0114"},
		{"SE", "114", "0114"},
		{"SE", "Upplands Väsby", "0114"},
		{"SE", "Upplands Väsby kommun", "0114"},
		{"SE", "upplands väsby KOMMUN", "0114"},
		{"SE", "Österåkers kommun", "0117"},
		{"SE", "Borås kommun", "1490"},
		{"SE", "Stockholm", "0180"},
		{"SE", "Stockholms kommun", "0180"},
		{"SE", "Gotland", "0980"},
		{"SE", "Malung-Sälen", "2023"},
		{"SE", "Stockholms län", ""},
		{"SE", "Oslo", ""},
		{"DK", "København", ""},
	} {
		m, ok := FindMunicipality(tc.country, tc.in)
		if got := m.Number; got != tc.want || ok != (tc.want != "") {
			t.Errorf("FindMunicipality(%q, %q) = %q, %v; want %q", tc.country, tc.in, got, ok, tc.want)
		}
	}
}

// The only names shared by two municipalities, so ambiguity handling is exercised
// by real data; if this changes, review the Herøy/Våler cases above.
func TestAmbiguousNames(t *testing.T) {
	for _, country := range Countries {
		var dup []string
		for name, nums := range tables()[country].muniNames {
			if len(nums) > 1 {
				dup = append(dup, name)
			}
		}
		want := map[string]int{"NO": 2, "SE": 0}[country]
		if len(dup) != want {
			t.Errorf("%s: ambiguous names %v, want %d", country, dup, want)
		}
		for name, nums := range tables()[country].countyNames {
			if len(nums) > 1 {
				t.Errorf("%s: ambiguous county name %q", country, name)
			}
		}
	}
}
