package money_test

import (
	"errors"
	"math"
	"math/big"
	"testing"

	"github.com/samla-org/samla/internal/money"
)

func TestParseRate(t *testing.T) {
	good := []struct {
		in       string
		unitMult int
		want     money.Rate
	}{
		{"100,19", 2, 1001900}, // Norges Bank: SEK per 100 units → 1.0019 NOK per SEK
		{"95,03", 2, 950300},   // DKK-like per 100
		{"11.6725", 0, 11672500},
		{"11,6725", 0, 11672500},
		{"10.382015", 0, 10382015},
		{"1", 0, 1000000},
		{"5.", 0, 5000000},
		{".5", 0, 500000},
		{" 11.6725 ", 0, 11672500},
		{"7,0615", 2, 70615},       // JPY per 100 → 0.070615
		{"1.0000005", 0, 1000001},  // seventh decimal: half rounds up
		{"1.00000049", 0, 1000000}, // below half rounds down
		{"100,195", 2, 1001950},    // five decimals per 100 → still exact
		{"123,4567", 3, 123457},    // 0.1234567 → half up at the seventh decimal
		{"123,4565", 3, 123457},    // 0.1234565 → exactly half → up
		{"123,4564", 3, 123456},
		{"1", 6, 1}, // the smallest positive rate
		{"9223372036854.775807", 0, math.MaxInt64},
	}
	for _, c := range good {
		got, err := money.ParseRate(c.in, c.unitMult)
		if err != nil || got != c.want {
			t.Errorf("ParseRate(%q, %d) = %d, %v; want %d", c.in, c.unitMult, got, err, c.want)
		}
	}
	bad := []struct {
		in       string
		unitMult int
	}{
		{"", 0},
		{"   ", 0},
		{"-1", 0},
		{"-0,5", 0},
		{"+1", 0},
		{"abc", 0},
		{"1a", 0},
		{"1.2.3", 0},
		{"1,2,3", 0},
		{"1,2.3", 0},
		{"1.2,3", 0},
		{"1 000,5", 0}, // no grouping in a rate
		{"1e3", 0},
		{".", 0},
		{"0", 0}, // not positive
		{"0,000000", 0},
		{"0.0000004", 0}, // rounds to zero millionths
		{"1", 7},         // unit multiplier out of range
		{"1", -1},
		{"9223372036854.775808", 0}, // one millionth past MaxInt64
		{"99999999999999999999", 0},
	}
	for _, c := range bad {
		if got, err := money.ParseRate(c.in, c.unitMult); !errors.Is(err, money.ErrNotRate) {
			t.Errorf("ParseRate(%q, %d) = %d, %v; want ErrNotRate", c.in, c.unitMult, got, err)
		}
	}
}

// exactCross is homePerBase/quotePerBase in millionths, rounded half up,
// computed from the published decimal strings with big.Rat alone.
func exactCross(t *testing.T, home, quote string) money.Rate {
	t.Helper()
	h, ok1 := new(big.Rat).SetString(home)
	q, ok2 := new(big.Rat).SetString(quote)
	if !ok1 || !ok2 {
		t.Fatalf("bad test rates %q %q", home, quote)
	}
	x := new(big.Rat).Quo(h, q)
	x.Mul(x, big.NewRat(money.RateScale, 1))
	x.Add(x, big.NewRat(1, 2)) // positive: half up = floor(x + ½)
	fl := new(big.Int).Quo(x.Num(), x.Denom())
	return money.Rate(fl.Int64())
}

func TestCrossRate(t *testing.T) {
	// ECB reference rates per EUR; NOK is the home currency.
	cases := []struct {
		quote string
		want  money.Rate // hand-checked: 11.6725 / quote, six decimals
	}{
		{"1.1243", 10382015},  // USD: 10.38201547…
		{"0.85618", 13633231}, // GBP: 13.63323133…
		{"11.4823", 1016565},  // SEK: 1.01656463…
		{"7.4612", 1564427},   // DKK: 1.56442663…
		{"1", 11672500},       // EUR itself
	}
	nok, err := money.ParseRate("11.6725", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		q, err := money.ParseRate(c.quote, 0)
		if err != nil {
			t.Fatal(err)
		}
		if exact := exactCross(t, "11.6725", c.quote); exact != c.want {
			t.Fatalf("test table wrong for %s: big.Rat gives %d", c.quote, exact)
		}
		got, err := money.CrossRate(nok, q)
		if err != nil || got != c.want {
			t.Errorf("CrossRate(NOK 11.6725, %s) = %d, %v; want %d", c.quote, got, err, c.want)
		}
	}
	// Half up at the seventh decimal: 1/3 → 0.333333, 2/3 → 0.666667,
	// 1/8 = 0.125 exactly, 1/16 = 0.0625 exactly, 1/64 = 0.015625.
	// 0.0000005 exactly: 1 millionth / 2 → 1 (half up).
	for _, c := range []struct {
		home, quote, want money.Rate
	}{
		{1000000, 3000000, 333333},
		{2000000, 3000000, 666667},
		{1000000, 8000000, 125000},
		{1000000, 64000000, 15625},
		{1, 2000000, 1},
		{1, 2000001, 0}, // below half a millionth: not a rate
	} {
		got, err := money.CrossRate(c.home, c.quote)
		if c.want == 0 {
			if !errors.Is(err, money.ErrNotRate) {
				t.Errorf("CrossRate(%d, %d) = %d, %v; want ErrNotRate", c.home, c.quote, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("CrossRate(%d, %d) = %d, %v; want %d", c.home, c.quote, got, err, c.want)
		}
	}
	for _, c := range [][2]money.Rate{{0, 1}, {1, 0}, {-1, 1}, {1, -1}, {math.MaxInt64, 1}} {
		if got, err := money.CrossRate(c[0], c[1]); !errors.Is(err, money.ErrNotRate) {
			t.Errorf("CrossRate(%d, %d) = %d, %v; want ErrNotRate", c[0], c[1], got, err)
		}
	}
}

func TestConvert(t *testing.T) {
	usd := money.Rate(10382015) // 10.382015 NOK per USD
	cases := []struct {
		minor int64
		rate  money.Rate
		want  int64
	}{
		{100, usd, 1038},           // 1 USD = 10.382015 NOK → 1038 øre
		{10000_00, usd, 103820_15}, // 10 000 USD
		{12345_67, usd, 128172_93}, // 12 345,67 USD × 10.382015 = 128 172,926… NOK
		{-100, usd, -1038},
		{0, usd, 0},
		{1, 500000, 1},   // 0.5 øre → 1
		{-1, 500000, -1}, // −0.5 øre → −1
		{1, 499999, 0},
		{100, 1001900, 100},         // 1 SEK at 1.0019 = 1.0019 NOK → 100 øre
		{1000_00, 1001900, 1001_90}, // 1000 SEK
		{math.MaxInt64, money.RateScale, math.MaxInt64},
	}
	for _, c := range cases {
		// The exact value, independently: minor × rate / 10^6, half away from zero.
		x := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(c.minor), big.NewInt(int64(c.rate))), big.NewInt(money.RateScale))
		want := roundHalfAway(x)
		if want.Int64() != c.want {
			// The table is hand-made; let big.Rat correct it loudly rather than test a wrong number.
			t.Errorf("test table: Convert(%d, %d) is %s exactly, table says %d", c.minor, c.rate, want, c.want)
			continue
		}
		got, err := money.Convert(c.minor, c.rate)
		if err != nil || got != c.want {
			t.Errorf("Convert(%d, %d) = %d, %v; want %d", c.minor, c.rate, got, err, c.want)
		}
	}
	for _, r := range []money.Rate{0, -1} {
		if _, err := money.Convert(100, r); !errors.Is(err, money.ErrNotRate) {
			t.Errorf("Convert(100, %d): err %v; want ErrNotRate", r, err)
		}
	}
	if _, err := money.Convert(math.MaxInt64, 2*money.RateScale); err == nil {
		t.Error("Convert(MaxInt64, 2.0) did not report an overflow")
	}
}

func TestConvertBetween(t *testing.T) {
	usd := money.Rate(10382015) // NOK per USD
	sek := money.Rate(1001900)  // NOK per SEK
	home := money.Rate(money.RateScale)
	cases := []struct {
		minor    int64
		from, to money.Rate
	}{
		{100_00, usd, sek},
		{100_00, sek, usd},
		{-100_00, usd, sek},
		{1, usd, sek},
		{12345_67, usd, home},
		{12345_67, home, usd},
		{0, usd, sek},
		{999_999_99, sek, usd},
	}
	for _, c := range cases {
		x := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(c.minor), big.NewInt(int64(c.from))), big.NewInt(int64(c.to)))
		want := roundHalfAway(x).Int64()
		got, err := money.ConvertBetween(c.minor, c.from, c.to)
		if err != nil || got != want {
			t.Errorf("ConvertBetween(%d, %d, %d) = %d, %v; want %d", c.minor, c.from, c.to, got, err, want)
		}
	}
	// Pinned by hand: 100 USD → SEK = 10 000 × 10.382015 / 1.0019
	// = 103 623.2658 öre → 1 036,23 SEK.
	if got, _ := money.ConvertBetween(100_00, usd, sek); got != 1036_23 {
		t.Errorf("100 USD in SEK = %d öre; want 103623", got)
	}
	// ConvertBetween with the home side equals Convert.
	for _, m := range []int64{1, 99, 12345_67, -5_00} {
		a, _ := money.Convert(m, usd)
		b, _ := money.ConvertBetween(m, usd, home)
		if a != b {
			t.Errorf("Convert(%d) = %d but ConvertBetween(…, home) = %d", m, a, b)
		}
	}
	for _, c := range [][2]money.Rate{{0, sek}, {usd, 0}, {-1, sek}, {usd, -1}} {
		if _, err := money.ConvertBetween(100, c[0], c[1]); !errors.Is(err, money.ErrNotRate) {
			t.Errorf("ConvertBetween(100, %d, %d): err %v; want ErrNotRate", c[0], c[1], err)
		}
	}
}

func TestRateStringText(t *testing.T) {
	cases := []struct {
		r           money.Rate
		str, nb, en string
	}{
		{1001900, "1.001900", "1,0019", "1.0019"},
		{10382015, "10.382015", "10,382015", "10.382015"},
		{11672500, "11.672500", "11,6725", "11.6725"},
		{1000000, "1.000000", "1,0000", "1.0000"},
		{70615, "0.070615", "0,070615", "0.070615"},
		{1, "0.000001", "0,000001", "0.000001"},
		{1016560, "1.016560", "1,01656", "1.01656"},
		{123000000, "123.000000", "123,0000", "123.0000"},
	}
	for _, c := range cases {
		if got := c.r.String(); got != c.str {
			t.Errorf("Rate(%d).String() = %q; want %q", c.r, got, c.str)
		}
		if got := c.r.Text("nb"); got != c.nb {
			t.Errorf("Rate(%d).Text(nb) = %q; want %q", c.r, got, c.nb)
		}
		if got := c.r.Text("sv"); got != c.nb {
			t.Errorf("Rate(%d).Text(sv) = %q; want %q", c.r, got, c.nb)
		}
		if got := c.r.Text("en"); got != c.en {
			t.Errorf("Rate(%d).Text(en) = %q; want %q", c.r, got, c.en)
		}
		// What String writes, ParseRate reads back.
		if back, err := money.ParseRate(c.r.String(), 0); err != nil || back != c.r {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", c.r.String(), back, err, c.r)
		}
		if back, err := money.ParseRate(c.r.Text("nb"), 0); err != nil || back != c.r {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", c.r.Text("nb"), back, err, c.r)
		}
	}
}

// roundHalfAway rounds x to an integer, half away from zero, without
// using the package under test.
func roundHalfAway(x *big.Rat) *big.Int {
	abs := new(big.Rat).Abs(x)
	abs.Add(abs, big.NewRat(1, 2))
	q := new(big.Int).Quo(abs.Num(), abs.Denom()) // floor for non-negative
	if x.Sign() < 0 {
		q.Neg(q)
	}
	return q
}
