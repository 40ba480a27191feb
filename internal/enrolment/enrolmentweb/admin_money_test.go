package enrolmentweb

import (
	"math"
	"testing"
)

// Prices are typed in kroner the way people write them and stored in øre
// exactly; anything ambiguous is refused rather than guessed at.
func TestAdmParsePrice(t *testing.T) {
	good := map[string]int64{
		"12500": 1250000, "12 500": 1250000, "12 500,00": 1250000, "12 500,50": 1250050, "12500.5": 1250050,
		"12\u00a0500,05": 1250005, "1\u202f234\u202f567,89": 123456789, " 0 ": 0, "0,01": 1, "-300": -30000,
		"\u2212300,5": -30050, "1 000 000": 100000000, "92233720368547758,07": math.MaxInt64,
	}
	for in, want := range good {
		if got, err := admParsePrice(in); err != nil || got != want {
			t.Errorf("admParsePrice(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", ",5", "12.500", "12,500", "12.500,00", "12 500,005", "12 50", "1234 567", "12  500",
		"12,", "12,5x", "kr 100", "1e3", "--5", "92233720368547758,08", "12_500", "+5"} {
		if got, err := admParsePrice(in); err == nil {
			t.Errorf("admParsePrice(%q) = %d, want refused", in, got)
		}
	}
}

func TestAdmMoneyAndFileName(t *testing.T) {
	for _, c := range []struct {
		lang  string
		minor int64
		want  string
	}{{"nb", 1250050, "12 500,50 NOK"}, {"sv", 5, "0,05 NOK"}, {"en", 123456789, "1,234,567.89 NOK"}, {"nb", -30050, "-300,50 NOK"},
		{"nb", math.MinInt64, "-92 233 720 368 547 758,08 NOK"}} {
		if got := formatMoney(c.lang, c.minor, "NOK"); got != c.want {
			t.Errorf("formatMoney(%s, %d) = %q, want %q", c.lang, c.minor, got, c.want)
		}
	}
	for in, want := range map[string]string{"Tilknytning 2027": "tilknytning-2027", "Påmelding – høst/vår": "pamelding-host-var",
		"  ": "fallback", "Ærlig: Åpen!": "aerlig-apen"} {
		if got := admFileName(in, "fallback"); got != want {
			t.Errorf("admFileName(%q) = %q, want %q", in, got, want)
		}
	}
}
