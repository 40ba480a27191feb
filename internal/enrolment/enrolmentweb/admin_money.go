package enrolmentweb

import (
	"errors"
	"strconv"
	"strings"
)

// errAdmPrice is any price text admParsePrice cannot read.
var errAdmPrice = errors.New("not a price")

// admParsePrice reads a price as people type it — "12 500,00", "12500",
// "12 500", "12500.5", "-300" — into minor units (øre, cents), without
// floats. Thousands may be grouped with spaces (also no-break and narrow
// no-break spaces) in groups of three; the decimal separator is ',' or '.'
// with at most two decimals. A dot or comma followed by three digits
// ("12.500") is refused rather than guessed at: it could be thousands.
func admParsePrice(s string) (int64, error) {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u202f', '\u2009', '\t':
			return ' '
		case '\u2212': // the minus sign a word processor types
			return '-'
		}
		return r
	}, s))
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = strings.TrimSpace(s[1:])
	}
	whole, frac := s, ""
	if i := strings.IndexAny(s, ",."); i >= 0 {
		whole, frac = s[:i], s[i+1:]
		if len(frac) == 0 || len(frac) > 2 || !admDigits(frac) {
			return 0, errAdmPrice
		}
	}
	groups := strings.Split(whole, " ")
	for i, g := range groups {
		// "12 500": the first group 1–3 digits, the rest exactly three;
		// "12500": one group of any length.
		switch {
		case !admDigits(g):
			return 0, errAdmPrice
		case len(groups) > 1 && i == 0 && len(g) > 3:
			return 0, errAdmPrice
		case i > 0 && len(g) != 3:
			return 0, errAdmPrice
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(strings.Join(groups, "")+frac, 10, 64)
	if err != nil {
		return 0, errAdmPrice // out of range
	}
	if neg {
		n = -n
	}
	return n, nil
}

// admDigits reports whether s is one or more ASCII digits.
func admDigits(s string) bool {
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

// admPriceText writes minor units back the way admParsePrice reads them
// and a person types them in Norway and Sweden: "12 500,00".
func admPriceText(minor int64) string { return formatMoney("nb", minor, "") }
