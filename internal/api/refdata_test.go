package api_test

import (
	"net/http"
	"testing"

	"github.com/samla-org/samla/internal/auth"
)

func TestReferenceData(t *testing.T) {
	e := newEnv(t)
	tok := e.role(auth.RoleLibrary)
	for _, c := range []struct {
		country  string
		counties int
		people   int
	}{{"NO", 15, 5550203}, {"SE", 21, 10587710}} {
		var counties []struct {
			Country    string `json:"country"`
			Number     string `json:"number"`
			Name       string `json:"name"`
			Population int    `json:"population"`
		}
		e.call(tok, http.MethodGet, "/counties?country="+c.country, nil).must(t, http.StatusOK, &counties)
		sum := 0
		for _, k := range counties {
			sum += k.Population
			if len(k.Number) != 2 || k.Name == "" || k.Country != c.country {
				t.Errorf("county %+v", k)
			}
		}
		if len(counties) != c.counties || sum != c.people {
			t.Errorf("%s: %d counties with %d people, want %d and %d", c.country, len(counties), sum, c.counties, c.people)
		}
	}
	var munis []struct {
		Number     string `json:"number"`
		Name       string `json:"name"`
		Population int    `json:"population"`
	}
	e.call(tok, http.MethodGet, "/municipalities?country=NO&county=03", nil).must(t, http.StatusOK, &munis)
	if len(munis) != 1 || munis[0].Number != "0301" || munis[0].Name != "Oslo" || munis[0].Population != 717710 {
		t.Errorf("Oslo county's municipalities: %+v", munis)
	}
}
