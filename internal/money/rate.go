package money

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// RateScale is the precision of exchange rates: millionths. Norges Bank
// publishes four decimals (per 1 or per 100 units), so a rate per 100
// units normalised to one unit keeps all its digits; an ECB cross rate
// (NOK per EUR ÷ USD per EUR) is rounded half up to six decimals, which moves
// a converted amount by at most 0.5 øre per 10 000 units — and the result is
// rounded to whole øre anyway.
const RateScale = 1_000_000

// Rate is how many units of the home currency (NOK) one unit of a foreign
// currency costs, in millionths: 10.382015 NOK per USD is 10382015.
type Rate int64

// ErrNotRate is any text ParseRate cannot read.
var ErrNotRate = errors.New("not an exchange rate")

// ParseRate reads a decimal rate per unitMult-th power of ten units
// ("100,19" per 10^2 SEK) into a Rate per one unit. The separator may be
// ',' or '.'. Digits beyond six decimals (after normalising) round half up.
func ParseRate(s string, unitMult int) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, ErrNotRate
	}
	whole, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" {
		whole = "0"
	}
	if !digits(whole) || (frac != "" && !digits(frac)) || strings.Contains(frac, ".") {
		return 0, ErrNotRate
	}
	if unitMult < 0 || unitMult > 6 {
		return 0, fmt.Errorf("unit multiplier %d: %w", unitMult, ErrNotRate)
	}
	n, ok := new(big.Int).SetString(whole+frac, 10)
	if !ok {
		return 0, ErrNotRate
	}
	// value = n / 10^len(frac) / 10^unitMult; in millionths:
	// n × 10^6 / 10^(len(frac)+unitMult).
	num := new(big.Int).Mul(n, big.NewInt(RateScale))
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(frac)+unitMult)), nil)
	q := DivRound(num, den)
	if !q.IsInt64() || q.Sign() <= 0 {
		return 0, ErrNotRate
	}
	return Rate(q.Int64()), nil
}

// CrossRate is home per unit of a currency when both are quoted per one
// unit of a third (the ECB's euro): homePerBase / quotePerBase, rounded
// half up to millionths.
func CrossRate(homePerBase, quotePerBase Rate) (Rate, error) {
	if quotePerBase <= 0 || homePerBase <= 0 {
		return 0, ErrNotRate
	}
	q := DivRound(new(big.Int).Mul(big.NewInt(int64(homePerBase)), big.NewInt(RateScale)), big.NewInt(int64(quotePerBase)))
	if !q.IsInt64() || q.Sign() <= 0 {
		return 0, ErrNotRate
	}
	return Rate(q.Int64()), nil
}

// String writes the rate with six decimals and a dot: "1.001900".
func (r Rate) String() string {
	return strconv.FormatInt(int64(r)/RateScale, 10) + "." + fmt.Sprintf("%06d", int64(r)%RateScale)
}

// Text writes the rate for people, trailing zeros trimmed to at least four
// decimals, with a decimal comma in Bokmål and Swedish: "1,0019".
func (r Rate) Text(lang string) string {
	s := r.String()
	for strings.HasSuffix(s, "0") && len(s)-strings.Index(s, ".") > 5 {
		s = s[:len(s)-1]
	}
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Convert turns minor units of a foreign currency into minor units of the
// home currency at rate r, rounding half away from zero. Both currencies
// have two decimals, so minor units map directly.
func Convert(minor int64, r Rate) (int64, error) {
	if r <= 0 {
		return 0, ErrNotRate
	}
	return MulDiv(minor, int64(r), RateScale)
}

// ConvertBetween turns minor units of currency from into currency to, both
// quoted against the home currency (a home-currency side has rate
// RateScale). from → home → to is done in one exact step:
// minor × rateFrom / rateTo, rounded half away from zero once.
func ConvertBetween(minor int64, rateFrom, rateTo Rate) (int64, error) {
	if rateFrom <= 0 || rateTo <= 0 {
		return 0, ErrNotRate
	}
	return MulDiv(minor, int64(rateFrom), int64(rateTo))
}
