package money_test

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/money"
)

func TestParseMinor(t *testing.T) {
	good := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"12500", 1250000},
		{"12 500", 1250000},
		{"12 500,00", 1250000},
		{"12 500.00", 1250000},
		{"1 234 567,89", 123456789},
		{"12500.5", 1250050},
		{"12500,5", 1250050},
		{"12,05", 1205},
		{"0,01", 1},
		{"-300", -30000},
		{"-300,25", -30025},
		{"\u2212300", -30000},       // the minus sign a word processor types
		{"12\u00a0500,00", 1250000}, // no-break space
		{"12\u202f500,00", 1250000}, // narrow no-break space
		{"12\u2009500,00", 1250000}, // thin space
		{"  42,00 ", 4200},          // surrounding blanks
		{"123", 12300},              // one short group
		{"92233720368547758.07", math.MaxInt64},
		{"-92233720368547758.07", -math.MaxInt64},
	}
	for _, c := range good {
		got, err := money.ParseMinor(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseMinor(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}

	bad := []string{
		"",
		"-",
		"abc",
		"12a",
		"12.500",    // could be twelve thousand five hundred: refused, not guessed
		"1,234",     // the same with a comma
		"12,",       // a separator without decimals
		",5",        // no whole part
		".5",        // no whole part
		"12.500,00", // dot grouping is not accepted
		"1,234.56",  // English grouping is not accepted
		"1 2345",    // a later group of four
		"1234 567",  // a first group of four before a grouped rest
		"12  500",   // two spaces make an empty group
		"12 50",     // a later group of two
		"+5",
		"--5",
		"5-",
		"1e3",
		"12,5,0",
		"99999999999999999999",     // overflow
		"92233720368547758.08",     // one past MaxInt64
		"100000000000000000000,00", // overflow with decimals
	}
	for _, s := range bad {
		if got, err := money.ParseMinor(s); !errors.Is(err, money.ErrNotAmount) {
			t.Errorf("ParseMinor(%q) = %d, %v; want ErrNotAmount", s, got, err)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		lang  string
		minor int64
		cur   string
		want  string
	}{
		{"nb", 1250000, "NOK", "12 500,00 NOK"},
		{"sv", 1250000, "SEK", "12 500,00 SEK"},
		{"en", 1250000, "NOK", "12,500.00 NOK"},
		{"nb", 0, "NOK", "0,00 NOK"},
		{"nb", 5, "", "0,05"},
		{"en", 99, "", "0.99"},
		{"nb", 100, "", "1,00"},
		{"nb", 99999, "", "999,99"},
		{"nb", 100000, "", "1 000,00"},
		{"en", 123456789, "EUR", "1,234,567.89 EUR"},
		{"nb", -30025, "NOK", "-300,25 NOK"},
		{"en", -5, "", "-0.05"},
		{"en", -100000, "", "-1,000.00"},
		{"nb", math.MaxInt64, "", "92 233 720 368 547 758,07"},
		{"nb", math.MinInt64, "", "-92 233 720 368 547 758,08"},
		{"en", math.MinInt64, "USD", "-92,233,720,368,547,758.08 USD"},
	}
	for _, c := range cases {
		if got := money.Format(c.lang, c.minor, c.cur); got != c.want {
			t.Errorf("Format(%q, %d, %q) = %q; want %q", c.lang, c.minor, c.cur, got, c.want)
		}
	}
	if got := (money.Amount{Minor: 123456, Currency: "NOK"}).String(); got != "1,234.56 NOK" {
		t.Errorf("Amount.String = %q", got)
	}
}

// What Format writes in Bokmål, ParseMinor reads back (except MinInt64, whose
// absolute value does not fit an int64).
func TestFormatParseRoundTrip(t *testing.T) {
	for _, m := range []int64{0, 1, -1, 99, 100, 12345, -12345, 100000, 123456789012, math.MaxInt64, -math.MaxInt64} {
		s := money.Format("nb", m, "")
		got, err := money.ParseMinor(s)
		if err != nil || got != m {
			t.Errorf("ParseMinor(Format(%d) = %q) = %d, %v", m, s, got, err)
		}
	}
}

func TestPlain(t *testing.T) {
	cases := map[int64]string{
		0:             "0.00",
		5:             "0.05",
		-5:            "-0.05",
		123450:        "1234.50",
		-123450:       "-1234.50",
		math.MaxInt64: "92233720368547758.07",
		math.MinInt64: "-92233720368547758.08",
		100000000000:  "1000000000.00",
		-100000000000: "-1000000000.00",
	}
	for m, want := range cases {
		if got := money.Plain(m); got != want {
			t.Errorf("Plain(%d) = %q; want %q", m, got, want)
		}
	}
}

func TestDivRound(t *testing.T) {
	cases := []struct{ n, d, want int64 }{
		{25, 10, 3},   // 2.5 → 3
		{-25, 10, -3}, // −2.5 → −3
		{149, 100, 1}, // 1.49 → 1
		{-149, 100, -1},
		{150, 100, 2},
		{-150, 100, -2},
		{151, 100, 2},
		{24, 10, 2},
		{-24, 10, -2},
		{0, 7, 0},
		{1, 2, 1},   // 0.5 → 1
		{-1, 2, -1}, // −0.5 → −1
		{1, 3, 0},
		{2, 3, 1},
		{-2, 3, -1},
		{10, 5, 2},
		{math.MaxInt64, 1, math.MaxInt64},
		{math.MinInt64, 1, math.MinInt64},
		{math.MaxInt64, 2, math.MaxInt64/2 + 1},  // …3.5 → …4
		{math.MinInt64, 3, -3074457345618258603}, // −3074457345618258602.67
	}
	for _, c := range cases {
		got := money.DivRound(big.NewInt(c.n), big.NewInt(c.d))
		if !got.IsInt64() || got.Int64() != c.want {
			t.Errorf("DivRound(%d, %d) = %s; want %d", c.n, c.d, got, c.want)
		}
	}
	// Beyond int64: 2^64+1 over 2 is 2^63+0.5 → 2^63+1.
	n := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 64), big.NewInt(1))
	want := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 63), big.NewInt(1))
	if got := money.DivRound(n, big.NewInt(2)); got.Cmp(want) != 0 {
		t.Errorf("DivRound(2^64+1, 2) = %s; want %s", got, want)
	}
	// The arguments are not modified.
	a, b := big.NewInt(-25), big.NewInt(10)
	money.DivRound(a, b)
	if a.Int64() != -25 || b.Int64() != 10 {
		t.Errorf("DivRound modified its arguments: %s, %s", a, b)
	}
	for _, d := range []int64{0, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("DivRound(1, %d) did not panic", d)
				}
			}()
			money.DivRound(big.NewInt(1), big.NewInt(d))
		}()
	}
}

func TestMulDiv(t *testing.T) {
	cases := []struct{ a, b, d, want int64 }{
		{100, 3, 2, 150},
		{5, 1, 2, 3},
		{-5, 1, 2, -3},
		{5, -1, 2, -3},
		{-5, -1, 2, 3},
		{1, 1, 3, 0},
		// The product does not fit int64 but the quotient does.
		{math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64},
		{math.MaxInt64, 1_000_000, 1_000_000, math.MaxInt64},
		{math.MinInt64, 2, 2, math.MinInt64},
	}
	for _, c := range cases {
		got, err := money.MulDiv(c.a, c.b, c.d)
		if err != nil || got != c.want {
			t.Errorf("MulDiv(%d, %d, %d) = %d, %v; want %d", c.a, c.b, c.d, got, err, c.want)
		}
	}
	overflow := []struct{ a, b, d int64 }{
		{math.MaxInt64, 2, 1},
		{math.MaxInt64, math.MaxInt64, 1},
		{math.MinInt64, -1, 1}, // 2^63
		{math.MinInt64, 3, 2},
	}
	for _, c := range overflow {
		if got, err := money.MulDiv(c.a, c.b, c.d); err == nil {
			t.Errorf("MulDiv(%d, %d, %d) = %d; want an overflow error", c.a, c.b, c.d, got)
		} else if !strings.Contains(err.Error(), "overflows") {
			t.Errorf("MulDiv(%d, %d, %d): error %q does not say it overflows", c.a, c.b, c.d, err)
		}
	}
}

func TestPercent(t *testing.T) {
	cases := []struct{ minor, bp, want int64 }{
		{1000000, 500, 50000}, // 5 % of 10 000,00 is 500,00
		{1, 500, 0},           // 0.05 øre → 0
		{10, 500, 1},          // 0.5 øre → 1 (half away from zero)
		{-10, 500, -1},        // −0.5 øre → −1
		{9, 500, 0},           // 0.45 øre → 0
		{12345, 500, 617},     // 617.25 → 617
		{12347, 500, 617},     // 617.35 → 617
		{12350, 500, 618},     // 617.5 → 618
		{199999_00, 500, 9999_95},
		{1000, 10000, 1000}, // 100 %
		{1000, 0, 0},
	}
	for _, c := range cases {
		got, err := money.Percent(c.minor, c.bp)
		if err != nil || got != c.want {
			t.Errorf("Percent(%d, %d) = %d, %v; want %d", c.minor, c.bp, got, err, c.want)
		}
	}
	if _, err := money.Percent(math.MaxInt64, 20000); err == nil {
		t.Error("Percent(MaxInt64, 200 %) did not report an overflow")
	}
}

func TestKnownCurrency(t *testing.T) {
	for _, c := range []string{"NOK", "SEK", "EUR", "USD", "GBP", "DKK"} {
		if !money.KnownCurrency(c) {
			t.Errorf("KnownCurrency(%q) = false", c)
		}
	}
	for _, c := range []string{"", "nok", "XYZ", "NOK "} {
		if money.KnownCurrency(c) {
			t.Errorf("KnownCurrency(%q) = true", c)
		}
	}
}

func TestPercentText(t *testing.T) {
	for _, c := range []struct {
		bp   int64
		lang string
		want string
	}{{2500, "nb", "25"}, {250, "nb", "2,5"}, {1250, "en", "12.5"}, {525, "sv", "5,25"}, {0, "en", "0"}, {-250, "en", "-2.5"}} {
		if got := money.PercentText(c.bp, c.lang); got != c.want {
			t.Errorf("PercentText(%d, %s) = %q, want %q", c.bp, c.lang, got, c.want)
		}
	}
}
