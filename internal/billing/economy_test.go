package billing

import (
	"errors"
	"testing"

	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/money"
)

// A national licence split among counties by population, each county's
// share paid by its county library; the vendor's invoice arrives in EUR at
// another rate than the one charged. The report separates the deficit of
// non-paying counties from the currency result, and the deficit is shared
// among the participating counties' libraries to the øre.
func TestNationalLicenceDeficitAndCurrencyResult(t *testing.T) {
	f := newFix(t)
	f.rates["EUR"] = 11_000000
	// Three counties with county libraries; the libraries of 03 and 46
	// take part, 18 (Nordland) has no county library and so cannot pay.
	oslo := f.library("Deichman", "03")
	vest := f.library("Vestland fylkesbibliotek", "46", typ("county"))
	f.library("Nordland fylkesbibliotek-kandidat", "18") // a public library, not the county library
	bergen := f.library("Bergen offentlige bibliotek", "46")
	bodo := f.library("Stormen bibliotek", "18")
	osloCounty := f.library("Oslo fylkesbibliotek", "03", typ("county"))
	ag := f.agreement("PressReader 2027", 2027)
	total := int64(10_000_000) // EUR 100 000,00
	o := f.offer(ag, "PressReader", PriceInput{Model: ModelShared, Currency: "EUR", VendorCostMinor: p64(total),
		Spec: PriceSpec{TotalMinor: total, Among: AmongCounties, Key: KeyPopulation, CountyPays: CountyPaysCountyLibrary}})
	f.subscribe(o, oslo, bergen, bodo)
	run, invs := f.run(yearRun(2027))
	if len(invs) != 2 {
		t.Fatalf("%d invoices, want 2 (the county libraries of 03 and 46)", len(invs))
	}
	sk := run.Skips()
	if len(sk) != 1 || sk[0].LibraryID != bodo.ID || sk[0].Code != "billing.skip.no_county_library" {
		t.Fatalf("skips %+v, want Stormen (county 18 has no county library)", sk)
	}
	var eur int64
	for _, inv := range invs {
		if inv.BuyerOrgNumber != vest.OrgNumber && inv.BuyerOrgNumber != osloCounty.OrgNumber {
			t.Errorf("invoice to %s", inv.BuyerName)
		}
		for _, l := range inv.Lines {
			if l.Kind == LineSubscription {
				eur += l.SourceMinor
			}
		}
	}
	if _, err := f.svc.ApproveRun(f.ctx, admin, run.ID); err != nil {
		t.Fatal(err)
	}
	// The vendor invoices the full EUR 100 000 at 11.20 NOK.
	vi, err := f.svc.RegisterVendorInvoice(f.ctx, admin, VendorInvoiceInput{AgreementID: ag, Number: "PR-1", InvoiceDate: "2027-01-15",
		Currency: "EUR", AmountMinor: total, Rate: "11,20"})
	if err != nil {
		t.Fatal(err)
	}
	if vi.DifferenceMinor != 0 || vi.HomeMinor != 112_000_000 {
		t.Errorf("vendor invoice check: difference %d, NOK %d", vi.DifferenceMinor, vi.HomeMinor)
	}
	e, err := f.svc.AgreementEconomy(f.ctx, admin, ag)
	if err != nil {
		t.Fatal(err)
	}
	collected, _ := money.Convert(eur, 11_000000)
	markup, _ := money.Percent(collected, 500)
	if e.CollectedMinor != collected || e.MarkupMinor != markup {
		t.Errorf("collected %d markup %d, want %d and %d", e.CollectedMinor, e.MarkupMinor, collected, markup)
	}
	if e.ExpectedCostMinor != 110_000_000 || e.RealCostMinor != 112_000_000 {
		t.Errorf("expected %d real %d", e.ExpectedCostMinor, e.RealCostMinor)
	}
	if e.DeficitMinor != 110_000_000-collected || e.DeficitMinor <= 0 {
		t.Errorf("deficit %d", e.DeficitMinor)
	}
	if e.CurrencyResultMinor != markup-2_000_000 {
		t.Errorf("currency result %d, want markup − 20 000,00 = %d", e.CurrencyResultMinor, markup-2_000_000)
	}
	// Share the deficit among the participating counties by equal shares.
	drun, dinvs := f.run(RunInput{Kind: RunDeficit, Year: 2027, AgreementID: &ag, Key: KeyEqual})
	var shared int64
	for _, inv := range dinvs {
		for _, l := range inv.Lines {
			shared += l.AmountMinor
			if l.VATCategory != "E" || l.Kind != LineDeficit {
				t.Errorf("deficit line %+v", l)
			}
		}
	}
	if shared != e.DeficitMinor {
		t.Errorf("deficit shares add up to %d, want %d", shared, e.DeficitMinor)
	}
	if _, err := f.svc.ApproveRun(f.ctx, admin, drun.ID); err != nil {
		t.Fatal(err)
	}
	e2, _ := f.svc.AgreementEconomy(f.ctx, admin, ag)
	if e2.DeficitCoveredMinor != e.DeficitMinor || len(e2.CoveredBy) != 2 {
		t.Errorf("covered %d by %v", e2.DeficitCoveredMinor, e2.CoveredBy)
	}
	if e2.NetMinor != e2.CurrencyResultMinor {
		t.Errorf("with the deficit covered the net (%d) is the currency result (%d)", e2.NetMinor, e2.CurrencyResultMinor)
	}
	// The deficit is shared once: a second deficit run is refused.
	if _, err := f.svc.CreateRun(f.ctx, admin, RunInput{Kind: RunDeficit, Name: "igjen", Year: 2027, AgreementID: &ag, Key: KeyEqual, AmountMinor: p64(100)}); err == nil {
		t.Error("a second deficit share was accepted")
	}
}

// The consortium's costs are shared among every county library by
// population, and the shares add up to the total exactly.
func TestConsortiumCostsSharedByPopulation(t *testing.T) {
	f := newFix(t)
	for _, c := range []string{"03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55", "56"} {
		f.library("Fylkesbibliotek "+c, c, typ("county"))
	}
	for _, c := range []struct {
		d string
		a int64
	}{{"Lønn", 312_345_67}, {"Systemer", 45_000_01}, {"Reiser", 1_234_56}} {
		if _, err := f.svc.AddCost(f.ctx, admin, 2027, c.d, c.a); err != nil {
			t.Fatal(err)
		}
	}
	rep, _ := f.svc.Costs(f.ctx, admin, 2027)
	run, invs := f.run(RunInput{Kind: RunCosts, Year: 2027, Key: KeyPopulation})
	if len(invs) != 15 {
		t.Fatalf("%d invoices, want 15", len(invs))
	}
	var sum int64
	for _, inv := range invs {
		sum += inv.NetMinor
	}
	if sum != rep.Total {
		t.Fatalf("shares add up to %d, want %d", sum, rep.Total)
	}
	if _, err := f.svc.ApproveRun(f.ctx, admin, run.ID); err != nil {
		t.Fatal(err)
	}
	rep, _ = f.svc.Costs(f.ctx, admin, 2027)
	if rep.Invoiced != rep.Total || len(rep.PaidBy) != 15 {
		t.Errorf("invoiced %d of %d by %d", rep.Invoiced, rep.Total, len(rep.PaidBy))
	}
}

// A vendor invoice that differs from what was agreed shows the difference
// and needs a reason to be approved for payment.
func TestVendorInvoiceCheckedAgainstEnrolments(t *testing.T) {
	f := newFix(t)
	ag := f.agreement("Avtale", 2027)
	o := f.offer(ag, "Oppslagsverk", PriceInput{Model: ModelRate, Currency: "NOK", Spec: PriceSpec{Basis: BasisPopulation, Rate: "0,35", MinMinor: p64(500_000)}})
	f.subscribe(o, f.library("Stor", "03", population(100_001)), f.library("Liten", "03", population(900)))
	// 100 001 × 0,35 = 35 000,35; 900 × 0,35 = 315,00 → minimum 5 000,00.
	vi, err := f.svc.RegisterVendorInvoice(f.ctx, admin, VendorInvoiceInput{AgreementID: ag, Number: "F-77", InvoiceDate: "2027-02-01", Currency: "NOK", AmountMinor: 4_100_035})
	if err != nil {
		t.Fatal(err)
	}
	if vi.ExpectedMinor != 4_000_035 || vi.DifferenceMinor != 100_000 {
		t.Fatalf("expected %d difference %d", vi.ExpectedMinor, vi.DifferenceMinor)
	}
	var ve *ValidationError
	if err := f.svc.ApproveVendorInvoice(f.ctx, admin, vi.ID, ""); !errors.As(err, &ve) {
		t.Fatalf("approval without a reason: %v", err)
	}
	if err := f.svc.ApproveVendorInvoice(f.ctx, admin, vi.ID, "Etterfakturert gebyr, avtalt per e-post"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RegisterVendorInvoice(f.ctx, admin, VendorInvoiceInput{AgreementID: ag, Number: "F-77", InvoiceDate: "2027-02-01", Currency: "NOK", AmountMinor: 1}); !errors.As(err, &ve) {
		t.Errorf("a duplicate vendor invoice number: %v", err)
	}
	if _, err := f.svc.RegisterVendorInvoice(f.ctx, admin, VendorInvoiceInput{AgreementID: ag, Number: "F-78", InvoiceDate: calendar.Date("2027-02-01"), Currency: "USD", AmountMinor: 1}); !errors.As(err, &ve) {
		t.Errorf("a USD invoice without a rate on file: %v", err)
	}
}

// Without a vendor invoice or a vendor total the cost is unknown, not
// zero: no deficit or surplus is claimed, the markup is all buffer.
func TestEconomyWithoutAnyCost(t *testing.T) {
	f := newFix(t)
	f.rates["EUR"] = 11_000000
	ag := f.agreement("Avtale", 2027)
	o := f.offer(ag, "Database", PriceInput{Model: ModelFlat, Currency: "EUR", FlatMinor: 100_000})
	f.subscribe(o, f.library("Alfa", "03"))
	run, _ := f.run(yearRun(2027))
	if _, err := f.svc.ApproveRun(f.ctx, admin, run.ID); err != nil {
		t.Fatal(err)
	}
	e, err := f.svc.AgreementEconomy(f.ctx, admin, ag)
	if err != nil {
		t.Fatal(err)
	}
	if e.HasCost || e.DeficitMinor != 0 || e.CollectedMinor != 1_100_000 || e.CurrencyResultMinor != 55_000 {
		t.Errorf("economy without a cost: %+v", e)
	}
	// A vendor total makes the cost known in advance.
	if err := f.svc.SetPrice(f.ctx, admin, o, PriceInput{Model: ModelFlat, Currency: "EUR", FlatMinor: 100_000, VendorCostMinor: p64(150_000)}); err != nil {
		t.Fatal(err)
	}
	e, _ = f.svc.AgreementEconomy(f.ctx, admin, ag)
	if !e.HasCost || e.CostKnown || e.DeficitMinor != 550_000 {
		t.Errorf("economy with a vendor total: %+v", e)
	}
}
