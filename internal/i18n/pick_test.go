package i18n

import "testing"

func TestPick(t *testing.T) {
	for _, tc := range []struct{ choice, accept, want string }{
		{"", "", "nb"},
		{"sv", "en-US,en;q=0.9", "sv"},
		{"en", "", "en"},
		{"de", "sv-SE", "sv"}, // unsupported choice is ignored
		{"NB-no", "", "nb"},
		{"", "nb-NO,nb;q=0.9,en;q=0.8", "nb"},
		{"", "nn", "nb"},
		{"", "no", "nb"},
		{"", "no-NO", "nb"},
		{"", "sv-FI", "sv"},
		{"", "sv_SE", "sv"},
		{"", "en-GB,en;q=0.9", "en"},
		{"", "de-DE,de;q=0.9,sv;q=0.7,en;q=0.8", "en"},
		{"", "en;q=0.5, sv;q=0.6", "sv"},
		{"", "en;q=0.5,sv;q=0.5", "en"}, // tie: earlier wins
		{"", "sv;q=0, en;q=0.1", "en"},  // q=0 means "not this"
		{"", "sv;q=0", "nb"},
		{"", "sv;q=abc, en;q=0.2", "en"},
		{"", "sv;q=2, en;q=0.2", "en"},
		{"", "da, fi", "nb"},
		{"", "*", "nb"},
		{"", " en-US ; q=0.8 , sv ; q=0.9 ", "sv"},
	} {
		if got := Pick(tc.choice, tc.accept); got != tc.want {
			t.Errorf("Pick(%q, %q) = %q, want %q", tc.choice, tc.accept, got, tc.want)
		}
	}
}
