package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/samla-org/samla/internal/auth"
	"github.com/samla-org/samla/internal/calendar"
	"github.com/samla-org/samla/internal/enrolment"
	"github.com/samla-org/samla/internal/products"
)

// demoProduct is an invented product with its vendor and offer.
type demoProduct struct {
	vendor products.VendorInput
	input  products.ProductInput
	nb     products.TextInput
	en     *products.TextInput
	price  int64 // NOK øre per library
	terms  *products.Terms
}

func yes(clause string) products.Term { return products.Term{Value: products.TermYes, Clause: clause} }
func no(clause string) products.Term  { return products.Term{Value: products.TermNo, Clause: clause} }

var demoProducts = []demoProduct{
	{
		vendor: products.VendorInput{Name: "Nordavis AS", Country: "NO", OrgNumber: "", SupportEmail: "support@nordavis.example"},
		input:  products.ProductInput{Name: "Avisleser Norden", AccessMethods: []string{products.AccessIP, products.AccessLibraryCard}, RemoteAccess: true, TargetGroups: []string{products.TargetPublic}},
		nb: products.TextInput{
			Description:   "Dagens aviser fra hele Norden og verden, på skjerm i biblioteket og hjemme.",
			AnswerAccess:  "Biblioteket får tilgang via IP-adressene sine. Lånere logger inn med Bibliotekkortet.",
			AnswerHome:    "Ja, med innlogging via Bibliotekkortet.",
			AnswerShare:   "Nei, lisensen gjelder bibliotekets egne lånere.",
			AnswerSupport: "Skriv til support@nordavis.example og sett konsortiet på kopi.",
		},
		en:    &products.TextInput{Description: "Today's newspapers from the Nordic countries and the world, in the library and at home."},
		price: 1250000,
	},
	{
		vendor: products.VendorInput{Name: "Juridika Data AS", Country: "NO", SupportEmail: "kundeservice@juridika.example"},
		input:  products.ProductInput{Name: "Lovbasen Pro", AccessMethods: []string{products.AccessIP}, TargetGroups: []string{products.TargetPublic, products.TargetSchool}, RequiresTermsAcceptance: true},
		nb: products.TextInput{
			Description:   "Lover, forskrifter og rettspraksis med kommentarer.",
			AnswerAccess:  "Kun på bibliotekets maskiner, via IP. Biblioteket må selv godta lisensvilkårene.",
			AnswerHome:    "Nei, lisensen tillater ikke hjemmebruk.",
			AnswerShare:   "Nei. Brudd på vilkårene kan gi erstatningsansvar for biblioteket.",
			AnswerSupport: "Kontakt kundeservice@juridika.example.",
		},
		price: 890000,
		terms: &products.Terms{
			WalkIn: yes("Walk-in users may use the service on the Licensee's premises."), RemoteAccess: no("Access outside the Licensee's premises is not permitted."),
			InterlibraryLoan: products.Term{Value: "none", Clause: "No part of the service may be supplied to other libraries."},
			TextDataMining:   no("Systematic downloading is prohibited."), ConcurrentUsers: products.Term{Value: "3"},
			GoverningLaw: products.Term{Value: "Norsk rett", Clause: "Avtalen reguleres av norsk rett."},
		},
	},
	{
		vendor: products.VendorInput{Name: "Lärelys AB", Country: "SE", SupportEmail: "hjalp@larelys.example"},
		input:  products.ProductInput{Name: "Lesetrening Plus", AccessMethods: []string{products.AccessPassword}, RemoteAccess: true, TargetGroups: []string{products.TargetSchool}, ProcessesPersonalData: true},
		nb: products.TextInput{
			Description:   "Lesetrening med elevkontoer og lærerrapporter.",
			AnswerAccess:  "Skolen oppretter elevkontoer. Det krever en databehandleravtale med leverandøren.",
			AnswerHome:    "Ja, elevene logger inn med egen konto.",
			AnswerShare:   "Nei, kontoene hører til skolen.",
			AnswerSupport: "Skriv til hjalp@larelys.example.",
		},
		price: 450000,
	},
}

// seedProducts publishes the demo products, makes next year's agreements
// with an offer each, and opens an enrolment window today. It returns the
// first vendor, for the demo's vendor-contact login.
func seedProducts(ctx context.Context, p *products.Service, e *enrolment.Service, now time.Time) (int64, error) {
	by := auth.System
	today := calendar.Today(now)
	next := now.In(calendar.Zone).Year() + 1
	var offerIDs []int64
	var firstVendor int64
	for _, d := range demoProducts {
		v, err := p.CreateVendor(ctx, by, d.vendor)
		if err != nil {
			return 0, fmt.Errorf("demo vendor %s: %w", d.vendor.Name, err)
		}
		if firstVendor == 0 {
			firstVendor = v.ID
		}
		in := d.input
		in.VendorID = v.ID
		in.Texts = map[string]products.TextInput{"nb": d.nb}
		if d.en != nil {
			in.Texts["en"] = *d.en
		}
		published := true
		in.Published = &published
		prod, err := p.CreateProduct(ctx, by, in)
		if err != nil {
			return 0, fmt.Errorf("demo product %s: %w", in.Name, err)
		}
		if d.terms != nil {
			if _, err := p.AddLicenceVersion(ctx, by, prod.ID, products.LicenceInput{Text: "Lisensavtale for " + prod.Name + " (demo).", Terms: *d.terms}); err != nil {
				return 0, fmt.Errorf("demo licence %s: %w", prod.Name, err)
			}
		}
		// The demo agreements run from today, so a subscription made in the
		// demo turns active at once (real ones usually start on 1 January).
		ag, err := e.CreateAgreement(ctx, by, enrolment.AgreementInput{VendorID: v.ID, Name: fmt.Sprintf("%s %d–%d", prod.Name, next-1, next),
			StartsOn: today, EndsOn: calendar.Date(fmt.Sprintf("%d-12-31", next)), ProcurementRef: "Demo-anskaffelse"})
		if err != nil {
			return 0, fmt.Errorf("demo agreement %s: %w", prod.Name, err)
		}
		price := d.price
		o, err := e.AddOffer(ctx, by, ag.ID, enrolment.OfferInput{ProductID: prod.ID, PriceMinor: &price, Currency: "NOK"})
		if err != nil {
			return 0, fmt.Errorf("demo offer %s: %w", prod.Name, err)
		}
		offerIDs = append(offerIDs, o.ID)
	}
	w, _, err := e.CreateWindow(ctx, by, enrolment.WindowInput{Name: fmt.Sprintf("Tilknytning %d", next), OpensOn: today, ClosesOn: today.AddDays(20), OfferIDs: offerIDs})
	if err != nil {
		return 0, fmt.Errorf("demo window: %w", err)
	}
	if err := e.OpenWindow(ctx, w.ID); err != nil {
		return 0, fmt.Errorf("demo window open: %w", err)
	}
	return firstVendor, nil
}
