package validate

import (
	"strings"
	"unicode/utf8"
)

// isilMaxLen is the ISO 15511 limit for the whole ISIL, prefix included.
const isilMaxLen = 16

// ISIL checks an International Standard Identifier for Libraries (ISO 15511)
// and returns it trimmed and upper-cased. ISIL is case-insensitive, so one
// spelling per library keeps look-ups and duplicate checks simple.
//
// Norwegian ISILs (prefix NO) must be NO- and exactly seven digits, the form
// the National Library assigns; anything else under NO is a typo.
func ISIL(s string) (string, *Problem) {
	v := strings.TrimSpace(s)
	if v == "" {
		return "", problem("isil", CodeISILEmpty, s, nil)
	}
	if n := utf8.RuneCountInString(v); n > isilMaxLen {
		return "", problem("isil", CodeISILTooLong, s, map[string]any{"Max": isilMaxLen, "Len": n})
	}
	for _, r := range v {
		if !isISILChar(r) {
			return "", problem("isil", CodeISILCharset, s, map[string]any{"Char": string(r)})
		}
	}
	v = strings.ToUpper(v)
	prefix, id, ok := strings.Cut(v, "-")
	if !ok || id == "" || len(prefix) < 1 || len(prefix) > 4 || !allLetters(prefix) {
		// "NO0030000" is the common slip; the Norwegian message shows the
		// exact form, which helps more than the generic one.
		if strings.HasPrefix(v, "NO") && allDigits(strings.TrimPrefix(v, "NO")) && len(v) > 2 {
			return "", problem("isil", CodeISILNoForm, s, nil)
		}
		return "", problem("isil", CodeISILPrefix, s, nil)
	}
	if prefix == "NO" && (len(id) != 7 || !allDigits(id)) {
		return "", problem("isil", CodeISILNoForm, s, nil)
	}
	return v, nil
}

// isilTypeDigit is what the first digit of a Norwegian library number says
// about the library, per the National Library's numbering.
var isilTypeDigit = map[byte][]string{
	'1': {TypeAcademic, TypeSpecial},
	'2': {TypePublic, TypeCounty},
	'3': {TypeUpperSecondary},
	'4': {TypePrimarySchool},
}

// ISILTypeWarning returns a warning (not an error: the numbering has
// exceptions) when a Norwegian ISIL's first digit suggests another library
// type than libType. It returns nil for non-Norwegian or invalid ISILs, for
// TypeOther or a type that is not one of LibraryTypes (not chosen yet), and
// for digits that say nothing about the type.
func ISILTypeWarning(isil, libType string) *Problem {
	v, p := ISIL(isil)
	if p != nil || !strings.HasPrefix(v, "NO-") || libType == TypeOther || !isLibraryType(libType) {
		return nil
	}
	digit := v[len("NO-")]
	fits, known := isilTypeDigit[digit]
	if !known {
		return nil
	}
	for _, t := range fits {
		if t == libType {
			return nil
		}
	}
	return problem("isil", CodeISILTypeMismatch, isil, map[string]any{"Digit": string(digit), "Type": libType})
}

func isLibraryType(s string) bool {
	for _, t := range LibraryTypes {
		if s == t {
			return true
		}
	}
	return false
}

func isISILChar(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '/' || r == ':'
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// allDigits reports whether s is non-empty and all ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
