package products

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// oneLineEnd trims s and stores line breaks as LF: browsers send a
// textarea's as CRLF, and the two must compare equal in the audit log.
func oneLineEnd(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
}

// slugLetters are the Nordic letters whose ASCII forms are not simply the
// letter without its mark.
var slugLetters = strings.NewReplacer("æ", "ae", "ø", "o", "å", "a", "ä", "a", "ö", "o", "ß", "ss", "þ", "th", "ð", "d", "œ", "oe", "ł", "l")

// Slug turns a product name into the ASCII part of its catalogue address:
// "Bokselskap på nett" → "bokselskap-pa-nett". Other letters lose their
// accents (é → e); anything else separates words.
func Slug(name string) string {
	s := slugLetters.Replace(strings.ToLower(name))
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	out := b.String()
	if len(out) > 80 {
		out = strings.TrimRight(out[:80], "-")
	}
	if out == "" {
		out = "product"
	}
	return out
}
