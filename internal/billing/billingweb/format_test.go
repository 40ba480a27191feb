package billingweb

import (
	"testing"

	"github.com/samla-org/samla/internal/money"
)

func TestParsePercent(t *testing.T) {
	for in, want := range map[string]int64{"5": 500, "2,5": 250, "2.25": 225, " 25 ": 2500, "0": 0} {
		if got, ok := parsePercent(in); !ok || got != want {
			t.Errorf("parsePercent(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "fem", "-5", "2,555"} {
		if _, ok := parsePercent(in); ok {
			t.Errorf("parsePercent(%q) accepted", in)
		}
	}
	if got := money.PercentText(250, "nb"); got != "2,5" {
		t.Errorf("PercentText(250, nb) = %q", got)
	}
}
