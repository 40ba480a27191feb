package billing

import "testing"

// A library deciding in the enrolment window sees its own price: its tier,
// its share of a shared licence counting it among the subscribers so far,
// or why it cannot be priced.
func TestQuotesForALibrary(t *testing.T) {
	f := newFix(t)
	big := f.library("Stor", "03", population(60_000))
	small := f.library("Liten", "03", population(20_000))
	none := f.library("Ukjent", "03")
	ag := f.agreement("Avtale", 2027)
	tiers := f.offer(ag, "Trinn", PriceInput{Model: ModelTiers, Currency: "NOK", Spec: PriceSpec{Basis: BasisPopulation,
		Bands: []Band{{From: 0, To: 49_999, PriceMinor: 500_000}, {From: 50_000, PriceMinor: 900_000}}}})
	shared := f.offer(ag, "Felles", PriceInput{Model: ModelShared, Currency: "EUR", Spec: PriceSpec{TotalMinor: 1_000_000, Among: AmongLibraries, Key: KeyPopulation}})
	flat := f.offer(ag, "Fast", PriceInput{Model: ModelFlat, Currency: "NOK", FlatMinor: 12_345})
	f.subscribe(shared, big)

	q, err := f.svc.Quotes(f.ctx, []int64{tiers, shared, flat}, small.ID)
	if err != nil {
		t.Fatal(err)
	}
	if q[tiers].Minor != 500_000 || !q[tiers].Priced {
		t.Errorf("tier quote %+v", q[tiers])
	}
	// Liten joins Stor: 20 000 of 80 000 of EUR 10 000,00.
	if q[shared].Minor != 250_000 || q[shared].Currency != "EUR" {
		t.Errorf("shared quote %+v", q[shared])
	}
	if q[flat].Minor != 12_345 {
		t.Errorf("flat quote %+v", q[flat])
	}
	q, _ = f.svc.Quotes(f.ctx, []int64{tiers}, none.ID)
	if q[tiers].Priced || q[tiers].Skip != "billing.skip.no_basis" {
		t.Errorf("quote without population %+v", q[tiers])
	}
	q, _ = f.svc.Quotes(f.ctx, []int64{tiers, flat}, 0)
	if q[tiers].Priced || !q[flat].Priced {
		t.Errorf("quotes for nobody %+v", q)
	}
}
