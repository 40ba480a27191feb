package money_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/samla-org/samla/internal/money"
)

func TestSplitExamples(t *testing.T) {
	cases := []struct {
		name    string
		total   int64
		weights []int64
		want    []int64
	}{
		// Three equal quotas of 33⅓: the one left-over øre goes to the
		// earliest position (the tie-break after remainder and weight).
		{"equal thirds", 100, []int64{1, 1, 1}, []int64{34, 33, 33}},
		{"equal thirds of 2", 2, []int64{1, 1, 1}, []int64{1, 1, 0}},
		{"equal thirds, credit", -100, []int64{1, 1, 1}, []int64{-34, -33, -33}},
		{"exact", 600, []int64{1, 2, 3}, []int64{100, 200, 300}},
		// 10 by 1:2: quotas 3⅓ and 6⅔; the larger remainder (⅔) wins.
		{"largest remainder", 10, []int64{1, 2}, []int64{3, 7}},
		{"largest remainder, reversed", 10, []int64{2, 1}, []int64{7, 3}},
		// 1 by 1:1:2: quotas ¼ ¼ ½; the largest remainder is the weight 2.
		{"one øre", 1, []int64{1, 1, 2}, []int64{0, 0, 1}},
		// Equal remainders with different weights: 2 by 1:3 → ½ and 1½;
		// remainders both ½, so the larger weight gets the øre.
		{"tie goes to larger weight", 2, []int64{1, 3}, []int64{0, 2}},
		{"tie goes to larger weight, reversed", 2, []int64{3, 1}, []int64{2, 0}},
		{"zero total", 0, []int64{5, 7}, []int64{0, 0}},
		{"zero total, all zero weights", 0, []int64{0, 0}, []int64{0, 0}},
		{"zero total, no weights", 0, nil, []int64{}},
		{"zero weights get zero", 100, []int64{0, 1, 0, 1, 0}, []int64{0, 50, 0, 50, 0}},
		{"zero weights get zero, odd", 101, []int64{0, 1, 0, 1, 0}, []int64{0, 51, 0, 50, 0}},
		{"one party", 12345, []int64{7}, []int64{12345}},
		{"less than one each", 2, []int64{1, 1, 1, 1, 1}, []int64{1, 1, 0, 0, 0}},
		// The PressReader-like national licence among counties by population.
		{"counties", 1_000_000_00, []int64{1_241_165, 1_588_853, 711_108, 488_831, 426_194, 721_018, 262_960}, nil},
		{"negative odd", -7, []int64{1, 1}, []int64{-4, -3}},
		{"max total", math.MaxInt64, []int64{1, 1}, []int64{math.MaxInt64/2 + 1, math.MaxInt64 / 2}},
		{"min total", math.MinInt64, []int64{1, 1}, []int64{math.MinInt64 / 2, math.MinInt64 / 2}},
		{"min total, one party", math.MinInt64, []int64{3}, []int64{math.MinInt64}},
		{"min total, one party among zeros", math.MinInt64, []int64{0, 3, 0}, []int64{0, math.MinInt64, 0}},
		// Weights near int64 max: Σw overflows int64, the products overflow
		// int64; the split must still be exact.
		{"huge weights", 3, []int64{math.MaxInt64, math.MaxInt64, math.MaxInt64}, []int64{1, 1, 1}},
		{"huge weights, uneven", 10, []int64{math.MaxInt64, math.MaxInt64 - 1, 1}, []int64{5, 5, 0}},
		{"huge weights, large total", math.MaxInt64, []int64{math.MaxInt64, math.MaxInt64}, []int64{math.MaxInt64/2 + 1, math.MaxInt64 / 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := money.Split(c.total, c.weights)
			if err != nil {
				t.Fatalf("Split(%d, %v): %v", c.total, c.weights, err)
			}
			if len(got) != len(c.weights) {
				t.Fatalf("Split(%d, %v) = %v: %d parts", c.total, c.weights, got, len(got))
			}
			if c.want != nil && !slices.Equal(got, c.want) {
				t.Errorf("Split(%d, %v) = %v; want %v", c.total, c.weights, got, c.want)
			}
			checkSplit(t, c.total, c.weights, got)
		})
	}
}

func TestSplitRefusals(t *testing.T) {
	for _, w := range [][]int64{nil, {}, {0}, {0, 0, 0}} {
		if got, err := money.Split(100, w); !errors.Is(err, money.ErrNoWeights) {
			t.Errorf("Split(100, %v) = %v, %v; want ErrNoWeights", w, got, err)
		}
		if got, err := money.Split(-100, w); !errors.Is(err, money.ErrNoWeights) {
			t.Errorf("Split(-100, %v) = %v, %v; want ErrNoWeights", w, got, err)
		}
	}
	for _, total := range []int64{100, 0} {
		got, err := money.Split(total, []int64{1, -1, 2})
		if err == nil || errors.Is(err, money.ErrNoWeights) {
			t.Errorf("Split(%d, negative weight) = %v, %v; want a negative-weight error", total, got, err)
		}
	}
}

// The input slice is not modified.
func TestSplitKeepsInput(t *testing.T) {
	w := []int64{3, 1, 2, 0, 2}
	before := slices.Clone(w)
	if _, err := money.Split(1001, w); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w, before) {
		t.Errorf("Split modified its weights: %v → %v", before, w)
	}
}

func TestSum(t *testing.T) {
	if got := money.Sum(nil); got != 0 {
		t.Errorf("Sum(nil) = %d", got)
	}
	if got := money.Sum([]int64{34, 33, 33, -100, 7}); got != 7 {
		t.Errorf("Sum = %d; want 7", got)
	}
}
