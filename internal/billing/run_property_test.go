package billing

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/samla-org/samla/internal/billing/ehf"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/money"
)

// randomPrice draws one of the four price models with random parameters
// and a random currency.
func randomPrice(r *rand.Rand) PriceInput {
	cur := []string{"NOK", "NOK", "EUR", "USD", "SEK", "GBP", "DKK"}[r.IntN(7)]
	basis := []string{BasisFTE, BasisPopulation, BasisStudents}[r.IntN(3)]
	switch r.IntN(4) {
	case 0:
		return PriceInput{Model: ModelFlat, Currency: cur, FlatMinor: r.Int64N(5_000_000)}
	case 1:
		var bands []Band
		from := int64(0)
		for i := 0; i < 1+r.IntN(5); i++ {
			to := from + 1 + r.Int64N(20_000)
			bands = append(bands, Band{From: from, To: to, PriceMinor: r.Int64N(3_000_000)})
			from = to + 1
		}
		if r.IntN(2) == 0 {
			bands[len(bands)-1].To = 0
		}
		return PriceInput{Model: ModelTiers, Currency: cur, Spec: PriceSpec{Basis: basis, Bands: bands}}
	case 2:
		spec := PriceSpec{Basis: basis, Rate: fmt.Sprintf("%d,%03d", r.IntN(3), r.IntN(1000))}
		if r.IntN(2) == 0 {
			spec.MinMinor = p64(r.Int64N(200_000))
		}
		if r.IntN(2) == 0 {
			spec.MaxMinor = p64(200_000 + r.Int64N(2_000_000))
		}
		return PriceInput{Model: ModelRate, Currency: cur, Spec: spec}
	}
	spec := PriceSpec{TotalMinor: 1 + r.Int64N(50_000_000), Among: []string{AmongLibraries, AmongCounties}[r.IntN(2)],
		Key: []string{KeyPopulation, KeyEqual}[r.IntN(2)], CountyPays: []string{CountyPaysLibraries, CountyPaysCountyLibrary}[r.IntN(2)]}
	return PriceInput{Model: ModelShared, Currency: cur, Spec: spec}
}

// Over random worlds — libraries with and without FTE, population and
// students, some billed through their municipality, county libraries in
// some counties, offers of every model in five currencies at random rates —
// an invoice run bills every priced subscription once, never a negative
// amount, with invoice totals equal to their lines; shared totals are
// split to the øre; a re-run after discarding gives the same invoices; and
// once approved, a new run of the period bills nothing.
func TestRunProperties(t *testing.T) {
	cases := 60
	if testing.Short() {
		cases = 15
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 2026))
	for c := 0; c < cases; c++ {
		f := newFix(t)
		for _, cur := range []string{"EUR", "USD", "SEK", "GBP", "DKK"} {
			f.rates[cur] = money.Rate(100_000 + r.Int64N(15_000_000)) // 0.1 to 15 NOK
		}
		counties := []string{"03", "46", "18", "50"}
		var libs []*members.Library
		for i := 0; i < 3+r.IntN(25); i++ {
			var opts []libOpt
			if r.IntN(5) > 0 {
				opts = append(opts, fte(r.Int64N(60_000)))
			}
			if r.IntN(5) > 0 {
				opts = append(opts, population(1+r.Int64N(700_000)))
			}
			if r.IntN(8) == 0 {
				opts = append(opts, typ("county"))
			}
			if r.IntN(4) == 0 {
				opts = append(opts, billedVia(members.InvoiceMunicipality, orgNumber(5000+r.IntN(3))))
			}
			libs = append(libs, f.library(fmt.Sprintf("Bibliotek %d-%d", c, i), counties[r.IntN(len(counties))], opts...))
		}
		ag := f.agreement("Avtale", 2027)
		type offer struct {
			id int64
			in PriceInput
		}
		var offers []offer
		for k := 0; k < 1+r.IntN(6); k++ {
			in := randomPrice(r)
			id := f.offer(ag, fmt.Sprintf("Produkt %d", k), in)
			offers = append(offers, offer{id, in})
			var subs []*members.Library
			for _, l := range libs {
				if r.IntN(3) > 0 {
					subs = append(subs, l)
				}
			}
			if len(subs) > 0 {
				f.subscribe(id, subs...)
			}
		}
		run, invs := f.run(yearRun(2027))
		sourceByOffer, amountByOffer := map[int64]int64{}, map[int64]int64{}
		seen := map[string]bool{}
		for _, inv := range invs {
			var lines []ehf.Line
			for _, l := range inv.Lines {
				if l.AmountMinor < 0 || l.SourceMinor < 0 {
					t.Fatalf("case %d: negative line %+v", c, l)
				}
				if seen[l.SourceKey] {
					t.Fatalf("case %d: %s billed twice", c, l.SourceKey)
				}
				seen[l.SourceKey] = true
				if l.Kind == LineSubscription {
					sourceByOffer[*l.OfferID] += l.SourceMinor
					amountByOffer[*l.OfferID] += l.AmountMinor
				}
				lines = append(lines, ehf.Line{NetMinor: l.AmountMinor, VATCategory: l.VATCategory, VATRateBP: l.VATRateBP})
			}
			tot := ehf.Compute(lines)
			if tot.LineMinor != inv.NetMinor || tot.VATMinor != inv.VATMinor || inv.TotalMinor != inv.NetMinor+inv.VATMinor {
				t.Fatalf("case %d: invoice totals %d/%d/%d do not match its lines %+v", c, inv.NetMinor, inv.VATMinor, inv.TotalMinor, tot)
			}
		}
		skipped := map[int64]bool{}
		for _, s := range run.Skips() {
			skipped[s.OfferID] = true
		}
		for _, o := range offers {
			if o.in.Model == ModelShared && !skipped[o.id] && sourceByOffer[o.id] != 0 && sourceByOffer[o.id] != o.in.Spec.TotalMinor {
				t.Fatalf("case %d: shared offer %d split into %d, total %d", c, o.id, sourceByOffer[o.id], o.in.Spec.TotalMinor)
			}
			// A shared licence in another currency is converted as one
			// total: its converted shares add up to the converted total.
			if o.in.Model == ModelShared && o.in.Currency != "NOK" {
				want, _ := money.Convert(sourceByOffer[o.id], f.rates[o.in.Currency])
				if amountByOffer[o.id] != want {
					t.Fatalf("case %d: shared offer %d converted shares add up to %d, the converted total is %d", c, o.id, amountByOffer[o.id], want)
				}
			}
			if o.in.Model == ModelShared && sourceByOffer[o.id] > o.in.Spec.TotalMinor {
				t.Fatalf("case %d: shared offer %d billed %d over its total %d", c, o.id, sourceByOffer[o.id], o.in.Spec.TotalMinor)
			}
		}
		// Re-run: discard and run again; the same invoices come out.
		if err := f.svc.DiscardRun(f.ctx, admin, run.ID); err != nil {
			t.Fatal(err)
		}
		run2, invs2 := f.run(yearRun(2027))
		if fingerprint(invs) != fingerprint(invs2) {
			t.Fatalf("case %d: a re-run differs:\n%s\n%s", c, fingerprint(invs), fingerprint(invs2))
		}
		if _, err := f.svc.ApproveRun(f.ctx, admin, run2.ID); err != nil {
			t.Fatalf("case %d: approve: %v", c, err)
		}
		if _, again := f.run(yearRun(2027)); len(again) != 0 {
			t.Fatalf("case %d: after approval a new run made %d invoices", c, len(again))
		}
	}
}

func fingerprint(invs []*Invoice) string {
	s := ""
	for _, inv := range invs {
		s += fmt.Sprintf("%s %s %d %d|", inv.PartyKey, inv.BuyerName, inv.NetMinor, inv.VATMinor)
		for _, l := range inv.Lines {
			s += fmt.Sprintf("%s=%d,", l.SourceKey, l.AmountMinor)
		}
	}
	return s
}
