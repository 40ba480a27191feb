package billing

import (
	"encoding/json"
	"testing"

	"github.com/samla-org/samla/internal/i18n"
)

// TestStepArgs: a step's arguments come back from JSON as json.Number and
// strings; amounts are formatted in the step's currency, counts as whole
// numbers (never 1e+06), codes named and decimals written as the reader
// writes them.
func TestStepArgs(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := json.Marshal([]Step{{Code: "billing.step.rate", Args: map[string]any{
		"basis": "fte", "value": int64(1250000), "rate": "0.35", "amount_minor": int64(43750000), "currency": "EUR",
		"date": "2027-01-04", "year": 2027, "by_population": true}}})
	steps := (&Line{Computation: string(stored)}).Steps()
	for _, c := range []struct {
		lang string
		want map[string]any
	}{
		{"nb", map[string]any{"basis": "årsverk", "value": "1 250 000", "rate": "0,35", "amount_minor": "437 500,00 EUR",
			"date": "04.01.2027", "year": "2027", "by_population": true, "currency": "EUR"}},
		{"en", map[string]any{"basis": "FTE", "value": "1,250,000", "rate": "0.35", "amount_minor": "437,500.00 EUR",
			"date": "4 Jan 2027", "year": "2027", "by_population": true, "currency": "EUR"}},
	} {
		got := steps[0].TextArgs(cat, c.lang)
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("%s: %s = %#v, want %#v", c.lang, k, got[k], v)
			}
		}
	}
}

func TestWholeNumber(t *testing.T) {
	for _, c := range []struct {
		in   any
		want int64
		ok   bool
	}{
		{json.Number("-150"), -150, true},
		{json.Number("9007199254740993"), 9007199254740993, true},
		{json.Number("0.5"), 0, false},
		{"12", 0, false},
		{int64(7), 7, true},
	} {
		if got, ok := wholeNumber(c.in); got != c.want || ok != c.ok {
			t.Errorf("wholeNumber(%v) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// A conversion shows its source amount in the price's currency and the rate
// as people write it.
func TestStepArgsConversion(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := json.Marshal([]Step{{Code: "billing.step.convert", Args: map[string]any{"from_minor": 1_750_000, "from": "EUR",
		"exchange_rate": "11.500000", "amount_minor": 20_125_000, "currency": "NOK", "home": "NOK", "date": "2027-01-04"}}})
	got := (&Line{Computation: string(stored)}).Steps()[0].TextArgs(cat, "nb")
	if got["from_minor"] != "17 500,00 EUR" || got["amount_minor"] != "201 250,00 NOK" || got["exchange_rate"] != "11,5000" {
		t.Errorf("conversion args %v", got)
	}
}
