package refdata

import (
	"strconv"
	"strings"
	"testing"
)

// The figures below are the measured facts in data/README.md; a data update
// must change both together.

func TestEmbeddedDataParses(t *testing.T) {
	for _, c := range Countries {
		if tables()[c] == nil {
			t.Fatalf("no table for %s", c)
		}
	}
}

func TestCounts(t *testing.T) {
	for _, tc := range []struct {
		country         string
		counties, munis int
		population      int
		year            int
	}{
		{"NO", 15, 357, 5_550_203, 2025},
		{"SE", 21, 290, 10_587_710, 2024},
	} {
		if n := len(Counties(tc.country)); n != tc.counties {
			t.Errorf("%s: %d counties, want %d", tc.country, n, tc.counties)
		}
		ms := Municipalities(tc.country)
		if len(ms) != tc.munis {
			t.Errorf("%s: %d municipalities, want %d", tc.country, len(ms), tc.munis)
		}
		sum := 0
		for _, m := range ms {
			sum += m.Population
			if m.Year != tc.year {
				t.Errorf("%s %s: year %d, want %d", tc.country, m.Number, m.Year, tc.year)
			}
		}
		if sum != tc.population {
			t.Errorf("%s: population %d, want %d", tc.country, sum, tc.population)
		}
		counties := 0
		for _, c := range Counties(tc.country) {
			counties += CountyPopulation(tc.country, c.Number)
		}
		if counties != tc.population {
			t.Errorf("%s: county populations sum to %d, want %d", tc.country, counties, tc.population)
		}
	}
}

func TestMunicipalitiesPerCounty(t *testing.T) {
	want := map[string]string{
		"NO": "03:1 11:23 15:27 18:41 31:12 32:21 33:18 34:46 39:6 40:17 42:25 46:43 50:38 55:21 56:18",
		"SE": "01:26 03:8 04:9 05:13 06:13 07:8 08:12 09:1 10:5 12:33 13:6 14:49 17:16 18:12 19:10 20:15 21:10 22:7 23:8 24:15 25:14",
	}
	for country, w := range want {
		var got []string
		for _, c := range Counties(country) {
			got = append(got, c.Number+":"+strconv.Itoa(len(MunicipalitiesIn(country, c.Number))))
		}
		if g := strings.Join(got, " "); g != w {
			t.Errorf("%s per county:\n got %s\nwant %s", country, g, w)
		}
	}
}

func TestNumbersAndJoins(t *testing.T) {
	for _, country := range Countries {
		prev := ""
		for _, c := range Counties(country) {
			if len(c.Number) != 2 || c.Number <= prev || c.Country != country {
				t.Errorf("%s: county %+v out of order or malformed", country, c)
			}
			prev = c.Number
		}
		prev = ""
		for _, m := range Municipalities(country) {
			if len(m.Number) != 4 || m.Number <= prev || m.Country != country {
				t.Errorf("%s: municipality %+v out of order or malformed", country, m)
			}
			prev = m.Number
			if !strings.HasPrefix(m.Number, m.CountyNumber) {
				t.Errorf("%s %s: number does not start with county %s", country, m.Number, m.CountyNumber)
			}
			if _, ok := CountyByNumber(country, m.CountyNumber); !ok {
				t.Errorf("%s %s: unknown county %s", country, m.Number, m.CountyNumber)
			}
			if m.Population <= 0 {
				t.Errorf("%s %s: population %d", country, m.Number, m.Population)
			}
		}
	}
}

func TestSmallestAndLargest(t *testing.T) {
	for _, tc := range []struct {
		country, number, name string
		population            int
		largest               bool
	}{
		{"NO", "1151", "Utsira", 215, false},
		{"NO", "0301", "Oslo", 717_710, true},
		{"SE", "2425", "Dorotea", 2_294, false},
		{"SE", "0180", "Stockholm", 995_574, true},
	} {
		m, ok := MunicipalityByNumber(tc.country, tc.number)
		if !ok || m.Name != tc.name || m.Population != tc.population {
			t.Errorf("%s %s = %+v, %v; want %s %d", tc.country, tc.number, m, ok, tc.name, tc.population)
		}
		for _, o := range Municipalities(tc.country) {
			if tc.largest && o.Population > m.Population || !tc.largest && o.Population < m.Population {
				t.Errorf("%s: %s (%d) is beyond %s", tc.country, o.Name, o.Population, tc.name)
			}
		}
	}
	if got := CountyPopulation("NO", "03"); got != 717_710 {
		t.Errorf("Oslo county population %d", got)
	}
}

func TestParallelNames(t *testing.T) {
	n := 0
	for _, m := range Municipalities("NO") {
		if m.ParallelName != "" {
			n++
		}
	}
	if n != 12 {
		t.Errorf("%d parallel names, want 12", n)
	}
	if m, _ := MunicipalityByNumber("NO", "5612"); m.Name != "Kautokeino" || m.ParallelName != "Guovdageaidnu" {
		t.Errorf("5612 = %+v", m)
	}
}

func TestCopiesAndUnknownCountry(t *testing.T) {
	Counties("NO")[0].Name = "changed"
	Municipalities("SE")[0].Name = "changed"
	if c, _ := CountyByNumber("NO", "03"); c.Name != "Oslo" {
		t.Error("Counties shares its backing array")
	}
	if m, _ := MunicipalityByNumber("SE", "0114"); m.Name != "Upplands Väsby" {
		t.Error("Municipalities shares its backing array")
	}
	if Counties("DK") != nil || Municipalities("DK") != nil || CountyPopulation("DK", "01") != 0 {
		t.Error("unknown country returned data")
	}
	if len(Counties("no")) != 15 {
		t.Error("country code should be case-insensitive")
	}
}
