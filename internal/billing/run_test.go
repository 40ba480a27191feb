package billing

import (
	"errors"
	"strings"
	"testing"

	"github.com/samla-org/samla/internal/members"
	"github.com/samla-org/samla/internal/money"
	"github.com/samla-org/samla/internal/rates"
)

// A run makes one invoice per paying party: two libraries billed through
// their municipality share one invoice; a EUR price is converted at the
// rate on file and its 5 % markup is a line of its own.
func TestRunGroupsByPartyAndConvertsWithMarkup(t *testing.T) {
	f := newFix(t)
	f.rates["EUR"] = 11_500000 // 11.50 NOK per EUR
	muni := orgNumber(900)
	a := f.library("Alfa bibliotek", "03")
	b := f.library("Beta filial", "03", billedVia(members.InvoiceMunicipality, muni))
	c := f.library("Gamma filial", "03", billedVia(members.InvoiceMunicipality, muni))
	ag := f.agreement("Avtale 2027", 2027)
	news := f.offer(ag, "Avisarkiv", PriceInput{Model: ModelFlat, Currency: "NOK", FlatMinor: 1_000_000})
	db := f.offer(ag, "Database", PriceInput{Model: ModelFlat, Currency: "EUR", FlatMinor: 100_000})
	f.subscribe(news, a, b, c)
	f.subscribe(db, a)

	run, invs := f.run(yearRun(2027))
	if run.Status != StatusDraft || len(invs) != 2 {
		t.Fatalf("run %s with %d invoices, want a draft with 2", run.Status, len(invs))
	}
	byOrg := map[string]*Invoice{}
	for _, inv := range invs {
		byOrg[inv.BuyerOrgNumber] = inv
	}
	alfa, kommune := byOrg[a.OrgNumber], byOrg[muni]
	if alfa == nil || kommune == nil {
		t.Fatalf("invoices to %v, want Alfa and the municipality", byOrg)
	}
	if len(kommune.Lines) != 2 || kommune.NetMinor != 2_000_000 {
		t.Errorf("municipality invoice: %d lines, net %d; want 2 lines, 20 000,00", len(kommune.Lines), kommune.NetMinor)
	}
	// Alfa: 10 000,00 news + EUR 1 000 × 11.50 = 11 500,00 + 5 % = 575,00.
	want := map[string]int64{LineSubscription: 1_000_000 + 1_150_000, LineMarkup: 57_500}
	got := map[string]int64{}
	for _, l := range alfa.Lines {
		got[l.Kind] += l.AmountMinor
		if len(l.Steps()) == 0 {
			t.Errorf("line %q has no computation", l.Description)
		}
	}
	if got[LineSubscription] != want[LineSubscription] || got[LineMarkup] != want[LineMarkup] {
		t.Errorf("Alfa lines %v, want %v", got, want)
	}
	if alfa.NetMinor != 2_207_500 || alfa.VATMinor != 551_875 || alfa.TotalMinor != 2_759_375 {
		t.Errorf("Alfa totals net %d vat %d total %d", alfa.NetMinor, alfa.VATMinor, alfa.TotalMinor)
	}
	if alfa.BuyerReference == "" {
		t.Error("no buyer reference on the draft")
	}
}

// A library whose FTE is missing cannot be priced by an FTE tier: the run
// lists it as skipped with the reason, and bills the others.
func TestRunListsSkippedSubscribers(t *testing.T) {
	f := newFix(t)
	ok := f.library("Med årsverk", "03", fte(40))
	missing := f.library("Uten årsverk", "03")
	ag := f.agreement("Avtale", 2027)
	o := f.offer(ag, "Tidsskrifter", PriceInput{Model: ModelTiers, Currency: "NOK", Spec: PriceSpec{Basis: BasisFTE,
		Bands: []Band{{From: 0, To: 49, PriceMinor: 500_000}, {From: 50, PriceMinor: 900_000}}}})
	f.subscribe(o, ok, missing)
	run, invs := f.run(yearRun(2027))
	if len(invs) != 1 || invs[0].NetMinor != 500_000 {
		t.Fatalf("invoices %d, want one of 5 000,00", len(invs))
	}
	sk := run.Skips()
	if len(sk) != 1 || sk[0].LibraryID != missing.ID || sk[0].Code != "billing.skip.no_basis" || sk[0].Library != "Uten årsverk" {
		t.Errorf("skips %+v", sk)
	}
}

// Approving is one transaction: a crash half-way leaves nothing numbered
// and nothing billed; approving again does it all, once; approving an
// approved run changes nothing; a new run of the same period bills nothing.
func TestApproveIsIdempotentAndSurvivesACrash(t *testing.T) {
	f := newFix(t)
	ag := f.agreement("Avtale", 2027)
	o := f.offer(ag, "Avis", PriceInput{Model: ModelFlat, Currency: "NOK", FlatMinor: 250_000})
	var libs []*members.Library
	for _, n := range []string{"A", "B", "C", "D"} {
		libs = append(libs, f.library("Bibliotek "+n, "03"))
	}
	f.subscribe(o, libs...)
	run, _ := f.run(yearRun(2027))

	crash := errors.New("power cut")
	f.svc.approveHook = func(n int) error {
		if n == 3 {
			return crash
		}
		return nil
	}
	if _, err := f.svc.ApproveRun(f.ctx, admin, run.ID); !errors.Is(err, crash) {
		t.Fatalf("approve with a crash: %v", err)
	}
	f.svc.approveHook = nil
	if n := f.count("SELECT COUNT(*) FROM invoices WHERE number IS NOT NULL"); n != 0 {
		t.Fatalf("%d invoices numbered after the crash, want 0", n)
	}
	if n := f.count("SELECT COUNT(*) FROM invoice_lines WHERE billed"); n != 0 {
		t.Fatalf("%d lines billed after the crash, want 0", n)
	}
	if _, err := f.svc.ApproveRun(f.ctx, admin, run.ID); err != nil {
		t.Fatal(err)
	}
	numbers := f.numbers()
	if strings.Join(numbers, ",") != "1,2,3,4" {
		t.Fatalf("numbers %v, want 1–4 without gaps", numbers)
	}
	if _, err := f.svc.ApproveRun(f.ctx, admin, run.ID); err != nil {
		t.Fatal(err)
	}
	if again := f.numbers(); strings.Join(again, ",") != "1,2,3,4" {
		t.Errorf("a second approval changed the numbers: %v", again)
	}
	_, invs := f.run(yearRun(2027))
	if len(invs) != 0 {
		t.Errorf("a second run of the same period made %d invoices, want 0", len(invs))
	}
}

// Two drafts of the same period: approving the first makes the second
// unapprovable, with the line and the invoice that bills it named.
func TestApproveRefusesDoubleBilling(t *testing.T) {
	f := newFix(t)
	ag := f.agreement("Avtale", 2027)
	o := f.offer(ag, "Avis", PriceInput{Model: ModelFlat, Currency: "NOK", FlatMinor: 250_000})
	f.subscribe(o, f.library("Alfa", "03"))
	first, _ := f.run(yearRun(2027))
	second, _ := f.run(yearRun(2027))
	if _, err := f.svc.ApproveRun(f.ctx, admin, first.ID); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.ApproveRun(f.ctx, admin, second.ID)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Problems[0].Code != "billing.approve.already_billed" || ve.Problems[0].Args["Number"] != "1" {
		t.Fatalf("second approval: %v", err)
	}
}

// A credit note takes an approved invoice back with negative amounts and
// frees its lines, so a corrected run bills them again.
func TestCreditNoteFreesLinesForRebilling(t *testing.T) {
	f := newFix(t)
	ag := f.agreement("Avtale", 2027)
	o := f.offer(ag, "Avis", PriceInput{Model: ModelFlat, Currency: "NOK", FlatMinor: 250_000})
	lib := f.library("Alfa", "03")
	f.subscribe(o, lib)
	run, invs := f.run(yearRun(2027))
	if _, err := f.svc.ApproveRun(f.ctx, admin, run.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreditInvoice(f.ctx, admin, invs[0].ID, nil, ""); err == nil {
		t.Error("credit without a reason was accepted")
	}
	cn, err := f.svc.CreditInvoice(f.ctx, admin, invs[0].ID, nil, "Feil pris")
	if err != nil {
		t.Fatal(err)
	}
	if cn.Kind != KindCreditNote || cn.TotalMinor != -invs[0].TotalMinor || cn.NumberText() != "2" || *cn.CreditsInvoiceID != invs[0].ID {
		t.Fatalf("credit note %+v", cn)
	}
	if _, err := f.svc.CreditInvoice(f.ctx, admin, invs[0].ID, nil, "igjen"); err == nil {
		t.Error("a fully credited invoice was credited twice")
	}
	// The price is corrected and billed again.
	if err := f.svc.SetPrice(f.ctx, admin, o, PriceInput{Model: ModelFlat, Currency: "NOK", FlatMinor: 200_000}); err != nil {
		t.Fatal(err)
	}
	run2, invs2 := f.run(yearRun(2027))
	if len(invs2) != 1 || invs2[0].NetMinor != 200_000 {
		t.Fatalf("rebilling made %d invoices", len(invs2))
	}
	if _, err := f.svc.ApproveRun(f.ctx, admin, run2.ID); err != nil {
		t.Fatal(err)
	}
	rep, err := f.svc.LibraryReport(f.ctx, admin, lib.ID, 2027)
	if err != nil {
		t.Fatal(err)
	}
	var net int64
	for _, r := range rep {
		net += r.AmountMinor
	}
	if net != 200_000 {
		t.Errorf("library pays net %s, want 2 000,00: %+v", money.Format("nb", net, "NOK"), rep)
	}
}

func (f *fix) count(q string) int {
	f.t.Helper()
	var n int
	if err := f.db.NewRaw(q).Scan(f.ctx, &n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fix) numbers() []string {
	f.t.Helper()
	var ns []string
	if err := f.db.NewRaw("SELECT number FROM invoices WHERE number IS NOT NULL AND kind = 'invoice' ORDER BY id").Scan(f.ctx, &ns); err != nil {
		f.t.Fatal(err)
	}
	return ns
}

// With the rates stored in the same database (SQLite has one connection),
// a run and a vendor invoice look rates up before their transaction: a
// lookup inside it would wait for the transaction forever.
func TestRunWithStoredRates(t *testing.T) {
	f := newFix(t)
	rs := &rates.Service{DB: f.db}
	f.svc.Rates = rs.RateOn
	if _, err := rs.AddManual(f.ctx, admin, "EUR", "2026-11-20", "11,50", "fra leverandørens faktura"); err != nil {
		t.Fatal(err)
	}
	ag := f.agreement("Avtale", 2027)
	o := f.offer(ag, "Database", PriceInput{Model: ModelFlat, Currency: "EUR", FlatMinor: 100_000})
	f.subscribe(o, f.library("Alfa", "03"))
	_, invs := f.run(yearRun(2027))
	if len(invs) != 1 || invs[0].NetMinor != 1_150_000+57_500 {
		t.Fatalf("invoices %d, net %d", len(invs), invs[0].NetMinor)
	}
	if *invs[0].Lines[0].RateMicro != 11_500000 || invs[0].Lines[0].RateDate != "2026-11-20" {
		t.Errorf("rate %d of %s", *invs[0].Lines[0].RateMicro, invs[0].Lines[0].RateDate)
	}
	if _, err := f.svc.RegisterVendorInvoice(f.ctx, admin, VendorInvoiceInput{AgreementID: ag, Number: "1", InvoiceDate: "2026-11-23", Currency: "EUR", AmountMinor: 100_000}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateRun(f.ctx, admin, RunInput{Kind: RunSubscriptions, Name: "USD", PeriodFrom: "2027-01-01", PeriodTo: "2027-12-31", Currency: "USD"}); !errors.Is(err, ErrNoRate) {
		t.Errorf("a USD run without a USD rate: %v", err)
	}
}
