package billing

import (
	"encoding/xml"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/billing/ehf/ehftest"
	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/money"
)

// TestEHFFromDatabase bills a consortium world of every kind Samla invoices
// — each price model, a foreign price converted with its markup line, VAT
// exempt and zero-rated products, a library billed through its
// municipality, a run in EUR, a deficit run, a consortium-costs run, a full
// and two partial credit notes — approves it, writes every approved invoice
// and credit note as EHF through Service.EHF, and checks each document
// against what is stored and, in one run, against the official CEN and
// PEPPOL rules and the UBL 2.1 schemas: no fatal failure. The official
// examples run beside them as controls (the invalid ones must fail).
//
// Without Java and Saxon only the "official rules" subtest is skipped,
// saying so; SAMLA_REQUIRE_SAXON=1 makes that a failure.
func TestEHFFromDatabase(t *testing.T) {
	f := newFix(t)
	w := ehfWorld(f)
	w.checkCoverage(t)

	docs := map[string][]byte{}
	stored := map[string]*Invoice{}
	for _, inv := range w.approved() {
		name, data, err := f.svc.EHF(f.ctx, admin, inv.ID)
		if err != nil {
			t.Fatalf("EHF of %s %s to %s: %v", inv.Kind, inv.NumberText(), inv.BuyerName, err)
		}
		if _, dup := docs[name]; dup {
			t.Fatalf("two documents named %s", name)
		}
		docs[name], stored[name] = data, inv
	}

	t.Run("credit notes take the lines asked for", func(t *testing.T) {
		for _, name := range slices.Sorted(maps.Keys(docs)) {
			if inv := stored[name]; inv.Kind == KindCreditNote {
				w.checkCredited(t, name, inv)
			}
		}
	})

	t.Run("agrees with the stored invoice", func(t *testing.T) {
		for _, name := range slices.Sorted(maps.Keys(docs)) {
			w.checkDocument(t, name, docs[name], stored[name])
		}
	})

	t.Run("official rules", func(t *testing.T) {
		files := maps.Clone(docs)
		valid, invalid := ehftest.Examples(t)
		maps.Copy(files, valid)
		maps.Copy(files, invalid)
		results := ehftest.Validate(t, files)
		for _, name := range slices.Sorted(maps.Keys(docs)) {
			r := results[name]
			r.AssertValid(t, name)
			if len(r.Failures) == 0 {
				t.Logf("%s: valid (%s %s to %s)", name, stored[name].Currency, money.Plain(stored[name].TotalMinor), stored[name].BuyerName)
			}
		}
		for name := range valid {
			results[name].AssertValid(t, name)
		}
		ehftest.AssertInvalidExamples(t, results)
	})
}

// ehfWorldT is the billed world and the ids the checks need.
type ehfWorldT struct {
	f      *fix
	offers map[string]int64 // what it stands for → offer id
	muni   string           // the municipality's org number
	// Credit notes and the invoices they credit; full is credited whole.
	full, partialNOK, partialEUR *Invoice
	credited                     map[int64]*Invoice
	asked                        map[int64][]int64 // credit note id → the line ids asked to credit (nil: all)
}

func withAddress(a string) libOpt  { return func(l *members.Library) { l.InvoiceAddress = a } }
func withEndpoint(e string) libOpt { return func(l *members.Library) { l.EInvoiceEndpoint = e } }

// ehfWorld builds, runs, approves and credits the world.
func ehfWorld(f *fix) *ehfWorldT {
	t := f.t
	t.Helper()
	f.rates["EUR"] = 11_645_500 // 11.6455 NOK per EUR
	w := &ehfWorldT{f: f, offers: map[string]int64{}, muni: orgNumber(900), credited: map[int64]*Invoice{}, asked: map[int64][]int64{}}

	// County libraries of Oslo, Vestland and Innlandet; Nordland (18) has
	// none, so its share of the national licence is a deficit.
	f.library("Oslo fylkesbibliotek", "03", typ("county"))
	f.library("Vestland fylkesbibliotek", "46", typ("county"), withAddress("Postboks 7900, 5020 Bergen"))
	f.library("Innlandet fylkesbibliotek", "34", typ("county"), withAddress("Fylkeshuset"))
	deich := f.library("Deichman", "03", fte(120), population(717_710))
	bergen := f.library("Bergen offentlige bibliotek", "46", fte(60), population(291_940),
		withAddress("Strømgaten 6\n5015 Bergen"))
	// A branch with its own org number that receives e-invoices at the
	// city's Peppol address.
	bergen2 := f.library("Bergen filial", "46", fte(3), population(900), withEndpoint("0192:"+orgNumber(901)))
	stormen := f.library("Stormen bibliotek", "18", fte(14), population(53_000), withAddress(""))
	kongsA := f.library("Kultur & bibliotek <Kongsvinger>", "34", fte(12), population(18_000),
		billedVia(members.InvoiceMunicipality, w.muni), withAddress("Rådhuset\nPostboks 900\n2226 Kongsvinger"))
	kongsB := f.library("Kongsvinger skolebibliotek", "34", typ("school"), fte(2), population(900),
		billedVia(members.InvoiceMunicipality, w.muni))

	// A run in EUR first, for its own agreement only: a EUR price as it
	// is, a NOK price converted to EUR with its markup, a zero-rated one.
	intl := f.agreement("Internasjonal avtale 2027", 2027)
	w.offers["eur-run EUR flat"] = f.offer(intl, "Emerald Insight", PriceInput{Model: ModelFlat, Currency: "EUR", FlatMinor: 182_500})
	w.offers["eur-run NOK flat"] = f.offer(intl, "Norsk oppslagsverk", PriceInput{Model: ModelFlat, Currency: "NOK", FlatMinor: 500_000})
	w.offers["eur-run Z"] = f.offer(intl, "Nyhetsarkiv", PriceInput{Model: ModelFlat, Currency: "EUR", FlatMinor: 50_000})
	f.vat(w.offers["eur-run Z"], "Z")
	for _, k := range []string{"eur-run EUR flat", "eur-run NOK flat", "eur-run Z"} {
		f.subscribe(w.offers[k], bergen, deich)
	}
	eurIn := yearRun(2027)
	eurIn.Currency, eurIn.AgreementID, eurIn.Name = "EUR", &intl, "Internasjonale avtaler 2027 (EUR)"
	f.approve(eurIn)

	// The NOK run of the year: every price model.
	ag := f.agreement("Avtale 2027", 2027)
	w.offers["flat"] = f.offer(ag, "Avisarkiv", PriceInput{Model: ModelFlat, Currency: "NOK", FlatMinor: 1_250_000})
	w.offers["tiers by FTE"] = f.offer(ag, "Tidsskrifter", PriceInput{Model: ModelTiers, Currency: "NOK", Spec: PriceSpec{Basis: BasisFTE,
		Bands: []Band{{From: 0, To: 9, PriceMinor: 300_000}, {From: 10, To: 99, PriceMinor: 900_000}, {From: 100, PriceMinor: 2_400_000}}}})
	w.offers["rate per inhabitant"] = f.offer(ag, "Oppslagsverk", PriceInput{Model: ModelRate, Currency: "NOK", Spec: PriceSpec{
		Basis: BasisPopulation, Rate: "0,35", MinMinor: p64(500_000), MaxMinor: p64(20_000_000)}})
	w.offers["shared among libraries"] = f.offer(ag, "Lydbøker", PriceInput{Model: ModelShared, Currency: "NOK",
		Spec: PriceSpec{TotalMinor: 30_000_000, Among: AmongLibraries, Key: KeyPopulation}})
	w.offers["EUR price, markup"] = f.offer(ag, "E-bøker", PriceInput{Model: ModelFlat, Currency: "EUR", FlatMinor: 100_050})
	w.offers["exempt E"] = f.offer(ag, "Kurs i kildekritikk", PriceInput{Model: ModelFlat, Currency: "NOK", FlatMinor: 300_000})
	f.vat(w.offers["exempt E"], "E")
	w.offers["zero-rated Z"] = f.offer(ag, "Aviser digitalt", PriceInput{Model: ModelFlat, Currency: "NOK", FlatMinor: 980_000})
	f.vat(w.offers["zero-rated Z"], "Z")
	f.subscribe(w.offers["flat"], deich, bergen, kongsA, stormen)
	f.subscribe(w.offers["tiers by FTE"], deich, bergen, kongsA, kongsB)
	f.subscribe(w.offers["rate per inhabitant"], deich, stormen, kongsB)
	f.subscribe(w.offers["shared among libraries"], deich, bergen, bergen2, kongsA, stormen)
	f.subscribe(w.offers["EUR price, markup"], deich, bergen)
	f.subscribe(w.offers["exempt E"], bergen, kongsA)
	f.subscribe(w.offers["zero-rated Z"], deich, kongsB, bergen2)

	// A national licence among the counties, each share paid by the
	// county library, in its own agreement so that its deficit can be
	// shared.
	pr := f.agreement("PressReader 2027", 2027)
	total := int64(200_000_000)
	w.offers["national licence among counties"] = f.offer(pr, "PressReader", PriceInput{Model: ModelShared, Currency: "NOK",
		VendorCostMinor: p64(total), Spec: PriceSpec{TotalMinor: total, Among: AmongCounties, Key: KeyPopulation, CountyPays: CountyPaysCountyLibrary}})
	f.subscribe(w.offers["national licence among counties"], deich, bergen, stormen, kongsA)
	f.approve(yearRun(2027))

	// Nordland's share is the deficit, shared equally among the
	// participating counties' libraries; the consortium's costs by
	// population among all county libraries.
	f.approve(RunInput{Kind: RunDeficit, Year: 2027, AgreementID: &pr, Key: KeyEqual})
	for _, c := range []struct {
		d string
		a int64
	}{{"Lønn", 312_345_67}, {"Systemer", 45_000_01}} {
		if _, err := f.svc.AddCost(f.ctx, admin, 2027, c.d, c.a); err != nil {
			t.Fatal(err)
		}
	}
	f.approve(RunInput{Kind: RunCosts, Year: 2027, Key: KeyPopulation})

	// Credit notes: the municipality's invoice in full; one line of
	// Deichman's NOK invoice; Bergen's converted EUR line and its markup.
	invs := w.approved()
	find := func(org, currency string) *Invoice {
		for _, inv := range invs {
			if inv.Kind == KindInvoice && inv.BuyerOrgNumber == org && inv.Currency == currency && inv.RunID != nil {
				var run Run
				if err := f.db.NewSelect().Model(&run).Where("id = ?", *inv.RunID).Scan(f.ctx); err != nil {
					t.Fatal(err)
				}
				if run.Kind == RunSubscriptions {
					return inv
				}
			}
		}
		t.Fatalf("no %s subscription invoice to %s", currency, org)
		return nil
	}
	w.full = find(w.muni, "NOK")
	w.credit(w.full, nil, "Feil betaler: skal faktureres biblioteket")
	w.partialNOK = find(deich.OrgNumber, "NOK")
	w.credit(w.partialNOK, w.lineIDs(w.partialNOK, w.offers["zero-rated Z"]), "Aviser digitalt var ikke bestilt")
	w.partialEUR = find(bergen.OrgNumber, "EUR")
	w.credit(w.partialEUR, w.lineIDs(w.partialEUR, w.offers["eur-run NOK flat"]), "Norsk oppslagsverk avbestilt")
	return w
}

func (f *fix) vat(offerID int64, category string) {
	f.t.Helper()
	if err := f.svc.SetProductVAT(f.ctx, admin, f.productOf(offerID), category, 0); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fix) approve(in RunInput) {
	f.t.Helper()
	run, invs := f.run(in)
	if len(invs) == 0 {
		f.t.Fatalf("run %q made no invoices (skipped: %+v)", run.Name, run.Skips())
	}
	if _, err := f.svc.ApproveRun(f.ctx, admin, run.ID); err != nil {
		f.t.Fatalf("approve %q: %v", run.Name, err)
	}
}

// lineIDs are the ids of an invoice's lines (subscription and markup) of
// an offer.
func (w *ehfWorldT) lineIDs(inv *Invoice, offerID int64) []int64 {
	var ids []int64
	for _, l := range inv.Lines {
		if l.OfferID != nil && *l.OfferID == offerID {
			ids = append(ids, l.ID)
		}
	}
	if len(ids) == 0 || len(ids) == len(inv.Lines) {
		w.f.t.Fatalf("invoice %s: %d of %d lines of offer %d; want some, not all", inv.NumberText(), len(ids), len(inv.Lines), offerID)
	}
	return ids
}

func (w *ehfWorldT) credit(inv *Invoice, lineIDs []int64, reason string) {
	w.f.t.Helper()
	cn, err := w.f.svc.CreditInvoice(w.f.ctx, admin, inv.ID, lineIDs, reason)
	if err != nil {
		w.f.t.Fatalf("credit %s: %v", inv.NumberText(), err)
	}
	w.credited[cn.ID] = inv
	w.asked[cn.ID] = lineIDs
}

// approved are every approved invoice and credit note with their lines.
func (w *ehfWorldT) approved() []*Invoice {
	f := w.f
	var ids []int64
	if err := f.db.NewSelect().Table("invoices").Column("id").Where("status = ?", StatusApproved).OrderExpr("id").Scan(f.ctx, &ids); err != nil {
		f.t.Fatal(err)
	}
	out := make([]*Invoice, len(ids))
	for i, id := range ids {
		inv, err := f.svc.Invoice(f.ctx, admin, id)
		if err != nil {
			f.t.Fatal(err)
		}
		out[i] = inv
	}
	return out
}

// checkCoverage makes sure the world bills what the test claims to cover,
// so a change to the fixture cannot quietly drop a kind of document.
func (w *ehfWorldT) checkCoverage(t *testing.T) {
	t.Helper()
	has := map[string]bool{}
	for _, inv := range w.approved() {
		has["kind "+inv.Kind] = true
		has["currency "+inv.Currency] = true
		has["party "+inv.PartyKind] = true
		if inv.HomeRateMicro != nil {
			has["tax currency"] = true
		}
		if inv.BuyerEndpoint != "" {
			has["own endpoint"] = true
		}
		if orig := w.credited[inv.ID]; orig != nil {
			if inv.TotalMinor == -orig.TotalMinor && len(inv.Lines) == len(orig.Lines) {
				has["full credit "+inv.Currency] = true
			} else {
				has["partial credit "+inv.Currency] = true
			}
		}
		for _, l := range inv.Lines {
			has["line "+l.Kind] = true
			has["VAT "+l.VATCategory] = true
			if l.RateMicro != nil {
				has["converted "+l.SourceCurrency+" to "+inv.Currency] = true
			}
			for k, id := range w.offers {
				if l.OfferID != nil && *l.OfferID == id {
					has["offer "+k] = true
				}
			}
		}
	}
	want := []string{"kind invoice", "kind credit_note", "currency NOK", "currency EUR", "tax currency",
		"party " + members.InvoiceSelf, "party " + members.InvoiceMunicipality, "own endpoint",
		"full credit NOK", "partial credit NOK", "partial credit EUR",
		"line " + LineSubscription, "line " + LineMarkup, "line " + LineDeficit, "line " + LineCosts,
		"VAT S", "VAT E", "VAT Z", "converted EUR to NOK", "converted NOK to EUR"}
	for k := range w.offers {
		want = append(want, "offer "+k)
	}
	for _, k := range want {
		if !has[k] {
			t.Errorf("the world bills no %q", k)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// checkCredited compares a credit note's lines with the lines asked for:
// each credited line's source key is credit:<line id>.
func (w *ehfWorldT) checkCredited(t *testing.T, name string, cn *Invoice) {
	t.Helper()
	orig := w.credited[cn.ID]
	want := w.asked[cn.ID]
	if want == nil {
		for _, l := range orig.Lines {
			want = append(want, l.ID)
		}
	}
	var got []int64
	for _, l := range cn.Lines {
		var id int64
		if _, err := fmt.Sscanf(l.SourceKey, "credit:%d", &id); err != nil {
			t.Errorf("%s: line %d source key %q", name, l.Position, l.SourceKey)
		}
		got = append(got, id)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		var extra []string
		for _, l := range orig.Lines {
			if slices.Contains(got, l.ID) && !slices.Contains(want, l.ID) {
				extra = append(extra, fmt.Sprintf("%q %s", l.Description, money.Plain(l.AmountMinor)))
			}
		}
		t.Errorf("%s credits lines %v of invoice %s, asked for %v; not asked for: %s",
			name, got, orig.NumberText(), want, strings.Join(extra, ", "))
	}
}

// ublAmount is an amount element: its text and currencyID.
type ublAmount struct {
	Value    string `xml:",chardata"`
	Currency string `xml:"currencyID,attr"`
}

// ublDoc is what checkDocument reads of an Invoice or CreditNote; element
// names match in any namespace.
type ublDoc struct {
	XMLName      xml.Name
	ID           string `xml:"ID"`
	IssueDate    string `xml:"IssueDate"`
	DueDate      string `xml:"DueDate"`
	Currency     string `xml:"DocumentCurrencyCode"`
	TaxCurrency  string `xml:"TaxCurrencyCode"`
	BuyerRef     string `xml:"BuyerReference"`
	Preceding    string `xml:"BillingReference>InvoiceDocumentReference>ID"`
	BuyerOrg     string `xml:"AccountingCustomerParty>Party>PartyLegalEntity>CompanyID"`
	BuyerName    string `xml:"AccountingCustomerParty>Party>PartyName>Name"`
	BuyerEnd     string `xml:"AccountingCustomerParty>Party>EndpointID"`
	BuyerCountry string `xml:"AccountingCustomerParty>Party>PostalAddress>Country>IdentificationCode"`
	TaxTotals    []struct {
		Amount ublAmount `xml:"TaxAmount"`
	} `xml:"TaxTotal"`
	Total struct {
		Lines        ublAmount `xml:"LineExtensionAmount"`
		TaxExclusive ublAmount `xml:"TaxExclusiveAmount"`
		TaxInclusive ublAmount `xml:"TaxInclusiveAmount"`
		Payable      ublAmount `xml:"PayableAmount"`
	} `xml:"LegalMonetaryTotal"`
	InvoiceLines []ublLine `xml:"InvoiceLine"`
	CreditLines  []ublLine `xml:"CreditNoteLine"`
}

type ublLine struct {
	Amount ublAmount `xml:"LineExtensionAmount"`
	Name   string    `xml:"Item>Name"`
	Cat    string    `xml:"Item>ClassifiedTaxCategory>ID"`
	Note   string    `xml:"Note"`
}

// checkDocument compares an EHF document with the stored invoice: number,
// currencies, buyer, every total (PayableAmount is TotalMinor; a credit
// note's, stored negative, is −TotalMinor) and every line.
func (w *ehfWorldT) checkDocument(t *testing.T, name string, data []byte, inv *Invoice) {
	t.Helper()
	var d ublDoc
	if err := xml.Unmarshal(data, &d); err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	errorf := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s (%s %s to %s): %s", name, inv.Kind, inv.NumberText(), inv.BuyerName, fmt.Sprintf(format, args...))
	}
	sign, root, lines := int64(1), "Invoice", d.InvoiceLines
	if inv.Kind == KindCreditNote {
		sign, root, lines = -1, "CreditNote", d.CreditLines
	}
	if d.XMLName.Local != root {
		errorf("root %s, want %s", d.XMLName.Local, root)
	}
	if d.ID != inv.NumberText() || d.IssueDate != string(inv.IssueDate) || d.Currency != inv.Currency || d.BuyerRef != inv.BuyerReference {
		errorf("ID %q issued %s currency %s buyer ref %q; stored %q %s %s %q",
			d.ID, d.IssueDate, d.Currency, d.BuyerRef, inv.NumberText(), inv.IssueDate, inv.Currency, inv.BuyerReference)
	}
	if inv.Kind == KindInvoice && d.DueDate != string(inv.DueDate) {
		errorf("due %s, stored %s", d.DueDate, inv.DueDate)
	}
	if d.BuyerOrg != inv.BuyerOrgNumber || d.BuyerName != inv.BuyerName || d.BuyerCountry != inv.BuyerCountry {
		errorf("buyer %q %q %q, stored %q %q %q", d.BuyerOrg, d.BuyerName, d.BuyerCountry, inv.BuyerOrgNumber, inv.BuyerName, inv.BuyerCountry)
	}
	wantEnd := inv.BuyerOrgNumber
	if _, id, ok := strings.Cut(inv.BuyerEndpoint, ":"); ok {
		wantEnd = id
	}
	if d.BuyerEnd != wantEnd {
		errorf("buyer endpoint %q, want %q", d.BuyerEnd, wantEnd)
	}
	if inv.Kind == KindCreditNote {
		orig := w.credited[inv.ID]
		if orig == nil || d.Preceding != orig.NumberText() {
			errorf("credits invoice %q, want %v", d.Preceding, orig)
		}
	}
	amount := func(what string, a ublAmount, want int64, currency string) {
		t.Helper()
		got, err := money.ParseMinor(a.Value)
		if err != nil || got != want || a.Currency != currency {
			errorf("%s %s %s, want %s %s", what, a.Value, a.Currency, money.Plain(want), currency)
		}
	}
	amount("PayableAmount", d.Total.Payable, sign*inv.TotalMinor, inv.Currency)
	amount("TaxInclusiveAmount", d.Total.TaxInclusive, sign*inv.TotalMinor, inv.Currency)
	amount("TaxExclusiveAmount", d.Total.TaxExclusive, sign*inv.NetMinor, inv.Currency)
	amount("LineExtensionAmount", d.Total.Lines, sign*inv.NetMinor, inv.Currency)
	wantTotals := 1
	if inv.HomeRateMicro != nil {
		wantTotals = 2
		if d.TaxCurrency != "NOK" {
			errorf("TaxCurrencyCode %q, want NOK", d.TaxCurrency)
		}
	}
	if len(d.TaxTotals) != wantTotals {
		errorf("%d TaxTotal, want %d", len(d.TaxTotals), wantTotals)
	} else {
		amount("TaxTotal/TaxAmount", d.TaxTotals[0].Amount, sign*inv.VATMinor, inv.Currency)
		if wantTotals == 2 {
			home, err := money.Convert(sign*inv.VATMinor, money.Rate(*inv.HomeRateMicro))
			if err != nil {
				t.Fatal(err)
			}
			amount("TaxTotal[2]/TaxAmount", d.TaxTotals[1].Amount, home, "NOK")
		}
	}
	if len(lines) != len(inv.Lines) {
		errorf("%d lines, stored %d", len(lines), len(inv.Lines))
		return
	}
	for i, l := range inv.Lines {
		amount(fmt.Sprintf("line %d", i+1), lines[i].Amount, sign*l.AmountMinor, inv.Currency)
		if lines[i].Name != l.Description || lines[i].Cat != l.VATCategory {
			errorf("line %d: %q %s, stored %q %s", i+1, lines[i].Name, lines[i].Cat, l.Description, l.VATCategory)
		}
		w.checkRateNote(t, errorf, i+1, lines[i].Note, inv, l)
	}
}

// checkRateNote: the note under a converted line tells the buyer how its
// amount came about, so the rate it names must give the line's amount from
// the source amount. The line stores the source currency's home rate
// (economy.go measures the currency result with it); when the invoice is
// not in the home currency the note must also name the invoice currency's
// rate, or give the cross rate.
func (w *ehfWorldT) checkRateNote(t *testing.T, errorf func(string, ...any), n int, note string, inv *Invoice, l *Line) {
	t.Helper()
	if l.RateMicro == nil {
		return
	}
	if !strings.Contains(note, money.Rate(*l.RateMicro).Text("nb")) && inv.HomeRateMicro == nil {
		errorf("line %d: note %q does not name the rate %s", n, note, money.Rate(*l.RateMicro).Text("nb"))
	}
	if inv.HomeRateMicro == nil || l.SourceCurrency == inv.Currency {
		return
	}
	cross, err := money.MulDiv(*l.RateMicro, int64(money.RateScale), *inv.HomeRateMicro)
	if err != nil {
		t.Fatal(err)
	}
	own := money.Rate(*inv.HomeRateMicro).Text("nb")
	if !strings.Contains(note, own) && !strings.Contains(note, money.Rate(cross).Text("nb")) {
		errorf("line %d: %s converted to %s %s, but the note %q names neither the %s rate %s nor the cross rate %s",
			n, money.Format("nb", abs(l.SourceMinor), l.SourceCurrency), money.Plain(abs(l.AmountMinor)), inv.Currency,
			note, inv.Currency, own, money.Rate(cross).Text("nb"))
	}
}
