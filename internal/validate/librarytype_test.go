package validate

import "testing"

func TestLibraryType(t *testing.T) {
	tests := []struct {
		in, want, code string
	}{
		// the codes themselves, in any case and with stray space
		{"public", TypePublic, ""},
		{"county", TypeCounty, ""},
		{"upper_secondary", TypeUpperSecondary, ""},
		{"primary_school", TypePrimarySchool, ""},
		{"academic", TypeAcademic, ""},
		{"special", TypeSpecial, ""},
		{"other", TypeOther, ""},
		{" Public ", TypePublic, ""},
		{"UPPER_SECONDARY", TypeUpperSecondary, ""},

		// Norwegian
		{"Folkebibliotek", TypePublic, ""},
		{"fylkesbibliotek", TypeCounty, ""},
		{"VGS", TypeUpperSecondary, ""},
		{"videregående", TypeUpperSecondary, ""},
		{"Videregående  skole", TypeUpperSecondary, ""},
		{"VIDEREGÅENDE SKOLE", TypeUpperSecondary, ""},
		{"videregA\u030aende", TypeUpperSecondary, ""}, // decomposed å, as some Mac input gives
		{"vidaregåande skule", TypeUpperSecondary, ""},
		{"grunnskole", TypePrimarySchool, ""},
		{"universitet", TypeAcademic, ""},
		{"fag", TypeSpecial, ""},
		{"Fagbibliotek", TypeSpecial, ""},
		{"annet", TypeOther, ""},

		// Swedish
		{"folkbibliotek", TypePublic, ""},
		{"Länsbibliotek", TypeCounty, ""},
		{"LÄNSBIBLIOTEK", TypeCounty, ""},
		{"regionbibliotek", TypeCounty, ""},
		{"gymnasiebibliotek", TypeUpperSecondary, ""},
		{"grundskolebibliotek", TypePrimarySchool, ""},
		{"högskolebibliotek", TypeAcademic, ""},
		{"universitetsbibliotek", TypeAcademic, ""},
		{"sjukhusbibliotek", TypeSpecial, ""},
		{"annat", TypeOther, ""},

		// English
		{"Public library", TypePublic, ""},
		{"primary school", TypePrimarySchool, ""},

		// ambiguous or unknown
		{"skolebibliotek", "", CodeTypeUnknown},
		{"Skolebibliotek", "", CodeTypeUnknown},
		{"school library", "", CodeTypeUnknown},
		{"", "", CodeTypeUnknown},
		{"   ", "", CodeTypeUnknown},
		{"bibliotek", "", CodeTypeUnknown},
		{"public_library", "", CodeTypeUnknown},
		{"folke bibliotek", "", CodeTypeUnknown},
	}
	for _, tt := range tests {
		got, p := LibraryType(tt.in)
		wantCode(t, p, tt.code)
		if got != tt.want {
			t.Errorf("LibraryType(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if p != nil && (p.Field != "type" || p.Value != tt.in) {
			t.Errorf("LibraryType(%q): problem %+v", tt.in, p)
		}
	}
}

func TestLibraryTypesOrder(t *testing.T) {
	want := []string{"public", "county", "upper_secondary", "primary_school", "academic", "special", "other"}
	if len(LibraryTypes) != len(want) {
		t.Fatalf("LibraryTypes = %v", LibraryTypes)
	}
	for i := range want {
		if LibraryTypes[i] != want[i] {
			t.Errorf("LibraryTypes[%d] = %q, want %q", i, LibraryTypes[i], want[i])
		}
	}
	// Every word maps to a real type.
	for w, typ := range typeWords {
		if !isLibraryType(typ) {
			t.Errorf("typeWords[%q] = %q, not a library type", w, typ)
		}
	}
}
