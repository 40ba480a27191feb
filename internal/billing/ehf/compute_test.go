package ehf

import (
	"math"
	"reflect"
	"testing"
)

func TestComputeGroupsByCategoryThenRate(t *testing.T) {
	lines := []Line{
		line("1", "a", 1000000, VATStandard, 2500),
		line("2", "b", 50000, VATExempt, 0),
		line("3", "c", 20000, VATStandard, 1200),
		line("4", "d", 30000, VATZero, 0),
		line("5", "e", 250000, VATStandard, 2500),
		line("6", "f", -10000, VATStandard, 1200),
	}
	got := Compute(lines)
	want := Totals{
		LineMinor:  1340000,
		VATMinor:   312500 + 1200,
		TotalMinor: 1340000 + 313700,
		Subtotals: []Subtotal{
			{Category: "E", RateBP: 0, TaxableMinor: 50000, VATMinor: 0},
			{Category: "S", RateBP: 1200, TaxableMinor: 10000, VATMinor: 1200},
			{Category: "S", RateBP: 2500, TaxableMinor: 1250000, VATMinor: 312500},
			{Category: "Z", RateBP: 0, TaxableMinor: 30000, VATMinor: 0},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Compute:\n got %+v\nwant %+v", got, want)
	}
}

func TestComputeRoundsHalfAwayFromZero(t *testing.T) {
	for _, c := range []struct {
		taxable, rate, vat int64
	}{
		{1, 2500, 0},   // 0.25 øre
		{2, 2500, 1},   // 0.5 øre rounds up
		{-2, 2500, -1}, // −0.5 øre rounds away from zero, not towards +∞ as XPath round() does
		{6, 2500, 2},   // 1.5
		{-6, 2500, -2}, // −1.5
		{3, 2500, 1},   // 0.75
		{-3, 2500, -1},
		{1234562, 2500, 308641},   // 3 086,405 NOK → 3 086,41
		{-1234562, 2500, -308641}, // the credit of the same line
		{1999999, 1500, 300000},   // 2 999,9985 → 3 000,00
		{100, 1111, 11},           // 11.11 → 11
	} {
		got := Compute([]Line{line("1", "x", c.taxable, VATStandard, c.rate)})
		if len(got.Subtotals) != 1 || got.Subtotals[0].VATMinor != c.vat || got.VATMinor != c.vat {
			t.Errorf("%d øre at %d bp: VAT %+v, want %d", c.taxable, c.rate, got, c.vat)
		}
		if got.TotalMinor != c.taxable+c.vat {
			t.Errorf("%d øre at %d bp: total %d, want %d", c.taxable, c.rate, got.TotalMinor, c.taxable+c.vat)
		}
	}
}

// VAT is rounded once per group, as EN 16931 computes the breakdown, not
// once per line: four lines of 0.02 NOK at 25 % are 0.08 NOK with 0.02 VAT,
// where rounding per line would give 4 × 0.01.
func TestComputeRoundsPerGroupNotPerLine(t *testing.T) {
	var lines []Line
	for i := 0; i < 4; i++ {
		lines = append(lines, line("x", "x", 2, VATStandard, 2500))
	}
	if got := Compute(lines); got.VATMinor != 2 || got.TotalMinor != 10 {
		t.Fatalf("Compute(4 × 2 øre at 25 %%) = %+v, want VAT 2 and total 10", got)
	}
}

// A credit note for the same lines has exactly the negated totals.
func TestComputeCreditIsNegation(t *testing.T) {
	for _, s := range scenarios() {
		neg := make([]Line, len(s.doc.Lines))
		for i, l := range s.doc.Lines {
			l.NetMinor = -l.NetMinor
			neg[i] = l
		}
		a, b := Compute(s.doc.Lines), Compute(neg)
		if a.LineMinor != -b.LineMinor || a.VATMinor != -b.VATMinor || a.TotalMinor != -b.TotalMinor {
			t.Errorf("%s: %+v is not the negation of %+v", s.name, b, a)
		}
	}
}

func TestComputeEmpty(t *testing.T) {
	if got := Compute(nil); !reflect.DeepEqual(got, Totals{}) {
		t.Fatalf("Compute(nil) = %+v, want zero totals", got)
	}
}

func TestComputePanicsOnOverflow(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Compute with a VAT beyond int64 did not panic")
		}
	}()
	Compute([]Line{line("1", "x", math.MaxInt64/2, VATStandard, 1_000_000)})
}
