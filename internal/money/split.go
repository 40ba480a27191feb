package money

import (
	"errors"
	"math/big"
	"sort"
)

// ErrNoWeights is returned when a total is to be split but no share has a
// positive weight.
var ErrNoWeights = errors.New("nothing to split by: every share weighs zero")

// Split divides total into len(weights) parts proportional to the weights,
// and the parts always add up to total exactly.
//
// Rule (largest remainder, Hamilton's method): each part first gets the
// whole minor units of its exact quota total×w/Σw, rounded towards zero;
// the minor units left over (fewer than the number of parts) go one each to
// the parts with the largest remainders. Ties go to the larger weight, then
// to the earlier position, so the same input always gives the same split —
// a re-run changes nothing. Parts never differ from their exact quota by a
// whole minor unit or more, and no part is negative when total is not.
// A negative total (a credit) is split as its absolute value and negated.
// Weights must be ≥ 0; zero-weight parts get zero.
func Split(total int64, weights []int64) ([]int64, error) {
	parts := make([]int64, len(weights))
	sum := new(big.Int)
	for _, w := range weights {
		if w < 0 {
			return nil, errors.New("money.Split: negative weight")
		}
		sum.Add(sum, big.NewInt(w))
	}
	if total == 0 {
		return parts, nil
	}
	if sum.Sign() == 0 {
		return nil, ErrNoWeights
	}
	neg := total < 0
	abs := new(big.Int).Abs(big.NewInt(total))
	type rem struct {
		i int
		r *big.Int
	}
	rems := make([]rem, 0, len(weights))
	given := new(big.Int)
	for i, w := range weights {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(abs, big.NewInt(w)), sum, new(big.Int))
		parts[i] = q.Int64()
		given.Add(given, q)
		if w > 0 {
			rems = append(rems, rem{i, r})
		}
	}
	left := new(big.Int).Sub(abs, given).Int64() // < number of positive weights
	sort.SliceStable(rems, func(a, b int) bool {
		if c := rems[a].r.Cmp(rems[b].r); c != 0 {
			return c > 0
		}
		if weights[rems[a].i] != weights[rems[b].i] {
			return weights[rems[a].i] > weights[rems[b].i]
		}
		return rems[a].i < rems[b].i
	})
	for k := int64(0); k < left; k++ {
		parts[rems[k].i]++
	}
	if neg {
		for i := range parts {
			parts[i] = -parts[i]
		}
	}
	return parts, nil
}

// Sum adds amounts; it exists so callers and tests say what they check.
func Sum(parts []int64) int64 {
	var s int64
	for _, p := range parts {
		s += p
	}
	return s
}
