package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/billing"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/server"
)

// demoRates are plausible NOK rates, entered as manual rates dated today
// (the demo must not depend on a bank's file being at hand).
var demoRates = []struct{ currency, rate string }{
	{"EUR", "11,6725"}, {"USD", "10,3820"}, {"GBP", "13,4410"}, {"SEK", "0,9503"}, {"DKK", "1,5646"},
}

// seedBilling gives the demo consortium its seller details, exchange
// rates, a price model on each offer of the open window, and a finished
// year: a newspaper licence in EUR with too few paying libraries, invoiced
// and approved, and the vendor's invoice at a worse rate — so the economy
// report shows collected, markup, currency loss and a deficit to share.
func seedBilling(ctx context.Context, s *server.Services, now time.Time) error {
	by := auth.System
	today := calendar.Today(now)
	year := now.In(calendar.Zone).Year()
	if _, err := s.Billing.SaveSettings(ctx, by, billing.Settings{Name: "Bibliotekkonsortiet (demo)", OrgNumber: "987654325",
		VATRegistered: true, Street: "Postboks 4 Sentrum", Postcode: "0101", City: "Oslo", Country: "NO",
		BankAccount: "1234 56 78903", Email: "faktura@konsortiet.example", PaymentDays: 30, HomeCurrency: "NOK", ContributionVAT: "E"}); err != nil {
		return fmt.Errorf("demo billing settings: %w", err)
	}
	for _, r := range demoRates {
		if _, err := s.Rates.AddManual(ctx, by, r.currency, today, r.rate, "Demo-kurs"); err != nil {
			return fmt.Errorf("demo rate %s: %w", r.currency, err)
		}
		// The same rates a year back, for the finished year.
		if _, err := s.Rates.AddManual(ctx, by, r.currency, calendar.Date(fmt.Sprintf("%d-01-02", year)), r.rate, "Demo-kurs"); err != nil {
			return fmt.Errorf("demo rate %s: %w", r.currency, err)
		}
	}
	ags, err := s.Billing.Agreements(ctx, by)
	if err != nil {
		return err
	}
	var newsProduct, newsVendor int64
	for _, ag := range ags {
		offers, err := s.Billing.Offers(ctx, by, ag.ID)
		if err != nil {
			return err
		}
		for _, o := range offers {
			var in billing.PriceInput
			vat, rate := "S", int64(2500)
			switch o.Product {
			case "Avisleser Norden": // a national licence in EUR, shared by county population
				in = billing.PriceInput{Model: billing.ModelShared, Currency: "EUR", VendorCostMinor: ptr(12_000_000),
					Spec: billing.PriceSpec{TotalMinor: 12_000_000, Among: billing.AmongCounties, Key: billing.KeyPopulation, CountyPays: billing.CountyPaysCountyLibrary}}
				vat, rate = "Z", 0 // digital news is zero-rated in Norway
				newsProduct = o.ProductID
			case "Lovbasen Pro": // tiers by population
				in = billing.PriceInput{Model: billing.ModelTiers, Currency: "NOK", Spec: billing.PriceSpec{Basis: billing.BasisPopulation,
					Bands: []billing.Band{{From: 0, To: 9_999, PriceMinor: 450_000}, {From: 10_000, To: 49_999, PriceMinor: 890_000}, {From: 50_000, PriceMinor: 1_500_000}}}}
			default: // a rate per student with a minimum and a maximum
				in = billing.PriceInput{Model: billing.ModelRate, Currency: "SEK", Spec: billing.PriceSpec{Basis: billing.BasisStudents,
					Rate: "2,50", MinMinor: ptr(150_000), MaxMinor: ptr(2_000_000)}}
			}
			if err := s.Billing.SetPrice(ctx, by, o.OfferID, in); err != nil {
				return fmt.Errorf("demo price %s: %w", o.Product, err)
			}
			if err := s.Billing.SetProductVAT(ctx, by, o.ProductID, vat, rate); err != nil {
				return fmt.Errorf("demo VAT %s: %w", o.Product, err)
			}
		}
	}
	if newsProduct == 0 {
		return nil
	}
	if err := s.DB.NewSelect().Table("products").Column("vendor_id").Where("id = ?", newsProduct).Scan(ctx, &newsVendor); err != nil {
		return err
	}
	// The finished year: EUR 900 per library against the vendor's EUR 60 000.
	ag, err := s.Enrolment.CreateAgreement(ctx, by, enrolment.AgreementInput{VendorID: newsVendor, Name: fmt.Sprintf("Avisleser Norden %d", year),
		StartsOn: calendar.Date(fmt.Sprintf("%d-01-01", year)), EndsOn: calendar.Date(fmt.Sprintf("%d-12-31", year)), ProcurementRef: "Demo-anskaffelse"})
	if err != nil {
		return fmt.Errorf("demo agreement: %w", err)
	}
	flat := int64(90_000)
	o, err := s.Enrolment.AddOffer(ctx, by, ag.ID, enrolment.OfferInput{ProductID: newsProduct, PriceMinor: &flat, Currency: "EUR"})
	if err != nil {
		return fmt.Errorf("demo offer: %w", err)
	}
	if err := s.Billing.SetPrice(ctx, by, o.ID, billing.PriceInput{Model: billing.ModelFlat, Currency: "EUR", FlatMinor: flat, VendorCostMinor: ptr(6_000_000)}); err != nil {
		return err
	}
	var libs []int64
	if err := s.DB.NewSelect().Table("libraries").Column("id").Where("type = 'public' AND country = 'NO'").OrderExpr("id").Scan(ctx, &libs); err != nil {
		return err
	}
	for i, id := range libs {
		if i%3 == 2 {
			continue // not everyone joined: the reason there is a deficit
		}
		sub := enrolment.Subscription{LibraryID: id, ProductID: newsProduct, OfferID: &o.ID, StartsOn: ag.StartsOn, EndsOn: ag.EndsOn, CreatedAt: now.UTC()}
		if _, err := s.Enrolment.EnsureSubscription(ctx, s.DB, sub); err != nil {
			return fmt.Errorf("demo subscription: %w", err)
		}
	}
	issue := calendar.Date(fmt.Sprintf("%d-01-15", year))
	run, err := s.Billing.CreateRun(ctx, by, billing.RunInput{Kind: billing.RunSubscriptions, Name: fmt.Sprintf("Avisleser Norden %d", year),
		PeriodFrom: ag.StartsOn, PeriodTo: ag.EndsOn, IssueDate: issue, RateDate: calendar.Date(fmt.Sprintf("%d-01-02", year)), AgreementID: &ag.ID})
	if err != nil {
		return fmt.Errorf("demo run: %w", err)
	}
	if _, err := s.Billing.ApproveRun(ctx, by, run.ID); err != nil {
		return fmt.Errorf("demo approve: %w", err)
	}
	if _, err := s.Billing.RegisterVendorInvoice(ctx, by, billing.VendorInvoiceInput{AgreementID: ag.ID, Number: fmt.Sprintf("NA-%d-0042", year),
		InvoiceDate: calendar.Date(fmt.Sprintf("%d-02-01", year)), Currency: "EUR", AmountMinor: 6_000_000, Rate: "11,9310",
		PaidOn: calendar.Date(fmt.Sprintf("%d-02-20", year))}); err != nil {
		return fmt.Errorf("demo vendor invoice: %w", err)
	}
	for _, c := range []struct {
		what   string
		amount int64
	}{{"Lønn, sekretariat (1,5 årsverk)", 145_000_000}, {"Systemer og drift", 18_000_000}, {"Møter og reiser", 4_250_000}} {
		if _, err := s.Billing.AddCost(ctx, by, year, c.what, c.amount); err != nil {
			return fmt.Errorf("demo cost: %w", err)
		}
	}
	return nil
}

func ptr(v int64) *int64 { return &v }
