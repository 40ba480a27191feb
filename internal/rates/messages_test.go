package rates_test

import (
	"testing"

	"github.com/samla-org/samla/internal/i18n"
	"github.com/samla-org/samla/internal/rates"
)

// Every problem code has all three translations, and the English one says
// what Problem.Error says, so the CLI's and the page's messages agree.
func TestMessagesTranslatedAndEnglishAgrees(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]any{"MaxMB": 32, "Found": "JPY", "Want": "SEK, EUR", "Got": 3, "Freq": "M", "Date": "2025-05-09",
		"Currency": "USD", "Other": 2, "Source": "ecb", "InFile": "1.000000", "Stored": "2.000000", "Max": 500, "Rate": "10.373711"}
	for _, code := range rates.Codes {
		for _, l := range i18n.Languages {
			if !cat.Has(l, code) {
				t.Errorf("%s has no %s translation", code, l)
			}
		}
		p := rates.Problem{Line: 7, Field: "OBS_VALUE", Value: "x", Code: code, Args: args}
		if got, want := cat.T("en", code, p.Data()), p.Error(); got != want {
			t.Errorf("%s:\n catalogue %q\n      Go %q", code, got, want)
		}
	}
}
