package mailmsg

import (
	"regexp"
	"testing"
)

func TestNormalizeSubject(t *testing.T) {
	cases := map[string]string{
		"SV: Faktura 2026":                      "Faktura 2026",
		"VS: Faktura 2026":                      "Faktura 2026",
		"Vs: Faktura 2026":                      "Faktura 2026",
		"AW: Lizenz":                            "Lizenz",
		"WG: Lizenz":                            "Lizenz",
		"VB: Licens":                            "Licens",
		"FW: Licens":                            "Licens",
		"Re: SV: Fwd: Tilgang til Oria":         "Tilgang til Oria",
		"SV: Re:  Tilgang   til\tOria ":         "Tilgang til Oria",
		"Re[2]: Tilgang":                        "Tilgang",
		"RE [3] : Tilgang":                      "Tilgang",
		"sv:re:fwd:Tilgang":                     "Tilgang",
		"SV: [Samla #123] Faktura":              "Faktura",
		"[Samla #123] SV: Faktura":              "Faktura",
		"Re: Faktura [Samla #42]":               "Faktura",
		"R: R: R: I: FR-selca LA selcaE":        "FR-selca LA selcaE",
		"Svar på søknad":                        "Svar på søknad",
		"Revisjon: ny avtale":                   "Revisjon: ny avtale",
		"Avtale: SV: x":                         "Avtale: SV: x",
		"Fwd: Please forward this email to me":  "Please forward this email to me",
		"re: [Discourse Meta] eviltrout posted": "[Discourse Meta] eviltrout posted",
		"":                                      "",
	}
	for in, want := range cases {
		if got := NormalizeSubject(in); got != want {
			t.Errorf("NormalizeSubject(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCaseToken(t *testing.T) {
	cases := []struct {
		in string
		n  int64
		ok bool
	}{
		{"SV: [Samla #123] Faktura", 123, true},
		{"[samla#7]", 7, true},
		{"[ Samla # 9001 ] x", 9001, true},
		{"Samla #123", 0, false},
		{"[Samla #0]", 0, false},
		{"[Samla #abc]", 0, false},
		{"[Samla #99999999999999999999]", 0, false},
		{"[Samla #5] and [Samla #6]", 5, true},
	}
	for _, c := range cases {
		n, ok := CaseToken(c.in)
		if n != c.n || ok != c.ok {
			t.Errorf("CaseToken(%q) = %d, %v; want %d, %v", c.in, n, ok, c.n, c.ok)
		}
	}
}

func TestVendorRef(t *testing.T) {
	patterns := map[string]*regexp.Regexp{
		"ebsco":    regexp.MustCompile(`\[SR-(\d+)\]`),
		"proquest": regexp.MustCompile(`Case #\d{8}`),
	}
	v, ref, ok := VendorRef(patterns, "SV: [SR-12345] Tilgang mangler")
	if !ok || v != "ebsco" || ref != "12345" {
		t.Errorf("got %q %q %v", v, ref, ok)
	}
	v, ref, ok = VendorRef(patterns, "Re: Case #01234567 update")
	if !ok || v != "proquest" || ref != "Case #01234567" {
		t.Errorf("got %q %q %v", v, ref, ok)
	}
	if _, _, ok := VendorRef(patterns, "SR-12345 without brackets"); ok {
		t.Error("matched without brackets")
	}
	// Deterministic when several vendors match: name order.
	for range 20 {
		v, _, _ := VendorRef(patterns, "[SR-1] Case #12345678")
		if v != "ebsco" {
			t.Fatalf("vendor = %q, want ebsco", v)
		}
	}
}
