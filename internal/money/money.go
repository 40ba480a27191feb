// Package money holds the exact arithmetic of the consortium's money:
// amounts are integer minor units (øre, öre, cents) with a currency code,
// exchange rates are integers of millionths, and every division rounds by a
// rule written down here. There is no float anywhere in this package.
package money

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Currencies the consortium prices in. All have two decimals, so one minor
// unit is 1/100 of a major unit everywhere in Samla.
var Currencies = []string{"NOK", "SEK", "EUR", "USD", "GBP", "DKK"}

// KnownCurrency reports whether c is one of Currencies.
func KnownCurrency(c string) bool {
	for _, k := range Currencies {
		if k == c {
			return true
		}
	}
	return false
}

// Amount is a sum of money in minor units.
type Amount struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

func (a Amount) String() string { return Format("en", a.Minor, a.Currency) }

// ErrNotAmount is any text ParseMinor cannot read.
var ErrNotAmount = errors.New("not an amount")

// ParseMinor reads an amount as people type it — "12 500,00", "12500",
// "12 500", "12500.5", "-300" — into minor units, without floats. Thousands
// may be grouped with spaces (also no-break and narrow no-break spaces) in
// groups of three; the decimal separator is ',' or '.' with at most two
// decimals. "12.500" is refused rather than guessed at: it could be
// thousands.
func ParseMinor(s string) (int64, error) {
	neg, whole, frac, err := SplitDecimal(s, 2)
	if err != nil {
		return 0, err
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, ErrNotAmount // out of range
	}
	if neg {
		n = -n
	}
	return n, nil
}

// SplitDecimal reads sign, whole digits (grouping removed) and fraction
// digits of a typed decimal number with at most maxFrac decimals.
func SplitDecimal(s string, maxFrac int) (neg bool, whole, frac string, err error) {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u202f', '\u2009', '\t':
			return ' '
		case '\u2212': // the minus sign a word processor types
			return '-'
		}
		return r
	}, s))
	neg = strings.HasPrefix(s, "-")
	if neg {
		s = strings.TrimSpace(s[1:])
	}
	whole = s
	if i := strings.IndexAny(s, ",."); i >= 0 {
		whole, frac = s[:i], s[i+1:]
		if len(frac) == 0 || len(frac) > maxFrac || !digits(frac) {
			return false, "", "", ErrNotAmount
		}
	}
	groups := strings.Split(whole, " ")
	for i, g := range groups {
		// "12 500": the first group 1–3 digits, the rest exactly three;
		// "12500": one group of any length.
		switch {
		case !digits(g):
			return false, "", "", ErrNotAmount
		case len(groups) > 1 && i == 0 && len(g) > 3:
			return false, "", "", ErrNotAmount
		case i > 0 && len(g) != 3:
			return false, "", "", ErrNotAmount
		}
	}
	return neg, strings.Join(groups, ""), frac, nil
}

func digits(s string) bool {
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

// Format shows minor units as "12 500,00 NOK" (Bokmål and Swedish) or
// "12,500.00 NOK" (English); currency may be empty.
func Format(lang string, minor int64, currency string) string {
	group, decimal := " ", ","
	if lang == "en" {
		group, decimal = ",", "."
	}
	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign, u = "-", uint64(-(minor+1))+1 // also for the most negative int64
	}
	whole := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(c)
	}
	fmt.Fprintf(&b, "%s%02d", decimal, u%100)
	if currency != "" {
		b.WriteString(" " + currency)
	}
	return b.String()
}

// Plain writes minor units as a machine decimal, "-1234.50": the form of
// UBL amounts and CSV exports.
func Plain(minor int64) string {
	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign, u = "-", uint64(-(minor+1))+1
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// DivRound divides n by d (d > 0) and rounds half away from zero:
// 2.5 → 3 and −2.5 → −3, the commercial rounding Norwegian and Swedish
// invoices use. Exact for any int64 inputs via big integers.
func DivRound(n, d *big.Int) *big.Int {
	if d.Sign() <= 0 {
		panic("money.DivRound: divisor must be positive")
	}
	abs := new(big.Int).Abs(n)
	q, r := new(big.Int).QuoRem(abs, d, new(big.Int))
	if r.Lsh(r, 1).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if n.Sign() < 0 {
		q.Neg(q)
	}
	return q
}

// MulDiv returns a×b/d rounded half away from zero, exactly.
func MulDiv(a, b, d int64) (int64, error) {
	if d <= 0 {
		return 0, fmt.Errorf("money: division by %d", d)
	}
	p := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	q := DivRound(p, big.NewInt(d))
	if !q.IsInt64() {
		return 0, fmt.Errorf("money: %d×%d/%d overflows", a, b, d)
	}
	return q.Int64(), nil
}

// Percent of an amount in basis points (500 = 5 %), rounded half away
// from zero: the markup line.
func Percent(minor, basisPoints int64) (int64, error) { return MulDiv(minor, basisPoints, 10000) }

// PercentText writes basis points as the number of a percentage, with the
// decimal comma in Bokmål and Swedish and a dot in English (and in XML,
// lang "en"): 2500 → "25", 250 → "2,5", 1250 → "12.5".
func PercentText(bp int64, lang string) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	s := sign + strconv.FormatInt(bp/100, 10)
	if r := bp % 100; r != 0 {
		sep := ","
		if lang == "en" {
			sep = "."
		}
		s += sep + strings.TrimRight(fmt.Sprintf("%02d", r), "0")
	}
	return s
}
