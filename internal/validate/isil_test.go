package validate

import "testing"

func TestISIL(t *testing.T) {
	tests := []struct {
		name, in, want, code string
		args                 map[string]any
	}{
		{"national library", "NO-0030000", "NO-0030000", "", nil},
		{"public", "NO-2030000", "NO-2030000", "", nil},
		{"trimmed", "  NO-2030000\t", "NO-2030000", "", nil},
		{"lower case", "no-2030000", "NO-2030000", "", nil},
		{"swedish", "SE-Ho", "SE-HO", "", nil},
		{"german with slash and colon", "DE-Tue120:a/b", "DE-TUE120:A/B", "", nil},
		{"hyphen in identifier", "US-DLC-x", "US-DLC-X", "", nil},
		{"one-letter prefix", "O-ABC", "O-ABC", "", nil},
		{"four-letter prefix", "ZDBX-1", "ZDBX-1", "", nil},
		{"exactly 16", "DE-1234567890123", "DE-1234567890123", "", nil},

		{"empty", "", "", CodeISILEmpty, nil},
		{"blank", "   ", "", CodeISILEmpty, nil},
		{"17 characters", "DE-12345678901234", "", CodeISILTooLong, map[string]any{"Max": 16, "Len": 17}},
		{"length counts characters, not bytes", "DE-ÆØÅ1234567890", "", CodeISILCharset, map[string]any{"Char": "Æ"}},
		{"space inside", "NO 2030000", "", CodeISILCharset, map[string]any{"Char": " "}},
		{"en dash", "NO–2030000", "", CodeISILCharset, map[string]any{"Char": "–"}},
		{"underscore", "DE_1", "", CodeISILCharset, map[string]any{"Char": "_"}},
		{"no hyphen", "DE1234", "", CodeISILPrefix, nil},
		{"five-letter prefix", "ABCDE-1", "", CodeISILPrefix, nil},
		{"digit in prefix", "N0-2030000", "", CodeISILPrefix, nil},
		{"empty prefix", "-2030000", "", CodeISILPrefix, nil},
		{"empty identifier", "DE-", "", CodeISILPrefix, nil},
		{"NO without hyphen", "NO2030000", "", CodeISILNoForm, nil},
		{"NO six digits", "NO-203000", "", CodeISILNoForm, nil},
		{"NO eight digits", "NO-20300000", "", CodeISILNoForm, nil},
		{"NO letters", "NO-Deich", "", CodeISILNoForm, nil},
		{"NO lower case letters", "no-203000a", "", CodeISILNoForm, nil},
		{"NO empty identifier", "NO-", "", CodeISILPrefix, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, p := ISIL(tt.in)
			wantCode(t, p, tt.code)
			if got != tt.want {
				t.Errorf("ISIL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if p != nil {
				if p.Field != "isil" || p.Value != tt.in {
					t.Errorf("problem %+v", p)
				}
				for k, v := range tt.args {
					if p.Args[k] != v {
						t.Errorf("Args[%s] = %v, want %v", k, p.Args[k], v)
					}
				}
			}
		})
	}
}

func TestISILTypeWarning(t *testing.T) {
	tests := []struct {
		isil, typ string
		warn      bool
	}{
		{"NO-2030000", TypePublic, false},
		{"NO-2030000", TypeCounty, false},
		{"NO-2030000", TypeAcademic, true},
		{"NO-3000001", TypeUpperSecondary, false},
		{"NO-3000001", TypePrimarySchool, true},
		{"NO-4000001", TypePrimarySchool, false},
		{"NO-4000001", TypeUpperSecondary, true},
		{"NO-1000001", TypeAcademic, false},
		{"NO-1000001", TypeSpecial, false},
		{"NO-1000001", TypePublic, true},
		{"no-1000001", TypePublic, true},    // normalised first
		{"NO-2030000", TypeOther, false},    // other fits anything
		{"NO-0030000", TypePublic, false},   // 0 says nothing
		{"NO-5030000", TypePublic, false},   // nor does 5
		{"SE-Ho", TypePrimarySchool, false}, // not Norwegian
		{"NO-203", TypeAcademic, false},     // invalid ISIL is ISIL's business
		{"NO-2030000", "", false},           // type not chosen yet
		{"NO-2030000", "folkebibliotek", false},
	}
	for _, tt := range tests {
		p := ISILTypeWarning(tt.isil, tt.typ)
		if (p != nil) != tt.warn {
			t.Errorf("ISILTypeWarning(%q, %q) = %v, want warning %v", tt.isil, tt.typ, p, tt.warn)
			continue
		}
		if p == nil {
			continue
		}
		wantCode(t, p, CodeISILTypeMismatch)
		digit, _ := ISIL(tt.isil)
		if p.Args["Digit"] != digit[3:4] || p.Args["Type"] != tt.typ || p.Value != tt.isil {
			t.Errorf("ISILTypeWarning(%q, %q) = %+v", tt.isil, tt.typ, p)
		}
	}
}
