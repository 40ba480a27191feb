package validate

import (
	"fmt"
	"testing"
)

func TestOrgNumber(t *testing.T) {
	tests := []struct {
		country, in, want, code string
		wantLen                 int // Args["Want"] for length problems
	}{
		// Norway
		{"NO", "988077917", "988077917", "", 0},
		{"NO", "919477822", "919477822", "", 0},
		{"NO", "988 077 917", "988077917", "", 0},
		{"NO", " 988\u00a0077\u00a0917 ", "988077917", "", 0}, // no-break spaces from a word processor
		{"NO", "NO988077917MVA", "988077917", "", 0},
		{"NO", "NO 988 077 917 MVA", "988077917", "", 0},
		{"NO", "no988077917mva", "988077917", "", 0},
		{"NO", "988077917MVA", "988077917", "", 0},
		{"no", "988077917", "988077917", "", 0},
		{"NO", "988000000", "988000000", "", 0}, // remainder 0 → check digit 0
		{"NO", "988077918", "", CodeOrgChecksum, 0},
		{"NO", "988077971", "", CodeOrgChecksum, 0}, // swapped digits
		{"NO", "", "", CodeOrgEmpty, 0},
		{"NO", "  ", "", CodeOrgEmpty, 0},
		{"NO", "98807791", "", CodeOrgLength, 9},
		{"NO", "9880779170", "", CodeOrgLength, 9},
		{"NO", "NOMVA", "", CodeOrgDigits, 0},
		{"NO", "98807791X", "", CodeOrgDigits, 0},
		{"NO", "988-077-917", "", CodeOrgDigits, 0},
		{"NO", "SE988077917", "", CodeOrgDigits, 0},

		// Sweden
		{"SE", "5560360793", "5560360793", "", 0},
		{"SE", "2120000142", "2120000142", "", 0},
		{"SE", "556036-0793", "5560360793", "", 0},
		{"SE", " 556036 - 0793 ", "5560360793", "", 0},
		{"SE", "165560360793", "5560360793", "", 0},
		{"SE", "16556036-0793", "5560360793", "", 0},
		{"SE", "SE556036079301", "5560360793", "", 0},
		{"se", "212000-0142", "2120000142", "", 0},
		{"SE", "5560360794", "", CodeOrgChecksum, 0},
		{"SE", "5560360739", "", CodeOrgChecksum, 0},
		{"SE", "", "", CodeOrgEmpty, 0},
		{"SE", "556036079", "", CodeOrgLength, 10},
		{"SE", "195560360793", "", CodeOrgLength, 10}, // a personnummer-style century, not 16
		{"SE", "SE556036079302", "", CodeOrgLength, 10},
		{"SE", "556036/0793", "", CodeOrgDigits, 0},
		{"SE", "NO988077917MVA", "", CodeOrgDigits, 0},

		// Country
		{"DK", "12345678", "", CodeOrgCountry, 0},
		{"", "988077917", "", CodeOrgCountry, 0},
	}
	for _, tt := range tests {
		t.Run(tt.country+"/"+tt.in, func(t *testing.T) {
			got, p := OrgNumber(tt.country, tt.in)
			wantCode(t, p, tt.code)
			if got != tt.want {
				t.Errorf("OrgNumber(%q, %q) = %q, want %q", tt.country, tt.in, got, tt.want)
			}
			if p == nil {
				return
			}
			if p.Field != "org_number" || p.Value != tt.in {
				t.Errorf("problem %+v", p)
			}
			if tt.wantLen != 0 && p.Args["Want"] != tt.wantLen {
				t.Errorf("Args[Want] = %v, want %d", p.Args["Want"], tt.wantLen)
			}
			if tt.code == CodeOrgCountry && p.Args["Country"] != tt.country {
				t.Errorf("Args[Country] = %v", p.Args["Country"])
			}
		})
	}
}

// A Norwegian number whose weighted sum leaves remainder 1 would need the
// check digit 10, so no final digit makes it valid.
func TestOrgNumberNOCheckTen(t *testing.T) {
	for d := 0; d <= 9; d++ {
		s := fmt.Sprintf("98800006%d", d)
		_, p := OrgNumber("NO", s)
		wantCode(t, p, CodeOrgChecksum)
	}
}

// Exactly one final digit makes any 8- or 9-digit stem valid (bar the
// remainder-1 case above), which catches an off-by-one in the weights.
func TestOrgNumberOneCheckDigit(t *testing.T) {
	for _, stem := range []string{"98807791", "91947782", "12345678", "10000000"} {
		n := 0
		for d := 0; d <= 9; d++ {
			if _, p := OrgNumber("NO", fmt.Sprintf("%s%d", stem, d)); p == nil {
				n++
			}
		}
		if n != 1 {
			t.Errorf("NO stem %s: %d valid check digits, want 1", stem, n)
		}
	}
	for _, stem := range []string{"556036079", "212000014", "123456789"} {
		n := 0
		for d := 0; d <= 9; d++ {
			if _, p := OrgNumber("SE", fmt.Sprintf("%s%d", stem, d)); p == nil {
				n++
			}
		}
		if n != 1 {
			t.Errorf("SE stem %s: %d valid check digits, want 1", stem, n)
		}
	}
}
