package ehf

import (
	"fmt"
	"sort"

	"github.com/samla-org/samla/internal/money"
)

// Compute is the VAT breakdown and the totals of a set of lines, the one
// computation both the stored invoice and its EHF document use, so the two
// always agree.
//
// Lines are grouped by (VATCategory, VATRateBP); the subtotals are ordered by
// category code, then by rate. For each group the taxable amount is the sum
// of its line net amounts, and the VAT is taxable × rate / 10 000 (rates are
// basis points) rounded once, to whole minor units, half away from zero:
// 0.5 øre → 1 øre and −0.5 øre → −1 øre (money.MulDiv), so a credit for the
// same lines is the exact negation of the invoice. VAT is rounded per group,
// never per line, as EN 16931 computes it (BR-CO-17, BR-S-09). The total VAT
// is the sum of the groups' VAT, and the total is the line sum plus VAT.
//
// Compute panics only if the VAT of a group does not fit in an int64, which
// needs a rate above 100 %; Write refuses such rates before it calls Compute.
func Compute(lines []Line) Totals {
	t, err := compute(lines)
	if err != nil {
		panic(err)
	}
	return t
}

func compute(lines []Line) (Totals, error) {
	type key struct {
		cat  string
		rate int64
	}
	taxable := map[key]int64{}
	var keys []key
	var t Totals
	for _, l := range lines {
		k := key{l.VATCategory, l.VATRateBP}
		if _, seen := taxable[k]; !seen {
			keys = append(keys, k)
		}
		taxable[k] += l.NetMinor
		t.LineMinor += l.NetMinor
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].cat != keys[j].cat {
			return keys[i].cat < keys[j].cat
		}
		return keys[i].rate < keys[j].rate
	})
	for _, k := range keys {
		vat, err := money.MulDiv(taxable[k], k.rate, 10000)
		if err != nil {
			return Totals{}, fmt.Errorf("ehf: VAT of category %s at %d bp: %w", k.cat, k.rate, err)
		}
		t.Subtotals = append(t.Subtotals, Subtotal{Category: k.cat, RateBP: k.rate, TaxableMinor: taxable[k], VATMinor: vat})
		t.VATMinor += vat
	}
	t.TotalMinor = t.LineMinor + t.VATMinor
	return t, nil
}
